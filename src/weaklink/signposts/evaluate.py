"""Evaluate signpost rules against the store: a status, the evidence rows with sources, and a detail line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import ibis
import numpy as np

from weaklink.indicators.exchanges import period_end, period_grid
from weaklink.signposts.rules import AllRule, AnyRule, DocumentRule, EventRule, IndicatorRule, VoteRule
from weaklink.text import analysis

EVIDENCE_LIMIT = 10


@dataclass
class Outcome:
    status: str
    detail: str
    evidence: list[dict] = field(default_factory=list)


def evaluate(wl, rule, since: date, until: date) -> Outcome:
    """The rule's status in [since, until]; its `emerging` rule is tried when it is not seen."""
    outcome = EVALUATORS[rule.kind](wl, rule, since, until)
    if outcome.status != "seen" and rule.emerging is not None:
        weaker = evaluate(wl, rule.emerging, since, until)
        if weaker.status == "seen":
            return Outcome("emerging", f"not yet: {outcome.detail}; but {weaker.detail}", weaker.evidence)
    return outcome


def _seen(count: int, needed: int) -> str:
    return "seen" if count >= needed else "not_seen"


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


def _event_rows(wl, rule: EventRule, since: date, until: date) -> ibis.Table:
    events = wl.store.table("events")
    rows = events.filter(events.dataset.isin(rule.datasets), events.event_date >= since, events.event_date <= until)
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


def _event(wl, rule: EventRule, since: date, until: date) -> Outcome:
    rows = _event_rows(wl, rule, since, until)
    count = rows.count().to_pyarrow().as_py()
    top = rows.order_by([ibis.desc("event_date"), "record_id"]).limit(EVIDENCE_LIMIT).select(
        date=rows.event_date, dataset=rows.dataset, id=rows.record_id, kind=rows.kind, level=rows.level,
        actors=ibis.coalesce(rows.actors.join(";"), rows.actor1_code.concat("→", rows.actor2_code)),
        event_code=rows.event_code, description=rows.description,
        sources=ibis.coalesce(rows.sources.join(" "), rows.source_url)).to_pyarrow().to_pylist()
    return Outcome(_seen(count, rule.min_count), f"{count} matching event(s), {rule.min_count} needed", top)


# votes -------------------------------------------------------------------------------------------
def _vote(wl, rule: VoteRule, since: date, until: date) -> Outcome:
    a, b = rule.states
    splits = wl.vote_splits(a, b, body=rule.body, issue=rule.issue, since=since, until=until).to_records()
    a3, b3 = wl.iso3(a), wl.iso3(b)
    if rule.veto_only:
        splits = [s for s in splits if s[f"veto_{a3}"] or s[f"veto_{b3}"]]
    evidence = [{"date": s["date"], "decision": s["decision_id"], "title": s["title"],
                 a3: s[f"vote_{a3}"] + (" (veto)" if s[f"veto_{a3}"] else ""),
                 b3: s[f"vote_{b3}"] + (" (veto)" if s[f"veto_{b3}"] else "")} for s in splits]
    return Outcome(_seen(len(splits), rule.min_splits),
                   f"{len(splits)} {rule.body.upper()} split(s) between {a3} and {b3}, {rule.min_splits} needed",
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


def _document(wl, rule: DocumentRule, since: date, until: date) -> Outcome:
    lex, hits = analysis.lexicons(wl.watch), []
    target = wl.iso3(rule.mention) if rule.mention else None
    for doc in _matching_documents(wl, rule, since, until):
        mentioned, counted = analysis.profile(doc["text"], lex)
        names = mentioned.get(target, {}).get("count", 0) if target else 0
        terms = {t: n for t, n in counted.items() if t in rule.terms and n}
        if (not target or names >= rule.min_mentions) and (not rule.terms or terms):
            hits.append({k: v for k, v in doc.items() if k != "text"} | {"mentions": names, "terms": terms})
    return Outcome(_seen(len(hits), rule.min_documents),
                   f"{len(hits)} matching document(s), {rule.min_documents} needed", hits[:EVIDENCE_LIMIT])


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


def _indicator(wl, rule: IndicatorRule, since: date, until: date) -> Outcome:
    series = _series(wl, rule)
    window = [v for p, v in series if p <= until and period_end(p, rule.freq) >= since]  # periods overlapping it
    if not window:
        return Outcome("not_seen", f"{rule.indicator}: no value in the window")
    mean = float(np.mean(window))
    base = [v for p, v in series if date.fromisoformat(rule.baseline_since or "1900-01-01") <= p
            <= date.fromisoformat(rule.baseline_until or "1900-01-01")]
    b_mean = float(np.mean(base)) if base else None
    b_sd = float(np.std(base, ddof=1)) if len(base) > 1 else None
    holds, test = _test(rule, mean, b_mean, b_sd)
    evidence = [{"indicator": rule.indicator, "actors": rule.actors or [rule.bloc], "window_mean": round(mean, 4),
                 "baseline_mean": _round(b_mean), "baseline_sd": _round(b_sd), "periods": len(window)}]
    return Outcome("seen" if holds else "not_seen", f"{rule.indicator} window mean {mean:.3g}; {test}", evidence)


def _round(value):
    return None if value is None else round(value, 4)


def _test(rule: IndicatorRule, mean: float, b_mean, b_sd) -> tuple[bool, str]:
    if rule.above is not None:
        return mean > rule.above, f"needs > {rule.above}"
    if rule.below is not None:
        return mean < rule.below, f"needs < {rule.below}"
    if b_mean is None:
        return False, "no baseline value"
    if rule.ratio is not None:
        ok = mean >= rule.ratio * b_mean if b_mean > 0 else mean > 0
        return ok, f"needs >= {rule.ratio} x baseline mean {b_mean:.3g}"
    if not b_sd:
        return mean > b_mean, f"baseline has no spread; needs > baseline mean {b_mean:.3g}"
    z = (mean - b_mean) / b_sd
    return z >= rule.sd, f"{z:+.2f} baseline SDs, needs >= {rule.sd}"


# combinations ------------------------------------------------------------------------------------
def _all(wl, rule: AllRule, since: date, until: date) -> Outcome:
    parts = [evaluate(wl, r, since, until) for r in rule.rules]
    seen = sum(p.status == "seen" for p in parts)
    status = "seen" if seen == len(parts) else "emerging" if seen or any(p.status == "emerging" for p in parts) \
        else "not_seen"
    return Outcome(status, f"{seen} of {len(parts)} parts seen: " + "; ".join(p.detail for p in parts),
                   [e for p in parts for e in p.evidence][:EVIDENCE_LIMIT])


def _any(wl, rule: AnyRule, since: date, until: date) -> Outcome:
    parts = [evaluate(wl, r, since, until) for r in rule.rules]
    best = max(parts, key=lambda p: ("not_seen", "emerging", "seen").index(p.status))
    return Outcome(best.status, "; ".join(p.detail for p in parts),
                   [e for p in parts if p.status == best.status for e in p.evidence][:EVIDENCE_LIMIT])


EVALUATORS = {"event": _event, "vote": _vote, "document": _document, "indicator": _indicator, "all": _all,
              "any": _any}
