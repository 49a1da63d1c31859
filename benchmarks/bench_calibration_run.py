"""Wall time of one calibration run (``sim.calibration.fit.simulate_activity``: a scenario simulated
and summarised as its log would be seen), on this checkout and on a reference checkout, side by
side, with their outputs compared.

A calibration spends nearly all its time in such runs (hundreds per fit), and on a small, long log
(tens of members over years) a run's cost is the day's fixed overhead, not the members. Each
scenario is run ``--repeats`` times per checkout, alternating (reference, this, reference, ...),
every run in a fresh process (``--one``: a child prints its seconds and its outputs' hash); the
figure is each checkout's median and the ratio this / reference. The outputs (the daily series
and every scalar, under the contributions-only observation) must be identical: the script says
so, or names the scenario that differs.

    .venv/bin/python benchmarks/bench_calibration_run.py --ref /path/to/reference-worktree
    .venv/bin/python benchmarks/bench_calibration_run.py SCENARIO.yaml --repeats 5

Default scenarios: the two calibrated scenarios under ``tests/fixtures/calibrated`` (attrs, 1,679
days with active hours; quantumcomputing, 173 days).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = sorted(str(p) for p in (ROOT / "tests/fixtures/calibrated").glob("*.yaml"))


def one(path: str, seed: int) -> None:
    """A child: one run of ``path`` on ``seed``; prints seconds and the outputs' hash."""
    import yaml

    from sim.calibration.activity import Observation
    from sim.calibration.fit import simulate_activity
    from sim.experiments.runner import RunTask

    scenario = yaml.safe_load(Path(path).read_text())
    observation = Observation(observed=("join", "post", "reply"), join="first_contribution")
    task = RunTask("bench", "bench", 0, seed, seed, {}, scenario)
    start = time.perf_counter()
    outcome = simulate_activity(task, observation)
    seconds = time.perf_counter() - start
    if outcome.error is not None:
        raise SystemExit(f"{path}: {outcome.error}")
    digest = hashlib.sha256(
        pickle.dumps((outcome.series.to_dict("list"), sorted(outcome.summary.items())))
    ).hexdigest()
    print(f"{seconds:.4f} {digest}")


def timed(checkout: Path, path: str, seed: int) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run(
        [sys.executable, __file__, "--one", path, "--seed", str(seed)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), out[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=DEFAULT)
    parser.add_argument("--ref", type=Path, help="reference checkout (default: none, this only)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        one(args.one, args.seed)
        return
    checkouts = {"this": ROOT} if args.ref is None else {"reference": args.ref, "this": ROOT}
    identical = True
    for path in args.scenarios:
        seconds: dict[str, list[float]] = {name: [] for name in checkouts}
        digests: dict[str, set[str]] = {name: set() for name in checkouts}
        for _ in range(args.repeats):
            for name, checkout in checkouts.items():
                s, digest = timed(checkout, path, args.seed)
                seconds[name].append(s)
                digests[name].add(digest)
        medians = {name: statistics.median(s) for name, s in seconds.items()}
        line = ", ".join(f"{name} {m:.2f} s" for name, m in medians.items())
        if args.ref is not None:
            line += f"; ratio this / reference {medians['this'] / medians['reference']:.2f}"
            same = digests["this"] == digests["reference"] and len(digests["this"]) == 1
            identical &= same
            line += "; outputs identical" if same else "; OUTPUTS DIFFER"
        print(f"{Path(path).name} (seed {args.seed}, median of {args.repeats}): {line}", flush=True)
    if not identical:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
