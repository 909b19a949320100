"""Atomic output files: write a temporary file in the target's folder, then rename it into place.

A failure at any point (an exception while rendering, a full disk, a killed renderer) leaves the previous
file byte for byte as it was and removes the temporary file. Readers never see a half-written file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weaklink.errors import WeaklinkError


class OutputError(WeaklinkError):
    """An output file could not be written (disk full, no permission, a folder in the way)."""


def _failed(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"could not write {path}: {exc.strerror or exc}; a previous file there is unchanged")


def _create_temp(path: Path) -> Path:
    """An empty new file `.NAME.RANDOM.tmp` beside `path`, with the mode a new file gets (0666 less umask)."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temp
        except FileExistsError:
            continue


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary file beside `path` for the caller (or a subprocess) to fill.

    On a normal exit it replaces `path` in one rename; on any exception it is removed and `path` is untouched.
    OSErrors of weaklink's own steps (creating, renaming) become an OutputError naming the file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = _create_temp(path)
    except OSError as exc:
        raise _failed(path, exc) from exc
    try:
        yield temp
        os.replace(temp, path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failed(path, exc) from exc
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically (flushed to disk before the rename)."""
    with atomic_path(path) as temp:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))
