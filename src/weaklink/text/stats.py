"""One-pass text statistics per document: words, sentences, mentions of each actor, the sentences naming
an actor that are warm or hostile (negation as in `analysis.warmth`), and framing-term counts.

Pure: texts and a `Lexicons` in, column lists out. Each document is scanned once by the actor/framing
matcher and once by the tone matcher; hits are assigned to sentences with `np.searchsorted`, so no
Python code runs per hit. `text_api` stores the columns (tables `doc_text_stats`, `doc_actor_stats`,
`doc_term_stats`, migration 6) and runs batches on a process pool.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from weaklink.text import analysis
from weaklink.text.analysis import ABBREVIATION, NEGATION_AFTER, NEGATION_BEFORE, Lexicons
from weaklink.text.matcher import ASCII_WORD

STATS_VERSION = 1  # bump when the way statistics are computed changes: every document is recomputed
TONE_KINDS = ("warm", "hostile", "negations")


def lexicon_fingerprint(watch) -> str:
    """A hash of the watch file parts the statistics depend on (lexicon, framing, tone) and of the method."""
    spec = json.dumps([STATS_VERSION, watch.lexicon.model_dump(), watch.framing.model_dump(),
                       watch.tone.model_dump()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


@dataclass
class BatchStats:
    """Column lists for the three statistics tables."""

    docs: dict[str, list] = field(default_factory=lambda: {k: [] for k in ("doc_id", "words", "sentences")})
    actors: dict[str, list] = field(default_factory=lambda: {k: [] for k in (
        "doc_id", "actor", "mentions", "names", "sentences_naming", "sentences_warm", "sentences_hostile",
        "warm_terms", "hostile_terms")})
    terms: dict[str, list] = field(default_factory=lambda: {k: [] for k in ("doc_id", "term_group", "term",
                                                                           "count")})


SPACE = np.array([chr(c).isspace() for c in range(0x3002)])  # what str.split splits on (none above U+3000)
FULL_STOPS = np.array([ord(c) for c in ".!?。！？"], dtype=np.uint32)
CJK_STOPS = FULL_STOPS[3:]
IS_FULL_STOP = np.zeros(int(FULL_STOPS.max()) + 2, dtype=bool)  # the last slot stands for every point above
IS_FULL_STOP[FULL_STOPS] = True


@dataclass
class Layout:
    """A text's sentence starts (as `analysis.sentences` splits it, before stripping), sentences and words."""

    starts: np.ndarray
    sentences: int
    words: int


def layout(text: str) -> Layout:
    """Sentence breaks found with NumPy over the code points, the same breaks as `analysis.SENTENCE_END`:
    a whitespace run after . ! ? (and their CJK forms) unless the period ends an abbreviation and the run
    has no newline; a run holding a blank line (the break falls after its last newline); and after CJK
    full stops not followed by whitespace. Only periods after a short token meet the abbreviation regex."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n = len(points)
    if not n:
        return Layout(np.zeros(1, np.int64), 0, 0)
    space = np.take(SPACE, points, mode="clip")  # points above U+3000 read the last slot: not space
    padded = np.zeros(n + 2, np.int8)
    padded[1:-1] = space
    edges = np.diff(padded)
    run_start, run_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # [start, end)
    newlines = np.flatnonzero(points == 10)  # newlines before a position: searchsorted, never a cumsum
    lines_start, lines_end = np.searchsorted(newlines, run_start), np.searchsorted(newlines, run_end)
    before = np.where(run_start > 0, points[np.maximum(run_start - 1, 0)], 0)
    stop = IS_FULL_STOP[np.minimum(before, len(IS_FULL_STOP) - 1)] & (run_start > 0)
    blank = (lines_end - lines_start) >= 2
    check = stop & (before == 46) & (lines_end == lines_start)
    if check.any():
        check[check] = _abbreviations(text, points, run_start[check] - 1)
    paragraph = ~stop & blank  # the break falls after the run's last newline
    breaks = [run_end[stop & ~check], newlines[lines_end[paragraph] - 1] + 1]
    cjk = np.flatnonzero((points == CJK_STOPS[0]) | (points == CJK_STOPS[1]) | (points == CJK_STOPS[2]))
    breaks.append(cjk[(cjk + 1 >= n) | ~space[np.minimum(cjk + 1, n - 1)]] + 1)
    starts = np.unique(np.concatenate([np.zeros(1, np.int64), *(b.astype(np.int64) for b in breaks)]))
    spans = len(starts) - int(space[: starts[1]].all() if len(starts) > 1 else False) \
        - int(starts[-1] >= n or bool(space[starts[-1]:].all()))
    words = len(run_start) + 1 - int(space[0]) - int(space[-1])  # the runs between the whitespace runs
    return Layout(starts, max(spans, 0), words)


# The last character before the period of an `analysis.ABBREVIATION` match: "U.S." or Mr, Mrs, Ms, Dr, St, No, Jr,
# Sr, vs, etc, e.g, i.e, Gen, Lt, Col (the regex is case-sensitive). Keep in step with that regex.
ABBREVIATION_LAST = np.zeros(128, dtype=bool)
ABBREVIATION_LAST[[ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZrstocgenl"]] = True


def _abbreviations(text: str, points: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """`_abbreviation` for each period, with NumPy ruling out most of them first: a period after a character
    no abbreviation ends with, or after four ASCII letters or digits (a word), cannot end one."""
    last = points[np.maximum(periods - 1, 0)]
    possible = (periods > 0) & (last < 128) & ABBREVIATION_LAST[np.minimum(last, 127)]
    window = points[np.maximum(periods[:, None] - np.arange(1, 5), 0)]
    word = (periods >= 4) & ((window < 128) & ASCII_WORD[np.minimum(window, 127)]).all(axis=1)
    found = np.zeros(len(periods), dtype=bool)
    left = np.flatnonzero(possible & ~word)
    found[left] = [_abbreviation(text, p) for p in periods[left].tolist()]
    return found


def _abbreviation(text: str, period: int) -> bool:
    """Whether the period at `period` ends an abbreviation ("U.S.", "Mr."); only short tokens can."""
    token = text[max(0, period - 4):period]
    if len(token) == 4 and token.isalnum():
        return False
    return bool(ABBREVIATION.search(text, max(0, period - 39), period + 1))


def _tone_kinds(lex: Lexicons) -> np.ndarray:
    if not hasattr(lex, "tone_kind"):
        lex.tone_kind = np.array([TONE_KINDS.index(e.key[1]) for e in lex.tone.entries] or [0])
    return lex.tone_kind


def _sentence_tone(text: str, lex: Lexicons, starts: np.ndarray, chosen: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """For the `chosen` sentences (sorted indices): warm and hostile terms that no negation nearby, in the
    same sentence, cancels. Only those sentences are scanned, joined by newlines into one text."""
    bounds = np.append(starts, len(text)).tolist()
    pieces = [text[bounds[k]:bounds[k + 1]] for k in chosen.tolist()]
    offsets = np.concatenate(([0], np.cumsum([len(p) + 1 for p in pieces])))
    _, t_start, t_end, t_index = lex.tone.scan("\n".join(pieces))
    kind = _tone_kinds(lex)[t_index]
    negations = t_start[kind == 2]
    tone = kind < 2
    t_start, t_end, kind = t_start[tone], t_end[tone], kind[tone]
    piece = np.searchsorted(offsets, t_start, side="right") - 1
    low = np.maximum(t_start - NEGATION_BEFORE, offsets[piece])
    high = np.minimum(t_end + NEGATION_AFTER, offsets[piece + 1] - 1)
    before = np.searchsorted(negations, t_start) - np.searchsorted(negations, low)
    after = np.searchsorted(negations, high) - np.searchsorted(negations, t_end)
    kept = (before == 0) & (after == 0)
    warm = np.bincount(piece[kept & (kind == 0)], minlength=len(pieces))
    hostile = np.bincount(piece[kept & (kind == 1)], minlength=len(pieces))
    return warm, hostile


def add_document(out: BatchStats, doc_id: int, text: str, lex: Lexicons) -> None:
    """Append one document's statistics to `out`."""
    shape = layout(text)
    out.docs["doc_id"].append(doc_id)
    out.docs["words"].append(shape.words)
    out.docs["sentences"].append(shape.sentences)
    _, h_start, _, h_index = lex.matcher.scan(text)
    _add_actors(out, doc_id, text, lex, shape.starts, h_start, h_index)
    term = lex.term_of[h_index]
    counts = np.bincount(term[term >= 0], minlength=len(lex.term_ids))
    for k in np.flatnonzero(counts).tolist():
        group, name = lex.term_ids[k]
        for column, value in zip(out.terms, (doc_id, group, name, int(counts[k]))):
            out.terms[column].append(value)


def _add_actors(out: BatchStats, doc_id: int, text: str, lex: Lexicons, starts: np.ndarray,
                h_start: np.ndarray, h_index: np.ndarray) -> None:
    actor = lex.actor_of[h_index]
    named = actor >= 0
    if not named.any():
        return
    actor, names = actor[named], lex.category_of[h_index][named] == 0
    width = len(lex.actor_names)
    sentence = np.searchsorted(starts, h_start[named], side="right") - 1
    pairs = np.unique(sentence * width + actor)
    pair_sentence, pair_actor = pairs // width, pairs % width
    chosen, where = np.unique(pair_sentence, return_inverse=True)
    warm, hostile = _sentence_tone(text, lex, starts, chosen)
    w, h = warm[where], hostile[where]
    columns = [np.bincount(actor, minlength=width), np.bincount(actor[names], minlength=width),
               np.bincount(pair_actor, minlength=width), np.bincount(pair_actor[w > h], minlength=width),
               np.bincount(pair_actor[h > w], minlength=width), np.bincount(pair_actor, w, minlength=width),
               np.bincount(pair_actor, h, minlength=width)]
    for k in np.flatnonzero(columns[0]).tolist():
        row = (doc_id, lex.actor_names[k], *(int(c[k]) for c in columns))
        for column, value in zip(out.actors, row):
            out.actors[column].append(value)


def batch_stats(doc_ids: list[int], texts: list[str], lex: Lexicons) -> BatchStats:
    out = BatchStats()
    for doc_id, text in zip(doc_ids, texts):
        add_document(out, doc_id, text or "", lex)
    return out


# Worker side of the process pool: each worker builds its lexicon once.
_WORKER_LEX: Lexicons | None = None


def init_worker(watch) -> None:
    global _WORKER_LEX
    _WORKER_LEX = analysis.lexicons(watch)


def worker_batch(doc_ids: list[int], texts: list[str | bytes]) -> BatchStats:
    """A batch's statistics in a worker; texts may come as UTF-8 bytes (decoded here, not in the caller)."""
    return batch_stats(doc_ids, [t.decode("utf-8") if isinstance(t, bytes) else t for t in texts], _WORKER_LEX)
