"""Themes over a large week: 50,000 comments in seven languages, with mentions and links.

Prints the seconds :func:`scoring.themes.themes` takes (plain and anonymous) and the ratio
against a bare baseline measured in the same run: lowercasing, splitting and counting the
same comments with ``collections.Counter``, the least any term counter can do. Target:
50,000 comments in under 3 s.

    python bench/themes.py            # 50,000 comments
    python bench/themes.py --small    # 5,000 comments, for CI
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.themes import CommentRow, themes  # noqa: E402

DETRACTOR = {
    "en": [
        "slow checkout and the app logs me out",
        "support never answered, ask <@U0ABC123>",
        "too expensive for what it does https://example.com/pricing",
        "the app is slow and buggy",
        "billing was confusing, mail billing@example.com",
    ],
    "de": ["die Hotline ist nie erreichbar", "Lieferung kam zu spät", "die App stürzt ab"],
    "es": ["la entrega llegó tarde", "el soporte no responde", "la app es muy lenta"],
    "fr": ["le service client est très lent", "la livraison est en retard"],
    "pt": ["a entrega atrasou", "o suporte não responde"],
    "it": ["la consegna è in ritardo", "l'assistenza non risponde"],
    "nl": ["de levering was te laat", "de klantenservice reageert niet"],
}
PROMOTER = {
    "en": [
        "friendly staff and fast delivery",
        "love the new design",
        "great support, thanks @dana",
        "easy to use, no complaints",
    ],
    "de": ["schnelle Lieferung, super Service", "freundliche Hotline"],
    "es": ["entrega rápida y buen servicio", "muy buena atención"],
    "fr": ["livraison rapide, merci", "service client très aimable"],
    "pt": ["entrega rápida", "atendimento excelente"],
    "it": ["consegna veloce", "assistenza gentile"],
    "nl": ["snelle levering", "vriendelijke klantenservice"],
}
LANGUAGES = list(DETRACTOR)


def comments(n: int, *, seed: int = 12) -> list[CommentRow]:
    """``n`` comments from ``n // 3`` people, 70% English, with a varying tail."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        language = "en" if rng.random() < 0.7 else rng.choice(LANGUAGES[1:])
        score = rng.choice((0, 2, 4, 6, 7, 8, 9, 10, 10))
        pool = DETRACTOR if score <= 6 else PROMOTER
        text = rng.choice(pool[language])
        if rng.random() < 0.5:
            text += f" #{rng.randrange(1000)}, week {rng.randrange(52)}"
        rows.append(
            CommentRow(score, text, f"Person {i % (n // 3)}", i % (n // 3), language=language)
        )
    return rows


def _seconds(rows: Sequence[CommentRow], *, anonymous: bool) -> float:
    started = time.perf_counter()
    report = themes(rows, anonymous=anonymous)
    elapsed = time.perf_counter() - started
    assert report.detractor_themes and report.promoter_themes
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="5,000 comments")
    args = parser.parse_args(argv)
    n = 5_000 if args.small else 50_000
    rows = comments(n)
    themes(rows[:500])  # load the stopword lists and the verb lexicon once, as a bot has
    started = time.perf_counter()
    Counter(chain.from_iterable(row.comment.lower().split() for row in rows))
    baseline = time.perf_counter() - started
    plain = _seconds(rows, anonymous=False)
    anonymous = _seconds(rows, anonymous=True)
    report = themes(rows)
    print(f"{n:,} comments, {len(LANGUAGES)} languages")
    print(f"themes     {plain:.3f} s ({plain / baseline:.1f}x a bare split-and-count)")
    print(f"anonymous  {anonymous:.3f} s ({anonymous / baseline:.1f}x)")
    print("detractors " + ", ".join(t.term for t in report.detractor_themes))
    print("promoters  " + ", ".join(t.term for t in report.promoter_themes))


if __name__ == "__main__":
    main()
