"""The calibration compares weekly curves by their shape in time and their level apart
(``sim.calibration.fit.timing_distance`` and ``LEVELS``, ``CALIBRATION_VERSION`` 19), so a bursty
log no longer makes runs writing less than it look closer than runs writing as much."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration.activity import POST_BINS, Observed
from sim.calibration.fit import discrepancies, timing_distance

WEEKS = 120


def _observed(weekly_posts: np.ndarray) -> Observed:
    """A log with these contributions per week (all on each week's first day), nothing else."""
    days = 1 + 7 * len(weekly_posts)
    threads = np.zeros(days)
    threads[1::7] = weekly_posts
    daily = pd.DataFrame({"day": np.arange(days), "joins": 0, "dau": (threads > 0).astype(float),
                          "threads": threads, "replies": 0.0, "reactions": 0.0})  # fmt: skip
    scalars = {f"posts_share_{label}": 0.0 for label, _, _ in POST_BINS}
    return Observed(daily, scalars)


def _bursty(rng: np.random.Generator, level: float) -> np.ndarray:
    """Weekly contributions with a coefficient of variation of 2 (as bicycles.meta's, 2.1)."""
    return rng.gamma(0.25, 4.0 * level, WEEKS)


def test_the_timing_distance_sees_shape_not_level():
    rising = np.linspace(1, 10, 50)
    assert timing_distance(3 * rising, rising) == pytest.approx(0.0)  # same shape, 3x the level
    assert timing_distance(rising[::-1], rising) > 0.2  # falling where the log rises
    first, last = np.zeros(50), np.zeros(50)
    first[0], last[-1] = 1.0, 1.0
    assert timing_distance(first, last) == pytest.approx(49 / 50)  # the farthest apart
    assert timing_distance(np.zeros(50), rising) == 1.0  # an empty curve has no shape
    assert timing_distance(np.zeros(50), np.zeros(50)) == 0.0


def test_a_bursty_log_is_matched_best_at_its_own_level():
    """Runs of the log's own bursty process at a tenth, half, the same, twice and ten times its
    level: the curve's shape discrepancy does not depend on the level, the level discrepancy is
    symmetric on the log scale, so the run at the log's level is the closest. Under the RMS of
    the weekly values used before, a run writing nothing was closer than one at the log's level."""
    rng = np.random.default_rng(5)
    log = _observed(_bursty(rng, 10.0))
    factors = (0.1, 0.5, 1.0, 2.0, 10.0)
    shape, level = {f: [] for f in factors}, {f: [] for f in factors}
    for _ in range(20):
        draw = _bursty(rng, 10.0)
        for f in factors:
            d = discrepancies(_observed(f * draw), log)
            shape[f].append(d["posts"])
            level[f].append(d["posts_level"])
    for f in factors:  # the same draws scaled: exactly the same shape
        assert np.allclose(shape[f], shape[1.0])
    closest = min(factors, key=lambda f: np.mean(level[f]))
    assert closest == 1.0
    assert np.mean(level[0.5]) == pytest.approx(np.mean(level[2.0]), rel=0.1)  # symmetric
    empty = discrepancies(_observed(np.zeros(WEEKS)), log)
    assert empty["posts"] == 1.0 and empty["posts_level"] > 3  # far on both

    def rms(simulated, observed):  # the discrepancy of versions up to 18
        s, o = simulated.weekly()["posts"], observed.weekly()["posts"]
        return float(np.sqrt(np.mean((s - o) ** 2)) / np.mean(o))

    same_level = np.mean([rms(_observed(_bursty(rng, 10.0)), log) for _ in range(20)])
    assert rms(_observed(np.zeros(WEEKS)), log) < same_level  # the old bias toward silence


def test_the_daily_actives_level_is_compared():
    """With the curves compared by shape, the daily actives keep a level of their own."""
    rng = np.random.default_rng(1)
    log = _observed(_bursty(rng, 10.0))
    quiet = log.daily.copy()
    quiet["dau"] = quiet["dau"] / 4
    found = discrepancies(Observed(quiet, log.scalars), log)
    assert found["dau_level"] == pytest.approx(np.log(4), rel=0.2)
    assert found["dau"] == pytest.approx(0.0)
