"""Win-back: messages to members who have stopped visiting.

A reminder brings a short spike of returns that habituates with each repeat (Wash & Lampe 2012,
"The power of the ask in social media") and works less the longer a member has been away
(Wikimedia's 2012 "Necromancy" experiment on re-engaging lapsed editors).

Messages also reach members who have **left**, up to ``departed_within`` days after they left
(the operator still has their address): a message gives a short pull to come back
(``Population.rejoin``), smaller with each repeat and falling with time away. Members still here
and at risk are messaged first (keeping a member is cheaper than winning one back), then those who
left, the most recent first.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.agents import Population
from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Hours, Money, Probability, setting


@register
class WinBack(Lever):
    """Messages to members at risk; a short spike of returns that habituates (Necromancy 2012;
    Wash & Lampe 2012)."""

    key = "winback"
    role = "community"  # the team role whose hours it draws on
    aims = True  # an audience narrows the members at risk and those who left that it messages
    label = "Win-back messages"
    series = (
        Series("winback_sent", "win-back messages sent"),
        Series("winback_returns", "members messaged in the last week who came back today"),
    )
    controls = (
        Control("inactive_days", "message after N days away", 3, 90),
        Control("departed_within", "message members who left up to N days ago", 0, 365),
        Control("max_messages", "messages per member at most", 1, 10),
    )
    signs = (
        ExpectedSign(
            "winback",
            {"winback": {}},
            "dau_mean",
            1,
            "Wash & Lampe 2012: reminders raise contributions",
        ),
    )
    max_effort: ClassVar[dict] = {}

    priority: int = priority(7)
    inactive_days: int = setting(
        14,
        ge=1,
        le=3650,
        unit="days",
        description="days without a visit that make a member at risk",
    )
    cadence: int = setting(
        14, ge=1, le=3650, unit="days", description="days between messages to one member"
    )
    max_messages: int = setting(
        3, ge=1, le=1000, unit="messages per member", description="messages per member at most"
    )
    response: Probability = setting(
        0.08, description="chance a first message brings a member back within two days"
    )
    habituation: Probability = setting(
        0.5, description="each repeat message works this much as well as the one before"
    )
    departed_within: int = setting(
        60,
        ge=0,
        le=3650,
        unit="days",
        description="also message members who left up to this many days ago; 0: only members "
        "still here",
    )
    hours_per_100: Hours = setting(
        0.5, unit="staff hours per 100 messages", description="staff hours per 100 messages"
    )
    money_per_message: Money = setting(
        0.0, unit="money per message", description="money per message"
    )

    @classmethod
    def switched_on(cls) -> WinBack:
        return cls(money_per_message=0.01)

    def act(self, operator, world, day):
        pop = world.members
        targets = at_risk(pop, day, self.inactive_days, self.cadence, self.max_messages)
        gone = departed(pop, day, self.departed_within, self.cadence, self.max_messages)
        if self.audience is not None:
            targets, gone = self.aimed(world, targets), self.aimed(world, gone)
        n_ok = operator.afford(
            targets.size + gone.size, self.hours_per_100 / 100, self.money_per_message, "winback"
        )
        sent = targets[:n_ok]
        send_winback(pop, sent, day, self.response, self.habituation, self.inactive_days)
        call_back(pop, gone[: max(n_ok - targets.size, 0)], day, self.response, self.habituation)
        operator.count("winback_sent", int(min(n_ok, targets.size + gone.size)))

    def measure(self, world):
        return {"winback_returns": float(world.members.winback_returns)}


def at_risk(
    pop: Population, day: int, inactive_days: int, cadence: int, max_messages: int
) -> np.ndarray:
    """Members inactive for ``inactive_days`` or more, not messaged in the last ``cadence``
    days and with fewer than ``max_messages`` messages so far, longest dormant first."""
    n = pop.n
    dormant = day - np.maximum(pop.view("last_active_day"), pop.view("join_day"))
    eligible = (
        pop.view("alive")
        & (dormant >= inactive_days)
        & (day - pop.view("last_winback_day") >= cadence)
        & (pop.winback_messages[:n] < max_messages)
    )
    slots = np.flatnonzero(eligible)
    return slots[np.argsort(-dormant[slots], kind="stable")]


def send_winback(
    pop: Population,
    slots: np.ndarray,
    day: int,
    response: float,
    habituation: float,
    inactive_days: int,
) -> None:
    """A win-back message: a short spike in the chance to come back, smaller with each repeat
    (Wash & Lampe 2012) and the longer the member has been away (Wikimedia Necromancy 2012)."""
    if slots.size == 0:
        return
    repeats = pop.winback_messages[slots].astype(np.float32)
    last_seen = np.maximum(pop.last_active_day[slots], pop.join_day[slots])
    dormancy = (day - last_seen - inactive_days).astype(np.float32)
    chance = response * habituation**repeats * np.exp(-dormancy / 60.0)
    # the spike decays by 0.3 a day: about 3/4 of the pull falls on the first day
    pop.visit_pull[slots] += np.float32(0.7) * chance
    pop.winback_messages[slots] += 1
    pop.last_winback_day[slots] = day


def departed(pop: Population, day: int, within: int, cadence: int, max_messages: int) -> np.ndarray:
    """Members who left at most ``within`` days ago, not messaged in the last ``cadence`` days and
    with fewer than ``max_messages`` messages so far, the most recently gone first."""
    if within <= 0:
        return np.zeros(0, np.int64)
    gone = pop.view("leave_day")
    slots = np.flatnonzero(~pop.view("alive"))  # the few who left, then the tests on them only
    slots = slots[
        (gone[slots] >= 0)
        & (day - gone[slots] <= within)
        & (day - pop.last_winback_day[slots] >= cadence)
        & (pop.winback_messages[slots] < max_messages)
    ]
    return slots[np.argsort(-gone[slots], kind="stable")]


def call_back(
    pop: Population, slots: np.ndarray, day: int, response: float, habituation: float
) -> None:
    """A win-back message to members who left: a short pull to come back, smaller with each
    repeat (Wash & Lampe 2012); ``Population.rejoin`` lowers it with time away (Necromancy 2012)."""
    if slots.size == 0:
        return
    repeats = pop.winback_messages[slots].astype(np.float32)
    pop.return_pull[slots] += np.float32(0.7 * response) * np.float32(habituation) ** repeats
    pop.winback_messages[slots] += 1
    pop.last_winback_day[slots] = day
