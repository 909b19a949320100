"""Everything a briefing shows, as plain data computed through the API. Renderers add no numbers."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import PurePath

from weaklink.cohesion import default_window
from weaklink.coverage import Spans, covered_days, covered_fraction
from weaklink.report import figures, watchtext
from weaklink.report.i18n import SOURCE_LANGUAGE, _, day, language, using
from weaklink.report.words import localize, status_word
from weaklink.signposts import board as signpost_board

CITATIONS = {
    "gdelt": "Leetaru, Kalev and Philip A. Schrodt (2013). GDELT: Global Data on Events, Location and Tone, "
             "1979-2012. ISA Annual Convention. The GDELT Project, https://www.gdeltproject.org/.",
    "curated": "weaklink curated timeline of the China-DPRK-Russia relationship and the ROK-US-Japan side "
               "(each entry with its own sources, listed in the tables).",
    "unga": "Voeten, Erik, Anton Strezhnev and Michael Bailey (2009). United Nations General Assembly Voting Data. "
            "Harvard Dataverse, hdl:1902.1/12379.",
    "unsc": "weaklink table of UN Security Council decisions on the DPRK (sources per decision); UN Security "
            "Council veto list, The World Politics Data Lab (2022).",
    "documents": "Statements and documents ingested by the analyst (sources per document).",
}


def _fact(facts: list[dict], value, source: str, fmt: str = "{:.2f}") -> str:
    """Record a number used in the text with the API value it came from; return it formatted."""
    text = fmt.format(value)
    facts.append({"text": text, "value": value, "source": source})
    return text


def _day_fact(facts: list[dict], value: str, source: str) -> str:
    """Record a date used in the text (ISO value) and return it written for the reader's language."""
    text = day(value)
    facts.append({"text": text, "value": value, "source": source})
    return text


def _media_span(wl, spans: Spans, windows: list[tuple[date, date]], facts: list[dict]) -> str:
    """' (media-coded events: gdelt covers 7 of the 365 days of the earlier window and 19 of the 365 of this
    one, the last on 2025-02-10)': what a media-based sentence rests on, every number recorded as a fact."""
    clauses = []
    for dataset in wl.watch.cohesion.datasets:
        counted = {}
        for n, (since, until) in enumerate(windows):
            key = f"{since.isoformat()}.{until.isoformat()}"
            counted[f"days{n}"] = _fact(facts, covered_days(spans.get(dataset), since, until),
                                        f"coverage.{dataset}.{key}", "{}")
            counted[f"total{n}"] = _fact(facts, (until - since).days + 1, f"coverage.days.{key}", "{}")
        text = (_("%(dataset)s covers %(days0)s of the %(total0)s days of the earlier window and %(days1)s of the "
                  "%(total1)s of this one", dataset=dataset, **counted) if len(windows) > 1 else
                _("%(dataset)s covers %(days0)s of the %(total0)s days of the window", dataset=dataset, **counted))
        if spans.get(dataset):
            last = spans.get(dataset)[-1][1].isoformat()
            text += _(", the last on %(day)s", day=_day_fact(facts, last, f"coverage.{dataset}.until"))
        clauses.append(text)
    return " " + _("(media-coded events: %(clauses)s)", clauses="; ".join(clauses)) if clauses else ""


def _cohesion_sentence(wl, bloc: str, since: date, until: date, spans: Spans, facts: list[dict],
                       label: str) -> tuple[str, dict]:
    """The cohesion trend against the previous period; `label` names the bloc in the text (its id in English)."""
    before = (since - timedelta(days=(until - since).days + 1), since - timedelta(days=1))
    moved = wl.attribution(bloc, before, (since, until))
    old, new = moved["cohesion"]
    media = _media_span(wl, spans, [before, (since, until)], facts)
    if old is None or new is None:
        return _("The %(bloc)s bloc's cohesion cannot be compared with the previous period: too little data",
                 bloc=label) + media + ".", moved
    direction = "tightened" if new > old + 0.02 else "loosened" if new < old - 0.02 else "steady"
    if direction != "steady" and _thin_media(wl, spans, [before, (since, until)]):
        direction = "thin-" + direction
    values = {"bloc": label, "old": _fact(facts, old, "attribution.cohesion[0]"),
              "new": _fact(facts, new, "attribution.cohesion[1]")}
    text = _cohesion_moves(direction, values)
    top = max(moved["dyads"], key=lambda d: abs(d["change"] or 0))
    if top["change"]:
        change = _fact(facts, top["change"], f"attribution.dyads.{top['dyad']}.change", "{:+.2f}")
        text += _(", moved most by %(dyad)s (%(change)s)", dyad=top["dyad"], change=change)
    return text + media + ".", moved


def _cohesion_moves(direction: str, values: dict) -> str:
    """The cohesion clause for each direction, a whole message each so that a language can order its words."""
    if direction == "tightened":
        return _("The %(bloc)s bloc tightened: cohesion %(old)s → %(new)s against the previous period of equal "
                 "length", **values)
    if direction == "loosened":
        return _("The %(bloc)s bloc loosened: cohesion %(old)s → %(new)s against the previous period of equal "
                 "length", **values)
    if direction == "thin-tightened":
        return _("The %(bloc)s bloc may have tightened, but the media data are too thin to be sure: cohesion "
                 "%(old)s → %(new)s against the previous period of equal length", **values)
    if direction == "thin-loosened":
        return _("The %(bloc)s bloc may have loosened, but the media data are too thin to be sure: cohesion "
                 "%(old)s → %(new)s against the previous period of equal length", **values)
    return _("The %(bloc)s bloc held steady: cohesion %(old)s → %(new)s against the previous period of equal "
             "length", **values)


def _thin_media(wl, spans: Spans, windows: list[tuple[date, date]]) -> bool:
    """Whether a media dataset covers less than `[evaluation] min_coverage` of any of the windows."""
    need = wl.watch.evaluation.min_coverage
    return any(covered_fraction(spans.get(d), since, until) < need
               for d in wl.watch.cohesion.datasets for since, until in windows)


def _centrality(weak: dict, central: str, facts: list[dict]) -> str:
    """' (weighted degree 1.41: its ties CHN-RUS 0.69, interval 0.53-0.79; ...)': the intervals behind it."""
    member = next(m for m in weak["members"] if m["actor"] == central)
    degree = _fact(facts, member["centrality"], f"weakest.members.{central}.centrality")
    ties = []
    for d in (d for d in weak["components"] if central in d["dyad"].split("-") and d["tie_strength"] is not None):
        key = f"weakest.components.{d['dyad']}"
        strength = _fact(facts, d["tie_strength"], key + ".tie_strength")
        if d.get("low") is not None and d.get("high") is not None:
            ties.append(_("%(dyad)s %(strength)s, interval %(low)s–%(high)s", dyad=d["dyad"], strength=strength,
                          low=_fact(facts, d["low"], key + ".low"), high=_fact(facts, d["high"], key + ".high")))
        else:
            ties.append(_("%(dyad)s %(strength)s, no interval", dyad=d["dyad"], strength=strength))
    if ties:
        return " " + _("(weighted degree %(degree)s: its ties %(ties)s)", degree=degree, ties="; ".join(ties))
    return " " + _("(weighted degree %(degree)s)", degree=degree)


def _weakest_sentence(wl, weak: dict, spans: Spans, facts: list[dict]) -> str:
    window = (date.fromisoformat(weak["window"]["since"]), date.fromisoformat(weak["window"]["until"]))
    media = _media_span(wl, spans, [window], facts)
    level = _fact(facts, round(weak["method"]["level"] * 100), "weakest.method.level", "{}")
    members = {m["actor"]: m for m in weak["members"]}
    lowest = weak["lowest"]
    if lowest is None:
        return _("No member's commitment could be measured in this window") + media + "."
    m, key = members[lowest], f"weakest.members.{lowest}"
    interval = _("%(value)s (%(level)s%% interval %(low)s–%(high)s)",
                 value=_fact(facts, m["commitment"], key + ".commitment"), level=level,
                 low=_fact(facts, m["low"], key + ".low"), high=_fact(facts, m["high"], key + ".high"))
    if weak["weakest"]:
        text = _("%(member)s is the weakest link: its commitment, %(interval)s, lies below every other member's",
                 member=lowest, interval=interval)
    else:
        text = _("No member is clearly the weakest: %(member)s has the lowest commitment, %(interval)s, but its "
                 "interval overlaps another member's", member=lowest, interval=interval)
    central = weak["most_central"]
    if central == lowest:
        text += _("; %(member)s is also the bloc's most central member", member=central) + _centrality(
            weak, central, facts)
    elif central:
        text += _("; the most central member is %(member)s", member=central) + _centrality(weak, central, facts)
    return text + media + "."


def legend() -> list[str]:
    """One line per scale the briefing uses: what its numbers mean."""
    return [
        _("Cohesion (0 to 1): the mean tie strength of the bloc's pairs; 1 means every pair cooperates fully, "
          "0 means no cooperative tie at all."),
        _("Commitment (0 to 1): how much a member puts into its ties against what it gets back; 0.5 means give "
          "and take are even, below 0.5 means it puts in less than it gets back. The 95%% interval is the range "
          "the value would likely fall in with other samples of the same news and events."),
        _("Tie strength (0 to 1): how close two members are, from their events, high-level exchanges, votes and "
          "words; weighted degree (centrality) adds up a member's tie strengths."),
        _("Signposts: seen (the watched development happened), emerging (first signs), not seen (the data cover "
          "the period and show nothing), without data (the sources do not cover the period: no conclusion either "
          "way)."),
        _("Hypotheses: inconsistency counts how much of the evidence contradicts each (0 = nothing contradicts "
          "it; lower is better); the posterior (0 to 1, summing to 1) is a Bayesian reading of the same "
          "evidence."),
    ]


STATUSES = ("seen", "emerging", "not_seen", "no_data")


def _signpost_name(signpost: dict) -> str:
    """A signpost as the reader knows it: its id in English, its question in another language (ids are English)."""
    if language() == SOURCE_LANGUAGE:
        return signpost["id"].replace("-", " ")
    return _("“%(question)s”", question=signpost["question"])


def _signpost_sentence(changed: list[dict], board: list[dict], facts: list[dict]) -> str:
    counts = {s: sum(p["status"] == s for p in board) for s in STATUSES}
    tally = ", ".join(_("%(count)s %(status)s", count=_fact(facts, n, f"signposts.{s}", "{}"), status=status_word(s))
                      for s, n in counts.items())
    total = _fact(facts, len(board), "signposts.total", "{}")
    if not changed:
        return _("No signpost changed status in the period; of %(total)s signposts, %(tally)s.", total=total,
                 tally=tally)
    moves = ", ".join(f"{_signpost_name(s)} → {status_word(s['status'])}" for s in changed[:4])
    number = _fact(facts, len(changed), "signposts.changed", "{}")
    return _("%(number)s signpost(s) changed status (%(moves)s); of %(total)s signposts, %(tally)s.", number=number,
             moves=moves, total=total, tally=tally)


def _ach_lead(leaders: list[dict], others: list[dict], facts: list[dict]) -> str:
    """The least contradicted hypothesis (or the tie), and the runner-up for comparison."""
    lead, key = leaders[0], f"ach.hypotheses.{leaders[0]['id']}"
    inconsistency = _fact(facts, lead["inconsistency"], key + ".inconsistency")
    if len(leaders) > 1:
        names = _(" and ").join(_("%(id)s (%(title)s)", id=h["id"], title=h["title"]) for h in leaders)
        text = _("The evidence contradicts %(names)s equally least: inconsistency %(inconsistency)s each, a tie",
                 names=names, inconsistency=inconsistency)
    else:
        text = _("The evidence contradicts %(id)s (%(title)s) least: inconsistency %(inconsistency)s, posterior "
                 "%(posterior)s", id=lead["id"], title=lead["title"], inconsistency=inconsistency,
                 posterior=_fact(facts, lead["posterior"], key + ".posterior"))
    if others:
        other = _fact(facts, others[0]["inconsistency"], f"ach.hypotheses.{others[0]['id']}.inconsistency")
        text += _(", against %(value)s for %(id)s (%(title)s)", value=other, id=others[0]["id"],
                  title=others[0]["title"])
    return text


def _ach_sensitivity(matrix: dict, facts: list[dict], board: list[dict]) -> str:
    sensitivity = matrix["sensitivity"]
    if any(s["leader_changes"] for s in sensitivity["evidence"]):
        text = _("; the ranking is fragile: a single evidence item could change the leaders")
    else:
        text = _("; the ranking is robust to any single evidence item")
    smallest = sensitivity["smallest_change"]
    if smallest["size"]:
        moved = sorted({c["signpost"] for found in smallest["sets"] for c in found["changes"]})
        questions = {s["id"]: s for s in board}
        text += _("; a change in the status of %(size)s signpost(s) would change the leaders (%(named)s)",
                  size=_fact(facts, smallest["size"], "ach.sensitivity.smallest_change.size", "{}"),
                  named=", ".join(_signpost_name(questions.get(m, {"id": m, "question": m})) for m in moved[:4]))
    return text


def _ach_excluded(matrix: dict, facts: list[dict]) -> str:
    late = [e["id"] for e in matrix["excluded"] if e["reason"].startswith("counts from")]
    unmeasured = [e["id"] for e in matrix["excluded"] if e["id"] not in late]
    text = ""
    if unmeasured:
        text += ". " + _("%(number)s evidence item(s) are left out because their signposts have no data (%(ids)s)",
                         number=_fact(facts, len(unmeasured), "ach.excluded.no_data", "{}"), ids=", ".join(unmeasured))
    if late:
        text += ". " + _("%(number)s item(s) date from after %(day)s and do not count yet (%(ids)s)",
                         number=_fact(facts, len(late), "ach.excluded.later", "{}"),
                         day=_day_fact(facts, matrix["as_of"], "ach.as_of"), ids=", ".join(late))
    return text


def _ach_sentence(matrix: dict, facts: list[dict], board: list[dict]) -> str:
    ranked = sorted(matrix["hypotheses"], key=lambda h: h["rank"])
    if not ranked:
        return _("No hypotheses are declared in the watch file.")
    leaders = [h for h in ranked if h["id"] in matrix["leaders"]]
    others = [h for h in ranked if h["id"] not in matrix["leaders"]]
    return (_ach_lead(leaders, others, facts) + _ach_sensitivity(matrix, facts, board) + _ach_excluded(matrix, facts)
            + ".")


def brief_data(wl, bloc: str = "axis", since: date | None = None, until: date | None = None,
               lang: str = "en") -> dict:
    """The briefing's content for one bloc and window, which ends (by default) on the last day the data cover;
    everything in it is evaluated as of that day, the briefing's `as_of`. Its words are in `lang` (English by
    default; any language with a catalogue, see `i18n.available()`)."""
    with using(lang):
        return _brief_data(wl, bloc, since, until, lang)


def _brief_data(wl, bloc: str, since: date | None, until: date | None, lang: str) -> dict:
    since, until = default_window(wl, since, until)
    spans, text = Spans(wl), watchtext.WatchText(wl.watch, lang)
    before = {s["id"]: s["status"] for s in wl.signposts(as_of=since - timedelta(days=1))}
    # the replay's last board is the board as of `until` (the same evaluation `wl.signposts(as_of=until)` and
    # `wl.ach(as_of=until)` would repeat), so the signposts are evaluated once per quarter and no more
    evaluated = wl.replay_signposts(since, until, "quarter")
    board = text.board(evaluated)
    changed = [s for s in board if s["status"] != before.get(s["id"])]
    weak, matrix = wl.weakest(bloc, since, until), text.matrix(signpost_board.ach_matrix(
        wl, evaluated, date.fromisoformat(evaluated[0]["as_of"]) if evaluated else until))
    label = bloc if lang == "en" else text.bloc(bloc, wl.watch.bloc(bloc).name or bloc)
    if lang != "en":
        weak = {**weak, "summary": weakest_summary(weak), "label": label,
                "components": [{**d, "missing": {c: localize(why) for c, why in d["missing"].items()}}
                               for d in weak["components"]]}
    alerts = [a for a in wl.alerts(freq="month", until=until) if since.isoformat() <= a["period"] <= until.isoformat()]
    facts: list[dict] = []
    cohesion_text, moved = _cohesion_sentence(wl, bloc, since, until, spans, facts, label)
    bluf = [cohesion_text, _weakest_sentence(wl, weak, spans, facts), _signpost_sentence(changed, board, facts),
            _ach_sentence(matrix, facts, board)]
    members = wl.watch.bloc(bloc).members
    data = {
        "lang": lang, "legend": legend(), "implications": implications(wl, board, text),
        "statements": {h.id: text.hypothesis(h.id, h.statement, "statement") for h in wl.watch.hypotheses},
        "title": _("%(bloc)s: situation %(since)s to %(until)s, as of %(as_of)s",
                   bloc=text.bloc(bloc, wl.watch.bloc(bloc).name or bloc), since=day(since), until=day(until),
                   as_of=day(until)),
        "bloc": bloc, "bloc_label": label, "as_of": until.isoformat(), "window": {"since": since.isoformat(), "until": until.isoformat()},
        "bluf": bluf, "facts": facts, "weakest": weak, "attribution": moved, "signposts": _localized(board),
        "changed": changed, "ach": _localized_matrix(matrix), "alerts": _localized(alerts[:12]),
        "coverage": wl.coverage(),
        "timeline": wl.timeline(members, since=since, until=until).to_records()
                    or wl.timeline(since=since, until=until).to_records()[:40],
        "figures": figures.all_figures(wl, bloc, members, since, until, weak, alerts, spans),
        "sources": sources(wl), "generated": date.today().isoformat(),
    }
    return {**data, "untranslated": sorted(text.fallbacks)}


GENERATED = ("detail", "basis", "reason", "explanation", "held_back")   # the sentences the analysis writes


def _localized(records: list[dict]) -> list[dict]:
    """Copies of the records with their generated sentences in the briefing's language (weaklink.messages)."""
    return [{**r, **{k: localize(r[k]) for k in GENERATED if k in r}} for r in records]


def _localized_matrix(matrix: dict) -> dict:
    sensitivity = matrix["sensitivity"]
    moved = [{**s, "changes": [{**c, "change": localize(c["change"])} for c in s["changes"]]}
             for s in sensitivity["evidence"]]
    return {**matrix, "evidence": _localized(matrix["evidence"]), "excluded": _localized(matrix["excluded"]),
            "sensitivity": {**sensitivity, "evidence": moved}}


def weakest_summary(weak: dict) -> str:
    """The weakest-link summary in the briefing's language, from the same numbers as the API's English one."""
    members = {m["actor"]: m for m in weak["members"]}
    lowest = weak["lowest"]
    if lowest is None:
        return _("No member's commitment can be measured in this window: no events or curated entries among them.")
    m = members[lowest]
    text = _("%(member)s has the lowest commitment (%(value).2f, interval %(low).2f–%(high).2f).", member=lowest,
             value=m["commitment"], low=m["low"], high=m["high"])
    if weak["weakest"]:
        text += " " + _("Its interval lies below every other member's: %(member)s is the weakest link.", member=lowest)
    else:
        text += " " + _("Its interval overlaps another member's: no member is clearly the weakest.")
    if weak["most_central"]:
        text += " " + _("The most central member (weighted degree) is %(member)s.", member=weak["most_central"])
        if weak["weakest"] and weak["most_central"] == weak["weakest"]:
            text += " " + _("It is both the most central and the least committed member.")
    elif len(weak.get("central_tie") or []) > 1:
        text += " " + _("%(members)s are equally central (weighted degree).",
                        members=_(" and ").join(weak["central_tie"]))
    clusters = weak["clusters"]
    text += " " + _("Intervals resample %(articles)s news articles, %(curated)s curated entries and %(votes)s vote "
                    "decisions.", articles=clusters["media_articles"], curated=clusters["curated_entries"],
                    votes=clusters["vote_decisions"])
    thin = [_("%(source)s %(days)s of its %(total)s days (last %(last)s)", source=c["source"], days=c["days_covered"],
              total=c["days"], last=day(c["last"])) if c["last"] else _("no %(source)s data", source=c["source"])
            for c in weak.get("coverage", []) if c["fraction"] < 1]
    if thin:
        text += " " + _("Data cover only part of the window: %(sources)s.", sources="; ".join(thin))
    return text


def relative_names(paths: list[str]) -> dict[str, str]:
    """Each ingested file's name relative to the folder all of them were ingested from (never a full local
    path): the path below their common folder, or the bare file name when they share no deeper folder."""
    parents = [str(PurePath(p).parent) for p in paths if p]
    try:
        common = PurePath(os.path.commonpath(parents)) if parents else None
    except ValueError:
        common = None
    deep = common is not None and common.is_absolute() and len(common.parts) >= 3
    return {p: (str(PurePath(p).relative_to(common)) if deep and PurePath(p).is_relative_to(common)
                else PurePath(p or "").name) for p in paths}


def implications(wl, board: list[dict], text: watchtext.WatchText | None = None) -> dict:
    """The watch file's implications per scenario, split into the scenarios whose signposts are seen or
    emerging (triggered) and the rest, with the signposts behind each."""
    text = text or watchtext.WatchText(wl.watch, "en")
    status = {s["id"]: s["status"] for s in board}
    triggered, quiet = [], []
    for scenario in wl.watch.scenarios:
        moved = [{"id": i, "question": next((s["question"] for s in board if s["id"] == i), i),
                  "status": status_word(status[i])} for i in scenario.signposts if status.get(i) in ("seen", "emerging")]
        entry = {"id": scenario.id, "title": text.scenario(scenario.id, scenario.title),
                 "implications": list(text.scenario(scenario.id, scenario.implications, "implications")),
                 "signposts": moved, "measured": sum(status.get(i) not in (None, "no_data") for i in scenario.signposts),
                 "total": len(scenario.signposts)}
        (triggered if moved else quiet).append(entry)
    return {"triggered": triggered, "quiet": quiet}


def sources(wl) -> dict:
    """Files behind the store (with sha256 and ingest date), each dataset's vintage, and citations."""
    con = wl.store.con
    files = con.execute("""SELECT dataset, path, sha256, rows_stored, CAST(finished_at AS DATE) FROM provenance
        ORDER BY dataset, path""").fetchall()
    vintage = con.execute("""
        SELECT dataset, min(event_date), max(event_date), count(*) FROM events GROUP BY dataset
        UNION ALL SELECT body, min(date), max(date), count(*) FROM decisions GROUP BY body
        UNION ALL SELECT 'documents', min(date), max(date), count(*) FROM documents HAVING count(*) > 0
        ORDER BY 1""").fetchall()
    names = relative_names([p for _, p, _, _, _ in files])
    return {"files": [{"dataset": d, "path": p, "file": names[p], "sha256": s, "short": (s or "")[:12], "rows": n,
                       "ingested": str(i)} for d, p, s, n, i in files],
            "vintage": [{"dataset": d, "first": str(a), "last": str(b), "rows": n} for d, a, b, n in vintage],
            "citations": {d: c for d, c in _citations().items() if any(v[0] == d for v in vintage)}}


def _citations() -> dict[str, str]:
    """The citations, ours in the briefing's language (published works are cited as published)."""
    return {**CITATIONS,
            "curated": _("weaklink curated timeline of the China-DPRK-Russia relationship and the ROK-US-Japan side "
                         "(each entry with its own sources, listed in the tables)."),
            "unsc": _("weaklink table of UN Security Council decisions on the DPRK (sources per decision);")
                    + " UN Security Council veto list, The World Politics Data Lab (2022).",
            "documents": _("Statements and documents ingested by the analyst (sources per document).")}
