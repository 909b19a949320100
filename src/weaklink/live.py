"""The live monitor: update every source, re-evaluate the board, store what changed, notify each change once.

One run (`monitor_once`) has four steps, and a stop request (SIGTERM in the CLI) is honoured between them:
1. update: GDELT exports (and statements from the watch file's feeds); a source that fails is reported and
   the run goes on with what the store holds;
2. evaluate: signposts, the ACH leaders, each bloc's weakest link and the change alerts, as of the data;
3. compare each subject with the monitor's last view of it (`monitor_state`); every difference is a change,
   stored with the new view and queued for every channel in one transaction (a change's key is its subject,
   its new value and the data's date, so the same change is never queued twice);
4. deliver what is pending on every channel (`weaklink.notify`).
On the first run every subject is new, so the board as first seen is notified once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date

from weaklink import notify
from weaklink.errors import WeaklinkError


@dataclass
class View:
    """What the monitor sees of one subject: its value and what a reader needs to judge it."""

    subject: str
    value: str
    title: str
    detail: dict


@dataclass
class MonitorRun:
    started: float
    updates: dict = field(default_factory=dict)
    as_of: str | None = None
    changes: list[dict] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _signpost_views(board: list[dict]) -> list[View]:
    return [View(f"signpost:{s['id']}", s["status"], f"signpost {s['id']}: {s['status'].replace('_', ' ')}",
                 {"question": s["question"], "since": s["since"], "coverage": s["coverage"], "detail": s["detail"]})
            for s in board]


def _ach_view(wl, board: list[dict]) -> list[View]:
    if not wl.watch.hypotheses or not board:
        return []
    from weaklink.signposts import board as boards

    matrix = boards.ach_matrix(wl, board, date.fromisoformat(board[0]["as_of"]))
    if not matrix.get("evidence"):  # nothing rated: every hypothesis ties, which says nothing
        return [View("ach:leaders", "no data", "ACH: no evidence rated yet (no data)", {"leaders": None})]
    leaders = ",".join(matrix.get("leaders") or []) or "none"
    return [View("ach:leaders", leaders, f"ACH leading hypothesis: {leaders}", {"leaders": matrix.get("leaders")})]


def _weakest_views(wl) -> list[View]:
    views = []
    for bloc in wl.watch.blocs:
        found = wl.weakest(bloc)
        member = found["weakest"] or "undetermined"
        views.append(View(f"weakest:{bloc}", member, f"weakest link of {bloc}: {member}",
                          {"window": found["window"], "members": found["members"]}))
    return views


def _alert_views(wl) -> list[View]:
    return [View(f"alert:{a['dyad']}:{a['series']}:{a['kind']}:{a['period']}", "fired", a["explanation"],
                 {"dyad": a["dyad"], "series": a["series"], "period": a["period"], "value": a["value"],
                  "baseline": a["baseline"]}) for a in wl.alerts()]


def evaluate(wl, errors: list[str]) -> tuple[str | None, list[View]]:
    """The data's date and every subject's view as of it. A part that cannot be evaluated (e.g. no data yet)
    adds its reason to `errors` and yields no view, so its subjects keep their last value: no change."""
    from weaklink.signposts import board as boards

    as_of = wl.data_as_of()
    found = _part(errors, "signposts", lambda: boards.evaluate_all(wl, None, record=True)) or []
    views = _signpost_views(found)
    for name, part in (("ACH", lambda: _ach_view(wl, found)), ("weakest link", lambda: _weakest_views(wl)),
                       ("alerts", lambda: _alert_views(wl))):
        views += _part(errors, name, part) or []
    return (as_of.isoformat() if as_of else None), views


def _part(errors: list[str], name: str, step):
    try:
        return step()
    except WeaklinkError as exc:
        errors.append(f"{name}: {exc}")
        return None


def record_changes(con, views: list[View], as_of: str | None, targets: list) -> tuple[list[dict], int]:
    """Compare with the last view, store the new one and queue the changes, in one transaction."""
    last = dict(con.execute("SELECT subject, value FROM monitor_state").fetchall())
    changes = [{"key": f"{v.subject}={v.value}@{as_of or 'no data'}", "subject": v.subject, "title": v.title,
                "before": last.get(v.subject), "after": v.value, "as_of": as_of, "detail": v.detail}
               for v in views if last.get(v.subject) != v.value]
    con.execute("BEGIN TRANSACTION")
    try:
        for change in changes:
            con.execute("""INSERT INTO monitor_state (subject, value, as_of) VALUES (?, ?, ?)
                           ON CONFLICT (subject) DO UPDATE SET value = excluded.value, as_of = excluded.as_of""",
                        [change["subject"], change["after"], as_of])
        queued = notify.queue(con, changes, targets)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return changes, queued


def _update(wl, run: MonitorRun, stop: threading.Event) -> None:
    settings = wl.watch.update
    steps = [("gdelt", lambda: wl.update_gdelt())]
    if wl.watch.feeds:
        steps.append(("docs", lambda: wl.update_docs()))
    for name, step in steps:
        if name not in settings.sources or stop.is_set():
            continue
        try:
            summary = step()
        except WeaklinkError as exc:  # a source that cannot be reached does not stop the monitor
            run.errors.append(f"update {name}: {exc}")
            run.updates[name] = {"error": str(exc)}
            continue
        run.updates[name] = {k: v for k, v in summary.to_dict().items() if k != "files"}
        run.errors += [f"update {name}: {f['name']}: {f['reason']}" for f in run.updates[name].get("failed", [])]


def monitor_once(wl, stop: threading.Event | None = None, update: bool = True) -> MonitorRun:
    """One run of the monitor (module docstring); `stop` is checked between steps."""
    stop = stop or threading.Event()
    run, clock = MonitorRun(started=time.time()), time.perf_counter()
    if update:
        _update(wl, run, stop)
    targets = notify.channels(wl.watch.notify)
    if not stop.is_set():
        run.as_of, views = evaluate(wl, run.errors)
        if not stop.is_set():
            run.changes, run.queued = record_changes(wl.store.con, views, run.as_of, targets)
    if not stop.is_set():
        report = notify.deliver(wl.store.con, targets, wl.watch.notify.retries, wl.watch.notify.backoff_seconds)
        run.sent, run.failed = report.sent, report.failed
        run.errors += report.errors
    run.stopped = stop.is_set()
    run.seconds = round(time.perf_counter() - clock, 3)
    return run


def monitor_every(wl, seconds: float, stop: threading.Event, on_run=None, update: bool = True) -> int:
    """Run the monitor every `seconds` until `stop` is set; the number of runs. A run that fails is reported
    (through `on_run`) and the next one comes as planned."""
    runs = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            run = monitor_once(wl, stop, update)
        except Exception as exc:  # noqa: BLE001 - one failed run is reported; the service keeps running
            run = MonitorRun(started=time.time(), errors=[f"the run failed: {type(exc).__name__}: {exc}"[:1000]])
        runs += 1
        if on_run is not None:
            on_run(run)
        stop.wait(max(0.0, seconds - (time.monotonic() - started)))
    return runs
