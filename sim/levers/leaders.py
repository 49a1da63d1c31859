"""Opinion leaders: find the members whose posts draw the most replies, and cultivate them.

A few members' posts draw far more readers and replies than the rest: the two-step flow of
influence runs through opinion leaders (Katz & Lazarsfeld 1955, *Personal Influence*), and on
Twitter Bakshy, Hofman, Mason & Watts 2011 ("Everyone's an influencer") found influence
concentrated in users with many followers and past influence, though hard to predict for a
single post. The lever names, every ``every`` days (from day ``every``), the ``count`` members
still here who have received the most replies (an influence score from behaviour); while it
runs, their threads have ``Rules.leader_appeal`` times a plain thread's appeal in reading and reply targeting
(``Today.author_appeal``). With ``cultivate`` the team gives each leader recognition, perks and
personal contact (``hours_per_leader`` and ``money_per_leader`` each time leaders are named): a
cultivated leader feels a recognition on each day (``recognition_today``, weighted by
``Rules.recognition_weight``), which raises their loyalty. A leader who leaves takes their pull
with them: their threads stop (``leaders_lost`` counts leaders gone since they were named).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import PrivateAttr

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Hours, Money, setting


@register
class Leaders(Lever):
    """Opinion leaders: the most-replied members' threads draw more; the team may cultivate them
    (Katz & Lazarsfeld 1955; Bakshy et al. 2011)."""

    key = "leaders"
    role = "community"
    aims = True  # leaders are named (and cultivated) among the audience only
    label = "Opinion leaders: find and cultivate them"
    series = (
        Series("opinion_leaders", "opinion leaders still here"),
        Series("leaders_cultivated", "opinion leaders the team cultivates (recognition, perks)"),
        Series("leaders_lost", "opinion leaders who left since they were named (on naming days)"),
    )
    controls = (
        Control("count", "opinion leaders", 1, 100),
        Control("cultivate", "cultivate them (recognition, perks, contact)"),
        Control("hours_per_leader", "staff hours per leader each time", 0, 8, 0.25),
    )
    signs = (
        ExpectedSign(
            "leaders",
            {"leaders": {}},
            "retention_90",
            1,
            "Katz & Lazarsfeld 1955; Bakshy et al. 2011: leaders' posts draw readers and replies; "
            "cultivated leaders stay",
        ),
    )
    max_effort: ClassVar[dict] = {"count": 100, "cultivate": True}

    priority: int = priority(5)
    count: int = setting(
        20, ge=1, le=100_000, unit="members", description="opinion leaders named each time"
    )
    every: int = setting(
        30, ge=1, le=3650, unit="days", description="days between namings of the leaders"
    )
    cultivate: bool = setting(
        True, description="give the leaders recognition, perks and personal contact"
    )
    hours_per_leader: Hours = setting(
        0.5, unit="staff hours per leader", description="contact time per leader each naming"
    )
    money_per_leader: Money = setting(
        0.0, unit="money per leader", description="perks per leader each naming"
    )
    _leaders: np.ndarray | None = PrivateAttr(None)
    _cultivated: np.ndarray | None = PrivateAttr(None)

    def act(self, operator, world, day):
        pop = world.members
        if day % self.every == 0:  # after a first stretch of replies to judge by
            self._name(operator, pop, self.aimed(world, pop.here()))
        if self._leaders is None:
            return
        here = pop.alive[self._leaders]
        appeal = np.ones(pop.alive.shape[0], np.float32)
        appeal[self._leaders[here]] = np.float32(pop.rules.leader_appeal)
        pop.today.author_appeal = appeal
        operator.count("opinion_leaders", int(here.sum()))
        cultivated = self._cultivated[pop.alive[self._cultivated]]
        pop.recognition_today[cultivated] += 1
        operator.count("leaders_cultivated", int(cultivated.size))

    def _name(self, operator, pop, here: np.ndarray) -> None:
        """Name the members among ``here`` (the members present, in the audience) with the most
        replies received as opinion leaders, and cultivate them."""
        if self._leaders is not None:
            operator.count("leaders_lost", int((~pop.alive[self._leaders]).sum()))
        received = pop.replies_received[here]
        top = np.argsort(-received, kind="stable")[: self.count]
        self._leaders = here[top[received[top] > 0]]
        self._cultivated = self._leaders[:0]
        if self.cultivate:
            n = operator.afford(
                self._leaders.size, self.hours_per_leader, self.money_per_leader, self.key
            )
            self._cultivated = self._leaders[:n]
