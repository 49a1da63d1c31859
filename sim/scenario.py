"""Scenario files: a community described in YAML, validated where it enters.

Planners edit a scenario file, never Python (DESIGN.md), so this module is the boundary where bad
input is caught, following scikit-learn's habit of validating once, at the edge, with a message that
names the field, the value and what is allowed; the model then trusts its arguments. A scenario has
these sections:

* ``community``: the initial members and the topics they talk about;
* ``arrivals``: the Bass market newcomers come from (marketing, word of mouth, referrals);
* ``member_mix``: the kinds of newcomer (``sim.agents.Segment``), with relative shares;
* ``behaviour``: every other field of ``sim.agents.Rules``, under the same name;
* ``strategy`` (optional): the operator's levers, validated by ``sim.policies.Strategy`` itself;
* ``uncertainties`` (optional): what the operator does not control (``sim.uncertainties``);
* ``run``: how many days to simulate and the seed.

Every problem, however deep (``strategy.events.calendar[0].kind``), is reported on one line with its
path. ``json_schema()`` describes the same fields for editors and for docs/scenario-reference.md.

Defaults are read from the model itself (``CommunityModel``'s signature, ``Rules``, ``Segment`` and
``DEFAULT_MIX``), so an omitted field means "what the model would do"; the packaged
``sim/scenarios/default.yaml`` writes them all out for planners to copy.

>>> scenario = parse_scenario("community: {members: 300}\\nrun: {days: 30}")
>>> model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
>>> model.run(scenario.run.days)
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
import reprlib
from collections.abc import Iterator, Mapping
from dataclasses import fields
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.json_schema import GenerateJsonSchema, NoDefault
from pydantic_core import PydanticCustomError, core_schema

from sim.agents import DEFAULT_MIX, Rules, Segment
from sim.model import CommunityModel
from sim.policies import Strategy
from sim.uncertainties import Uncertainties

_MODEL = {name: p.default for name, p in inspect.signature(CommunityModel).parameters.items()}
_RULES = Rules()
_SEGMENT = {f.name: f.default for f in fields(Segment)}

# The packaged default; a Traversable, so it also works from a zipped install.
DEFAULT_SCENARIO = resources.files("sim") / "scenarios" / "default.yaml"

BOUNDS = ("ge", "gt", "le", "lt")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
PATTERN_HINTS = {
    NAME_PATTERN: "must be letters, digits, '_', '.' or '-' (no spaces), starting with a letter "
    "or digit",
}
RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
LENGTH_ERRORS = ("too_short", "too_long", "string_too_short", "string_too_long")


class ScenarioError(Exception):
    """A scenario that cannot be used. The message lists every problem found, one per line."""

    what = "scenario"

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n  ".join([f"invalid {self.what} {source}:", *problems]))


class _Section(BaseModel):
    """Strict parsing: a scenario is hand-written, so ``true``, ``"5"`` or ``5.5`` where a whole
    number is expected are mistakes to report, not values to coerce; NaN and infinity are never
    meaningful parameters."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


Probability = Annotated[float, Field(ge=0, le=1)]
Weight = Annotated[float, Field(gt=0, le=1_000_000)]


class Community(_Section):
    members: int = Field(
        _MODEL["members"], ge=1, le=5_000_000, description="members on day 0 (the founders)"
    )
    topics: int = Field(_RULES.n_topics, ge=1, le=64, description="number of discussion topics")
    topic_popularity: list[Weight] = Field(
        list(_RULES.topic_popularity),
        max_length=64,
        description="relative popularity of each topic, one positive weight per topic; "
        "empty: a gentle Zipf curve (some topics draw more members than others)",
    )


class Arrivals(_Section):
    market_size: int = Field(
        _MODEL["market_size"],
        ge=0,
        le=1_000_000_000,
        description="potential members who may join over the run (Bass market m)",
    )
    marketing_p: Probability = Field(
        _MODEL["marketing_p"],
        description="daily share of the remaining market joining through marketing (Bass p)",
    )
    word_of_mouth_q: Probability = Field(
        _MODEL["word_of_mouth_q"],
        description="word of mouth from members (Bass q): daily joining share of the remaining "
        "market is p + q * members / market_size",
    )
    referral_conversion: Probability = Field(
        _MODEL["referral_conversion"], description="share of invitations that turn into a join"
    )


class MemberSegment(_Section):
    """One kind of newcomer; mirrors ``sim.agents.Segment`` field for field."""

    name: str = Field(min_length=1, max_length=64, description="label of the segment")
    share: Weight = Field(
        description="relative share of newcomers; shares are normalised, need not sum to 1"
    )
    intrinsic: Probability = Field(_SEGMENT["intrinsic"], description="mean intrinsic motivation")
    extrinsic: Probability = Field(_SEGMENT["extrinsic"], description="mean extrinsic sensitivity")
    visit: Probability = Field(
        _SEGMENT["visit"], description="daily visit probability when fully committed"
    )
    post: float = Field(
        _SEGMENT["post"], ge=0, le=100, description="threads per visit at full drive"
    )
    reply: float = Field(_SEGMENT["reply"], ge=0, le=100, description="replies per visit")
    react: float = Field(_SEGMENT["react"], ge=0, le=100, description="reactions per visit")
    invite: float = Field(_SEGMENT["invite"], ge=0, le=100, description="invitations per visit")
    read_budget: float = Field(
        _SEGMENT["read_budget"], ge=1, le=100_000, description="items a visit reads before overload"
    )
    favourite_topics: int = Field(
        _SEGMENT["favourite_topics"],
        ge=1,
        le=64,
        description="topics of strong interest (at most community.topics)",
    )
    spread: float = Field(
        _SEGMENT["spread"], ge=0, le=5, description="sd of the log-normal jitter of propensities"
    )
    toxic: Probability = Field(
        _SEGMENT["toxic"], description="chance that a thread by this kind of member is toxic"
    )
    chatter: Probability = Field(
        _SEGMENT["chatter"],
        description="share of this kind of member's threads that are off-topic chatter",
    )

    @classmethod
    def of(cls, segment: Segment) -> MemberSegment:
        return cls(**{f.name: getattr(segment, f.name) for f in fields(Segment)})


def _default_mix() -> list[MemberSegment]:
    return [MemberSegment.of(segment) for segment in DEFAULT_MIX]


class Behaviour(_Section):
    """Every ``Rules`` field not set elsewhere in the scenario, under its ``Rules`` name."""

    # motivation (Deci, Koestner & Ryan 1999)
    motivation_spread: float = Field(
        _RULES.motivation_spread,
        ge=0,
        le=5,
        description="sd of intrinsic/extrinsic motivation on the logit scale",
    )
    need_spread: float = Field(
        _RULES.need_spread,
        ge=0,
        le=5,
        description="sd of the log of each member's need for information",
    )
    # visiting
    visit_floor: Probability = Field(
        _RULES.visit_floor, description="share of the visit propensity kept at zero loyalty"
    )
    novelty: Probability = Field(
        _RULES.novelty,
        description="newcomers' extra visit probability on the join day, fading in a week",
    )
    reply_pull: Probability = Field(
        _RULES.reply_pull, description="extra visit probability when replies await"
    )
    # benefits and costs (Ren & Kraut 2014)
    info_weight: float = Field(
        _RULES.info_weight, ge=0, le=10, description="weight of the information benefit"
    )
    bond_weight: float = Field(
        _RULES.bond_weight, ge=0, le=10, description="weight of the bond benefit"
    )
    identity_weight: float = Field(
        _RULES.identity_weight, ge=0, le=10, description="weight of the identity benefit (events)"
    )
    fun_weight: float = Field(
        _RULES.fun_weight, ge=0, le=10, description="weight of fun and recognition"
    )
    bond_scale: float = Field(
        _RULES.bond_scale,
        ge=0.01,
        le=100,
        description="tie strength to active members giving ~63% of the bond benefit",
    )
    reply_bond: float = Field(
        _RULES.reply_bond,
        ge=0,
        le=10,
        description="tie-strength equivalent of one reply received today",
    )
    fun_scale: float = Field(
        _RULES.fun_scale,
        ge=0.01,
        le=1000,
        description="reactions received giving ~63% of the fun benefit",
    )
    offtopic_cost: float = Field(
        _RULES.offtopic_cost, ge=0, le=10, description="reading cost of an all off-topic feed"
    )
    overload_cost: float = Field(
        _RULES.overload_cost, ge=0, le=10, description="largest cost of more to read than time"
    )
    # loyalty
    aspiration: float = Field(
        _RULES.aspiration,
        ge=-10,
        le=10,
        description="net benefit at which loyalty neither grows nor shrinks",
    )
    temperature: float = Field(
        _RULES.temperature,
        ge=0.001,
        le=10,
        description="how gently loyalty responds to net benefit",
    )
    loyalty_rate: Probability = Field(
        _RULES.loyalty_rate, description="per visit, share of the gap to the target loyalty closed"
    )
    early_weight: float = Field(
        _RULES.early_weight,
        ge=0,
        le=100,
        description="extra weight of the first ~10 visits in forming loyalty",
    )
    forget_rate: Probability = Field(
        _RULES.forget_rate, description="daily loss of loyalty on days without a visit"
    )
    interest_rate: Probability = Field(
        _RULES.interest_rate, description="per visit, drift of interest toward satisfaction"
    )
    topic_drift: Probability = Field(
        _RULES.topic_drift, description="per visit, drift of topic interest toward what satisfies"
    )
    # reinforcement of contribution (Joyce & Kraut 2006)
    drive_gain: float = Field(
        _RULES.drive_gain, ge=0, le=10, description="post drive added per reply received"
    )
    drive_decay: Probability = Field(
        _RULES.drive_decay, description="daily return of post drive toward 1"
    )
    drive_max: float = Field(_RULES.drive_max, ge=1, le=100, description="ceiling of post drive")
    first_reply_weight: float = Field(
        _RULES.first_reply_weight,
        ge=0,
        le=100,
        description="extra drive from the first replies a member ever receives (fades over ~3)",
    )
    ignored_penalty: Probability = Field(
        _RULES.ignored_penalty,
        description="share of its drive to post a member with few replies yet loses when one of "
        "its threads gets no reply (Joyce & Kraut 2006)",
    )
    # ties (Ren, Kraut & Kiesler 2007)
    tie_gain: Probability = Field(_RULES.tie_gain, description="tie strength added per reply")
    tie_decay: Probability = Field(_RULES.tie_decay, description="daily decay of every tie")
    tie_prune: Probability = Field(_RULES.tie_prune, description="ties weaker than this disappear")
    # departure
    quit_threshold: float = Field(
        _RULES.quit_threshold, ge=0.001, le=1, description="loyalty under which members may quit"
    )
    quit_rate: Probability = Field(
        _RULES.quit_rate, description="daily quit hazard at zero loyalty"
    )
    inactivity_limit: int = Field(
        _RULES.inactivity_limit,
        ge=1,
        le=3650,
        description="days without a visit after which a member counts as gone",
    )
    initial_loyalty: Probability = Field(_RULES.initial_loyalty, description="newcomers' loyalty")
    founder_loyalty: Probability = Field(_RULES.founder_loyalty, description="founders' loyalty")
    # responses to the operator's levers (sim.policies)
    attention_bond: float = Field(
        _RULES.attention_bond,
        ge=0,
        le=10,
        description="tie-strength equivalent of a welcome message or an operator reply",
    )
    event_ties: int = Field(
        _RULES.event_ties,
        ge=0,
        le=50,
        description="new ties each event attendee makes with other attendees",
    )
    removal_cost: Probability = Field(
        _RULES.removal_cost,
        description="largest cost to an author, felt on its next visit, of seeing its own posts "
        "removed by moderators",
    )
    toxicity_cost: float = Field(
        _RULES.toxicity_cost, ge=0, le=10, description="largest reading cost of toxic posts"
    )
    incentive_gain: float = Field(
        _RULES.incentive_gain,
        ge=0,
        le=10,
        description="rise of a rewarded action's rate at full extrinsic sensitivity (Hamari 2017)",
    )
    steer_gain: float = Field(
        _RULES.steer_gain,
        ge=0,
        le=100,
        description="extra rate of a badged action just before its threshold, for full steerers "
        "(Anderson et al. 2013)",
    )
    steer_threshold: float = Field(
        _RULES.steer_threshold,
        ge=0.01,
        le=1,
        description="extrinsic sensitivity from which members steer toward badges at full "
        "strength; below it, steering fades with the square of the ratio (Hoernle et al. 2022)",
    )
    substitution: Probability = Field(
        _RULES.substitution,
        description="share of the steering boost taken from the neighbouring action",
    )
    crowd_out_rate: Probability = Field(
        _RULES.crowd_out_rate,
        description="daily loss of intrinsic motivation while tangibly rewarded "
        "(Deci, Koestner & Ryan 1999)",
    )
    recognition_gain: float = Field(
        _RULES.recognition_gain,
        ge=0,
        le=0.2,
        description="rise of intrinsic motivation per recognition received "
        "(badge, rank, leaderboard place)",
    )
    recognition_weight: float = Field(
        _RULES.recognition_weight,
        ge=0,
        le=10,
        description="benefit of a recognition (badge, rank, leaderboard place)",
    )
    withdrawal_loss: float = Field(
        _RULES.withdrawal_loss,
        ge=0,
        le=10,
        description="cost felt when rewards stop, at full extrinsic sensitivity",
    )
    lure_rate: Probability = Field(
        _RULES.lure_rate,
        description="daily chance a competitor lures an uncommitted member away, at full pull",
    )


class RunSettings(_Section):
    days: int = Field(365, ge=1, le=36_500, description="days to simulate")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="root seed of every random stream")


class Scenario(_Section):
    """A validated scenario; ``model_kwargs()`` gives the arguments of ``CommunityModel``."""

    community: Community = Field(default_factory=Community, description="who is there at the start")
    arrivals: Arrivals = Field(default_factory=Arrivals, description="how newcomers arrive")
    member_mix: list[MemberSegment] = Field(
        default_factory=_default_mix,
        min_length=1,
        max_length=100,
        description="kinds of newcomer and their relative shares",
    )
    behaviour: Behaviour = Field(
        default_factory=Behaviour, description="behavioural rules shared by every member"
    )
    strategy: Strategy | None = Field(
        None,
        description="the operator's levers, staff hours and budget (sim.policies.Strategy); "
        "absent or null: no operator, the community runs unsupported. Inside, a lever left out "
        "or null is not used; a lever written as {} runs with its defaults",
    )
    uncertainties: Uncertainties | None = Field(
        None,
        description="what the operator does not control (sim.uncertainties): a competitor "
        "luring members away, seasonal swings in visiting, a trending topic; absent or null: none",
    )
    run: RunSettings = Field(default_factory=RunSettings, description="length and seed of the run")

    @model_validator(mode="before")
    @classmethod
    def _empty_sections_mean_defaults(cls, data: Any) -> Any:
        """``behaviour:`` with every line commented out is YAML null: read it as "all defaults"
        (and ``strategy:`` or ``uncertainties:`` left empty as "none")."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (k in cls.model_fields and v is None)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        """Checks that relate fields to each other; they run once every field is valid alone."""
        problems = []
        topics = self.community.topics
        weights = self.community.topic_popularity
        if weights and len(weights) != topics:
            problems.append(
                (
                    "community.topic_popularity",
                    weights,
                    f"must have one weight per topic ({topics}, community.topics) or be empty",
                )
            )
        seen = set()
        for i, segment in enumerate(self.member_mix):
            if segment.name in seen:
                problems.append(
                    (f"member_mix[{i}].name", segment.name, "segment names must be unique")
                )
            seen.add(segment.name)
            if segment.favourite_topics > topics:
                problems.append(
                    (
                        f"member_mix[{i}].favourite_topics",
                        segment.favourite_topics,
                        f"must be at most community.topics ({topics})",
                    )
                )
        problems += self._topic_references(topics)
        if problems:
            raise PydanticCustomError(
                "inconsistent", "inconsistent scenario", {"problems": problems}
            )
        return self

    def _topic_references(self, topics: int) -> list[tuple[str, object, str]]:
        """Problems with strategy and uncertainty fields that name or count topics."""
        problems = []
        below = f"must be a topic index below community.topics ({topics})"
        content = self.strategy.content if self.strategy else None
        if content is not None:
            if content.topic_mix and len(content.topic_mix) != topics:
                problems.append(
                    (
                        "strategy.content.topic_mix",
                        content.topic_mix,
                        f"must have one share per topic ({topics}, community.topics) or be empty",
                    )
                )
            if content.breadth is not None and content.breadth > topics:
                problems.append(
                    (
                        "strategy.content.breadth",
                        content.breadth,
                        f"must be at most community.topics ({topics})",
                    )
                )
        moderation = self.strategy.moderation if self.strategy else None
        if moderation is not None:
            problems += [
                (f"strategy.moderation.on_topic[{i}]", topic, below)
                for i, topic in enumerate(moderation.on_topic)
                if topic >= topics
            ]
        trend = self.uncertainties.trend if self.uncertainties else None
        if trend is not None and trend.topic >= topics:
            problems.append(("uncertainties.trend.topic", trend.topic, below))
        return problems

    @classmethod
    def rules_paths(cls) -> dict[str, str]:
        """Where each ``Rules`` field is set in a scenario: ``{rules field: dotted path}``."""
        return {
            "n_topics": "community.topics",
            "topic_popularity": "community.topic_popularity",
            "member_mix": "member_mix",
            **{name: f"behaviour.{name}" for name in Behaviour.model_fields},
        }

    def rules(self) -> Rules:
        return Rules(
            n_topics=self.community.topics,
            topic_popularity=tuple(self.community.topic_popularity),
            member_mix=tuple(Segment(**segment.model_dump()) for segment in self.member_mix),
            **self.behaviour.model_dump(),
        )

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``CommunityModel`` (all but ``rng``: pass ``self.run.seed``)."""
        return {
            "members": self.community.members,
            **self.arrivals.model_dump(),
            "rules": self.rules(),
            "strategy": self.strategy,
            "uncertainties": self.uncertainties,
        }


# ---- the JSON Schema of a scenario file ---------------------------------------------------------
# Units of the fields that have one, by schema path (``[]``: every list item, ``<name>``: every key
# of a mapping). ``test_scenario`` checks that every path is a field, so a renamed field fails there.
UNITS = {
    "community.members": "members",
    "community.topics": "topics",
    "arrivals.market_size": "people",
    "arrivals.marketing_p": "share per day",
    "arrivals.word_of_mouth_q": "share per day",
    "member_mix[].visit": "probability per day",
    "member_mix[].post": "threads per visit",
    "member_mix[].reply": "replies per visit",
    "member_mix[].react": "reactions per visit",
    "member_mix[].invite": "invitations per visit",
    "member_mix[].read_budget": "items per visit",
    "member_mix[].favourite_topics": "topics",
    "behaviour.novelty": "probability per day",
    "behaviour.reply_pull": "probability per day",
    "behaviour.bond_scale": "tie strength",
    "behaviour.reply_bond": "tie strength",
    "behaviour.fun_scale": "reactions",
    "behaviour.loyalty_rate": "share per visit",
    "behaviour.forget_rate": "share per day",
    "behaviour.interest_rate": "share per visit",
    "behaviour.topic_drift": "share per visit",
    "behaviour.drive_gain": "drive per reply",
    "behaviour.drive_decay": "share per day",
    "behaviour.tie_gain": "tie strength per reply",
    "behaviour.tie_decay": "share per day",
    "behaviour.tie_prune": "tie strength",
    "behaviour.quit_rate": "probability per day",
    "behaviour.inactivity_limit": "days",
    "behaviour.attention_bond": "tie strength",
    "behaviour.event_ties": "ties per attendee",
    "behaviour.crowd_out_rate": "share per day",
    "behaviour.lure_rate": "probability per day",
    "strategy.hours_per_day": "staff hours per day",
    "strategy.budget": "money (whole run)",
    "strategy.content.posts_per_day": "posts per day",
    "strategy.content.topic_mix": "relative weights",
    "strategy.content.breadth": "topics",
    "strategy.content.formats.<name>.share": "relative weight",
    "strategy.content.formats.<name>.engagement": "times a text post",
    "strategy.content.formats.<name>.hours": "staff hours per item",
    "strategy.content.formats.<name>.money": "money per item",
    "strategy.events.calendar[].day": "day of the run",
    "strategy.events.calendar[].every": "days",
    "strategy.events.calendar[].start": "day of the run",
    "strategy.events.calendar[].until": "day of the run",
    "strategy.events.calendar[].promotion_days": "days",
    "strategy.events.calendar[].capacity": "members",
    "strategy.events.calendar[].hours": "staff hours per event",
    "strategy.events.calendar[].money": "money per event",
    "strategy.incentives.start": "day of the run",
    "strategy.incentives.stop": "day of the run",
    "strategy.incentives.points": "points per action",
    "strategy.incentives.badges[].threshold": "actions",
    "strategy.incentives.ranks": "points",
    "strategy.incentives.leaderboard": "members",
    "strategy.incentives.redeem_at": "points",
    "strategy.incentives.money_per_point": "money per point",
    "strategy.incentives.hours_per_day": "staff hours per day",
    "strategy.moderation.on_topic": "topic indices (0 = first)",
    "strategy.moderation.hours_per_100_posts": "staff hours per 100 posts",
    "strategy.onboarding.welcome_hours": "staff hours per message",
    "strategy.onboarding.reply_hours": "staff hours per reply",
    "strategy.recruitment.campaigns[].start": "day of the run",
    "strategy.recruitment.campaigns[].end": "day of the run",
    "strategy.recruitment.campaigns[].extra_p": "share per day",
    "strategy.recruitment.campaigns[].cost_per_join": "money per join",
    "strategy.recruitment.referral_reward": "money per referral join",
    "strategy.recruitment.invite_boost": "times",
    "strategy.winback.inactive_days": "days",
    "strategy.winback.cadence": "days",
    "strategy.winback.max_messages": "messages per member",
    "strategy.winback.hours_per_100": "staff hours per 100 messages",
    "strategy.winback.money_per_message": "money per message",
    "strategy.adaptive.window": "days",
    "strategy.adaptive.every": "days",
    "uncertainties.competitor.start": "day of the run",
    "uncertainties.seasonality.peak_day": "day of the year",
    "uncertainties.trend.day": "day of the run",
    "uncertainties.trend.topic": "topic index (0 = first)",
    "uncertainties.trend.duration": "days",
    "run.days": "days",
}


class _SchemaWithDefaults(GenerateJsonSchema):
    """Pydantic's JSON Schema, also showing defaults made by a factory (``member_mix``, a content
    lever's ``formats``, the points per action), which pydantic leaves out; a whole section's
    default is left to its fields."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            value = factory()
            return NoDefault if isinstance(value, BaseModel) else value
        return super().get_default_value(schema)


def json_schema() -> dict:
    """The JSON Schema of a scenario file, with every field's description, default, bounds and
    allowed values, and a ``unit`` where there is one (``UNITS``).

    ``commsim schema`` prints it; an editor given it (``# yaml-language-server: $schema=...`` at the
    top of a file, with VS Code's YAML extension) completes and checks scenario files. It describes
    the same rules ``parse_scenario`` applies, except the checks across fields.
    """
    schema = Scenario.model_json_schema(schema_generator=_SchemaWithDefaults)
    schema["title"] = "commsim scenario"
    schema["description"] = (
        "An online community, its newcomers and their behaviour, optionally the operator's "
        "strategy and the world's uncertainties, and the run's length and seed. "
        "Every key may be left out: it keeps its default."
    )
    for name, prop in schema["properties"].items():
        if "$ref" in prop:  # an empty section (YAML null) means all its defaults
            schema["properties"][name] = {
                "anyOf": [{"$ref": prop.pop("$ref")}, {"type": "null"}],
                **prop,
            }
    for path, prop in schema_fields(schema):
        if path in UNITS:
            prop["unit"] = UNITS[path]
    return schema


def schema_fields(schema: dict) -> Iterator[tuple[str, dict]]:
    """Every field of the scenario schema, parents before children: ``(path, field schema)``.

    Paths are dotted; ``[]`` stands for every item of a list (``member_mix[].share``) and
    ``<name>`` for every key of a mapping (``strategy.content.formats.<name>.hours``).
    """
    return _fields_of(schema, schema, "")


def resolve(schema: dict, node: dict) -> dict:
    """The schema a field's value must match, with ``$ref`` followed and an ``or null`` dropped."""
    kinds = [k for k in node.get("anyOf", ()) if k.get("type") != "null"]
    if len(kinds) == 1:
        node = kinds[0]
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _fields_of(schema: dict, node: dict, path: str) -> Iterator[tuple[str, dict]]:
    for name, prop in resolve(schema, node).get("properties", {}).items():
        field_path = f"{path}.{name}" if path else name
        yield field_path, prop
        yield from _inside(schema, prop, field_path)


def _inside(schema: dict, prop: dict, path: str) -> Iterator[tuple[str, dict]]:
    """The fields within a field's value: a section's, a list item's or a mapping value's."""
    target = resolve(schema, prop)
    if "properties" in target:
        yield from _fields_of(schema, target, path)
    elif target.get("type") == "array":
        yield from _inside(schema, target["items"], f"{path}[]")
    elif isinstance(target.get("additionalProperties"), dict):
        yield from _inside(schema, target["additionalProperties"], f"{path}.<name>")


def load_scenario(
    path: str | Path | None = None, overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Read and validate a scenario file (``None``: the packaged default).

    ``overrides`` maps dotted paths to values (``{"community.members": 200}``) and is applied before
    validation, so a value given on the command line is checked exactly like one in the file, and
    every problem, in the file or in the overrides, is reported at once.
    """
    if path is None:
        return parse_scenario(DEFAULT_SCENARIO.read_text(encoding="utf-8"), "(default)", overrides)
    return parse_scenario(read_text(path), str(path), overrides)


def read_text(path: str | Path) -> str:
    """The text of a scenario (or sweep) file; ``ScenarioError`` naming the file if unreadable."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, ["file not found"]) from None
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise ScenarioError(source, [problem]) from None
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        reason = getattr(exc, "strerror", None) or exc
        raise ScenarioError(source, [f"cannot read the file: {reason}"]) from None
    return text


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading numbers as YAML 1.2 does: ``3e-4`` is a float, not text.

    Planners write rates such as ``marketing_p: 3e-4``; YAML 1.1 (PyYAML's default) would read that
    as the string "3e-4". Only the float pattern changes; nothing here constructs Python objects.
    """


_ScenarioLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def parse_scenario(
    text: str, source: str = "(text)", overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Validate scenario YAML; raises ``ScenarioError`` (and nothing else) for any bad input."""
    data = read_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(
            source,
            [
                f"(top level): got {_show(data)}; expected a mapping of sections "
                f"({', '.join(Scenario.model_fields)})"
            ],
        )
    if overrides:
        data = apply_overrides(data, overrides)
        source += " with " + ", ".join(f"{k}={_show(v)}" for k, v in overrides.items())
    return validate_scenario(data, source)


def validate_scenario(data: dict, source: str = "(data)") -> Scenario:
    """Validate a scenario given as plain data (the parsed YAML); raises ``ScenarioError``."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, explain(exc)) from None


def read_yaml(text: str, source: str = "(text)") -> Any:
    """Parse YAML safely, reading numbers as YAML 1.2 does; an empty document is ``{}``.

    Raises ``ScenarioError`` naming ``source`` for text that is not YAML."""
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [f"YAML syntax error{where}: {problem}"]) from None
    except RecursionError:
        raise ScenarioError(source, ["YAML nested too deeply to read"]) from None
    # PyYAML's constructors raise plain Python errors for values such as 2024-13-45 or integers
    # over 4300 digits.
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(source, [f"unreadable YAML value: {exc}"]) from None
    return {} if data is None else data  # an empty file, or only comments: every default


def apply_overrides(data: dict, overrides: Mapping[str, object]) -> dict:
    """A copy of ``data`` with each dotted path set; a path through a non-mapping is left for
    validation to report (the section is wrong whatever the override says)."""
    result = dict(data)
    for path, value in overrides.items():
        *sections, key = path.split(".")
        node = result
        for name in sections:
            child = node.get(name)
            if child is not None and not isinstance(child, dict):
                break
            node[name] = dict(child or {})
            node = node[name]
        else:
            node[key] = value
    return result


# ---- explaining validation errors -------------------------------------------------------------
def explain(exc: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """Every problem of a pydantic ``ValidationError`` on ``root`` (default: ``Scenario``), one line
    each: ``path: got value; what is allowed``."""
    return [line for e in exc.errors() for line in _explain(e, root or Scenario)]


def _explain(error: dict, root: type[BaseModel]) -> list[str]:
    """One line per problem: ``path: got value; what is allowed``."""
    kind, loc = error["type"], error["loc"]
    if kind == "inconsistent":
        return [
            f"{path}: got {_show(value)}; {allowed}"
            for path, value, allowed in error["ctx"]["problems"]
        ]
    path, annotation, metadata = _locate(loc, root)
    value = _show(error["input"])
    if loc and loc[-1] == "[key]":  # a mapping's key, e.g. of ``points: {post: 10}``
        names = _names(loc[:-2], root)
        if names:
            return [f"{path}: unknown key; {_allowed(names, loc[-2])}"]
        return [f"{path}: key {value} is not text; write it as a name"]
    if kind == "extra_forbidden":
        allowed = _allowed(_names(loc[:-1], root), loc[-1])
        return [f"{path}: unknown key (value {value}); {allowed}"]
    if kind == "invalid_key":
        section = _locate(loc[:-1], root)[0]
        allowed = _allowed(_names(loc[:-1], root), loc[-1])
        return [f"{section}: key {loc[-1]} is not text; {allowed}"]
    if kind == "missing":
        return [f"{path}: missing; expected {_expected(annotation, metadata)}"]
    if kind == "literal_error":
        return [f"{path}: got {value}; must be one of {', '.join(map(str, _choices(annotation)))}"]
    if kind == "value_error":  # a lever's own check across its fields (a model validator)
        return [f"{path}: got {value}; {error.get('ctx', {}).get('error', error['msg'])}"]
    if kind in RANGE_ERRORS:
        return [f"{path}: got {value}; must be {_bounds(metadata) or _bounds([error['ctx']])}"]
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return [f"{path}: got {value}; {PATTERN_HINTS.get(pattern, f'must match {pattern}')}"]
    if kind == "finite_number":
        return [f"{path}: got {value}; must be a finite number{_bounds(metadata, ' ')}"]
    if kind in LENGTH_ERRORS:
        unit = "characters" if kind.startswith("string") else "items"
        return [f"{path}: got {value}; must have {_lengths(metadata)} {unit}"]
    expected = f"expected {_expected(annotation, metadata)}"
    if _number_as_text(error["input"]):
        expected += f" (YAML read {value} as text; write it with no quotes)"
    return [f"{path}: got {value}; {expected}"]


def _locate(loc: tuple, root: type[BaseModel]) -> tuple[str, Any, list]:
    """The dotted path of ``loc`` and the annotation and constraints of the value found there.

    Walks the scenario's types: sections and levers (pydantic models) by field name, lists by index
    (``member_mix[0]``), mappings by key (``strategy.content.formats.video``). ``[key]``, pydantic's
    mark of a problem with a mapping's key rather than its value, is left to ``_explain``.
    """
    path, annotation, metadata = "", root, []
    for part in loc:
        annotation = _optional_of(annotation)
        origin = get_origin(annotation)
        if part == "[key]":  # the key itself is wrong; _explain looks at its type
            continue
        if origin is list and isinstance(part, int):
            path = f"{path}[{part}]"
            annotation, metadata = _item(get_args(annotation)[0])
        else:
            path = f"{path}.{part}" if path else str(part)
            if origin is dict:
                annotation, metadata = _item(get_args(annotation)[1])
            elif _is_model(annotation) and part in annotation.model_fields:
                field = annotation.model_fields[part]
                annotation, metadata = field.annotation, field.metadata
            else:
                annotation, metadata = None, []
    return path or "(top level)", annotation, metadata


def _item(annotation: Any) -> tuple[Any, list]:
    """The type of a list item or mapping value, and its constraints (from ``Annotated``)."""
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        return annotation, [m for info in extra for m in getattr(info, "metadata", [info])]
    return annotation, []


def _optional_of(annotation: Any) -> Any:
    """``X`` for ``X | None``; anything else unchanged."""
    if get_origin(annotation) in (Union, UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _names(where: tuple | Any, root: type[BaseModel] | None = None) -> list[str]:
    """The keys allowed at a location (a ``loc`` tuple below ``root``) or in a type: a model's
    fields, or the named keys of a mapping such as ``points``; empty when any name will do."""
    located = _locate(where, root or Scenario)[1] if isinstance(where, tuple) else where
    annotation = _optional_of(located)
    if _is_model(annotation):
        return list(annotation.model_fields)
    if get_origin(annotation) is dict:
        return [str(c) for c in _choices(_item(get_args(annotation)[0])[0])]
    return []


def _allowed(names: list[str], key: object) -> str:
    hint = difflib.get_close_matches(str(key), names, n=1)
    suggestion = f" (did you mean {hint[0]}?)" if hint else ""
    return f"allowed keys: {', '.join(names)}{suggestion}"


def _choices(annotation: Any) -> tuple:
    """The values of a ``Literal[...]`` type (empty for any other type)."""
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def _expected(annotation: Any, metadata: list) -> str:
    """``null or a whole number between 1 and 64``: the kind of value and its bounds."""
    value = _optional_of(annotation)
    text = f"{_kind(value)}{_bounds(metadata, ' ')}"
    return text if value is annotation else f"null or {text}"


def _kind(annotation: Any) -> str:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin is list:
        return f"a list, each item {_kind(get_args(annotation)[0])}"
    if origin is dict:
        names = _names(annotation)
        keys = f"keys among {', '.join(names)}" if names else "a name as each key"
        return f"a mapping with {keys}, each value {_kind(get_args(annotation)[1])}"
    if origin is Literal:
        return f"one of {', '.join(map(str, _choices(annotation)))}"
    if _is_model(annotation):
        return f"a mapping with keys {', '.join(annotation.model_fields)}"
    return {int: "a whole number", float: "a number", str: "text", bool: "true or false"}.get(
        annotation, "a valid value"
    )


def _bounds(constraints: list, prefix: str = "") -> str:
    """``between 0 and 1``, ``greater than 0``, ``at least 1``... from annotated-types bounds."""
    found = {}
    for c in constraints:
        for name in BOUNDS:
            value = c.get(name) if isinstance(c, dict) else getattr(c, name, None)
            if value is not None:
                found[name] = value
    ge, gt, le, lt = (None if v is None else plain_number(v) for v in map(found.get, BOUNDS))
    if ge is not None and le is not None:
        text = f"between {ge} and {le}"
    else:
        low = f"at least {ge}" if ge is not None else f"greater than {gt}" if gt is not None else ""
        high = f"at most {le}" if le is not None else f"less than {lt}" if lt is not None else ""
        text = " and ".join(t for t in (low, high) if t)
    return prefix + text if text else ""


def plain_number(value: float) -> str:
    """``1000000`` for 1e6 and ``0.5`` for 0.5: a bound or default as a planner would write it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _lengths(constraints: list) -> str:
    """``between 1 and 100`` or ``at most 64`` from annotated-types length bounds."""
    low = max((getattr(c, "min_length", 0) for c in constraints), default=0)
    high = min(getattr(c, "max_length", None) or 2**63 for c in constraints)
    return f"between {low} and {high}" if low else f"at most {high}"


def _number_as_text(value: object) -> bool:
    """A number that YAML read as a string: quoted, or PyYAML's YAML 1.1 ``3e-4`` (no point)."""
    try:
        return isinstance(value, str) and math.isfinite(float(value))
    except ValueError:
        return False


class _ValueRepr(reprlib.Repr):
    """Short, YAML-flavoured renderings of any loaded value, however large or self-referencing."""

    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 2, 60, 60
        self.maxlist = self.maxdict = self.maxset = self.maxtuple = 4

    def repr1(self, x, level):
        if x is None:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        return super().repr1(x, level)

    def repr_int(self, x, level):
        if x.bit_length() > 200:  # too long to read, and over 4300 digits repr() refuses
            return f"<a {int(x.bit_length() * 0.30103) + 1}-digit integer>"
        return repr(x)


_show = _ValueRepr().repr
