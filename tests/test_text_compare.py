"""Sentence alignment in weaklink.text.compare: the prefilter (length and longest-common-subsequence bounds)
leaves the alignment exactly as scoring every pair with difflib did, on real UN General Debate speeches."""

from __future__ import annotations

import difflib
import random
import re
import tarfile

import pytest

from weaklink.text import compare
from weaklink.text.analysis import sentences

SPEECHES = ("CHN_60_2005.txt", "CHN_61_2006.txt")  # China's General Debate speeches of 2005 and 2006
FIRST = 32  # sentences of each speech scored by the reference (every pair: about a millisecond each)


@pytest.fixture(scope="module")
def speeches(shared_data) -> list[list[str]]:
    archive = shared_data / "ungdc" / "UNGDC_1946-2024.tgz"
    if not archive.exists():
        pytest.skip(f"the UN General Debate Corpus is not at {archive}")
    texts = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            name = member.name.rsplit("/", 1)[-1]
            if name in SPEECHES:
                texts[name] = tar.extractfile(member).read().decode("utf-8-sig").replace("\r\n", "\n")
    assert set(texts) == set(SPEECHES)
    return [[s for _, _, s in sentences(texts[name])] for name in SPEECHES]


def align_every_pair(old: list[str], new: list[str]):
    """The alignment as it was before the prefilter: every pair scored with difflib."""
    scores = [(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), i, j)
              for i, a in enumerate(old) for j, b in enumerate(new)]
    return compare.greedy_pairs(scores, len(old), len(new))


def test_alignment_of_real_speeches_is_unchanged_by_the_prefilter(speeches):
    old, new = (s[:FIRST] for s in speeches)
    expected = align_every_pair(old, new)
    assert len(expected[0]) >= 3  # the opening sentences were rewritten: there is something to align
    assert compare.align(old, new) == expected


def test_whole_speeches_align_and_the_bound_holds_for_every_pair_it_rules_out(speeches):
    old, new = speeches
    pairs, removed, added = compare.align(old, new)
    assert len(pairs) >= 5 and len(pairs) + len(removed) == len(old) and len(pairs) + len(added) == len(new)
    masks = [compare.char_masks(b) for b in new]
    ruled_out = [(a, b) for a in old for j, b in enumerate(new) if not compare._could_match(a, b, masks[j])]
    assert len(ruled_out) > 0.95 * len(old) * len(new)  # most pairs are never scored with difflib
    for a, b in random.Random(15).sample(ruled_out, 150):
        assert difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() < compare.REWRITE_THRESHOLD


def lcs_by_table(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        new = [0]
        for j, y in enumerate(b):
            new.append(row[j] + 1 if x == y else max(row[j + 1], new[-1]))
        row = new
    return row[-1]


def test_lcs_length_is_the_longest_common_subsequence(speeches):
    rng = random.Random(7)
    cases = [("", ""), ("", "abc"), ("abc", ""), ("abc", "abc"), ("abcbdab", "bdcaba"),
             ("Россия", "Рос сия")]
    cases += [("".join(rng.choice("ab c") for _ in range(rng.randint(0, 40))),
               "".join(rng.choice("abd ") for _ in range(rng.randint(0, 40)))) for _ in range(300)]
    cases += [(re.sub(r"\s+", " ", a)[:90], b[:90]) for a, b in zip(speeches[0][:20], speeches[1][:20])]
    for a, b in cases:
        assert compare.lcs_length(a, compare.char_masks(b), len(b)) == lcs_by_table(a, b), (a, b)
