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
    def build(cls, author, topic, quality, is_thread, n_topics: int) -> Items:
        order = np.argsort(topic, kind="stable")
        return cls(
            author=np.asarray(author, np.int64)[order],
            topic=np.asarray(topic, np.int64)[order],
            quality=np.asarray(quality, np.float32)[order],
            is_thread=np.asarray(is_thread, bool)[order],
            n_topics=n_topics,
        )

    def __len__(self) -> int:
        return int(self.author.size)

    def per_topic(self) -> np.ndarray:
        """Item counts per topic (float32, length K)."""
        return np.bincount(self.topic, minlength=self.n_topics).astype(np.float32)

    def mean_quality(self) -> float:
        return float(self.quality.mean()) if len(self) else 0.0

    def threads(self) -> Items:
        keep = self.is_thread
        return Items(
            self.author[keep],
            self.topic[keep],
            self.quality[keep],
            self.is_thread[keep],
            self.n_topics,
        )

    def pick(self, preference: np.ndarray, u_topic: np.ndarray, u_item: np.ndarray) -> np.ndarray:
        """For each chooser (a row of ``preference``), pick one item; returns item indices (-1: none).

        A chooser picks a topic with probability proportional to its preference times the number of
        items on that topic, then an item of that topic uniformly: attention follows interest.
        """
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
