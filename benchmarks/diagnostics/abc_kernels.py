"""Issue 15: does the calibration's ABC-SMC kernel give honest intervals and a good fit with the
calibration's budget? A test problem whose truth is known, run through the calibration's own
moves (``sim.calibration.smc``: proposals, acceptance, importance weights) with each kernel.

The problem has as many parameters as a default calibration fits (17) and fewer summaries (14),
each a random linear combination of the parameters (optionally bent by tanh, ``--bent``) plus
Gaussian noise, compared with the summaries of a true parameter vector drawn uniformly in the unit
cube, scaled by their median discrepancy over generation 1 as the calibration scales its KPIs. Each
particle is simulated on 2 seeds, and its distance is their mean, as the calibration does. Printed
per kernel, as means over ``--problems`` problems (each with its own truth, matrix and noise):

- ``coverage``: the share of parameters whose truth lies in the 90% weighted interval of the last
  generation's accepted particles. Honest intervals cover about 90% or more (an ABC posterior at a
  finite tolerance is wider than the exact one); below that, the report's intervals claim more
  than the fit knows;
- ``mean_error``: the noise-free distance of the posterior mean's summaries from the truth's;
- ``best_error``: the same for the closest particle of any generation (what ``--point best``
  starts from);
- ``effective``: Kish's effective particles of the last generation (``ESS_WARNING`` is 10);
- ``tolerance``: the last generation's.

Kernels: ``local`` is the calibration's (shrunk optimal local covariances, ``CALIBRATION_VERSION``
16); ``beaumont`` is twice the global weighted covariance of the accepted particles (Beaumont et
al. 2009), the calibration's kernel up to version 15, kept here as the reference.

    .venv/bin/python benchmarks/diagnostics/abc_kernels.py
    .venv/bin/python benchmarks/diagnostics/abc_kernels.py --bent --noise 0.2 --problems 60

Same arguments, same output (every draw is seeded).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from sim.calibration.smc import (
    COLLAPSED,
    FLOOR,
    Kernels,
    accept,
    effective_particles,
    importance_weights,
    local_kernels,
    proposals,
)

PARAMETERS = 17  # a default calibration's fitted parameters with a join burst (fit.derive_priors)
SUMMARIES = 14  # its KPIs: three curves, two levels, eight shares, one distribution


def beaumont_kernels(points: np.ndarray, weights: np.ndarray, distances: np.ndarray) -> Kernels:
    """Every particle moved by twice the accepted particles' weighted covariance (Beaumont et al.
    2009), with the calibration's floor: its kernel up to ``CALIBRATION_VERSION`` 15."""
    n, d = points.shape
    weights = weights / weights.sum()
    cov = np.eye(d) * COLLAPSED
    if n >= 2:
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # weights on one particle: NaN, below
            estimate = np.atleast_2d(np.cov(points, rowvar=False, aweights=weights))
        if np.isfinite(estimate).all():
            cov = 2 * estimate + np.eye(d) * FLOOR
    return Kernels(points, weights, np.repeat(cov[None], n, axis=0))


KERNELS = {"local": local_kernels, "beaumont": beaumont_kernels}


def fit_problem(kernel, problem: int, particles=32, generations=3, seeds=2, noise=0.05,
                bent=False, quantile=0.5) -> dict:  # fmt: skip
    """One problem (seeded by ``problem``) fitted with ``kernel``: the measures of the docstring."""
    rng = np.random.default_rng([problem, 1])
    matrix = rng.normal(size=(SUMMARIES, PARAMETERS)) / np.sqrt(PARAMETERS)
    truth = rng.uniform(size=PARAMETERS)

    def summaries(x):
        linear = x @ matrix.T
        return np.tanh(2 * linear) if bent else linear

    observed = summaries(truth)
    kernels, tolerance, scale = None, np.inf, None
    best_distance, best_point = np.inf, None
    for gen in range(1, generations + 1):
        unit = proposals(PARAMETERS, particles, problem, gen, kernels)
        misses = [
            np.abs(summaries(unit) + np.random.default_rng([problem, gen, s]).normal(
                scale=noise, size=(particles, SUMMARIES)) - observed)
            for s in range(seeds)
        ]  # fmt: skip
        if scale is None:
            scale = np.maximum(np.median(np.concatenate(misses), axis=0), 1e-3)
        distance = np.mean([np.sqrt(((m / scale) ** 2).mean(axis=1)) for m in misses], axis=0)
        if distance.min() < best_distance:
            best_distance, best_point = float(distance.min()), unit[np.argmin(distance)]
        tolerance, within = accept(distance, tolerance, quantile)
        weights = np.where(within, importance_weights(unit, kernels), 0.0)
        weights /= weights.sum()
        kernels = kernel(unit[within], weights[within], distance[within])
    points, weights = kernels.points, kernels.weights

    def error(x):
        return float(np.sqrt((((summaries(x) - observed) / scale) ** 2).mean()))

    covered = []
    for i in range(PARAMETERS):
        order = np.argsort(points[:, i])
        cumulative = np.cumsum(weights[order])
        low = points[order, i][np.searchsorted(cumulative, 0.05)]
        high = points[order, i][min(np.searchsorted(cumulative, 0.95), len(order) - 1)]
        covered.append(low <= truth[i] <= high)
    return {
        "coverage": float(np.mean(covered)),
        "mean_error": error(weights @ points),
        "best_error": error(best_point),
        "effective": effective_particles(weights),
        "tolerance": tolerance,
    }


def compare(problems: int = 30, **options) -> pd.DataFrame:
    """Per kernel, the means of ``fit_problem``'s measures over problems 0..problems-1."""
    rows = {
        name: pd.DataFrame([fit_problem(kernel, p, **options) for p in range(problems)]).mean()
        for name, kernel in KERNELS.items()
    }
    return pd.DataFrame(rows).T


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--particles", type=int, default=32)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--bent", action="store_true", help="summaries bent by tanh")
    args = parser.parse_args(argv)
    table = compare(args.problems, particles=args.particles, generations=args.generations,
                    noise=args.noise, bent=args.bent)  # fmt: skip
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
