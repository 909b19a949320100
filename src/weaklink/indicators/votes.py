"""Vote alignment between two states: identical votes, agreement, coincidence, Cohen's kappa.

Scores per decision where both states cast a vote (yes, no or abstain; absences and
non-membership are left out, and counted as `not_both_voting` nowhere else):
- identical: 1 when the votes are the same, else 0;
- agreement (Lijphart's index of agreement, as in Voeten's UN voting data): 1 identical, 1/2 when
  exactly one of the two abstains, 0 when one votes yes and the other no;
- coincidence (the US State Department's "voting coincidence"): identical / (identical + opposite)
  over the decisions where both voted yes or no; abstentions are left out.
Cohen's kappa corrects the share of identical votes for the agreement expected by chance from
each state's own mix of yes / no / abstain in the same window.
"""

from __future__ import annotations

from datetime import date

import ibis
from ibis import _

from weaklink.indicators.dyads import FREQUENCIES

CAST = ["yes", "no", "abstain"]


def _state_votes(votes: ibis.Table, body: str, state: str, side: str) -> ibis.Table:
    mine = votes.filter(votes.body == body, votes.state == state, votes.vote.isin(CAST))
    return mine.select("decision_id", **{f"vote_{side}": mine.vote, f"veto_{side}": mine.veto})


def paired_votes(votes: ibis.Table, decisions: ibis.Table, issues: ibis.Table, a: str, b: str, *,
                 body: str = "unga", issue: str | None = None, since: date | None = None,
                 until: date | None = None) -> ibis.Table:
    """One row per decision on which both states voted: date, title, each state's vote and veto."""
    both = _state_votes(votes, body, a, "a").join(_state_votes(votes, body, b, "b"), "decision_id")
    chosen = decisions.filter(decisions.body == body)
    if since is not None:
        chosen = chosen.filter(chosen.date >= since)
    if until is not None:
        chosen = chosen.filter(chosen.date <= until)
    paired = both.join(chosen.select("decision_id", "date", "symbol", "title", "kind", "outcome"), "decision_id")
    if issue is not None:
        tagged = issues.filter(issues.body == body, (issues.tag == issue.lower()) | (issues.label == issue))
        paired = paired.semi_join(tagged.select("decision_id"), "decision_id")
    return paired


def paired_votes_of_all(votes: ibis.Table, decisions: ibis.Table, states: list[str], *, body: str = "unga",
                        since: date | None = None, until: date | None = None) -> ibis.Table:
    """As `paired_votes` for every pair of `states` at once (one query, not one per pair): one row per pair
    (columns a < b) and decision on which both voted, with the date and each state's vote and veto."""
    cast = votes.filter(votes.body == body, votes.state.isin(list(states)), votes.vote.isin(CAST))
    left = cast.select("decision_id", a=cast.state, vote_a=cast.vote, veto_a=cast.veto)
    right = cast.select("decision_id", b=cast.state, vote_b=cast.vote, veto_b=cast.veto)
    both = left.join(right, "decision_id")
    both = both.filter(both.a < both.b)
    chosen = decisions.filter(decisions.body == body)
    if since is not None:
        chosen = chosen.filter(chosen.date >= since)
    if until is not None:
        chosen = chosen.filter(chosen.date <= until)
    return both.join(chosen.select("decision_id", "date"), "decision_id")


def votes_before(paired: ibis.Table, day: date) -> ibis.Table:
    """How many paired decisions fall before `day`, and the first and last of their dates (one row)."""
    early = paired.filter(paired.date < day)
    return early.aggregate(votes=early.count(), first=early.date.min(), last=early.date.max())


def _scores(paired: ibis.Table) -> ibis.Table:
    same = paired.vote_a == paired.vote_b
    one_abstains = (paired.vote_a == "abstain") != (paired.vote_b == "abstain")
    decisive = (paired.vote_a != "abstain") & (paired.vote_b != "abstain")
    return paired.mutate(
        identical=ibis.ifelse(same, 1, 0).cast("float64"),  # (PostgreSQL casts no boolean to a number, and reads 1.0 as
        # NUMERIC: integers cast to float64 keep every backend on doubles)
        agreement=ibis.cases((same, 2), (one_abstains, 1), else_=0).cast("float64") / 2.0,
        decisive=ibis.ifelse(decisive, 1, 0).cast("int64"),
        decisive_same=ibis.ifelse(decisive & same, 1, 0).cast("int64"),
        **{f"{side}_{v}": ibis.ifelse(paired[f"vote_{side}"] == v, 1, 0).cast("float64") for side in "ab" for v in CAST},
    )


def alignment(paired: ibis.Table, freq: str | None = "year", by: tuple[str, ...] = ()) -> ibis.Table:
    """Per period (or over the whole window when freq is None): votes compared and the four scores; `by`:
    columns to group by first (("a", "b") for `paired_votes_of_all`: one row per pair)."""
    scored = _scores(paired)
    keys = list(by)
    if freq is not None:
        scored = scored.mutate(period=scored.date.truncate(FREQUENCIES[freq]).cast("date"))
        keys.append("period")
    grouped = scored.group_by(keys) if keys else scored
    summary = grouped.aggregate(
        votes=_.count(), identical=_.identical.mean(), agreement=_.agreement.mean(),
        decisive=_.decisive.sum(), decisive_same=_.decisive_same.sum(),
        **{f"{side}_{v}": _[f"{side}_{v}"].mean() for side in "ab" for v in CAST},
    )
    chance = sum(summary[f"a_{v}"] * summary[f"b_{v}"] for v in CAST)
    result = summary.select(
        *keys, "votes", "identical", "agreement",
        coincidence=ibis.ifelse(summary.decisive > 0, summary.decisive_same / summary.decisive.cast("float64"),
                                ibis.null("float64")),
        kappa=ibis.ifelse(chance < 1.0, (summary.identical - chance) / (1.0 - chance), ibis.null("float64")),
    )
    return result.order_by(keys) if keys else result


def splits(paired: ibis.Table, baseline: ibis.Table | None = None) -> ibis.Table:
    """Decisions on which the two states voted differently, newest first, with that year's agreement."""
    split = paired.filter(paired.vote_a != paired.vote_b)
    split = split.mutate(period=split.date.truncate("Y").cast("date"))
    if baseline is not None:
        split = split.left_join(baseline.select("period", year_agreement=baseline.agreement), "period")
        split = split.drop("period_right") if "period_right" in split.columns else split
    columns = ["date", "decision_id", "symbol", "title", "kind", "outcome", "vote_a", "veto_a", "vote_b", "veto_b"]
    if baseline is not None:
        columns.append("year_agreement")
    return split.select(*columns).order_by(ibis.desc("date"))
