"""What detractors talk about that promoters do not, and the other way round.

Terms (unigrams and stopword-free bigrams such as "slow checkout") are compared between
detractor and promoter comments with the weighted log-odds ratio with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"). Unlike raw frequency it
does not surface words everyone uses ("app"), and unlike plain log-odds it does not crown
words said once. Each theme carries a few short quotes so the digest reads as evidence.

Tokenising is a precompiled regex over lowercased text: NLTK corpora are not available
offline, and a regex plus ``collections.Counter`` handles 500k comments in seconds.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, pairwise

from scoring.nps import category

# A common English stopword list (close to NLTK's), plus contractions in both apostrophe forms
# and chat filler that carries no theme on its own.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further get gets got had hadn't has
    hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
    how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more
    most much mustn't my myself no nor not of off on once only or other ought our ours
    ourselves out over own really same shan't she she'd she'll she's should shouldn't so some
    such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up us very was
    wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
    while who who's whom why why's will with won't would wouldn't you you'd you'll you're
    you've your yours yourself yourselves ain't im ive dont didnt doesnt isnt wasnt cant wont
    thats its lot bit still even yet ok okay etc u ur pls please thing things one
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())
# What never starts or continues a term: stopwords, single letters and the clause-break marker.
_NOT_CONTENT = STOPWORDS | frozenset("abcdefghijklmnopqrstuvwxyz") | {"", "\x01"}
# Group 1 is a word (letters, optionally joined by apostrophes); an empty group 1 means a
# clause break, so bigrams never span "slow, checkout was fine".
_ASCII_BREAKS = '.,;:!?()[]{}"/\\|\n*+=<>'
_TOKEN_RE = re.compile(r"([^\W\d_]+(?:'[^\W\d_]+)*)|[" + re.escape(_ASCII_BREAKS) + "…–—•]")
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION_RE = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>|(?<![\w.])@\w+")
_NAME_RUN_RE = re.compile(r"\[name\](?:\s+\[name\])+")
_NAME_MASK = "[name]"


@dataclass(frozen=True, slots=True)
class CommentRow:
    """One scored comment, as read from the database.

    Attributes:
        score: The 0-10 answer the comment belongs to.
        comment: Free text as typed.
        respondent_name: Display name, used only to redact it in anonymous mode.
    """

    score: int
    comment: str
    respondent_name: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A term that one group uses distinctively more than the other.

    Attributes:
        term: A word or a two-word phrase, lowercased.
        z: Log-odds z-score in favour of the group the theme is listed under (always > 0).
        count_detractors: Number of detractor comments that mention the term.
        count_promoters: Number of promoter comments that mention the term.
        quotes: Two or three short, varied comments from the group that contain the term.
    """

    term: str
    z: float
    count_detractors: int
    count_promoters: int
    quotes: tuple[str, ...]


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


def _lower(text: str) -> str:
    # str.replace rather than str.translate: translate is several times slower per call, and
    # the curly apostrophe is the only variant common enough to matter.
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def tokenise(text: str) -> list[str]:
    """Lowercased word tokens of ``text`` (letters only, any script, apostrophes kept)."""
    return [word for word in _TOKEN_RE.findall(_lower(text)) if word]


def _ascii_table() -> bytes:
    # Letters (lowercased) and apostrophes survive, clause breaks become \x01 and every other
    # byte a space: the bytes.translate twin of _TOKEN_RE for ASCII text.
    table = bytearray(b" " * 256)
    for char in string.ascii_lowercase + "'":
        table[ord(char)] = ord(char)
    for char in string.ascii_uppercase:
        table[ord(char)] = ord(char.lower())
    for char in _ASCII_BREAKS:
        table[ord(char)] = 1
    return bytes(table)


_ASCII_TABLE = _ascii_table()


def _tokens_with_breaks(text: str) -> list[str]:
    # Word tokens with "" or "\x01" marking clause breaks. ASCII text (nearly all comments)
    # takes a bytes.translate fast path about twice as fast as the regex, with the same
    # result: tokens holding an apostrophe go back through the regex, so "'quoted'" and
    # "o''clock" split identically.
    if not text.isascii():
        return _TOKEN_RE.findall(_lower(text))
    cleaned = text.encode().translate(_ASCII_TABLE).decode()
    tokens = cleaned.replace("\x01", " \x01 ").split()
    if "'" in cleaned:
        tokens = [
            word
            for token in tokens
            for word in (_TOKEN_RE.findall(token) if "'" in token else (token,))
        ]
    return tokens


def terms(text: str) -> set[str]:
    """Candidate theme terms of one comment: content unigrams and adjacent content bigrams.

    A bigram is two consecutive words in the same clause, neither a stopword, so "slow
    checkout" counts but "slow, the checkout" and "checkout is slow" do not.
    """
    # Two comprehensions rather than one loop with branches: this is the hot path.
    content = [w if w not in _NOT_CONTENT else "" for w in _tokens_with_breaks(text)]
    found = set(content)
    found.update([f"{a} {b}" for a, b in pairwise(content) if a and b])
    found.discard("")
    return found


def _log_odds_z(
    *, y_a: int, y_b: int, n_a: int, n_b: int, prior_w: float, prior_total: float
) -> float:
    # Monroe, Colaresi & Quinn (2008), eq. 16 and 18: difference of smoothed log-odds over
    # its approximate standard deviation.
    delta = math.log((y_a + prior_w) / (n_a + prior_total - y_a - prior_w)) - math.log(
        (y_b + prior_w) / (n_b + prior_total - y_b - prior_w)
    )
    return delta / math.sqrt(1.0 / (y_a + prior_w) + 1.0 / (y_b + prior_w))


def _name_words(names: Iterable[str]) -> frozenset[str]:
    # One findall over all distinct names, so a name per comment (500k) stays cheap. Every
    # part of a name is masked on its own ("Anna" as well as "Anna Smith"), case-insensitively:
    # over-masking a word that is also a name is the safe failure in anonymous mode.
    found = _TOKEN_RE.findall(_lower("\n".join(set(names))))
    return frozenset(word for word in found if len(word) >= 2)


def _excerpt(text: str, term: str, *, max_chars: int) -> str:
    # Long comments are cut to a window around the term, so the quote still shows it.
    if len(text) <= max_chars:
        return text
    first_word = term.split(" ", 1)[0]
    at = max(0, _lower(text).find(first_word))
    start = max(0, min(at - max_chars // 3, len(text) - max_chars))
    window = text[start : start + max_chars].strip()
    return ("…" if start > 0 else "") + window + ("…" if start + max_chars < len(text) else "")


def _pick_quotes(
    *,
    term: str,
    texts: Sequence[tuple[str, str]],
    used: set[str],
    n_quotes: int,
) -> list[str]:
    # ``texts`` are (text, lowered) pairs, shortest first: short comments read best in chat.
    # Very short ones ("slow checkout") are only a fallback, near-duplicates are skipped so
    # the quotes vary, and comments already quoted for another theme come last.
    words = term.split(" ")
    full: list[str] = []
    short: list[str] = []
    for text, lowered in texts:
        if len(full) >= 4 * n_quotes:
            break
        if not all(word in lowered for word in words) or term not in terms(text):
            continue
        (full if len(tokenise(text)) >= 3 else short).append(text)
    chosen: list[str] = []
    chosen_words: list[set[str]] = []
    for pool in (
        [t for t in full if t not in used],
        [t for t in short if t not in used],
        full,
        short,
    ):
        for text in pool:
            if len(chosen) >= n_quotes:
                break
            tokens = set(tokenise(text))
            if text in chosen or any(_similar(tokens, other) for other in chosen_words):
                continue
            chosen.append(text)
            chosen_words.append(tokens)
    used.update(chosen)
    return chosen


def _similar(a: set[str], b: set[str]) -> bool:
    union = a | b
    return bool(union) and len(a & b) / len(union) >= 0.7


def _select(
    *,
    ranked: list[tuple[str, float]],
    group_counts: Counter[str],
    top: int,
) -> list[tuple[str, float]]:
    # A bigram that ranks hides its own words when it explains at least half of their
    # mentions, so the digest says "slow checkout" rather than "slow", "checkout" and
    # "slow checkout". A word used widely beyond the phrase ("slow app", "slow login") stays.
    bigrams = [term for term, _ in ranked if " " in term]
    covered: set[str] = set()
    for bigram in bigrams:
        for word in bigram.split(" "):
            if group_counts[bigram] * 2 >= group_counts[word]:
                covered.add(word)
    return [(term, z) for term, z in ranked if term not in covered][:top]


@dataclass(frozen=True, slots=True)
class _Side:
    counts: Counter[str]
    texts: list[str]


_CATEGORY_OF = {score: category(score) for score in range(11)}


def _count(comments: Iterable[CommentRow]) -> dict[str, _Side]:
    texts: dict[str, list[str]] = {"detractor": [], "passive": [], "promoter": []}
    for row in comments:
        score, text = row.score, row.comment
        group = _CATEGORY_OF.get(score) if type(score) is int else None
        if group is None:
            category(score)  # raises with a clear message
        elif text and not text.isspace():
            texts[group].append(text)
    # One C-level Counter pass per side over all comments' term sets.
    return {
        group: _Side(Counter(chain.from_iterable(map(terms, side_texts))), side_texts)
        for group, side_texts in texts.items()
    }


def _score(
    *, sides: dict[str, _Side], min_count: int, alpha0: float | None, banned: frozenset[str]
) -> list[tuple[str, float]]:
    # z > 0 leans towards detractors, z < 0 towards promoters.
    detractors, promoters = sides["detractor"].counts, sides["promoter"].counts
    background = detractors + promoters + sides["passive"].counts
    background_total = sum(background.values())
    n_d, n_p = sum(detractors.values()), sum(promoters.values())
    prior_total = float(background_total) if alpha0 is None else alpha0
    scored: list[tuple[str, float]] = []
    for term, total in background.items():
        if detractors[term] < min_count and promoters[term] < min_count:
            continue
        if banned and not banned.isdisjoint(term.split(" ")):
            continue
        z = _log_odds_z(
            y_a=detractors[term],
            y_b=promoters[term],
            n_a=n_d,
            n_b=n_p,
            prior_w=prior_total * total / background_total,
            prior_total=prior_total,
        )
        scored.append((term, z))
    return scored


def _themes_for(
    *,
    side: _Side,
    strengths: Iterable[tuple[str, float]],
    sides: dict[str, _Side],
    top: int,
    min_count: int,
    min_z: float,
    n_quotes: int,
    mask: Callable[[str], str],
    max_quote_chars: int,
) -> tuple[Theme, ...]:
    ranked = sorted(
        ((t, z) for t, z in strengths if z >= min_z and side.counts[t] >= min_count),
        key=lambda item: (-item[1], item[0]),
    )
    chosen = _select(ranked=ranked, group_counts=side.counts, top=top)
    if not chosen:
        return ()
    texts = [(text, _lower(text)) for text in sorted(side.texts, key=len)]
    used: set[str] = set()
    result = []
    for term, z in chosen:
        picked = _pick_quotes(term=term, texts=texts, used=used, n_quotes=n_quotes)
        result.append(
            Theme(
                term=term,
                z=z,
                count_detractors=sides["detractor"].counts[term],
                count_promoters=sides["promoter"].counts[term],
                quotes=tuple(
                    _excerpt(
                        mask(_SPACE_RE.sub(" ", text).strip()), term, max_chars=max_quote_chars
                    )
                    for text in picked
                ),
            )
        )
    return tuple(result)


def themes(
    comments: Sequence[CommentRow],
    *,
    top: int = 5,
    min_count: int = 2,
    min_z: float = 0.5,
    alpha0: float | None = None,
    anonymous: bool = False,
    quotes: int = 3,
    max_quote_chars: int = 200,
) -> ThemeReport:
    """Find the themes that set detractor comments apart from promoter comments.

    Each comment counts a term at most once, so one long rant cannot make a theme. The prior
    is the term's share of all comments (passives included) scaled to ``alpha0`` pseudo-counts;
    the default, the total number of term mentions, weighs the background as much as the data.

    Args:
        comments: Scored comments; empty comments are ignored.
        top: Maximum themes per side.
        min_count: A theme must appear in at least this many comments of its side.
        min_z: Minimum z-score; a loose filter against noise, not a significance test (many
            terms are tested at once).
        alpha0: Strength of the informative prior; ``None`` for the total count.
        anonymous: Mask respondent names (any respondent's, full or in part) and @mentions in
            quotes with "[name]", and never offer a name as a theme.
        quotes: Maximum quotes per theme.
        max_quote_chars: Longer quotes are cut to a window around the term.

    Returns:
        The report; a side is empty when nothing passes the thresholds.
    """
    sides = _count(comments)
    banned: frozenset[str] = frozenset()
    mask: Callable[[str], str] = _keep
    if anonymous:
        banned = _name_words(row.respondent_name for row in comments if row.respondent_name)
        mask = partial(_mask, name_words=banned)

    scored = _score(sides=sides, min_count=min_count, alpha0=alpha0, banned=banned)
    for_side = partial(
        _themes_for,
        sides=sides,
        top=top,
        min_count=min_count,
        min_z=min_z,
        n_quotes=quotes,
        mask=mask,
        max_quote_chars=max_quote_chars,
    )
    return ThemeReport(
        detractor_themes=for_side(side=sides["detractor"], strengths=scored),
        promoter_themes=for_side(side=sides["promoter"], strengths=[(t, -z) for t, z in scored]),
        detractor_comments=len(sides["detractor"].texts),
        promoter_comments=len(sides["promoter"].texts),
    )


def _keep(text: str) -> str:
    return text


def _mask(text: str, *, name_words: frozenset[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        word = _lower(match.group(0))
        if word in name_words:
            return _NAME_MASK
        if word.endswith("'s") and word[:-2] in name_words:
            return _NAME_MASK + match.group(0)[-2:]
        return match.group(0)

    text = _EMAIL_RE.sub("[email]", text)
    text = _MENTION_RE.sub(_NAME_MASK, text)
    text = _WORD_RE.sub(replace, text)
    return _NAME_RUN_RE.sub(_NAME_MASK, text)
