"""The operator's levers: the ``Lever`` base, the lever registry, the ``Strategy`` that bundles the
levers in use, and the ``Operator`` that runs a strategy within its hours and budget.

A lever is one module in ``sim.levers`` that declares everything about itself in one class:

* its **settings**: pydantic fields with bounds, units and descriptions (``sim.world.settings``),
  written by planners under ``strategy.<key>`` in a scenario file;
* what the operator **does** each day (``act``) and, where the lever needs one, how members
  **respond** to it (functions in the same module, and the ``respond`` and ``market`` hooks);
* the daily **series** it reports (``series``), the only names ``Operator.count`` accepts;
* its **dashboard** label, the lever as a trainer switches it on (``switched_on``) and its
  **controls**;
* the **effects** it is expected to have, with their sources (``signs``, checked by ``commsim
  validate``), and its setting at maximum effort (``max_effort``).

``@register`` checks that every piece is there and adds the lever to the registry; the
``Strategy`` schema, the operator's daily series, the units, the dashboard's controls, the
validation tables and the scenario reference are all derived from the registry, so adding a
lever touches one file. Levers reach the members' world only through the narrow ``World``
interface (implemented by ``sim.model``), never through the model's attributes.

Sources, by lever (Kraut & Resnick 2012, *Building Successful Online Communities*, maps each lever),
are cited in each lever's module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Protocol

import mesa
import numpy as np
from pydantic import Field, model_validator
from pydantic.fields import FieldInfo

from sim.world.segments import ROLE_NAMES, TIER_NAMES
from sim.world.settings import Config, Hours, Money, setting

if TYPE_CHECKING:
    from sim.agents import Population
    from sim.world.content import Items
    from sim.world.hours import Clock


# ---- what a lever declares -----------------------------------------------------------------------
class Series(NamedTuple):
    """A daily series a lever reports (a column of ``daily.parquet``), and what it counts."""

    name: str
    doc: str


@dataclass(frozen=True)
class Control:
    """A dashboard control of one setting: a slider (numbers), a checkbox (true/false), toggle
    buttons (a choice) or a comma-separated field (a list of numbers), chosen from the field's type.

    ``field`` is a dotted path into the lever (``calendar.0.every``, ``points.post``); ``low`` may
    name another setting whose value is the lower end (``start`` for a stop day); ``empty`` is what
    a slider shows for a setting left empty (``None``). A list of settings (``badges``) declares
    the controls of each item in ``each`` and the item that Add appends in ``new``."""

    field: str
    label: str
    low: float | str = 0
    high: float = 1
    step: float = 1
    empty: float | None = None
    each: tuple[Control, ...] = ()
    new: dict | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ExpectedSign:
    """An effect a lever should have, written down with its reason before measuring: in a paired
    sweep, the arm ``arm`` (a strategy: the lever's ``setting``) moves ``outcome`` in
    ``direction`` (+1 up, -1 down) against ``baseline``. ``commsim validate`` checks it (K).
    ``scenario``: the scenario changes the effect needs; such signs are checked in a sweep of
    their own whose community has them (``sim.validation.targets``), the others in the plain one.
    ``baseline_setting``: the baseline arm's strategy, when the baseline is not the operator with
    no levers (``operator``) or another sign's arm."""

    arm: str
    setting: dict
    outcome: str
    direction: int
    source: str
    baseline: str = "operator"
    # scenario changes the effect needs: a world (``{"uncertainties": ...}``, a lever that counters
    # a competitor has nothing to do without one) or a structure the validation community lacks
    # (the groups lever needs a ``groups`` section); {}: the validation community as it is
    scenario: dict = field(default_factory=dict, compare=False)
    baseline_setting: dict | None = None


class World(Protocol):
    """What a lever may see and do: the narrow interface between the operator and the community
    (``sim.model`` implements it). Member responses that a lever needs are written in the lever's
    module against ``members``, the population's declared state arrays."""

    day: int
    n_topics: int
    members: Population
    feed: Items

    def popularity(self) -> np.ndarray: ...

    def random(self, purpose: str) -> np.random.Generator: ...

    def uniform(self, purpose: str) -> np.ndarray: ...

    clock: Clock | None  # active hours (sim.world.hours), None in the day-only model

    def publish(self, topic, quality: float, appeal, fmt, asks=None, hour=None) -> None: ...

    def remove(self, items: np.ndarray) -> int: ...

    def lever(self, key: str) -> Lever | None: ...

    def interaction_leaders(self, window: int, n_formats: int): ...

    def new_ties(
        self, members: np.ndarray, partners: np.ndarray, strength: float = 1.0
    ) -> None: ...

    def recently_active(self) -> np.ndarray: ...

    def n_recently_active(self) -> int: ...


@dataclass
class Market:
    """What a lever adds to today's arrivals (``Lever.market``): extra marketing pull (added to
    Bass p) with its cost per member it brings, the reward paid per referral join, and today's
    recruitment channels (``channels``: each one's name and expected joins)."""

    extra_p: float = 0.0
    cost_per_join: float = 0.0
    referral_reward: float = 0.0
    channels: list[tuple[str, float]] = field(default_factory=list)


class Undeclared:
    """The value of a lever's class variable it has not declared (``missing_pieces`` reports it)."""


def priority(default: int) -> Any:
    """The ``priority`` setting every lever has, with the lever's own default."""
    return Field(
        default,
        ge=1,
        le=10,
        description="1 = done first; when hours or money run out, higher numbers are skipped first",
    )


class Audience(Config):
    """Whom a lever is aimed at: members in any of ``roles``, any of ``segments`` and any of
    ``tiers`` (a list left empty does not narrow), and, if ``posted`` is set, who have (true) or
    have not (false) posted. Roles and value tiers are computed from behaviour each day
    (``sim.world.segments``); segments are the member mix's names (checked against the
    scenario's ``member_mix``)."""

    roles: list[Literal[ROLE_NAMES]] = Field(
        default_factory=list,
        description="roles aimed at (newcomer: joined under 30 days ago; then by posts in about "
        "the last 30 days: lurker < 0.5, occasional 0.5-3, regular 3-10, core 10+); empty: any",
    )
    segments: list[str] = Field(
        default_factory=list,
        description="member-mix segments aimed at (names of member_mix items); empty: any",
    )
    tiers: list[Literal[TIER_NAMES]] = Field(
        default_factory=list,
        description="value tiers aimed at (by messages written plus replies drawn per 30 days "
        "of membership: high = top 20% of the contributors present, mid = next 30%, low = the "
        "rest and members who never contributed); empty: any",
    )
    posted: bool | None = Field(
        None,
        description="true: only members who have posted; false: only those who never have; "
        "empty: either",
    )

    def mask(self, members: Population, day: int) -> np.ndarray:
        """Which member slots (``0..n-1``) the audience holds today."""
        keep = np.ones(members.n, bool)
        if self.roles:
            codes = [ROLE_NAMES.index(name) for name in self.roles]
            keep &= np.isin(members.roles(day), codes)
        if self.segments:
            keep &= np.isin(members.view("segment"), members.segment_codes(self.segments))
        if self.tiers:
            keep &= np.isin(members.tiers(day), [TIER_NAMES.index(name) for name in self.tiers])
        if self.posted is not None:
            keep &= (members.view("posts") > 0) == self.posted
        return keep


class Lever(Config):
    """A lever: settings plus what the operator does with them each day.

    Subclasses set the class variables below and are made known with ``@register``.

    A lever that picks members (``aims``) may be given an ``audience`` (roles, segments, value
    tiers, posted or not) and keeps only the members in it where it picks them (``aimed``); a
    lever that does not pick members refuses one. Without an audience a lever picks as it always
    did.
    """

    key: ClassVar[str] = ""  # the lever's key under ``strategy:`` in a scenario
    label: ClassVar[str] = ""  # how the dashboard names it
    series: ClassVar[tuple[Series, ...]] = ()  # daily series it reports
    controls: ClassVar[tuple[Control, ...]] = ()  # its dashboard controls
    signs: ClassVar[tuple[ExpectedSign, ...]] = ()  # the effects it should have
    # its settings at maximum effort (validation P-2); None: not part of maximum effort. Every
    # lever says which, so a new lever is never silently left out of the maximum-effort strategy
    max_effort: ClassVar[dict | type[Undeclared] | None] = Undeclared
    pays_later: ClassVar[bool] = False  # pays money after the fact (rewards, joins): may owe some
    # the team role whose hours it draws on when the strategy has a ``team`` (one of ``ROLES``)
    role: ClassVar[str] = "community"
    # it picks members (messages, rewards, welcomes...) and so accepts an ``audience``
    aims: ClassVar[bool] = False

    priority: int = priority(5)
    audience: Audience | None = Field(
        None,
        description="aim the lever at some members only (roles, segments, value tiers, posted); "
        "only levers that pick members accept one; empty: every member it would pick",
    )

    @model_validator(mode="after")
    def _audience_where_members_are_picked(self) -> Lever:
        if self.audience is not None and not type(self).aims:
            accepting = ", ".join(key for key, lever in LEVERS.items() if lever.aims)
            raise ValueError(
                f"audience: lever {type(self).key!r} does not pick members, so it cannot be "
                f"aimed; levers that accept an audience: {accepting}"
            )
        return self

    def aimed_mask(self, world: World) -> np.ndarray | None:
        """The members this lever may pick today (a mask over slots), or None: no audience."""
        if self.audience is None:
            return None
        return self.audience.mask(world.members, world.day)

    def aimed(self, world: World, slots: np.ndarray) -> np.ndarray:
        """``slots`` (member slots, in order) narrowed to the lever's audience (all of them
        without one)."""
        mask = self.aimed_mask(world)
        return slots if mask is None else slots[mask[slots]]

    @classmethod
    def switched_on(cls) -> Lever:
        """The lever as a trainer switches it on in the dashboard (default: its defaults)."""
        return cls()

    def act(self, operator: Operator, world: World, day: int) -> None:  # pragma: no cover
        """The operator's phase: what the team does with this lever today."""
        raise NotImplementedError

    def respond(self, operator: Operator, world: World, day: int, actions: Actions) -> None:
        """After members have acted today (the incentives phase): the lever's response to what they
        did. Most levers have none."""

    def market(self, operator: Operator, day: int) -> Market | None:
        """What the lever adds to today's arrivals (which come before the operator acts), as set
        up for ``day``."""
        return None

    def measure(self, world: World) -> dict[str, float]:
        """End-of-day values of the lever's series that are states rather than counts."""
        return {}


@dataclass
class Actions:
    """What members did today: who visited (a mask) and, per member slot, the replies and
    invitations they wrote and the threads they started (counted on first use, by ``count_threads``,
    since most days no lever asks)."""

    visitors: np.ndarray
    replies: np.ndarray
    invites: np.ndarray
    count_threads: Callable[[], np.ndarray]

    @cached_property
    def threads(self) -> np.ndarray:
        return self.count_threads()


# ---- the registry --------------------------------------------------------------------------------
LEVERS: dict[str, type[Lever]] = {}  # by key, in the order of registration (the strategy's order)
_LISTENERS: list[Callable[[], None]] = []  # rebuild what is derived from the registry


def missing_pieces(cls: type[Lever]) -> list[str]:
    """What a lever class lacks of the pieces every lever must declare (empty: complete)."""
    missing = []
    if not cls.key or not cls.key.isidentifier():
        missing.append("key (its name under strategy:, an identifier)")
    if not cls.label:
        missing.append("label (its name on the dashboard)")
    if not (cls.__doc__ or "").strip():
        missing.append("a docstring (what it is, with its source)")
    if cls.act is Lever.act:
        missing.append("act (what the operator does)")
    if not cls.series:
        missing.append("series (what it reports each day)")
    missing += [f"series {s.name}: a doc" for s in cls.series if not s.doc]
    if not cls.controls:
        missing.append("controls (its dashboard controls)")
    for control in cls.controls:
        if control.field.split(".")[0] not in cls.model_fields:
            missing.append(f"control {control.field}: not a setting")
    if not cls.signs:
        missing.append("signs (its expected effects, with sources)")
    if cls.role not in ROLES:
        missing.append(f"role (the team role whose hours it draws on: one of {', '.join(ROLES)})")
    if cls.max_effort is Undeclared:
        missing.append("max_effort (its settings at maximum effort, or None to leave it out)")
    missing += [f"sign {s.arm}: a source" for s in cls.signs if not s.source]
    for name, info in cls.model_fields.items():
        if not info.description:
            missing.append(f"setting {name}: a description")
    return missing


def register(cls: type[Lever]) -> type[Lever]:
    """Make a lever known: it becomes ``strategy.<key>``, its series join the daily series, and
    the dashboard, the validation and the docs show it. Refuses an incomplete lever."""
    missing = missing_pieces(cls)
    if missing:
        raise TypeError(f"lever {cls.__name__} lacks: {'; '.join(missing)}")
    # the operator's own series and every other lever's are taken
    taken = {s.name for s in CORE_SERIES}
    taken |= {s for lever in LEVERS.values() if lever is not cls for s in _names(lever)}
    clash = taken & set(_names(cls))
    if cls.key in LEVERS and LEVERS[cls.key] is not cls:
        raise TypeError(f"lever key {cls.key!r} is already registered by {LEVERS[cls.key]}")
    if clash:
        raise TypeError(f"lever {cls.__name__}: series already declared: {sorted(clash)}")
    LEVERS[cls.key] = cls
    Strategy.model_fields[cls.key] = FieldInfo(
        annotation=cls | None, default=None, description=_first_line(cls.__doc__)
    )
    Strategy.model_rebuild(force=True)
    for rebuild in _LISTENERS:
        rebuild()
    return cls


def on_registry_change(rebuild: Callable[[], None]) -> None:
    """Call ``rebuild`` whenever a lever registers (models embedding ``Strategy`` rebuild)."""
    _LISTENERS.append(rebuild)


def unregister(key: str) -> None:
    """Forget a lever (tests register toy levers and remove them again)."""
    LEVERS.pop(key)
    del Strategy.model_fields[key]
    Strategy.model_rebuild(force=True)
    for rebuild in _LISTENERS:
        rebuild()


def _names(lever: type[Lever]) -> list[str]:
    return [s.name for s in lever.series]


def _first_line(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


# ---- the team ------------------------------------------------------------------------------------
ROLES = ("content", "community", "moderation", "events", "growth")


class Role(Config):
    """One role of the operator's team: its staff hours each day and what an hour costs."""

    hours_per_day: Hours = setting(
        0.0, unit="staff hours per day", description="the role's staff hours each day"
    )
    hourly_cost: Money = setting(
        0.0,
        unit="money per staff hour",
        description="what one of the role's hours costs; paid for every hour hired, used or not "
        "(the staff_cost series), never from the budget",
    )
    serves: list[str] = Field(
        default_factory=list,
        description="levers this role serves instead of their default role (named in each role's "
        "description); empty: only the levers whose default role this is",
    )


class Team(Config):
    """The operator's team as roles (content, community management, moderation, events, growth:
    the roles issue 16 names), each with its own hours and hourly cost; a lever draws on its
    role's hours only. The mechanism is budgetary, with no behavioural magnitude.

    Source for splitting the job into roles: practitioners describe the community manager's job
    as separable into moderator, manager (content plans and creation) and administrator roles,
    with one person doing all of them in a small or medium community and a separate moderator
    once traffic makes the load large enough (D. Foster, fastwonderblog.com, "dividing the
    community manager role", from her time as Jive's community manager); moderator posts are
    advertised as part-time hours of their own (e.g. Aquent's "Community Moderator" job
    description: 1pm to 5pm, Monday to Friday).

    Assumption (stated, not measured): a role's spare hours are not lent to another role unless
    ``lend_spare_hours`` is set: specialised staff do their own job (a moderator does not write
    the newsletter), so one role can be short of hours while another has hours left. With
    ``lend_spare_hours``, a role short of hours draws on the other roles' hours left that day (in
    the order content, community, moderation, events, growth): the one person doing every role
    of a small community, which is what the single pool (``Strategy.hours_per_day``) models.
    Staff are paid for the hours hired, used or not (salaried roles): ``staff_cost``, kept apart
    from the budget, which is the levers' own money (prizes, ads, rewards), so that paying staff
    never makes a lever run out of money. A role not listed has no hours: the levers it serves
    skip their staffed work (the shortfall is that role's ``hours_short_<role>``)."""

    content: Role | None = Field(
        None, description="writes the operator's posts (default role of levers content, adaptive)"
    )
    community: Role | None = Field(
        None,
        description="community management (default role of levers onboarding, winback, "
        "incentives, care, defence, groups, leaders, and of any lever that names no role)",
    )
    moderation: Role | None = Field(
        None, description="reviews flagged and queued items (default role of lever moderation)"
    )
    events: Role | None = Field(
        None, description="runs Q&As, AMAs, contests and lotteries (default role of lever events)"
    )
    growth: Role | None = Field(
        None, description="recruitment campaigns (default role of lever recruitment)"
    )
    lend_spare_hours: bool = setting(
        False,
        description="a role short of hours may use other roles' hours left that day (false: "
        "each role works only on its own levers)",
    )

    @model_validator(mode="after")
    def _serves_known_levers_once(self) -> Team:
        problems, seen = [], {}
        for name in ROLES:
            role = getattr(self, name)
            for key in role.serves if role is not None else ():
                if key not in LEVERS:
                    problems.append(
                        f"{name}.serves: unknown lever {key!r}; allowed: {', '.join(LEVERS)}"
                    )
                elif key in seen:
                    problems.append(
                        f"{name}.serves: lever {key!r} is already served by {seen[key]}"
                    )
                seen.setdefault(key, name)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def roles(self) -> dict[str, Role]:
        """Every role, those not listed with no hours and no cost."""
        return {name: getattr(self, name) or Role() for name in ROLES}

    def role_of(self, lever: str) -> str:
        """The role whose hours ``lever`` (its key) draws on."""
        for name in ROLES:
            role = getattr(self, name)
            if role is not None and lever in role.serves:
                return name
        return LEVERS[lever].role

    def hours_per_day(self) -> float:
        return sum(role.hours_per_day for role in self.roles().values())

    def cost_per_day(self) -> float:
        """The team's pay each day: every role's hours hired at its hourly cost."""
        return sum(role.hours_per_day * role.hourly_cost for role in self.roles().values())


# ---- the strategy --------------------------------------------------------------------------------
class Strategy(Config):
    """The levers an operator runs (one optional field per registered lever; absent levers are not
    used), its staff hours per day and its money for the whole run."""

    hours_per_day: Hours = setting(
        8.0, unit="staff hours per day", description="staff hours available each day"
    )
    budget: Money = setting(
        10_000.0, unit="money (whole run)", description="money available over the whole run"
    )
    hourly_rate: Money = setting(
        0.0,
        unit="money per staff hour",
        description="price of one staff hour: total cost = money spent + hours used x this",
    )
    team: Team | None = Field(
        None,
        description="staff hours by role, each with its own hours and hourly cost (absent: one "
        "pool of hours_per_day that every lever draws on)",
    )

    @model_validator(mode="after")
    def _one_kind_of_staff(self) -> Strategy:
        if self.team is not None:
            # by value, not by presence: a dumped strategy (the dashboard, stored runs) writes
            # out every field at its default and must read back
            fields = type(self).model_fields
            given = [
                k for k in ("hours_per_day", "hourly_rate") if getattr(self, k) != fields[k].default
            ]
            if given:
                raise ValueError(
                    f"{' and '.join(given)}: not used with team (each role has its own "
                    "hours_per_day and hourly_cost); remove them or the team"
                )
        return self

    def daily_hours(self) -> float:
        """Staff hours available each day: the team's, or the single pool's."""
        return self.team.hours_per_day() if self.team is not None else self.hours_per_day

    def levers(self) -> list[Lever]:
        """The levers in use, most important first (ties keep the order of registration)."""
        present = [getattr(self, key) for key in LEVERS if getattr(self, key, None) is not None]
        return sorted(present, key=lambda lever: lever.priority)


# ---- the operator --------------------------------------------------------------------------------
CORE_SERIES = (
    Series("hours_used", "staff hours spent"),
    Series("hours_short", "staff hours asked for that the day did not have"),
    Series("money_spent", "money spent"),
    Series("money_short", "money asked for that the budget did not have"),
    Series("actions_skipped", "actions skipped for want of hours or money"),
    Series("staff_cost", "with a team: the day's pay, every role's hours at its hourly cost"),
    *(Series(f"hours_used_{r}", f"with a team: the {r} role's hours spent") for r in ROLES),
    *(Series(f"hours_short_{r}", f"with a team: hours the {r} role lacked") for r in ROLES),
)


def operator_series() -> tuple[str, ...]:
    """The operator's daily series: its capacity, then each registered lever's, in order, then what
    each lever could not do or pay (``shortfall_series``)."""
    return (
        *(s.name for s in CORE_SERIES),
        *(s.name for lever in LEVERS.values() for s in lever.series),
        *shortfall_series(),
    )


def shortfall_series() -> tuple[str, ...]:
    """Per lever, the actions skipped for want of hours or money (``skipped_<key>``) and, for a
    lever that pays after the fact, the money it owed and could not pay (``unpaid_<key>``)."""
    return (
        *(f"skipped_{key}" for key in LEVERS),
        *(f"unpaid_{key}" for key, lever in LEVERS.items() if lever.pays_later),
    )


class Operator(mesa.Agent):
    """The community team: runs the strategy's levers within its daily hours and total budget.

    Each day it works through its levers in priority order. Every action asks for hours and money;
    what cannot be afforded is skipped, and the shortfall (hours and money asked for but not
    available, and the actions skipped) is reported in the daily series, as a real community
    team's backlog would be.
    """

    def __init__(self, model, strategy: Strategy):
        super().__init__(model)
        self.strategy = strategy
        self.money_left = float(strategy.budget)
        self.hours_left = 0.0
        self.team = strategy.team
        self.role_hours: dict[str, float] = {}  # with a team: each role's hours left today
        self._role = {key: self.team.role_of(key) for key in LEVERS} if self.team else {}
        self.today: dict[str, float] = defaultdict(float)
        self._declared = frozenset(operator_series())

    def start_day(self) -> None:
        """A fresh day's hours and record (arrivals, before the operator acts, pay for joins)."""
        self.today = defaultdict(float)
        self.hours_left = float(self.strategy.hours_per_day)
        if self.team is not None:
            roles = self.team.roles()
            self.role_hours = {name: float(role.hours_per_day) for name, role in roles.items()}
            self.hours_left = sum(self.role_hours.values())
            self.today["staff_cost"] = self.team.cost_per_day()

    def hours_for(self, lever: str) -> float:
        """Staff hours ``lever`` (its key) can still use today: the single pool's, or its role's
        (plus the other roles' hours left when the team lends spare hours)."""
        if self.team is None:
            return self.hours_left
        if self.team.lend_spare_hours:
            return self.hours_left
        return self.role_hours[self._role[lever]]

    def act(self, world: World, day: int) -> None:
        """The "operator acts" phase: each lever in priority order."""
        for lever in self.strategy.levers():
            lever.act(self, world, day)

    def respond(self, world: World, day: int, actions: Actions) -> None:
        """The levers' responses to what members did today, in priority order."""
        for lever in self.strategy.levers():
            lever.respond(self, world, day, actions)

    def afford(self, units: int, hours_each: float, money_each: float, lever: str) -> int:
        """How many of ``units`` actions of ``lever`` (its key) the team can do now; spends for
        those, records the rest.

        Actions are all-or-nothing each: the first ones asked for are done while hours and money
        last (levers ask in priority order, so lower-priority work is what gets skipped).
        """
        if units <= 0:
            return 0
        hours = self.hours_for(lever)
        by_hours = int((hours + 1e-9) // hours_each) if hours_each > 0 else units
        by_money = int((self.money_left + 1e-9) // money_each) if money_each > 0 else units
        done = max(0, min(units, by_hours, by_money))
        self.spend(done * hours_each, done * money_each, lever)
        skipped = units - done
        if skipped:
            # the shortfall is charged to what ran out: hours, money, or both
            if by_hours < units:
                short = (units - max(by_hours, 0)) * hours_each
                self.today["hours_short"] += short
                if self.team is not None:
                    self.today[f"hours_short_{self._role[lever]}"] += short
            if by_money < units:
                self.today["money_short"] += (units - max(by_money, 0)) * money_each
            self.today["actions_skipped"] += skipped
            self.count(f"skipped_{lever}", skipped)
        return done

    def spend(self, hours: float, money: float, lever: str | None = None) -> None:
        """Spend hours (with a team: ``lever``'s role's first, then, if the team lends spare
        hours, the other roles' in ``ROLES`` order) and money."""
        self.hours_left -= hours
        self.money_left -= money
        self.today["hours_used"] += hours
        self.today["money_spent"] += money
        if self.team is not None and hours > 0:
            own = self._role[lever]
            lenders = (
                [own, *(r for r in ROLES if r != own)] if self.team.lend_spare_hours else [own]
            )
            for name in lenders:
                take = min(hours, max(self.role_hours[name], 0.0))
                if name == own:  # the own role's hours go negative only by rounding
                    take = hours if len(lenders) == 1 else take
                self.role_hours[name] -= take
                self.today[f"hours_used_{name}"] += take
                hours -= take
                if hours <= 0:
                    break

    def pay(self, money: float, lever: str) -> float:
        """Pay up to ``money`` owed by ``lever`` (its key: rewards, joins); returns what could be
        paid, records the rest."""
        paid = min(money, max(self.money_left, 0.0))
        self.spend(0.0, paid)
        if money > paid:
            self.today["money_short"] += money - paid
            self.count(f"unpaid_{lever}", money - paid)
        return paid

    def count(self, name: str, value: float) -> None:
        """Add to one of today's series; a name no lever declared is an error, never dropped."""
        if name not in self._declared:
            raise KeyError(
                f"operator.count({name!r}): no registered lever declares a series {name!r} "
                "(add it to the lever's series)"
            )
        self.today[name] += value
