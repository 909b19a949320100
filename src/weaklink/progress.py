"""Progress reporting for long work. The library calls these hooks; the CLI draws a bar."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Progress(Protocol):
    def start(self, files: list[Path]) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def file_done(self, path: Path, result) -> None: ...
    def finish(self, summary) -> None: ...


class NullProgress:
    """Reports nothing (the library's default)."""

    def start(self, files: list[Path]) -> None:
        pass

    def file_started(self, path: Path) -> None:
        pass

    def file_done(self, path: Path, result) -> None:
        pass

    def finish(self, summary) -> None:
        pass
