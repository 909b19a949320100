"""Sentences the analysis writes (signpost details, ACH bases and reasons, alert explanations, tie-strength notes)
as structured messages: English text that also carries its message id and named values.

A `Message` *is* the English string (a `str`), so the API, the CLI, JSON and the history table show exactly the
text they always did; the briefing renders the same message in another language through the gettext catalogue
(`weaklink.report.words.localize`). In the producer modules `_` is `message`, so Babel extracts the ids with the
same keyword as the report's (babel.cfg lists those modules). Values are pre-formatted text, other messages, a
`Listing` of them, a `Term` (a code word of the data, such as a status) or a `Day` (an ISO date).
"""

from __future__ import annotations

from typing import Self


class Message(str):
    """`msgid % params` in English, keeping `msgid` and `params` for translation."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> Self:
        text = super().__new__(cls, msgid % {k: str(v) for k, v in params.items()})
        text.msgid, text.params = msgid, params
        return text

    def __reduce__(self):
        return _rebuild, (self.msgid, self.params)


def _rebuild(msgid: str, params: dict) -> Message:
    return Message(msgid, **params)


def message(msgid: str, **params) -> Message:
    """A message (marked for extraction as `_` in the producer modules)."""
    return Message(msgid, **params)


class Listing(str):
    """Items (messages or text) joined by `sep`; each item is translated on its own."""

    sep: str
    items: tuple

    def __new__(cls, sep: str, items) -> Self:
        items = tuple(items)
        text = super().__new__(cls, sep.join(str(i) for i in items))
        text.sep, text.items = sep, items
        return text

    def __reduce__(self):
        return Listing, (self.sep, self.items)


class Term(str):
    """A code word of the data (`code`, e.g. the status `not_seen`), shown in English as `text`."""

    code: str

    def __new__(cls, code: str, text: str | None = None) -> Self:
        term = super().__new__(cls, code if text is None else text)
        term.code = code
        return term

    def __reduce__(self):
        return Term, (self.code, str(self))


class Day(str):
    """An ISO date (2025-02-10), written in the reader's language by the briefing."""

    def __reduce__(self):
        return Day, (str(self),)
