"""Personal care of key members: a private message from staff to valued members who go quiet.

**Who.** Value and risk are read from behaviour the operator can see, never from a member's loyalty:
a member is *valuable* by its posts in about the last 30 days (``recent_posts``; at the default
of 3, the regulars and core of ``sim.world.metrics``' roles) and *at risk* when it has not visited
for ``quiet_days`` days. Each day the team writes, most valuable first, as many personal messages
as its daily allowance of staff hours lets (``minutes_per_message`` each), at most one per member
every ``cadence`` days and ``max_messages`` in all.

**What a message does.** It is a personal reply from the community team: a notification waiting
for the member pulls it back as an unread reply does (``Rules.reply_pull``), and when the member
comes back and reads it, it is felt as operator attention, like a welcome or a staff reply to a
first post (``sim.levers.onboarding``; ``Rules.attention_bond``): a reply received raises
commitment and the drive to post again (Joyce & Kraut 2006, "Predicting continued participation
in newsgroups", JCMC 11(3)), and personal contact from a host raises retention (Morgan & Halfaker
2018, the Wikipedia Teahouse). That a message from staff to an established member weighs as much
as one to a newcomer is an assumption; no new magnitude is introduced.

**Against win-back** (``sim.levers.winback``): win-back sends cheap mass reminders (half an hour
per 100) to everyone gone two weeks, whose pull habituates; personal care spends minutes per
message on the few who matter most, earlier, and works through attention on loyalty.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.agents import Population
from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Hours, setting

MINUTES = 60.0


@register
class Care(Lever):
    """Personal messages from staff to valuable members who go quiet: felt as attention, like a
    reply (Joyce & Kraut 2006; Morgan & Halfaker 2018)."""

    key = "care"
    aims = True  # an audience narrows the key members at risk it writes to
    label = "Personal care of key members"
    series = (
        Series("care_messages", "personal messages sent to valuable members at risk"),
        Series("care_hours", "staff hours spent on personal messages"),
        Series("care_read", "personal messages read today (their readers came back)"),
    )
    controls = (
        Control("hours_per_day", "staff hours a day for personal care", 0, 8, 0.25),
        Control("minutes_per_message", "minutes per message", 1, 60),
        Control("quiet_days", "message after N days without a visit", 1, 30),
        Control("min_recent_posts", "posts in the last 30 days that make a member key", 0, 30),
    )
    signs = (
        ExpectedSign(
            "care",
            {"care": {}},
            "dau_mean",
            1,
            "Joyce & Kraut 2006: a reply brings members back; Morgan & Halfaker 2018",
        ),
    )
    max_effort: ClassVar[dict] = {"hours_per_day": 4.0}

    priority: int = priority(3)
    hours_per_day: Hours = setting(
        1.0,
        unit="staff hours per day",
        description="staff hours a day the team gives to personal messages at most",
    )
    minutes_per_message: float = setting(
        10.0,
        gt=0,
        le=480,
        unit="staff minutes per message",
        description="time to read a member's history and write one personal message",
    )
    min_recent_posts: float = setting(
        3.0,
        ge=0,
        le=1000,
        unit="posts in about 30 days",
        description="posts in about the last 30 days that make a member valuable (3: regulars "
        "and core)",
    )
    quiet_days: int = setting(
        3,
        ge=1,
        le=3650,
        unit="days",
        description="days without a visit that put a valuable member at risk",
    )
    cadence: int = setting(
        14, ge=1, le=3650, unit="days", description="days between messages to one member"
    )
    max_messages: int = setting(
        5, ge=1, le=1000, unit="messages per member", description="messages per member at most"
    )

    def act(self, operator, world, day):
        pop = world.members
        hours_each = self.minutes_per_message / MINUTES
        targets = key_members_at_risk(
            pop, day, self.min_recent_posts, self.quiet_days, self.cadence, self.max_messages
        )
        targets = self.aimed(world, targets)
        allowance = int((self.hours_per_day + 1e-9) // hours_each)
        n_ok = operator.afford(min(targets.size, allowance), hours_each, 0.0, "care")
        send_care(pop, targets[:n_ok], day)
        operator.count("care_messages", n_ok)
        operator.count("care_hours", n_ok * hours_each)

    def respond(self, operator, world, day, actions):
        operator.count("care_read", read_care(world.members, actions.visitors))


def key_members_at_risk(
    pop: Population,
    day: int,
    min_recent_posts: float,
    quiet_days: int,
    cadence: int,
    max_messages: int,
) -> np.ndarray:
    """Members still here who posted at least ``min_recent_posts`` in about the last 30 days and
    have not visited for ``quiet_days`` days, not messaged in the last ``cadence`` days and with
    fewer than ``max_messages`` messages so far: most recent posts first."""
    value = pop.view("recent_posts")
    eligible = (
        pop.view("alive")
        & (value >= min_recent_posts)
        & (day - pop.view("last_active_day") >= quiet_days)
        & (day - pop.view("last_care_day") >= cadence)
        & (pop.view("care_messages") < max_messages)
    )
    slots = np.flatnonzero(eligible)
    return slots[np.argsort(-value[slots], kind="stable")]


def send_care(pop: Population, slots: np.ndarray, day: int) -> None:
    """A personal message waits for each member in ``slots``: a pull to come back, like an unread
    reply, until it is read (``read_care``)."""
    pop.unseen_replies[slots] += 1
    pop.care_unread[slots] += 1
    pop.care_messages[slots] += 1
    pop.last_care_day[slots] = day


def read_care(pop: Population, visitors: np.ndarray) -> int:
    """Today's visitors read the personal messages waiting for them: each is felt as operator
    attention (``Population.update_states``, ``Rules.attention_bond``). Returns the messages read."""
    unread = pop.view("care_unread")
    readers = np.flatnonzero(visitors[: pop.n] & (unread > 0))
    if readers.size == 0:
        return 0
    read = unread[readers]
    pop.attention_today[readers] += read
    unread[readers] = 0
    return int(read.sum())
