"""Analysis of Competing Hypotheses: Heuer's weighted inconsistency, a Bayesian reading, and sensitivity.

Pure functions over a matrix of ratings. Ratings: CC (very consistent), C, N (neutral / not
applicable), I (inconsistent), II (very inconsistent).

- Evidence weight w = credibility x relevance, each high 1.0, medium 0.7, low 0.4.
- Heuer's inconsistency score of a hypothesis = sum over evidence of w x (1 for I, 2 for II); the
  hypothesis with the LOWEST score is the one the evidence contradicts least (Heuer 1999, ch. 8).
- Bayesian reading: P(e | h) is taken as CC 0.9, C 0.7, N 0.5, I 0.3, II 0.1, tempered by the weight
  (P ** w), multiplied over the evidence with equal priors and normalised. It uses consistent evidence
  too, so it can rank differently from Heuer's score, which deliberately does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    """Hypotheses from least to most inconsistent (ties kept in declaration order)."""
    return sorted(scores, key=lambda h: scores[h])


def _shift(rating: str, step: int) -> str:
    return RATINGS[min(max(RATINGS.index(rating) + step, 0), len(RATINGS) - 1)]


def sensitivity(rows: list[Row], hypotheses: list[str]) -> list[dict]:
    """Evidence items whose removal, or a one-step re-rating of one cell, would change the ranking."""
    base = ranking(inconsistency(rows, hypotheses))
    found = []
    for index, row in enumerate(rows):
        others = rows[:index] + rows[index + 1:]
        changes = []
        removed = ranking(inconsistency(others, hypotheses))
        if removed != base:
            changes.append({"change": "removed", "ranking": removed})
        for h in hypotheses:
            for step in (-1, 1):
                rating = row.ratings.get(h, "N")
                new = _shift(rating, step)
                if new == rating:
                    continue
                altered = Row(row.id, row.weight, {**row.ratings, h: new})
                order = ranking(inconsistency(others[:index] + [altered] + others[index:], hypotheses))
                if order != base:
                    changes.append({"change": f"{h}: {rating} → {new}", "ranking": order})
        if changes:
            found.append({"evidence": row.id, "leader_changes": any(c["ranking"][0] != base[0] for c in changes),
                          "changes": changes})
    return found
