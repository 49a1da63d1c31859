"""The moves of sequential Monte Carlo ABC (ABC-SMC; Toni et al. 2009): how a generation's
particles are proposed from the last one's, and which are kept. Everything works in prior-unit
space ([0, 1] per parameter, on the log scale where the prior is), where every prior is uniform.

*The sampler* (since ``CALIBRATION_VERSION`` 23): ABC-SMC with MCMC moves (Del Moral, Doucet &
Jasra 2012). Each generation after the first sets its tolerance (``accept``), resamples an
equal-weight population from the particles within it (``resample``), and moves every particle
by one Metropolis-Hastings step (``metropolis_hastings``) with an *independence* proposal: a
draw of ``proposals`` from the local kernels below, fitted to the population. The move is kept
when its run is within the tolerance (ABC-MCMC's acceptance, Marjoram, Molitor, Plagnol &
Tavare 2003) and with probability q(current) / q(proposal), q the kernels' mixture density (the
uniform prior leaves no other factor; ``importance_weights`` is 1 / q; the redraws outside
[0, 1] only truncate q, whose constant cancels). Independence proposals fitted to the population
are what SMC samplers use (Chopin 2002; South, Pettitt & Drovandi 2019). A kernel centred on the
particle it moves would make the proposal depend on that particle, and the ratio would no longer
be Metropolis-Hastings's; so the population is split in two halves and each moves by the other
half's kernels, in turn (``halves``: the red-blue split of ensemble samplers, Goodman & Weare
2010; Foreman-Mackey et al. 2013). Up to version 22 the kernels' draws were weighted instead,
by prior / sum_j w_j K_j(theta) (Beaumont et al. 2009): in 17 to 20 dimensions those weights
collapsed onto one to six particles on every real export. On the test problems of
``benchmarks/diagnostics/abc_kernels.py`` (the calibration's budget) the moves' intervals hold
the truth far more often, with a search as good (see that script).

*The kernel* (``local_kernels``). Each particle ``theta_i`` of the half proposing spreads a
Gaussian of its own covariance, the
optimal local covariance (OLCM) of Filippi, Barnes, Cornebise & Stumpf (2013):
``Sigma_i = sum_k w_k (theta_k - theta_i)(theta_k - theta_i)^T`` over the accepted particles
``theta_k`` likely to pass the next tolerance, their weights renormalised. A particle far from
where the fit is going gets a wide kernel pointing there; one in the middle of it a narrow one.
Which particles are likely to pass the next tolerance is not known when the next generation is
drawn (our tolerance is a quantile of the next generation's own distances), so the better half of
the accepted ones stands for them (``LOCAL_SHARE``; ours).

*Shrinkage.* A covariance estimated from n points has rank at most n - 1. A calibration fits about
17 parameters from 32 particles per generation, half of them accepted, so every such estimate is
singular: the kernel moved particles only within the span of a few others, and the importance
weights collapsed onto one or two particles (issue 15: effective particles 1.0 to 6.5 on every real
export). Each covariance is therefore shrunk toward a multiple of the identity by the oracle
approximating shrinkage of Chen, Wiesel, Eldar & Hero (2010), with the effective number of
particles (Kish) as the sample size: full rank whatever the number of particles, close to the
estimate when particles are many.

On a linear-Gaussian test problem of 17 parameters and 14 summaries with the calibration's budget
(32 particles, 2 seeds, 3 generations; ``benchmarks/diagnostics/abc_kernels.py``) this kernel both
searches better and reports more honest intervals than twice the global weighted covariance of
Beaumont et al. (2009), which it replaces: see that script for the measured coverage, error and
effective particles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import multivariate_normal, qmc

LOCAL_SHARE = 0.5  # the share of accepted particles (the closest) that shape the local kernels
FLOOR = 1e-4  # a variance added to every kernel in unit space (a standard deviation of 1%)
COLLAPSED = 0.01  # the kernel's variance when the accepted particles give none to estimate
REDRAWS = 100  # proposals outside the prior are redrawn this many times, then clipped
# seed words keeping the resampling's draws and the moves' uniforms apart from other streams
RESAMPLE_STREAM, MOVE_STREAM = 99, 98


@dataclass(frozen=True)
class Kernels:
    """The last generation's accepted particles (unit space), their normalised weights and each
    one's kernel covariance."""

    points: np.ndarray  # (n, d)
    weights: np.ndarray  # (n,)
    covariances: np.ndarray  # (n, d, d)


def effective_particles(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights, (sum w)^2 / sum w^2: the number of
    equally weighted particles that would carry as much information (Kish 1965; the standard
    check of weight degeneracy in sequential Monte Carlo, Del Moral, Doucet & Jasra 2006). 0
    when no weight is positive.

    >>> effective_particles(np.array([1.0, 1.0, 1.0, 1.0]))
    4.0
    >>> round(effective_particles(np.array([0.97, 0.01, 0.01, 0.01])), 2)
    1.06
    """
    weights = np.asarray(weights, float)
    weights = weights[np.isfinite(weights) & (weights > 0)]
    if not weights.size:
        return 0.0
    return float(weights.sum() ** 2 / np.sum(weights**2))


def shrunk(cov: np.ndarray, n: float) -> np.ndarray:
    """``cov`` (estimated from ``n`` effective points) shrunk toward ``tr(cov) / d`` times the
    identity by the oracle approximating shrinkage (OAS) of Chen, Wiesel, Eldar & Hero (2010),
    their equation (23): rho = ((1 - 2/d) tr(S^2) + tr(S)^2) / ((n + 1 - 2/d)(tr(S^2) - tr(S)^2/d)),
    at most 1.

    >>> s = shrunk(np.array([[1.0, 1.0], [1.0, 1.0]]), 2.0)  # rank 1 from two points
    >>> bool(np.linalg.matrix_rank(s) == 2)
    True
    """
    d = cov.shape[0]
    target = np.eye(d) * np.trace(cov) / d
    squares, trace_squared = np.trace(cov @ cov), np.trace(cov) ** 2
    denominator = (n + 1 - 2 / d) * (squares - trace_squared / d)
    rho = (
        1.0 if denominator <= 0 else min(1.0, ((1 - 2 / d) * squares + trace_squared) / denominator)
    )
    return (1 - rho) * cov + rho * target


def local_kernels(points: np.ndarray, weights: np.ndarray, distances: np.ndarray) -> Kernels:
    """The accepted particles (``points`` in unit space, ``weights``, their ``distances``) with
    each one's kernel: the shrunk optimal local covariance (module docstring)."""
    points = np.asarray(points, float)
    n, d = points.shape
    weights = np.asarray(weights, float) / np.sum(weights)
    if n < 2:
        return Kernels(points, weights, np.repeat(np.eye(d)[None] * COLLAPSED, n, axis=0))
    distances = np.asarray(distances, float)
    near = distances <= np.quantile(distances, LOCAL_SHARE)
    if near.sum() < 2 or weights[near].sum() <= 0:
        near = np.ones(n, bool)
    targets, target_weights = points[near], weights[near] / weights[near].sum()
    size = max(effective_particles(target_weights), 1.0)
    covariances = np.empty((n, d, d))
    for i, centre in enumerate(points):
        offsets = targets - centre
        cov = (offsets * target_weights[:, None]).T @ offsets
        if np.trace(cov) <= 0:  # every target is this particle: nothing to estimate from
            covariances[i] = np.eye(d) * COLLAPSED
        else:
            covariances[i] = shrunk(cov, size) + np.eye(d) * FLOOR
    return Kernels(points, weights, covariances)


def accept(distances: np.ndarray, tolerance: float, quantile: float) -> tuple[float, np.ndarray]:
    """The generation's tolerance and which particles it accepts: the ``quantile`` of the finite
    ``distances`` (an infinite one is a run stopped for writing too much, and never sets it), never
    above the last ``tolerance``; the particles within it, or at least the two closest.

    >>> accept(np.array([3.0, 1.0, np.inf, 2.0]), np.inf, 0.5)
    (2.0, array([False,  True, False,  True]))
    """
    distances = np.asarray(distances, float)
    finite = distances[np.isfinite(distances)]
    if finite.size:
        tolerance = min(tolerance, float(np.quantile(finite, quantile)))
    within = (distances <= tolerance) & np.isfinite(distances)
    if within.sum() < 2:
        within = np.zeros(distances.size, bool)
        within[np.argsort(distances, kind="stable")[:2]] = True
    return tolerance, within


def proposals(d: int, particles: int, seed: int, gen: int, kernels: Kernels | None) -> np.ndarray:
    """Unit-space points of generation ``gen``: a Latin hypercube for the first (``kernels``
    None); else a particle drawn by weight, moved by its kernel, redrawn outside [0, 1] (at most
    ``REDRAWS`` times, then clipped). Deterministic in (seed, gen, kernels)."""
    if kernels is None:
        return qmc.LatinHypercube(d=d, seed=np.random.default_rng([seed, 0])).random(particles)
    rng = np.random.default_rng([seed, gen])
    out = np.empty((particles, d))
    for i in range(particles):
        for _ in range(REDRAWS):
            j = rng.choice(len(kernels.points), p=kernels.weights)
            draw = rng.multivariate_normal(kernels.points[j], kernels.covariances[j])
            if ((draw >= 0) & (draw <= 1)).all():
                break
        out[i] = np.clip(draw, 0, 1)
    return out


def resample(within: np.ndarray, particles: int, seed: int, gen: int) -> np.ndarray:
    """``particles`` indices drawn with replacement, uniformly, among those ``within`` the
    tolerance: the equal-weight population generation ``gen`` starts from (``halves``).
    Deterministic in (seed, gen)."""
    rng = np.random.default_rng([seed, gen, RESAMPLE_STREAM])
    return rng.choice(np.flatnonzero(within), size=particles)


def halves(particles: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The population's two halves as (moving, kernels from) pairs, in turn: the first half moves
    by the second half's kernels, then the second by the (moved) first's."""
    first, second = np.array_split(np.arange(particles), 2)
    return [(first, second), (second, first)]


def half_batch(gen: int, half: int) -> int:
    """The batch number seeding ``proposals`` of generation ``gen``'s ``half`` (0 or 1): apart from
    every other half's and from generation 1's Latin hypercube."""
    return 2 * gen + half


def metropolis_hastings(
    current: np.ndarray, moved: np.ndarray, within: np.ndarray, kernels: Kernels, seed: int,
    gen: int, half: int,
) -> np.ndarray:  # fmt: skip
    """Which ``moved`` particles (unit space, drawn by ``proposals`` from ``kernels``) replace the
    ``current`` ones they were proposed for: those whose runs are ``within`` the tolerance, kept
    with probability min(1, q(current) / q(moved)), q the kernels' mixture density (module
    docstring). Deterministic in (seed, gen, half)."""
    ratio = importance_weights(moved, kernels) / importance_weights(current, kernels)
    uniforms = np.random.default_rng([seed, gen, half, MOVE_STREAM]).uniform(size=len(moved))
    return np.asarray(within, bool) & (uniforms < ratio)


def importance_weights(unit: np.ndarray, kernels: Kernels | None) -> np.ndarray:
    """Importance weights of unit-space points: uniform in generation 1 (``kernels`` None); else
    prior / sum_j w_j K_j(theta), the prior being uniform (Beaumont et al. 2009)."""
    if kernels is None:
        return np.ones(len(unit))
    density = np.zeros(len(unit))
    for centre, w, cov in zip(kernels.points, kernels.weights, kernels.covariances, strict=True):
        density += w * multivariate_normal.pdf(unit, mean=centre, cov=cov, allow_singular=True)
    return 1.0 / np.maximum(density, 1e-300)
