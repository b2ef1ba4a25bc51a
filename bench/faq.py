"""FAQ answer latency: match a question and render the answer with today's figures, as the bot does.

    python bench/faq.py [--rounds 20]

Runs every question of tests/data/faq_eval_set.tsv (real-style, with slang and typos) `--rounds` times after one
warm-up pass, plus a cold pass with the matcher's typo cache cleared. Prints p50/p99/max in milliseconds
(target: p99 ≤ 5 ms) and the build time of the matcher. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from bot.domain.faq import FaqMatcher, documents, load_slang, matcher, render_answer
from bot.domain.i18n import load_catalogs, translator

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "faq_eval_set.tsv"


def questions() -> list[str]:
    lines = EVAL_SET.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1] for line in lines if line.strip() and not line.startswith("#")]


def answer(m: FaqMatcher, question: str, day: dt.date) -> str:
    t = translator("id")
    result = m.match(question)
    if result.confident and result.best is not None:
        return render_answer(t, result.best.entry_id, day)
    return ",".join(x.entry_id for x in result.matches)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    print(f"{label:<28} n={len(ms):<6} p50={percentile(ms, 0.5):.3f} ms  p99={percentile(ms, 0.99):.3f} ms  "
          f"max={max(ms):.3f} ms  mean={statistics.fmean(ms):.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    load_catalogs()
    day = dt.date(2026, 11, 22)
    start = time.perf_counter()
    built = FaqMatcher(documents(), load_slang())
    print(f"matcher build (stemming {len(documents())} texts): {(time.perf_counter() - start) * 1000:.1f} ms")
    items = questions()

    cold = []
    for question in items:  # first sight of every question: stemming and typo correction not cached yet
        begin = time.perf_counter()
        answer(built, question, day)
        cold.append(time.perf_counter() - begin)
    report("cold (first time each)", cold)

    m = matcher()
    for question in items:
        answer(m, question, day)
    warm = []
    for _ in range(args.rounds):
        for question in items:
            begin = time.perf_counter()
            answer(m, question, day)
            warm.append(time.perf_counter() - begin)
    report("warm", warm)
    print(f"p99 target 5 ms: {'met' if percentile([s * 1000 for s in warm + cold], 0.99) <= 5 else 'NOT met'} "
          "(cold and warm together)")


if __name__ == "__main__":
    main()
