"""Issue 15: why do writing sessions (``Rules.session_size``) cut a small community's writing so much?

Sessions keep each visit's expected threads and replies (``sim.world.streams.session_count``), yet
the atlas row (1,200 founders, 240 days, size 3) measured 25% fewer posts a day, and one look at a
default community of 800 founders found several-fold less writing in 60 days. This script runs a
default community of ``--members`` founders for ``--days`` days per seed, with the rate rounded
(size 1) and in sessions (``--size``), and again with one reinforcement of the post drive switched
off at a time (``Rules.drive_max`` raised to 100, ``first_reply_weight``, ``habit_gain`` and
``ignored_penalty`` at 0) or the drive's ceiling at 1.5, inside the calibration's prior of 1.05 to 2
(the default 10 lets a few members' habit run away: posting begets posting), and prints per run:

* ``threads``, ``replies``: written over the run;
* ``posters``: members who wrote at least once;
* ``at cap``: members whose drive to post is at ``drive_max`` on the last day, and ``cap share``
  the share of the run's threads they wrote.

    .venv/bin/python benchmarks/diagnostics/session_ignition.py
    .venv/bin/python benchmarks/diagnostics/session_ignition.py --seeds 1 2 3 --size 3
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from sim.model import CommunityModel

VARIANTS = {  # name: rule changes, each switching one reinforcement of the drive off
    "default": {},
    "no drive cap": {"drive_max": 100.0},
    "drive cap 1.5": {"drive_max": 1.5},  # inside calibration's prior (1.05 to 2)
    "no first-reply weight": {"first_reply_weight": 0.0},
    "no habit": {"habit_gain": 0.0},
    "no ignored penalty": {"ignored_penalty": 0.0},
}


def measure(members: int, days: int, seed: int, size: float, changes: dict) -> dict:
    """One default community of ``members`` founders run ``days`` days with ``changes`` applied."""
    model = CommunityModel(members=members, rng=seed)
    pop = model.population
    pop.rules = replace(pop.rules, session_size=size, **changes)
    for _ in range(days):
        model.step()
    n = pop.n
    threads = pop.threads[:n]
    capped = pop.post_drive[:n] >= np.float32(pop.rules.drive_max) * np.float32(0.999)
    total = int(threads.sum())
    return {
        "threads": total,
        "replies": int(pop.replies[:n].sum()),
        "posters": int((pop.posts[:n] > 0).sum()),
        "at cap": int(capped.sum()),
        "cap share": float(threads[capped].sum() / total) if total else float("nan"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=800)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--size", type=float, default=1.5, help="the session size compared with 1")
    args = parser.parse_args(argv)
    print("| variant | seed | size | threads | replies | posters | at cap | cap share |")
    print("|---|---|---|---|---|---|---|---|")
    for name, changes in VARIANTS.items():
        for seed in args.seeds:
            for size in (1.0, args.size):
                m = measure(args.members, args.days, seed, size, changes)
                print(
                    f"| {name} | {seed} | {size:g} | {m['threads']:,} | {m['replies']:,} | "
                    f"{m['posters']} | {m['at cap']} | {m['cap share']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
