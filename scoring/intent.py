"""What an NPS comment says the customer will *do*, which word lexicons miss.

"I would not recommend", "won't renew" and "cancelled my subscription" carry no negative word
a lexicon knows, and "no complaints", "can't complain" or "not the worst" read as negative to
one that sees "complaints" or "worst". In a survey about loyalty these phrases are the
clearest signal in the comment, so they are matched as phrases and outweigh the lexicons.
Emoji that VADER's emoji lexicon leaves at zero or reads against their chat meaning (👍, 👎,
😡, 🔥) get their feedback meaning here.

Rules run on text from :func:`scoring.normalise.normalise`, lowercased: "n't" is already
" not", so one pattern covers "won't", "will not" and "won’t".
"""

from __future__ import annotations

import re

#: A phrase's weight; the sign is what matters, the size keeps it ahead of the lexicons.
STRONG = 0.6
MILD = 0.35

_NEG = r"(?:not|never|no longer|hardly)"
# Negated negatives first ("can not complain"), so the negative rules never see them; then
# the negatives, so "would not recommend it" is gone before "recommend it" could match.
_NEGATED_NEGATIVE_PHRASES = [
    r"\b(?:no|zero|without)\s+(?:real\s+)?(?:complaints?|problems?|issues?|hassle)\b",
    r"\b(?:can|could)\s+not\s+(?:really\s+)?(?:complain|fault|beat|go wrong|ask for more)\b",
    r"\b(?:could|can)\s+not\s+be\s+(?:happier|better|more satisfied|easier)\b",
    r"\bnot\s+(?:a|one)\s+(?:single\s+)?(?:problem|issue|complaint)\b",
    r"\bnever\s+(?:had|have|once had)\s+(?:a|an|any)\s+(?:problem|issue)s?\b",
    r"\bnot\s+(?:too\s+|that\s+|so\s+)?(?:bad|the worst|terrible|awful)\b",
    r"\b(?:can|could)\s+not\s+recommend\b.{0,30}\benough\b",
    r"\b(?:would|will|did|do)\s+not\s+hesitate\b|\bnever\s+(?:disappoints|let me down)\b",
]
_POSITIVE_PHRASES = [
    r"\b(?:would|will|do|definitely|highly|strongly|totally)\s+recommend\b",
    r"\brecommend(?:ed)?\s+(?:it|this|you|them|to|highly)\b",
    r"\b(?:would|will)\s+(?:definitely\s+)?(?:buy|use|renew|order)\b.{0,20}\bagain\b",
    r"\bhard\s+to\s+beat\b|\b(?:love|loving|loved)\s+(?:it|this|the)\b",
    r"\bwell\s+worth\b|\bworth\s+(?:it|every|the money)\b",
    r"\bworks?\s+(?:great|perfectly|flawlessly|like a charm|well|fine)\b",
]
_NEGATIVE_PHRASES = [
    _NEG + r"\s+(?:\w+\s+){0,2}recommend",
    _NEG + r"\s+(?:\w+\s+){0,2}renew",
    r"\bcancel(?:l?ed|l?ing|lation|s)?\b",
    r"\bunsubscrib\w*|\brefund\b|\bmoney back\b",
    r"\b(?:switch|switching|moving|move)\s+to\s+(?:a\s+)?(?:competitor|another|something else)\b",
    r"\b(?:do|would)\s+not\s+(?:buy|purchase|bother|use)\b",
    r"\bnever\s+(?:again|buy|use|order)\b|\bnot\s+worth\b|\bwaste\s+of\b|\bstay\s+away\b",
    r"\b(?:does|did|do|will|would|is|was)\s+not\s+(?:even\s+)?work\w*\b",
    r"\b(?:stopped|stops|quit)\s+working\b|\bnothing\s+work\w*|\bnone\s+(?:of them\s+)?work\w*",
    r"\b(?:returned|returning|return)\s+(?:it|this|the|them)\b",
    r"\b(?:is|was|what)\s+a\s+(?:joke|disappointment|nightmare|mess)\b",
    r"\b(?:took|takes|taking|take)\s+(?:\w+\s+)?forever\b|\bshould\s+have\s+(?:bought|gone|got)\b",
    r"\bthanks\s+for\s+nothing\b|\brip\s*-?\s*off\b|\bscam\b|\bjunk\b",
]
_MILD_NEGATIVE_PHRASES = [
    # "can't log in", "couldn't find": an inability is a complaint unless a positive phrase
    # above already claimed it ("can't complain", "couldn't be happier").
    r"\b(?:can|could)\s+not\s+(?!complain|fault|beat|go wrong|ask|be\s|recommend|wait|believe)\w+",
    r"\btoo\s+(?:slow|expensive|complicated|many|long|hard|buggy|much)\b",
    r"\bi\s+wish\b|\bwould\s+have\s+been\s+(?:nice|better|great)\b|\bno\s+go\b",
    r"\bnot\s+as\s+\w+\s+as\b|\bas\s+i\s+(?:would|'d)\s+(?:have\s+)?(?:liked|like|hoped|expected)\b",
]
_NEGATED_NEGATIVE_RE = re.compile("|".join(_NEGATED_NEGATIVE_PHRASES))
_POSITIVE_RE = re.compile("|".join(_POSITIVE_PHRASES))
_NEGATIVE_RE = re.compile("|".join(_NEGATIVE_PHRASES))
_MILD_NEGATIVE_RE = re.compile("|".join(_MILD_NEGATIVE_PHRASES))

#: Emoji whose feedback meaning VADER's emoji lexicon misses (it scores their names, and
#: "thumbs up" or "pouting face" hold no lexicon word) or gets backwards ("fire").
EMOJI: dict[str, float] = {
    "👍": STRONG,
    "👏": STRONG,
    "🙏": MILD,
    "⭐": MILD,
    "🌟": MILD,
    "💯": STRONG,
    "🔥": MILD,
    "🚀": MILD,
    "✅": MILD,
    "💪": MILD,
    "👎": -STRONG,
    "😡": -STRONG,
    "🤬": -STRONG,
    "😤": -MILD,
    "💩": -STRONG,
    "🙄": -MILD,
    "🤮": -STRONG,
    "😒": -MILD,
    "❌": -MILD,
    "🐌": -MILD,
}
_EMOJI_RE = re.compile("|".join(map(re.escape, EMOJI)))


def _strip(pattern: re.Pattern[str], text: str) -> tuple[int, str]:
    # Count the matches and blank them out, so a later, looser pattern cannot match the same
    # words again ("can not complain" is not also an inability).
    hits = 0

    def blank(match: re.Match[str]) -> str:
        nonlocal hits
        hits += 1
        return " \x00 "

    rest = pattern.sub(blank, text)
    return hits, rest


def intent_score(lowered: str) -> float | None:
    """Summed weight of the intent phrases and feedback emoji in a normalised, lowercased
    comment, clipped to -1..1; ``None`` when none occurs (the lexicons decide alone)."""
    negated, rest = _strip(_NEGATED_NEGATIVE_RE, lowered)
    negative, rest = _strip(_NEGATIVE_RE, rest)
    positive, rest = _strip(_POSITIVE_RE, rest)
    mild, _ = _strip(_MILD_NEGATIVE_RE, rest)
    positive += negated
    emoji = sum(EMOJI[found] for found in _EMOJI_RE.findall(lowered))
    if not (positive or negative or mild or emoji):
        return None
    total = STRONG * (positive - negative) - MILD * mild + emoji
    return max(-1.0, min(1.0, total))
