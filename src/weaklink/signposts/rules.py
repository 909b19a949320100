"""Signpost rules as the watch file declares them (validated by pydantic on load).

Each rule yields a status: `seen` when its condition holds in the window, `emerging` when its optional
`emerging` rule holds (or, for `all`, when some but not all parts hold), `no_data` when the data it rests
on do not cover enough of its window to tell, else `not_seen` (docs/signposts.md has the truth tables).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Values a rule may name, checked on load (watch.py): a typo is an error, never a silent "not seen".
# What the ingest writes into `events`: media-coded datasets (ingest/gdelt.py, ingest/events.py) and the timeline.
MEDIA_DATASETS = ("gdelt", "icews", "phoenix", "polecat")
EVENT_DATASETS = (*MEDIA_DATASETS, "curated")
DOCUMENT_KINDS = ("statement", "joint_statement", "readout", "speech", "transcript", "press_conference",
                  "interview", "article", "communique", "declaration", "treaty", "letter", "report")


MAX_COUNT = 10**9
MAX_DAYS = 36525  # 100 years


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # numbers are finite: no nan, no inf
    emerging: Rule | None = None  # a weaker condition; holding it makes the signpost `emerging`


class EventRule(_Rule):
    """Events (media-coded or curated) in the window matching every given filter, at least `min_count`."""

    kind: Literal["event"]
    datasets: list[str] = ["curated"]
    actors_all: list[str] = []        # every one of these takes part
    actors_any: list[str] = []        # at least one of these takes part
    source: list[str] = []            # the initiator (actor 1 / the timeline's first actor) is one of these
    target: list[str] = []            # the other side is one of these
    cameo_codes: list[str] = []       # event codes (prefix match: "07" = the root, "072" = the code)
    kinds: list[str] = []             # curated kinds (summit, visit, exercise, ...)
    level: list[str] = []             # curated levels (leader, minister, official, military)
    confidence: list[str] = []        # curated confidence (high, medium, low)
    min_count: int = Field(default=1, ge=1, le=MAX_COUNT)

    @model_validator(mode="after")
    def _some_filter(self) -> EventRule:
        if not (self.actors_all or self.actors_any or self.source or self.target):
            raise ValueError("an event rule needs actors_all, actors_any, source or target")
        return self


class IndicatorRule(_Rule):
    """A named indicator's mean over the window against a threshold, its baseline, or N standard deviations."""

    kind: Literal["indicator"]
    indicator: Literal["dyad_share", "dyad_goldstein", "exchanges", "cohesion", "vote_agreement",
                       "document_mentions"]
    actors: list[str] = []            # the dyad (or bloc name for cohesion via `bloc`)
    bloc: str | None = None
    freq: Literal["month", "quarter", "year"] = "quarter"
    above: float | None = Field(default=None, ge=-1e12, le=1e12)
    below: float | None = Field(default=None, ge=-1e12, le=1e12)
    sd: float | None = Field(default=None, gt=0, le=1000)   # seen when the window mean is >= sd baseline SDs above
    ratio: float | None = Field(default=None, gt=0, le=1e6)  # seen when window mean / baseline mean >= ratio
    baseline_since: str | None = None
    baseline_until: str | None = None
    # document_mentions: mean name count of `mention` in documents by `issuers` about `parties`
    mention: str | None = None
    issuers: list[str] = []
    parties: list[str] = []
    doc_kinds: list[str] = []

    @model_validator(mode="after")
    def _one_test(self) -> IndicatorRule:
        tests = [t for t in (self.above, self.below, self.sd, self.ratio) if t is not None]
        if len(tests) != 1:
            raise ValueError("an indicator rule needs exactly one of above, below, sd, ratio")
        if (self.sd or self.ratio) and not (self.baseline_since and self.baseline_until):
            raise ValueError("sd and ratio tests need baseline_since and baseline_until")
        return self


class VoteRule(_Rule):
    """Two states voted differently on at least `min_splits` decisions of a body (and issue) in the window."""

    kind: Literal["vote"]
    states: list[str] = Field(min_length=2, max_length=2)
    body: Literal["unga", "unsc"] = "unsc"
    issue: str | None = None
    min_splits: int = Field(default=1, ge=1, le=MAX_COUNT)
    veto_only: bool = False   # only splits where one of the two cast a veto


class DocumentRule(_Rule):
    """Documents by `issuers` about `parties` that mention `mention` and/or contain one of `terms`."""

    kind: Literal["document"]
    issuers: list[str] = Field(min_length=1)
    parties: list[str] = []           # the document's parties include all of these
    mention: str | None = None
    min_mentions: int = Field(default=1, ge=1, le=MAX_COUNT)
    terms: list[str] = []             # framing term ids (any)
    doc_kinds: list[str] = []
    min_documents: int = Field(default=1, ge=1, le=MAX_COUNT)

    @model_validator(mode="after")
    def _something_to_find(self) -> DocumentRule:
        if not self.mention and not self.terms:
            raise ValueError("a document rule needs `mention` or `terms`")
        return self


class AllRule(_Rule):
    kind: Literal["all"]
    rules: list[Rule] = Field(min_length=1)


class AnyRule(_Rule):
    kind: Literal["any"]
    rules: list[Rule] = Field(min_length=1)


Rule = Annotated[Union[EventRule, IndicatorRule, VoteRule, DocumentRule, AllRule, AnyRule],
                 Field(discriminator="kind")]

for _model in (_Rule, EventRule, IndicatorRule, VoteRule, DocumentRule, AllRule, AnyRule):
    _model.model_rebuild()


class Signpost(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    question: str
    window_days: int = Field(default=365, ge=1, le=MAX_DAYS)
    rule: Rule
    note: str = ""


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = ""
    signposts: list[str] = Field(min_length=1)
    # What the scenario would mean for the reader, in the analyst's words: the briefing shows these when any of
    # the scenario's signposts is seen or emerging.
    implications: list[str] = []
