"""Driver kills: do workers outlive a driver killed with SIGKILL? (issue 18)

    .venv/bin/python benchmarks/kill_trials.py --trials 10                  # process backend
    .venv/bin/python benchmarks/kill_trials.py --trials 3 --backend dask    # Dask local cluster

Each trial starts ``commsim sweep`` (2 workers) in a fresh folder, kills the driver with SIGKILL
once a run is stored, and waits up to ``--wait`` seconds for every process it had started (workers,
the resource tracker, Dask's nannies) to end on its own; then a second driver resumes the folder.
Prints, per trial, the processes seen, those left after the wait and the seconds until the last
ended; then the totals. Nothing here is asserted (``tests/test_drivers.py`` asserts one kill).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from sweep_helpers import kill_driver_trial, write_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--backend", choices=("process", "dask"), default="process")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds to wait for orphans")
    args = parser.parse_args()
    trials = []
    with tempfile.TemporaryDirectory() as tmp:
        sweep_file = write_sweep(Path(tmp), replications=20)
        for i in range(args.trials):
            out = Path(tmp) / f"out{i}"
            trial = kill_driver_trial(sweep_file, out, args.backend, args.wait)
            resume = subprocess.run(
                [Path(sys.executable).parent / "commsim", "sweep", str(sweep_file), "--out",
                 str(out), "--backend", "serial", "--quiet"],
                capture_output=True, text=True,
            )  # fmt: skip
            trial["resumed"] = resume.returncode == 0
            trials.append(trial)
            print(f"trial {i + 1}: {json.dumps(trial)}", flush=True)
    total = {
        "backend": args.backend,
        "trials": len(trials),
        "processes_seen": sum(t["workers"] for t in trials),
        "orphans_left": sum(t["left"] for t in trials),
        "slowest_exit_seconds": round(max(t["seconds"] for t in trials), 2),
        "resumed": sum(t["resumed"] for t in trials),
    }
    print(json.dumps(total))


if __name__ == "__main__":
    main()
