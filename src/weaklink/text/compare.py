"""What changed between two statements: terms and mentions gained and lost, sentences aligned by similarity."""

from __future__ import annotations

import difflib
import html

from weaklink.text.analysis import Lexicons, mentions, sentences, term_counts

REWRITE_THRESHOLD = 0.6  # sentences at least this similar are one sentence rewritten


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def char_masks(text: str) -> dict[str, int]:
    """For each character of `text`, the bits of the positions where it occurs (for `lcs_length`)."""
    masks: dict[str, int] = {}
    for position, char in enumerate(text):
        masks[char] = masks.get(char, 0) | (1 << position)
    return masks


def lcs_length(a: str, b_masks: dict[str, int], b_length: int) -> int:
    """The length of the longest common subsequence of `a` and b (given as `char_masks(b)` and its length), by
    the bit-parallel algorithm of Allison and Dix (1986): one pass over `a`, a few integer operations a char."""
    full = (1 << b_length) - 1
    row = full
    for char in a:
        matched = row & b_masks.get(char, 0)
        row = ((row + matched) | (row - matched)) & full
    return b_length - row.bit_count()


def _could_match(a: str, b: str, b_masks: dict[str, int]) -> bool:
    """False only when a and b cannot be REWRITE_THRESHOLD similar. difflib's ratio is 2M / (len a + len b),
    where the M matched characters form a common subsequence: M <= min(len a, len b) and M <= LCS(a, b), so
    each bound, computed the way ratio() is, is at least the ratio. Pairs it rules out would have been dropped
    below the threshold anyway: the alignment is the same, without scoring every pair of sentences."""
    total = len(a) + len(b)
    if not total:
        return True
    if 2.0 * min(len(a), len(b)) / total < REWRITE_THRESHOLD:
        return False
    return 2.0 * lcs_length(a, b_masks, len(b)) / total >= REWRITE_THRESHOLD


def align(old: list[str], new: list[str]) -> tuple[list[tuple[int, int, float]], list[int], list[int]]:
    """Pairs (old index, new index, similarity) matched greedily by similarity; unmatched old and new. Only the
    pairs that can reach REWRITE_THRESHOLD (`_could_match`) are scored with difflib."""
    masks = [char_masks(b) for b in new]
    scores = [(_similarity(a, b), i, j) for i, a in enumerate(old) for j, b in enumerate(new)
              if _could_match(a, b, masks[j])]
    return greedy_pairs(scores, len(old), len(new))


def greedy_pairs(scores: list[tuple[float, int, int]], n_old: int, n_new: int):
    """From (similarity, old index, new index) scores: the pairs at or above REWRITE_THRESHOLD, best first, each
    sentence used once; then the unmatched old and new indices."""
    used_old, used_new, pairs = set(), set(), []
    for score, i, j in sorted(scores, reverse=True):
        if score < REWRITE_THRESHOLD:
            break
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j, score))
    return (sorted(pairs), [i for i in range(n_old) if i not in used_old],
            [j for j in range(n_new) if j not in used_new])


def compare(old_text: str, new_text: str, lex: Lexicons) -> dict:
    """Terms gained and lost, mention counts old -> new, sentences added, removed and rewritten."""
    old_terms, new_terms = term_counts(old_text, lex), term_counts(new_text, lex)
    old_mentions, new_mentions = mentions(old_text, lex), mentions(new_text, lex)
    actors = sorted(set(old_mentions) | set(new_mentions))
    old_s = [s for _, _, s in sentences(old_text)]
    new_s = [s for _, _, s in sentences(new_text)]
    pairs, removed, added = align(old_s, new_s)
    return {
        "terms_gained": [t for t in new_terms if new_terms[t] and not old_terms.get(t)],
        "terms_lost": [t for t in old_terms if old_terms[t] and not new_terms.get(t)],
        "terms": {t: [old_terms.get(t, 0), new_terms.get(t, 0)] for t in old_terms
                  if old_terms.get(t) or new_terms.get(t)},
        "mentions_delta": {a: [old_mentions.get(a, {}).get("count", 0), new_mentions.get(a, {}).get("count", 0)]
                           for a in actors},
        "sentences_added": [new_s[j] for j in added],
        "sentences_removed": [old_s[i] for i in removed],
        "sentences_rewritten": [{"old": old_s[i], "new": new_s[j], "similarity": round(score, 3)}
                                for i, j, score in pairs if score < 1.0],
        "sentences_unchanged": sum(1 for _, _, score in pairs if score == 1.0),
    }


def headline(result: dict) -> str:
    """One line an analyst can paste: "denuclearisation dropped; 'military intimidation' added; US 9 → 13"."""
    parts = [f"{t.replace('_', ' ')} dropped" for t in result["terms_lost"]]
    parts += [f"'{t.replace('_', ' ')}' added" for t in result["terms_gained"]]
    parts += [f"{a} mentions {o} → {n}" for a, (o, n) in result["mentions_delta"].items() if o != n]
    return "; ".join(parts) or "no change in framing terms or mentions"


def _words_diff(old: str, new: str) -> str:
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
    return " ".join(out)


def to_html(result: dict, old_title: str, new_title: str) -> str:
    """A self-contained HTML page showing the comparison."""
    rows = [f"<li class=removed><del>{html.escape(s)}</del></li>" for s in result["sentences_removed"]]
    rows += [f"<li class=added><ins>{html.escape(s)}</ins></li>" for s in result["sentences_added"]]
    rows += [f"<li class=rewritten>{_words_diff(r['old'], r['new'])}</li>" for r in result["sentences_rewritten"]]
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}del{background:#fdd;text-decoration:"
             "line-through}ins{background:#dfd;text-decoration:none}li{margin:.5em 0}")
    return (f"<!doctype html><html><head><meta charset=utf-8><title>Compare</title><style>{style}</style></head>"
            f"<body><h1>{html.escape(old_title)} → {html.escape(new_title)}</h1>"
            f"<p><strong>{html.escape(headline(result))}</strong></p><ul>{''.join(rows)}</ul></body></html>")
