"""Hot topics (issue 16, item 8): the paired effects of a trending topic and of riding it, on the
example scenario (experiments/hot-topics.yaml: 2,000 founders, topic 2 trends from day 90 for 21
days, lift 4, decay 0.5; 8 operator posts a day), over the trend's days.

    .venv/bin/python benchmarks/diagnostics/hot_topics.py [seeds]      # default 10 seeds: 1..10

Pairs (same seeds in both arms):
* ride vs miss (``content.follow_trends`` true vs false, the same trend): replies and reactions per
  operator post, operator posts on the trending topic (``trend_items``);
* trend on vs off (``lift`` 4 vs 0, both riding): topic 2's share of members' threads, replies
  and reactions per day, and DAU.
Each line: mean paired difference (B - A) and its 95% t-interval, and both arms' means.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from sim.config import load_scenario
from sim.model import CommunityModel

SCENARIO = "experiments/hot-topics.yaml"
DAYS = 120  # the trend runs days 90-110


def run(seed: int, **overrides):
    scenario = load_scenario(SCENARIO, {"run.days": DAYS, **overrides})
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    model.run(DAYS)
    trend = scenario.uncertainties.trend
    topics, daily = model.topics(), model.series()
    during = topics[(topics["day"] >= trend.day) & (topics["day"] < trend.day + trend.duration)]
    days = daily[(daily["day"] >= trend.day) & (daily["day"] < trend.day + trend.duration)]
    on_topic = during[during["topic"] == trend.topic]
    return {
        "responses per operator post": during["operator_responses"].sum()
        / max(during["operator_posts"].sum(), 1),
        "operator posts on the trending topic": days["trend_items"].sum(),
        "trending topic's share of threads": on_topic["threads"].sum() / during["threads"].sum(),
        "replies + reactions per day": (days["replies"] + days["reactions"]).mean(),
        "DAU": days["dau"].mean(),
    }


def paired(a: list[dict], b: list[dict], key: str) -> str:
    x, y = np.array([r[key] for r in a]), np.array([r[key] for r in b])
    d = y - x
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return (
        f"{key}: {d.mean():+.3f} [{d.mean() - half:+.3f}, {d.mean() + half:+.3f}]"
        f"  (A {x.mean():.3f}, B {y.mean():.3f}; {d.size} seeds)"
    )


def main(seeds: int = 10) -> None:
    miss = [run(s, **{"strategy.content.follow_trends": False}) for s in range(1, seeds + 1)]
    ride = [run(s) for s in range(1, seeds + 1)]
    print("ride (B) vs miss (A) the trend, days 90-110:")
    for key in ("responses per operator post", "operator posts on the trending topic"):
        print("  " + paired(miss, ride, key))
    flat = [run(s, **{"uncertainties.trend.lift": 0.0}) for s in range(1, seeds + 1)]
    print("trend on (B, lift 4) vs off (A, lift 0), both riding, days 90-110:")
    for key in ("trending topic's share of threads", "replies + reactions per day", "DAU"):
        print("  " + paired(flat, ride, key))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
