"""Does participation inequality come from reinforcement? The default community with reinforcement
on versus off, on paired seeds.

Reinforcement off: ``drive_gain = 0`` (replies received no longer raise the drive to post),
``first_reply_weight = 0`` (nor do the first replies a member ever gets, Joyce & Kraut 2006) and
``habit_gain = 0`` (posting no longer begets posting). Everything else, traits included, is the
default scenario's, and each seed runs both arms (common random numbers), so the paired difference
is the effect of reinforcement alone. Printed: for each arm the mean Gini of posts per member, the
top-1% share of posts and the active contributor share at the end (members present), with 95%
confidence intervals (t over seeds), and the paired differences with theirs.

    .venv/bin/python benchmarks/inequality_ablation.py                 # 10 seeds x 365 days
    .venv/bin/python benchmarks/inequality_ablation.py --seeds 4 --days 240
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from scipy import stats

from sim.config import load_scenario
from sim.model import CommunityModel

MEASURES = ("posts_gini", "top1_post_share", "active_contributor_share")


def run(seed: int, days: int, reinforcement: bool) -> dict[str, float]:
    scenario = load_scenario(None)
    kwargs = scenario.model_kwargs()
    if not reinforcement:
        kwargs["rules"] = replace(
            kwargs["rules"], drive_gain=0.0, first_reply_weight=0.0, habit_gain=0.0
        )
    model = CommunityModel(**kwargs, rng=seed)
    model.run(days)
    summary = model.summary()
    return {name: float(summary[name]) for name in MEASURES} | {
        "members_end": summary["members_end"]
    }


def interval(values: np.ndarray) -> str:
    mean = values.mean()
    if values.size < 2:
        return f"{mean:.3f}"
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return f"{mean:.3f} [{mean - half:.3f}, {mean + half:.3f}]"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="paired seeds (1..N)")
    parser.add_argument("--days", type=int, default=365, help="days per run")
    args = parser.parse_args(argv)
    seeds = range(1, args.seeds + 1)
    on = [run(seed, args.days, True) for seed in seeds]
    off = [run(seed, args.days, False) for seed in seeds]
    print(
        f"default community, {args.days} days, seeds 1..{args.seeds}, paired; mean [95% CI]\n"
        f"{'measure':26} {'reinforcement on':26} {'off':26} {'on - off':26}"
    )
    for name in (*MEASURES, "members_end"):
        a = np.array([r[name] for r in on])
        b = np.array([r[name] for r in off])
        print(f"{name:26} {interval(a):26} {interval(b):26} {interval(a - b):26}")


if __name__ == "__main__":
    main()
