"""Moderation: none, community-level deletion of off-topic and toxic posts, or a personalized
filter of each member's feed.

Ren & Kraut 2014 ("Agent-based modeling to inform online community design") compare community-level
moderation, which deletes posts for everyone, with personalized moderation, which hides off-topic
posts from each reader; Kraut & Resnick 2012 (ch. 4) on regulating behaviour. Removing a post
costs its author (felt on the next visit); showing newcomers the rules halves their toxic posting.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Hours, Probability, setting


@register
class Moderation(Lever):
    """None, community-level deletion, or a personalized feed filter (Ren & Kraut 2014)."""

    key = "moderation"
    label = "Moderation"
    series = (
        Series("posts_removed_true", "off-topic or toxic posts removed (community mode)"),
        Series("posts_removed_false", "legitimate posts removed by mistake (community mode)"),
        Series("posts_removed_toxic", "toxic posts removed (personalized mode)"),
    )
    controls = (
        Control("mode", "mode"),
        Control("recall", "share of bad posts caught", 0.0, 1.0, 0.05),
    )
    # outcome: mean loyalty, not leaves for toxicity: at this level of toxicity no member's
    # largest deficit is toxicity, so those leaves are zero in every arm (a degenerate outcome)
    signs = (
        ExpectedSign(
            "moderation",
            {"moderation": {}},
            "mean_loyalty",
            1,
            "Kraut & Resnick 2012 ch. 4: regulating behaviour limits damage",
        ),
    )
    max_effort: ClassVar[dict] = {"mode": "personalized"}

    priority: int = priority(1)
    mode: Literal["none", "community", "personalized"] = Field(
        "community", description="none, community or personalized"
    )
    on_topic: list[Annotated[int, Field(ge=0, le=63)]] = setting(
        default_factory=list,
        max_length=64,
        unit="topic indices (0 = first)",
        description="topic indices the community is about: community mode also deletes posts on "
        "other topics; empty: every topic is on-topic (only chatter is off-topic)",
    )
    recall: Probability = Field(
        0.8, description="share of off-topic chatter and toxic posts caught"
    )
    false_positive_rate: Probability = Field(
        0.02, description="share of legitimate posts wrongly removed"
    )
    precision: Probability = Field(
        0.6, description="personalized mode: share of a member's off-topic items the filter hides"
    )
    rules_shown: bool = Field(
        True, description="newcomers see the rules, which halves their toxic posting"
    )
    hours_per_100_posts: Hours = setting(
        1.0, unit="staff hours per 100 posts", description="staff hours to review 100 posts"
    )

    def on_topic_mask(self, n_topics: int) -> np.ndarray:
        if not self.on_topic:
            return np.ones(n_topics, bool)
        mask = np.zeros(n_topics, bool)
        mask[[t for t in self.on_topic if t < n_topics]] = True
        return mask

    def act(self, operator, world, day):
        pop = world.members
        pop.today.rules_shown = self.rules_shown and self.mode != "none"
        if self.mode == "none":
            return
        feed = world.feed
        reviewed = len(feed)
        if not operator.afford(1, self.hours_per_100_posts * reviewed / 100, 0.0, "moderation"):
            return
        gen = world.random("operator.moderation")
        if self.mode == "personalized":
            pop.today.feed_filter = self.precision
            toxic = feed.toxic & (gen.random(len(feed)) < self.recall)
            operator.count("posts_removed_toxic", world.remove(toxic))
            return
        off_topic = feed.offtopic | ~self.on_topic_mask(world.n_topics)[feed.topic]
        bad = (off_topic | feed.toxic) & (feed.author >= 0)
        caught = bad & (gen.random(len(feed)) < self.recall)
        wrongly = ~bad & (feed.author >= 0) & (gen.random(len(feed)) < self.false_positive_rate)
        operator.count("posts_removed_true", int(caught.sum()))
        operator.count("posts_removed_false", int(wrongly.sum()))
        world.remove(caught | wrongly)
