"""Issue 18, items 9 and 10: workers never outlive a killed driver, and two drivers never share a
results folder (the second is refused naming the first; a killed driver's lock is taken over)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sweep_helpers import alive, descendants, kill_driver_trial, write_sweep

from sim.experiments.store import ResultStore

BIN = Path(sys.executable).parent
TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("backend", ["process", "dask"])
def test_workers_end_within_seconds_of_their_driver_being_killed(tmp_path, backend):
    if backend == "dask":
        pytest.importorskip("distributed")
    sweep_file = write_sweep(tmp_path, replications=20)
    trial = kill_driver_trial(sweep_file, tmp_path / "out", backend)
    assert trial["workers"] >= 2, "the kill must land while workers run"
    assert trial["left"] == 0, (
        f"{trial['left']} of {trial['workers']} processes outlived the driver"
    )


def test_two_drivers_on_one_folder_one_refused_then_the_lock_taken_over(tmp_path):
    # 40 runs: the first driver is still at work (a second a run) when the second driver and
    # `commsim status` have started, however loaded the machine (with 8 it had finished first)
    sweep_file = write_sweep(tmp_path, replications=20)
    out = tmp_path / "out"
    command = [BIN / "commsim", "sweep", str(sweep_file), "--out", str(out), "--quiet"]
    busy = (  # a driver whose runs take a second each, so the second driver meets it at work
        f"import sys; sys.path.insert(0, {str(TESTS)!r}); from sweep_helpers import slow; "
        "from sim.experiments import load_sweep, run_sweep; "
        f"run_sweep(load_sweep({str(sweep_file)!r}), {str(out)!r}, backend='serial', run=slow)"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", busy],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while ResultStore(out).driver() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run([*command, "--backend", "serial"], capture_output=True, text=True)
        assert second.returncode == 2
        assert f"in use by another commsim driver (process {first.pid} on" in second.stderr
        assert "Traceback" not in second.stderr
        shown = subprocess.run(
            [BIN / "commsim", "status", str(out)], capture_output=True, text=True
        )
        assert f"driver: process {first.pid}" in shown.stdout
    finally:
        seen = descendants(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    deadline = time.monotonic() + 20  # the resource tracker (tqdm's lock) ends on its own
    while alive(seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(seen)
    statuses = ResultStore(out).statuses()
    assert "aborted" in statuses.values()  # the run under way when the driver was killed
    third = subprocess.run([*command, "--backend", "serial"], capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert set(ResultStore(out).statuses().values()) == {"succeeded"}
