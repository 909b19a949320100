"""`weaklink serve --monitor`: the live monitor's loop (weaklink.live) in a background thread of the server.

Each run goes through the writer connection under the write lock, so it never runs beside an upload, a
rating edit or another update; readers keep serving meanwhile on their own connections and see each
ingested file whole (one transaction per file) once it is committed. The cache empties after every run."""

from __future__ import annotations

import threading
import time

from weaklink.live import MonitorRun


class MonitorThread:
    """Runs `wl.monitor_once` every `seconds` until the server stops; `last` is the latest run. `warm`: after
    each run (which empties the cache), compute the views visitors ask for first again."""

    def __init__(self, state, seconds: float, update: bool = True, warm: bool = False) -> None:
        self.state, self.seconds, self.update, self.warm = state, seconds, update, warm
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="weaklink-monitor", daemon=True)
        self.last: MonitorRun | None = None
        self.runs = 0

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            started = time.monotonic()
            self.run_once()
            self.stop_event.wait(max(0.0, self.seconds - (time.monotonic() - started)))

    def run_once(self) -> MonitorRun:
        try:
            with self.state.writing() as wl:
                run = wl.monitor_once(self.stop_event, self.update)
        except Exception as exc:  # noqa: BLE001 - one failed run is reported; the server keeps serving
            run = MonitorRun(started=time.time(), errors=[f"the run failed: {type(exc).__name__}: {exc}"[:1000]])
        self.last, self.runs = run, self.runs + 1
        if self.warm and not self.stop_event.is_set():
            from weaklink.web.app import warm_cache

            warm_cache(self.state)  # the run emptied the cache: fill it again before visitors ask
        return run

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def status(self) -> dict:
        return {"running": self.thread.is_alive(), "every_seconds": self.seconds, "runs": self.runs,
                "last": self.last.to_dict() if self.last else None}
