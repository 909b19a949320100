"""Ibis expressions that gather, for a bloc and a window, the counts the tie measures need."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from weaklink.indicators.dyads import FREQUENCIES, actor_country, in_window
from weaklink.indicators.exchanges import EXCHANGE_KINDS, curated

OTHER = "OTHER"


def code_table(codes: dict[str, str]) -> ibis.Table:
    """code -> member (or OTHER for any other state's code)."""
    return ibis.memtable(pa.table({"code": list(codes), "member": list(codes.values())}))


def _period(table: ibis.Table, freq: str | None) -> ibis.Value:
    if freq is None:
        return ibis.literal(None, "date")
    return table.event_date.truncate(FREQUENCIES[freq]).cast("date")


def media_cells(events: ibis.Table, codes: ibis.Table, since: date | None, until: date | None,
                freq: str | None = None, datasets: tuple[str, ...] = ("gdelt",)) -> ibis.Table:
    """Events initiated by members toward another state: (period, src, tgt, quad_class, n, goldstein_mean)."""
    window = in_window(events, since, until, datasets, root_only=False)
    coded = window.select(src_code=actor_country(window, "actor1"), tgt_code=actor_country(window, "actor2"),
                          quad_class=window.quad_class, goldstein=window.goldstein, period=_period(window, freq))
    sources = codes.filter(codes.member != OTHER).select(src_code=codes.code, src=codes.member)
    targets = codes.select(tgt_code=codes.code, tgt=codes.member)
    joined = coded.join(sources, "src_code").join(targets, "tgt_code")
    international = joined.filter(joined.src != joined.tgt, joined.quad_class.between(1, 4))
    return international.group_by(["period", "src", "tgt", "quad_class"]).aggregate(
        n=international.count(), goldstein_mean=international.goldstein.mean())


def curated_cells(events: ibis.Table, members: list[str], since: date | None, until: date | None,
                  freq: str | None = None) -> ibis.Table:
    """Curated entries by initiator (first actor) and each other participant: (period, src, tgt, quad_class, n)."""
    entries = curated(events, since=since, until=until)
    pairs = entries.select("record_id", "quad_class", period=_period(entries, freq), src=entries.actors[0],
                           tgt=entries.actors.unnest())
    pairs = pairs.filter(pairs.src != pairs.tgt, pairs.src.isin(members))
    pairs = pairs.mutate(tgt=ibis.ifelse(pairs.tgt.isin(members), pairs.tgt, OTHER))
    return pairs.group_by(["period", "src", "tgt", "quad_class"]).aggregate(
        n=pairs.count(), goldstein_mean=ibis.literal(0.0))


def exchange_totals(events: ibis.Table, members: list[str], since: date | None, until: date | None,
                    freq: str | None = None) -> ibis.Table:
    """Curated exchanges (summits, meetings, visits, calls) per unordered member pair: (period, a, b, n)."""
    entries = curated(events, kinds=EXCHANGE_KINDS, since=since, until=until)
    first = entries.select("record_id", period=_period(entries, freq), a=entries.actors.unnest())
    second = entries.select("record_id", b=entries.actors.unnest())
    pairs = first.join(second, "record_id")
    pairs = pairs.filter(pairs.a < pairs.b, pairs.a.isin(members), pairs.b.isin(members))
    return pairs.group_by(["period", "a", "b"]).aggregate(n=pairs.count())
