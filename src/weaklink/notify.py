"""Notification channels and their delivery: a JSON-lines file, webhooks (HTTP POST, JSON body), e-mail (SMTP).

Every change is queued once per channel in the store's `notifications` table (its key is the primary key,
so a change is never queued twice); delivery sends what is pending. Each channel runs in its own thread,
retrying a failure with exponential backoff, so a slow or failing channel never holds up the others; what a
channel could not deliver stays pending, with the error, and is sent by the next run.
"""

from __future__ import annotations

import json
import os
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from weaklink.fileio import atomic_write_bytes


class Channel(Protocol):
    name: str

    def send(self, payload: dict) -> None: ...


@dataclass
class JsonLinesChannel:
    """Appends one JSON object a line; the file is rewritten atomically, so a reader never sees half a line."""

    path: Path

    @property
    def name(self) -> str:
        return f"jsonl:{self.path}"

    def send(self, payload: dict) -> None:
        before = self.path.read_bytes() if self.path.exists() else b""
        if before and not before.endswith(b"\n"):
            before += b"\n"
        atomic_write_bytes(self.path, before + json.dumps(payload, ensure_ascii=False, default=str).encode() + b"\n")


@dataclass
class WebhookChannel:
    url: str
    timeout: float = 10.0

    @property
    def name(self) -> str:
        return f"webhook:{self.url}"

    def send(self, payload: dict) -> None:
        import httpx

        response = httpx.post(self.url, json=payload, timeout=self.timeout)
        if response.status_code >= 300:
            raise OSError(f"the webhook answered HTTP {response.status_code} {response.reason_phrase}")


@dataclass
class EmailChannel:
    host: str
    port: int
    sender: str
    to: list[str]
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    timeout: float = 10.0

    @property
    def name(self) -> str:
        return f"email:{','.join(self.to)}@{self.host}:{self.port}"

    def send(self, payload: dict) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.to)
        message["Subject"] = f"[weaklink] {payload['title']}"[:200]
        message.set_content(_email_text(payload))
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                if self.password_env and self.password_env not in os.environ:
                    raise OSError(f"the SMTP password variable ${self.password_env} is not set")
                smtp.login(self.username, os.environ.get(self.password_env or "", ""))
            smtp.send_message(message)


def _email_text(payload: dict) -> str:
    lines = [payload["title"], "", f"what: {payload['subject']}", f"before: {payload['before'] or '(first seen)'}",
             f"now: {payload['after']}", f"data as of: {payload['as_of'] or 'no data'}"]
    return "\n".join(lines + ["", json.dumps(payload.get("detail") or {}, indent=2, ensure_ascii=False, default=str)])


def channels(notify) -> list[Channel]:
    """The channels a watch file's [notify] table declares (paths relative to the working folder)."""
    found: list[Channel] = []
    if notify.jsonl:
        found.append(JsonLinesChannel(Path(notify.jsonl)))
    found += [WebhookChannel(w.url, w.timeout_seconds) for w in notify.webhook]
    found += [EmailChannel(e.host, e.port, e.sender, list(e.to), e.starttls, e.username, e.password_env,
                           e.timeout_seconds) for e in notify.email]
    return found


def queue(con, changes: list[dict], targets: list[Channel]) -> int:
    """Queue each change for each channel, once ever (a change already queued is left as it is)."""
    before = con.execute("SELECT count(*) FROM notifications").fetchall()[0][0]
    for change in changes:
        for channel in targets:
            con.execute("""INSERT INTO notifications (change_key, channel, subject, payload, status)
                           VALUES (?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING""",
                        [change["key"], channel.name, change["subject"], json.dumps(change, default=str)])
    return con.execute("SELECT count(*) FROM notifications").fetchall()[0][0] - before


@dataclass
class Outcome:
    change_key: str
    channel: str
    error: str | None
    attempts: int


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _send_all(channel: Channel, items: list[tuple[str, dict]], retries: int, backoff: float) -> list[Outcome]:
    """One channel's pending items, in order, each tried 1 + `retries` times with doubling waits; after an item
    that still fails, the channel stops."""
    outcomes = []
    for key, payload in items:
        error, attempt = None, 0
        for attempt in range(1, retries + 2):
            try:
                channel.send(payload)
                error = None
                break
            except Exception as exc:  # noqa: BLE001 - any failure of a channel is reported and retried
                error = f"{type(exc).__name__}: {exc}"[:500]
                if attempt <= retries:
                    time.sleep(backoff * 2 ** (attempt - 1))
        outcomes.append(Outcome(key, channel.name, error, attempt))
        if error is not None:
            break  # the channel is down: the rest stay pending for the next run
    return outcomes


def deliver(con, targets: list[Channel], retries: int = 3, backoff: float = 1.0) -> DeliveryReport:
    """Send every pending notification of the given channels; record what was sent and what failed."""
    pending: dict[str, list[tuple[str, dict]]] = {c.name: [] for c in targets}
    for key, name, payload in con.execute("""SELECT change_key, channel, payload FROM notifications
            WHERE status = 'pending' ORDER BY created_at, change_key""").fetchall():
        if name in pending:
            pending[name].append((key, json.loads(payload)))
    report = DeliveryReport()
    busy = [c for c in targets if pending[c.name]]
    if not busy:
        return report
    with ThreadPoolExecutor(max_workers=len(busy), thread_name_prefix="weaklink-notify") as pool:
        results = list(pool.map(lambda c: _send_all(c, pending[c.name], retries, backoff), busy))
    for outcome in (o for found in results for o in found):
        _record(con, outcome, report)
    return report


def _record(con, outcome: Outcome, report: DeliveryReport) -> None:
    con.execute("""UPDATE notifications SET attempts = attempts + ?, last_error = ?,
                       status = CASE WHEN ? IS NULL THEN 'sent' ELSE 'pending' END,
                       sent_at = CASE WHEN ? IS NULL THEN current_timestamp ELSE NULL END
                   WHERE change_key = ? AND channel = ?""",
                [outcome.attempts, outcome.error, outcome.error, outcome.error, outcome.change_key, outcome.channel])
    if outcome.error is None:
        report.sent += 1
    else:
        report.failed += 1
        report.errors.append(f"{outcome.channel}: {outcome.change_key}: {outcome.error}")
