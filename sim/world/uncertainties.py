"""What the operator does not control: a competitor's pull, seasonality, a trending-topic shock.

Levers are the operator's (``sim.policies``); uncertainties are the world's (EMA Workbench's split of
levers and uncertainties). Each acts through the same channels as a lever, at the start of the
operator's phase.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from sim.world.settings import Config, Day, setting


class Competitor(Config):
    """A competing community that lures uncommitted members away from ``start`` on."""

    start: Day = setting(
        1,
        description="day a competing community opens",
        unit="day of the run",
    )
    pull: float = Field(0.5, ge=0, le=1, description="how hard it pulls uncommitted members away")


class Seasonality(Config):
    """A yearly cycle in how often members visit."""

    amplitude: float = Field(
        0.2,
        ge=0,
        le=0.9,
        description="visiting swings by this share above and below its mean over the year",
    )
    peak_day: int = setting(
        1,
        ge=1,
        le=365,
        description="day of the year visiting peaks",
        unit="day of the year",
    )


class TrendShock(Config):
    """A topic trends for a while: members interested in it visit more (``boost``) and, with
    ``lift``, the whole community's attention turns to it.

    Attention to a topic driven from outside (news, a release, an event in the field) jumps and then
    fades over days: Leskovec, Backstrom & Kleinberg 2009 ("Meme-tracking and the dynamics of the
    news cycle", KDD) track phrases that "spread widely and then fade over time scales on the order
    of days"; Crane & Sornette 2008 ("Robust dynamic classes revealed by measuring the response
    function of a social system", PNAS) find that after an exogenous burst (a YouTube video
    featured) daily views jump at once and then relax as a power law of the time since; Lerman &
    Ghosh 2010 (ICWSM) track how interest in news stories spreads on Digg and Twitter. Here the
    topic's attention on day ``t`` of the trend (0 on its first day) is
    ``1 + lift * (1 + t) ** -decay``: members post on it (their choice of topic weighs their
    interest by it), and its items -- members' and the operator's alike -- are read, answered and
    reacted to by it (an item's appeal, ``Items.attend``), so operator posts that follow the trend
    draw more responses while it lasts and posts on other topics lose a little attention to it. The
    power-law form is Crane & Sornette's; ``decay`` 1 (views halve from the first day to the
    second) is an assumption within the range of the exponents they report. ``lift`` 0 (the
    default) leaves attention alone: only ``boost``'s visiting.
    """

    day: Day = setting(description="first day of the trend", unit="day of the run")
    topic: int = setting(
        0,
        ge=0,
        le=63,
        description="the trending topic's index",
        unit="topic index (0 = first)",
    )
    boost: float = Field(
        1.0,
        ge=0,
        le=20,
        description="extra visiting of members interested in the topic, at full interest",
    )
    duration: int = setting(14, ge=1, le=3650, description="days the trend lasts", unit="days")
    lift: float = setting(
        0.0,
        ge=0,
        le=20,
        unit="times usual attention, minus 1",
        description="extra attention to the topic on the trend's first day: members post on it "
        "and read, answer and react to its items (1 + lift) times as readily; 0: visiting only",
    )
    decay: float = setting(
        1.0,
        ge=0,
        le=5,
        unit="power-law exponent",
        description="how fast the extra attention fades: lift x (1 + days since the start) ** "
        "-decay (Crane & Sornette 2008); 0: it stays until the trend ends",
    )

    def active(self, day: int) -> bool:
        return self.day <= day < self.day + self.duration

    def attention(self, day: int, n_topics: int) -> np.ndarray | None:
        """Per-topic attention on ``day`` (float32, length ``n_topics``); None when the trend is
        not on or has no ``lift``."""
        if self.lift <= 0 or not self.active(day) or self.topic >= n_topics:
            return None
        attention = np.ones(n_topics, np.float32)
        attention[self.topic] = 1 + self.lift * (1 + day - self.day) ** -self.decay
        return attention


class Uncertainties(Config):
    """What the operator does not control; each part is optional (absent: not in play)."""

    competitor: Competitor | None = Field(None, description="a competing community")
    seasonality: Seasonality | None = Field(None, description="a yearly cycle in visiting")
    trend: TrendShock | None = Field(None, description="a trending-topic shock")

    def apply(self, pop, day: int) -> None:
        """Set today's competitor pull, seasonal factor and trend pull on the population."""
        pop.today.lure = (
            self.competitor.pull if self.competitor and day >= self.competitor.start else 0.0
        )
        if self.seasonality:
            phase = 2 * np.pi * (day - self.seasonality.peak_day) / 365.0
            pop.today.season = 1.0 + self.seasonality.amplitude * float(np.cos(phase))
        trend = self.trend
        if trend and trend.active(day) and trend.topic < pop.rules.n_topics:
            interest = pop.view("pref")[:, trend.topic]
            pull = (1 + np.float32(trend.boost) * interest).astype(np.float32)
            pop.today.boosts["visit"] = pop.today.boosts.get("visit", 1) * pull
            pop.today.topic_attention = trend.attention(day, pop.rules.n_topics)

    def trending(self, day: int) -> int | None:
        """The trending topic on ``day``, if a trend is on."""
        trend = self.trend
        return trend.topic if trend is not None and trend.active(day) else None
