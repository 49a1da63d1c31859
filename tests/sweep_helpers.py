"""Shared by the sweep tests: tiny sweep files, and worker functions that fail on purpose.

Worker processes start with spawn and import this module by name, so the tests put ``tests/`` on
``sys.path`` (``monkeypatch.syspath_prepend``) before starting a pool.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import yaml

from sim.experiments.runner import RunOutcome, RunTask, execute

MARKERS = "COMMSIM_TEST_MARKERS"  # folder where ``die_once`` notes which keys it has killed

TINY = {
    "name": "tiny",
    "scenario": {
        "community": {"members": 120},
        "arrivals": {"market_size": 600},
        "run": {"days": 25},
    },
    "strategies": {
        "none": None,
        "content": {"hours_per_day": 2, "content": {"posts_per_day": 2}},
    },
    "baseline": "none",
    "replications": 3,
    "seed": 7,
    "kpis": ["dau_last30", "members_end", "retention_7", "money_spent"],
}


def write_sweep(folder: Path, file: str = "tiny.yaml", **changes) -> Path:
    path = folder / file
    path.write_text(yaml.safe_dump({**TINY, **changes}, sort_keys=False), encoding="utf-8")
    return path


def fail_second_replication(task: RunTask) -> RunOutcome:
    """A run function whose replication 1 raises inside the model code path."""
    if task.replication == 1:
        return execute(RunTask(**{**vars(task), "scenario": {"community": {"members": -1}}}))
    return execute(task)


def die_once(task: RunTask) -> RunOutcome:
    """Kills its worker process the first time it sees replication 0 of a key."""
    marker = Path(os.environ[MARKERS]) / task.key
    if task.replication == 0 and not marker.exists():
        marker.touch()
        os._exit(1)
    return execute(task)


def report_blas_threads(task: RunTask) -> RunOutcome:
    """A run whose summary also says how many threads each BLAS/OpenMP pool may use."""
    from threadpoolctl import threadpool_info

    outcome = execute(task)
    outcome.summary["blas_threads"] = max(pool["num_threads"] for pool in threadpool_info())
    return outcome


def stored_runs(folder: Path) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Every stored run of a results folder: its table and its summary."""
    import json

    runs = {}
    for path in sorted((folder / "runs").glob("*.parquet")):
        table = pq.read_table(path)
        info = json.loads(table.schema.metadata[b"commsim"])
        runs[path.stem] = (table.to_pandas(), info["summary"])
    return runs


def assert_same_runs(left: Path, right: Path) -> None:
    a, b = stored_runs(left), stored_runs(right)
    assert a.keys() == b.keys()
    for key in a:
        pd.testing.assert_frame_equal(a[key][0], b[key][0], check_exact=True)
        assert a[key][1] == b[key][1], key
