"""What detractors talk about that promoters do not, and the other way round.

Terms (see :mod:`scoring.terms`) are compared between detractor and promoter comments with
weighted log-odds (:mod:`scoring.log_odds`); each theme carries a few short quotes
(:mod:`scoring.quotes`) so the digest reads as evidence. A theme has to rest on at least
three comments from at least two people: one person repeating themselves is an anecdote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import partial
from itertools import chain

from scoring import quotes as quoting
from scoring.log_odds import check_alpha0, hide_covered_words, score
from scoring.nps import Category, category
from scoring.terms import terms


@dataclass(frozen=True, slots=True)
class CommentRow:
    """One scored comment, as read from the database.

    Attributes:
        score: The 0-10 answer the comment belongs to.
        comment: Free text as typed.
        respondent_name: Display name, used only to redact it in anonymous mode.
        respondent_id: Who wrote it, to count people behind a theme; ``None`` counts the
            comment as its own person.
        language: ISO 639-1 code stored with the comment (see :mod:`scoring.language`);
            ``None`` applies every supported stopword list.
        terms: The comment's terms as stored with it (:func:`scoring.terms.stored_terms`);
            ``None`` finds them in the text.
    """

    score: int
    comment: str
    respondent_name: str | None = None
    respondent_id: Hashable | None = None
    language: str | None = None
    terms: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A term that one group uses distinctively more than the other.

    Attributes:
        term: A word or a two-word phrase, lowercased.
        z: Log-odds z-score in favour of the group the theme is listed under (always > 0).
        count_detractors: Number of detractor comments that mention the term.
        count_promoters: Number of promoter comments that mention the term.
        quotes: Up to ``quotes`` short, varied comments from the group that contain the
            term; no comment is quoted under two themes (two people's identical words can).
        count: Number of comments (passives included) that mention the term.
        detractor_share: ``count_detractors`` over all detractor comments, 0..1.
        promoter_share: ``count_promoters`` over all promoter comments, 0..1.
    """

    term: str
    z: float
    count_detractors: int
    count_promoters: int
    quotes: tuple[str, ...]
    count: int
    detractor_share: float
    promoter_share: float


@dataclass(frozen=True, slots=True)
class ThemeReport:
    """Distinctive themes for each side, strongest first.

    Attributes:
        detractor_themes: Themes detractors (0-6) raise more than promoters.
        promoter_themes: Themes promoters (9-10) raise more than detractors.
        detractor_comments: Number of non-empty detractor comments analysed.
        promoter_comments: Number of non-empty promoter comments analysed.
    """

    detractor_themes: tuple[Theme, ...]
    promoter_themes: tuple[Theme, ...]
    detractor_comments: int
    promoter_comments: int


_CATEGORY_OF = {score: category(score) for score in range(11)}


@dataclass(slots=True)
class _Comments:
    """The non-empty comments, in columns, with each one's terms and each group's counts."""

    texts: list[str]
    found: list[AbstractSet[str]]
    people: list[Hashable]
    groups: dict[Category, list[int]]
    counts: dict[Category, Counter[str]]

    @classmethod
    def of(cls, rows: Sequence[CommentRow]) -> _Comments:
        texts: list[str] = []
        found: list[AbstractSet[str]] = []
        people: list[Hashable] = []
        groups: dict[Category, list[int]] = {"detractor": [], "passive": [], "promoter": []}
        for index, row in enumerate(rows):
            score_, text = row.score, row.comment
            group = _CATEGORY_OF.get(score_) if type(score_) is int else None
            if group is None:
                category(score_)  # raises with a clear message
            elif text and not text.isspace():
                groups[group].append(len(texts))
                texts.append(text)
                # Stored with the comment when it was written; found here only for rows
                # that come without (tests, a caller with bare texts).
                stored = row.terms
                found.append(terms(text, language=row.language) if stored is None else stored)
                people.append(row.respondent_id if row.respondent_id is not None else -1 - index)
        # One C-level Counter pass per group over all comments' term sets.
        counts = {
            group: Counter(chain.from_iterable(found[i] for i in ids))
            for group, ids in groups.items()
        }
        return cls(texts, found, people, groups, counts)

    def support(self, term: str, group: Category, *, enough: int, min_people: int) -> list[int]:
        """Comments of ``group`` that mention ``term``, shortest first.

        Stops once ``enough`` are found from at least ``min_people`` people: quotes and the
        people rule need no more, and a common term can be in thousands of comments.
        """
        having = [i for i in self.groups[group] if term in self.found[i]]
        having.sort(key=lambda i: len(self.texts[i]))
        found: list[int] = []
        people: set[Hashable] = set()
        for i in having:
            found.append(i)
            people.add(self.people[i])
            if len(found) >= enough and len(people) >= min_people:
                break
        return found if len(people) >= min_people else []


def themes(
    comments: Sequence[CommentRow],
    *,
    top: int = 5,
    min_count: int = 3,
    min_people: int = 2,
    min_z: float = 0.5,
    alpha0: float | None = None,
    anonymous: bool = False,
    quotes: int = 3,
    max_quote_chars: int = 200,
) -> ThemeReport:
    """Find the themes that set detractor comments apart from promoter comments.

    Each comment counts a term at most once, so one long rant cannot make a theme.

    Args:
        comments: Scored comments; empty comments are ignored.
        top: Maximum themes per side.
        min_count: A theme must appear in at least this many comments of its side.
        min_people: ... written by at least this many different people.
        min_z: Minimum z-score; a loose filter against noise, not a significance test (many
            terms are tested at once).
        alpha0: Strength of the informative prior in pseudo-counts; ``None`` for the total
            number of term mentions.
        anonymous: Mask respondent names (any respondent's, full or in part), @mentions,
            Slack user ids and e-mail addresses in quotes with "[name]"/"[email]", and never
            offer a name as a theme.
        quotes: Maximum quotes per theme.
        max_quote_chars: Longer quotes are cut to a window around the term.

    Returns:
        The report; a side is empty when nothing passes the thresholds.

    Raises:
        ValueError: On a score outside 0..10, ``alpha0 <= 0``, or ``min_count`` or
            ``min_people`` below 1.
    """
    check_alpha0(alpha0)
    if min_count < 1 or min_people < 1:
        raise ValueError(
            f"min_count and min_people must be at least 1, got {min_count} and {min_people}"
        )
    data = _Comments.of(comments)
    banned: frozenset[str] = frozenset()
    mask: Callable[[str], str] = str
    if anonymous:
        banned = quoting.name_words(row.respondent_name for row in comments if row.respondent_name)
        mask = partial(quoting.mask, names=banned)
    counts = data.counts
    scored = score(
        detractors=counts["detractor"],
        promoters=counts["promoter"],
        passives=counts["passive"],
        min_count=min_count,
        alpha0=alpha0,
        banned=banned,
    )
    used: set[int] = set()
    side = partial(
        _side,
        data=data,
        top=top,
        min_count=min_count,
        min_people=min_people,
        min_z=min_z,
        n_quotes=quotes,
        used=used,
        render=lambda text, term: quoting.excerpt(mask(text), term, max_chars=max_quote_chars),
    )
    return ThemeReport(
        detractor_themes=side(group="detractor", strengths=scored),
        promoter_themes=side(group="promoter", strengths=[(t, -z) for t, z in scored]),
        detractor_comments=len(data.groups["detractor"]),
        promoter_comments=len(data.groups["promoter"]),
    )


def _side(
    *,
    group: Category,
    strengths: Sequence[tuple[str, float]],
    data: _Comments,
    top: int,
    min_count: int,
    min_people: int,
    min_z: float,
    n_quotes: int,
    used: set[int],
    render: Callable[[str, str], str],
) -> tuple[Theme, ...]:
    own = data.counts[group]
    ranked = sorted(
        ((t, z) for t, z in strengths if z >= min_z and own[t] >= min_count),
        key=lambda item: (-item[1], item[0]),
    )
    detractors, promoters = data.counts["detractor"], data.counts["promoter"]
    n_d, n_p = len(data.groups["detractor"]), len(data.groups["promoter"])
    result: list[Theme] = []
    for term, z in hide_covered_words(ranked, group_counts=own):
        if len(result) >= top:
            break
        support = data.support(
            term, group, enough=max(min_count, 8 * n_quotes), min_people=min_people
        )
        if len(support) < min_count:
            continue
        picked = quoting.pick(candidates=support, texts=data.texts, used=used, n_quotes=n_quotes)
        result.append(
            Theme(
                term=term,
                z=z,
                count_detractors=detractors[term],
                count_promoters=promoters[term],
                # Two comments can read the same once masked ("[name] bad"): quoted once.
                quotes=tuple(dict.fromkeys(render(data.texts[i], term) for i in picked)),
                count=detractors[term] + promoters[term] + data.counts["passive"][term],
                detractor_share=detractors[term] / n_d if n_d else 0.0,
                promoter_share=promoters[term] / n_p if n_p else 0.0,
            )
        )
    return tuple(result)
