"""Wall time of a default ``commsim calibrate`` (ABC-SMC: 32 particles x 3 generations + 4 check
seeds) on a log of about 3,000 rows and on one of about 1 million rows (issue 15, item 5: at most
5 and 20 minutes on the 2-core machine).

The logs are simulated: ``sim.calibration.log.write_log`` of a community sized to give about the
wanted rows, with visits, reactions and joins dropped (a contributions-only log, as git or Stack
Exchange record), written once under ``--folder``. Run:

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

# (name, founders, market, days, post scale): about 3,000 and about 1,000,000 contribution rows
LOGS = {
    "small": (40, 2_000, 365, 12.0),
    "large": (3_000, 200_000, 365, 30.0),
}


def make_log(folder: Path, name: str) -> Path:
    from sim.calibration.fit import scenario_changes
    from sim.calibration.log import write_log
    from sim.config import apply_overrides, load_scenario, validate_scenario
    from sim.model import CommunityModel

    path = folder / f"{name}.parquet"
    if path.exists():
        return path
    founders, market, days, post = LOGS[name]
    base = load_scenario(
        None, {"community.members": founders, "arrivals.market_size": market, "run.days": days}
    ).model_dump()
    scenario = validate_scenario(
        apply_overrides(base, scenario_changes({"mix.post_scale": post}, base, None)), name
    )
    full = folder / f"{name}-full.parquet"
    write_log(CommunityModel(**scenario.model_kwargs(), rng=7), days, full)
    table = pq.read_table(full)
    table = table.filter(pc.is_in(table["action"], value_set=pa.array(["post", "reply"])))
    pq.write_table(table, path)
    full.unlink()
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
