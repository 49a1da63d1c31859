"""Issue 15: does a default ``commsim calibrate`` recover what made a log? Parameter recovery on
simulated logs whose truth is known.

For each truth (a set of scenario overrides, ``--truth NAME:PATH=VALUE,PATH=VALUE``), one community
is simulated (the recipe of ``benchmarks/bench_calibrate.py``'s small log: 40 founders, a market
of 2,000, 365 days, thread rates 12 times the default, seed 7) with the truth applied, its visits,
reactions and joins dropped (a contributions-only log, as git or Stack Exchange record it), and
calibrated with ``commsim calibrate`` on defaults. Printed per truth and fitted parameter: the
truth (the base scenario's value where the truth does not set it), the posterior mean, its 90%
interval, and whether the truth lies in it. A parameter the fit cannot recover puts the truth
outside its interval, or gives the same posterior whatever the truth.

Then the noise floor of issue 15's Done-when bar (each KPI within 20% of the log, for the mean of
4 seeds of the calibrated scenario): the *true* scenario is run on ``--seeds`` (the log is seed 7),
each run written as a log the same way, and its 4 KPIs (``benchmarks/realdata_calibrate.py``'s
``done_when_kpis``, under the log's observation model) are compared with the log's: the relative
error of their mean over the seeds, and the range over seeds. Where the truth itself misses by more
than 20%, no calibration can be expected to pass on a log of that size.

    .venv/bin/python benchmarks/diagnostics/recovery.py --folder /tmp/recovery \\
        --truth off: --truth burst:behaviour.need_boost=8,behaviour.need_days=7,behaviour.one_time_share=0.5
    .venv/bin/python benchmarks/diagnostics/recovery.py --folder /tmp/recovery --truth off: \\
        --floor-only --seeds 1 2 3 4

Same inputs, same output (every run is seeded).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_calibrate import BASE, contributions_log  # benchmarks/ is not a package

DAYS, SEED = BASE[2], 7  # the log is the benchmark's small log's community on this seed
SHOWN = (
    "behaviour.need_boost",
    "behaviour.need_days",
    "behaviour.one_time_share",
    "behaviour.momentum",
    "behaviour.followup",
    "mix.spread",
)


def make_log(path: Path, truth: dict[str, float], seed: int = SEED) -> dict:
    """Simulate the community under ``truth`` (on ``seed``) and write its contributions as a log;
    returns the scenario as run (a plain dict)."""
    return contributions_log(path, truth, seed)


def truth_value(scenario: dict, path: str) -> float | None:
    """The value ``path`` had in the simulated scenario (``mix.spread``: the first segment's)."""
    if path == "mix.spread":
        return scenario["member_mix"][0]["spread"]
    node = scenario
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def parse_truth(text: str) -> tuple[str, dict[str, float]]:
    name, _, pairs = text.partition(":")
    truth = {}
    for pair in filter(None, pairs.split(",")):
        path, _, value = pair.partition("=")
        truth[path] = float(value)
    return name, truth


def noise_floor(folder: Path, name: str, truth: dict[str, float], seeds: list[int]) -> list[dict]:
    """Rows of the true scenario's own Done-when KPIs against its log's (see the module doc)."""
    from realdata_calibrate import KPIS, done_when_kpis, relative_error

    observed, observation = done_when_kpis(folder / f"{name}.parquet")
    runs = []
    for seed in seeds:
        path = folder / f"{name}-seed{seed}.parquet"
        make_log(path, truth, seed)
        runs.append(done_when_kpis(path, observation, days=DAYS)[0])
    rows = []
    for key, label in KPIS.items():
        values = [run[key] for run in runs]
        mean = float(np.nanmean(values))
        error = relative_error(mean, observed[key])
        rows.append({"truth set": name, "KPI": label, "log (seed 7)": observed[key],
                     "truth's seeds, mean": mean, "min": np.nanmin(values),
                     "max": np.nanmax(values), "error": error,
                     "within 20%": bool(error <= 0.2)})  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="results/recovery")
    parser.add_argument("--truth", action="append", required=True, metavar="NAME:PATH=V,...")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--floor-only", action="store_true", help="no calibration: the floor only")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    commsim = str(Path(sys.executable).with_name("commsim"))
    rows, floor = [], []
    for text in args.truth:
        name, truth = parse_truth(text)
        log = folder / f"{name}.parquet"
        scenario = make_log(log, truth)
        floor += noise_floor(folder, name, truth, args.seeds)
        if args.floor_only:
            continue
        out = folder / f"fit-{name}"
        if not (out / "posterior.csv").exists():
            code = subprocess.call([commsim, "calibrate", str(log), "--out", str(out),
                                    "--workers", str(args.workers), "--quiet"])  # fmt: skip
            if code != 0:
                print(f"{name}: calibrate exit {code}", file=sys.stderr)
                continue
        posterior = pd.read_csv(out / "posterior.csv", index_col=0)
        for path in SHOWN:
            if path not in posterior.index:
                continue
            value = truth_value(scenario, path)
            low, high = posterior.loc[path, "q05"], posterior.loc[path, "q95"]
            rows.append({"truth set": name, "parameter": path, "truth": value,
                         "posterior mean": posterior.loc[path, "mean"], "5%": low, "95%": high,
                         "truth in 90%": value is not None and low <= value <= high})  # fmt: skip
    shown = dict(index=False, float_format=lambda x: f"{x:.4g}")
    if rows:
        print(pd.DataFrame(rows).to_string(**shown))
    print(pd.DataFrame(floor).to_string(**shown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
