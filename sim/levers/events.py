"""Events: a calendar of Q&A sessions, sharing sessions, contests and lotteries.

Attending a group activity builds common identity and bonds with other attendees (Ren, Kraut &
Kiesler 2007, "Applying common identity and bond theory to design of online communities"): attendees
gain identity benefit, make ties with each other and post more that day; promotion in the days
before an event raises attendance and pulls members back to visit. Bonds need interaction: a
lottery's entrants only draw tickets, so a lottery builds no ties.

**Prizes by value.** A contest's or lottery's prize draws members by what it is worth to them: its
expected value per attendee (prize x winners / expected attendance: a lottery's prize times the
chance to win) through the incentives' saturating value function (``sim.levers.incentives``, half
pull at ``Rules.prize_half_value``, an assumption: attending is an hour's effort, not a post's), times each
member's extrinsic sensitivity. A contest's prize also raises attendees' posting. Without a prize
a lottery draws little (there is nothing to win).

**Offline events** (``offline: true``, a meetup in person) cost money per attendee (a venue,
refreshments: ``cost_per_attendee``, left empty ``OFFLINE_COST_PER_ATTENDEE``), have fewer seats
(``capacity`` left empty: ``OFFLINE_CAPACITY``, against ``ONLINE_CAPACITY`` online) and travel
friction: of the members who would come, only a share ``Rules.offline_reach`` can travel to it.
Those who come make ties ``Rules.offline_bond`` times as strong and gain ``Rules.offline_identity``
times the identity of the same event online (Koh, Kim, Butler & Bock 2007; Sessions 2010; see
``sim.agents.Rules``). Attendees are seated while the budget pays for them.

**Polls** (``kind: poll``) are the cheap kind: a question members answer with a click (give it
few ``hours``). Answering draws members in (a visit) but builds little identity, prompts almost no
posts, makes no ties (voters do not talk to each other) and calls back nobody who left. An
assumption from the structure of the act, after Ren, Kraut & Kiesler 2007 (bonds need interaction):
light participation is a visit without the bond-building of a discussion.

**Guest experts** (``kind: expert``): the operator pays an outside expert (``money``, required)
to run a Q&A. It is a Q&A in every effect but its draw, ``Rules.expert_draw`` times a Q&A's (an
assumption: a known name draws beyond the community's usual audience).

**A strong event reaches members who left**: members gone less than ``RETURN_WINDOW`` days hear of
a promoted event and may come back for it (``sim.agents``, return after leaving).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Config, Day, Hours, Money, Probability, setting

# how strongly each kind of event draws members, builds identity and prompts posting, and whether
# attendees interact: bonds form through interaction between members (Ren, Kraut & Kiesler 2007), so
# a Q&A, a sharing session and a contest tie attendees to each other (Rules.event_ties each) and a
# lottery, whose entrants only draw tickets, does not
EVENT_EFFECTS = {
    "qa": {"draw": 1.0, "identity": 0.6, "posting": 0.5, "interaction": True},
    "sharing": {"draw": 0.8, "identity": 0.8, "posting": 0.3, "interaction": True},
    "contest": {"draw": 0.6, "identity": 0.5, "posting": 1.0, "interaction": True},
    "lottery": {"draw": 0.3, "identity": 0.2, "posting": 0.1, "interaction": False},
    # a poll: one click to answer, so it draws well, but voters gain little identity, barely post,
    # do not interact and a poll does not reach members who left (an assumption, see above)
    "poll": {"draw": 0.9, "identity": 0.1, "posting": 0.0, "interaction": False, "recall": False},
}
PROMOTION_PULL = np.float32(0.02)  # extra visit probability while an event is promoted
RETURN_WINDOW = 90  # days: members gone longer do not hear of events
RETURN_PULL = 0.02  # pull to come back for an event at full draw, on the day it is held
# seats and cost per attendee where the calendar leaves them empty: online, and offline (assumptions:
# a room for a few dozen, and a drink and a snack each)
ONLINE_CAPACITY = 200
OFFLINE_CAPACITY = 40
OFFLINE_COST_PER_ATTENDEE = 15.0


class Event(Config):
    """One entry of the events calendar: a one-off (``day``) or recurring (``every``) event."""

    kind: Literal["qa", "sharing", "contest", "lottery", "poll", "expert"] = Field(
        description="qa (draws members, builds identity, prompts some posts), sharing (the most "
        "identity), contest (the most posting), lottery (draws the most, builds little identity), "
        "poll (a cheap one-click question: draws visits, little identity, no posts or ties), "
        "expert (a paid guest expert's Q&A: a Q&A with Rules.expert_draw times its draw; "
        "needs money)"
    )
    day: Day | None = setting(None, unit="day of the run", description="the day of a one-off event")
    every: int | None = setting(
        None, ge=1, le=10_000, unit="days", description="repeat every this many days"
    )
    start: Day = setting(1, unit="day of the run", description="first day of a recurring event")
    until: Day | None = setting(
        None,
        unit="day of the run",
        description="last day of a recurring event (empty: no end)",
    )
    promotion_days: int = setting(
        3,
        ge=0,
        le=365,
        unit="days",
        description="days of promotion before the event; raises attendance",
    )
    offline: bool = setting(
        False,
        description="held in person: costs per attendee, fewer seats, only members who can travel "
        "come, stronger ties and identity",
    )
    capacity: int | None = setting(
        None,
        ge=1,
        le=10_000_000,
        unit="members",
        description=f"most attendees (empty: {ONLINE_CAPACITY} online, {OFFLINE_CAPACITY} offline)",
    )
    hours: Hours = setting(
        4.0, unit="staff hours per event", description="staff hours to run the event"
    )
    money: Money = setting(0.0, unit="money per event", description="money to run it")
    cost_per_attendee: Money | None = setting(
        None,
        unit="money per attendee",
        description="money per member who comes (empty: 0 online, "
        f"{OFFLINE_COST_PER_ATTENDEE:g} offline); attendees are seated while the budget lasts",
    )
    hour: int | None = setting(
        None,
        ge=0,
        le=23,
        unit="hour of day (0..23)",
        description="with active hours (the scenario's hours section): the hour the event is held "
        "live; each member comes by its activity profile's weight at that hour relative to its "
        "busiest hour (sim.world.hours); empty: not tied to an hour (as without hours)",
    )
    prize: Money = setting(
        0.0,
        unit="money per winner",
        description="contest or lottery: the prize each winner gets (paid when the event is held)",
    )
    winners: int = setting(
        1, ge=1, le=1_000_000, unit="winners", description="contest or lottery: prizes awarded"
    )

    @model_validator(mode="after")
    def _scheduled(self) -> Event:
        if (self.day is None) == (self.every is None):
            raise ValueError("an event needs exactly one of 'day' (one-off) or 'every' (recurring)")
        if self.day is not None and (self.start != 1 or self.until is not None):
            raise ValueError(
                "'start' and 'until' belong to recurring events ('every'), not to "
                "a one-off event ('day')"
            )
        if self.until is not None and self.until < self.start:
            raise ValueError("until must not be before start")
        if self.kind == "expert" and self.money <= 0:
            raise ValueError(
                "a guest expert ('kind: expert') is paid: set 'money' (per event) above 0"
            )
        return self

    @property
    def seats(self) -> int:
        """Most attendees: the capacity, or the default of the event's format."""
        if self.capacity is not None:
            return self.capacity
        return OFFLINE_CAPACITY if self.offline else ONLINE_CAPACITY

    @property
    def price(self) -> float:
        """Money per attendee: the cost set, or the default of the event's format."""
        if self.cost_per_attendee is not None:
            return self.cost_per_attendee
        return OFFLINE_COST_PER_ATTENDEE if self.offline else 0.0

    def happens_on(self, day: int) -> bool:
        if self.day is not None:
            return day == self.day
        return (
            day >= self.start
            and (self.until is None or day <= self.until)
            and ((day - self.start) % self.every == 0)
        )

    def promoted_on(self, day: int) -> bool:
        """Promotion runs in the ``promotion_days`` before the next occurrence."""
        return any(self.happens_on(day + ahead) for ahead in range(1, self.promotion_days + 1))


@register
class Events(Lever):
    """A calendar of events: attendance builds identity and ties (Ren, Kraut & Kiesler 2007)."""

    key = "events"
    role = "events"  # the team role whose hours it draws on
    label = "Events: a weekly Q&A"
    series = (
        Series("events_held", "events held"),
        Series("event_attendance", "members who attended an event"),
        Series("offline_attendance", "members who attended an offline event"),
        Series(
            "offline_unable", "members who would have come to an offline event but could not travel"
        ),
    )
    controls = (
        Control("calendar.0.every", "every N days", 1, 60),
        Control("calendar.0.prize", "prize per winner", 0, 1000, 10),
        Control("calendar.0.offline", "held offline (in person)"),
        Control("calendar.0.capacity", "most attendees", 10, 1000, 10, empty=ONLINE_CAPACITY),
        Control("calendar.0.cost_per_attendee", "cost per attendee", 0, 100, empty=0),
        Control("calendar.0.hour", "hour held live (with active hours)", 0, 23, empty=20),
    )
    signs = (
        ExpectedSign(
            "events",
            {"events": {"calendar": [{"kind": "qa", "every": 7}]}},
            "retention_90",
            1,
            "Ren, Kraut & Kiesler 2007: identity and bonds",
        ),
    )
    max_effort: ClassVar[dict] = {
        "attendance": 1.0,
        "calendar": [
            {"kind": "qa", "every": 7, "capacity": 1000000},
            {"kind": "sharing", "every": 7, "start": 4, "capacity": 1000000},
            {"kind": "contest", "every": 30, "capacity": 1000000},
        ],
    }

    priority: int = priority(4)
    calendar: list[Event] = Field(
        default_factory=list, max_length=1000, description="the events, one-off or recurring"
    )
    attendance: Probability = Field(
        0.3,
        description="chance a fully committed member who hears of a well-promoted event attends",
    )

    @classmethod
    def switched_on(cls) -> Events:
        return cls(calendar=[Event(kind="qa", every=7, start=7, capacity=300, hours=3)])

    def act(self, operator, world, day):
        for index, event in enumerate(self.calendar):  # the calendar, not the members
            if event.promoted_on(day):
                members = world.members
                members.visit_pull[: members.n] += PROMOTION_PULL
            cost = event.money + event.prize * event.winners
            if event.happens_on(day) and operator.afford(1, event.hours, cost, "events"):
                effects = effects_of(event.kind, world.members.rules)
                promotion = 0.3 + 0.7 * (1 - np.exp(-event.promotion_days / 3.0))
                seats, price = event.seats, event.price
                if price > 0:  # seated while the budget pays for them
                    affordable = (operator.money_left + 1e-9) // price
                    seats = int(min(seats, max(affordable, 0)))
                attended, unable = hold_event(
                    world, index, self.attendance * promotion, event, effects, seats
                )
                if price > 0:
                    operator.afford(attended, 0.0, price, "events")
                operator.count("events_held", 1)
                operator.count("event_attendance", attended)
                if event.offline:
                    operator.count("offline_attendance", attended)
                    operator.count("offline_unable", unable)


def effects_of(kind: str, rules) -> dict:
    """The kind's effects; a guest expert's are a Q&A's with ``Rules.expert_draw`` times its draw."""
    if kind == "expert":
        qa = EVENT_EFFECTS["qa"]
        return {**qa, "draw": qa["draw"] * rules.expert_draw}
    return EVENT_EFFECTS[kind]


def draw_of(members, slots: np.ndarray, event: Event, effects: dict, chance: float) -> np.ndarray:
    """Each member's pull to attend (before loyalty): the kind's draw plus, for a prize, its
    expected value per attendee through the value function, times extrinsic sensitivity."""
    # the incentives' value function, imported here so that levers register in their own order
    from sim.levers.incentives import saturate

    draw = np.full(slots.size, effects["draw"], np.float32)
    if event.prize > 0 and event.kind in ("contest", "lottery"):
        # expected attendance without the prize's pull, to price a ticket (winners / entrants)
        loyalty = members.loyalty[slots]
        expected = min(float((chance * draw * (0.2 + 0.8 * loyalty)).sum()), event.seats)
        value = event.prize * min(event.winners, max(expected, 1.0)) / max(expected, 1.0)
        rules = members.rules
        pull = rules.prize_draw * float(saturate(value, rules.prize_half_value))
        draw = draw + np.float32(pull) * members.extrinsic[slots]
    return draw


def hold_event(
    world, index: int, chance: float, event: Event, effects: dict, seats: int
) -> tuple[int, int]:
    """An event: committed members attend (up to ``seats``), gain identity benefit, make ties
    with other attendees (where the kind has them interact) and post more that day (a contest's
    prize, by value, more). Members who left lately may come back for it. An offline event seats
    only those who can travel, and its ties and identity are stronger (``Rules.offline_*``).
    Returns the attendance and, offline, the members who would have come but could not travel."""
    pop = world.members
    n = pop.n
    u = world.uniform(f"event.{index}")
    here = pop.here()
    draw = np.zeros(n, np.float32)
    draw[here] = draw_of(pop, here, event, effects, chance)
    p = chance * draw * (0.2 + 0.8 * pop.view("loyalty"))
    clock = world.clock
    if clock is not None and event.hour is not None:  # held live: who is online then comes
        p = p * clock.online(pop.view("segment"), event.hour)
    willing = pop.view("alive") & (u < p)
    rules, unable = pop.rules, 0
    reach = rules.offline_reach if event.offline else 1.0
    if event.offline:  # only those who can travel to it come (Rules.offline_reach)
        travels = world.uniform(f"event.{index}.travel") < reach
        unable = int(np.count_nonzero(willing & ~travels))
        willing &= travels
    candidates = np.flatnonzero(willing)
    attendees = candidates[np.argsort(u[candidates], kind="stable")[:seats]]
    if effects.get("recall", True):
        _call_back(pop, world.day, chance * reach * float(draw[here].mean()) if here.size else 0.0)
    if attendees.size == 0:
        return 0, unable
    identity = effects["identity"] * (rules.offline_identity if event.offline else 1.0)
    pop.identity_today[attendees] += np.float32(identity)
    pop.visit_pull[attendees] += 1.0  # attending is visiting
    if world.clock is not None and event.hour is not None:  # ... at the hour it is held
        if pop.today.visit_hour is None:
            pop.today.visit_hour = np.full(n, -1, np.int8)
        pop.today.visit_hour[attendees] = event.hour
    posting = np.float32(effects["posting"])
    if event.kind == "contest" and event.prize > 0:
        posting = posting * (draw[attendees] / np.float32(effects["draw"]))
    boost = np.ones(n, np.float32)
    boost[attendees] += posting
    pop.today.boosts["post"] = pop.today.boosts.get("post", 1) * boost
    if not effects["interaction"]:  # entrants who never talk to each other make no ties
        return int(attendees.size), unable
    gen = world.random(f"event.{index}.ties")
    strength = rules.offline_bond if event.offline else 1.0
    for _ in range(rules.event_ties):
        partners = attendees[gen.permutation(attendees.size)]
        world.new_ties(attendees, partners, strength)
    return int(attendees.size), unable


def _call_back(pop, day: int, draw: float) -> None:
    """Members who left less than ``RETURN_WINDOW`` days ago hear of the event: a pull to come
    back, as strong as the event draws (``Population.rejoin`` turns it into returns)."""
    if draw <= 0:
        return
    gone = pop.view("leave_day")
    recent = np.flatnonzero(~pop.view("alive") & (gone >= 0) & (day - gone <= RETURN_WINDOW))
    pop.return_pull[recent] += np.float32(RETURN_PULL * draw)
