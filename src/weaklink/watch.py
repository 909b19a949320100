"""The watch file: a TOML file declaring the actors, blocs and dyads to monitor.

It is validated on load; an error names the key, the line and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from weaklink.errors import UnknownCountry, WatchFileError, WeaklinkError
from weaklink.reference import countries
from weaklink.signposts.rules import DOCUMENT_KINDS, EVENT_DATASETS, MEDIA_DATASETS, Scenario, Signpost

BUNDLED = "watch.toml"
Day = date  # for fields named `date`


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # numbers are finite: no nan, no inf


MAX_WEIGHT = 1e6
MAX_DAYS = 36525  # 100 years


class Actor(_Strict):
    id: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3 code")
    name: str
    cameo: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class Bloc(_Strict):
    name: str | None = None
    members: list[str] = Field(min_length=2)


class Meta(_Strict):
    name: str
    description: str = ""


class Dyads(_Strict):
    watch: list[tuple[str, str]] = []


class Cohesion(_Strict):
    """How tie strength, commitment and their intervals are computed (docs/cohesion.md)."""

    weights: dict[str, float] = {"events": 1.0, "exchanges": 1.0, "votes": 1.0, "rhetoric": 1.0}
    window_days: int = Field(default=365, ge=7, le=MAX_DAYS)
    baseline_since: date = date(2015, 1, 1)
    baseline_until: date = date(2022, 12, 31)
    replicates: int = Field(default=500, ge=50, le=20000)
    level: float = Field(default=0.95, gt=0.5, lt=1.0)
    seed: int = Field(default=0, ge=0, lt=2**32)
    datasets: list[str] = ["gdelt"]
    include_low_confidence: bool = False  # curated entries rated `low` count in commitment and exchanges

    @field_validator("datasets")
    @classmethod
    def _known_datasets(cls, datasets: list[str]) -> list[str]:
        unknown = [d for d in datasets if d not in MEDIA_DATASETS]
        if unknown or not datasets:
            raise ValueError(f"unknown event dataset(s) {unknown}; expected one or more of {', '.join(MEDIA_DATASETS)}")
        return datasets

    @field_validator("weights")
    @classmethod
    def _known_components(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - {"events", "exchanges", "votes", "rhetoric"})
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; expected events, exchanges, votes, rhetoric")
        if any(not 0 <= w <= MAX_WEIGHT for w in weights.values()) or not any(weights.values()):
            raise ValueError(f"weights must be finite numbers from 0 to {MAX_WEIGHT:g}, at least one > 0")
        return weights


class Alerts(_Strict):
    """Which change alerts are worth reading (docs/cohesion.md, "Change alerts")."""

    min_history: int = Field(default=6, ge=1, le=10_000)   # periods of unbroken series before an alert may fire
    min_events: int = Field(default=5, ge=1, le=10**9)     # events in the alert's period
    min_articles: int = Field(default=3, ge=1, le=10**9)   # distinct articles (source URLs) behind them


def _check_aliases(aliases: list[str]) -> list[str]:
    for alias in aliases:
        if not alias.strip() or "*" in alias.rstrip("*") or alias.count("*") > 1:
            raise ValueError(f"alias {alias!r}: expected text with at most one '*', at the very end")
    return aliases


class ActorLexicon(_Strict):
    names: list[str] = []
    demonyms: list[str] = []
    metonyms: list[str] = []

    _aliases = field_validator("names", "demonyms", "metonyms")(classmethod(lambda cls, v: _check_aliases(v)))


class Lexicon(_Strict):
    """Actor aliases per category, and strings never counted as any actor (docs/lexicon.md)."""

    exclude: list[str] = []
    actors: dict[str, ActorLexicon] = {}


class Framing(_Strict):
    relationship: dict[str, list[str]] = {}
    stance: dict[str, list[str]] = {}

    @field_validator("relationship", "stance")
    @classmethod
    def _terms(cls, terms: dict[str, list[str]]) -> dict[str, list[str]]:
        for variants in terms.values():
            _check_aliases(variants)
        return terms


class Tone(_Strict):
    warm: list[str] = []
    hostile: list[str] = []
    negations: list[str] = []


Rating = Literal["CC", "C", "N", "I", "II"]
Level = Literal["high", "medium", "low"]


class Hypothesis(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    title: str
    statement: str = ""


class Evidence(_Strict):
    """An ACH evidence item. Bound to a signpost, its ratings follow the signpost's status.

    `date`: the day from which the item counts (the observation it describes was made then). Before it the
    item is left out of the matrix, with the reason, so that a matrix as of 2019 does not weigh a 2024 summit.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    title: str
    date: Day | None = None
    credibility: Level = "medium"
    relevance: Level = "medium"
    signpost: str | None = None
    ratings: dict[str, Rating]                      # as rated (bound: when the signpost is seen)
    when_emerging: dict[str, Rating] | None = None  # bound only; default: ratings one step toward N
    when_not_seen: dict[str, Rating] | None = None  # bound only; default: N for every hypothesis
    source: str = ""


class Evaluation(_Strict):
    """How signposts are judged against the data they rest on (docs/signposts.md, docs/coverage.md)."""

    min_coverage: float = Field(default=0.5, ge=0.0, le=1.0)  # below this share of its window: no data
    document_kinds: list[str] = []                             # document kinds used beyond the standard ones


class Events(_Strict):
    """Which stored events the indicators read (indicators/lag.py, docs/dyads.md "Stray event dates")."""

    max_lag_days: int = Field(default=30, ge=0, le=MAX_DAYS)  # an event dated earlier before its report is late


_URL = r"^https?://[^\s/]+(/\S*)?$"


class UpdateSettings(_Strict):
    """Where `weaklink update` and `weaklink monitor` fetch from (docs/monitor.md)."""

    gdelt_version: Literal[1, 2] = 2
    mirror: str | None = Field(default=None, pattern=_URL)  # a team mirror of GDELT's folder; default: GDELT's own
    since: date | None = None                                # first day to fetch when nothing was fetched yet
    workers: int = Field(default=4, ge=1, le=64)
    sources: list[Literal["gdelt", "docs"]] = ["gdelt", "docs"]


class Feed(_Strict):
    """An RSS/Atom feed (or a page list: one URL a line) whose items are statements to ingest."""

    url: str = Field(pattern=_URL)
    issuer: str
    language: str | None = None
    kind: str = "statement"
    format: Literal["feed", "pages"] = "feed"


class Webhook(_Strict):
    url: str = Field(pattern=_URL)
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)


class Email(_Strict):
    host: str
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)


class Notify(_Strict):
    """Where `weaklink monitor` sends each change, once (docs/monitor.md)."""

    jsonl: str | None = None          # a JSON-lines file, one change a line
    webhook: list[Webhook] = []       # HTTP POST, JSON body
    email: list[Email] = []           # SMTP
    retries: int = Field(default=3, ge=0, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0, le=3600)


class HypothesisText(_Strict):
    title: str | None = None
    statement: str | None = None


class ScenarioText(_Strict):
    title: str | None = None
    description: str | None = None
    implications: list[str] | None = None


class Translation(_Strict):
    """The analyst's text in one more language, keyed by the ids the file declares (docs/watch-file.md)."""

    blocs: dict[str, str] = {}                     # bloc id -> name
    signposts: dict[str, str] = {}                 # signpost id -> question
    hypotheses: dict[str, HypothesisText] = {}
    evidence: dict[str, str] = {}                  # evidence id -> title
    scenarios: dict[str, ScenarioText] = {}


class WatchFile(_Strict):
    watch: Meta
    events: Events = Events()
    evaluation: Evaluation = Evaluation()
    actors: list[Actor] = Field(min_length=1)
    blocs: dict[str, Bloc] = {}
    dyads: Dyads = Dyads()
    cohesion: Cohesion = Cohesion()
    alerts: Alerts = Alerts()
    lexicon: Lexicon = Lexicon()
    framing: Framing = Framing()
    tone: Tone = Tone()
    signposts: list[Signpost] = []
    scenarios: list[Scenario] = []
    hypotheses: list[Hypothesis] = []
    evidence: list[Evidence] = []
    update: UpdateSettings = UpdateSettings()
    feeds: list[Feed] = []
    notify: Notify = Notify()
    translations: dict[str, Translation] = {}     # [translations.ko] etc.: the text in other languages
    path: str | None = Field(default=None, exclude=True)

    @field_validator("actors")
    @classmethod
    def _unique_actors(cls, actors: list[Actor]) -> list[Actor]:
        ids = [a.id for a in actors]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"each actor id must appear once; repeated: {', '.join(repeated)}")
        return actors

    def actor(self, actor_id: str) -> Actor | None:
        return next((a for a in self.actors if a.id == actor_id), None)

    def bloc(self, name: str) -> Bloc:
        if name not in self.blocs:
            raise WatchFileError(f"no bloc named {name!r} in the watch file; blocs: {', '.join(self.blocs)}")
        return self.blocs[name]


def bundled_text() -> str:
    return resources.files("weaklink.data").joinpath(BUNDLED).read_text(encoding="utf-8")


def load_watch(path: str | Path | None = None) -> WatchFile:
    """Load and validate a watch file (the bundled default when path is None)."""
    if path is None:
        return parse_watch(bundled_text(), "<bundled watch.toml>")
    file = Path(path)
    if not file.exists():
        raise WatchFileError(f"no watch file at {file}: run `weaklink init` to write one")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise WatchFileError(f"{file}: cannot read the watch file ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise WatchFileError(f"{file}, line {line}: not UTF-8 text (byte {exc.start}); a watch file is TOML "
                             "text: is this the right file?") from None
    return parse_watch(text, str(file))


def parse_watch(text: str, origin: str) -> WatchFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchFileError(f"{origin}: not valid TOML: {exc}") from exc
    except RecursionError:
        raise WatchFileError(f"{origin}: not a usable watch file: arrays or tables nested too deeply") from None
    try:
        watch = WatchFile.model_validate(data)
    except ValidationError as exc:
        raise WatchFileError(_describe(exc, text, origin)) from None
    except RecursionError:
        raise WatchFileError(f"{origin}: not a usable watch file: values nested too deeply") from None
    _check_references(watch, text, origin)
    watch.path = origin
    return watch


def _fail(origin: str, text: str, path: list, message: str, line_path: list | None = None) -> None:
    key = ".".join(str(p) for p in path)
    raise WatchFileError(f"{origin}, line {_line_of(text, line_path or path)}: key '{key}': {message}")


def _rule_parts(rule, path: list) -> list[tuple[list, object]]:
    """The rule and every rule inside it (parts of all/any, `emerging`), each with its key path."""
    children = [(path + ["rules", i], r) for i, r in enumerate(getattr(rule, "rules", []) or [])]
    if rule.emerging is not None:
        children.append((path + ["emerging"], rule.emerging))
    return [(path, rule)] + [part for child_path, child in children for part in _rule_parts(child, child_path)]


ACTOR_FIELDS = ("actors_all", "actors_any", "source", "target", "actors", "issuers", "parties", "states")


def _resolves(watch: WatchFile, actor: str) -> bool:
    if watch.actor(actor.upper()) is not None or _is_known_state(actor.upper()):
        return True
    try:
        countries.resolve(actor)
    except WeaklinkError:
        return False
    return True


def _unknown_values(watch: WatchFile, part) -> list[tuple[str, list, str]]:
    """(field, unknown values, what was expected) for every value of a rule that names nothing known."""
    from weaklink.sources.timeline import CONFIDENCE, KINDS, LEVELS

    terms = set(watch.framing.relationship) | set(watch.framing.stance)
    doc_kinds = set(DOCUMENT_KINDS) | set(watch.evaluation.document_kinds)
    allowed = {"datasets": (EVENT_DATASETS, "event datasets"), "kinds": (KINDS, "curated kinds"),
               "level": (LEVELS, "curated levels"), "confidence": (CONFIDENCE, "curated confidence levels"),
               "doc_kinds": (sorted(doc_kinds), "document kinds (add your own under [evaluation] "
                             "document_kinds)"),
               "terms": (sorted(terms), "framing term ids declared under [framing.relationship] or "
                         "[framing.stance]")}
    found = []
    for field, (known, what) in allowed.items():
        unknown = [v for v in getattr(part, field, None) or [] if v not in known]
        if unknown:
            found.append((field, unknown, f"expected {what}: {', '.join(known) or '(none declared)'}"))
    for field in ACTOR_FIELDS + ("mention",):
        value = getattr(part, field, None)
        unknown = [a for a in ([value] if isinstance(value, str) else value or []) if not _resolves(watch, a)]
        if unknown:
            found.append((field, unknown, "expected a declared actor or a state weaklink can resolve (e.g. \"CHN\")"))
    return found


def _check_rules(watch: WatchFile, text: str, origin: str) -> None:
    """Rules may only name datasets, kinds, framing terms, actors and blocs that exist."""
    for index, signpost in enumerate(watch.signposts):
        for path, part in _rule_parts(signpost.rule, ["signposts", index, "rule"]):
            for field, unknown, expected in _unknown_values(watch, part):
                word = "framing term(s)" if field == "terms" else "value(s)"
                _fail(origin, text, path + [field], f"unknown {word} {unknown}; {expected}",
                      line_path=["signposts", index, "rule"])
            if getattr(part, "bloc", None) and part.bloc not in watch.blocs:
                _fail(origin, text, path + ["bloc"], f"unknown bloc {part.bloc!r}",
                      line_path=["signposts", index, "rule"])


def _check_ach(watch: WatchFile, text: str, origin: str) -> None:
    """Signpost, scenario and evidence references must name things the file declares."""
    _check_rules(watch, text, origin)
    signposts = {s.id for s in watch.signposts}
    hypotheses = [h.id for h in watch.hypotheses]
    for index, scenario in enumerate(watch.scenarios):
        unknown = [s for s in scenario.signposts if s not in signposts]
        if unknown:
            _fail(origin, text, ["scenarios", index, "signposts"], f"unknown signpost(s) {unknown}; "
                  "expected ids declared under [[signposts]]")
    for index, item in enumerate(watch.evidence):
        if item.signpost and item.signpost not in signposts:
            _fail(origin, text, ["evidence", index, "signpost"], f"unknown signpost {item.signpost!r}; "
                  "expected an id declared under [[signposts]]")
        for field in ("ratings", "when_emerging", "when_not_seen"):
            given = getattr(item, field)
            if given is not None and set(given) != set(hypotheses):
                _fail(origin, text, ["evidence", index, field], f"rates {sorted(given)}; expected exactly the "
                      f"hypotheses {hypotheses}")


def _is_known_state(code: str) -> bool:
    try:
        countries.by_iso3(code)
    except UnknownCountry:
        return False
    return True


def _check_references(watch: WatchFile, text: str, origin: str) -> None:
    """Bloc members and watched dyads must name declared actors."""
    for index, actor in enumerate(watch.actors):
        if actor.cameo is None and not _is_known_state(actor.id):
            line = _line_of(text, ["actors", index, "id"])
            raise WatchFileError(f"{origin}, line {line}: key 'actors.{index}.id': {actor.id!r} is not an ISO 3166 "
                                 "alpha-3 code weaklink knows; expected e.g. \"CHN\", or set `cameo` for a "
                                 "non-state actor")
    known = {a.id for a in watch.actors}
    for name, bloc in watch.blocs.items():
        unknown = [m for m in bloc.members if m not in known]
        if unknown:
            line = _line_of(text, ["blocs", name, "members"])
            raise WatchFileError(f"{origin}, line {line}: key 'blocs.{name}.members': names undeclared "
                                 f"actors {unknown}; expected ids declared under [[actors]]")
    for actor in watch.lexicon.actors:
        if actor not in known:
            line = _line_of(text, ["lexicon", "actors", actor])
            raise WatchFileError(f"{origin}, line {line}: key 'lexicon.actors.{actor}': not a declared actor; "
                                 "expected ids declared under [[actors]]")
    _check_ach(watch, text, origin)
    _check_translations(watch, text, origin)
    for pair in watch.dyads.watch:
        if not set(pair) <= known:
            line = _line_of(text, ["dyads", "watch"])
            raise WatchFileError(f"{origin}, line {line}: key 'dyads.watch': the pair {list(pair)} names "
                                 "an undeclared actor; expected ids declared under [[actors]]")
    kinds = [*DOCUMENT_KINDS, *watch.evaluation.document_kinds]
    for index, feed in enumerate(watch.feeds):
        if not _resolves(watch, feed.issuer):
            _fail(origin, text, ["feeds", index, "issuer"], f"{feed.issuer!r} is not a declared actor or a state "
                  "weaklink can resolve; expected e.g. \"PRK\"")
        if feed.kind not in kinds:
            _fail(origin, text, ["feeds", index, "kind"], f"unknown document kind {feed.kind!r}; expected one of "
                  f"{', '.join(kinds)} (add your own under [evaluation] document_kinds)")



def _check_translations(watch: WatchFile, text: str, origin: str) -> None:
    """`[translations.LANG]` names a language code and only ids the file declares."""
    declared = {"blocs": set(watch.blocs), "signposts": {s.id for s in watch.signposts},
                "hypotheses": {h.id for h in watch.hypotheses}, "evidence": {e.id for e in watch.evidence},
                "scenarios": {s.id for s in watch.scenarios}}
    for lang, table in watch.translations.items():
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", lang):
            _fail(origin, text, ["translations", lang], "expected a language code such as \"ko\" or \"pt_BR\"")
        for section, ids in declared.items():
            unknown = sorted(set(getattr(table, section)) - ids)
            if unknown:
                _fail(origin, text, ["translations", lang, section], f"unknown id(s) {unknown}; expected ids "
                      f"declared under {section}: {', '.join(sorted(ids)) or '(none declared)'}")


def _describe(exc: ValidationError, text: str, origin: str) -> str:
    lines = []
    for error in exc.errors():
        loc = [part for part in error["loc"] if not isinstance(part, str) or not part.startswith("function-")]
        key = ".".join(str(p) for p in loc) or "(top level)"
        where = _line_of(text, loc)
        at = f", line {where}" if where else ""
        value = f" (got {error['input']!r})" if error["type"] != "missing" and not isinstance(
            error["input"], dict) else ""
        lines.append(f"{origin}{at}: key '{key}': {error['msg']}{value}")
    return "invalid watch file:\n  " + "\n  ".join(lines)


def _line_of(text: str, loc: list) -> int | None:
    """Best-effort line number of a key path in TOML text (tables, arrays of tables, keys)."""
    position, path, found = 0, [], None
    for part in loc:
        if isinstance(part, int):
            headers = [m.end() for m in re.finditer(rf"^\[\[\s*{re.escape('.'.join(path))}\s*\]\]",
                                                    text, re.M)]
            if part < len(headers):
                position = found = headers[part]
            continue
        path.append(str(part))
        header = re.compile(rf"^\[\s*{re.escape('.'.join(path))}\s*\]", re.M).search(text, position)
        key = re.compile(rf"^\s*\"?{re.escape(str(part))}\"?\s*=", re.M).search(text, position)
        match = header or key
        if match:
            position = found = match.start() if match is key else match.end()
    return None if found is None else text.count("\n", 0, found) + 1 + (0 if text[found:found + 1] != "\n" else 0)
