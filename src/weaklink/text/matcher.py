"""Fast multilingual lexicon matching (Aho-Corasick), with the rules analysts expect:

- an alias matches case-insensitively, unless written wholly in ASCII capitals (`US`, `DPRK`, `U.S.`),
  which then match only in capitals, so the pronoun "us" is never the United States;
- a trailing `*` lets the alias's last word take further letters (Russian endings: `Росси*`);
- Latin and Cyrillic aliases match whole words (no letter or digit right before or after; "US-led" and
  "U.S.-ROK" match, "USSR" does not); Chinese, Japanese and Korean aliases match anywhere;
- at each position the longest alias wins and matches never overlap, left to right;
- ё is read as е.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick
import numpy as np

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\uf900-\ufaff]")
CAPITALS = re.compile(r"^[A-Z0-9][A-Z0-9.\-' ]*$")


# Hits of different groups never block each other: actor aliases (with exclusions), framing terms, tone.
GROUPS = {"relationship": 1, "stance": 1, "tone": 2}


@dataclass(frozen=True)
class Entry:
    """One alias of one key (e.g. key ("USA", "names") or ("stance", "denuclearisation"))."""

    key: tuple[str, ...]
    alias: str
    stem: str
    star: bool
    case_sensitive: bool
    bounded: bool


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    key: tuple[str, ...]


def fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _lower(text: str) -> str:
    """Lower-case without changing the string's length (so offsets stay valid)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def make_entry(key: tuple[str, ...], alias: str) -> Entry:
    alias = fold(alias.strip())
    star = alias.endswith("*")
    stem = alias.rstrip("*")
    case_sensitive = bool(CAPITALS.match(stem)) and any(c.isalpha() for c in stem)
    bounded = not CJK.search(stem)
    return Entry(key, alias, stem if case_sensitive else _lower(stem), star, case_sensitive, bounded)


ASCII_WORD = np.zeros(128, dtype=bool)
ASCII_WORD[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True
NOT_LETTERS_ABOVE_ASCII = [(0x80, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7), (0x2000, 0x2BFF), (0x3000, 0x303F),
                           (0xFE30, 0xFE4F), (0xFF00, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65)]


class Matcher:
    """All entries of a lexicon in Aho-Corasick automata (capitals-only or case-insensitive; Latin or not)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.group = np.array([GROUPS.get(e.key[0], 0) for e in entries] or [0])
        self.stem_length = np.array([len(e.stem) for e in entries] or [0])
        self.star = np.array([e.star for e in entries] or [False])
        self.bounded = np.array([e.bounded for e in entries] or [False])
        # One automaton per (capitals-only, script): Latin stems in one, others (CJK, Cyrillic, Hangul) in
        # another, which runs only on texts holding one of its stems' first characters (3x faster on English).
        self.automata, self.gates, slots = {}, {}, []
        for sensitive in (True, False):
            for latin in (True, False):
                automaton, by_stem = ahocorasick.Automaton(), {}
                for index, entry in enumerate(entries):
                    if entry.case_sensitive == sensitive and _latin(entry.stem) == latin:
                        by_stem.setdefault(entry.stem, []).append(index)
                for stem, indices in by_stem.items():
                    automaton.add_word(stem, len(slots))
                    slots.append(indices)
                if len(automaton):
                    automaton.make_automaton()
                    self.automata[sensitive, latin] = automaton
                    firsts = sorted({s[0] for s in by_stem})
                    self.gates[sensitive, latin] = None if latin else re.compile(
                        "[" + "".join(re.escape(c) for c in firsts) + "]")
        # A slot is one stem; several entries may share it (an exclusion that is also a framing term).
        self.slot_size = np.array([len(s) for s in slots] or [1])
        self.slot_offset = np.concatenate(([0], np.cumsum(self.slot_size)[:-1]))
        self.slot_entries = np.array([i for s in slots for i in s] or [0])

    def _candidates(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(end position, entry index) of every raw match, from both automata."""
        pairs, lowered = [], None
        for (sensitive, latin), automaton in self.automata.items():
            if not sensitive and lowered is None:
                lowered = _lower(text)
            target = text if sensitive else lowered
            gate = self.gates[sensitive, latin]
            if gate is None or gate.search(target):
                pairs += automaton.iter(target)
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        found = np.array(pairs, dtype=np.int64)
        ends, slots = found[:, 0] + 1, found[:, 1]
        sizes = self.slot_size[slots]
        if (sizes == 1).all():
            return ends, self.slot_entries[self.slot_offset[slots]]
        within = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return np.repeat(ends, sizes), self.slot_entries[np.repeat(self.slot_offset[slots], sizes) + within]

    def scan(self, text: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
        """The folded text and the accepted hits as arrays (start, end, entry index), in text order.

        Entries whose key starts with a different first element never block each other (so an actor
        alias and a framing term may cover the same words); within a group, longest-leftmost wins.
        """
        text = fold(text)
        ends, index = self._candidates(text)
        if not len(ends):
            empty = np.zeros(0, dtype=np.int64)
            return text, empty, empty, empty
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        starts = ends - self.stem_length[index]
        star = self.star[index]
        if star.any():
            ends = ends.copy()
            ends[star] = _next_break(points, ends[star])
        before = np.where(starts > 0, _is_word(points[np.maximum(starts - 1, 0)]), False)
        after = np.where(ends < len(points), _is_word(points[np.minimum(ends, len(points) - 1)]), False)
        keep = ~self.bounded[index] | (~before & ~after)
        starts, ends, index = starts[keep], ends[keep], index[keep]
        group = self.group[index]
        order = np.lexsort((starts - ends, starts, group))
        chosen = _greedy(starts[order].tolist(), ends[order].tolist(), group[order].tolist())
        picked = order[chosen]
        picked = picked[np.argsort(starts[picked], kind="stable")]
        return text, starts[picked], ends[picked], index[picked]

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits (per group), longest first at each position, left to right."""
        folded, starts, ends, index = self.scan(text)
        return [Hit(a, b, folded[a:b], self.entries[i].key)
                for a, b, i in zip(starts.tolist(), ends.tolist(), index.tolist())]


def _is_word(points: np.ndarray) -> np.ndarray:
    """Whether each code point is part of a word (letter or digit): ASCII by table; above ASCII, everything
    but punctuation and symbol blocks counts as a letter. Only gathered positions are classified."""
    ascii_ = points < 128
    word = np.where(ascii_, ASCII_WORD[np.minimum(points, 127)], True)
    if ascii_.all():
        return word
    above = ~ascii_
    high_points = points[above]
    letter = np.ones(len(high_points), dtype=bool)
    for low, high in NOT_LETTERS_ABOVE_ASCII:
        letter &= ~((high_points >= low) & (high_points <= high))
    word[above] = letter
    return word


LOOKAHEAD = 64  # a starred alias's word may run this many letters past its stem


def _next_break(points: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each end, the position of the first non-letter at or after it (the text's end if none), looking
    at most LOOKAHEAD characters ahead; only the few starred hits are classified, never the whole text."""
    at = ends[:, None] + np.arange(LOOKAHEAD)
    inside = at < len(points)
    window = points[np.minimum(at, max(len(points) - 1, 0))] if len(points) else np.zeros(at.shape, np.uint32)
    digit = (window >= 48) & (window <= 57)
    letter = _is_word(window) & ~digit & inside
    return np.where(letter.all(axis=1), np.minimum(ends + LOOKAHEAD, len(points)), ends + np.argmin(letter, axis=1))


def _latin(stem: str) -> bool:
    """Whether every character of a stem is Latin (up to U+024F) or general punctuation (’, –)."""
    return all(ord(c) < 0x250 or 0x2000 <= ord(c) <= 0x206F for c in stem)


def _greedy(starts: list[int], ends: list[int], groups: list[int]) -> list[int]:
    """Positions (in the sorted lists) of the hits kept: each must start after the last kept one ends."""
    kept, last, current = [], 0, None
    for position, (start, end, group) in enumerate(zip(starts, ends, groups)):
        if group != current:
            current, last = group, 0
        if start >= last:
            kept.append(position)
            last = end
    return kept
