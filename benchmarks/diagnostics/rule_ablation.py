"""Issue 15: how much of a calibrated scenario's fit does one fitted field carry by itself?

A candidate calibration fits a new rule together with every other parameter, so its table mixes
the rule's own effect with where the fit went. This script takes one calibrated scenario
(``calibrated.yaml`` of ``commsim calibrate``), runs it per seed as fitted and with one field set
to other values (everything else as fitted, the same seeds), measures each run from
contributions only, as the Done-when table does (joins at the first contribution), and prints the
seeds' means of retention(30), retention(90), the top-1% share and contributions per week, with
the newcomers counted (contributions per week here are ``Observed.weekly``'s mean over the run's
weeks; the Done-when table counts the log's weeks, so the two can differ a little).

    .venv/bin/python benchmarks/diagnostics/rule_ablation.py \\
        results/rd42a/fit-attrs/calibrated.yaml behaviour.continuation 0
    .venv/bin/python benchmarks/diagnostics/rule_ablation.py SCENARIO FIELD VALUE... --seeds 1 2
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.calibration.activity import Observation
from sim.calibration.log import simulated_stats
from sim.config import load_scenario
from sim.config.loading import apply_overrides, validate_scenario
from sim.model import CommunityModel

CONTRIBUTIONS = Observation(("post", "reply"), "first_contribution", 7, "contributions only")
COLUMNS = ("retention_30", "retention_90", "top1_post_share")


def measure(scenario, seeds: list[int]) -> dict[str, float]:
    """The seeds' means of the Done-when KPIs of ``scenario``'s runs, from contributions only."""
    rows = []
    for seed in seeds:
        model = CommunityModel(**scenario.model_kwargs(), rng=seed, collect=False)
        stats = simulated_stats(model, scenario.run.days, CONTRIBUTIONS).finish()
        weekly = float(stats.weekly()["posts"].mean())  # contributions per week (Observed.weekly)
        s = stats.scalars
        rows.append([np.nan if s[c] is None else s[c] for c in COLUMNS] + [weekly, s["newcomers"]])
    means = np.nanmean(np.array(rows, float), axis=0)
    return dict(zip([*COLUMNS, "weekly", "newcomers"], means.tolist(), strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("field", help="a dotted scenario path, e.g. behaviour.continuation")
    parser.add_argument("values", nargs="+", type=float)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4])
    args = parser.parse_args(argv)
    base = load_scenario(args.scenario, {}).model_dump(mode="json")
    section, name = args.field.split(".", 1)
    fitted = base[section][name]
    print(
        f"{args.scenario}: {args.field} as fitted ({fitted}) and at {args.values}, seeds {args.seeds}"
    )
    print(f"{'value':>10} {'r(30)':>8} {'r(90)':>8} {'top 1%':>8} {'weekly':>9} {'newcomers':>10}")
    for value in [fitted, *args.values]:
        scenario = validate_scenario(apply_overrides(base, {args.field: value}), args.scenario)
        m = measure(scenario, args.seeds)
        print(
            f"{value:>10.4g} {m['retention_30']:>8.4f} {m['retention_90']:>8.4f} "
            f"{m['top1_post_share']:>8.3f} {m['weekly']:>9.1f} {m['newcomers']:>10.0f}"
        )


if __name__ == "__main__":
    main()
