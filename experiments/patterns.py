"""Measure the pattern targets P-1 and R-2 of EVIDENCE.md on the default community, no operator action.

    python experiments/patterns.py --reps 20 --days 420

Each replication runs the default model with seed r; the table gives the mean over replications, a
95% t-interval, the band and whether the mean lies inside it. P-1 is measured at the end of the run
(after warm-up) over the members present; R-2 pools the newcomers of each run (founders excluded).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import stats

from sim import CommunityModel

# (key, label, low, high); None means unbounded on that side
TARGETS = (
    ("active_contributor_share", "P-1 active contributors (>=1 post in 30 d)", 0.05, 0.25),
    ("top1_post_share", "P-1 share of posts by the top 1%", 0.40, 0.75),
    ("posts_gini", "P-1 Gini of posts per member", 0.80, None),
    ("retention_30", "R-2 retention(30)", 0.20, 0.40),
    ("retention_90", "R-2 retention(90)", 0.09, 0.25),
    ("r90_over_r30", "R-2 retention(90)/retention(30)", 0.40, 0.65),
    ("r300_over_r90", "R-2 retention(300)/retention(90)", 0.75, None),
)
CONTEXT = ("unanswered_share", "first_post_reply_share", "members_end", "dau_last30")


def measure(seed: int, days: int) -> dict[str, float]:
    model = CommunityModel(rng=seed)
    model.run(days)
    summary = model.summary()
    summary["r90_over_r30"] = summary["retention_90"] / summary["retention_30"]
    summary["r300_over_r90"] = summary["retention_300"] / summary["retention_90"]
    return summary


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(values) - 1) * stats.sem(values))
    return mean, mean - half, mean + half


def run(reps: int, days: int, workers: int) -> list[dict]:
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(measure, range(1, reps + 1), [days] * reps))


def report(results: list[dict]) -> list[tuple]:
    rows = []
    for key, label, low, high in TARGETS:
        mean, lo, hi = mean_ci(np.array([r[key] for r in results], dtype=float))
        inside = (low is None or mean >= low) and (high is None or mean <= high)
        band = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        rows.append((label, mean, lo, hi, band, "pass" if inside else "FAIL"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--days", type=int, default=420)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = run(args.reps, args.days, args.workers)
    print(f"{'target':45} {'mean':>7} {'95% CI':>17}  {'band':>11}  result")
    for label, mean, lo, hi, band, verdict in report(results):
        print(f"{label:45} {mean:7.3f} [{lo:6.3f}, {hi:6.3f}]  {band:>11}  {verdict}")
    for key in CONTEXT:
        mean, lo, hi = mean_ci(np.array([r[key] for r in results], dtype=float))
        print(f"{'(context) ' + key:45} {mean:7.3f} [{lo:6.3f}, {hi:6.3f}]")


if __name__ == "__main__":
    main()
