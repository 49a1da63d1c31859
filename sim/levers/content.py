"""Content: the operator's own posts, with their volume, quality, topic mix and breadth, and formats.

**Quality is per item**: each post's quality is drawn around the lever's mean (``quality``, or a
format's own ``quality``) with spread ``quality_spread`` (a Beta distribution with that mean), so a
team's posts vary as real posts do. **Relevance comes from topics**: by default posts follow the
topics' popularity; ``target: interests`` follows the interests of the members still here (their
mean topic interest, re-estimated weekly from a sample), and ``topic_mix`` sets the mix by hand.
Readers pick items by relevance and quality (``sim.agents``), so good, relevant posts help and a
flood of poor or off-interest posts does not (Ren & Kraut 2014; Lampe & Resnick 2004, "Slash(dot)
and burn": readers' attention goes to highly rated items).

Operator posts join the feed as threads and are read like members' posts (but they draw fewer
replies: a format's ``asks_for_replies``, see ``Items.for_replies``): relevant items bring
information benefit, off-topic ones cost reading time, and volume beyond a member's reading budget
overloads it (Ren & Kraut 2014, "Agent-based modeling to inform online community design": topical
breadth and volume trade information benefit against reading cost). Engaging formats (images,
video, live sessions) draw more reading and responses per item, at a higher cost to make.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Config, Hours, Money, Probability, setting

# Assumption: an operator's text, image or video item (article, announcement, tutorial, media) pulls
# a quarter of the replies a member's thread of the same appeal would. Members' threads are mostly
# requests, and requests draw replies where other posts do not (Burke, Joyce, Kim, Anand & Kraut
# 2007, "Introductions and requests: rhetorical strategies that elicit response in online
# communities"; Arguello et al. 2006, "Talk to me", CHI). The value 0.25 is not measured; a trainer
# can add a "question" format with ``asks_for_replies: 1``. Live sessions invite talk: 0.5.
ASKS_FOR_REPLIES = 0.25


class Format(Config):
    """A content format: how engaging an item is and what it costs to make."""

    share: float = setting(
        ge=0, le=1000, unit="relative weight", description="relative share of the operator's posts"
    )
    engagement: float = setting(
        1.0,
        ge=0.1,
        le=10,
        unit="times a text post",
        description="how much more an item of this format is read, answered "
        "and reacted to than a text post",
    )
    hours: Hours = setting(
        0.5, unit="staff hours per item", description="staff hours to make one item"
    )
    money: Money = setting(0.0, unit="money per item", description="money to make one item")
    quality: float | None = setting(
        None,
        ge=0,
        le=1,
        unit="quality (0..1)",
        description="mean quality of this format's items; empty: the lever's quality",
    )
    asks_for_replies: float = setting(
        ASKS_FOR_REPLIES,
        ge=0,
        le=1,
        unit="times a member's thread",
        description="how strongly an item of this format asks for an answer, relative to a "
        "member's thread (mostly requests): it scales the item's pull on replies only; "
        "1 for a question format",
    )


DEFAULT_FORMATS = {
    "text": Format(share=1.0, engagement=1.0, hours=0.5, money=0.0),
    "image": Format(share=0.0, engagement=1.3, hours=0.75, money=0.0),
    "video": Format(share=0.0, engagement=1.8, hours=3.0, money=50.0),
    "live": Format(share=0.0, engagement=2.5, hours=4.0, money=100.0, asks_for_replies=0.5),
}


@register
class Content(Lever):
    """Operator posts: volume, quality, topic mix and breadth, formats (Ren & Kraut 2014)."""

    key = "content"
    role = "content"  # the team role whose hours it draws on
    label = "Content: the team posts"
    series = (Series("operator_posts", "posts the operator published"),)
    controls = (
        Control("posts_per_day", "posts per day", 0, 300),
        Control("quality", "quality", 0.0, 1.0, 0.05),
        Control("quality_spread", "quality spread between posts", 0.0, 0.5, 0.05),
        Control("target", "topics"),
        Control("follow_trends", "ride trending topics"),
        Control("trend_share", "share of posts on a trending topic", 0.0, 1.0, 0.05),
        Control("hour", "posting hour (with active hours)", 0, 23, empty=10),
    )
    signs = (
        ExpectedSign(
            "content", {"content": {}}, "dau_last30", 1, "Ren & Kraut 2014: information benefit"
        ),
    )
    max_effort: ClassVar[dict] = {"posts_per_day": 40.0, "quality": 1.0}

    priority: int = priority(3)
    posts_per_day: float = setting(
        5.0, ge=0, le=10_000, unit="posts per day", description="operator posts per day"
    )
    quality: Probability = Field(0.8, description="mean quality of operator posts")
    quality_spread: float = setting(
        0.1,
        ge=0,
        le=0.5,
        unit="quality (sd)",
        description="spread (sd) of single posts' quality around the mean; 0: all the same",
    )
    target: Literal["popularity", "interests"] = Field(
        "popularity",
        description="when topic_mix is empty, post on topics by their popularity or by the "
        "interests of the members still here (re-estimated weekly)",
    )
    topic_mix: list[Annotated[float, Field(ge=0, le=1e6)]] = setting(
        default_factory=list,
        max_length=64,
        unit="relative weights",
        description="relative share of posts per topic; empty: follow the topics' popularity",
    )
    breadth: int | None = setting(
        None,
        ge=1,
        le=64,
        unit="topics",
        description="cover only this many topics (the most weighted); empty: all topics in the mix",
    )
    formats: dict[str, Format] = Field(
        default_factory=lambda: dict(DEFAULT_FORMATS),
        description="formats by name, each with share, engagement, hours and money per item",
    )
    follow_trends: bool = Field(
        False,
        description="ride trending topics: while a topic's share of members' posts stands out "
        "from the weeks before, put trend_share of the posts on it",
    )
    trend_share: Probability = Field(
        0.5, description="share of the posts put on a topic seen trending (follow_trends)"
    )
    trend_days: int = setting(
        21,
        ge=1,
        le=365,
        unit="days",
        description="ride one trending topic at most this many days (follow_trends): the "
        "operator's own posts on it keep members talking about it",
    )
    trend_threshold: float = setting(
        1.5,
        ge=1,
        le=20,
        unit="times its usual share",
        description="a topic is seen trending when its share of yesterday's member posts is this "
        "many times its share over the four weeks before (follow_trends)",
    )
    hour: int | None = setting(
        None,
        ge=0,
        le=23,
        unit="hour of day (0..23)",
        description="with active hours (the scenario's hours section): the hour the team posts "
        "its items; a post made when few members are online has sunk or scrolled away by the "
        "time most come (sim.world.hours); empty: 10, office hours; ignored without hours",
    )
    _topic_weights: np.ndarray | None = PrivateAttr(None)
    _format_weights: np.ndarray | None = PrivateAttr(None)
    # (topic ridden, its usual share, the day riding began)
    _riding: tuple[int, float, int] | None = PrivateAttr(None)

    @classmethod
    def switched_on(cls) -> Content:
        return cls(posts_per_day=8, quality=0.85)  # as in experiments/lever-content.yaml

    @model_validator(mode="after")
    def _some_format(self) -> Content:
        if self.formats and sum(f.share for f in self.formats.values()) <= 0:
            raise ValueError("at least one format needs a share above 0")
        return self

    def topic_weights(self, n_topics: int, popularity: np.ndarray) -> np.ndarray:
        if self._topic_weights is None:
            base = np.asarray(self.topic_mix, float) if self.topic_mix else popularity.copy()
            if base.size != n_topics:
                base = np.resize(base, n_topics)
            if self.breadth is not None and self.breadth < n_topics:
                keep = np.argsort(-base, kind="stable")[: self.breadth]
                narrowed = np.zeros_like(base)
                narrowed[keep] = base[keep]
                base = narrowed
            self._topic_weights = (
                base / base.sum() if base.sum() > 0 else np.full(n_topics, 1 / n_topics)
            )
        return self._topic_weights

    def format_weights(self) -> np.ndarray:
        if self._format_weights is None:
            shares = np.array([f.share for f in self.formats.values()], float)
            self._format_weights = shares / shares.sum()
        return self._format_weights

    def shift(
        self, topic_target: np.ndarray | None, format_target: np.ndarray | None, step: float
    ) -> None:
        """Move the topic and format mix a step toward targets (the adaptive lever uses this)."""
        if topic_target is not None and self._topic_weights is not None:
            mixed = (1 - step) * self._topic_weights + step * topic_target
            self._topic_weights = mixed / mixed.sum()
        if format_target is not None and self._format_weights is not None:
            mixed = (1 - step) * self._format_weights + step * format_target
            self._format_weights = mixed / mixed.sum()

    def ride(self, weights: np.ndarray, world) -> np.ndarray:
        """The topic mix for today when riding trends: ``trend_share`` of it on a topic seen
        trending in the per-topic series (``seen_trending``), the rest as usual, for as long as the
        topic's share of yesterday's member posts stays ``trend_threshold`` times what it was
        before it was seen trending. Posts on a trending topic draw the extra attention the trend
        brings (``TrendShock.lift``), and at most ``trend_days``: posts on a topic draw replies
        on it and turn members' interests toward it (``Rules.topic_drift``), so riding feeds the
        share it watches."""
        activity = world.topic_activity(7 * TREND_WEEKS + 1)
        day = world.day
        if self._riding is not None:  # ride it while its share stays above threshold x usual
            topic, usual, since = self._riding
            total = activity[-1].sum()
            if (
                total <= 0
                or activity[-1, topic] / total < self.trend_threshold * usual
                or day - since >= self.trend_days
            ):
                self._riding = None
        if self._riding is None:
            topic = seen_trending(activity, self.trend_threshold)
            if topic is None:
                return weights
            before = activity[:-1].sum(axis=0)
            self._riding = (topic, before[topic] / max(before.sum(), 1), day)
        topic = self._riding[0]
        ridden = (1 - self.trend_share) * weights
        ridden[topic] += self.trend_share
        return ridden / ridden.sum()

    def act(self, operator, world, day):
        if self.target == "interests" and not self.topic_mix and (day - 1) % 7 == 0:
            self._topic_weights = None  # re-estimated weekly from the members' interests
            self.topic_weights(world.n_topics, member_interests(world))
        gen = world.random("operator.content")
        wanted = int(gen.poisson(self.posts_per_day)) if self.posts_per_day else 0
        if wanted == 0 or not self.formats:
            return
        topics = world.n_topics
        weights = self.topic_weights(topics, world.popularity())
        if self.follow_trends:
            weights = self.ride(weights, world)
        names = list(self.formats)
        fmt = gen.choice(len(names), size=wanted, p=self.format_weights())
        topic = gen.choice(topics, size=wanted, p=weights)
        made = np.zeros(wanted, bool)
        for i, name in enumerate(names):  # a handful of formats, not members
            idx = np.flatnonzero(fmt == i)
            spec = self.formats[name]
            n_ok = operator.afford(idx.size, spec.hours, spec.money, "content")
            made[idx[:n_ok]] = True
        engagement = np.array([self.formats[n].engagement for n in names])[fmt[made]]
        means = np.array(
            [self.quality if f.quality is None else f.quality for f in self.formats.values()]
        )[fmt[made]]
        asks = np.array([self.formats[n].asks_for_replies for n in names])[fmt[made]]
        quality = item_quality(means, self.quality_spread, gen)
        world.publish(topic[made], quality, engagement, fmt[made], asks, self.hour)
        operator.count("operator_posts", int(made.sum()))


TREND_WEEKS = 4  # weeks of the per-topic series a trend is measured against
TREND_MIN_POSTS = 10  # a topic needs this many member posts yesterday to be seen trending
TREND_SIGMAS = 3.0  # ... and this many standard deviations of its daily share above its usual
TREND_MIN_DAYS = 7  # days of the per-topic series needed before anything is seen trending


def seen_trending(activity: np.ndarray, threshold: float) -> int | None:
    """The topic an operator watching the per-topic series sees trending, if any.

    Each topic's share of yesterday's member posts (threads and replies, the last row of
    ``activity``, days x topics) is set against its shares on the days before: the topic furthest
    above its usual share (the median), in standard deviations of its own day-to-day swings (from
    the median absolute deviation), is seen trending if
    that is at least ``TREND_SIGMAS``, its share is at least ``threshold`` times its usual share and
    it had ``TREND_MIN_POSTS`` posts; a small topic's ordinary swings are not a trend. An
    assumption in its form: a community manager's "what's hot" glance at the day's topics against
    the usual (Leskovec, Backstrom & Kleinberg 2009 find attention to a story rising within a day,
    so yesterday's counts already show it)."""
    if activity.shape[0] < TREND_MIN_DAYS + 1:
        return None
    activity = activity.astype(float)
    totals = activity.sum(axis=1, keepdims=True)
    if totals[-1, 0] <= 0:
        return None
    shares = activity / np.maximum(totals, 1)
    last, history = shares[-1], shares[:-1][totals[:-1, 0] > 0]
    if history.shape[0] < TREND_MIN_DAYS:
        return None
    # robust: a past spike of a topic neither raises its usual share nor its usual swing
    usual = np.median(history, axis=0)
    swing = 1.4826 * np.median(np.abs(history - usual), axis=0)
    sigmas = (last - usual) / np.maximum(swing, 1 / totals[-1, 0])
    top = int(np.argmax(sigmas))
    seen = (
        sigmas[top] >= TREND_SIGMAS
        and last[top] >= threshold * usual[top]
        and activity[-1, top] >= TREND_MIN_POSTS
    )
    return top if seen else None


def item_quality(means: np.ndarray, spread: float, gen: np.random.Generator) -> np.ndarray:
    """Each item's quality: a Beta draw with mean ``means`` and sd ``spread`` (at most what a Beta
    with that mean allows); the mean itself when the spread is 0."""
    means = np.clip(np.asarray(means, float), 1e-3, 1 - 1e-3)
    if spread <= 0 or means.size == 0:
        return means.astype(np.float32)
    variance = np.minimum(spread**2, 0.9 * means * (1 - means))
    concentration = means * (1 - means) / variance - 1
    return gen.beta(means * concentration, (1 - means) * concentration).astype(np.float32)


SAMPLE = 2000  # members sampled to estimate the community's interests


def member_interests(world) -> np.ndarray:
    """The mean topic interest of (a sample of) the members still here: what they care about."""
    pop = world.members
    here = pop.here()
    if here.size == 0:
        return world.popularity()
    if here.size > SAMPLE:
        here = np.sort(world.random("operator.content.sample").choice(here, SAMPLE, replace=False))
    return pop.pref[here].mean(axis=0).astype(float)
