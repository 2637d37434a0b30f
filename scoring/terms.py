"""Candidate theme terms of a comment: content words and the noun phrases they form.

Tokenising is a precompiled regex over lowercased text (a ``bytes.translate`` fast path for
ASCII), so 50,000 comments take well under a second. What never becomes a term:
- stopwords of the comment's language (the ``stop-words`` package for Spanish, German,
  French, Portuguese, Italian, Dutch and others; for English a list close to NLTK's, since
  the package's English list drops "problem", "great" and "free", words themes are made of),
- anything spanning a clause break (".,;:!?" and friends) or a mention, URL or address,
- a subject followed by its verb: "app logs" in "the app logs me out", "staff helped",
- @mentions, Slack user ids (``<@U123>``, ``U0ABC123``), e-mail addresses and URLs, which
  are cut out before tokenising.
"""

from __future__ import annotations

import re
import string
from functools import cache
from importlib import resources
from itertools import pairwise

from scoring.language import UNDETERMINED

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
    thats its lot bit still even yet ok okay etc u ur pls please thing things one now
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())
#: Languages with their own stopword list; any other (or an undetermined one) uses them all,
#: the safe side for the short comments that detection cannot place.
STOPWORD_LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl")
# Chat filler that no stopword list has, in any language.
_FILLER = frozenset({"ok", "okay", "lol", "thx", "pls", "plz", "xd", "etc"})
# Words after which a preceding "-s" word is a verb: "the app logs me out".
_OBJECT_TEXT = "me us you him her them it my our your his their the a an this that out up off down"
_OBJECT_WORDS = frozenset(_OBJECT_TEXT.split())
_VERB_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
# Languages whose bigrams get the English verb check: English and undetermined text.
_VERB_CHECKED = frozenset({None, "en", UNDETERMINED})

# Group 1 is a word (letters, optionally joined by apostrophes); an empty group 1 means a
# clause break, so bigrams never span "slow, checkout was fine".
_ASCII_BREAKS = '.,;:!?()[]{}"/\\|\n*+=<>'
TOKEN_RE = re.compile(r"([^\W\d_]+(?:'[^\W\d_]+)*)|[" + re.escape(_ASCII_BREAKS) + "…–—•]")
#: What is cut out of a comment before it is tokenised: URLs, e-mail addresses, Slack
#: mentions and ids, @handles.
NOT_TEXT_RE = re.compile(
    r"<[@#!][^>]*>"  # Slack <@U123>, <#C123|general>, <!here>
    r"|<?(?:https?://|www\.)[^\s>]+>?"  # URLs, bare or in Slack's <...|label> form
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<![\w.])@\w+"  # @handles
    r"|\b[UWBC](?=[A-Z0-9]*\d)[A-Z0-9]{6,12}\b"  # bare Slack ids: U0ABC123
)
_MAYBE_NOT_TEXT = re.compile(r"[@<]|://|www\.|\b[UWBC][A-Z0-9]*\d")


def lower(text: str) -> str:
    """Lowercase with the curly apostrophes straightened."""
    # str.replace rather than str.translate: translate is several times slower per call, and
    # the curly apostrophe is the only variant common enough to matter.
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def strip_non_text(text: str) -> str:
    """``text`` with URLs, addresses, mentions and ids replaced by a clause break."""
    if _MAYBE_NOT_TEXT.search(text) is None:
        return text
    return NOT_TEXT_RE.sub(" . ", text)


def tokenise(text: str) -> list[str]:
    """Lowercased word tokens of ``text`` (letters only, any script, apostrophes kept)."""
    return [word for word in TOKEN_RE.findall(lower(strip_non_text(text))) if word]


@cache
def stopwords(language: str | None) -> frozenset[str]:
    """Stopwords for an ISO 639-1 language; all supported lists for ``None`` or others."""
    if language not in STOPWORD_LANGUAGES:
        return frozenset().union(*(stopwords(code) for code in STOPWORD_LANGUAGES))
    if language == "en":
        return STOPWORDS | _FILLER
    from stop_words import get_stop_words

    return frozenset(lower(word) for word in get_stop_words(language)) | _FILLER


@cache
def _not_content(language: str | None) -> frozenset[str]:
    # What never starts or continues a term: stopwords, single letters, clause breaks.
    return stopwords(language) | frozenset(string.ascii_lowercase) | {"", "\x01"}


@cache
def verb_forms() -> frozenset[str]:
    """English words whose usual part of speech is a finite verb ("helped", "keeps").

    From the Brill lexicon that TextBlob ships: past tense, present tense and modals. A
    phrase ending in one is a subject and its verb, not a theme.
    """
    lexicon = resources.files("textblob.en").joinpath("en-lexicon.txt").read_text("utf-8")
    return frozenset(
        parts[0]
        for line in lexicon.splitlines()
        if not line.startswith(";") and len(parts := line.split()) >= 2 and parts[1] in _VERB_TAGS
    )


def _ascii_table() -> bytes:
    # Letters (lowercased) and apostrophes survive, clause breaks become \x01 and every other
    # byte a space: the bytes.translate twin of TOKEN_RE for ASCII text.
    table = bytearray(b" " * 256)
    for char in string.ascii_lowercase + "'":
        table[ord(char)] = ord(char)
    for char in string.ascii_uppercase:
        table[ord(char)] = ord(char.lower())
    for char in _ASCII_BREAKS:
        table[ord(char)] = 1
    return bytes(table)


_ASCII_TABLE = _ascii_table()


def tokens_with_breaks(text: str) -> list[str]:
    """Word tokens with "" or "\\x01" marking clause breaks, after :func:`strip_non_text`.

    ASCII text (nearly all comments) takes a bytes.translate fast path about twice as fast
    as the regex, with the same result: tokens holding an apostrophe go back through the
    regex, so "'quoted'" and "o''clock" split identically.
    """
    text = strip_non_text(text)
    if not text.isascii():
        return TOKEN_RE.findall(lower(text))
    cleaned = text.encode().translate(_ASCII_TABLE).decode()
    tokens = cleaned.replace("\x01", " \x01 ").split()
    if "'" in cleaned:
        tokens = [
            word
            for token in tokens
            for word in (TOKEN_RE.findall(token) if "'" in token else (token,))
        ]
    return tokens


def _is_verb(tokens: list[str], at: int, verbs: frozenset[str]) -> bool:
    word = tokens[at]
    if word in verbs:
        return True
    # "logs", "crashes": nouns in the lexicon, verbs when an object follows.
    follower = tokens[at + 1] if at + 1 < len(tokens) else ""
    return word.endswith("s") and follower in _OBJECT_WORDS


def terms(text: str, *, language: str | None = None) -> set[str]:
    """Candidate theme terms of one comment: content unigrams and adjacent content bigrams.

    A bigram is two consecutive words in the same clause, neither a stopword of the
    comment's language, the second not a verb (for English and undetermined text). So
    "slow checkout" counts but "slow, the checkout", "checkout is slow" and "app logs" (in
    "the app logs me out") do not.
    """
    tokens = tokens_with_breaks(text)
    not_content = _not_content(language)
    # Comprehensions rather than one loop with branches: this is the hot path.
    content = [w if w not in not_content else "" for w in tokens]
    found = set(content)
    pairs = [(i, a, b) for i, (a, b) in enumerate(pairwise(content)) if a and b]
    if pairs:
        if language in _VERB_CHECKED:
            verbs = verb_forms()
            pairs = [p for p in pairs if not _is_verb(tokens, p[0] + 1, verbs)]
        found.update([f"{a} {b}" for _, a, b in pairs])
    found.discard("")
    return found


def stored_terms(text: str, *, language: str | None) -> str:
    """A comment's terms as its answer stores them (`response.terms`), sorted, one a line (no
    term holds a line break). Computed once, when the comment is written, as its polarity
    is: a digest then counts a week's terms without tokenising every comment again."""
    return "\n".join(sorted(terms(text, language=language)))


def read_terms(stored: str) -> frozenset[str]:
    """The terms :func:`stored_terms` wrote."""
    return frozenset(stored.split("\n")) if stored else frozenset()
