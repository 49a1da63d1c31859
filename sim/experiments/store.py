"""The results of a sweep on disk: ``results/<experiment>/``.

* ``sweep.json``: the plan (the sweep file, its base scenario and design points, every run's key),
  the versions of Python and the libraries, the model version and the git revision;
* ``runs/<key>.parquet``: one file per finished run, its daily series as the table and its identity
  and summary KPIs in the file's metadata (``commsim`` key). Only the driver writes here, each file
  atomically (written beside, flushed, then renamed), so a killed sweep leaves finished runs whole
  and nothing half-written under a run's name;
* ``failures.jsonl``: one line per failed attempt, with the parameters and the traceback.

A restarted sweep asks ``finished()`` which keys are done and skips them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.model import MODEL_VERSION

META_KEY = b"commsim"
PARTIAL_PREFIX = ".partial-"
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

    # ---- writing (the driver only) ---------------------------------------------------------------
    def prepare(self, plan: dict) -> None:
        """Create the folder, clear what a killed driver left half-written, and write the plan.

        A folder holding another experiment's results is refused (``StoreError``): the same
        experiment, with more strategies or replications, reuses its stored runs."""
        if self.plan_file.exists():
            previous = self.plan().get("spec", {}).get("name")
            if previous != plan["spec"]["name"]:
                raise StoreError(
                    f"{self.folder} holds the results of experiment {previous!r}, not "
                    f"{plan['spec']['name']!r}: choose another folder (--out)"
                )
        elif self.folder.exists() and any(self.folder.iterdir()):
            raise StoreError(f"{self.folder} is not empty and holds no sweep: choose another --out")
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
        line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="seconds"), **entry})
        with self.failures_file.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

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
        if not self.failures_file.exists():
            return []
        with self.failures_file.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]


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


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write beside, flush to disk, then rename: the file is whole or absent, never partial."""
    partial = path.with_name(PARTIAL_PREFIX + path.name)
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
