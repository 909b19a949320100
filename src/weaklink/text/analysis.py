"""Mentions, framing terms and warmth in one document's text, from the watch file's lexicons."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import numpy as np

from weaklink.text.matcher import Hit, Matcher, make_entry

CATEGORIES = ("names", "demonyms", "metonyms")
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n\s*\n")
NEGATION_BEFORE = 30  # characters before a tone term where a negation cancels it
NEGATION_AFTER = 12   # characters after it (Korean and Japanese negate after the verb)


@dataclass
class Lexicons:
    """One compiled matcher for a watch file's actor aliases (with exclusions), framing terms and tone."""

    matcher: Matcher                 # actor aliases, exclusions and framing terms, in one pass
    tone: Matcher                    # warm, hostile and negation words (only for warmth)
    term_ids: list[tuple[str, str]]

    def __post_init__(self) -> None:
        keys = [e.key for e in self.matcher.entries]
        actors = sorted({k[0] for k in keys if len(k) == 2 and k[1] in CATEGORIES})
        self.actor_names = actors
        self.actor_of = np.array([actors.index(k[0]) if len(k) == 2 and k[1] in CATEGORIES else -1 for k in keys]
                                 or [-1])
        self.category_of = np.array([CATEGORIES.index(k[1]) if len(k) == 2 and k[1] in CATEGORIES else -1
                                     for k in keys] or [-1])
        terms = [t for _, t in self.term_ids]
        self.term_of = np.array([terms.index(k[1]) if k[0] in ("relationship", "stance") else -1 for k in keys]
                                or [-1])


_CACHE: dict[str, Lexicons] = {}


def lexicons(watch) -> Lexicons:
    """Matchers for the watch file's lexicons, built once per distinct lexicon."""
    spec = json.dumps([watch.lexicon.model_dump(), watch.framing.model_dump(), watch.tone.model_dump()],
                      sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(spec.encode()).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = _build(watch)
    return _CACHE[key]


def _build(watch) -> Lexicons:
    entries = [make_entry(("exclude",), a) for a in watch.lexicon.exclude]
    for actor, lex in watch.lexicon.actors.items():
        entries += [make_entry((actor, cat), a) for cat in CATEGORIES for a in getattr(lex, cat)]
    term_ids = [(group, term) for group in ("relationship", "stance") for term in getattr(watch.framing, group)]
    entries += [make_entry((group, term), v) for group, term in term_ids
                for v in getattr(watch.framing, group)[term]]
    tone = [make_entry(("tone", kind), v) for kind in ("warm", "hostile", "negations")
            for v in getattr(watch.tone, kind)]
    return Lexicons(Matcher(entries), Matcher(tone), term_ids)


def _hits(text: str, lex: Lexicons, group: str) -> list[Hit]:
    if group == "tone":
        return lex.tone.find(text)
    return [h for h in lex.matcher.find(text) if _group(h.key) == group]


def _group(key: tuple[str, ...]) -> str:
    return "tone" if key[0] == "tone" else "framing" if key[0] in ("relationship", "stance") else "actor"


def profile(text: str, lex: Lexicons) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Mention counts per actor and category, and framing-term counts, from one vectorised pass."""
    _, _, _, index = lex.matcher.scan(text)
    actor, category = lex.actor_of[index], lex.category_of[index]
    mentioned = actor >= 0
    cells = np.bincount(actor[mentioned] * 3 + category[mentioned], minlength=3 * len(lex.actor_names))
    counts = {name: {"count": int(cells[3 * i]), "demonyms": int(cells[3 * i + 1]), "metonyms": int(cells[3 * i + 2])}
              for i, name in enumerate(lex.actor_names) if cells[3 * i:3 * i + 3].any()}
    term = lex.term_of[index]
    totals = np.bincount(term[term >= 0], minlength=len(lex.term_ids))
    return counts, {t: int(totals[k]) for k, (_, t) in enumerate(lex.term_ids)}


def mentions(text: str, lex: Lexicons, actor: str | None = None,
             categories: tuple[str, ...] = CATEGORIES) -> dict[str, dict]:
    """Per actor: `count` (names and abbreviations), `demonyms`, `metonyms`, and every hit's position."""
    result: dict[str, dict] = {}
    for hit in _hits(text, lex, "actor"):
        who, category = hit.key[0], hit.key[-1]
        if who == "exclude" or category not in categories or (actor and who != actor):
            continue
        entry = result.setdefault(who, {"count": 0, "demonyms": 0, "metonyms": 0, "hits": []})
        entry["count" if category == "names" else category] += 1
        entry["hits"].append({"start": hit.start, "end": hit.end, "text": hit.text, "category": category})
    return result


def term_counts(text: str, lex: Lexicons) -> dict[str, int]:
    """Occurrences of each framing term (relationship labels and stance terms) by term id."""
    return profile(text, lex)[1]


ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|No|Jr|Sr|vs|etc|e\.g|i\.e|Gen|Lt|Col)\.)$")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) spans, split after . ! ? and their CJK forms, and at blank lines.

    A period ending an abbreviation ("U.S.", "D.P.R.K.", "Mr.") does not end the sentence.
    """
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if "\n" not in match.group() and ABBREVIATION.search(text, 0, match.start()):
            continue
        _add_span(spans, text, start, match.start())
        start = match.end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list, text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        spans.append((offset, offset + len(stripped), stripped))


def _tone_hits(text: str, lex: Lexicons) -> list[tuple[Hit, bool]]:
    """Warm and hostile hits, each with whether a nearby negation cancels it."""
    hits = _hits(text, lex, "tone")
    negations = [h for h in hits if h.key[1] == "negations"]
    found = []
    for hit in (h for h in hits if h.key[1] != "negations"):
        negated = any(hit.start - NEGATION_BEFORE <= n.start < hit.start or hit.end <= n.start < hit.end
                      + NEGATION_AFTER for n in negations)
        found.append((hit, negated))
    return found


def warmth(text: str, lex: Lexicons, partners: list[str], issuers: list[str]) -> dict[str, dict]:
    """Per actor mentioned: warm and hostile terms in the sentences naming it, negated ones left out.

    score = (warm - hostile) / (warm + hostile), 0 when neither; `role` is partner (a party of the
    document) or third_party; `sentences` are the ones that drove the score.
    """
    result: dict[str, dict] = {}
    for start, end, sentence in sentences(text):
        local = sentence
        named = {w for w in mentions(local, lex) if w not in issuers}
        if not named:
            continue
        tones = [(h.key[1], negated) for h, negated in _tone_hits(local, lex)]
        warm = sum(1 for kind, neg in tones if kind == "warm" and not neg)
        hostile = sum(1 for kind, neg in tones if kind == "hostile" and not neg)
        for actor in named:
            entry = result.setdefault(actor, {"role": "partner" if actor in partners else "third_party",
                                              "warm": 0, "hostile": 0, "negated": 0, "sentences": []})
            entry["warm"] += warm
            entry["hostile"] += hostile
            entry["negated"] += sum(1 for _, neg in tones if neg)
            if warm or hostile:
                entry["sentences"].append({"start": start, "end": end, "text": sentence})
    for entry in result.values():
        total = entry["warm"] + entry["hostile"]
        entry["score"] = round((entry["warm"] - entry["hostile"]) / total, 4) if total else 0.0
    return result
