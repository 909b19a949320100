"""ACH ratings edited through the web (PUT /api/ach/ratings/{evidence}/{hypothesis}).

The watch file is the analyst's own text (TOML with comments), so the server never rewrites it. An edited
rating is kept beside the store in `<store>.ach-ratings.json` and laid over the watch file's `ratings` of
that evidence item (for an item bound to a signpost: its ratings when the signpost is seen) when the server
starts and after every edit; the ACH view lists the overrides with the watch file's own rating. To keep an
edit for good, copy it into the watch file and delete the JSON file.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import get_args

from weaklink.errors import InvalidArgument, WatchFileError
from weaklink.fileio import atomic_write_text
from weaklink.watch import Rating, WatchFile
from weaklink.web.errors import NotFound

RATINGS = get_args(Rating)


def overrides_path(wl) -> Path:
    path = wl.store.path
    if path == ":memory:":
        return Path(tempfile.gettempdir()) / f"weaklink-{os.getpid()}-ach-ratings.json"
    return Path(path + ".ach-ratings.json")


def overrides(wl) -> list[dict]:
    """The edited ratings: evidence, hypothesis, rating, the watch file's rating and when it was edited."""
    path = overrides_path(wl)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WatchFileError(f"{path}: cannot read the edited ACH ratings ({exc}); fix or delete the file") from exc
    return list(data.get("ratings", []))


def apply(watch: WatchFile, entries: list[dict]) -> WatchFile:
    """The watch file with the edited ratings laid over it (entries naming unknown items are skipped)."""
    if not entries:
        return watch
    edited = watch.model_copy(deep=True)
    items = {e.id: e for e in edited.evidence}
    for entry in entries:
        item = items.get(entry["evidence"])
        if item is not None and entry["rating"] in RATINGS:
            item.ratings = {**item.ratings, entry["hypothesis"]: entry["rating"]}
    return edited


def set_rating(wl, base: WatchFile, evidence: str, hypothesis: str, rating: str) -> dict:
    """Record one edited rating and return the entry; `base` is the watch file as loaded."""
    item = next((e for e in base.evidence if e.id == evidence), None)
    if item is None:
        raise NotFound(f"no evidence item {evidence!r}; evidence: {', '.join(e.id for e in base.evidence)}")
    if not any(h.id == hypothesis for h in base.hypotheses):
        raise NotFound(f"no hypothesis {hypothesis!r}; hypotheses: {', '.join(h.id for h in base.hypotheses)}")
    if rating not in RATINGS:
        raise InvalidArgument(f"unknown rating {rating!r}: use one of {', '.join(RATINGS)} (CC very consistent, "
                              "C consistent, N neutral, I inconsistent, II very inconsistent)")
    entry = {"evidence": evidence, "hypothesis": hypothesis, "rating": rating,
             "watch_rating": item.ratings.get(hypothesis),
             "edited_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    kept = [e for e in overrides(wl) if (e["evidence"], e["hypothesis"]) != (evidence, hypothesis)]
    atomic_write_text(overrides_path(wl), json.dumps({"ratings": [*kept, entry]}, indent=2))
    return entry
