"""Import speed of the largest real exports in ../shared/realdata (``commsim import``).

Each export is imported in a fresh subprocess (so each pays its own imports, as the command does)
and the time, rows written, member actions per second (rows other than the joins derived
from first contributions: messages, posts, comments, commits) and peak resident memory above the
baseline after imports (``getrusage(RUSAGE_SELF).ru_maxrss``) are printed as a Markdown table.

    .venv/bin/python benchmarks/bench_import.py               # every export below, once each
    .venv/bin/python benchmarks/bench_import.py --repeat 3    # best of 3
    .venv/bin/python benchmarks/bench_import.py --synthetic 1000000   # and a 1M-row CSV table

``--synthetic N`` also writes (once, under /tmp) a CSV table of N actions by N/20 members over two
years and imports it with the ``csv`` kind: the rate and memory at a size no real export here has
(memory should not grow with the rows: the importer streams).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
# (label, kind, source relative to realdata, options)
EXPORTS = (
    ("git click (HEAD + PRs)", "git", "git/click.git", {}),
    ("git attrs (HEAD + PRs)", "git", "git/attrs.git", {}),
    ("stackexchange quantumcomputing", "stackexchange",
     "stackexchange/quantumcomputing.stackexchange.com", {}),
    ("stackexchange bicycles.meta", "stackexchange", "stackexchange/bicycles.meta.stackexchange.com", {}),
    ("discord komodo (3 channels, CSV)", "discord", "discord-komodo", {}),
    ("slack haskell-jp (slack-log)", "slack", "slack-haskell-jp", {}),
)  # fmt: skip


def _peak_rss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def measure(kind: str, source: str, options: str) -> dict:
    """In this (fresh) process: import ``source`` and report time, rows and memory."""
    import importlib

    from sim.importers import KINDS, import_export

    importlib.import_module(KINDS[kind][0])  # pyarrow and the parser: imports are not the import
    baseline = _peak_rss_bytes()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        summary = import_export(kind, source, Path(folder) / "log.parquet", **json.loads(options))
        seconds = time.perf_counter() - start
    records = sum(n for action, n in summary.actions.items() if action != "join")
    return {
        "rows": summary.metadata["rows"],
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "peak_rss_mb": round((_peak_rss_bytes() - baseline) / 2**20, 1),
    }


def _synthetic(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"commsim-bench-import-{rows}.csv"
    if path.exists():
        return path
    import numpy as np

    rng = np.random.default_rng(1)
    start = 1_700_000_000
    with path.open("w") as out:
        out.write("member,timestamp,action,thread\n")
        for first in range(0, rows, 100_000):
            n = min(100_000, rows - first)
            member = rng.zipf(1.5, n) % max(rows // 20, 1)
            when = np.sort(rng.integers(start, start + 2 * 365 * 86_400, n))
            action = rng.choice(np.array(["post", "reply", "react"]), n, p=[0.2, 0.6, 0.2])
            thread = rng.integers(0, max(rows // 10, 1), n)
            out.writelines(
                f"m{m},{t},{a},t{h}\n"
                for m, t, a, h in zip(member, when, action, thread, strict=True)
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per export (the best counts)")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="ROWS",
        help="also import a generated CSV table of this many rows",
    )
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    if not REALDATA.is_dir():
        sys.exit(f"no real exports at {REALDATA}")
    print("| export | rows written | actions (rows less joins) | seconds | actions/s | peak MB |")
    print("|---|---|---|---|---|---|")
    exports = [(label, kind, str(REALDATA / relative), options)
               for label, kind, relative, options in EXPORTS]  # fmt: skip
    if args.synthetic:
        exports.append((f"csv table ({args.synthetic:,} rows, generated)", "csv",
                        str(_synthetic(args.synthetic)), {}))  # fmt: skip
    for label, kind, source, options in exports:
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, __file__, "--measure", kind, source,
                 json.dumps(options)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["seconds"])
        print(
            f"| {label} | {best['rows']:,} | {best['records']:,} | {best['seconds']} | "
            f"{best['records_per_second']:,} | {best['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
