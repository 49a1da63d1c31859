"""Running a sweep: every planned run through a ``concurrent.futures`` executor, stored as it ends.

Backends (DESIGN.md, Experiments), one code path for all of them:

* ``serial``: in this process, one run after another (debugging, tiny sweeps);
* ``process`` (default): local worker processes forked from a *fork server* (``forkserver``, on
  Linux; *spawn* elsewhere). The server is a fresh, single-threaded process that imports the
  model once (``PRELOADED``); each worker is forked from it, so a worker never inherits the
  driver's threads or open files, the same code runs from a Jupyter notebook, and a pool opened
  after the first starts in a fraction of a second instead of each worker importing the model
  again (about 4 CPU-seconds a worker). The workers are given the driver's environment as it is
  when their pool opens (``start_worker``), as spawned ones would be;
* ``dask``: a Dask ``LocalCluster``, or an existing cluster given by ``address``
  (``tcp://HOST:PORT``), through ``distributed.Client.get_executor``.

Workers only compute: each returns the run's daily series, its summary and its outcomes per role,
segment and value tier (``sim.world.segments.group_outcomes``) to the driver, which alone
writes ``runs/<key>.parquet`` (atomically, ``sim.experiments.store``). At most a few runs per worker are in
flight, so the driver's memory does not grow with the sweep. A run that raises is recorded in
``failures.jsonl`` with its traceback and the sweep goes on; a local pool broken by a dying worker
is rebuilt and its unfinished runs resubmitted (a run that breaks the pool three times is recorded
as failed); a pool whose workers die as they start (a script without a ``__main__`` guard) stops
the sweep at once with that explanation (``WorkersDiedError``). Each worker runs with its BLAS
pinned to one thread, so workers do not oversubscribe the cores.

The driver holds the results folder's lock while it writes (``ResultStore.locked``), so a second
driver on the same folder is refused with the first one's process id. Local workers (process
backend, Dask's local cluster) watch their driver and exit within a second of its death, however
it died (``watch_driver``); a cluster at ``address`` is the user's and outlives the driver.

A caller that runs several sweeps in a row (a calibration: its pilot runs, generations and checks;
``commsim validate``: its groups) opens the workers once (``open_pool``) and hands them to each
``run_sweep``: starting a local pool of two workers costs about 7 s of wall time (each worker
imports the model before the first run, and a pool closes only once they have), which was paid
again by every sweep.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from sim.config import Scenario, validate_scenario
from sim.experiments.analysis import Results
from sim.experiments.progress import progress_bar
from sim.experiments.store import ResultStore, encode_run
from sim.experiments.sweep import PlannedRun, Sweep, seed_of
from sim.experiments.tidy import write_tables
from sim.model import CommunityModel
from sim.world.metrics import operator_totals
from sim.world.segments import group_outcomes

BACKENDS = ("serial", "process", "dask")
IN_FLIGHT_PER_WORKER = 2
MAX_ATTEMPTS = 3  # times a run may break the worker pool before it is recorded as failed
STARTUP_SECONDS = 300  # wait this long for a new pool's first worker to answer
DRIVER_CHECK_SECONDS = 0.5  # how often a local worker checks that its driver is alive
PRELOADED = ("sim.experiments.runner",)  # what the fork server imports once for all its workers
CONNECT_SECONDS = 5  # how long to try reaching a Dask scheduler at --address
ADDRESS = re.compile(r"(tcp|tls|ws|wss)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})")


@dataclass(frozen=True)
class RunTask:
    """What a worker needs to do one run (plain data, cheap to send)."""

    key: str
    strategy: str
    point: int
    replication: int
    root_seed: int
    factors: dict
    scenario: dict  # the resolved scenario as plain data, validated when the sweep was planned

    def identity(self) -> dict:
        return {
            "key": self.key,
            "strategy": self.strategy,
            "point": self.point,
            "replication": self.replication,
            "root_seed": self.root_seed,
            "factors": self.factors,
        }


# runs a model built from the task's scenario and returns extra summary numbers (see ``execute``)
Measure = Callable[[CommunityModel, Scenario, RunTask], dict]


@dataclass
class RunOutcome:
    key: str
    series: pd.DataFrame | None = None
    summary: dict | None = None
    seconds: float = 0.0
    error: str | None = None
    traceback: str | None = None
    encoded: bytes | None = (
        None  # the run's Parquet file, made in the worker (sim.experiments.store)
    )
    # the run's outcomes per role, segment and value tier (sim.world.segments.group_outcomes),
    # stored beside the summary for the report's per-group tables; None: not measured
    segments: dict | None = None


def execute(task: RunTask, measure: Measure | None = None) -> RunOutcome:
    """Simulate one run. Never raises for a failing run: the error comes back as data.

    ``measure`` (optional, importable by workers) runs the model itself instead of
    ``model.run(days)`` and returns extra numbers for the summary: target-specific statistics
    (``sim.validation``), computed inside the worker where the members' state is at hand.
    """
    start = time.perf_counter()
    try:
        scenario = validate_scenario(task.scenario, f"run {task.key}")
        model = CommunityModel(
            **scenario.model_kwargs(), rng=seed_of(task.root_seed, task.replication)
        )
        if measure is None:
            model.run(scenario.run.days)
            extra = {}
        else:
            extra = measure(model, scenario, task)
        series = model.series()
        summary = model.summary()
        rate = scenario.strategy.hourly_rate if scenario.strategy else 0.0
        summary.update(operator_totals(series, summary["members_end"], rate))
        summary.update(extra)
        groups = group_outcomes(model.segments_frame(), model.segment_retention())
    except Exception as exc:  # a failed run is recorded, never allowed to stop the sweep
        return RunOutcome(
            task.key,
            seconds=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
    return RunOutcome(task.key, series, summary, time.perf_counter() - start, segments=groups)


def pinned(run: Callable[[RunTask], RunOutcome], task: RunTask) -> RunOutcome:
    """In the worker: ``run(task)`` with BLAS and OpenMP pools limited to one thread (the workers
    already use every core, so threads inside them would only contend), then the run encoded as
    its Parquet file, so the driver does no more than write bytes and keeps up with many workers."""
    with threadpool_limits(limits=1):
        outcome = run(task)
    if outcome.error is None:
        info = {**task.identity(), "summary": outcome.summary, "seconds": outcome.seconds}
        if outcome.segments is not None:
            info["segments"] = outcome.segments
        outcome.encoded = encode_run(outcome.series, info)
        outcome.series = None
    return outcome


def watch_driver(driver: int) -> None:
    """In a local worker: a daemon thread that ends this process as soon as its parent is gone, so
    no worker outlives a killed driver (``kill -9`` gives the driver no chance to stop its workers;
    its children are then re-parented). The parent is the driver (spawned workers, Dask's local
    workers) or the fork server, which exits when the driver does (its end of a pipe held only by
    the driver reaches end-of-file)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and (parent == driver or _alive(driver)):
            time.sleep(DRIVER_CHECK_SECONDS)
        os._exit(70)  # no cleanup: nothing of the driver's is ours to finish

    threading.Thread(target=watch, name="commsim-driver-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or its number taken by another user's
        return False
    return True


def start_worker(driver: int, environment: dict[str, str]) -> None:
    """A local worker's initializer: the driver's environment as it was when the pool opened (a
    forked worker would otherwise see the fork server's, fixed when the server started), then
    ``watch_driver``."""
    os.environ.clear()
    os.environ.update(environment)
    watch_driver(driver)


def worker_context() -> multiprocessing.context.BaseContext:
    """The start method of local workers: on Linux ``forkserver`` with the model preloaded (Python's
    own default there from 3.14: its server is a fresh single-threaded process, so forking it is
    safe where forking the driver is not; Python docs, multiprocessing, "Contexts and start
    methods"); elsewhere ``spawn`` (Windows has no fork, and on macOS Python itself defaults to
    spawn, forking being unreliable once system frameworks have run)."""
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOADED))
    return context


def check_address(address: str) -> str:
    """A Dask scheduler address, ``tcp://HOST:PORT``; ``ValueError`` saying what is wrong."""
    match = ADDRESS.fullmatch(address)
    if match is None:
        raise ValueError(
            f"--address: got {address[:200]!r}; expected SCHEME://HOST:PORT with scheme tcp, "
            "tls, ws or wss, e.g. tcp://10.0.0.5:8786"
        )
    if not 1 <= int(match[3]) <= 65535:
        raise ValueError(f"--address: port {match[3]} must be between 1 and 65535")
    return address


class SerialExecutor(Executor):
    """Runs each task when it is submitted, in this process."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


@dataclass
class SweepResult:
    """What a call to ``run_sweep`` did."""

    folder: Path
    planned: int  # plan entries (strategy x point x replication)
    unique: int  # distinct runs (entries that resolve to the same scenario share one)
    skipped: int  # already stored by an earlier call
    finished: int  # stored by this call
    failed: int  # recorded in failures.jsonl by this call
    seconds: float
    pool_rebuilds: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. that the stored plan was replaced

    @property
    def complete(self) -> bool:
        return self.skipped + self.finished == self.unique


class _Pool:
    """An executor for a backend, rebuilt on demand after a local pool breaks."""

    def __init__(self, backend: str, workers: int | None, address: str | None):
        if backend not in BACKENDS:
            raise ValueError(f"backend {backend!r}: allowed {', '.join(BACKENDS)}")
        self.backend, self.address = backend, address
        self.workers = 1 if backend == "serial" else (workers or os.cpu_count() or 1)
        self._client = self._cluster = None
        self.executor = self._start()

    def _start(self) -> Executor:
        if self.backend == "serial":
            return SerialExecutor()
        if self.backend == "process":
            executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=worker_context(),
                initializer=start_worker,
                initargs=(os.getpid(), dict(os.environ)),
            )
            _check_workers_start(executor)
            return executor
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError(
                "the dask backend needs Dask distributed: pip install 'commsim[cluster]'"
            ) from None
        if self.address:
            check_address(self.address)
            try:
                self._client = Client(self.address, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError) as exc:
                raise RuntimeError(
                    f"no Dask scheduler answered at {self.address} within {CONNECT_SECONDS} s "
                    f"({type(exc).__name__}: {exc})"
                ) from None
            self.workers = max(1, sum(self._client.nthreads().values()))
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
            self._client = Client(self._cluster)
            self._client.register_plugin(_driver_watch_plugin(os.getpid()))
        return self._client.get_executor(pure=False)

    def rebuild(self) -> None:
        self._shutdown(cancel=True)
        self.executor = self._start()

    def _shutdown(self, cancel: bool) -> None:
        if self._client is not None:  # Dask's executor takes no cancel_futures
            self.executor.shutdown(wait=not cancel)
        else:
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)

    def close(self, cancel: bool = False) -> None:
        self._shutdown(cancel)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextmanager
def open_pool(backend: str = "process", workers: int | None = None, address: str | None = None):
    """Workers for several ``run_sweep`` calls (``pool=``): started once, closed on leaving (their
    work cancelled if leaving by an exception). ``ValueError`` for an unknown backend."""
    pool = _Pool(backend, workers, address)
    try:
        yield pool
    except BaseException:
        pool.close(cancel=True)
        raise
    pool.close()


class WorkersDiedError(RuntimeError):
    """Every worker process died before it could run anything."""


def _check_workers_start(executor: ProcessPoolExecutor) -> None:
    """Fail at once, with the likely reason, when worker processes die as they start, instead of
    recording every run as failed one broken pool after another."""
    try:
        executor.submit(os.getpid).result(timeout=STARTUP_SECONDS)
    except BrokenProcessPool:
        executor.shutdown(wait=False, cancel_futures=True)
        raise WorkersDiedError(
            "every worker process died as it started, before running anything. Workers start by "
            "importing the script that called run_sweep, so a script must keep "
            'its work under `if __name__ == "__main__":` (see the README), or use '
            'backend="serial". Otherwise, look for a crash on import, or too little memory.'
        ) from None
    except TimeoutError:
        pass  # slow to start, not dead: the sweep's own waits take over


def _driver_watch_plugin(driver: int):
    """A Dask worker plugin running ``watch_driver`` in every worker of the local cluster,
    including workers its nannies restart."""
    from distributed import WorkerPlugin

    class DriverWatch(WorkerPlugin):
        name = "commsim-driver-watch"

        def setup(self, worker) -> None:
            watch_driver(driver)

    return DriverWatch()


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    backend: str = "process",
    workers: int | None = None,
    address: str | None = None,
    progress: bool | None = None,
    run: Callable[[RunTask], RunOutcome] = execute,
    tables: bool = True,
    replace: bool = False,
    pool: _Pool | None = None,
) -> SweepResult:
    """Run every planned run not yet stored in ``out``; store each as it finishes; then, with
    ``tables``, write the tidy ``summaries.parquet`` and ``series.parquet`` (``sim.experiments.tidy``).

    ``progress``: None shows a bar on a terminal and plain progress lines elsewhere (a log, a
    pipe), False nothing, True always the bar; ``run`` replaces the worker function (it must
    be importable by worker processes: tests use it to make runs fail or workers die); ``replace``
    lets a changed sweep replace the plan stored in ``out`` even when stored runs drop out of it
    (``StoreError`` otherwise, as for a folder in use by another driver). ``pool``: workers
    opened by the caller (``open_pool``), used instead of ``backend``, ``workers`` and
    ``address`` and left open.
    """
    start = time.perf_counter()
    store = ResultStore(out)
    plan = sweep.plan()
    store.check(sweep.name)
    if pool is not None:
        result = _store_plan(sweep, store, pool, plan, run, progress, tables, replace)
    else:
        # the workers first: a cluster that cannot be reached leaves nothing written
        with open_pool(backend, workers, address) as own:
            result = _store_plan(sweep, store, own, plan, run, progress, tables, replace)
    result.seconds = time.perf_counter() - start
    return result


def _store_plan(sweep, store, pool, plan, run, progress, tables, replace) -> SweepResult:
    with store.locked():
        notes = store.prepare({**sweep.describe(), "runs": [vars(p) for p in plan]}, replace)
        result = _run_plan(sweep, store, pool, plan, run, progress, pool.backend)
        result.notes = notes
        if tables:
            write_tables(Results(store.folder), store.folder)
    return result


def _run_plan(sweep, store, pool, plan, run, progress, backend) -> SweepResult:
    unique = _unique(plan)
    done = store.finished()
    todo = [p for p in unique if p.key not in done]
    result = SweepResult(store.folder, len(plan), len(unique), len(unique) - len(todo), 0, 0, 0.0)
    desc = f"{sweep.name} ({backend}, {pool.workers} worker{'s' * (pool.workers > 1)})"
    bar = progress_bar(len(todo), desc, "run", progress)
    try:
        _drive(sweep, store, pool, iter(todo), run, result, bar)
    finally:
        bar.close()
    return result


def _drive(sweep, store, pool, todo: Iterator[PlannedRun], run, result, bar) -> None:
    in_flight: dict[Future, RunTask] = {}
    retry: list[RunTask] = []
    try:
        _submit_and_store(sweep, store, pool, todo, run, result, bar, in_flight, retry)
    except BaseException:  # stopped (Ctrl-C) or failing: what was under way did not finish
        store.record_status({t.key for t in [*in_flight.values(), *retry]}, "aborted")
        raise


def _submit_and_store(sweep, store, pool, todo, run, result, bar, in_flight, retry) -> None:
    limit = max(2, pool.workers * IN_FLIGHT_PER_WORKER)
    attempts: dict[str, int] = {}
    while True:
        while len(in_flight) < limit:
            task = retry.pop() if retry else _next_task(sweep, todo)
            if task is None:
                break
            if task.key not in attempts:
                store.record_status([task.key], "running")
            try:
                in_flight[pool.executor.submit(pinned, run, task)] = task
            except BrokenProcessPool:
                # a worker died between two submits: the pool refuses new work before any future
                # reports it. This run and every run in flight go to a new pool (counted as an
                # attempt, so pools that keep breaking end in recorded failures, not a loop)
                attempts[task.key] = attempts.get(task.key, 0) + 1
                if attempts[task.key] >= MAX_ATTEMPTS:
                    _record(store, task, result, "worker process died", "", bar)
                else:
                    retry.append(task)
                retry.extend(in_flight.values())
                in_flight.clear()
                pool.rebuild()
                result.pool_rebuilds += 1
        if not in_flight:
            return
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        broken = False
        for future in finished:
            task = in_flight.pop(future)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken = True
                attempts[task.key] = attempts.get(task.key, 0) + 1
                if attempts[task.key] >= MAX_ATTEMPTS:
                    _record(store, task, result, "worker process died", "", bar)
                else:
                    retry.append(task)
                continue
            except Exception as exc:  # e.g. a Dask worker lost for good (KilledWorker)
                _record(store, task, result, f"{type(exc).__name__}: {exc}", "", bar)
                continue
            if outcome.error is not None:
                _record(store, task, result, outcome.error, outcome.traceback or "", bar)
                continue
            store.write_encoded_run(task.key, outcome.encoded)
            store.record_status([task.key], "succeeded")
            result.finished += 1
            bar.update()
        if broken:
            # every other run in flight died with the pool: resubmit them on a new one
            retry.extend(in_flight.values())
            in_flight.clear()
            pool.rebuild()
            result.pool_rebuilds += 1


def _next_task(sweep: Sweep, todo: Iterator[PlannedRun]) -> RunTask | None:
    planned = next(todo, None)
    if planned is None:
        return None
    return RunTask(
        key=planned.key,
        strategy=planned.strategy,
        point=planned.point,
        replication=planned.replication,
        root_seed=sweep.spec.seed,
        factors=sweep.points[planned.point],
        scenario=sweep.scenario_data(planned.strategy, planned.point),
    )


def _record(store, task: RunTask, result: SweepResult, error: str, trace: str, bar) -> None:
    store.record_failure({**task.identity(), "error": error, "traceback": trace})
    store.record_status([task.key], "failed")
    result.failed += 1
    result.failures.append(f"{task.strategy} point {task.point} rep {task.replication}: {error}")
    bar.update()


def _unique(plan: list[PlannedRun]) -> list[PlannedRun]:
    seen: set[str] = set()
    unique = []
    for planned in plan:
        if planned.key not in seen:
            seen.add(planned.key)
            unique.append(planned)
    return unique
