"""Measure the pattern targets of EVIDENCE.md (P-1, P-2, P-3, R-1, R-2, R-4) on the default community.

    python experiments/patterns.py --reps 30

A thin front to ``sim.validation`` (the same as ``commsim validate --only P-1 P-2 P-3 R-1 R-2 R-4``):
30 replications x 420 days of the default community with no operator, with onboarding and at maximum
operator effort, on paired seeds; results are stored (and resumed) in ``results/validation/patterns``.
"""

from __future__ import annotations

import argparse

from sim.validation import validate

PATTERN_TARGETS = ["P-1", "P-2", "P-3", "R-1", "R-2", "R-4"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="results/validation")
    args = parser.parse_args()
    outcome = validate(args.out, workers=args.workers, only=PATTERN_TARGETS, replications=args.reps)
    for check in outcome.checks:
        print(check.line())


if __name__ == "__main__":
    main()
