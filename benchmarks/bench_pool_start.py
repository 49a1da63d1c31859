"""What starting local workers costs: several small sweeps in one process (a calibration's pilot
runs and generations, a notebook's comparisons, the tests) with workers *spawned* for each pool
against workers forked from the *fork server* that imported the model once
(``sim.experiments.runner.worker_context``), run alternately, each in a fresh driver process.

    .venv/bin/python benchmarks/bench_pool_start.py                  # 6 sweeps, 2 workers, 3 repeats
    .venv/bin/python benchmarks/bench_pool_start.py --sweeps 10 --repeats 5

Each driver runs ``--sweeps`` sweeps of 4 runs (a 50-member community for 20 days, so the runs
themselves take well under a second) with ``--workers`` workers, each sweep opening its own pool
(``run_sweep`` without ``pool=``). Printed per start method: the first sweep's wall time, the
median of the later ones, the driver's whole wall time, and the CPU time of the driver with every
process it started (workers, fork server: on Linux this script adopts the fork server as it
outlives its driver, to count it), from ``getrusage`` once they have exited. Then the ratios
spawn / forkserver. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METHODS = ("spawn", "forkserver")


def drive(method: str, sweeps: int, workers: int) -> None:
    """In a fresh driver process: the sweeps, each on its own pool; prints their wall times."""
    from bench_sweep import small_sweep

    from sim.experiments import runner

    if method == "spawn":  # the start method before the fork server
        runner.worker_context = lambda: multiprocessing.get_context("spawn")
    sweep = small_sweep(4, 50, 20, "pool-start")
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(sweeps):
            start = time.perf_counter()
            result = runner.run_sweep(sweep, Path(tmp) / str(i), workers=workers, progress=False)
            seconds.append(time.perf_counter() - start)
            if not result.complete:
                raise RuntimeError(f"sweep {i} incomplete: {result}")
    print(json.dumps(seconds))


def _adopt_orphans() -> None:
    """Become the Linux "child subreaper", so the fork server, which outlives its driver by a
    moment, is re-parented here and its CPU time (with its workers') can be counted."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def measure(method: str, args) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, __file__, "--drive", method]
    command += ["--sweeps", str(args.sweeps), "--workers", str(args.workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    _reap_all()  # the fork server, adopted as its driver exited
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "first": seconds[0],
        "later": statistics.median(seconds[1:]),
        "wall": wall,
        "cpu": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--drive", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.sweeps, args.workers)
        return
    if args.sweeps < 2:
        parser.error("--sweeps: at least 2 (the first pool and the later ones)")
    if sys.platform.startswith("linux"):
        _adopt_orphans()
    figures: dict[str, list[dict]] = {method: [] for method in METHODS}
    for repeat in range(args.repeats):  # alternate, so a slow spell of the machine favours neither
        for method in METHODS:
            figures[method].append(measure(method, args))
            row = figures[method][-1]
            print(
                f"repeat {repeat + 1}, {method:10s}: first sweep {row['first']:5.2f} s, later "
                f"sweeps {row['later']:5.2f} s (median), driver {row['wall']:6.1f} s wall, "
                f"{row['cpu']:6.1f} CPU-s",
                flush=True,
            )
    medians = {
        method: {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        for method, rows in figures.items()
    }
    spawn, fork = medians["spawn"], medians["forkserver"]
    print(
        f"\nmedians of {args.repeats} repeats, {args.sweeps} sweeps of 4 runs on {args.workers} "
        f"workers:\n"
        f"  later sweeps: spawn {spawn['later']:.2f} s, forkserver {fork['later']:.2f} s "
        f"(spawn / forkserver {spawn['later'] / fork['later']:.1f}x)\n"
        f"  first sweep:  spawn {spawn['first']:.2f} s, forkserver {fork['first']:.2f} s\n"
        f"  whole driver: spawn {spawn['wall']:.1f} s, forkserver {fork['wall']:.1f} s wall "
        f"({spawn['wall'] / fork['wall']:.2f}x); {spawn['cpu']:.1f} against {fork['cpu']:.1f} "
        f"CPU-s ({spawn['cpu'] / fork['cpu']:.2f}x)"
    )


if __name__ == "__main__":
    main()
