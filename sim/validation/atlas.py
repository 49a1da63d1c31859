"""``commsim atlas``: the sign atlas measured. Every row of ``sim.validation.atlas_rows`` (the
model's own table of expected effects, written before measuring) is a pair of arms run on the same
seeds; the atlas reports, per row and outcome, the expected sign, the paired difference B - A with
its 95% t-interval over seeds, and whether they agree:

* **agrees**: the interval excludes 0 on the expected side, or the expected sign is ``0`` / ``?``
  (no direction to contradict);
* **contradicts**: the interval excludes 0 on the other side;
* **not resolved**: the interval covers 0.

All arms of all rows form one sweep run by the experiments runner (``sim.experiments.runner``:
resumable, parallel, progress, failed runs recorded in ``failures.jsonl``); arms that resolve to
the same scenario (many rows share the operator-with-no-levers or the no-operator baseline) are one
run per seed, because a run's key is the digest of its resolved scenario.

Paired seeds follow the sweeps' common random numbers (``sim.experiments.sweep``): seed ``r`` of
arm A and of arm B run with the same ``SeedSequence``, so the difference is the lever's, not the
draw's. The interval is Student's t over the paired differences (``sim.validation.checks.Check``).

>>> from sim.validation.atlas import run_atlas
>>> atlas = run_atlas("results/atlas-quick", quick=True, workers=2)  # doctest: +SKIP
>>> [(e.row, e.outcome) for e in atlas.contradictions()]  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import default_data, validate_scenario
from sim.experiments.analysis import Results
from sim.experiments.runner import execute, run_sweep
from sim.experiments.sweep import Sweep, SweepFile, merge_changes, params_hash
from sim.validation.atlas_rows import ROWS, SETUP, Row

SEED = 20261130
REPLICATIONS = {"full": 16, "quick": 4}
QUICK_NOTE = (
    "Quick mode (tests/test_atlas.py) measures only the rows marked quick (the rows issue 14 "
    "names: false positives, first-post removal, tie gain, bond weight, moderation modes, "
    "operator content at 5, 20 and 400 a day, content quality, each event kind, each "
    "incentive element, reward size, onboarding, win-back, recruitment, budget and staff-hour "
    "cuts) on the same community and days as the full atlas, with 4 seeds instead of 16."
)
AGREES, CONTRADICTS, UNRESOLVED, MISSING = "agrees", "contradicts", "not resolved", "not measured"


class AtlasError(ValueError):
    """Rows asked for by name that the atlas does not have."""


# ---- worker side -----------------------------------------------------------------------------------
def measure(model, scenario, task) -> dict[str, float]:
    """Run the model; add ``posts_per_day``: threads + replies per day over the last 30 days (the
    window of ``dau_last30``)."""
    model.run(scenario.run.days)
    last = model.series().tail(30)
    posts = last["threads"] + last["replies"]
    return {"posts_per_day": float(posts.mean()) if len(last) else float("nan")}


# What the workers measure is code, not scenario: its text salts every run key, so runs measured by
# older code are never reused (a row's arms are in the key already, through their scenarios).
FINGERPRINT = hashlib.sha256(inspect.getsource(measure).encode()).hexdigest()[:16]


# ---- the plan ----------------------------------------------------------------------------------------
def select(only: list[str] | None, quick: bool) -> list[Row]:
    """The rows to measure: those named in ``only`` (exact names, case-insensitive), else every
    row (quick: the rows marked quick). ``AtlasError`` names the unknown ones."""
    if only:
        by_name = {row.name.lower(): row for row in ROWS}
        unknown = [name for name in only if name.lower() not in by_name]
        if unknown:
            raise AtlasError(
                f"--only: no atlas row named {', '.join(repr(n) for n in unknown)}; the rows "
                "are listed by `commsim atlas --list`"
            )
        return [by_name[name.lower()] for name in dict.fromkeys(n.lower() for n in only)]
    return [row for row in ROWS if row.quick or not quick]


def arm_data(row: Row, arm: str) -> dict:
    """The full scenario data of one arm (``"a"`` or ``"b"``) of a row: the default scenario with
    the planner set-up, the row's base and the arm's changes merged in, in that order."""
    data = default_data()
    for changes in (SETUP, row.base, row.a if arm == "a" else row.b):
        data = merge_changes(data, changes)
    return data


@dataclass
class AtlasSweep(Sweep):
    """A sweep whose "strategies" are the atlas's distinct arms, each a whole scenario (an arm may
    change behaviour and community, not only the strategy)."""

    arms: dict[str, dict] = field(default_factory=dict)

    def scenario_data(self, strategy: str, point: int) -> dict:
        return copy.deepcopy(self.arms[strategy])


def plan(rows: list[Row], replications: int) -> tuple[AtlasSweep, dict[str, tuple[str, str]]]:
    """One sweep over the distinct arms of ``rows`` and, per row, the names of its arms A and B.
    Arms that resolve to the same scenario (after validation fills in every default) get one
    name, so they are run once per seed. A bad arm raises ``ScenarioError`` naming its row."""
    arms: dict[str, dict] = {}
    names: dict[str, str] = {}  # digest of the resolved scenario -> arm name
    pairs = {}
    for row in rows:
        pair = []
        for arm in ("a", "b"):
            data = arm_data(row, arm)
            digest = params_hash(validate_scenario(data, f"atlas row {row.name!r}, arm {arm}"))
            if digest not in names:
                names[digest] = f"arm-{len(names):03d}"
                arms[names[digest]] = data
            pair.append(names[digest])
        pairs[row.name] = (pair[0], pair[1])
    spec = SweepFile.model_validate({"name": "atlas", "replications": replications, "seed": SEED})
    spec = spec.model_copy(update={"strategies": dict.fromkeys(arms)})  # no cap on arm count
    sweep = AtlasSweep(spec, {}, [{}], "the sign atlas", key_salt=FINGERPRINT, arms=arms)
    sweep.check()  # every arm validated before anything runs
    return sweep, pairs


# ---- the effects -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Effect:
    """One cell of the atlas: a row's expected sign on one outcome and the measured B - A."""

    row: str
    outcome: str
    expected: str
    reason: str
    differences: tuple[float, ...]  # B - A, one per seed
    a_mean: float
    b_mean: float
    explained: str = ""

    @property
    def n(self) -> int:
        return int(np.isfinite(self.values).sum())

    @property
    def values(self) -> np.ndarray:
        return np.asarray(self.differences, dtype=float)

    @property
    def mean(self) -> float:
        finite = self.values[np.isfinite(self.values)]
        return float(finite.mean()) if finite.size else float("nan")

    @property
    def ci(self) -> tuple[float, float]:
        """95% Student-t interval of the mean paired difference."""
        finite = self.values[np.isfinite(self.values)]
        if finite.size < 2:
            return self.mean, self.mean
        half = float(stats.t.ppf(0.975, finite.size - 1) * stats.sem(finite))
        if not np.isfinite(half):
            half = 0.0
        return self.mean - half, self.mean + half

    @property
    def sd(self) -> float:
        finite = self.values[np.isfinite(self.values)]
        return float(finite.std(ddof=1)) if finite.size > 1 else float("nan")

    @property
    def measured_sign(self) -> str:
        """``+`` / ``-`` when the interval excludes 0 on that side, else ``0?``."""
        low, high = self.ci
        if low > 0:
            return "+"
        if high < 0:
            return "-"
        return "0?"

    @property
    def verdict(self) -> str:
        if self.n < 2:
            return MISSING
        if self.expected in ("0", "?"):
            return AGREES
        sign = self.measured_sign
        if sign == "0?":
            return UNRESOLVED
        return AGREES if sign == self.expected else CONTRADICTS

    @property
    def moved(self) -> bool:
        """An expected ``0`` whose interval excludes 0 (still "agrees", but worth a look)."""
        return self.expected == "0" and self.n >= 2 and self.measured_sign != "0?"


@dataclass
class Atlas:
    """What ``run_atlas`` measured."""

    folder: Path
    quick: bool
    rows: list[Row]
    effects: list[Effect]
    replications: int
    seconds: float = 0.0
    run_seconds: float = 0.0
    runs: int = 0  # distinct runs of the plan
    failed_runs: int = 0

    def contradictions(self) -> list[Effect]:
        return [e for e in self.effects if e.verdict == CONTRADICTS]

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in (AGREES, CONTRADICTS, UNRESOLVED, MISSING)}
        for effect in self.effects:
            out[effect.verdict] += 1
        return out

    def table(self) -> pd.DataFrame:
        records = []
        for e in self.effects:
            low, high = e.ci
            records.append(
                {
                    "row": e.row,
                    "outcome": e.outcome,
                    "expected": e.expected,
                    "a_mean": e.a_mean,
                    "b_mean": e.b_mean,
                    "difference": e.mean,
                    "ci_low": low,
                    "ci_high": high,
                    "sd": e.sd,
                    "seeds": e.n,
                    "verdict": e.verdict,
                    "reason": e.reason,
                    "explained": e.explained,
                }
            )
        return pd.DataFrame(records)


def effects_of(
    rows: list[Row], pairs: dict[str, tuple[str, str]], summaries: pd.DataFrame
) -> list[Effect]:
    """Each row's paired differences B - A per outcome, from the runs' summaries."""
    stored = summaries[summaries["stored"]]
    out = []
    for row in rows:
        arm_a, arm_b = pairs[row.name]
        a = stored[stored["strategy"] == arm_a].set_index("replication")
        b = stored[stored["strategy"] == arm_b].set_index("replication")
        seeds = a.index.intersection(b.index).sort_values()
        for outcome, expected in row.signs.items():
            values_a = _column(a, outcome).reindex(seeds)
            values_b = _column(b, outcome).reindex(seeds)
            out.append(
                Effect(
                    row.name,
                    outcome,
                    expected,
                    row.reason(outcome),
                    tuple(float(v) for v in (values_b - values_a)),
                    float(values_a.mean()) if len(seeds) else float("nan"),
                    float(values_b.mean()) if len(seeds) else float("nan"),
                    row.explained.get(outcome, ""),
                )
            )
    return out


def _column(frame: pd.DataFrame, outcome: str) -> pd.Series:
    if outcome not in frame:
        return pd.Series(np.nan, index=frame.index)
    values = pd.to_numeric(frame[outcome], errors="coerce")
    if outcome == "money_spent":  # no operator: nothing spent (the summary has no such key)
        values = values.fillna(0.0)
    return values


# ---- running it ------------------------------------------------------------------------------------
def run_atlas(
    out: str | Path,
    quick: bool = False,
    backend: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
    only: list[str] | None = None,
    replications: int | None = None,
    address: str | None = None,
) -> Atlas:
    """Measure the atlas (or the rows in ``only``) into ``out``, resuming what is stored there;
    ``replications`` overrides the mode's seeds (16 full, 4 quick)."""
    rows = select(only, quick)
    seeds = replications or REPLICATIONS["quick" if quick else "full"]
    sweep, pairs = plan(rows, seeds)
    start = time.perf_counter()
    outcome = run_sweep(
        sweep, out, backend, workers, address, progress, _runner(), tables=False, replace=True
    )
    results = Results(out)
    summaries = results.summaries()
    keys = sorted(set(summaries.loc[summaries["stored"], "key"]))
    run_seconds = sum(results.store.run_info(key)["seconds"] for key in keys)
    return Atlas(
        Path(out),
        quick,
        rows,
        effects_of(rows, pairs, summaries),
        seeds,
        time.perf_counter() - start,
        run_seconds,
        outcome.unique,
        outcome.failed,
    )


def _runner():
    from functools import partial

    return partial(execute, measure=measure)
