"""Ibis expressions that gather, for a bloc and a window, the counts the tie measures need.

Every table carries a `cluster` column: the unit the bootstrap resamples (docs/cohesion.md). GDELT
reports one real event many times, so a media event's cluster is the article it was coded from (its
source URL; the day and the two states when the URL is missing); a curated entry is its own cluster;
a vote belongs to its decision.
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from weaklink.indicators.dyads import FREQUENCIES, actor_country, in_window
from weaklink.indicators.exchanges import EXCHANGE_KINDS, curated

OTHER = "OTHER"
# Kinds in which no participant leads: the initiative is split evenly among them.
SYMMETRIC_KINDS = ("exercise", "patrol", "joint_statement", "treaty")
# Meetings of three or more (a trilateral summit): the order of the actors says nothing about who led.
MULTILATERAL_KINDS = ("summit", "meeting")
CAST = ("yes", "no", "abstain")


def code_table(codes: dict[str, str]) -> ibis.Table:
    """code -> member (or OTHER for any other state's code)."""
    return ibis.memtable(pa.table({"code": list(codes), "member": list(codes.values())}))


def _period(table: ibis.Table, freq: str | None, column: str = "event_date") -> ibis.Value:
    if freq is None:
        return ibis.literal(None, "date")
    return table[column].truncate(FREQUENCIES[freq]).cast("date")


def article_key(url: ibis.Value, day: ibis.Value, code1: ibis.Value, code2: ibis.Value) -> ibis.Value:
    """The article an event was reported in: its source URL, else `day CODE-CODE` (the day and the dyad)."""
    a, b = ibis.coalesce(code1, "?"), ibis.coalesce(code2, "?")
    fallback = "day " + day.cast("string") + " " + ibis.least(a, b) + "-" + ibis.greatest(a, b)
    return ibis.coalesce(url.nullif(""), fallback)


def media_cells(events: ibis.Table, codes: ibis.Table, since: date | None, until: date | None,
                freq: str | None = None, datasets: tuple[str, ...] = ("gdelt",)) -> ibis.Table:
    """Events initiated by members toward another state, per article:
    (period, cluster, src, tgt, quad_class, n, goldstein_sum)."""
    window = in_window(events, since, until, datasets, root_only=False)
    coded = window.select(src_code=actor_country(window, "actor1"), tgt_code=actor_country(window, "actor2"),
                          quad_class=window.quad_class, goldstein=ibis.coalesce(window.goldstein, 0.0),
                          period=_period(window, freq), day=window.event_date, url=window.source_url)
    sources = codes.filter(codes.member != OTHER).select(src_code=codes.code, src=codes.member)
    targets = codes.select(tgt_code=codes.code, tgt=codes.member)
    joined = coded.join(sources, "src_code").join(targets, "tgt_code")
    international = joined.filter(joined.src != joined.tgt, joined.quad_class.between(1, 4))
    keyed = international.mutate(cluster=article_key(international.url, international.day,
                                                     international.src_code, international.tgt_code))
    return keyed.group_by(["period", "cluster", "src", "tgt", "quad_class"]).aggregate(
        n=keyed.count(), goldstein_sum=keyed.goldstein.sum())


def _entries(events: ibis.Table, since: date | None, until: date | None, include_low: bool,
             kinds: tuple[str, ...] | None = None) -> ibis.Table:
    entries = curated(events, kinds=kinds, since=since, until=until)
    if not include_low:
        entries = entries.filter(entries.confidence.isnull() | (entries.confidence != "low"))
    return entries


def curated_cells(events: ibis.Table, members: list[str], since: date | None, until: date | None,
                  freq: str | None = None, include_low: bool = False) -> ibis.Table:
    """Curated entries by initiator and each other participant, per entry:
    (period, cluster, src, tgt, quad_class, n).

    The first actor is the initiator (n = 1 toward each other participant), except in symmetric
    kinds and meetings of three or more, where each ordered pair of participants gets n = 1/2.
    Low-confidence entries are left out unless `include_low`."""
    entries = _entries(events, since, until, include_low)
    symmetric = entries.kind.isin(SYMMETRIC_KINDS) | (
        entries.kind.isin(MULTILATERAL_KINDS) & (entries.actors.length() >= 3))
    first = entries.select("record_id", "quad_class", period=_period(entries, freq), symmetric=symmetric,
                           lead=entries.actors[0], src=entries.actors.unnest())
    second = entries.select("record_id", tgt=entries.actors.unnest())
    pairs = first.join(second, "record_id")
    pairs = pairs.filter(pairs.src != pairs.tgt, pairs.src.isin(members), pairs.symmetric | (pairs.src == pairs.lead))
    pairs = pairs.mutate(tgt=ibis.ifelse(pairs.tgt.isin(members), pairs.tgt, OTHER),
                         credit=ibis.ifelse(pairs.symmetric, 1, 2).cast("float64") / 2.0, cluster=pairs.record_id)
    return pairs.group_by(["period", "cluster", "src", "tgt", "quad_class"]).aggregate(n=pairs.credit.sum())


def exchange_totals(events: ibis.Table, members: list[str], since: date | None, until: date | None,
                    freq: str | None = None, include_low: bool = False) -> ibis.Table:
    """Curated exchanges (summits, meetings, visits, calls) per entry and unordered member pair:
    (period, cluster, a, b, n)."""
    entries = _entries(events, since, until, include_low, EXCHANGE_KINDS)
    first = entries.select("record_id", period=_period(entries, freq), a=entries.actors.unnest())
    second = entries.select("record_id", b=entries.actors.unnest())
    pairs = first.join(second, "record_id")
    pairs = pairs.filter(pairs.a < pairs.b, pairs.a.isin(members), pairs.b.isin(members))
    pairs = pairs.mutate(cluster=pairs.record_id)
    return pairs.group_by(["period", "cluster", "a", "b"]).aggregate(n=pairs.count())


def vote_pairs(votes: ibis.Table, decisions: ibis.Table, members: list[str], since: date | None,
               until: date | None, freq: str | None = None) -> ibis.Table:
    """Per UNGA or UNSC decision and member pair that both cast a vote on it (yes, no, abstain):
    (period, cluster, a, b, agreement), agreement as in indicators/votes.py (Lijphart: 1 same vote,
    1/2 when exactly one abstains, 0 opposed)."""
    cast = votes.filter(votes.state.isin(members), votes.vote.isin(list(CAST)))
    first = cast.select("body", "decision_id", a=cast.state, vote_a=cast.vote)
    second = cast.select("body", "decision_id", b=cast.state, vote_b=cast.vote)
    chosen = decisions
    if since is not None:
        chosen = chosen.filter(chosen.date >= since)
    if until is not None:
        chosen = chosen.filter(chosen.date <= until)
    pairs = first.join(second, ["body", "decision_id"])
    pairs = pairs.filter(pairs.a < pairs.b).join(chosen.select("body", "decision_id", "date"),
                                                 ["body", "decision_id"])
    same = pairs.vote_a == pairs.vote_b
    one_abstains = (pairs.vote_a == "abstain") != (pairs.vote_b == "abstain")
    return pairs.select(period=_period(pairs, freq, "date"), cluster=pairs.body + " " + pairs.decision_id,
                        a=pairs.a, b=pairs.b,
                        agreement=ibis.cases((same, 2), (one_abstains, 1), else_=0).cast("float64") / 2.0)
    # (integers cast to float64: PostgreSQL reads 1.0 as NUMERIC)
