"""P-1 and R-1 on the full validation's 420 days: how the active-contributor share and the share of
newcomers' first threads that get a reply change as the default community ages, with habit
(``habit_gain``) and the forum repliers' search for unanswered threads (``seek_crowd``) on and off.

The full validation measures P-1 and R-1 at day 420, the quick one at day 200; this shows whether
the full run's failures come from the community's age and which mechanism carries them.

    .venv/bin/python benchmarks/diagnostics/patterns_over_time.py --seeds 1 2 3 4
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.config.loading import load_scenario
from sim.model import CommunityModel

DAYS = 420
CHECK_DAYS = (200, 300, 420)
FIRST_POST_PERIODS = ((0, 100), (100, 200), (200, 300), (300, 390))
ARMS = {
    "default": {},
    "habit_gain 0": {"habit_gain": 0.0},
    "no search for unanswered threads": {"seek_crowd": 1_000_000},
}


def measure(behaviour: dict, seed: int) -> dict:
    scenario = load_scenario(None, {f"behaviour.{k}": v for k, v in behaviour.items()})
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    model.run(DAYS)
    series = model.series()
    pop = model.population
    first = pop.view("first_post_day")
    newcomer = ~pop.view("is_founder")
    replied = pop.view("first_post_replied")
    out = {}
    for day in CHECK_DAYS:
        out[f"contributors d{day}"] = 100 * float(series["active_contributor_share"].iloc[day - 1])
        out[f"members d{day}"] = float(series["members"].iloc[day - 1])
    for lo, hi in FIRST_POST_PERIODS:
        cohort = newcomer & (first >= lo) & (first < hi)
        out[f"replied {lo}-{hi}"] = 100 * float(replied[cohort].mean()) if cohort.any() else np.nan
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    args = parser.parse_args(argv)
    for label, behaviour in ARMS.items():
        runs = [measure(behaviour, seed) for seed in args.seeds]
        print(f"{label} (seeds {args.seeds}, means):")
        for key in runs[0]:
            values = np.array([run[key] for run in runs])
            print(
                f"  {key:>22}: {np.nanmean(values):8.1f}  per seed {np.round(values, 1).tolist()}"
            )


if __name__ == "__main__":
    main()
