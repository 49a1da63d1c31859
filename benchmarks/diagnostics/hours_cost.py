"""Cost per member-day of active hours against the day-only model, measured alternately.

Issue 16 item 1's budget: active hours (``sim.world.hours``) may cost at most 1.30 times the
day-only model per member-day in ``bench_core``. For each size, ``--pairs`` times: this checkout's
``benchmarks/bench_core.py --sizes N --days D --policies all --no-oracle`` without, then with,
``--hours`` (each in a fresh process, alternating so that the machine's load falls on both
sides); prints every run's member-days per CPU second, the medians and their ratio (day-only /
hours: the cost of hours relative to the day-only model; above 1 is slower).

    .venv/bin/python benchmarks/diagnostics/hours_cost.py --sizes 100000 --days 30 --pairs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUDGET = 1.30


def one_run(size: int, days: int, hours: bool) -> float:
    """Member-days per CPU second of one ``bench_core.py`` run."""
    with tempfile.TemporaryDirectory(prefix="hours_cost-") as folder:
        out = Path(folder) / "bench.json"
        command = [
            sys.executable,
            str(REPO / "benchmarks" / "bench_core.py"),
            *("--sizes", str(size), "--days", str(days), "--policies", "all", "--no-oracle"),
            *(["--hours"] if hours else []),
            *("--json", str(out)),
        ]
        done = subprocess.run(command, cwd=str(REPO), capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"hours_cost: bench_core.py failed:\n{done.stderr}")
        return float(json.loads(out.read_text())["runs"][0]["member_days_per_cpu_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="members")
    parser.add_argument("--days", type=int, default=30, help="days per run (30)")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs per size (3)")
    args = parser.parse_args(argv)
    worst = 0.0
    for size in args.sizes:
        off, on = [], []
        for pair in range(args.pairs):
            off.append(one_run(size, args.days, hours=False))
            on.append(one_run(size, args.days, hours=True))
            print(
                f"{size:>9,} members, pair {pair + 1}: day-only {off[-1]:,.0f}, "
                f"hours {on[-1]:,.0f} member-days per CPU second",
                flush=True,
            )
        ratio = statistics.median(off) / statistics.median(on)
        worst = max(worst, ratio)
        print(
            f"{size:>9,} members: medians day-only {statistics.median(off):,.0f}, hours "
            f"{statistics.median(on):,.0f}; cost of hours x{ratio:.3f} (budget x{BUDGET:.2f})"
        )
    print(("WITHIN" if worst <= BUDGET else "OVER") + f" BUDGET: worst x{worst:.3f}")
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
