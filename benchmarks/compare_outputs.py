"""Prove that a change leaves every output of a reference run bit-identical.

``dump`` runs one community (a scenario, by default ``experiments/all-levers.yaml``, resized to
``--members``) for ``--days`` days and writes everything it produces into a folder:

* ``series.parquet``: ``model.series()``, the daily series;
* ``cohorts.parquet``: ``model.cohorts()``;
* ``summary.json``: ``model.summary()`` (``sort_keys``);
* ``state.npz``: every numpy array reachable from ``model.population`` (its attributes, and one or
  two levels into the dicts, lists and plain objects it holds, such as the tie graph: ``ties._data``,
  ``boosts.visit``), plus the arrays of ``model.feed`` as ``feed.*``; ``__n__`` is the number of
  slots in use and ``__capacity__`` the number allocated;
* ``validation.csv`` (with ``--validation``): the quick validation table (``validate(quick=True)``),
  one row per check with its measured mean, interval, verdict and the per-replication values;
* ``meta.json``: the settings, the ``sim`` package that ran, versions and timings (not compared).

``compare`` checks two dumps field by field with exact equality (same dtype, same shape, same values;
NaN equals NaN): every series and cohort column, every summary key, every state array (only the
first ``n`` rows of the arrays sized by the population's capacity) and every validation column. An
array present on one side only is matched by content against the other side's unmatched arrays, so
state that a refactor merely renamed or regrouped still counts as identical ("has an identical
twin"). The last line is ``IDENTICAL: N fields`` (exit status 0) or ``DIFFERENT: K of N fields``
(exit status 1).

The script imports nothing by module path but ``sim.CommunityModel``, ``load_scenario`` (from
``sim.config``, else ``sim.scenario``) and ``sim.validation.validate``, so the same file runs
against the code before and after moving modules around. From the repository root:

    # the reference, on the code as it was (a checkout in /work/baseline)
    PYTHONPATH=/work/baseline .venv/bin/python benchmarks/compare_outputs.py dump /work/golden \\
        --members 20000 --days 200 --validation
    # the same on the changed code, then the comparison
    .venv/bin/python benchmarks/compare_outputs.py dump /tmp/after --members 20000 --days 200 \\
        --validation
    .venv/bin/python benchmarks/compare_outputs.py compare /work/golden /tmp/after

Run it as a script (not ``python -c`` from the repository root, where the current directory comes
before ``PYTHONPATH``); ``dump`` prints, and ``meta.json`` records, which ``sim`` it imported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = "experiments/all-levers.yaml"
OUTPUTS = ("series.parquet", "cohorts.parquet", "summary.json", "state.npz", "validation.csv")
META_KEYS = ("__n__", "__capacity__")
NESTING = 2  # how deep below an attribute of the population (or the feed) arrays are searched
SETTINGS = ("members", "days", "seed", "scenario_sha256", "validation")


# ---- dump ----------------------------------------------------------------------------------------
def load_scenario(path: Path, overrides: dict[str, object]):
    try:
        from sim.config import load_scenario as load
    except ImportError:
        try:
            from sim.scenario import load_scenario as load
        except ImportError as exc:
            raise ImportError("load_scenario is in neither sim.config nor sim.scenario") from exc
    return load(path, overrides=overrides)


def scenario_path(given: str) -> Path:
    """``given`` as is if it exists (absolute, or relative to the current directory), else relative
    to the repository root (the parent of this script's folder)."""
    path = Path(given)
    if path.is_absolute() or path.exists():
        return path.resolve()
    return REPO / path


def children(value: Any) -> Iterator[tuple[str, Any]]:
    """(name suffix, value) of what a container holds: dict items, list and tuple elements, the
    attributes of a plain object; nothing for anything else."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f".{key}", item
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield f"[{i}]", item
    elif not isinstance(value, type | np.generic | str | bytes) and not callable(value):
        if hasattr(value, "__dict__"):
            for name, item in vars(value).items():
                yield f".{name}", item
        for name in getattr(type(value), "__slots__", ()):
            if hasattr(value, name):
                yield f".{name}", getattr(value, name)


def arrays_in(obj: Any, prefix: str = "") -> dict[str, np.ndarray]:
    """Every numpy array among ``obj``'s attributes, and up to ``NESTING`` levels down the
    containers they hold, keyed by attribute path (``ties._indptr``, ``boosts.visit``)."""
    found: dict[str, np.ndarray] = {}
    seen = {id(obj)}

    def visit(name: str, value: Any, depth: int) -> None:
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                print(f"  skipped {name}: an object array", file=sys.stderr)
            else:
                found[name] = value
        elif depth < NESTING and id(value) not in seen:
            seen.add(id(value))
            for suffix, item in children(value):
                visit(name + suffix, item, depth + 1)

    for suffix, value in children(obj):
        visit(prefix + suffix.lstrip("."), value, 0)
    return found


def capacity_of(population: Any, arrays: dict[str, np.ndarray]) -> int:
    """Slots allocated: the population's ``capacity`` (or ``_capacity``), else the most common
    first dimension of its arrays."""
    for name in ("capacity", "_capacity"):
        value = getattr(population, name, None)
        if isinstance(value, int | np.integer):
            return int(value)
    lengths = [a.shape[0] for a in arrays.values() if a.ndim]
    return max(set(lengths), key=lengths.count) if lengths else 0


def validation_table(workers: int | None) -> tuple[pd.DataFrame, float]:
    """The quick validation's checks, one row each, run into a fresh folder (stored runs of an
    earlier version of the code must not be reused)."""
    from sim.validation import validate

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compare_outputs-validation-") as folder:
        outcome = validate(folder, quick=True, workers=workers)
    rows = [
        {**check.row(outcome.quick), "values": ";".join(repr(float(v)) for v in check.values)}
        for check in outcome.checks
    ]
    if outcome.failed_runs:
        print(f"  validation: runs failed in {outcome.failed_runs}", file=sys.stderr)
    return pd.DataFrame(rows), time.perf_counter() - start


def dump(args: argparse.Namespace) -> int:
    import sim
    from sim import CommunityModel

    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name in (*OUTPUTS, "meta.json"):  # no stale file from an earlier dump may survive
        (out / name).unlink(missing_ok=True)
    path = scenario_path(args.scenario)
    overrides: dict[str, object] = {"community.members": args.members}
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    scenario = load_scenario(path, overrides)
    print(f"sim: {Path(sim.__file__).parent}")
    print(f"scenario: {path} ({args.members} members, {args.days} days, seed {scenario.run.seed})")

    start = time.perf_counter()
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(args.days)
    run_seconds = time.perf_counter() - start
    print(f"run: {run_seconds:.1f} s")

    model.series().to_parquet(out / "series.parquet")
    model.cohorts().to_parquet(out / "cohorts.parquet")
    summary = json.dumps(model.summary(), sort_keys=True, indent=1, default=_plain)
    (out / "summary.json").write_text(summary + "\n", encoding="utf-8")
    population = model.population
    state = arrays_in(population)
    meta = {
        "__n__": np.array(population.n, np.int64),
        "__capacity__": np.array(capacity_of(population, state), np.int64),
    }
    state.update(arrays_in(model.feed, "feed."))
    np.savez(out / "state.npz", **meta, **state)
    print(f"state: {len(state)} arrays, n = {population.n} of {int(meta['__capacity__'])} slots")

    validation_seconds = None
    if args.validation:
        table, validation_seconds = validation_table(args.workers)
        table.to_csv(out / "validation.csv", index=False)
        print(f"validation: {len(table)} checks in {validation_seconds:.0f} s")

    info = {
        "members": args.members,
        "days": args.days,
        "seed": scenario.run.seed,
        "scenario": str(path),
        "scenario_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "validation": bool(args.validation),
        "sim": str(Path(sim.__file__).parent),
        "kernels": os.environ.get("COMMSIM_KERNELS", "(default)"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "run_seconds": round(run_seconds, 2),
        "validation_seconds": None if validation_seconds is None else round(validation_seconds, 1),
        "written": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    (out / "meta.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as Python values, for ``json.dumps``."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---- compare -------------------------------------------------------------------------------------
@dataclass
class Tally:
    """Fields compared so far, per category, and the ones that differ."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    different: list[str] = field(default_factory=list)

    def check(self, category: str, name: str, problem: str | None, note: str = "") -> None:
        """Record one field: ``problem`` None means identical."""
        self.counts[category] += 1
        if problem is None:
            print(f"  same  {name}{f'  ({note})' if note else ''}")
        else:
            self.different.append(f"{category}: {name}")
            print(f"  DIFF  {name}: {problem}")


def array_problem(a: np.ndarray, b: np.ndarray) -> str | None:
    """None if ``a`` and ``b`` have the same dtype, shape and values (NaN equal to NaN), else what
    differs."""
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} vs {b.dtype}"
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    numeric = a.dtype.kind in "fc"
    if np.array_equal(a, b, equal_nan=numeric):
        return None
    unequal = a != b
    if numeric:
        unequal &= ~(np.isnan(a) & np.isnan(b))
    where = tuple(int(i) for i in np.argwhere(unequal)[0])
    at = where[0] if len(where) == 1 else where
    text = (
        f"{int(unequal.sum())} of {a.size} values differ, first at {at}: {a[where]} vs {b[where]}"
    )
    if a.dtype.kind in "iuf":
        gap = np.abs(a[unequal].astype(np.float64) - b[unequal].astype(np.float64))
        finite = gap[np.isfinite(gap)]
        if finite.size:
            text += f"; largest difference {finite.max():.6g}"
    return text


def column_problem(a: pd.Series, b: pd.Series) -> str | None:
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} vs {b.dtype}"
    if isinstance(a.dtype, np.dtype) and a.dtype.kind in "biufcmM":
        return array_problem(a.to_numpy(), b.to_numpy())
    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} rows"
    if a.reset_index(drop=True).equals(b.reset_index(drop=True)):
        return None
    unequal = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not _same_cell(x, y)]
    i = unequal[0]
    return f"{len(unequal)} of {len(a)} values differ, first at {i}: {a.iloc[i]!r} vs {b.iloc[i]!r}"


def _same_cell(x: Any, y: Any) -> bool:
    """Equal cells, NaN (or None) equal to NaN."""
    if pd.api.types.is_scalar(x) and pd.api.types.is_scalar(y) and pd.isna(x) and pd.isna(y):
        return True
    return bool(x == y)


def compare_frames(
    tally: Tally, category: str, a: pd.DataFrame, b: pd.DataFrame, label: Callable | None = None
) -> None:
    """One field per column (in A's order, then B's extra ones), plus the index and column order."""
    print(f"{category}: {len(a)} × {len(a.columns)} (A), {len(b)} × {len(b.columns)} (B)")
    same_index = a.index.equals(b.index) and a.index.dtype == b.index.dtype
    tally.check(category, f"{category}.(index)", None if same_index else "the index differs")
    common = [c for c in a.columns if c in b.columns]
    order_b = [c for c in b.columns if c in a.columns]
    tally.check(
        category,
        f"{category}.(column order)",
        None if common == order_b else "the shared columns come in another order",
    )
    for column in [*a.columns, *(c for c in b.columns if c not in a.columns)]:
        name = f"{category}.{column}"
        if column not in b.columns or column not in a.columns:
            tally.check(category, name, f"only in {'A' if column in a.columns else 'B'}")
            continue
        problem = column_problem(a[column], b[column])
        if problem and label is not None and len(a) == len(b):
            rows = [
                i for i in range(len(a)) if not _same_cell(a[column].iloc[i], b[column].iloc[i])
            ]
            problem += f" (rows: {', '.join(label(a.iloc[i]) for i in rows[:10])})"
        tally.check(category, name, problem)


def compare_summaries(tally: Tally, a: dict, b: dict) -> None:
    """One field per key; values compared through their JSON text (exact for floats, and 1 is not
    1.0)."""
    print(f"summary: {len(a)} keys (A), {len(b)} keys (B)")
    for key in [*a, *(k for k in b if k not in a)]:
        name = f"summary.{key}"
        if key not in a or key not in b:
            tally.check("summary", name, f"only in {'A' if key in a else 'B'}")
            continue
        x, y = (json.dumps(v, sort_keys=True) for v in (a[key], b[key]))
        tally.check("summary", name, None if x == y else f"{x} vs {y}")


def used_part(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The state arrays with only the first ``n`` rows of those sized by the capacity (not the
    feed's, whose length is the number of items)."""
    n, capacity = int(arrays["__n__"]), int(arrays["__capacity__"])
    used = {}
    for key, value in arrays.items():
        if key in META_KEYS:
            continue
        sized = not key.startswith("feed.") and value.ndim and value.shape[0] == capacity
        used[key] = value[:n] if sized else value
    return used


def fingerprint(value: np.ndarray) -> tuple:
    data = np.ascontiguousarray(value).tobytes()
    return value.dtype.str, value.shape, hashlib.sha256(data).hexdigest()


def is_private(key: str) -> bool:
    return any(part.startswith("_") for part in key.replace("[", ".").split("."))


def compare_state(tally: Tally, file_a: Path, file_b: Path) -> None:
    """Arrays of the same name compared directly; the others matched by content (a renamed or
    regrouped array whose contents are unchanged has an identical twin on the other side)."""
    with np.load(file_a, allow_pickle=False) as za, np.load(file_b, allow_pickle=False) as zb:
        raw_a, raw_b = dict(za.items()), dict(zb.items())
    a, b = used_part(raw_a), used_part(raw_b)
    n_a, n_b = int(raw_a["__n__"]), int(raw_b["__n__"])
    cap_a, cap_b = int(raw_a["__capacity__"]), int(raw_b["__capacity__"])
    print(f"state: {len(a)} arrays (A), {len(b)} arrays (B); n = {n_a} (A), {n_b} (B)")
    if cap_a != cap_b:
        print(f"  note: capacity {cap_a} (A) vs {cap_b} (B); only the used rows are compared")
    tally.check("state", "state.(n)", None if n_a == n_b else f"{n_a} vs {n_b}")
    only_a = [k for k in a if k not in b]
    only_b = [k for k in b if k not in a]
    twins = _twins(a, b, only_a, only_b)
    for private in (False, True):
        print(f"state arrays, {'private (a name part starts with _)' if private else 'public'}:")
        for key in [k for k in a if k in b and is_private(k) == private]:
            tally.check("state", f"state.{key}", array_problem(a[key], b[key]))
        for key in [k for k in only_a if is_private(k) == private]:
            if key in twins:
                note = f"renamed: A.{key} has an identical twin B.{twins[key]}"
                tally.check("state", f"state.{key}", None, note)
            else:
                tally.check("state", f"state.{key}", "only in A" + _lookalikes(a[key], b))
        for key in [k for k in only_b if is_private(k) == private and k not in twins.values()]:
            tally.check("state", f"state.{key}", "only in B" + _lookalikes(b[key], a))


def _twins(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], only_a: list[str], only_b: list[str]
) -> dict[str, str]:
    """Pairs (key in A only -> key in B only) of arrays with identical dtype, shape and bytes.

    Arrays of equal content are interchangeable, so a class of equal arrays pairs up as long as
    both sides have as many; the leftovers of an uneven class stay unmatched."""
    by_content: dict[tuple, list[str]] = defaultdict(list)
    for key in only_b:
        by_content[fingerprint(b[key])].append(key)
    return {
        key: by_content[print_].pop(0)
        for key in only_a
        if by_content[print_ := fingerprint(a[key])]
    }


def _lookalikes(value: np.ndarray, other: dict[str, np.ndarray]) -> str:
    """Arrays of the other side (of any name) equal to ``value``: a hint, not a match."""
    same = [k for k, v in other.items() if fingerprint(v) == fingerprint(value)]
    return f" (equal in content to the other side's {', '.join(same[:5])})" if same else ""


def compare(args: argparse.Namespace) -> int:
    dir_a, dir_b = Path(args.dir_a), Path(args.dir_b)
    for folder in (dir_a, dir_b):
        if not (folder / "summary.json").is_file():
            sys.exit(f"compare_outputs: {folder} is not a dump (no summary.json)")
    print(f"A: {dir_a}\nB: {dir_b}")
    meta = [_meta(folder) for folder in (dir_a, dir_b)]
    for key in ("sim", *SETTINGS):
        x, y = (m.get(key) for m in meta)
        if x != y:
            print(f"  {'note' if key == 'sim' else 'WARNING'}: {key} {x} (A) vs {y} (B)")
    tally = Tally()
    for name in ("series", "cohorts"):
        frames = [pd.read_parquet(folder / f"{name}.parquet") for folder in (dir_a, dir_b)]
        compare_frames(tally, name, *frames)
    summaries = [json.loads((f / "summary.json").read_text("utf-8")) for f in (dir_a, dir_b)]
    compare_summaries(tally, *summaries)
    compare_state(tally, dir_a / "state.npz", dir_b / "state.npz")
    tables = [folder / "validation.csv" for folder in (dir_a, dir_b)]
    if any(t.is_file() for t in tables):
        if not all(t.is_file() for t in tables):
            missing = "A" if not tables[0].is_file() else "B"
            tally.check("validation", "validation.csv", f"not in {missing} (dump it --validation)")
        else:
            frames = [pd.read_csv(t) for t in tables]
            compare_frames(tally, "validation", *frames, label=lambda row: str(row["target"]))

    total = sum(tally.counts.values())
    print()
    for category, count in tally.counts.items():
        differ = sum(d.startswith(f"{category}:") for d in tally.different)
        print(f"{category:>10}: {count} fields, {differ} different")
    if tally.different:
        print(f"DIFFERENT: {len(tally.different)} of {total} fields")
        return 1
    print(f"IDENTICAL: {total} fields")
    return 0


def _meta(folder: Path) -> dict:
    path = folder / "meta.json"
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


# ---- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Dump every output of a reference run, or compare two dumps field by field."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="run the reference community and write its outputs")
    dumping.add_argument("outdir", help="folder to write (created; earlier dump files replaced)")
    dumping.add_argument("--members", type=int, default=20000, help="community.members (20000)")
    dumping.add_argument("--days", type=int, default=200, help="days to run (200)")
    dumping.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"scenario file; a relative path not found from here is taken from the repository root "
        f"({DEFAULT_SCENARIO})",
    )
    dumping.add_argument("--seed", type=int, help="override the scenario's run.seed")
    dumping.add_argument(
        "--validation",
        action="store_true",
        help="also run the quick validation (minutes) and write validation.csv",
    )
    dumping.add_argument(
        "--workers", type=int, help="worker processes for --validation (default: one per core)"
    )
    comparing = commands.add_parser(
        "compare", help="compare two dumps; exit status 1 if any differ"
    )
    comparing.add_argument("dir_a")
    comparing.add_argument("dir_b")
    args = parser.parse_args(argv)
    return dump(args) if args.command == "dump" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
