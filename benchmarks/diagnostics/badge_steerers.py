"""G-2: what makes more badge earners individually detectable steerers on MODEL_VERSION 4 than on 3
(38.6% against 26.0%, band 5-30%) with the same steering parameters? The G-1/G-2 set-up (the
default community with a reply badge at 40, against the same seed without it), with habit
(``habit_gain``, new in version 4) on and off.

    .venv/bin/python benchmarks/diagnostics/badge_steerers.py --replications 4 --days 240
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import numpy as np

from sim.config.loading import load_scenario
from sim.experiments.sweep import seed_of
from sim.model import CommunityModel
from sim.validation import measures
from sim.validation.targets import BADGE, BADGE_THRESHOLD, SEED

ARMS = {"default": {}, "habit_gain 0": {"habit_gain": 0.0}}


def measure(behaviour: dict, replication: int, days: int) -> dict:
    overrides = {"run.days": days, **{f"behaviour.{k}": v for k, v in behaviour.items()}}
    overrides.update({f"strategy.{k}": v for k, v in BADGE.items()})
    scenario = load_scenario(None, overrides)
    task = SimpleNamespace(root_seed=SEED, replication=replication)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed_of(SEED, replication))
    model.run(days)
    return measures.badge(model, scenario, task, BADGE_THRESHOLD)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--days", type=int, default=240)
    args = parser.parse_args(argv)
    for label, behaviour in ARMS.items():
        runs = [measure(behaviour, r, args.days) for r in range(args.replications)]
        for key in ("earners", "pre_rise", "steerers"):
            values = np.array([run[key] for run in runs])
            print(f"{label}: {key} mean {np.nanmean(values):.3f} per replication {values.round(3)}")


if __name__ == "__main__":
    main()
