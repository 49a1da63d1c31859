"""Issue 15: is a log's top 1% heavier than a log-normal spread of the same inequality gives?

The calibrated runs' top-1% share of contributions falls short of the log's on most real exports
(README, "Calibrating to your community"), while their Gini comes closer. In the model a member's
propensities are its segment's times a log-normal jitter (``Segment.spread``, fitted as
``mix.spread``), so for each log this script asks what a log-normal does on its own: draw as many
log-normal values as the log has contributors, with the sigma whose median Gini over draws is the
log's, and give the top 1%'s share over draws (median and 5%-95%), beside the log's. The same
definitions as the calibration (``sim.world.metrics.inequality``: the top ceil(1%) of members;
contributors only, as a contributions-only log shows them). A log whose top 1% lies above the
log-normal's 95% is one where a few members (a maintainer, a moderator) write more than any
spread of the body can give at that Gini: the body is too equal for a log-normal whose tail is
that heavy. Tenure, arrivals and departures add to the runs' inequality, so this is what the
propensities alone give, not a bound on the model.

``--tails`` asks the same of a log-normal with a power-law upper tail (``Segment.tail``, fitted as
``mix.tail`` since calibration 24; Reed & Jorgensen 2004's Pareto-lognormal): each value is
exp(sigma x Z + tail x E), Z standard normal and E standard exponential, with sigma again solved
for the log's Gini, one row per log and tail. A tail of 0 is the plain log-normal above.

    .venv/bin/python benchmarks/diagnostics/contribution_tails.py LOG.parquet [LOG ...]
    .venv/bin/python benchmarks/diagnostics/contribution_tails.py LOG ... --tails 0 0.5 0.75 0.9

Logs are those ``commsim import`` writes (or any log the calibration reads with ``member`` and
``action`` columns). Every draw is seeded: same logs, same output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from sim.world.metrics import inequality

DRAWS = 300  # log-normal samples per log for the shares' median and 5%-95%
SEARCH_DRAWS = 80  # samples per sigma while solving for the log's Gini
SIGMA = (0.05, 6.0)  # the range searched for sigma
SCALE = 1e6  # continuous draws scaled to this total before rounding to counts (kept as floats)


def contributions(path: Path) -> np.ndarray:
    """Threads and replies per contributing member of a log."""
    if path.suffix in (".parquet", ".pq"):
        log = pd.read_parquet(path, columns=["member", "action"])
    else:
        log = pd.read_csv(path, usecols=["member", "action"])
    actions = log["action"].astype(str).str.lower()
    return log[actions.isin(["post", "reply"])].groupby("member").size().to_numpy()


def shares(values: np.ndarray) -> tuple[float, float]:
    """(Gini, top-1% share) of continuous values, by ``inequality`` on counts scaled to
    ``SCALE`` in all (fine enough that rounding changes neither)."""
    return inequality(np.rint(values / values.sum() * SCALE).astype(np.int64))


def lognormal_shares(sigma: float, n: int, draws: int, seed: int, tail: float = 0.0) -> np.ndarray:
    """(draws, 2): the Gini and top-1% share of ``draws`` samples of ``n`` log-normal values,
    each times exp(``tail`` x E), E standard exponential, if ``tail`` is above 0."""
    rng = np.random.default_rng([seed, n])
    if tail == 0:  # drawn as before --tails existed, so the log-normal's figures stay the same
        return np.array([shares(rng.lognormal(0.0, sigma, n)) for _ in range(draws)])

    def sample() -> tuple[float, float]:
        logs = sigma * rng.standard_normal(n) + tail * rng.standard_exponential(n)
        return shares(np.exp(logs - logs.max()))  # shifted: heavy tails would overflow exp

    return np.array([sample() for _ in range(draws)])


def matched_sigma(gini: float, n: int, seed: int, tail: float = 0.0) -> float | None:
    """The sigma whose median Gini over samples of ``n`` values (``lognormal_shares``) is
    ``gini``; None if even the smallest sigma searched gives more (the tail alone is too
    unequal)."""

    def gap(sigma: float) -> float:
        return float(np.median(lognormal_shares(sigma, n, SEARCH_DRAWS, seed, tail)[:, 0]) - gini)

    if gap(SIGMA[0]) > 0:
        return None
    return brentq(gap, *SIGMA, xtol=1e-3)


def compare(path: Path, seed: int = 1, tail: float = 0.0) -> dict:
    counts = contributions(path)
    gini, top1 = inequality(counts)
    row = {
        "log": path.stem,
        "contributors": counts.size,
        "gini": round(gini, 3),
        "top1": round(top1, 3),
    }
    if tail > 0:
        row["tail"] = tail
    sigma = matched_sigma(gini, counts.size, seed, tail)
    if sigma is None:  # no spread of the body at this tail is as equal as the log
        return {**row, "sigma": None}
    top = lognormal_shares(sigma, counts.size, DRAWS, seed + 1, tail)[:, 1]
    low, median, high = np.quantile(top, [0.05, 0.5, 0.95])
    return {
        **row,
        "sigma": round(sigma, 2),
        "lognormal_top1": round(float(median), 3),
        "lognormal_5%": round(float(low), 3),
        "lognormal_95%": round(float(high), 3),
        "above_95%": bool(top1 > high),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tails",
        type=float,
        nargs="+",
        default=[0.0],
        help="power-law tails to try (0: the log-normal alone, the default)",
    )
    args = parser.parse_args(argv)
    table = pd.DataFrame(
        [compare(path, args.seed, tail) for path in args.logs for tail in args.tails]
    )
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
