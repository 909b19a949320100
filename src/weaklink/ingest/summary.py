"""What an ingest run did, file by file: every line stored, rejected or a known duplicate."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class FileResult:
    """The outcome for one input file. status: ingested, skipped (same sha256 seen) or error."""

    path: str
    sha256: str | None
    status: str
    read: int = 0
    stored: int = 0
    rejected: int = 0
    duplicate: int = 0
    version: str | None = None
    message: str | None = None
    seconds: float = 0.0
    repaired: int = 0   # of the stored rows: event dates repaired on ingest (docs/ingest.md), original kept
    late: int = 0       # of the stored rows: events dated over max_lag_days before they were reported (kept)
    kept_out: int = 0   # valid lines not stored because they involve no watched actor (`keep="watched"`), counted

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Totals:
    files: int = 0
    ingested: int = 0
    skipped: int = 0
    errors: int = 0
    read: int = 0
    stored: int = 0
    rejected: int = 0
    duplicate: int = 0
    repaired: int = 0
    late: int = 0
    kept_out: int = 0


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        totals = Totals(files=len(self.files))
        for result in self.files:
            for name in ("read", "stored", "rejected", "duplicate", "repaired", "late", "kept_out"):
                setattr(totals, name, getattr(totals, name) + getattr(result, name))
            status_count = {"ingested": "ingested", "skipped": "skipped", "error": "errors"}[result.status]
            setattr(totals, status_count, getattr(totals, status_count) + 1)
        return totals

    @property
    def ok(self) -> bool:
        return all(result.status != "error" for result in self.files)

    def to_dict(self) -> dict:
        return {"files": [f.to_dict() for f in self.files], "totals": asdict(self.totals)}
