"""Groups: what the operator does when a group is full, and with groups that dwindle.

A chat group has a member cap (WeChat's platform rule: 500; on the lifecycle of WeChat groups, Qiu et
al. 2016, "The lifecycle and cascade of WeChat social messaging groups", WWW), and a full group
refuses newcomers
(``sim.world.groups``). Operators then open a second group ("group 2"), split the group by topic,
or do nothing; and they merge groups that have dwindled, since a group's activity needs enough
members to sustain it (Butler 2001, "Membership size, communication activity, and
sustainability", ISR: size brings the resources that keep a group going as well as the overload
that drives members off; Kairam, Wang & Leskovec 2012, "The life and death of online groups",
WSDM: how a group grows in its formative stage, through its members' ties or otherwise, predicts
its longevity; Jones, Ravid & Rafaeli 2004: message overload in large groups). The lever does
not decide which is better: the ``group-split`` study measures it.

Each day the operator acts on the groups (a loop over groups, which are few):

* ``cap``, if set, is the cap of every group (otherwise each group's scenario cap);
* ``when_full``: for each full open group (its members still here at its cap):
  ``overflow`` opens a new empty group like it (same platform, cap and topics) unless an open
  group with the same topics still has room; newcomers then join it.
  ``split_random`` splits it in two at random (``Groups.split_random``: half its members, drawn
  at random, move to a new group like it), the same topics in both: a split not by topic.
  ``split_by_topic`` splits it in two by its topics (``Groups.split``: topics dealt alternately
  by their last 30 days' posts, each member to the half holding its strongest interest), so both
  halves have room again; a group of one topic is given an overflow group instead.
  At most ``max_groups`` groups are ever opened, merged ones included.
* ``merge_below``: the two smallest open groups of the same platform kind, each below
  ``merge_below`` members, are merged (the smaller into the larger) if together they fit the
  larger's cap; one merge a day.

Each opening, split or merge costs ``hours_per_action`` staff hours (setting up the group, moving
and telling its members), through the operator; an action the team cannot afford is skipped
(``skipped_groups``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.groups import MAX_GROUPS, GroupSpec
from sim.world.settings import Hours, setting


@register
class GroupsLever(Lever):
    """Open an overflow group or split by topic when a group is full; merge dwindled groups
    (Qiu et al. 2016; Butler 2001; Kairam et al. 2012)."""

    key = "groups"
    role = "community"
    label = "Groups: overflow, split or merge at the cap"
    series = (
        Series("groups_open", "groups open (end of day)"),
        Series("groups_opened", "overflow groups opened"),
        Series("groups_split", "full groups split (by topic or at random)"),
        Series("groups_merged", "small groups merged into another"),
    )
    controls = (
        Control("cap", "member cap per group", 50, 2000, 50, empty=0),
        Control("when_full", "when a group is full"),
        Control("merge_below", "merge groups smaller than (members)", 0, 500, 10),
        Control("hours_per_action", "staff hours per opening, split or merge", 0, 20, 0.5),
    )
    signs = (
        ExpectedSign(
            "groups-split-by-topic",
            {"groups": {"when_full": "split_by_topic"}},
            "members_end",
            1,
            "a full group refuses newcomers (WeChat's cap); Butler 2001 (a group's size brings "
            "the resources that sustain it): two half-full groups take the newcomers a full one "
            "refuses and each is still large enough to sustain itself (the atlas row 'groups: "
            "split by topic at a binding cap vs no split')",
            # the validation community in one chat group that word of mouth fills within weeks
            scenario={
                "arrivals": {"word_of_mouth_q": 0.01},
                "groups": [{"name": "chat", "platform": {"kind": "chat_group"}, "cap": 2500}],
            },
        ),
    )
    max_effort: ClassVar[dict] = {"when_full": "overflow"}

    priority: int = priority(3)
    cap: int | None = setting(
        None,
        ge=1,
        le=100_000_000,
        unit="members",
        description="the cap of every group (null: each group's cap from the scenario's groups)",
    )
    when_full: Literal["none", "overflow", "split_random", "split_by_topic"] = Field(
        "none",
        description="what the operator does with a full group: none (it refuses newcomers), "
        "overflow (open a new group like it for newcomers), split_random (move half its members, "
        "at random, to a new group like it) or split_by_topic (split it in two by its topics)",
    )
    merge_below: int = setting(
        0,
        ge=0,
        le=100_000_000,
        unit="members",
        description="merge two groups of one platform kind when both have fewer members than "
        "this (0: never)",
    )
    max_groups: int = setting(
        16,
        ge=1,
        le=MAX_GROUPS,
        unit="groups",
        description="most groups there may ever be (merged ones included)",
    )
    hours_per_action: Hours = setting(
        2.0,
        unit="staff hours per action",
        description="staff hours to open, split or merge a group (set-up, moving and telling "
        "members)",
    )

    def act(self, operator, world, day):
        groups = world.groups
        if groups is None:
            return
        pop = world.members
        if self.cap is not None:
            groups.specs = [replace(spec, cap=self.cap) for spec in groups.specs]
        alive = pop.view("alive")
        if self.when_full != "none":
            self._when_full(operator, world, groups, alive, day)
        if self.merge_below > 0:
            self._merge(operator, groups, alive)

    def _when_full(self, operator, world, groups, alive, day) -> None:
        sizes = groups.sizes(alive)
        for g in range(len(groups)):
            spec = groups.specs[g]
            if not groups.open[g] or spec.cap is None or sizes[g] < spec.cap:
                continue
            if len(groups) >= self.max_groups:
                return
            split = self.when_full == "split_by_topic" and len(groups.topics_of(g)) >= 2
            halve = self.when_full == "split_random"
            if not (split or halve) and self._has_twin_with_room(groups, g, alive):
                continue
            if operator.afford(1, self.hours_per_action, 0.0, self.key) == 0:
                return
            if split:
                weights = world.topic_activity(30).sum(axis=0) if day > 1 else None
                if weights is None or len(weights) == 0:
                    weights = np.zeros(groups.n_topics)
                groups.split(g, world.members.pref, alive, weights, day)
                operator.count("groups_split", 1)
            elif halve:
                groups.split_random(g, world.uniform("operator.groups.split"), alive, day)
                operator.count("groups_split", 1)
            else:
                number = sum(s.topics == spec.topics for s in groups.specs) + 1
                twin = GroupSpec(f"{spec.name} #{number}", spec.platform, spec.cap, spec.topics)
                groups.add_group(twin, day)
                operator.count("groups_opened", 1)
            sizes = groups.sizes(alive)

    @staticmethod
    def _has_twin_with_room(groups, g: int, alive) -> bool:
        """Whether an open group with ``g``'s topics still has room (newcomers can go there)."""
        room = groups.room_per_group(alive)
        topics = groups.specs[g].topics
        return any(
            groups.open[h] and room[h] > 0 and groups.specs[h].topics == topics
            for h in range(len(groups))
        )

    def _merge(self, operator, groups, alive) -> None:
        sizes = groups.sizes(alive)
        small = [
            g
            for g in np.argsort(sizes, kind="stable")
            if groups.open[g] and sizes[g] < self.merge_below
        ]
        for i, gone in enumerate(small):
            for keep in small[i + 1 :]:
                a, b = groups.specs[keep], groups.specs[gone]
                if a.platform.kind != b.platform.kind:
                    continue
                if a.cap is not None and sizes[keep] + sizes[gone] > a.cap:
                    continue
                if operator.afford(1, self.hours_per_action, 0.0, self.key) == 0:
                    return
                groups.merge(int(keep), int(gone))
                operator.count("groups_merged", 1)
                return

    def measure(self, world) -> dict[str, float]:
        groups = world.groups
        return {"groups_open": float(groups.open.sum()) if groups is not None else 0.0}
