"""The chain on the real Stack Exchange exports of ``../shared/realdata`` until ``commsim import``
lands: a hand conversion (questions are ``post`` rows starting their thread; answers and comments
are ``reply`` rows in their question's thread; the Community account -1 and deleted users are left
out; timestamps to the second, UTC), then ``commsim calibrate`` on defaults, then the issue's
"Done when" KPIs (retention at 30 and 90 days, top-1% share, weekly contributions; contributions
only) of the calibrated scenario over its 4 check seeds against the log.

    .venv/bin/python benchmarks/realdata_calibrate.py conlang.meta quantumcomputing --workers 2
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "stackexchange"
DONE_WHEN = (
    "retention at 30 days",
    "retention at 90 days",
    "share of contributions by the top 1%",
    "contributions (threads + replies) per week",
)


def convert(site: Path, out: Path) -> int:
    rows, thread_of = [], {}
    for _, el in ET.iterparse(site / "Posts.xml"):
        if el.tag != "row":
            continue
        a = el.attrib
        user, post, kind = a.get("OwnerUserId"), a["Id"], a.get("PostTypeId")
        if kind == "1":
            thread_of[post] = post
            if user:
                rows.append((user, a["CreationDate"], "post", post))
        elif kind == "2":
            thread_of[post] = a.get("ParentId")
            if user:
                rows.append((user, a["CreationDate"], "reply", a.get("ParentId")))
    for _, el in ET.iterparse(site / "Comments.xml"):
        if el.tag != "row":
            continue
        a = el.attrib
        if a.get("UserId") and a.get("PostId") in thread_of:
            rows.append((a["UserId"], a["CreationDate"], "reply", thread_of[a["PostId"]]))
    rows = [r for r in rows if r[0] != "-1"]
    member, stamp, action, thread = zip(*rows, strict=True)
    text = pa.array([s[:19] for s in stamp], pa.string())
    when = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S", unit="s")
    table = pa.table(
        {
            "member": list(member),
            "timestamp": when.cast(pa.timestamp("s", tz="UTC")),
            "action": list(action),
            "thread": list(thread),
        }
    )
    pq.write_table(table, out)
    return table.num_rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", help="e.g. conlang.meta quantumcomputing")
    parser.add_argument("--folder", default="results/realdata-calibrate")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    commsim = str(Path(sys.executable).with_name("commsim"))
    for name in args.sites:
        log = folder / f"{name}.parquet"
        rows = convert(REALDATA / f"{name}.stackexchange.com", log)
        out = folder / f"fit-{name}"
        start = time.perf_counter()
        code = subprocess.call([commsim, "calibrate", str(log), "--out", str(out),
                                "--workers", str(args.workers), "--quiet"])  # fmt: skip
        seconds = time.perf_counter() - start
        print(f"{name}: {rows:,} rows, exit {code}, {seconds:.0f} s")
        if code:
            continue
        report = (out / "report.md").read_text(encoding="utf-8")
        for label in DONE_WHEN:
            found = re.search(rf"\| {re.escape(label)} \| ([^|]+) \| ([^|]+) \| [^|]+ \| ([^|]+) \|",
                              report)  # fmt: skip
            if found:
                print(f"  {label}: observed {found[1].strip()}, calibrated {found[2].strip()}, "
                      f"relative error {found[3].strip()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
