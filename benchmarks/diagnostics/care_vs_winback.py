"""Personal care against win-back at equal staff hours (issue 16, item 7), on paired seeds.

    .venv/bin/python benchmarks/diagnostics/care_vs_winback.py [seeds] [hours] [care_hours]

Set-up: the atlas's (1,200 founders, a market of 6,000, 240 days). Arms: no lever, win-back
(defaults) and personal care (defaults), each alone with the same ``hours`` of staff time a day
(default 0.5; care's own daily allowance ``care_hours``, by default the same). Win-back's volume is
set by how many members are away, not by the hours: to compare at equal hours *spent*, give care
about what win-back used (it prints hours used a day per arm). Per arm: members at the end, core
members at the end (``core``: 10 or more posts in about 30 days), the share of the day-120 key
members (3 or more recent posts: regulars and core) still here at the end and active in its last
30 days, daily actives over the
last 30 days, and staff hours used a day. Differences are paired by seed (common random numbers),
with a 95% t-interval.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from sim.model import CommunityModel
from sim.policies import Strategy

DAYS, MARKED = 240, 120
KEY_POSTS = 3.0  # recent posts that make a key member (Care.min_recent_posts' default)


def run(strategy: dict, seed: int) -> dict[str, float]:
    model = CommunityModel(
        members=1200, market_size=6000, strategy=Strategy.model_validate(strategy), rng=seed
    )
    for _ in range(MARKED):
        model.step()
    pop = model.population
    key = np.flatnonzero(pop.view("alive") & (pop.view("recent_posts") >= KEY_POSTS))
    for _ in range(DAYS - MARKED):
        model.step()
    series = model.series()
    last30 = series[series["day"] > DAYS - 30]
    return {
        "members_end": float(series["members"].iloc[-1]),
        "core_end": float(series["core"].iloc[-1]),
        "key_kept": float(pop.alive[key].mean()),
        "key_active": float((pop.last_active_day[key] > DAYS - 30).mean()),
        "dau_last30": float(last30["dau"].mean()),
        "hours_per_day": float(series["hours_used"].mean()),
    }


def interval(diff: np.ndarray) -> str:
    mean = diff.mean()
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return f"{mean:+.3f} [{mean - half:+.3f}, {mean + half:+.3f}]"


def main(seeds: int, hours: float, care_hours: float) -> None:
    arms = {
        "none": {"hours_per_day": hours},
        "winback": {"hours_per_day": hours, "winback": {}},
        "care": {"hours_per_day": hours, "care": {"hours_per_day": care_hours}},
    }
    results = {arm: [run(s, seed) for seed in range(1, seeds + 1)] for arm, s in arms.items()}
    outcomes = list(results["none"][0])
    print(f"{seeds} seeds, {hours} staff hours a day (care: {care_hours} at most); mean per arm")
    for arm, rows in results.items():
        means = {k: np.mean([r[k] for r in rows]) for k in outcomes}
        print(f"  {arm:8s}", "  ".join(f"{k} {v:.3f}" for k, v in means.items()))
    for a, b in (("none", "winback"), ("none", "care"), ("winback", "care")):
        print(f"{b} - {a}: mean [95% CI]")
        for k in outcomes:
            diff = np.array([rb[k] - ra[k] for ra, rb in zip(results[a], results[b], strict=True)])
            print(f"  {k:14s} {interval(diff)}")


if __name__ == "__main__":
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    hours = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    main(seeds, hours, float(sys.argv[3]) if len(sys.argv) > 3 else hours)
