"""Hashes of a scenario's runs, to prove a change leaves results bit-identical: every daily series,
the run summary (with the operator's totals) and every member state array, per seed.

Run it against this tree and against a ``git archive`` copy of main on PYTHONPATH, then compare:

    .venv/bin/python benchmarks/diagnostics/team_identity.py > /tmp/new.txt
    git archive main | tar -x -C /tmp/ref
    PYTHONPATH=/tmp/ref .venv/bin/python benchmarks/diagnostics/team_identity.py > /tmp/ref.txt
    diff /tmp/ref.txt /tmp/new.txt   # empty: bit-identical (columns new in this tree are listed)
"""

from __future__ import annotations

import argparse
import hashlib

import numpy as np

import sim
from sim.agents import STATE_NAMES
from sim.config.loading import load_scenario
from sim.experiments.outputs import run_summary
from sim.model import CommunityModel


def digest(array) -> str:
    array = np.ascontiguousarray(np.asarray(array))
    return hashlib.sha256(str(array.dtype).encode() + array.tobytes()).hexdigest()[:16]


def main(path: str, seeds: list[int], days: int | None) -> None:
    print(f"# sim from {sim.__file__}")
    for seed in seeds:
        scenario = load_scenario(path)
        kwargs = scenario.model_kwargs()
        model = CommunityModel(**kwargs, rng=seed)
        model.run(days or scenario.run.days)
        series = model.series()
        for column in series.columns:
            print(f"seed {seed} series {column} {digest(series[column].to_numpy())}")
        for key, value in sorted(run_summary(model, scenario).items()):
            print(f"seed {seed} summary {key} {value!r}")
        pop = model.population
        for name in STATE_NAMES:
            print(f"seed {seed} state {name} {digest(getattr(pop, name)[: pop.n])}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="experiments/all-levers.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 4])
    parser.add_argument("--days", type=int, help="shorter runs (default: the scenario's)")
    args = parser.parse_args()
    main(args.scenario, args.seeds, args.days)
