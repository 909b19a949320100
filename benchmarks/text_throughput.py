"""Throughput of mention and framing-term matching, in MB of text per second.

The corpus is the project's own multilingual test documents (tests/text_docs/*.md, front matter
stripped) repeated to --mb megabytes (UTF-8). Matching uses the bundled watch file's lexicons.

    .venv/bin/python benchmarks/text_throughput.py [--mb 50] [--repeat 3]

Target (issue 5): mentions + terms together at least 20 MB/s on this machine. The counting path
(`analysis.profile`: mention counts per actor and category, and framing-term counts, from one pass) is
what term trends and signposts use; listing every hit with its position (`analysis.mentions`) builds
one Python object per hit and is reported beside it.
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
    print(f"{'task':46s} {'seconds':>8s} {'MB/s':>8s}")
    tasks = [("mentions + terms, counts (one pass)", lambda t: analysis.profile(t, lex)),
             ("mentions with every hit's position", lambda t: analysis.mentions(t, lex)),
             ("framing terms alone", lambda t: analysis.term_counts(t, lex))]
    rates = {}
    for name, func in tasks:
        seconds = timed(func, text, args.repeat)
        rates[name] = size / seconds
        print(f"{name:46s} {seconds:8.2f} {rates[name]:8.1f}")
    rate = rates[tasks[0][0]]
    verdict = "PASS" if rate >= TARGET_MB_S else "FAIL"
    print(f"target: mentions + terms >= {TARGET_MB_S:.0f} MB/s: {rate:.1f} MB/s {verdict}")


if __name__ == "__main__":
    main()
