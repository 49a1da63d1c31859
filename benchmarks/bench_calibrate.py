"""Wall time of a default ``commsim calibrate`` (ABC-SMC: 32 particles x 3 generations + 4 check
seeds) on a log of about 3,000 rows and on one of about 1 million rows (issue 15, item 5: at most
5 and 20 minutes on the 2-core machine).

The logs are simulated: ``sim.calibration.log.write_log`` of one community (40 founders, a market of
2,000, 365 days, thread rates 12 times the default), visits, reactions and joins dropped
(a contributions-only log, as git or Stack Exchange record), then tiled with renamed members to
about 3,000 and 1,000,000 rows; written once under ``--folder``. Run:

    .venv/bin/python benchmarks/bench_calibrate.py --small            # the 3,000-row log only
    .venv/bin/python benchmarks/bench_calibrate.py --workers 2        # both
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# the logs: a simulated contributions-only community tiled (each copy's members renamed) to about
# the wanted rows, like a larger community with the same dynamics
TARGET_ROWS = {"small": 3_000, "large": 1_000_000}
BASE = (40, 2_000, 365, 12.0, 1.0)  # founders, market, days, thread and reply scales


def contributions_log(path: Path, overrides: dict | None = None, seed: int = 7) -> dict:
    """Simulate the benchmark's community (``BASE``) with scenario ``overrides`` on ``seed`` and
    write its contributions (threads and replies: visits, reactions and joins dropped) as a log to
    ``path``, unless it exists; returns the scenario as run (also used by
    ``benchmarks/diagnostics/recovery.py``, whose truths are the overrides)."""
    from sim.calibration.fit import scenario_changes
    from sim.calibration.log import write_log
    from sim.config import apply_overrides, load_scenario, validate_scenario
    from sim.model import CommunityModel

    founders, market, days, post, reply = BASE
    base = load_scenario(
        None, {"community.members": founders, "arrivals.market_size": market, "run.days": days}
    ).model_dump()
    changes = scenario_changes({"mix.post_scale": post, "mix.reply_scale": reply}, base, None)
    scenario = validate_scenario(
        apply_overrides(apply_overrides(base, changes), overrides or {}), path.stem
    )
    if not path.exists():
        full = path.with_name(path.stem + "-full.parquet")
        write_log(CommunityModel(**scenario.model_kwargs(), rng=seed), days, full)
        table = pq.read_table(full)
        table = table.filter(pc.is_in(table["action"], value_set=pa.array(["post", "reply"])))
        pq.write_table(table, path)
        full.unlink()
    return scenario.model_dump()


def make_log(folder: Path, name: str) -> Path:
    path = folder / f"{name}.parquet"
    if path.exists():
        return path
    one = folder / "one.parquet"
    contributions_log(one)
    table = pq.read_table(one)
    copies = max(1, round(TARGET_ROWS[name] / table.num_rows))
    parts = []
    for i in range(copies):
        suffix = f"-{i}"
        parts.append(
            table.set_column(
                0, "member", pc.binary_join_element_wise(table["member"], suffix, "")
            ).set_column(3, "thread", pc.binary_join_element_wise(table["thread"], suffix, ""))
        )
    pq.write_table(pa.concat_tables(parts), path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="results/bench-calibrate")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--small", action="store_true", help="only the 3,000-row log")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ["small"] if args.small else ["small", "large"]:
        log = make_log(folder, name)
        rows = pq.ParquetFile(log).metadata.num_rows
        out = folder / f"fit-{name}"
        for stale in (out, out.with_name(out.name + ".runs")):
            subprocess.run(["rm", "-rf", str(stale)], check=True)
        start = time.perf_counter()
        commsim = str(Path(sys.executable).with_name("commsim"))
        code = subprocess.call([commsim, "calibrate", str(log),
                                "--out", str(out), "--workers", str(args.workers), "--quiet"])  # fmt: skip
        print(f"{name}: {rows:,} rows, calibrate exit {code}, {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
