"""The results of a sweep on disk: ``results/<experiment>/``.

* ``sweep.json``: the plan (the sweep file, its base scenario and design points, every run's key),
  the versions of Python and the libraries, the model version and the git revision;
* ``runs/<key>.parquet``: one file per finished run, its daily series as the table and its identity,
  summary KPIs and (runs stored since issue 16) outcomes per role, segment and value tier
  (``segments``, ``sim.world.segments.group_outcomes``) in the file's metadata (``commsim`` key).
  Only the driver writes here, each file atomically (written beside, flushed, then renamed), so a
  killed sweep leaves finished runs whole and nothing half-written under a run's name;
* ``failures.jsonl``: one line per failed attempt, with the parameters and the traceback;
* ``status.jsonl``: one line each time a run starts or ends (running, succeeded, failed, aborted),
  from which ``statuses()`` gives every planned run's status, as Mesa 4's scenario store keeps it:
  pending (never started), running, succeeded, failed, or aborted (its driver was stopped or killed);
* ``.lock``: held (``flock``) by the one driver writing here, with its process id inside. The
  kernel releases it when that process ends however it ends, so a killed driver's lock is simply
  taken over by the next, and two live drivers never write into one folder.

A restarted sweep asks ``finished()`` which keys are done and skips them.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.model import MODEL_VERSION

META_KEY = b"commsim"
PARTIAL_PREFIX = ".partial-"
LOCK_FILE = ".lock"
STATUSES = ("pending", "running", "succeeded", "failed", "aborted")
LIBRARIES = ("commsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic")


class StoreError(Exception):
    """A results folder that cannot be used (unreadable plan, not a sweep's folder)."""


class ResultStore:
    """The folder of one experiment's results."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.runs_dir = self.folder / "runs"
        self.plan_file = self.folder / "sweep.json"
        self.failures_file = self.folder / "failures.jsonl"
        self.status_file = self.folder / "status.jsonl"
        self.lock_file = self.folder / LOCK_FILE

    # ---- writing (the driver only) ---------------------------------------------------------------
    def check(self, name: str) -> None:
        """Refuse (``StoreError``) a folder this experiment cannot use: one holding another
        experiment's results, or files that are not a sweep's. Writes nothing."""
        try:
            if self.plan_file.exists():
                previous = self.plan().get("spec", {}).get("name")
                if previous != name:
                    raise StoreError(
                        f"{self.folder} holds the results of experiment {previous!r}, not "
                        f"{name!r}: choose another folder (--out)"
                    )
            elif self.folder.exists() and not self.folder.is_dir():
                raise StoreError(f"{self.folder} is a file, not a folder: choose another --out")
            elif self.folder.exists() and any(p.name != LOCK_FILE for p in self.folder.iterdir()):
                raise StoreError(
                    f"{self.folder} is not empty and holds no sweep: choose another --out"
                )
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            raise StoreError(
                f"cannot use {self.folder!s:.200} as a results folder: {exc}"
            ) from None

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock while writing; ``StoreError`` naming the process that holds it.

        ``flock`` is released by the kernel when its holder ends, even by ``kill -9``: a killed
        driver's lock is taken over by the next driver, with nothing to clean up."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"cannot use {self.folder!s:.200} as a results folder: {exc}"
            ) from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.folder} is in use by another commsim driver ({self._holder(handle)}): "
                    "wait for it to finish or stop it; two drivers must not share a folder"
                ) from None
            me = {"pid": os.getpid(), "host": socket.gethostname(), "argv": sys.argv,
                  "since": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
            os.ftruncate(handle, 0)
            os.pwrite(handle, json.dumps(me).encode(), 0)
            yield
        finally:
            os.close(handle)  # releases the lock

    @staticmethod
    def _holder(handle: int) -> str:
        try:
            holder = json.loads(os.pread(handle, 65536, 0) or b"{}")
            command = " ".join(holder.get("argv") or [])
            return (
                f"process {holder['pid']} on {holder.get('host', '?')}, since "
                f"{holder.get('since', '?')}" + (f": {command[:200]}" if command else "")
            )
        except (OSError, ValueError, KeyError, TypeError):
            return "a process that has not yet written its id"

    def driver(self) -> str | None:
        """The live driver holding the folder's lock, described, or ``None``."""
        try:
            handle = os.open(self.lock_file, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return self._holder(handle)
        finally:
            os.close(handle)
        return None

    def prepare(self, plan: dict, replace: bool = False) -> list[str]:
        """Create the folder, clear what a killed driver left half-written, and write the plan.
        Call it holding ``locked()``; returns notes on how the plan changed, for the user.

        A folder holding another experiment's results is refused (``StoreError``): the same
        experiment, with more strategies or replications, reuses its stored runs. A changed plan
        that leaves stored runs out of it (another scenario, design or seed, fewer replications)
        is refused too unless ``replace``: the folder's report would silently change meaning."""
        self.check(plan["spec"]["name"])
        notes = self._changes(plan, replace) if self.plan_file.exists() else []
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.runs_dir.glob(PARTIAL_PREFIX + "*"):
            leftover.unlink()
        record = {
            **plan,
            "model_version": MODEL_VERSION,
            "versions": versions(),
            "git_revision": git_revision(),
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _atomic_write_bytes(self.plan_file, json.dumps(record, indent=1).encode())
        return notes

    def _changes(self, plan: dict, replace: bool) -> list[str]:
        old, new = self.plan(), json.loads(json.dumps(plan))  # compared as stored
        old_spec, new_spec = old.get("spec", {}), new["spec"]
        changed = [k for k in {**old_spec, **new_spec} if old_spec.get(k) != new_spec.get(k)]
        changed += [part for part in ("base", "points") if old.get(part) != new[part]]
        if not changed:
            return []
        what = ", ".join(changed)
        new_keys = {r["key"] for r in plan["runs"]}
        dropped = {r["key"] for r in old.get("runs", [])} - new_keys
        dropped &= self.finished()
        if dropped and not replace:
            raise StoreError(
                f"the sweep changed since {self.folder} was written ({what}), and "
                f"{len(dropped)} stored run(s) are not in the new plan: choose another --out, "
                "or pass --replace to write the new plan here (stored runs are kept and reused "
                "if the plan comes back to them)"
            )
        note = f"the sweep changed since {self.folder} was written ({what}): plan replaced"
        if not dropped:
            note += "; every stored run is still in it and is reused"
        return [note]

    def write_run(self, key: str, series: pd.DataFrame, info: dict) -> Path:
        """Store one finished run atomically: ``series`` as the table, ``info`` as metadata."""
        return self.write_encoded_run(key, encode_run(series, info))

    def write_encoded_run(self, key: str, data: bytes) -> Path:
        """Store a run already encoded by ``encode_run`` (in a worker) atomically."""
        final = self.runs_dir / f"{key}.parquet"
        _atomic_write_bytes(final, data)
        return final

    def record_failure(self, entry: dict) -> None:
        """Append one failed attempt (a whole line, flushed to disk)."""
        _append_lines(self.failures_file, [entry])

    def record_status(self, keys: Iterable[str], status: str) -> None:
        """Append that the runs ``keys`` are now ``status`` (running, succeeded, failed, aborted)."""
        _append_lines(self.status_file, [{"key": key, "status": status} for key in keys])

    # ---- reading ---------------------------------------------------------------------------------
    def finished(self) -> set[str]:
        """Keys of the runs stored whole."""
        if not self.runs_dir.is_dir():
            return set()
        return {p.stem for p in self.runs_dir.glob("*.parquet") if not p.name.startswith(".")}

    def plan(self) -> dict:
        try:
            return json.loads(self.plan_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(
                f"{self.folder} holds no sweep (no sweep.json); run `commsim sweep` first"
            ) from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {self.plan_file}: {exc}") from None

    def run_info(self, key: str) -> dict:
        """A stored run's identity and summary KPIs (reads only the file's footer)."""
        schema = pq.read_schema(self.runs_dir / f"{key}.parquet")
        return json.loads(schema.metadata[META_KEY])

    def run_series(self, key: str, columns: list[str] | None = None) -> pd.DataFrame:
        return pq.read_table(self.runs_dir / f"{key}.parquet", columns=columns).to_pandas()

    def failures(self) -> list[dict]:
        return _read_lines(self.failures_file)

    def statuses(self) -> dict[str, str]:
        """Every planned run's status: succeeded (stored), else the last one recorded (a run
        still "running" with no live driver was aborted: its driver was killed), else pending."""
        latest = {e["key"]: e["status"] for e in _read_lines(self.status_file) if "key" in e}
        stored = self.finished()
        live = self.driver() is not None
        found = {}
        for entry in self.plan().get("runs", []):
            key = entry["key"]
            status = "succeeded" if key in stored else latest.get(key, "pending")
            if status == "succeeded" and key not in stored:
                status = "pending"  # its file was removed since: the next sweep reruns it
            elif status == "running" and not live:
                status = "aborted"
            found[key] = status
        return found


def encode_run(series: pd.DataFrame, info: dict) -> bytes:
    """A run as the bytes of its Parquet file: ``series`` as the table, ``info`` (identity and
    summary) as the file's metadata. Workers encode, so the driver only writes bytes."""
    table = pa.Table.from_pandas(series, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(info, sort_keys=True).encode()
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(meta), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_revision() -> str | None:
    """The commit of the code that ran (with ``+dirty`` for uncommitted changes), if in git."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _append_lines(path: Path, entries: list[dict]) -> None:
    """Append whole JSON lines, each with its time, flushed to disk."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(json.dumps({"time": now, **entry}) + "\n" for entry in entries)
    with path.open("a", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def _read_lines(path: Path) -> list[dict]:
    """The JSON lines of ``path`` (none if absent); a line cut short by a kill is skipped."""
    if not path.exists():
        return []
    entries = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return [e for e in entries if isinstance(e, dict)]


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write beside, flush to disk, then rename: the file is whole or absent, never partial. The
    partial file carries this process's id, so no other process can remove it mid-write."""
    partial = path.with_name(f"{PARTIAL_PREFIX}{os.getpid()}-{path.name}")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
