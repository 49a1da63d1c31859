"""RK-1, RK-2 and K moderation: how much of community moderation's effect is the lasting removal
cost to its authors? Community against no moderation in Ren & Kraut's broad stream (the quick
validation set-up: 1,500 members, 200 days, window from day 80), with the removal signal at its
defaults and switched off (removal_cost, removal_drive and first_removal_weight 0), paired seeds.

    .venv/bin/python benchmarks/diagnostics/moderation_removal_cost.py --seeds 1 2 3 4
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.config.loading import validate_scenario
from sim.model import CommunityModel
from sim.validation.targets import broad_community

DAYS, FIRST = 200, 80
NO_REMOVAL_SIGNAL = {"removal_cost": 0.0, "removal_drive": 0.0, "first_removal_weight": 0.0}


def window(mode: str, behaviour: dict, seed: int) -> np.ndarray:
    """Sessions (daily active share), posts per day and mean loyalty over the window."""
    data = broad_community(True)
    data["behaviour"] = behaviour
    data["strategy"] = {"hours_per_day": 10000.0, "moderation": {"mode": mode}}
    scenario = validate_scenario(data)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    model.run(DAYS)
    series = model.series().iloc[FIRST:]
    sessions = (series["dau"] / series["members"].clip(lower=1)).mean()
    posts = (series["threads"] + series["replies"]).mean()
    return np.array([sessions, posts, series["mean_loyalty"].mean()])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    args = parser.parse_args(argv)
    for label, behaviour in (("removal signal on", {}), ("removal signal off", NO_REMOVAL_SIGNAL)):
        pairs = [
            (window("none", behaviour, s), window("community", behaviour, s)) for s in args.seeds
        ]
        sessions = [100 * (b[0] / a[0] - 1) for a, b in pairs]
        posts = [100 * (b[1] / a[1] - 1) for a, b in pairs]
        loyalty = [b[2] - a[2] for a, b in pairs]
        print(
            f"{label}: community vs none, sessions {np.mean(sessions):+.2f}% "
            f"(per seed {np.round(sessions, 2).tolist()}), posts {np.mean(posts):+.2f}%, "
            f"mean loyalty {np.mean(loyalty):+.4f}"
        )


if __name__ == "__main__":
    main()
