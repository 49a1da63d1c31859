"""Shared by the sweep tests: tiny sweep files, and worker functions that fail on purpose.

Worker processes import this module by name, so the tests put ``tests/`` on
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


# ---- killing drivers (tests/test_drivers.py, benchmarks/kill_trials.py) --------------------------
def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, their children...), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = process_state(int(entry.name))
            if state is not None and state[0] != "Z":
                parents.setdefault(state[1], []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running (a zombie has ended)."""
    return {p for p in pids if (s := process_state(p)) is not None and s[0] != "Z"}


def kill_driver_trial(
    sweep_file: Path, out: Path, backend: str = "process", wait_seconds: float = 20.0
) -> dict:
    """Start ``commsim sweep`` on ``backend``, SIGKILL the driver once a run is stored and its
    workers are up, and wait (at most ``wait_seconds``) for every process it started to end.
    Returns the workers seen, those left after the wait, and the seconds they took to go."""
    import signal
    import subprocess
    import sys
    import time

    command = [Path(sys.executable).parent / "commsim", "sweep", str(sweep_file), "--out", str(out),
               "--backend", backend, "--workers", "2", "--quiet"]  # fmt: skip
    driver = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and driver.poll() is None:
            seen |= descendants(driver.pid)
            stored = [p for p in (out / "runs").glob("*.parquet") if not p.name.startswith(".")]
            if stored and len(seen) >= 2:
                break
            time.sleep(0.05)
        seen |= descendants(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        killed = time.monotonic()
        while alive(seen) and time.monotonic() - killed < wait_seconds:
            time.sleep(0.05)
        gone_after = time.monotonic() - killed
        left = alive(seen)
    finally:
        for pid in alive(seen):  # never leave a process behind, whatever the test found
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return {"workers": len(seen), "left": len(left), "seconds": gone_after}


def slow(task: RunTask) -> RunOutcome:
    """A run that takes at least a second: keeps a driver busy while a test looks at it."""
    import time

    time.sleep(1.0)
    return execute(task)


def without_groups(task: RunTask) -> RunOutcome:
    """A run stored as before issue 16: no outcomes per role, segment and value tier."""
    outcome = execute(task)
    outcome.segments = None
    return outcome
