"""Analysis of Competing Hypotheses: Heuer's weighted inconsistency, a Bayesian reading, and sensitivity.

Pure functions over a matrix of ratings. Ratings: CC (very consistent), C, N (neutral / not
applicable), I (inconsistent), II (very inconsistent).

- Evidence weight w = credibility x relevance, each high 1.0, medium 0.7, low 0.4.
- Heuer's inconsistency score of a hypothesis = sum over evidence of w x (1 for I, 2 for II); the
  hypothesis with the LOWEST score is the one the evidence contradicts least (Heuer 1999, ch. 8).
- Bayesian reading: P(e | h) is taken as CC 0.9, C 0.7, N 0.5, I 0.3, II 0.1, tempered by the weight
  (P ** w), multiplied over the evidence with equal priors and normalised. It uses consistent evidence
  too, so it can rank differently from Heuer's score, which deliberately does not.
- Ties are ties: `leaders` lists every hypothesis with the lowest score; ranks are shared (1, 1, 3).
- Sensitivity asks what one item's removal or re-rating would do, what each status of a bound item's
  signpost would do, and the smallest set of signpost status changes that would change the leaders.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

import numpy as np

from weaklink.messages import message as _

RATINGS = ("CC", "C", "N", "I", "II")
INCONSISTENCY = {"CC": 0.0, "C": 0.0, "N": 0.0, "I": 1.0, "II": 2.0}
LIKELIHOOD = {"CC": 0.9, "C": 0.7, "N": 0.5, "I": 0.3, "II": 0.1}
WEIGHT = {"high": 1.0, "medium": 0.7, "low": 0.4}


@dataclass(frozen=True)
class Row:
    """One evidence item as rated now: its weight and a rating per hypothesis id."""

    id: str
    weight: float
    ratings: dict[str, str]


def inconsistency(rows: list[Row], hypotheses: list[str]) -> dict[str, float]:
    return {h: round(sum(r.weight * INCONSISTENCY[r.ratings.get(h, "N")] for r in rows), 4) for h in hypotheses}


def posterior(rows: list[Row], hypotheses: list[str], priors: dict[str, float] | None = None) -> dict[str, float]:
    logs = np.array([np.log((priors or {}).get(h, 1.0)) + sum(
        r.weight * np.log(LIKELIHOOD[r.ratings.get(h, "N")]) for r in rows) for h in hypotheses])
    probs = np.exp(logs - logs.max())
    probs /= probs.sum()
    return {h: round(float(p), 4) for h, p in zip(hypotheses, probs)}


def ranking(scores: dict[str, float]) -> list[str]:
    """Hypotheses from least to most inconsistent (tied ones in declaration order: see `leaders`, `ranks`)."""
    return sorted(scores, key=lambda h: scores[h])


def leaders(scores: dict[str, float]) -> list[str]:
    """Every hypothesis with the lowest inconsistency, in declaration order: a tie is reported as a tie."""
    if not scores:
        return []
    low = min(scores.values())
    return [h for h, score in scores.items() if abs(score - low) < 1e-9]


def ranks(scores: dict[str, float]) -> dict[str, int]:
    """Competition ranks: tied hypotheses share a rank (1, 1, 3)."""
    return {h: 1 + sum(other < score - 1e-9 for other in scores.values()) for h, score in scores.items()}


def non_diagnostic(rows: list[Row], hypotheses: list[str]) -> list[str]:
    """Items rated the same for every hypothesis: consistent with all, they cannot tell them apart."""
    return [r.id for r in rows if len({r.ratings.get(h, "N") for h in hypotheses}) == 1]


def _shift(rating: str, step: int) -> str:
    return RATINGS[min(max(RATINGS.index(rating) + step, 0), len(RATINGS) - 1)]


def sensitivity(rows: list[Row], hypotheses: list[str]) -> list[dict]:
    """Evidence items whose removal, or a one-step re-rating of one cell, would change the ranking."""
    base, base_leaders = ranking(inconsistency(rows, hypotheses)), leaders(inconsistency(rows, hypotheses))
    found = []
    for index, row in enumerate(rows):
        others = rows[:index] + rows[index + 1:]
        changes = []
        without = inconsistency(others, hypotheses)
        if ranking(without) != base:
            changes.append({"change": _("removed"), "ranking": ranking(without), "leaders": leaders(without)})
        for h in hypotheses:
            for step in (-1, 1):
                rating = row.ratings.get(h, "N")
                new = _shift(rating, step)
                if new == rating:
                    continue
                altered = Row(row.id, row.weight, {**row.ratings, h: new})
                scores = inconsistency(others[:index] + [altered] + others[index:], hypotheses)
                if ranking(scores) != base:
                    changes.append({"change": f"{h}: {rating} → {new}", "ranking": ranking(scores),
                                    "leaders": leaders(scores)})
        if changes:
            found.append({"evidence": row.id, "leader_changes": any(c["leaders"] != base_leaders for c in changes),
                          "changes": changes})
    return found


# signpost statuses -------------------------------------------------------------------------------
STATUSES = ("seen", "emerging", "not_seen", "no_data")
SEARCH_LIMIT = 200_000   # status combinations tried, at most, when looking for the smallest change


@dataclass(frozen=True)
class Bound:
    """An item bound to a signpost: its weight and its ratings under each status (None: left out)."""

    id: str
    weight: float
    signpost: str
    by_status: dict[str, dict[str, str] | None]


def _vector(weight: float, ratings: dict[str, str] | None, hypotheses: list[str]) -> np.ndarray:
    if ratings is None:
        return np.zeros(len(hypotheses))
    return np.array([weight * INCONSISTENCY[ratings.get(h, "N")] for h in hypotheses])


class StatusModel:
    """Heuer scores as a sum of fixed rows and, per bound signpost, the rows its status selects."""

    def __init__(self, fixed: list[Row], bound: list[Bound], status: dict[str, str], hypotheses: list[str]):
        self.hypotheses, self.status = hypotheses, status
        self.signposts = list(dict.fromkeys(b.signpost for b in bound))
        self.fixed = sum((_vector(r.weight, r.ratings, hypotheses) for r in fixed), np.zeros(len(hypotheses)))
        self.parts = {sp: {s: sum((_vector(b.weight, b.by_status[s], hypotheses) for b in bound if b.signpost == sp),
                                  np.zeros(len(hypotheses))) for s in STATUSES} for sp in self.signposts}

    def scores(self, changes: dict[str, str] | None = None) -> dict[str, float]:
        chosen = {**self.status, **(changes or {})}
        total = self.fixed + sum((self.parts[sp][chosen[sp]] for sp in self.signposts), np.zeros(len(self.hypotheses)))
        return {h: round(float(v), 4) for h, v in zip(self.hypotheses, total)}


def status_sensitivity(model: StatusModel, bound: list[Bound]) -> list[dict]:
    """For each bound item: the ranking and leaders were its signpost in each other status."""
    found = []
    for item in bound:
        current = model.status[item.signpost]
        under = []
        for status in (s for s in STATUSES if s != current):
            scores = model.scores({item.signpost: status})
            under.append({"status": status, "ranking": ranking(scores), "leaders": leaders(scores),
                          "scores": scores})
        found.append({"evidence": item.id, "signpost": item.signpost, "status": current, "under": under})
    return found


def smallest_change(model: StatusModel) -> dict:
    """The fewest signpost status changes that change the leaders, smallest sets first (every such set of
    that size, each with the leaders it gives), or none found within the search limit."""
    base, tried = leaders(model.scores()), 0
    for size in range(1, len(model.signposts) + 1):
        found = []
        for subset in combinations(model.signposts, size):
            options = [[s for s in STATUSES if s != model.status[sp]] for sp in subset]
            for statuses in product(*options):
                tried += 1
                changes = dict(zip(subset, statuses))
                now = leaders(model.scores(changes))
                if now != base:
                    found.append({"changes": [{"signpost": sp, "from": model.status[sp], "to": s}
                                              for sp, s in changes.items()], "leaders": now})
            if tried > SEARCH_LIMIT:
                return {"size": None, "sets": found, "searched_up_to": size, "leaders": base}
        if found:
            return {"size": size, "sets": found, "searched_up_to": size, "leaders": base}
    return {"size": None, "sets": [], "searched_up_to": len(model.signposts), "leaders": base}
