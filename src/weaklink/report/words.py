"""Code words of the data (statuses, curated kinds and levels, tie-strength components) as the reader's words
in the briefing's language. Unknown values (hostile or new) are shown as their own text, without underscores."""

from __future__ import annotations

from weaklink.report.i18n import _


def _plain(value) -> str:
    return str(value).replace("_", " ") if value is not None else "—"


def status_word(status) -> str:
    """A signpost status: seen, emerging, not seen, without data."""
    words = {"seen": _("seen"), "emerging": _("emerging"), "not_seen": _("not seen"), "no_data": _("without data")}
    return words.get(status, _plain(status)) if isinstance(status, str) else _plain(status)


def kind_word(kind) -> str:
    """A curated entry's kind (weaklink.sources.timeline.KINDS)."""
    words = {"summit": _("summit"), "meeting": _("meeting"), "visit": _("visit"), "call": _("call"),
             "joint_statement": _("joint statement"), "treaty": _("treaty"), "exercise": _("exercise"),
             "patrol": _("patrol"), "arms_transfer": _("arms transfer"), "sanctions": _("sanctions"),
             "unsc_vote": _("UNSC vote"), "other": _("other")}
    return words.get(kind, _plain(kind)) if isinstance(kind, str) else _plain(kind)


def level_word(level) -> str:
    """A curated entry's level (weaklink.sources.timeline.LEVELS)."""
    words = {"leader": _("leader"), "minister": _("minister"), "official": _("official"), "military": _("military")}
    return words.get(level, _plain(level)) if isinstance(level, str) else _plain(level)


def component_word(component) -> str:
    """A tie-strength component (docs/cohesion.md)."""
    words = {"events": _("events"), "exchanges": _("exchanges"), "votes": _("votes"), "rhetoric": _("rhetoric")}
    return words.get(component, _plain(component)) if isinstance(component, str) else _plain(component)
