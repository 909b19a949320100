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

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\uf900-\ufaff]")
CAPITALS = re.compile(r"^[A-Z0-9][A-Z0-9.\-' ]*$")


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


class Matcher:
    """All entries of a lexicon in two automata (capitals-only, and case-insensitive)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.automata = {}
        for sensitive in (True, False):
            automaton = ahocorasick.Automaton()
            for entry in (e for e in entries if e.case_sensitive == sensitive):
                found = automaton.get(entry.stem, None) if entry.stem in automaton else None
                automaton.add_word(entry.stem, (found or ()) + (entry,))
            if len(automaton):
                automaton.make_automaton()
                self.automata[sensitive] = automaton

    def _candidates(self, text: str) -> list[tuple[int, int, Entry]]:
        found = []
        for sensitive, automaton in self.automata.items():
            haystack = text if sensitive else _lower(text)
            for end, entries in automaton.iter(haystack):
                for entry in entries:
                    found.append((end - len(entry.stem) + 1, end + 1, entry))
        return found

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits, longest first at each position, left to right."""
        text = fold(text)
        accepted = []
        for start, end, entry in self._candidates(text):
            if entry.star:
                while end < len(text) and text[end].isalpha():
                    end += 1
            if entry.bounded and (_is_word(text, start - 1) or _is_word(text, end)):
                continue
            accepted.append((start, end, entry))
        accepted.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        hits, last = [], 0
        for start, end, entry in accepted:
            if start >= last:
                hits.append(Hit(start, end, text[start:end], entry.key))
                last = end
        return hits


def _is_word(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalnum()
