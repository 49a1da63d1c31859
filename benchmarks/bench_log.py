"""Time and peak memory of reading an activity log of about 10 million rows (``commsim calibrate``'s
first step), streamed in record batches, against loading the same file whole into pandas.

The log is written once by ``sim.calibration.log.write_log`` from a simulated community (default
40,000 founders, market 200,000, 420 days: about 10 million rows) unless it already exists. Then a
fresh subprocess reads it with ``read_log`` and computes every KPI (``finish()``), reporting wall
time, rows per second and peak resident memory above the baseline after imports
(``getrusage(RUSAGE_SELF).ru_maxrss``); a second subprocess does ``pandas.read_csv`` of the whole
file for comparison (``--no-pandas`` skips it).

    .venv/bin/python benchmarks/bench_log.py                         # CSV, ~10M rows
    .venv/bin/python benchmarks/bench_log.py --format parquet
    .venv/bin/python benchmarks/bench_log.py --members 4000 --days 200   # a quick ~0.5M rows
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _peak_rss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def measure(path: str, how: str) -> dict:
    """In this (fresh) process: read ``path`` with ``how`` (stream | pandas)."""
    import pandas as pd

    from sim.calibration.log import read_log

    baseline = _peak_rss_bytes()
    start = time.perf_counter()
    if how == "stream":
        stats, _ = read_log(path)
        observed = stats.finish()
        rows, members = stats.rows, observed.scalars["members"]
    else:
        frame = pd.read_csv(path) if path.endswith(".csv") else pd.read_parquet(path)
        rows, members = len(frame), frame["member"].nunique()
    seconds = time.perf_counter() - start
    return {
        "how": how,
        "rows": rows,
        "members": members,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb": round((_peak_rss_bytes() - baseline) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40_000)
    parser.add_argument("--days", type=int, default=420)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--log", help="the log file (default: results/bench-log-<size>.<format>)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the whole-file comparison")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--measure", nargs=2, metavar=("PATH", "HOW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    log = Path(args.log or f"results/bench-log-{args.members}x{args.days}.{args.format}")
    if not log.exists():
        from sim.calibration.log import write_log
        from sim.model import CommunityModel

        log.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        model = CommunityModel(members=args.members, market_size=5 * args.members, rng=1)
        rows = write_log(model, args.days, log)
        print(f"wrote {rows:,} rows to {log} in {time.perf_counter() - start:.0f} s")
    print(f"{log}: {log.stat().st_size / 2**20:,.0f} MB")
    figures = []
    for how in ("stream",) if args.no_pandas else ("stream", "pandas"):
        command = [sys.executable, __file__, "--measure", str(log), how]
        result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
        figures.append(result)
        print(
            f"{how:>7}: {result['rows']:,} rows, {result['members']:,} members in "
            f"{result['seconds']} s ({result['rows_per_second']:,} rows/s), "
            f"peak RSS +{result['peak_rss_mb']} MB"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
