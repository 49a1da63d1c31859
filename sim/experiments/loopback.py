"""A Dask cluster on this machine's loopback: a scheduler and workers as separate processes.

What a real cluster looks like to the runner (``commsim sweep --backend dask --address ...``),
without a network: the tests and ``benchmarks/bench_sweep.py`` use it to check that a sweep on a
cluster stores exactly what the local pool stores, and what the cluster's overhead is.

>>> with loopback_cluster(workers=2) as address:  # doctest: +SKIP
...     run_sweep(sweep, "results/x", backend="dask", address=address)
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DASK = Path(sys.executable).parent / "dask"


@contextmanager
def loopback_cluster(workers: int = 2, timeout: float = 120) -> Iterator[str]:
    """Start ``dask scheduler`` and ``workers`` × ``dask worker`` (one thread each) on 127.0.0.1;
    yields the scheduler's address once every worker has joined, and stops them all after."""
    from distributed import Client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    worker = [DASK, "worker", address, "--nthreads", "1", "--nworkers", "1"]
    processes = [subprocess.Popen([*scheduler, "--dashboard-address", ":0", "--no-show"], **quiet)]
    try:
        processes += [
            subprocess.Popen([*worker, "--host", "127.0.0.1", "--no-dashboard"], **quiet)
            for _ in range(workers)
        ]
        with Client(address, timeout=timeout) as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
