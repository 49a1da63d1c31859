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
    """A topic trends for a while: members interested in it visit more."""

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
        if (
            trend
            and trend.day <= day < trend.day + trend.duration
            and trend.topic < pop.rules.n_topics
        ):
            interest = pop.view("pref")[:, trend.topic]
            pull = (1 + np.float32(trend.boost) * interest).astype(np.float32)
            pop.today.boosts["visit"] = pop.today.boosts.get("visit", 1) * pull
