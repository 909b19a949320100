"""Evaluate signpost rules against the store: a status, the coverage behind it, the evidence rows with
sources, and a detail line.

Every leaf rule knows the sources it rests on (an event rule its datasets, a vote rule its body's
decisions, a document rule the documents of its issuers, an indicator rule the sources of its series) and
measures how much of its window they cover. A count that reaches its threshold is `seen` whatever the
coverage (more data can only add to it); otherwise a rule whose inputs cover less than `min_coverage` of
the window is `no_data`, naming what is missing, never `not_seen`. docs/signposts.md has the truth tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import ibis
import numpy as np

from weaklink.coverage import Span, Spans, covered_days, covered_fraction, intersect
from weaklink.indicators.exchanges import period_end, period_grid
from weaklink.messages import Day, Listing, Message
from weaklink.messages import message as _
from weaklink.signposts.rules import (
    AllRule,
    AnyRule,
    DocumentRule,
    EventRule,
    IndicatorRule,
    VoteRule,
)
from weaklink.text import analysis

EVIDENCE_LIMIT = 10
STRENGTH = {"not_seen": 0, "no_data": 1, "emerging": 2, "seen": 3}  # for `any`: a part without data might be seen


@dataclass
class Outcome:
    status: str
    detail: Message | str                                # English text; a Message carries its id for translation
    evidence: list[dict] = field(default_factory=list)
    coverage: float | None = None                        # share (0-1) of the window its inputs cover
    missing: list[dict] = field(default_factory=list)    # inputs not covering the whole window


class Context:
    """What every rule of one evaluation shares: the store's coverage (read once) and the threshold."""

    def __init__(self, wl, spans: Spans | None = None) -> None:
        self.spans = spans or Spans(wl)
        self.min_coverage = wl.watch.evaluation.min_coverage


def evaluate(wl, rule, since: date, until: date, ctx: Context | None = None) -> Outcome:
    """The rule's status in [since, until]; its `emerging` rule is tried when it is not seen."""
    ctx = ctx or Context(wl)
    outcome = EVALUATORS[rule.kind](wl, rule, since, until, ctx)
    if outcome.status == "seen" or rule.emerging is None:
        return outcome
    weaker = evaluate(wl, rule.emerging, since, until, ctx)
    coverage, missing = _pooled([outcome, weaker])
    if weaker.status == "seen":
        return Outcome("emerging", _("not yet: %(detail)s; but %(weaker)s", detail=outcome.detail,
                                     weaker=weaker.detail), weaker.evidence, coverage, missing)
    if outcome.status == "no_data":
        return Outcome("no_data", outcome.detail, outcome.evidence, coverage, missing)
    if weaker.status == "no_data":
        return Outcome("no_data", _("%(detail)s; whether it is emerging cannot be told: %(weaker)s",
                                    detail=outcome.detail, weaker=weaker.detail), outcome.evidence, coverage, missing)
    return Outcome(outcome.status, outcome.detail, outcome.evidence, coverage, missing)


# coverage ----------------------------------------------------------------------------------------
def inputs(wl, rule, spans: Spans) -> list[tuple[str, list[Span]]]:
    """The sources a leaf rule rests on, each with the spans the store covers."""
    if rule.kind == "event":
        return [(d, spans.get(d)) for d in rule.datasets]
    if rule.kind == "vote":
        return [(rule.body, spans.get(rule.body))]
    if rule.kind == "document" or rule.indicator == "document_mentions":
        suffix = ":" + ",".join(rule.doc_kinds) if rule.doc_kinds else ""
        return [(f"documents:{wl.iso3(i)}{suffix}", spans.documents(wl.iso3(i), rule.doc_kinds))
                for i in rule.issuers]
    sources = {"dyad_share": ["gdelt"], "dyad_goldstein": ["gdelt"], "exchanges": ["curated"],
               "vote_agreement": ["unga"], "cohesion": [*wl.watch.cohesion.datasets, "curated"]}[rule.indicator]
    return [(s, spans.get(s)) for s in sources]


def _measure(wl, rule, since: date, until: date, ctx: Context) -> tuple[float, list[dict]]:
    """The share of the window covered by the least covered of the rule's inputs (a rule that names several
    sources asked for all of them), and the inputs that do not cover all of it."""
    shares = [(name, covered_fraction(spans, since, until)) for name, spans in inputs(wl, rule, ctx.spans)]
    missing = [{"source": name, "coverage": round(share, 3)} for name, share in shares if share < 1]
    return min((share for _n, share in shares), default=0.0), missing


def _short(missing: list[dict], ctx: Context) -> Message:
    return _("%(sources)s of the window covered (%(needed)s needed)", needed=format(ctx.min_coverage, ".0%"),
             sources=Listing(", ", [f"{m['source']} {m['coverage']:.0%}" for m in missing]))


def _partial(coverage: float) -> Message | str:
    return _(" (its data cover %(share)s of the window)", share=format(coverage, ".0%")) if coverage < 1 else ""


def _judge(wl, rule, since, until, ctx, found: int, needed: int, what: Message, evidence: list) -> Outcome:
    """A count against its threshold, read against the coverage of the rule's inputs."""
    coverage, missing = _measure(wl, rule, since, until, ctx)
    detail = _("%(found)s %(what)s, %(needed)s needed", found=found, what=what, needed=needed)
    if found >= needed:
        return Outcome("seen", detail, evidence, coverage, missing)
    if coverage < ctx.min_coverage or coverage == 0:
        return Outcome("no_data", _("no data: %(short)s; %(detail)s", short=_short(missing, ctx), detail=detail),
                       evidence, coverage, missing)
    return Outcome("not_seen", _("%(detail)s%(partial)s", detail=detail, partial=_partial(coverage)), evidence,
                   coverage, missing)


def _pooled(parts: list[Outcome]) -> tuple[float | None, list[dict]]:
    """A combination's coverage is its least covered part's; its missing inputs are all of theirs."""
    covered = [p.coverage for p in parts if p.coverage is not None]
    missing = list({m["source"]: m for p in parts for m in p.missing}.values())
    return (min(covered) if covered else None), missing


# events ------------------------------------------------------------------------------------------
def _participants(wl, events: ibis.Table, actors: list[str], side: str) -> ibis.Value:
    """Whether any of `actors` takes part (side: any, source or target), for curated and media rows."""
    from weaklink.indicators.dyads import actor_country

    iso3 = [wl.iso3(a) for a in actors]
    codes = [c for a in actors for c in wl.actor_codes(a)]
    first, second = actor_country(events, "actor1"), actor_country(events, "actor2")
    curated_first = events.actors[0].isin(iso3)
    curated_rest = events.actors[1:].filter(lambda x: x.isin(iso3)).length() > 0
    is_curated = events.dataset == "curated"
    if side == "source":
        return ibis.ifelse(is_curated, curated_first, first.isin(codes))
    if side == "target":
        return ibis.ifelse(is_curated, curated_rest, second.isin(codes))
    return ibis.ifelse(is_curated, curated_first | curated_rest, first.isin(codes) | second.isin(codes))


def _event_rows(wl, rule: EventRule, since: date | None = None, until: date | None = None) -> ibis.Table:
    """The events matching the rule, in [since, until] when given."""
    events = wl.events()
    rows = events.filter(events.dataset.isin(rule.datasets))
    if since is not None and until is not None:
        rows = rows.filter(rows.event_date >= since, rows.event_date <= until)
    conditions = [_participants(wl, rows, [a], "any") for a in rule.actors_all]
    if rule.actors_any:
        conditions.append(_participants(wl, rows, rule.actors_any, "any"))
    if rule.source:
        conditions.append(_participants(wl, rows, rule.source, "source"))
    if rule.target:
        conditions.append(_participants(wl, rows, rule.target, "target"))
    if rule.cameo_codes:
        conditions.append(ibis.or_(*[rows.event_code.startswith(c) for c in rule.cameo_codes]))
    if rule.kinds:
        conditions.append(rows.kind.isin(rule.kinds))
    if rule.level:
        conditions.append(rows.level.isin(rule.level))
    if rule.confidence:
        conditions.append(rows.confidence.isin(rule.confidence))
    return rows.filter(*conditions) if conditions else rows


# An event rule's SQL, compiled once: compiling costs tens of milliseconds, and a replay evaluates every rule at the
# end of every period. The SQL depends only on the rule, the codes of its actors and the late-event rule.
_COMPILED: dict[tuple, tuple[str, str]] = {}
COMPILED_LIMIT = 512


def event_sql(wl, rule: EventRule) -> tuple[str, str]:
    actors = {a for names in (rule.actors_all, rule.actors_any, rule.source, rule.target) for a in names}
    key = (rule.model_dump_json(), wl.max_lag_days,
           tuple(sorted((a, wl.iso3(a), wl.actor_codes(a)) for a in actors)))
    if key not in _COMPILED:
        if len(_COMPILED) >= COMPILED_LIMIT:
            _COMPILED.clear()
        _COMPILED[key] = _event_sql(wl, rule)
    return _COMPILED[key]


def _event_sql(wl, rule: EventRule) -> tuple[str, str]:
    """DuckDB SQL of the rule's matching events (their dates) and of their evidence rows, over every date."""
    rows = _event_rows(wl, rule)
    evidence = rows.select(
        date=rows.event_date, dataset=rows.dataset, id=rows.record_id, kind=rows.kind, level=rows.level,
        actors=ibis.coalesce(rows.actors.join(";"), rows.actor1_code.concat("→", rows.actor2_code)),
        event_code=rows.event_code, description=rows.description,
        sources=ibis.coalesce(rows.sources.join(" "), rows.source_url))
    return tuple(str(ibis.to_sql(expr, dialect="duckdb", pretty=False)) for expr in (rows.select("event_date"), evidence))


def _event(wl, rule: EventRule, since: date, until: date, ctx: Context) -> Outcome:
    matching, evidence = event_sql(wl, rule)
    con, window = wl.store.con, [since, until]
    count = con.execute(f"SELECT count(*) FROM ({matching}) WHERE event_date BETWEEN ? AND ?", window).fetchall()[0][0]
    top = con.sql(f"SELECT * FROM ({evidence}) WHERE date BETWEEN ? AND ? ORDER BY date DESC, id "
                  f"LIMIT {EVIDENCE_LIMIT}", params=window).to_arrow_table().to_pylist()
    return _judge(wl, rule, since, until, ctx, count, rule.min_count, _("matching event(s)"), top)


# votes -------------------------------------------------------------------------------------------
def _vote(wl, rule: VoteRule, since: date, until: date, ctx: Context) -> Outcome:
    a, b = rule.states
    splits = wl.vote_splits(a, b, body=rule.body, issue=rule.issue, since=since, until=until).to_records()
    a3, b3 = wl.iso3(a), wl.iso3(b)
    if rule.veto_only:
        splits = [s for s in splits if s[f"veto_{a3}"] or s[f"veto_{b3}"]]
    evidence = [{"date": s["date"], "decision": s["decision_id"], "title": s["title"],
                 a3: s[f"vote_{a3}"] + (" (veto)" if s[f"veto_{a3}"] else ""),
                 b3: s[f"vote_{b3}"] + (" (veto)" if s[f"veto_{b3}"] else "")} for s in splits]
    return _judge(wl, rule, since, until, ctx, len(splits), rule.min_splits,
                  _("%(body)s split(s) between %(a)s and %(b)s", body=rule.body.upper(), a=a3, b=b3),
                  evidence[:EVIDENCE_LIMIT])


# documents ---------------------------------------------------------------------------------------
def _matching_documents(wl, rule, since: date, until: date) -> list[dict]:
    issuers = [wl.iso3(i) for i in rule.issuers]
    parties = [wl.iso3(p) for p in rule.parties]
    rows = wl.store.con.execute("""SELECT doc_id, date, title, source_url, kind, issuers, parties, text
        FROM documents WHERE list_has_any(issuers, ?) AND date BETWEEN ? AND ? ORDER BY date DESC""",
                                [issuers, since, until]).fetchall()
    found = []
    for doc_id, day, title, url, kind, _issuers, doc_parties, text in rows:
        if not set(parties) <= set(doc_parties or []) or (rule.doc_kinds and kind not in rule.doc_kinds):
            continue
        found.append({"doc_id": doc_id, "date": day, "title": title, "url": url, "text": text})
    return found


def _document(wl, rule: DocumentRule, since: date, until: date, ctx: Context) -> Outcome:
    lex, hits = analysis.lexicons(wl.watch), []
    target = wl.iso3(rule.mention) if rule.mention else None
    for doc in _matching_documents(wl, rule, since, until):
        mentioned, counted = analysis.profile(doc["text"], lex)
        names = mentioned.get(target, {}).get("count", 0) if target else 0
        terms = {t: n for t, n in counted.items() if t in rule.terms and n}
        if (not target or names >= rule.min_mentions) and (not rule.terms or terms):
            hits.append({k: v for k, v in doc.items() if k != "text"} | {"mentions": names, "terms": terms})
    return _judge(wl, rule, since, until, ctx, len(hits), rule.min_documents, _("matching document(s)"),
                  hits[:EVIDENCE_LIMIT])


# indicators --------------------------------------------------------------------------------------
def _series(wl, rule: IndicatorRule) -> list[tuple[date, float]]:
    if rule.indicator in ("dyad_share", "dyad_goldstein"):
        column = "share_per_10k" if rule.indicator == "dyad_share" else "goldstein_mean"
        rows = wl.dyads(*rule.actors, freq=rule.freq).to_records()
        return [(r["period"], r[column]) for r in rows if r[column] is not None]
    if rule.indicator == "exchanges":
        return [(r["period"], r["exchanges"]) for r in wl.exchanges(rule.actors, freq=rule.freq).to_records()]
    if rule.indicator == "cohesion":
        rows = wl.cohesion(rule.bloc or "axis", freq=rule.freq).to_records()
        return [(r["period"], r["cohesion"]) for r in rows if r.get("cohesion") is not None]
    if rule.indicator == "vote_agreement":
        rows = wl.vote_alignment(*rule.actors, freq="year").to_records()
        return [(r["period"], r["agreement"]) for r in rows]
    return _document_mentions(wl, rule)


def _document_mentions(wl, rule: IndicatorRule) -> list[tuple[date, float]]:
    lex, target, per = analysis.lexicons(wl.watch), wl.iso3(rule.mention), {}
    for doc in _matching_documents(wl, rule, date(1900, 1, 1), date(9999, 12, 31)):
        count = analysis.profile(doc["text"], lex)[0].get(target, {}).get("count", 0)
        per.setdefault(period_grid(doc["date"], doc["date"], rule.freq)[0], []).append(count)
    return sorted((p, float(np.mean(v))) for p, v in per.items())


COUNTS = ("exchanges",)  # indicators that count per period: scaled to a full period by its covered days


def _freq(rule: IndicatorRule) -> str:
    return "year" if rule.indicator == "vote_agreement" else rule.freq


def _scale(rule: IndicatorRule, period: date, end: date, covered: int) -> float:
    """What a period's value is multiplied by: a count is scaled to the whole period from its covered days."""
    return ((end - period).days + 1) / covered if rule.indicator in COUNTS else 1.0


def _weighted(rule: IndicatorRule, series, covered: list[Span], since: date, until: date) -> list[dict]:
    """The periods overlapping [since, until] that the data cover, each weighted by its covered days there.

    A count is scaled to a whole period by the days of that period the data cover (5 exchanges in the 73
    covered days of a year count as 25 a year), so a period the data only partly cover is not read as quiet.
    """
    freq, rows = _freq(rule), []
    for period, value in series:
        end = period_end(period, freq)
        weight = covered_days(covered, max(period, since), min(end, until))
        in_period = covered_days(covered, period, end)
        if value is None or weight == 0 or in_period == 0:
            continue
        rows.append({"period": period.isoformat(), "value": float(value) * _scale(rule, period, end, in_period),
                     "covered_days": weight})
    return rows


def _baseline(rule: IndicatorRule, series, covered: list[Span], min_coverage: float) -> list[float]:
    """Baseline values from the periods whose covered share reaches min_coverage (counts scaled likewise)."""
    if not (rule.baseline_since and rule.baseline_until):
        return []
    first, last, freq = date.fromisoformat(rule.baseline_since), date.fromisoformat(rule.baseline_until), _freq(rule)
    values = []
    for period, value in series:
        end = period_end(period, freq)
        if value is None or not first <= period <= last or covered_fraction(covered, period, end) < min_coverage:
            continue
        values.append(float(value) * _scale(rule, period, end, covered_days(covered, period, end)))
    return values


def _indicator(wl, rule: IndicatorRule, since: date, until: date, ctx: Context) -> Outcome:
    coverage, missing = _measure(wl, rule, since, until, ctx)
    covered = intersect(*(spans for _name, spans in inputs(wl, rule, ctx.spans)))
    if coverage < ctx.min_coverage or coverage == 0:
        return Outcome("no_data", _("no data for %(indicator)s: %(short)s", indicator=rule.indicator,
                                    short=_short(missing, ctx)), [], coverage, missing)
    series = _series(wl, rule)
    window = _weighted(rule, series, covered, since, until)
    if not window:
        return Outcome("no_data", _("no data: %(indicator)s has no value in the covered part of the window",
                                    indicator=rule.indicator), [], coverage, missing)
    mean = float(np.average([w["value"] for w in window], weights=[w["covered_days"] for w in window]))
    base = _baseline(rule, series, covered, ctx.min_coverage)
    b_mean = float(np.mean(base)) if base else None
    b_sd = float(np.std(base, ddof=1)) if len(base) > 1 else None
    evidence = [{"indicator": rule.indicator, "actors": rule.actors or [rule.bloc], "window_mean": round(mean, 4),
                 "baseline_mean": _round(b_mean), "baseline_sd": _round(b_sd), "periods": len(window),
                 "weights": {w["period"]: w["covered_days"] for w in window}}]
    if b_mean is None and (rule.sd is not None or rule.ratio is not None):
        return Outcome("no_data", _("no data: %(indicator)s has no covered baseline period between %(first)s and "
                                    "%(last)s", indicator=rule.indicator, first=Day(rule.baseline_since),
                                    last=Day(rule.baseline_until)), evidence, coverage,
                       missing + [{"source": f"baseline {rule.baseline_since} to {rule.baseline_until}",
                                   "coverage": 0.0}])
    holds, test = _test(rule, mean, b_mean, b_sd)
    return Outcome("seen" if holds else "not_seen",
                   _("%(indicator)s window mean %(mean)s; %(test)s%(partial)s", indicator=rule.indicator,
                     mean=format(mean, ".3g"), test=test, partial=_partial(coverage)), evidence, coverage, missing)


def _round(value):
    return None if value is None else round(value, 4)


def _test(rule: IndicatorRule, mean: float, b_mean, b_sd) -> tuple[bool, Message]:
    if rule.above is not None:
        return mean > rule.above, _("needs > %(value)s", value=rule.above)
    if rule.below is not None:
        return mean < rule.below, _("needs < %(value)s", value=rule.below)
    if b_mean is None:
        return False, _("no baseline value")
    if rule.ratio is not None:
        ok = mean >= rule.ratio * b_mean if b_mean > 0 else mean > 0
        return ok, _("needs >= %(ratio)s x baseline mean %(mean)s", ratio=rule.ratio, mean=format(b_mean, ".3g"))
    if not b_sd:
        return mean > b_mean, _("baseline has no spread; needs > baseline mean %(mean)s", mean=format(b_mean, ".3g"))
    z = (mean - b_mean) / b_sd
    z_text = f"{z:+.2f}"
    return z >= rule.sd, _("%(z)s baseline SDs, needs >= %(sd)s", z=z_text, sd=rule.sd)


# combinations ------------------------------------------------------------------------------------
def _all(wl, rule: AllRule, since: date, until: date, ctx: Context) -> Outcome:
    """Seen when every part is; emerging when some part is seen or emerging; else no data when some part has
    none (it might have been seen), else not seen."""
    parts = [evaluate(wl, r, since, until, ctx) for r in rule.rules]
    statuses = [p.status for p in parts]
    seen = statuses.count("seen")
    status = "seen" if seen == len(parts) else "emerging" if seen or "emerging" in statuses else \
        "no_data" if "no_data" in statuses else "not_seen"
    coverage, missing = _pooled(parts)
    return Outcome(status, _("%(seen)s of %(total)s parts seen: %(details)s", seen=seen, total=len(parts),
                             details=Listing("; ", [p.detail for p in parts])),
                   [e for p in parts for e in p.evidence][:EVIDENCE_LIMIT], coverage, missing)


def _any(wl, rule: AnyRule, since: date, until: date, ctx: Context) -> Outcome:
    """The best part's status: seen, then emerging, then no data (a part without data might have been
    seen), then not seen."""
    parts = [evaluate(wl, r, since, until, ctx) for r in rule.rules]
    best = max(parts, key=lambda p: STRENGTH[p.status])
    coverage, missing = _pooled(parts)
    return Outcome(best.status, Listing("; ", [p.detail for p in parts]),
                   [e for p in parts if p.status == best.status for e in p.evidence][:EVIDENCE_LIMIT], coverage,
                   missing)


EVALUATORS = {"event": _event, "vote": _vote, "document": _document, "indicator": _indicator, "all": _all,
              "any": _any}
