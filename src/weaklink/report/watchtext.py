"""The analyst's own text from the watch file (signpost questions, hypothesis, evidence, scenario and bloc names,
implications) in the briefing's language: the watch file's `[translations.LANG]` version where it gives one,
else the English text, and a record of what fell back so that the briefing can say so once."""

from __future__ import annotations

import copy

from weaklink.report.i18n import SOURCE_LANGUAGE


class WatchText:
    """Look-ups of the watch file's text in `lang`, each falling back to the English text it is given."""

    def __init__(self, watch, lang: str) -> None:
        self.lang = lang
        self.table = None if lang == SOURCE_LANGUAGE else watch.translations.get(lang)
        self.fallbacks: set[str] = set()

    def _pick(self, section: str, key: str, english, field: str | None = None):
        if self.lang == SOURCE_LANGUAGE or not english:
            return english
        entry = getattr(self.table, section, {}).get(key) if self.table is not None else None
        value = getattr(entry, field, None) if field and entry is not None else entry
        if value:
            return value
        self.fallbacks.add(f"{section}.{key}" + (f".{field}" if field else ""))
        return english

    def bloc(self, bloc_id: str, english: str) -> str:
        return self._pick("blocs", bloc_id, english)

    def question(self, signpost_id: str, english: str) -> str:
        return self._pick("signposts", signpost_id, english)

    def evidence(self, evidence_id: str, english: str) -> str:
        return self._pick("evidence", evidence_id, english)

    def hypothesis(self, hypothesis_id: str, english: str, field: str = "title") -> str:
        return self._pick("hypotheses", hypothesis_id, english, field)

    def scenario(self, scenario_id: str, english, field: str = "title"):
        return self._pick("scenarios", scenario_id, english, field)

    def board(self, board: list[dict]) -> list[dict]:
        """Signpost records with their question in the briefing's language (copies; the API's are kept)."""
        return [{**s, "question": self.question(s["id"], s["question"])} for s in board]

    def matrix(self, matrix: dict) -> dict:
        """The ACH matrix with hypothesis and evidence titles in the briefing's language (a copy)."""
        if self.lang == SOURCE_LANGUAGE:
            return matrix
        out = copy.deepcopy(matrix)
        for h in out["hypotheses"]:
            h["title"] = self.hypothesis(h["id"], h["title"])
        for e in out["evidence"] + out["excluded"]:
            e["title"] = self.evidence(e["id"], e["title"])
        return out
