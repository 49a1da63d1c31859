"""Cost per member-day of this checkout against a reference, measured alternately to cancel load.

For each size, ``--pairs`` times: the reference checkout's own ``benchmarks/bench_core.py`` (run with
``PYTHONPATH`` set to the reference, from outside any checkout), then this checkout's, each as
``bench_core.py --sizes N --days D --policies all --no-oracle``; prints every run's member-days per
CPU second, the medians of each side and their ratio (reference / this: the cost per member-day of
this checkout relative to the reference; above 1 is slower).

    .venv/bin/python benchmarks/diagnostics/side_by_side.py /work/wt-base --sizes 100000 1000000

``--hours`` runs both sides with ``bench_core.py --hours`` (active hours on): whether a change costs
the hours model anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def one_run(checkout: Path, size: int, days: int, reference: bool, hours: bool = False) -> float:
    """Member-days per CPU second of one ``bench_core.py`` run of ``checkout``."""
    with tempfile.TemporaryDirectory(prefix="side_by_side-") as folder:
        out = Path(folder) / "bench.json"
        command = [
            sys.executable,
            str(checkout / "benchmarks" / "bench_core.py"),
            *("--sizes", str(size), "--days", str(days), "--policies", "all", "--no-oracle"),
            *(["--hours"] if hours else []),
            *("--json", str(out)),
        ]
        env = {**os.environ, "PYTHONPATH": str(checkout)} if reference else None
        cwd = "/" if reference else str(checkout)  # the reference must not see this checkout
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"side_by_side: bench_core.py of {checkout} failed:\n{done.stderr}")
        return float(json.loads(out.read_text())["runs"][0]["member_days_per_cpu_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path, help="root of the reference checkout")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="members")
    parser.add_argument("--days", type=int, default=30, help="days per run (30)")
    parser.add_argument("--pairs", type=int, default=3, help="alternating pairs per size (3)")
    parser.add_argument("--hours", action="store_true", help="both sides with active hours")
    args = parser.parse_args(argv)
    reference = args.reference.resolve()
    if not (reference / "benchmarks" / "bench_core.py").is_file():
        print(f"side_by_side: {reference} has no benchmarks/bench_core.py", file=sys.stderr)
        return 2
    for size in args.sizes:
        rates: dict[str, list[float]] = {"reference": [], "this": []}
        for _ in range(args.pairs):
            rates["reference"].append(one_run(reference, size, args.days, True, args.hours))
            rates["this"].append(one_run(REPO, size, args.days, False, args.hours))
        base, new = (statistics.median(rates[k]) for k in ("reference", "this"))
        for side, values in rates.items():
            print(f"{size:>9,} {side:>9}: " + ", ".join(f"{v:,.0f}" for v in values))
        print(f"{size:>9,} median reference {base:,.0f}, this {new:,.0f}: cost x{base / new:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
