"""Groups and channels: a community made of several groups, each with its own platform and cap.

A community often lives in several groups or channels rather than one feed: WeChat groups, which the
platform caps at 500 members (operators open a second group when the first is full), Discord
channels, forum sub-boards. Qiu, Li, Tang, Lu, Ye, Chen, Yang & Hopcroft 2016 ("The lifecycle and
cascade of WeChat social messaging groups", WWW) find a strong dichotomy between long-lived and
short-lived WeChat groups, and that groups gain members by members inviting their friends (a
membership cascade). A group's size is double-edged: more members
bring more content and more people to answer, and more messages to wade through (Butler 2001,
"Membership size, communication activity, and sustainability", Information Systems Research 12(4):
size brings both resources and overload; Jones, Ravid & Rafaeli 2004, "Information overload and the
message dynamics of online interaction spaces", ISR 15(2): as volume grows, members respond to
fewer, simpler messages and leave; Kairam, Wang & Leskovec 2012, "The life and death of online
groups", WSDM: whether a group grows through its members' ties (diffusion) or by other means in its
formative stage predicts its growth and longevity).

The rules here, each an assumption in its form:

* **Membership** is a member x group boolean matrix (groups are few). A newcomer joins the group
  with room that best fits its interests (the largest of its topic interests among the group's
  topics; a group without topics fits everyone at 1), ties to the oldest group; it also joins
  every other group with room whose topics hold one of its favourite topics (interest 0.6 or more,
  ``Population._draw_preferences``' favourites). A group at its cap refuses joins; when no group
  has room, a newcomer is refused and stays in the market (``CommunityModel.arrive``). A member who
  leaves keeps its rows, so a returning member (``Population.rejoin``) is back in its groups.
* **Items carry a group.** A member's thread goes to one of its groups: one whose topics hold the
  thread's topic (or which has no topics), else any of its groups, uniformly. A reply goes to its
  thread's group. The operator's posts are announcements to every group (group -1).
* **Reading** (``Population.read``): each group's items are read with that group's platform rules
  by that group's members, and a member's read budget is **shared equally across its groups**
  (limited attention, Weng et al. 2012; the equal split is an assumption). A chat group's
  notification cost and mute are per chat group. The information of the day is the
  quality-weighted sum over groups, saturating in the total relevant items read, as in one feed.
* **Replies** go to threads in the replier's groups: each reply picks one of the replier's groups
  (uniformly), then a thread in it by interest, as in one feed.

With active hours (``sim.world.hours``) each group is its own stream: its items sink or scroll
away under the items posted after them in that group, by its platform kind (``Clock.age``).

Absent a ``groups`` section a community is one feed exactly as before (no ``Groups`` is built).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.world.platform import Platform

FAVOURITE = 0.6  # a favourite topic's interest is at least this (Population._draw_preferences)
MAX_GROUPS = 64  # at most this many groups, open or closed


@dataclass(frozen=True)
class GroupSpec:
    """One group: its name, platform, cap (``None``: no cap) and topics (empty: every topic)."""

    name: str
    platform: Platform = field(default_factory=Platform)
    cap: int | None = None
    topics: tuple[int, ...] = ()


class Groups:
    """The community's groups and who belongs to which (``member``: slots x groups, boolean).

    >>> g = Groups([GroupSpec("a", cap=2), GroupSpec("b", cap=2)], n_topics=2, capacity=8)
    >>> pref = np.full((8, 2), 0.5, np.float32)
    >>> g.join(np.arange(3), pref)
    >>> alive = np.arange(8) < 3
    >>> g.sizes(alive).tolist(), g.room(alive)
    ([2, 1], 1)
    """

    def __init__(self, specs, n_topics: int, capacity: int = 1024):
        self.specs: list[GroupSpec] = list(specs)
        self.n_topics = n_topics
        self.open = np.ones(len(self.specs), bool)  # a merged group is closed: no members, no items
        self.member = np.zeros((capacity, len(self.specs)), bool)
        self.muted = np.zeros((capacity, len(self.specs)), bool)  # chat groups: muted per group
        self.refused_today = 0
        self.opened: list[int] = [0] * len(self.specs)  # day each group was opened

    # ---- structure -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.specs)

    def grow(self, capacity: int) -> None:
        """Room for member slots up to ``capacity`` (the population's)."""
        if capacity > self.member.shape[0]:
            extra = capacity - self.member.shape[0]
            pad = np.zeros((extra, len(self.specs)), bool)
            self.member = np.vstack([self.member, pad])
            self.muted = np.vstack([self.muted, pad])

    def add_group(self, spec: GroupSpec, day: int = 0) -> int:
        """Open a new group (no members yet); returns its index."""
        if len(self.specs) >= MAX_GROUPS:
            raise ValueError(f"at most {MAX_GROUPS} groups")
        self.specs.append(spec)
        self.open = np.append(self.open, True)
        self.opened.append(day)
        column = np.zeros((self.member.shape[0], 1), bool)
        self.member = np.hstack([self.member, column])
        self.muted = np.hstack([self.muted, column])
        return len(self.specs) - 1

    def topics_of(self, g: int) -> tuple[int, ...]:
        """The group's topics (every topic for a group without topics)."""
        return self.specs[g].topics or tuple(range(self.n_topics))

    def topic_mask(self) -> np.ndarray:
        """groups x topics: whether the group holds the topic (a group without topics: all)."""
        mask = np.zeros((len(self.specs), self.n_topics), bool)
        for g, spec in enumerate(self.specs):
            mask[g, list(spec.topics) if spec.topics else slice(None)] = True
        return mask

    def sizes(self, alive: np.ndarray) -> np.ndarray:
        """Members still here in each group."""
        n = alive.size
        return (self.member[:n] & alive[:, None]).sum(axis=0)

    def room_per_group(self, alive: np.ndarray | None = None, sizes=None) -> np.ndarray:
        """Places left in each open group (a large number for a group without a cap)."""
        sizes = self.sizes(alive) if sizes is None else sizes
        caps = np.array([s.cap if s.cap is not None else 1 << 40 for s in self.specs], np.int64)
        return np.where(self.open, np.maximum(caps - sizes, 0), 0)

    def room(self, alive: np.ndarray) -> int:
        """Newcomers the groups can still take (each needs a place in one group)."""
        return int(min(self.room_per_group(alive).sum(), 1 << 40))

    # ---- joining ---------------------------------------------------------------------------------
    def fit(self, pref: np.ndarray) -> np.ndarray:
        """members x groups: the member's largest interest among the group's topics (1 for a group
        without topics)."""
        fit = np.ones((pref.shape[0], len(self.specs)), np.float32)
        for g, spec in enumerate(self.specs):
            if spec.topics:
                fit[:, g] = pref[:, list(spec.topics)].max(axis=1)
        return fit

    def join(self, slots: np.ndarray, pref: np.ndarray, alive: np.ndarray | None = None) -> None:
        """Newcomers in ``slots`` (ascending) join: each its best-fitting group with room (ties to
        the oldest group), then every other group with room that holds one of its favourite topics.
        The caller has checked that there is room for all (``room``); a newcomer finding none (only
        if asked to join beyond ``room``) joins no group. Loops over groups, never over members."""
        if slots.size == 0:
            return
        self.grow(int(slots.max()) + 1)
        if alive is None:
            alive = np.zeros(int(slots.max()) + 1, bool)
        else:
            alive = alive.copy()
        alive[slots] = False  # the newcomers are not in any group yet
        room = self.room_per_group(alive)
        fit = self.fit(pref[slots])
        waiting = np.ones(slots.size, bool)
        for _ in range(len(self.specs)):  # each round fills at least one group or places everyone
            if not waiting.any():
                break
            scores = np.where(room[None, :] > 0, fit, -np.inf)
            choice = np.argmax(scores, axis=1)
            has_room = np.isfinite(scores[np.arange(slots.size), choice])
            for g in np.flatnonzero(room > 0):
                want = np.flatnonzero(waiting & has_room & (choice == g))
                take = want[: room[g]]
                self.member[slots[take], g] = True
                waiting[take] = False
                room[g] -= take.size
        # also every other group with room that holds a favourite topic
        topical = [g for g, s in enumerate(self.specs) if s.topics and self.open[g]]
        for g in topical:
            favourite = (fit[:, g] >= FAVOURITE) & ~self.member[slots, g]
            take = np.flatnonzero(favourite)[: room[g]]
            self.member[slots[take], g] = True
            room[g] -= take.size

    # ---- items -----------------------------------------------------------------------------------
    def thread_groups(self, authors: np.ndarray, topic: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The group of each thread: one of the author's groups that holds the thread's topic, else
        any of the author's groups, uniformly by ``u`` (one uniform per thread); 0 for an author in
        no group."""
        if authors.size == 0:
            return np.zeros(0, np.int64)
        mine = self.member[authors] & self.open[None, :]
        fits = mine & self.topic_mask()[:, topic].T
        choice = np.where(fits.any(axis=1)[:, None], fits, mine)
        count = choice.sum(axis=1)
        pick = np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
        cumulative = np.cumsum(choice, axis=1)
        group = (cumulative <= pick[:, None]).sum(axis=1)
        return np.where(count > 0, group, 0).astype(np.int64)

    def reply_groups(self, responders: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The group each reply or reaction looks in: one of the responder's groups, uniformly."""
        mine = self.member[responders] & self.open[None, :]
        count = mine.sum(axis=1)
        pick = np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
        group = (np.cumsum(mine, axis=1) <= pick[:, None]).sum(axis=1)
        return np.where(count > 0, group, -2).astype(np.int64)

    def visit_factor(self, slots: np.ndarray) -> np.ndarray:
        """Per member: the mean over its open groups of the group's ``muted_visit`` where it has
        muted the group (chat groups) and 1 elsewhere (1 for a member in no group)."""
        mine = self.member[slots] & self.open[None, :]
        factor = np.array([s.platform.muted_visit for s in self.specs], np.float32)
        muted = mine & self.muted[slots]
        total = mine.sum(axis=1) - (muted * (1 - factor[None, :])).sum(axis=1)
        return (total / np.maximum(mine.sum(axis=1), 1)).astype(np.float32) + (
            mine.sum(axis=1) == 0
        )

    def shares(self, slots: np.ndarray) -> np.ndarray:
        """Each member's share of its read budget per group: equal across its open groups."""
        mine = self.member[slots] & self.open[None, :]
        return 1 / np.maximum(mine.sum(axis=1), 1).astype(np.float32)

    # ---- the operator's changes (sim.levers.groups) ---------------------------------------------
    def split(self, g: int, pref: np.ndarray, alive: np.ndarray, weights, day: int) -> int:
        """Split group ``g`` by topic: its topics (all, if it has none) are dealt alternately, most
        active first by ``weights`` (per topic), into two halves so both keep activity; ``g`` keeps
        the first half and a new group takes the second. Each member of ``g`` moves to the half
        holding its strongest interest. Returns the new group (-1 if ``g`` has a single topic)."""
        topics = np.array(self.topics_of(g))
        if topics.size < 2:
            return -1
        order = topics[np.argsort(-np.asarray(weights, np.float64)[topics], kind="stable")]
        first, second = tuple(sorted(order[0::2].tolist())), tuple(sorted(order[1::2].tolist()))
        spec = self.specs[g]
        self.specs[g] = GroupSpec(spec.name, spec.platform, spec.cap, first)
        new = self.add_group(
            GroupSpec(f"{spec.name} ({len(self.specs) + 1})", spec.platform, spec.cap, second),
            day,
        )
        n = alive.size
        members = np.flatnonzero(self.member[:n, g])
        move = pref[members][:, list(second)].max(axis=1) > pref[members][:, list(first)].max(
            axis=1
        )
        self.member[members[move], new] = True
        self.member[members[move], g] = False
        self.muted[members[move], g] = False
        return new

    def split_random(self, g: int, u: np.ndarray, alive: np.ndarray, day: int) -> int:
        """Split group ``g`` in two at random: each member moves, with chance 1/2 by ``u`` (one
        uniform per slot), to a new group like ``g`` (same platform, cap and topics)."""
        spec = self.specs[g]
        new = self.add_group(
            GroupSpec(f"{spec.name} ({len(self.specs) + 1})", spec.platform, spec.cap, spec.topics),
            day,
        )
        members = np.flatnonzero(self.member[: alive.size, g])
        move = members[u[members] < 0.5]
        self.member[move, new] = True
        self.member[move, g] = False
        self.muted[move, g] = False
        return new

    def merge(self, keep: int, gone: int) -> None:
        """Merge group ``gone`` into ``keep``: its members join ``keep``, which takes its topics
        (all, if either had none); ``gone`` is closed."""
        a, b = self.specs[keep], self.specs[gone]
        topics = tuple(sorted(set(a.topics) | set(b.topics))) if a.topics and b.topics else ()
        self.specs[keep] = GroupSpec(a.name, a.platform, a.cap, topics)
        self.member[:, keep] |= self.member[:, gone]
        self.member[:, gone] = False
        self.muted[:, gone] = False
        self.open[gone] = False
