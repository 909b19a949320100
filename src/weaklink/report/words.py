"""Code words of the data (statuses, curated kinds and levels, tie-strength components) as the reader's words
in the briefing's language. Unknown values (hostile or new) are shown as their own text, without underscores."""

from __future__ import annotations

from weaklink.messages import Day, Listing, Message, Term
from weaklink.report.i18n import SOURCE_LANGUAGE, _, day, language


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


def localize(value):
    """A generated sentence (weaklink.messages) in the briefing's language; anything else, and every sentence in
    English, as it is. Dates are written for the reader, status codes as status words."""
    if language() == SOURCE_LANGUAGE:
        return value
    if isinstance(value, Message):
        return _(value.msgid, **{k: localize(v) for k, v in value.params.items()})
    if isinstance(value, Listing):
        return value.sep.join(localize(item) for item in value.items)
    if isinstance(value, Term):
        return status_word(value.code)
    if isinstance(value, Day):
        return day(value)
    return value
