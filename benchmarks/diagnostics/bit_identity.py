"""Fingerprint runs, to show a change leaves results bit-identical where it should.

    .venv/bin/python benchmarks/diagnostics/bit_identity.py > after.txt
    git archive main | tar -x -C /tmp/main-copy
    PYTHONPATH=/tmp/main-copy .venv/bin/python benchmarks/diagnostics/bit_identity.py > before.txt
    diff before.txt after.txt   # only lines for series or states the change added

Runs ``experiments/all-levers.yaml`` (every lever but the ones a change adds, switched on) with
800 members for 90 days, seeds 3 and 4, and prints one SHA-256 per daily series column, per
summary value and per member state array (the used slots), sorted by name.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from sim.agents import STATE_NAMES
from sim.config import load_scenario
from sim.model import CommunityModel

SCENARIO = Path(__file__).resolve().parents[2] / "experiments" / "all-levers.yaml"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def fingerprint(seed: int, members: int = 800, days: int = 90) -> list[str]:
    scenario = load_scenario(
        SCENARIO, {"community.members": members, "run.days": days, "run.seed": seed}
    )
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    for _ in range(days):
        model.step()
    lines = []
    series = model.series()
    for name in sorted(series.columns):
        values = np.ascontiguousarray(series[name].to_numpy())
        lines.append(f"seed {seed} series {name} {digest(values.tobytes())}")
    for name, value in sorted(model.summary().items()):
        lines.append(f"seed {seed} summary {name} {digest(repr(value).encode())}")
    pop = model.population
    for name in sorted(STATE_NAMES):
        values = np.ascontiguousarray(pop.view(name))
        lines.append(f"seed {seed} state {name} {digest(values.tobytes())}")
    return lines


if __name__ == "__main__":
    seeds = [int(s) for s in sys.argv[1:]] or [3, 4]
    for seed in seeds:
        print("\n".join(fingerprint(seed)))
