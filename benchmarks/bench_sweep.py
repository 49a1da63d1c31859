"""Sweep throughput and the driver's memory: what the experiment runner costs.

    .venv/bin/python benchmarks/bench_sweep.py                 # everything (about 10 minutes)
    .venv/bin/python benchmarks/bench_sweep.py --skip-memory   # throughput and Dask only
    .venv/bin/python benchmarks/bench_sweep.py --memory-runs 2000 --skip-throughput

Three measurements, each in fresh results folders under a temporary directory:

1. **Throughput, 1 versus 2 local workers**: the same sweep of small models (``--members``,
   ``--days``, ``--runs``) with the ``process`` backend and 1, then 2 workers, ``--repeats`` times
   alternately; runs per second, each pair's ratio and the ratio of the medians (the goal: ≥ 1.8).
2. **Dask on loopback**: the same sweep on a Dask scheduler and two workers started as separate
   processes on 127.0.0.1; its runs per second against the 2-worker local pool (the overhead), and
   a check that every stored run is identical to the local pool's.
3. **Driver memory over a long sweep**: ``--memory-runs`` runs (default 10,000) of tiny models; a
   thread samples the driver's resident memory every half second against the number of runs
   stored, so a driver that kept runs' series would show memory growing with the count.

Figures are printed (and written with ``--json``); nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim.experiments.loopback import loopback_cluster
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import parse_sweep


def small_sweep(runs: int, members: int, days: int, name: str):
    """A sweep of ``runs`` runs: two strategies × runs/2 replications of a small community."""
    return parse_sweep(
        {
            "name": name,
            "scenario": {
                "community": {"members": members},
                "arrivals": {"market_size": 5 * members},
                "run": {"days": days},
            },
            "strategies": {"none": None, "content": {"content": {"posts_per_day": 2}}},
            "replications": max(1, runs // 2),
            "seed": 11,
            "kpis": ["dau_last30", "members_end"],
        }
    )


def timed(sweep, out: Path, **kwargs) -> float:
    result = run_sweep(sweep, out, progress=False, **kwargs)
    if not result.complete:
        raise RuntimeError(f"sweep incomplete: {result}")
    return result.finished / result.seconds


def throughput(args, tmp: Path) -> dict:
    sweep = small_sweep(args.runs, args.members, args.days, "throughput")
    measured: dict[int, list[float]] = {1: [], 2: []}
    # alternate 1 and 2 workers, so that a slow spell of the machine does not favour either
    for repeat in range(args.repeats):
        for workers in (1, 2):
            out = tmp / f"w{workers}-{repeat}"
            measured[workers].append(timed(sweep, out, backend="process", workers=workers))
            print(f"process backend, {workers} worker(s): {measured[workers][-1]:.2f} runs/s")
    rates = {workers: statistics.median(values) for workers, values in measured.items()}
    ratio = rates[2] / rates[1]
    each = ", ".join(f"{two / one:.2f}x" for one, two in zip(measured[1], measured[2], strict=True))
    print(
        f"2 workers / 1 worker: {ratio:.2f}x from the medians of {args.repeats} "
        f"(each pair: {each})  (goal >= 1.8)"
    )
    return {
        "runs": len(sweep.plan()),
        "runs_per_s": rates,
        "measured_runs_per_s": measured,
        "ratio_2_vs_1": ratio,
    }


def dask_loopback(args, tmp: Path) -> dict:
    sweep = small_sweep(args.runs, args.members, args.days, "dask")
    local = timed(sweep, tmp / "local", backend="process", workers=2)
    with loopback_cluster(workers=2) as address:
        remote = timed(sweep, tmp / "dask", backend="dask", address=address)
    same = _identical(tmp / "local", tmp / "dask")
    print(f"local pool (2 workers): {local:.2f} runs/s; Dask, 2 loopback workers: {remote:.2f}")
    print(f"Dask overhead: {local / remote:.2f}x the local pool's time; identical runs: {same}")
    return {"local_runs_per_s": local, "dask_runs_per_s": remote, "identical": same}


def _identical(a: Path, b: Path) -> bool:
    left = sorted(p.name for p in (a / "runs").glob("*.parquet"))
    if left != sorted(p.name for p in (b / "runs").glob("*.parquet")):
        return False
    for name in left:
        x, y = pq.read_table(a / "runs" / name), pq.read_table(b / "runs" / name)
        if not x.equals(y):
            return False
        if (
            json.loads(x.schema.metadata[b"commsim"])["summary"]
            != json.loads(y.schema.metadata[b"commsim"])["summary"]
        ):
            return False
    return True


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def driver_memory(args, tmp: Path) -> dict:
    sweep = small_sweep(args.memory_runs, args.memory_members, args.memory_days, "memory")
    runs_dir = tmp / "memory" / "runs"
    samples: list[tuple[float, int, float]] = []
    done = threading.Event()

    def sample() -> None:
        start = time.perf_counter()
        while not done.wait(0.5):
            stored = len(os.listdir(runs_dir)) if runs_dir.exists() else 0
            samples.append((time.perf_counter() - start, stored, rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    before = rss_mb()
    sampler.start()
    result = run_sweep(sweep, tmp / "memory", backend="process", workers=2, progress=True)
    done.set()
    sampler.join()
    frame = pd.DataFrame(samples, columns=["seconds", "stored", "rss_mb"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    marks = {}
    for share in (0.1, 0.25, 0.5, 0.75, 1.0):
        reached = frame[frame["stored"] >= share * result.unique]
        if len(reached):
            marks[f"{int(share * 100)}%"] = round(float(reached["rss_mb"].iloc[0]), 1)
    growth = frame[frame["stored"] >= 0.1 * result.unique]["rss_mb"]
    print(
        f"{result.finished} runs in {result.seconds:.0f} s ({result.finished / result.seconds:.1f}"
        f" runs/s); driver RSS before: {before:.0f} MB, when 10/25/50/75/100% were stored: "
        f"{marks} MB; peak (ru_maxrss): {peak:.0f} MB"
    )
    spread = float(growth.max() - growth.min()) if len(growth) else float("nan")
    print(f"driver RSS range after the first 10% of runs: {spread:.1f} MB")
    return {
        "runs": result.finished,
        "seconds": result.seconds,
        "rss_before_mb": before,
        "rss_at_share_mb": marks,
        "rss_range_after_10pct_mb": spread,
        "peak_rss_mb": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="runs of the throughput sweeps")
    parser.add_argument("--members", type=int, default=1000, help="members, throughput sweeps")
    parser.add_argument("--days", type=int, default=120, help="days, throughput sweeps")
    parser.add_argument(
        "--repeats", type=int, default=3, help="measurements of each worker count (medians taken)"
    )
    parser.add_argument("--memory-runs", type=int, default=10_000)
    parser.add_argument("--memory-members", type=int, default=50)
    parser.add_argument("--memory-days", type=int, default=10)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    report = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        tmp = Path(folder)
        if not args.skip_throughput:
            report["throughput"] = throughput(args, tmp)
        if not args.skip_dask:
            report["dask"] = dask_loopback(args, tmp)
        if not args.skip_memory:
            report["memory"] = driver_memory(args, tmp)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
