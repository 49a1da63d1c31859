"""Measure the operator targets of EVIDENCE.md with paired seeds: G, RK, W, B-1 and the K sign test.

    python experiments/lever_effects.py --reps 30            # every operator target
    python experiments/lever_effects.py --reps 30 --only G-5 RK-1

A thin front to ``sim.validation`` (the same as ``commsim validate --only ...``): replication r of
every arm runs on the same seed (common random numbers), so differences between arms are paired;
results are stored (and resumed) in ``results/validation/<group>``. R-1 is measured with the
patterns (``experiments/patterns.py``).
"""

from __future__ import annotations

import argparse

from sim.validation import validate

LEVER_TARGETS = ["G-1", "G-2", "G-4", "G-5", "RK-1", "RK-2", "RK-3", "W-1", "W-2", "B-1", "K"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="results/validation")
    parser.add_argument("--only", nargs="*", choices=LEVER_TARGETS, default=LEVER_TARGETS)
    args = parser.parse_args()
    outcome = validate(args.out, workers=args.workers, only=args.only, replications=args.reps)
    for check in outcome.checks:
        print(check.line())


if __name__ == "__main__":
    main()
