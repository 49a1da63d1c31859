"""The day's content: what was published, on which topic, by whom, and how members pick from it.

Members read yesterday's items (a one-day feed), reply to yesterday's threads (and to older ones
still open, with ``Rules.reply_window``: ``CommunityModel._reply_pool``) and react to yesterday's
items. The feed per topic (count and mean quality) drives information benefit and reading cost
(Ren & Kraut 2014, see ``sim.agents``); the item table lets replies and reactions find their authors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.world import kernels


@dataclass(frozen=True)
class Items:
    """Items published on one day, sorted by topic so that a topic's items are contiguous."""

    author: np.ndarray  # slot of the author, -1 for the operator
    topic: np.ndarray  # topic index 0..K-1
    quality: np.ndarray  # 0..1
    is_thread: np.ndarray  # thread start (True) or reply (False)
    n_topics: int
    toxic: np.ndarray  # hurts the members who read it
    appeal: np.ndarray  # how much it is read and answered relative to a plain post (format)
    fmt: np.ndarray  # the operator's format index, -1 for members' posts
    offtopic: np.ndarray  # social chatter: no information for anyone, but it gets replies
    asks: np.ndarray  # how much it asks for a reply (1: a member's request; ``for_replies``)
    hour: np.ndarray  # hour of day it was posted (0..23; sim.world.hours: 0 when hours are off)
    group: np.ndarray  # the group it was posted in (``sim.world.groups``; -1: every group)
    # threads open for more than a day (``Rules.reply_window``; -1 and 0 otherwise):
    born: np.ndarray  # the day it was posted
    answers: np.ndarray  # replies from other members so far
    ident: np.ndarray  # a thread's number over the run, in order of posting

    @classmethod
    def empty(cls, n_topics: int) -> Items:
        return cls.build([], [], [], [], n_topics)

    @classmethod
    def build(cls, author, topic, quality, is_thread, n_topics: int, **optional) -> Items:
        """Items from per-item columns; ``toxic``, ``appeal``, ``fmt``, ``offtopic``, ``asks``,
        ``hour``, ``group``, ``born``, ``answers`` and ``ident`` are optional (default: not toxic,
        plain appeal, a member's post, on topic, asking for replies, hour 0, seen in every group,
        and no open thread's day, answers or number)."""
        topic = np.asarray(topic, np.int64)
        order = np.argsort(topic, kind="stable")
        columns = {"author": author, "topic": topic, "quality": quality, "is_thread": is_thread}
        for name, value in _OPTIONAL.items():
            columns[name] = optional.pop(name, None)
            if columns[name] is None:
                columns[name] = np.full(order.size, value)
        if optional:
            raise TypeError(f"unknown item columns: {sorted(optional)}")
        return cls(
            n_topics=n_topics,
            **{name: np.asarray(columns[name], _DTYPES[name])[order] for name in _DTYPES},
        )

    def concat(self, other: Items) -> Items:
        """These items and ``other``'s, re-sorted by topic."""
        joined = {
            name: np.concatenate([getattr(self, name), getattr(other, name)]) for name in _DTYPES
        }
        return Items.build(n_topics=self.n_topics, **joined)

    def subset(self, keep: np.ndarray) -> Items:
        """The items flagged (or indexed) by ``keep``, in that order."""
        return Items(
            n_topics=self.n_topics, **{name: getattr(self, name)[keep] for name in _DTYPES}
        )

    def for_replies(self) -> Items:
        """The same items (same order, same indices) as would-be repliers weigh them: a thread's
        pull on replies is its appeal times how much it asks for an answer (``asks``).

        Members' threads are mostly requests (questions, requests for help, introductions), and
        requests draw more replies than other posts (Burke, Joyce, Kim, Anand & Kraut 2007,
        "Introductions and requests: rhetorical strategies that elicit response in online
        communities", C&T; Arguello et al. 2006, "Talk to me: foundations for successful
        individual-group interactions in online communities", CHI: messages that ask a question
        are more likely to get a reply). An operator's article, announcement or tutorial is read and
        reacted to but rarely asks for an answer: its ``asks`` is its format's ``asks_for_replies``
        (``sim.levers.content``). Used only to pick reply targets; reading and reactions keep
        ``appeal``."""
        if bool((self.asks == 1).all()):
            return self
        return replace(self, appeal=(self.appeal * self.asks).astype(np.float32))

    def attend(self, attention: np.ndarray) -> Items:
        """The same items with each one's appeal multiplied by its topic's ``attention`` (float32,
        length K): a trending topic's items are read, answered and reacted to more, whoever wrote
        them (``sim.world.uncertainties.TrendShock``)."""
        return replace(self, appeal=(self.appeal * attention[self.topic]).astype(np.float32))

    def expose(self, exposure: np.ndarray) -> Items:
        """The same items with each one's appeal multiplied by its ``exposure`` (float32, one per
        item): how visible it still is to the day's visitors (``sim.world.hours``)."""
        return replace(self, appeal=(self.appeal * exposure).astype(np.float32))

    @property
    def uniform_appeal(self) -> bool:
        return bool((self.appeal == 1).all())

    def appeal_per_topic(self) -> np.ndarray:
        """Summed appeal per topic: what members' attention follows (counts when all are plain)."""
        if self.uniform_appeal:
            return self.per_topic()
        return np.bincount(self.topic, weights=self.appeal, minlength=self.n_topics).astype(
            np.float32
        )

    def informative_per_topic(self) -> np.ndarray:
        """Appeal per topic of the items that carry information (chatter does not)."""
        if not self.offtopic.any():
            return self.appeal_per_topic()
        keep = ~self.offtopic
        return np.bincount(
            self.topic[keep], weights=self.appeal[keep], minlength=self.n_topics
        ).astype(np.float32)

    def toxic_share(self) -> float:
        return float(self.toxic.mean()) if len(self) else 0.0

    def __len__(self) -> int:
        return int(self.author.size)

    def per_topic(self) -> np.ndarray:
        """Item counts per topic (float32, length K)."""
        return np.bincount(self.topic, minlength=self.n_topics).astype(np.float32)

    def mean_quality(self) -> float:
        return float(self.quality.mean()) if len(self) else 0.0

    def threads(self) -> Items:
        return self.subset(self.is_thread)

    def pick(
        self,
        preference: np.ndarray,
        u_topic: np.ndarray,
        u_item: np.ndarray,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """For each chooser, pick one item; returns item indices (-1: none). A chooser's topic
        interests are row ``rows[i]`` of ``preference`` (row ``i`` without ``rows``).

        A chooser picks a topic with probability proportional to its preference times the number of
        items on that topic, then an item of that topic uniformly: attention follows interest.
        Items with more appeal (an engaging format) weigh more in both choices.
        """
        if rows is None:
            rows = np.arange(preference.shape[0])
        u_topic = np.asarray(u_topic, np.float32)
        u_item = np.asarray(u_item, np.float32)
        if not self.uniform_appeal:
            return self._pick_by_appeal(preference, rows, u_topic, u_item)
        counts = self.per_topic()
        if rows.size == 0 or counts.sum() == 0:
            return np.full(rows.size, -1, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return kernels.active().pick_plain(preference, rows, counts, starts, u_topic, u_item)

    def _pick_by_appeal(self, preference, rows, u_topic, u_item) -> np.ndarray:
        weights = self.appeal_per_topic()
        if rows.size == 0 or weights.sum() == 0:
            return np.full(rows.size, -1, dtype=np.int64)
        running = np.cumsum(self.appeal, dtype=np.float64)
        before = np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])
        # most items have appeal 1, so the running appeal climbs by 1 an item within a topic: a
        # first guess at the item is nearly always right, and is checked
        first = np.concatenate([[0], np.cumsum(self.per_topic(), dtype=np.int64)])[:-1]
        running_before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0.0)
        return kernels.active().pick_by_appeal(
            preference, rows, weights, running, before, first, running_before, u_topic, u_item
        )


# the guided search lives with the kernels; kept here under its old name for callers
_search_right = kernels.search_right


_DTYPES = {
    "author": np.int64,
    "topic": np.int64,
    "quality": np.float32,
    "is_thread": bool,
    "toxic": bool,
    "appeal": np.float32,
    "fmt": np.int64,
    "offtopic": bool,
    "asks": np.float32,
    "hour": np.int8,
    "group": np.int64,
    "born": np.int64,
    "answers": np.float32,
    "ident": np.int64,
}
_OPTIONAL = {
    "toxic": False,
    "appeal": 1.0,
    "fmt": -1,
    "offtopic": False,
    "asks": 1.0,
    "hour": 0,
    "group": -1,
    "born": -1,
    "answers": 0.0,
    "ident": -1,
}
