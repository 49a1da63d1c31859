"""The day's content: what was published, on which topic, by whom, and how members pick from it.

Members read yesterday's items (a one-day feed), reply to yesterday's threads and react to yesterday's
items. The feed per topic (count and mean quality) drives information benefit and reading cost
(Ren & Kraut 2014, see ``sim.agents``); the item table lets replies and reactions find their authors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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

    @classmethod
    def empty(cls, n_topics: int) -> Items:
        return cls.build(
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.float32),
            np.empty(0, bool),
            n_topics,
        )

    @classmethod
    def build(
        cls, author, topic, quality, is_thread, n_topics: int, toxic=None, appeal=None, fmt=None
    ) -> Items:
        order = np.argsort(topic, kind="stable")
        size = order.size
        return cls(
            author=np.asarray(author, np.int64)[order],
            topic=np.asarray(topic, np.int64)[order],
            quality=np.asarray(quality, np.float32)[order],
            is_thread=np.asarray(is_thread, bool)[order],
            n_topics=n_topics,
            toxic=np.zeros(size, bool) if toxic is None else np.asarray(toxic, bool)[order],
            appeal=np.ones(size, np.float32)
            if appeal is None
            else np.asarray(appeal, np.float32)[order],
            fmt=np.full(size, -1, np.int64) if fmt is None else np.asarray(fmt, np.int64)[order],
        )

    def concat(self, other: Items) -> Items:
        """These items and ``other``'s, re-sorted by topic."""
        return Items.build(
            np.concatenate([self.author, other.author]),
            np.concatenate([self.topic, other.topic]),
            np.concatenate([self.quality, other.quality]),
            np.concatenate([self.is_thread, other.is_thread]),
            self.n_topics,
            np.concatenate([self.toxic, other.toxic]),
            np.concatenate([self.appeal, other.appeal]),
            np.concatenate([self.fmt, other.fmt]),
        )

    def subset(self, keep: np.ndarray) -> Items:
        """The items flagged in ``keep`` (order, and so topic sorting, preserved)."""
        return Items(
            self.author[keep],
            self.topic[keep],
            self.quality[keep],
            self.is_thread[keep],
            self.n_topics,
            self.toxic[keep],
            self.appeal[keep],
            self.fmt[keep],
        )

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

    def pick(self, preference: np.ndarray, u_topic: np.ndarray, u_item: np.ndarray) -> np.ndarray:
        """For each chooser (a row of ``preference``), pick one item; returns item indices (-1: none).

        A chooser picks a topic with probability proportional to its preference times the number of
        items on that topic, then an item of that topic uniformly: attention follows interest.
        Items with more appeal (an engaging format) weigh more in both choices.
        """
        if not self.uniform_appeal:
            return self._pick_by_appeal(preference, u_topic, u_item)
        counts = self.per_topic()
        if preference.shape[0] == 0 or counts.sum() == 0:
            return np.full(preference.shape[0], -1, dtype=np.int64)
        weight = preference * counts
        cumulative = np.cumsum(weight, axis=1)
        total = cumulative[:, -1]
        topic = (cumulative < (u_topic * total)[:, None]).sum(axis=1)
        topic = np.minimum(topic, self.n_topics - 1)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        within = np.floor(u_item * counts[topic]).astype(np.int64)
        within = np.minimum(within, np.maximum(counts[topic].astype(np.int64) - 1, 0))
        chosen = starts[topic] + within
        chosen[total <= 0] = -1
        return chosen

    def _pick_by_appeal(self, preference, u_topic, u_item) -> np.ndarray:
        weights = self.appeal_per_topic()
        if preference.shape[0] == 0 or weights.sum() == 0:
            return np.full(preference.shape[0], -1, dtype=np.int64)
        cumulative = np.cumsum(preference * weights, axis=1)
        total = cumulative[:, -1]
        topic = np.minimum((cumulative < (u_topic * total)[:, None]).sum(axis=1), self.n_topics - 1)
        running = np.cumsum(self.appeal, dtype=np.float64)
        before = np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])
        target = before[topic] + u_item * weights[topic]
        chosen = np.minimum(np.searchsorted(running, target, side="right"), len(self) - 1)
        chosen[total <= 0] = -1
        return chosen
