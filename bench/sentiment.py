"""Comment sentiment on real, human-labelled product-review sentences.

The set is the 3,708 Amazon review sentences rated by 20 people each in Hutto & Gilbert
(2014), shipped in the vaderSentiment 3.3.2 sdist on PyPI. Sentences whose mean rating is
clearly polar (|mean| > 0.5 on -4..4) form the binary set; a "neutral" or "not analysed"
answer on one of them counts as wrong. Prints binary macro-F1 and accuracy for npsbot's
pipeline, raw TextBlob and raw VADER on the same sentences, and the time for 1,000
comments with its ratio to raw TextBlob measured in the same run. Target: F1 >= 0.70,
accuracy >= 0.65, 1,000 comments in under 1 s.

    python bench/sentiment.py           # the full set (pip downloads the sdist once)
    python bench/sentiment.py --small   # the committed 600-sentence sample, no network
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.language import detect  # noqa: E402
from scoring.sentiment import analyse, analyse_many, label  # noqa: E402

SAMPLE = ROOT / "bench" / "data" / "amazon_review_sentences_sample.tsv"
SDIST = "vaderSentiment==3.3.2"
MEMBER = "hutto_ICWSM_2014/amazonReviewSnippets_GroundTruth.txt"
CACHE = Path.home() / ".cache" / "npsbot-bench"
POLAR = 0.5
SPEED_N = 1000

Example = tuple[str, str]  # (gold label, sentence)


def _parse(lines: Sequence[str]) -> list[Example]:
    examples = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        _, rating, text = line.rstrip("\r\n").split("\t", 2)
        if abs(float(rating)) > POLAR:
            examples.append(("positive" if float(rating) > 0 else "negative", text))
    return examples


def load_sample() -> list[Example]:
    """The committed fixed sample (already restricted to polar sentences)."""
    return _parse(SAMPLE.read_text(encoding="utf-8").splitlines())


def load_full() -> list[Example]:
    """Every polar sentence, read from the vaderSentiment sdist (downloaded once by pip)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    archives = sorted(CACHE.glob("vaderSentiment-3.3.2.tar.gz"))
    if not archives:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--no-binary", ":all:", "-d", tmp, SDIST],
                check=True,
            )  # fmt: skip
            (downloaded,) = Path(tmp).glob("*.tar.gz")
            target = CACHE / downloaded.name
            target.write_bytes(downloaded.read_bytes())
            archives = [target]
    with tarfile.open(archives[0]) as sdist:
        inner = sdist.extractfile(
            "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
        )
        assert inner is not None
        with tarfile.open(fileobj=io.BytesIO(inner.read())) as resources:
            member = resources.extractfile(MEMBER)
            assert member is not None
            return _parse(member.read().decode("utf-8").splitlines())


def scores(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """Binary macro-F1 over {positive, negative} and accuracy; other answers are misses."""
    f1s = []
    for cls in ("positive", "negative"):
        tp = sum(g == cls and p == cls for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != cls and p == cls for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == cls and p != cls for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return sum(f1s) / len(f1s), accuracy


def analysers() -> dict[str, Callable[[str], str]]:
    """Each analyser as text -> label, with the same 0.05 neutral band."""
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    textblob, vader = PatternAnalyzer(), SentimentIntensityAnalyzer()
    return {
        "npsbot": lambda text: analyse(text).label,
        "textblob": lambda text: label(float(textblob.analyze(text).polarity)),
        "vader": lambda text: label(vader.polarity_scores(text)["compound"]),
    }


def evaluate(examples: Sequence[Example]) -> dict[str, tuple[float, float]]:
    """Macro-F1 and accuracy of every analyser on ``examples``."""
    gold = [g for g, _ in examples]
    return {
        name: scores(gold, [run(text) for _, text in examples]) for name, run in analysers().items()
    }


def _seconds(run: Callable[[str], str], texts: Sequence[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        run(text)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="committed sample, no network")
    args = parser.parse_args(argv)
    examples = load_sample() if args.small else load_full()
    source = "committed sample" if args.small else "full set"
    print(f"{len(examples)} polar Amazon review sentences ({source})")
    for name, (f1, accuracy) in evaluate(examples).items():
        print(f"{name:9} macro-F1 {f1:.3f}  accuracy {accuracy:.3f}")
    texts = [text for _, text in examples]
    texts = (texts * (SPEED_N // len(texts) + 1))[:SPEED_N]
    run = analysers()
    for text in texts[:50]:  # load the detector's models, as a running bot has
        detect(text)
    baseline = _seconds(run["textblob"], texts)
    one_by_one = _seconds(run["npsbot"], texts)
    started = time.perf_counter()
    analyse_many(texts)
    batch = time.perf_counter() - started
    print(
        f"speed    npsbot {SPEED_N:,} comments in {batch:.3f} s with analyse_many "
        f"({batch / baseline:.2f}x raw TextBlob's {baseline:.3f} s), "
        f"{one_by_one:.3f} s one by one ({one_by_one / baseline:.2f}x)"
    )


if __name__ == "__main__":
    main()
