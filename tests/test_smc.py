"""The moves of the calibration's ABC-SMC (``sim.calibration.smc``): the equal-weight
population's resampling and Metropolis-Hastings moves (each half by the other's kernels), and
local, shrunk kernels that stay full rank with fewer particles than parameters, reach toward the
closest particles, survive degenerate weights, and give more honest intervals than the global
kernel they replaced (``benchmarks/diagnostics/abc_kernels.py``, which also measures a random-walk
MCMC move, and the hybrid the calibration uses, beside them)."""

from __future__ import annotations

import warnings

import numpy as np

from sim.calibration.smc import (
    FLOOR,
    accept,
    half_batch,
    halves,
    importance_weights,
    local_kernels,
    metropolis_hastings,
    proposals,
    resample,
)
from tests.script_helpers import load_script


def _diagnostic(name: str):
    """Import a diagnostic by path (``benchmarks`` is not a package)."""
    return load_script(f"benchmarks/diagnostics/{name}.py")


def test_the_tolerance_never_rises_and_keeps_at_least_two():
    tolerance, within = accept(np.array([0.5, 0.9, np.inf, 0.7]), np.inf, 0.5)
    assert tolerance == 0.7 and within.tolist() == [True, False, False, True]
    tolerance, within = accept(np.array([0.8, 0.6, 0.9]), 0.4, 0.5)  # none within the last one
    assert tolerance == 0.4 and within.tolist() == [True, True, False]  # the two closest kept


def test_resampling_draws_only_particles_within_the_tolerance():
    within = np.array([False, True, False, True, True])
    drawn = resample(within, 40, seed=3, gen=2)
    assert drawn.size == 40 and set(drawn) == {1, 3, 4}  # with replacement, all of them here
    assert (resample(within, 40, seed=3, gen=2) == drawn).all()  # seeded
    assert (resample(within, 40, seed=3, gen=3) != drawn).any()


def test_the_halves_move_each_other_and_cover_the_population():
    (first, by_second), (second, by_first) = halves(7)
    assert (first == by_first).all() and (second == by_second).all()
    assert sorted([*first, *second]) == list(range(7))
    batches = {half_batch(gen, half) for gen in range(2, 6) for half in (0, 1)}
    assert len(batches) == 8 and 0 not in batches  # apart from each other and generation 1's


def test_a_move_is_kept_with_the_metropolis_hastings_probability():
    """An independence proposal q and a uniform target: a move from ``current`` to ``moved`` is
    kept with probability min(1, q(current) / q(moved)), and never when its run is outside the
    tolerance. q over-proposes where it is high, so the ratio sends the chain there less: with
    one narrow kernel at 0.5, a move from its tail to its peak is almost never kept, a move from
    its peak to its tail always (inverting the ratio, as a draft did, fails both)."""
    kernels = local_kernels(np.array([[0.5], [0.5]]), np.ones(2), np.zeros(2))  # collapsed: 0.1 sd
    peak, tail = np.full((400, 1), 0.5), np.full((400, 1), 0.8)
    inside = np.ones(400, bool)
    assert metropolis_hastings(peak, tail, inside, kernels, 1, 2, 0).all()
    assert metropolis_hastings(tail, peak, inside, kernels, 1, 2, 0).mean() < 0.05
    near = np.full((400, 1), 0.55)
    assert metropolis_hastings(peak, near, inside, kernels, 1, 2, 0).all()
    ratio = np.exp(-0.5 * (0.05 / 0.1) ** 2)  # q(0.55) / q(0.5): kept with this probability
    kept = metropolis_hastings(near, peak, inside, kernels, 1, 2, 0).mean()
    assert abs(kept - ratio) < 0.05, (kept, ratio)
    assert not metropolis_hastings(peak, tail, ~inside, kernels, 1, 2, 0).any()


def test_the_kernels_survive_weights_piled_onto_one_particle():
    """All posterior weight on one of several particles (np.cov's weighted degrees of freedom were
    zero: it returned NaN, and the proposals failed with "SVD did not converge"), and a single
    accepted particle: every kernel finite and positive definite, and quietly so."""
    points = np.array([[0.2, 0.4], [0.6, 0.1], [0.9, 0.8]])
    for kernels in (
        local_kernels(points, np.array([1.0, 0.0, 0.0]), np.array([0.1, 0.2, 0.3])),
        local_kernels(points[:1], np.array([1.0]), np.array([0.1])),
    ):
        with warnings.catch_warnings():  # the user is not shown numpy's warnings
            warnings.simplefilter("error")
            unit = proposals(2, 8, 1, 2, kernels)
            weights = importance_weights(unit, kernels)
        for cov in kernels.covariances:
            assert np.isfinite(cov).all() and np.all(np.linalg.eigvalsh(cov) > 0)
        assert ((unit >= 0) & (unit <= 1)).all() and np.isfinite(weights).all()


def test_local_kernels_are_full_rank_with_fewer_particles_than_parameters():
    """Eight accepted particles in 17 dimensions: a covariance estimated from them has rank 7 at
    most; shrunk (Chen et al. 2010), every kernel spreads in every direction, well above the
    floor a singular estimate would be left with."""
    rng = np.random.default_rng(3)
    points = rng.uniform(size=(8, 17))
    kernels = local_kernels(points, rng.uniform(0.5, 1.0, 8), rng.uniform(size=8))
    assert kernels.covariances.shape == (8, 17, 17)
    for cov in kernels.covariances:
        assert np.linalg.eigvalsh(cov).min() > 10 * FLOOR


def test_a_local_kernel_reaches_toward_the_closest_particles():
    """Filippi et al. (2013): a particle's kernel is its second moment about the particles likely
    to pass the next tolerance, so a far particle's kernel spreads most toward the close ones and
    is wider than a kernel within them (a global kernel is the same for every particle)."""
    close = np.array([[0.7, 0.7], [0.72, 0.68], [0.69, 0.71], [0.71, 0.72]])
    points = np.vstack([close, [[0.1, 0.1], [0.1, 0.9]]])
    distances = np.array([0.1, 0.1, 0.1, 0.1, 2.0, 2.0])
    kernels = local_kernels(points, np.ones(6), distances)
    far = kernels.covariances[4]
    _, vectors = np.linalg.eigh(far)
    toward = (close.mean(axis=0) - points[4]) / np.linalg.norm(close.mean(axis=0) - points[4])
    assert abs(vectors[:, -1] @ toward) > 0.95  # its widest direction points at the close ones
    assert np.trace(far) > 20 * np.trace(kernels.covariances[0])


def test_the_local_kernel_reports_more_honest_intervals_than_the_global_one():
    """``benchmarks/diagnostics/abc_kernels.py`` on 12 test problems of the calibration's size
    (17 parameters, 32 particles, 3 generations): the 90% intervals of the local, shrunk kernel
    cover the truth far more often than those of twice the global covariance (version 15's), and
    its posterior mean fits better (measured over 60 problems: coverage 0.53 against 0.20, mean
    error 0.70 against 0.82). ABC-SMC with MCMC moves (Del Moral et al. 2012, the diagnostic's
    ``fit_problem_mcmc``) keeps equal weights: more distinct particles than the local kernel's
    effective ones, and intervals that hold the truth more often (60 problems: 7.6 against 3.7,
    0.76 against 0.53). The hybrid (``fit_problem_hybrid``: those MCMC moves with the local
    kernels as independence proposals) keeps both: intervals as honest as the MCMC moves', a
    closest particle as close as the local kernel's, and most of its particles distinct (60
    problems: coverage 0.80, closest particle 0.60 against the local kernel's 0.63, 25.0 distinct
    particles; 12 problems: 0.82, 0.62 against 0.63, 26.0). It is the calibration's sampler
    since ``CALIBRATION_VERSION`` 23, by the same functions."""
    table = _diagnostic("abc_kernels").compare(12)
    local, beaumont, mcmc = table.loc["local"], table.loc["beaumont"], table.loc["mcmc"]
    assert local["coverage"] > beaumont["coverage"] + 0.15
    assert local["mean_error"] < beaumont["mean_error"]
    assert mcmc["effective"] > 1.5 * local["effective"]
    assert mcmc["coverage"] > local["coverage"] + 0.1
    hybrid = table.loc["hybrid"]
    assert hybrid["coverage"] > local["coverage"] + 0.2
    assert hybrid["coverage"] > mcmc["coverage"] - 0.05
    assert hybrid["best_error"] < local["best_error"] + 0.05  # the MCMC moves': 0.15 above
    assert hybrid["mean_error"] < local["mean_error"]
    assert hybrid["effective"] > 2 * mcmc["effective"]
