"""Dyadic event series: what two actors did to each other, period by period.

An actor's country on an event is its CAMEO country code (Actor1CountryCode), or, when GDELT
left that empty, the first three letters of its actor code (`CHNGOV` -> `CHN`). A prefix that is
not a country code (`GOV`, `IGO`) matches no state, so it never counts.
"""

from __future__ import annotations

from datetime import date

import ibis
from ibis import _

from weaklink.errors import InvalidArgument

FREQUENCIES = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
QUAD_COLUMNS = {1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict"}
COLUMNS = ["period", "events", *QUAD_COLUMNS.values(), "goldstein_sum", "goldstein_mean", "mentions",
           "share_per_10k"]


@ibis.udf.scalar.builtin
def left(text: str, count: int) -> str:
    """The first `count` characters: `left` is built into DuckDB, PostgreSQL and Spark SQL alike."""


def parse_datasets(dataset: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Media event datasets named as "icews", "gdelt,icews" or a list; each must be one weaklink ingests."""
    from weaklink.signposts.rules import MEDIA_DATASETS

    names = dataset.split(",") if isinstance(dataset, str) else list(dataset)
    found = tuple(dict.fromkeys(n.strip().lower() for n in names if n and n.strip()))
    unknown = [n for n in found if n not in MEDIA_DATASETS]
    if unknown or not found:
        raise InvalidArgument(f"unknown event dataset {', '.join(unknown) or repr(dataset)}: use "
                              f"{', '.join(MEDIA_DATASETS)}, or several joined by commas (gdelt,icews)")
    return found


# The country of actor1 and actor2 as SQL: the country field, else the actor code's prefix. Ingest stores them as
# `country1` and `country2` (store migration 9), so that indicators read one column instead of computing this.
COUNTRY_SQL = {f"country{n}": f"coalesce(actor{n}_country, left(actor{n}_code, 3))" for n in (1, 2)}


def actor_country(events: ibis.Table, side: str) -> ibis.Value:
    """The country of actor1 or actor2 (see COUNTRY_SQL): the stored column where the table has it."""
    stored = "country" + side.removeprefix("actor")
    if stored in events.columns:
        return events[stored]
    return ibis.coalesce(events[f"{side}_country"], left(events[f"{side}_code"], 3))


def period_of(events: ibis.Table, freq: str) -> ibis.Value:
    if freq not in FREQUENCIES:
        raise InvalidArgument(f"unknown frequency {freq!r}: use one of {', '.join(FREQUENCIES)}")
    return events.event_date.truncate(FREQUENCIES[freq]).cast("date")


def in_window(events: ibis.Table, since: date | None, until: date | None,
              datasets: tuple[str, ...], root_only: bool) -> ibis.Table:
    """Events of the chosen datasets inside [since, until], optionally root events only."""
    conditions = [events.dataset.isin(list(datasets))]
    if since is not None:
        conditions.append(events.event_date >= since)
    if until is not None:
        conditions.append(events.event_date <= until)
    if root_only:
        conditions.append(events.is_root)
    return events.filter(*conditions)


Codes = tuple[str, ...]


def dyad_filter(events: ibis.Table, a: Codes, b: Codes, directed: bool) -> ibis.Value:
    """Events from a to b (and b to a unless directed); each actor may have several codes."""
    source, target = actor_country(events, "actor1"), actor_country(events, "actor2")
    forward = source.isin(list(a)) & target.isin(list(b))
    return forward if directed else forward | (source.isin(list(b)) & target.isin(list(a)))


def dyad_series(events: ibis.Table, a: Codes, b: Codes, *, freq: str = "month", since: date | None = None,
                until: date | None = None, directed: bool = False, root_only: bool = False,
                datasets: tuple[str, ...] = ("gdelt",), counted: ibis.Table | None = None) -> ibis.Table:
    """Per period: dyad event counts by quad class, Goldstein, mentions, and share of all events.

    `a` and `b` are the codes each actor has in the events table: its CAMEO country code, and
    its ISO3 code where that differs (GDELT 2.0 writes Romania's actor codes as `ROU`, not `ROM`).
    `share_per_10k` divides the dyad's events by all events of that period (same datasets and filters), because
    GDELT's volume grows over time. Those come from `counted` when given: event counts per day (columns dataset,
    event_date, date_added, is_root, events; the store's `event_days`, with the `event_totals` an ingest with
    `keep="watched"` counted instead of storing, so the share is a full store's); else from `events` itself.
    """
    window = in_window(events, since, until, datasets, root_only)
    window = window.select("quad_class", "goldstein", "num_mentions", period=period_of(window, freq),
                           country1=actor_country(window, "actor1"), country2=actor_country(window, "actor2"))
    if counted is None:
        totals = window.group_by("period").aggregate(all_events=_.count())
    else:
        counted = in_window(counted, since, until, datasets, root_only)
        totals = counted.group_by(period=period_of(counted, freq)).aggregate(all_events=counted.events.sum())
    dyad = window.filter(dyad_filter(window, a, b, directed)).group_by("period").aggregate(
        events=_.count(),
        **{name: (_.quad_class == code).sum() for code, name in QUAD_COLUMNS.items()},
        goldstein_sum=_.goldstein.sum(),
        goldstein_mean=_.goldstein.mean(),
        mentions=_.num_mentions.sum(),
    )
    joined = totals.left_join(dyad, "period")
    zero_filled = {name: ibis.coalesce(joined[name], 0) for name in
                   ["events", *QUAD_COLUMNS.values(), "goldstein_sum", "mentions"]}
    return joined.select(
        period=joined.period,
        **{name: zero_filled[name] for name in ["events", *QUAD_COLUMNS.values()]},
        goldstein_sum=zero_filled["goldstein_sum"].round(6),
        goldstein_mean=joined.goldstein_mean.round(6),
        mentions=zero_filled["mentions"],
        share_per_10k=zero_filled["events"] * 10000.0 / joined.all_events,
    ).order_by("period")
