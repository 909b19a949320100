"""Throughput of mention and framing-term matching, in MB of text per second.

The corpus is the project's own multilingual test documents (tests/text_docs/*.md, front matter
stripped) repeated to --mb megabytes (UTF-8). Matching uses the bundled watch file's lexicons.

    .venv/bin/python benchmarks/text_throughput.py [--mb 50] [--repeat 3]

Target (issue 5): mentions + terms together at least 20 MB/s on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from weaklink.text import analysis
from weaklink.text.extract import _front_matter
from weaklink.watch import load_watch

DOCS = Path(__file__).resolve().parents[1] / "tests" / "text_docs"
TARGET_MB_S = 20.0


def corpus(megabytes: float) -> str:
    texts = [_front_matter(p.read_text(encoding="utf-8"))[1] for p in sorted(DOCS.glob("*.md"))]
    if not texts:
        raise SystemExit(f"no test documents in {DOCS}")
    block = "\n\n".join(texts)
    copies = max(1, int(megabytes * 1e6 / len(block.encode("utf-8"))))
    return "\n\n".join([block] * copies)


def timed(func, text: str, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(text)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lex = analysis.lexicons(load_watch())
    text = corpus(args.mb)
    size = len(text.encode("utf-8")) / 1e6
    hits = sum(m["count"] + m["demonyms"] + m["metonyms"] for m in analysis.mentions(text, lex).values())
    print(f"corpus: {size:.1f} MB of UTF-8 text from {len(list(DOCS.glob('*.md')))} documents; {hits:,} actor hits")
    print(f"{'task':28s} {'seconds':>8s} {'MB/s':>8s}")
    total = 0.0
    for name, func in (("mentions (all categories)", lambda t: analysis.mentions(t, lex)),
                       ("framing terms", lambda t: analysis.term_counts(t, lex))):
        seconds = timed(func, text, args.repeat)
        total += seconds
        print(f"{name:28s} {seconds:8.2f} {size / seconds:8.1f}")
    rate = size / total
    verdict = "PASS" if rate >= TARGET_MB_S else "FAIL"
    print(f"{'mentions + terms':28s} {total:8.2f} {rate:8.1f}   target >= {TARGET_MB_S:.0f} MB/s: {verdict}")


if __name__ == "__main__":
    main()
