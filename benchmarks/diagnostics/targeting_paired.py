"""Rewards aimed at core members against rewards for all (issue 16, item 2), on paired seeds.

    .venv/bin/python benchmarks/diagnostics/targeting_paired.py [seeds] [days]

Set-up: 1,200 founders, a market of 6,000 (the atlas's community), ``days`` days (default 120),
the default scenario otherwise. Arms: no operator lever; incentives (recognition-only points and
their defaults) for everyone; the same incentives aimed at core members (``audience: {roles:
[core]}``). From ``CommunityModel.segments_frame`` (segments.parquet), over the second half of the run:
lurkers' and core members' visit rate (visitors per member-day in the role) and core members' posts
(threads + replies) per member-day, and the points issued. Differences against no lever are paired
by seed (common random numbers), with a 95% t-interval. This is what
``tests/test_targeting.py::test_rewards_aimed_at_core_members_move_core_members_and_not_lurkers``
checks on three seeds.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from sim.config import load_scenario
from sim.model import CommunityModel

ARMS = {
    "none": {},
    "all": {"incentives": {}},
    "core": {"incentives": {"audience": {"roles": ["core"]}}},
}


def measure(strategy: dict, seed: int, days: int) -> dict[str, float]:
    scenario = load_scenario(
        None,
        {"community.members": 1200, "arrivals.market_size": 6000, "strategy": strategy},
    )
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    model.run(days)
    groups = model.segments_frame()
    late = groups[(groups.group_by == "role") & (groups.day > days // 2)]
    by = late.groupby("group")[["members", "active", "threads", "replies"]].sum()
    return {
        "lurker visit rate": by.at["lurker", "active"] / by.at["lurker", "members"],
        "core visit rate": by.at["core", "active"] / by.at["core", "members"],
        "core posts per member-day": (by.at["core", "threads"] + by.at["core", "replies"])
        / by.at["core", "members"],
        "points issued": float(model.series()["points_issued"].sum()),
    }


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    runs = {
        arm: [measure(s, seed, days) for seed in range(1, seeds + 1)] for arm, s in ARMS.items()
    }
    print(f"{seeds} paired seeds, {days} days; second half; mean [95% CI] of arm - no lever")
    for outcome in runs["none"][0]:
        base = np.array([r[outcome] for r in runs["none"]])
        cells = [f"{outcome:28s} none {base.mean():.4g}"]
        for arm in ("all", "core"):
            diff = np.array([r[outcome] for r in runs[arm]]) - base
            half = stats.t.ppf(0.975, seeds - 1) * diff.std(ddof=1) / np.sqrt(seeds)
            cells.append(
                f"{arm} {diff.mean():+.4g} [{diff.mean() - half:+.4g}, {diff.mean() + half:+.4g}]"
            )
        print("  ".join(cells))


if __name__ == "__main__":
    main()
