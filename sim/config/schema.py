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
* ``uncertainties`` (optional): what the operator does not control (``sim.world.uncertainties``);
* ``run``: how many days to simulate and the seed.

Every problem, however deep (``strategy.events.calendar[0].kind``), is reported on one line with its
path. ``json_schema()`` describes the same fields for editors and for docs/scenario-reference.md.

Defaults are read from the model itself (``CommunityModel``'s signature, ``Rules``, ``Segment`` and
``DEFAULT_MIX``), so an omitted field means "what the model would do"; the packaged
``sim/scenarios/default.yaml`` writes them all out for planners to copy.

>>> from sim.config import parse_scenario
>>> scenario = parse_scenario("community: {members: 300}\\nrun: {days: 30}")
>>> model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
>>> model.run(scenario.run.days)
"""

from __future__ import annotations

import inspect
from dataclasses import fields
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from sim.agents import DEFAULT_MIX, Rules, Segment
from sim.model import CommunityModel
from sim.policies import Strategy, on_registry_change
from sim.world.uncertainties import Uncertainties

_MODEL = {name: p.default for name, p in inspect.signature(CommunityModel).parameters.items()}
_RULES = Rules()
_SEGMENT = {f.name: f.default for f in fields(Segment)}


class Section(BaseModel):
    """Strict parsing: a scenario is hand-written, so ``true``, ``"5"`` or ``5.5`` where a whole
    number is expected are mistakes to report, not values to coerce; NaN and infinity are never
    meaningful parameters."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


Probability = Annotated[float, Field(ge=0, le=1)]
Weight = Annotated[float, Field(gt=0, le=1_000_000)]


class Community(Section):
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


class Arrivals(Section):
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


class MemberSegment(Section):
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


class Behaviour(Section):
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


class RunSettings(Section):
    days: int = Field(365, ge=1, le=36_500, description="days to simulate")
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


def _rebuild_scenario() -> None:
    """A lever registered after this module was imported (a plugin, a test's toy lever) changes
    ``Strategy``; the scenario that embeds it is rebuilt to match."""
    Scenario.model_rebuild(force=True)


on_registry_change(_rebuild_scenario)
