"""Turn the paths a user typed (files, folders, globs) into a sorted list of input files."""

from __future__ import annotations

import glob
from pathlib import Path

from weaklink.errors import NoInputFiles

EVENT_SUFFIXES = (".csv", ".csv.zip", ".csv.gz", ".tsv", ".tab", ".txt", ".zip")
NOT_EVENTS = (".mentions.", ".gkg.")


def _looks_like_events(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(EVENT_SUFFIXES) and not any(part in name for part in NOT_EVENTS)


DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


def _looks_like_document(path: Path) -> bool:
    return path.name.lower().endswith(DOCUMENT_SUFFIXES)


def _expand_one(text: str, wanted=_looks_like_events, what: str = "event files") -> list[Path]:
    """A path that exists is taken as it is, even when its name holds glob characters (`a[x].CSV`)."""
    if any(ch in text for ch in "*?[") and not Path(text).exists():
        matches = [Path(p) for p in glob.glob(text, recursive=True)]
        files = [p for p in matches if p.is_file()]
        if not files:
            raise NoInputFiles(f"the pattern {text!r} matches no file (and no file has that exact name)")
        return files
    path = Path(text)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and wanted(p)]
        if not files:
            raise NoInputFiles(f"the folder {path} holds no {what} ({_looked_for(what)})")
        return files
    if not path.exists():
        raise NoInputFiles(f"no such file or folder: {path}")
    return [path]


def _looked_for(what: str) -> str:
    if what == "documents":
        return f"looked for names ending in {', '.join(DOCUMENT_SUFFIXES)}"
    return f"looked for names ending in {', '.join(EVENT_SUFFIXES)}, excluding GDELT mentions and GKG files"


def expand_paths(paths: list[str | Path], documents: bool = False) -> list[Path]:
    """Every file named, found in a folder or matched by a glob, each once, in sorted order."""
    if not paths:
        raise NoInputFiles("no input paths given")
    wanted, what = (_looks_like_document, "documents") if documents else (_looks_like_events, "event files")
    found: dict[Path, None] = {}
    for text in paths:
        for path in sorted(_expand_one(str(text), wanted, what)):
            found.setdefault(path.resolve(), None)
    return list(found)
