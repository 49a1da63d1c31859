"""Scenario files: a community described in YAML, validated where it enters.

Planners edit a scenario file, never Python (DESIGN.md), so this module is the boundary where bad
input is caught, following scikit-learn's habit of validating once, at the edge, with a message that
names the field, the value and what is allowed; the model then trusts its arguments. A scenario has
these sections:

* ``community``: the initial members and the topics they talk about;
* ``arrivals``: the Bass market newcomers come from (marketing, word of mouth, referrals);
* ``member_mix``: the kinds of newcomer (``sim.agents.Segment``), with relative shares;
* ``platform``: how members see and choose items and what volume costs them
  (``sim.world.platform.Platform``: chat_group, forum, feed, or Ren & Kraut's stream);
* ``groups`` (optional): the community's groups or channels, each with its platform, cap and topics
  (``sim.world.groups``); absent: one feed on the ``platform`` above, as before;
* ``behaviour``: every other field of ``sim.agents.Rules``, under the same name;
* ``strategy`` (optional): the operator's levers, validated by ``sim.policies.Strategy`` itself;
* ``uncertainties`` (optional): what the operator does not control (``sim.world.uncertainties``);
* ``hours`` (optional): members' activity profiles by hour and weekday (``sim.world.hours``);
* ``run``: how many days to simulate and the seed.

Every problem, however deep (``strategy.events.calendar[0].kind``), is reported on one line with its
path. ``json_schema()`` describes the same fields for editors and for docs/scenario-reference.md.

Defaults are read from the model itself (``CommunityModel``'s signature, ``Rules``, ``Segment`` and
``DEFAULT_MIX``), so an omitted field means "what the model would do"; the packaged
``sim/scenarios/default.yaml`` writes them all out for planners to copy. The ``behaviour`` and
``member_mix`` sections are derived whole from ``Rules`` and ``Segment`` (``section_of``): each
parameter's meaning, unit and bounds are declared there, once.

>>> from sim.config import parse_scenario
>>> scenario = parse_scenario("community: {members: 300}\\nrun: {days: 30}")
>>> model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
>>> model.run(scenario.run.days)
"""

from __future__ import annotations

import inspect
from dataclasses import MISSING, fields
from typing import Annotated, Any, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.agents import DEFAULT_MIX, Rules, Segment
from sim.model import CommunityModel
from sim.policies import LEVERS, Strategy, on_registry_change
from sim.world.groups import MAX_GROUPS, GroupSpec
from sim.world.hours import ActiveHours
from sim.world.parameters import described
from sim.world.platform import Platform
from sim.world.settings import Probability, setting
from sim.world.uncertainties import Uncertainties

_MODEL = {name: p.default for name, p in inspect.signature(CommunityModel).parameters.items()}
_RULES = Rules()


class Section(BaseModel):
    """Strict parsing: a scenario is hand-written, so ``true``, ``"5"`` or ``5.5`` where a whole
    number is expected are mistakes to report, not values to coerce; NaN and infinity are never
    meaningful parameters."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


Weight = Annotated[float, Field(gt=0, le=1_000_000)]
Amount = Annotated[float, Field(ge=0, le=1_000_000_000)]


class Community(Section):
    members: int = setting(
        _MODEL["members"],
        ge=1,
        le=5_000_000,
        description="members on day 0 (the founders)",
        unit="members",
    )
    topics: int = setting(
        _RULES.n_topics,
        ge=1,
        le=64,
        description="number of discussion topics",
        unit="topics",
    )
    topic_popularity: list[Weight] = Field(
        list(_RULES.topic_popularity),
        max_length=64,
        description="relative popularity of each topic, one positive weight per topic; "
        "empty: a gentle Zipf curve (some topics draw more members than others)",
    )
    founder_weights: list[Amount] = Field(
        list(_RULES.founder_weights),
        max_length=100_000,
        description="how much each of the first founders writes relative to the others, one "
        "weight per founder (e.g. each one's contributions in a log): they visit with the member "
        "mix's mean probability (or as founder_visits says) and write its mean threads and "
        "replies per visit times their weight over the weights' mean; empty: drawn from the "
        "member mix like everyone's",
    )
    founder_visits: list[Amount] = Field(
        list(_RULES.founder_visits),
        max_length=100_000,
        description="how often each of the first founders visits relative to the others, one "
        "weight per weighted founder (e.g. each one's days with a contribution in a log): the "
        "member mix's mean visiting probability times the weight over the weights' mean, at most "
        "1, their writing per visit scaled so that founder_weights still sets what each writes; "
        "empty: every weighted founder at the mean",
    )


class Arrivals(Section):
    market_size: int = setting(
        _MODEL["market_size"],
        ge=0,
        le=1_000_000_000,
        description="potential members who may join over the run (Bass market m)",
        unit="people",
    )
    marketing_p: Probability = setting(
        _MODEL["marketing_p"],
        description="daily share of the remaining market joining through marketing (Bass p)",
        unit="share per day",
    )
    word_of_mouth_q: Probability = setting(
        _MODEL["word_of_mouth_q"],
        description="word of mouth from members (Bass q): daily joining share of the remaining "
        "market is p + q * members / market_size",
        unit="share per day",
    )
    referral_conversion: Probability = Field(
        _MODEL["referral_conversion"], description="share of invitations that turn into a join"
    )


def section_of(
    parameters: type, name: str, doc: str, base: type[Section] | None = None
) -> type[Section]:
    """A scenario section (a ``Section`` named ``name``) with a field for every parameter of the
    dataclass ``parameters`` declared with ``sim.world.parameters.parameter``: same name, order,
    type and default, its bounds, its doc as description and its unit in the JSON Schema."""
    types = get_type_hints(parameters)
    definitions = {}
    for declared in fields(parameters):
        about = described(declared)
        if about is None:
            continue
        default = ... if declared.default is MISSING else declared.default
        definitions[declared.name] = (
            types[declared.name],
            setting(default, description=about["doc"], unit=about["unit"], **about["bounds"]),
        )
    return create_model(
        name, __base__=base or Section, __doc__=doc, __module__=__name__, **definitions
    )


class _SegmentSection(Section):
    @classmethod
    def of(cls, segment: Segment) -> Section:
        """The scenario's ``member_mix`` item of a model ``Segment``."""
        return cls(**{f.name: getattr(segment, f.name) for f in fields(Segment)})


MemberSegment = section_of(
    Segment,
    "MemberSegment",
    "One kind of newcomer: the fields of ``sim.agents.Segment``, declared there.",
    base=_SegmentSection,
)


def _default_mix() -> list[Section]:
    return [MemberSegment.of(segment) for segment in DEFAULT_MIX]


Behaviour = section_of(
    Rules,
    "Behaviour",
    "Every ``Rules`` field not set elsewhere in the scenario, under its ``Rules`` name (declared "
    "in ``sim.agents.Rules``).",
)


PlatformSection = section_of(
    Platform,
    "PlatformSection",
    "How members see and choose the day's items and what volume costs them: the fields of "
    "``sim.world.platform.Platform``, declared there.",
)


class GroupSection(Section):
    """One group or channel of the community (``sim.world.groups``)."""

    name: str = Field(min_length=1, max_length=64, description="the group's name (unique)")
    platform: PlatformSection = Field(
        default_factory=PlatformSection,
        description="how the group's members see its items and what its volume costs them (the "
        "fields of the scenario's platform section): chat_group, forum, feed or stream",
    )
    cap: int | None = setting(
        None,
        ge=1,
        le=100_000_000,
        unit="members",
        description="most members the group takes (WeChat's platform rule: 500 per group); a "
        "full group refuses joins; null: no cap",
    )
    topics: list[int] = Field(
        [],
        max_length=64,
        description="topic indices the group is about (newcomers join by topic fit, threads go "
        "to the author's group holding their topic); empty: every topic",
    )

    def spec(self) -> GroupSpec:
        return GroupSpec(
            self.name, Platform(**self.platform.model_dump()), self.cap, tuple(self.topics)
        )


class RunSettings(Section):
    days: int = setting(365, ge=1, le=36_500, description="days to simulate", unit="days")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="root seed of every random stream")


class Scenario(Section):
    """A validated scenario; ``model_kwargs()`` gives the arguments of ``CommunityModel``."""

    community: Community = Field(default_factory=Community, description="who is there at the start")
    arrivals: Arrivals = Field(default_factory=Arrivals, description="how newcomers arrive")
    member_mix: list[MemberSegment] = Field(
        default_factory=_default_mix,
        min_length=1,
        max_length=100,
        description="kinds of newcomer and their relative shares",
    )
    platform: PlatformSection = Field(
        default_factory=PlatformSection,
        description="the platform: chat_group, forum (the default: a young community's most "
        "likely home), feed, or stream (Ren & Kraut's unfiltered stream); it decides how members "
        "see and choose items and what unread volume costs them",
    )
    groups: list[GroupSection] | None = Field(
        None,
        min_length=1,
        max_length=MAX_GROUPS // 2,
        description="the community's groups or channels, each with its own platform, cap and "
        "topics (sim.world.groups): members belong to one or more and read each by its "
        "platform's rules, sharing their reading time; absent or null: one feed on `platform`",
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
        description="what the operator does not control (sim.world.uncertainties): a competitor "
        "luring members away, seasonal swings in visiting, a trending topic; absent or null: none",
    )
    hours: ActiveHours | None = Field(
        None,
        description="active hours (sim.world.hours): members' hour-of-day x weekday activity "
        "profiles by segment; visits, reading and replies happen in hours and items age within "
        "the day. Absent or null: the day-only model",
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

    @model_serializer(mode="wrap")
    def _without_absent_groups(self, handler):
        """``groups`` left out (null) and ``community.founder_weights`` and
        ``founder_visits`` left empty are not written: a scenario without them dumps, stores and
        keys its runs exactly as before the fields existed."""
        data = handler(self)
        if isinstance(data, dict) and data.get("groups", 0) is None:
            del data["groups"]
        community = data.get("community") if isinstance(data, dict) else None
        for unset in ("founder_weights", "founder_visits"):
            if isinstance(community, dict) and community.get(unset, 0) == []:
                del community[unset]
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
        founder_weights = self.community.founder_weights
        if founder_weights and not any(founder_weights):
            problems.append(
                ("community.founder_weights", founder_weights, "at least one must be above 0")
            )
        founder_visits = self.community.founder_visits
        if founder_visits and len(founder_visits) != len(founder_weights):
            problems.append(
                (
                    "community.founder_visits",
                    f"{len(founder_visits)} weights",
                    f"must have one weight per founder_weights item ({len(founder_weights)}) "
                    "or be empty",
                )
            )
        if founder_visits and not any(founder_visits):
            problems.append(
                ("community.founder_visits", founder_visits, "at least one must be above 0")
            )
        if len(founder_weights) > self.community.members:
            problems.append(
                (
                    "community.founder_weights",
                    f"{len(founder_weights)} weights",
                    f"at most one per founder ({self.community.members}, community.members)",
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
        if self.hours is not None:
            problems += self.hours.problems([segment.name for segment in self.member_mix])
        problems += self._group_problems(topics)
        problems += self._segment_references([segment.name for segment in self.member_mix])
        if problems:
            raise PydanticCustomError(
                "inconsistent", "inconsistent scenario", {"problems": problems}
            )
        return self

    def _group_problems(self, topics: int) -> list[tuple[str, object, str]]:
        """Group names unique, topics in range and not repeated, room for the founders."""
        problems = []
        names = set()
        for i, group in enumerate(self.groups or ()):
            if group.name in names:
                problems.append((f"groups[{i}].name", group.name, "group names must be unique"))
            names.add(group.name)
            for j, topic in enumerate(group.topics):
                if not 0 <= topic < topics:
                    problems.append(
                        (
                            f"groups[{i}].topics[{j}]",
                            topic,
                            f"must be a topic index from 0 to community.topics - 1 ({topics - 1})",
                        )
                    )
            if len(set(group.topics)) != len(group.topics):
                problems.append((f"groups[{i}].topics", group.topics, "must not repeat a topic"))
        caps = [group.cap for group in self.groups or ()]
        if caps and None not in caps and sum(caps) < self.community.members:
            problems.append(
                (
                    "groups",
                    f"caps summing to {sum(caps)}",
                    f"the groups' caps must hold the founders (community.members = "
                    f"{self.community.members})",
                )
            )
        return problems

    def _segment_references(self, names: list[str]) -> list[tuple[str, object, str]]:
        """Problems with levers' audiences that name segments the member mix does not have."""
        problems = []
        for key in LEVERS:
            lever = getattr(self.strategy, key, None) if self.strategy else None
            if lever is None or lever.audience is None:
                continue
            problems += [
                (
                    f"strategy.{key}.audience.segments[{i}]",
                    name,
                    f"unknown segment; the member_mix names: {', '.join(names)}",
                )
                for i, name in enumerate(lever.audience.segments)
                if name not in names
            ]
        return problems

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
            "founder_weights": "community.founder_weights",
            "founder_visits": "community.founder_visits",
            "member_mix": "member_mix",
            "platform": "platform",
            **{name: f"behaviour.{name}" for name in Behaviour.model_fields},
        }

    def rules(self) -> Rules:
        return Rules(
            n_topics=self.community.topics,
            topic_popularity=tuple(self.community.topic_popularity),
            founder_weights=tuple(self.community.founder_weights),
            founder_visits=tuple(self.community.founder_visits),
            member_mix=tuple(Segment(**segment.model_dump()) for segment in self.member_mix),
            platform=Platform(**self.platform.model_dump()),
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
            "hours": self.hours,
            "groups": [group.spec() for group in self.groups] if self.groups else None,
        }


def _rebuild_scenario() -> None:
    """A lever registered after this module was imported (a plugin, a test's toy lever) changes
    ``Strategy``; the scenario that embeds it is rebuilt to match."""
    Scenario.model_rebuild(force=True)


on_registry_change(_rebuild_scenario)
