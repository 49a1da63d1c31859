"""Sweep files: strategies compared over a design of levers and uncertainties, with replications.

A sweep file (YAML, validated where it enters, like a scenario) names a base scenario, the
strategies to compare, an optional design over scenario fields, the number of replications, a root
seed and the KPIs to summarise::

    name: incentive-rules
    scenario: {community: {members: 1000}, run: {days: 240}}   # changes to the base scenario
    strategies:                       # each: changes to the base scenario's strategy; null: none
      none: null
      points: {incentives: {points: {post: 10, reply: 5}}}
    baseline: none
    design:                           # optional
      kind: grid                      # grid | lhs | sobol | morris | sobol_indices
      factors:
        arrivals.word_of_mouth_q: [0.003, 0.004, 0.005]
    replications: 10
    seed: 20261123
    windows: {during: {first: 30, last: 180}}    # optional: named spans of days
    kpis: [dau@during, retention_30, total_cost]  # run summary KPIs, or series@window
    objective: {kpi: dau@during, direction: increase}   # what the verdict judges
    constraints: [{kpi: total_cost, max: 20000}]        # limits on a strategy's mean KPI

Seeds follow EMA Workbench and Starsim: replication ``r`` of every strategy and design point runs
with ``SeedSequence(seed, spawn_key=(r,))``; inside a run every random decision has its own child
stream (``sim.world.streams``), so strategies are compared on common random numbers. A run's key hashes
its resolved scenario, its replication, the root seed and ``MODEL_VERSION``, so adding strategies,
design points or replications never changes (or reruns) an existing run, and two plan entries that
resolve to the same scenario share one run.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from scipy.stats import qmc

from sim.agents import ACTIVE_DAY_AGES, RETENTION_AGES, LeaveReason
from sim.config import (
    NAME_PATTERN,
    Scenario,
    ScenarioError,
    Section,
    apply_overrides,
    explain,
    field_problem,
    read_text,
    read_yaml,
    shown_key,
    validate_scenario,
)
from sim.experiments.limits import MAX_PLANNED_RUNS
from sim.model import MODEL_VERSION, daily_series


class Kpi(NamedTuple):
    label: str
    better: bool | None  # whether more is better (None: neither); colours, never picks winners
    share: bool = False  # a share in [0, 1]: shown as a percentage, differences in points


# KPIs a sweep can summarise: the run summary's keys (``sim.experiments.runner.execute``).
KPIS: dict[str, Kpi] = {
    "members_end": Kpi("members at the end", True),
    "joins": Kpi("joins", True),
    "leaves": Kpi("leaves", False),
    "returned": Kpi("members who came back after leaving", True),
    "dau_last30": Kpi("daily actives, last 30 days", True),
    "stickiness_last30": Kpi("stickiness DAU/MAU, last 30 days", True, True),
    "active_contributor_share": Kpi("active contributors", True, True),
    "posts_gini": Kpi("Gini of posts", None),
    "top1_post_share": Kpi("top-1% share of posts", None, True),
    "unanswered_share": Kpi("threads with no reply", False, True),
    **{f"retention_{age}": Kpi(f"retention at {age} days", True, True) for age in RETENTION_AGES},
    **{
        f"d{age}_retention": Kpi(f"D{age} retention (active on day {age})", True, True)
        for age in ACTIVE_DAY_AGES
    },
    "mean_loyalty": Kpi("mean loyalty", True),
    "money_spent": Kpi("money spent", False),
    "hours_used": Kpi("staff hours used", False),
    "hours_short": Kpi("staff hours short", False),
    "staff_cost": Kpi("staff cost (hours x hourly_rate, or a team's pay)", False),
    "total_cost": Kpi("total cost (money + staff cost)", False),
    "points_liability_end": Kpi("points liability at the end", False),
    "cost_per_retained_member": Kpi("cost per retained member", False),
    **{
        f"leaves_{r.label}": Kpi(f"leaves: {r.label.replace('_', ' ')}", False)
        for r in LeaveReason
        if r is not LeaveReason.STAYING
    },
}
SERIES_LABELS = {
    "dau": "daily actives",
    "mau": "monthly actives",
    "threads": "threads per day",
    "replies": "replies per day",
    "reactions": "reactions per day",
    "joins": "joins per day",
    "leaves": "leaves per day",
}
# interaction_rate ((replies + reactions) per published item) is a rate, not a share: it exceeds 1
SHARE_SERIES = ("stickiness", "active_contributor_share", "unanswered_share")


def describe_kpi(name: str) -> Kpi:
    """A KPI's label and kind: a run summary KPI, or ``series@window``, the mean of a daily series
    over one of the sweep's windows (``dau@after``)."""
    if name in KPIS:
        return KPIS[name]
    series, _, window = name.partition("@")
    label = SERIES_LABELS.get(series, series.replace("_", " "))
    return Kpi(f"{label}, {window}", None, series in SHARE_SERIES)


DEFAULT_KPIS = ("dau_last30", "retention_30", "retention_90", "members_end", "money_spent")
DESIGN_KINDS = ("grid", "lhs", "sobol", "morris", "sobol_indices")
SENSITIVITY_KINDS = (
    "morris",
    "sobol_indices",
)  # designs analysed by SALib (sim.experiments.sensitivity)
DEFAULT_SAMPLES = {"lhs": 16, "sobol": 16, "morris": 10, "sobol_indices": 64}
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]
FactorValue = float | int | str | bool


class SweepError(ScenarioError):
    """A sweep file that cannot be used; every problem found, one per line."""

    what = "sweep file"


class Factor(Section):
    """One axis of a design: a scenario field (by dotted path) and the values it takes."""

    values: list[FactorValue] | None = Field(
        None, min_length=1, max_length=1000, description="grid only: the values, in order"
    )
    low: float | None = Field(None, description="lowest value of the range")
    high: float | None = Field(None, description="highest value of the range")
    levels: int | None = Field(
        None, ge=2, le=1000, description="grid with low/high: evenly spaced values"
    )
    integer: bool = Field(False, description="round sampled values to whole numbers")
    log: bool = Field(False, description="sample the range evenly on a log scale (low > 0)")

    @model_validator(mode="before")
    @classmethod
    def _list_means_values(cls, data: Any) -> Any:
        return {"values": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _a_range_or_values(self) -> Factor:
        ranged = self.low is not None or self.high is not None
        if self.values is not None and ranged:
            raise ValueError("give either values or low/high, not both")
        if self.values is None:
            if self.low is None or self.high is None:
                raise ValueError("give values (a list) or both low and high")
            if not self.low < self.high:
                raise ValueError(f"low ({self.low}) must be below high ({self.high})")
            if self.log and self.low <= 0:
                raise ValueError("a log-scale range needs low > 0")
        return self

    def grid_values(self) -> list[FactorValue]:
        if self.values is not None:
            return list(self.values)
        if self.levels is None:
            raise ValueError("a grid factor given as low/high needs levels")
        return [self.scale(u) for u in np.linspace(0.0, 1.0, self.levels)]

    def scale(self, u: float) -> float | int:
        """The value at ``u`` in [0, 1] along the range (log scale if asked)."""
        if self.log:
            value = float(np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low))))
        else:
            value = float(self.low + u * (self.high - self.low))
        return round(value) if self.integer else value


class Design(Section):
    """A design over scenario fields: a full grid, or ``samples`` points of a space-filling design
    (Latin hypercube, scrambled Sobol), or a design for sensitivity analysis (Morris trajectories,
    Saltelli's scheme for Sobol indices; both need SALib)."""

    kind: Literal["grid", "lhs", "sobol", "morris", "sobol_indices"] = Field(
        "grid", description="grid | lhs | sobol | morris | sobol_indices"
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="lhs, sobol: points; morris: trajectories; sobol_indices: base sample N",
    )
    levels: int = Field(4, ge=2, le=20, description="morris: grid levels")
    factors: dict[str, Factor] = Field(min_length=1, max_length=50)

    @field_validator("factors")
    @classmethod
    def _paths(cls, factors: dict[str, Factor]) -> dict[str, Factor]:
        for path in factors:
            section = path.split(".")[0]
            if section not in Scenario.model_fields or "." not in path:
                raise ValueError(
                    f"factor {path!r} must be a dotted path into a scenario section "
                    f"({', '.join(Scenario.model_fields)}), e.g. arrivals.marketing_p"
                )
            problem = field_problem(path)
            if problem:
                raise ValueError(f"factor {path!r} names no scenario field: {problem}")
        return factors

    @model_validator(mode="after")
    def _fits_kind(self) -> Design:
        for path, factor in self.factors.items():
            if self.kind == "grid":
                if factor.values is None and factor.levels is None:
                    raise ValueError(f"grid factor {path} given as low/high needs levels")
            elif factor.values is not None:
                raise ValueError(f"a {self.kind} design needs low/high for factor {path}")
        if self.kind == "sobol" and self.samples and self.samples & (self.samples - 1):
            raise ValueError(f"a sobol design needs a power of two samples, got {self.samples}")
        return self

    def size(self) -> int:
        """How many points ``points`` gives, computed without making them."""
        if self.kind == "grid":
            return math.prod(
                len(f.values) if f.values is not None else f.levels or 1
                for f in self.factors.values()
            )
        samples = self.samples or DEFAULT_SAMPLES[self.kind]
        if self.kind == "morris":  # trajectories of d + 1 points
            return samples * (len(self.factors) + 1)
        if self.kind == "sobol_indices":  # Saltelli's scheme, first and total order: N (d + 2)
            return samples * (len(self.factors) + 2)
        return samples

    def points(self, seed: int) -> list[dict[str, FactorValue]]:
        """The design's points, in a fixed order; samplers are seeded from the sweep's seed."""
        names = list(self.factors)
        if self.kind == "grid":
            axes = [self.factors[n].grid_values() for n in names]
            return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
        samples = self.samples or DEFAULT_SAMPLES[self.kind]
        if self.kind in SENSITIVITY_KINDS:
            from sim.experiments.sampling import sample

            unit = sample(self.kind, len(names), samples, self.levels, seed)
        elif self.kind == "lhs":
            unit = qmc.LatinHypercube(d=len(names), seed=seed).random(samples)
        else:
            unit = qmc.Sobol(d=len(names), scramble=True, seed=seed).random(samples)
        return [
            {n: self.factors[n].scale(float(u)) for n, u in zip(names, row, strict=True)}
            for row in unit
        ]


class Window(Section):
    """A span of days; ``series@name`` KPIs average a daily series over it (e.g. while an
    incentive scheme runs, and after it stops)."""

    first: int = Field(ge=1, le=36_500, description="first day (1 = the first simulated day)")
    last: int = Field(ge=1, le=36_500, description="last day, included")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) must not be before first ({self.first})")
        return self


class Objective(Section):
    """What the planner wants from a strategy: one KPI and which way is better. A ``series@window``
    objective is judged in every window of the sweep (``dau@after``: also ``dau@during``)."""

    kpi: str = Field(description="a run summary KPI, or series@window (dau@after)")
    direction: Literal["increase", "decrease"] = Field(
        "increase", description="increase | decrease: which way the KPI is better"
    )


class Constraint(Section):
    """A limit a strategy's mean KPI must respect to be recommended (a budget: total_cost max)."""

    kpi: str = Field(description="a run summary KPI, or series@window")
    max: float | None = Field(None, description="the strategy's mean must not exceed this")
    min: float | None = Field(None, description="the strategy's mean must not fall below this")

    @model_validator(mode="after")
    def _a_limit(self) -> Constraint:
        if self.max is None and self.min is None:
            raise ValueError("give max, min or both")
        return self


class SweepFile(Section):
    """A validated sweep file (see the module docstring)."""

    name: Name = Field(description="experiment name; results go to results/<name>/")
    description: str = Field("", max_length=5000, description="the question, for the report")
    base: str | None = Field(
        None, description="base scenario file, relative to the sweep file (default: built-in)"
    )
    scenario: dict[str, Any] = Field(
        default_factory=dict, description="changes to the base scenario, as in a scenario file"
    )
    strategies: dict[Name, dict[str, Any] | None] = Field(
        default_factory=lambda: {"base": {}},
        min_length=1,
        max_length=100,
        description="name -> changes to the base scenario's strategy ({}: as it is; null: none)",
    )
    baseline: Name | None = Field(None, description="strategy compared against (default: first)")
    design: Design | None = Field(None, description="optional design over scenario fields")
    replications: int = Field(10, ge=1, le=100_000, description="replications per point")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="root seed of every replication")
    windows: dict[Name, Window] = Field(
        default_factory=dict,
        max_length=20,
        description="named spans of days, for KPIs written series@window (dau@after)",
    )
    kpis: list[str] = Field(
        default_factory=lambda: list(DEFAULT_KPIS),
        min_length=1,
        description="KPIs to compare: run summary KPIs, or series@window",
    )
    objective: Objective | None = Field(
        None, description="the KPI the verdict judges, and its direction (default: the first KPI)"
    )
    constraints: list[Constraint] = Field(
        default_factory=list,
        max_length=20,
        description="limits on strategies' mean KPIs (a budget: {kpi: total_cost, max: 20000})",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SweepFile:
        problems = []
        if self.baseline is not None and self.baseline not in self.strategies:
            allowed = "must be one of the strategies: " + ", ".join(self.strategies)
            problems.append(("baseline", self.baseline, allowed))
        named = [(f"kpis[{i}]", kpi) for i, kpi in enumerate(self.kpis)]
        if self.objective is not None:
            named.append(("objective.kpi", self.objective.kpi))
        named += [(f"constraints[{i}].kpi", c.kpi) for i, c in enumerate(self.constraints)]
        for where, kpi in named:
            series, at, window = kpi.partition("@")
            if not at and kpi not in KPIS:
                allowed = f"unknown KPI{_did_you_mean(kpi, KPIS)}; allowed: {', '.join(KPIS)}"
                problems.append((where, kpi, allowed + ", or series@window"))
            elif at and series not in daily_series(hours=True):
                names = daily_series(hours=True)
                allowed = f"unknown daily series {series!r}{_did_you_mean(series, names)}"
                problems.append((where, kpi, f"{allowed}; allowed: {', '.join(names)}"))
            elif at and window not in self.windows:
                named = ", ".join(self.windows) or "none: add a windows section"
                unknown = f"unknown window {window!r}{_did_you_mean(window, self.windows)}"
                problems.append((where, kpi, f"{unknown}; windows: {named}"))
        if problems:
            raise PydanticCustomError("inconsistent", "inconsistent sweep", {"problems": problems})
        return self

    @property
    def baseline_name(self) -> str:
        return self.baseline or next(iter(self.strategies))

    @property
    def judged_objective(self) -> Objective:
        """The objective, or by default the first KPI in the direction that is better for it."""
        return judged_objective(self.objective, self.kpis)


def judged_objective(objective: Objective | None, kpis: list[str]) -> Objective:
    """``objective``, or by default the first of ``kpis`` in the direction that is better for it."""
    if objective is not None:
        return objective
    better = describe_kpi(kpis[0]).better
    return Objective(kpi=kpis[0], direction="decrease" if better is False else "increase")


def _did_you_mean(name: str, allowed) -> str:
    hint = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean {hint[0]}?)" if hint else ""


@dataclass(frozen=True)
class PlannedRun:
    """One entry of the plan: a strategy at a design point in a replication, and its run key."""

    key: str
    strategy: str
    point: int  # index into Sweep.points (0 when there is no design)
    replication: int


@dataclass
class Sweep:
    """A loaded sweep: the validated file, its base scenario data and its design points."""

    spec: SweepFile
    base: dict  # the base scenario as plain data, with the sweep's ``scenario`` changes applied
    points: list[dict[str, FactorValue]]
    source: str = "(sweep)"
    # Anything besides the scenario that decides what a run stores, e.g. a fingerprint of the
    # worker-side measurement code (sim.validation): a change to it gives every run a new key.
    key_salt: str = ""
    notes: list[str] = field(default_factory=list)  # what loading changed, for the user
    # (strategy, point) -> digest of its validated scenario, filled by ``check``
    _params: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    def scenario_data(self, strategy: str, point: int) -> dict:
        """The scenario (plain data) of ``strategy`` at design point ``point``."""
        data = copy.deepcopy(self.base)
        variant = self.spec.strategies[strategy]
        if variant is None:
            data["strategy"] = None
        else:
            data["strategy"] = merge_changes(data.get("strategy") or {}, variant)
        values = {
            path: value
            for path, value in self.points[point].items()
            if _applies(path, data["strategy"])
        }
        return apply_overrides(data, values)

    def scenario(self, strategy: str, point: int) -> Scenario:
        where = f"{self.source}, strategy {strategy!r}"
        if self.points[point]:
            where += f", design point {point} {self.points[point]}"
        try:
            return validate_scenario(self.scenario_data(strategy, point), where)
        except ScenarioError as exc:
            raise SweepError(exc.source, exc.problems) from None

    def configs(self) -> Iterator[tuple[str, int, Scenario]]:
        """Every (strategy, point) with its validated scenario, points outermost."""
        for point in range(len(self.points)):
            for strategy in self.spec.strategies:
                yield strategy, point, self.scenario(strategy, point)

    def check(self) -> None:
        """Validate every strategy at every design point, and the windows against each one's
        ``run.days``; raises ``SweepError`` naming the first bad one (``parse_sweep`` calls it, so
        a mistake in a later point or another strategy is refused before anything runs)."""
        self._params.clear()
        for strategy, point, scenario in self.configs():
            days = scenario.run.days
            late = [(n, w) for n, w in self.spec.windows.items() if w.last > days]
            if late:
                where = f"strategy {strategy!r}" + (f", design point {point}" * bool(point))
                raise SweepError(
                    self.source,
                    [
                        f"windows.{name}.last: got {window.last}; must be at most run.days "
                        f"({days}, {where}): a window ends within the run"
                        for name, window in late
                    ],
                )
            self._params[strategy, point] = params_hash(scenario)

    def plan(self) -> list[PlannedRun]:
        """Every run of the sweep, validated (a bad strategy or point fails here, before any run)."""
        if not self._params:
            self.check()
        seed, replications = self.spec.seed, self.spec.replications
        return [
            PlannedRun(run_key(self._params[strategy, point], r, seed, self.key_salt), strategy,
                       point, r)
            for point in range(len(self.points))
            for strategy in self.spec.strategies
            for r in range(replications)
        ]  # fmt: skip

    def describe(self) -> dict:
        """The plan as plain data, for ``sweep.json``."""
        return {
            "spec": self.spec.model_dump(mode="json"),
            "source": self.source,
            "base": self.base,
            "points": self.points,
            "levers": [p for p in self.factor_names if p.startswith("strategy.")],
            "uncertainties": [p for p in self.factor_names if not p.startswith("strategy.")],
        }

    @property
    def factor_names(self) -> list[str]:
        return list(self.spec.design.factors) if self.spec.design else []


def _applies(path: str, strategy: dict | None) -> bool:
    """Whether a design factor applies to a strategy: ``strategy.<field>`` to any strategy with an
    operator, ``strategy.<lever>.<field>`` only to one that uses that lever (a factor never adds
    a lever to a strategy, and never an operator to a strategy that has none)."""
    parts = path.split(".")
    if parts[0] != "strategy":
        return True
    if strategy is None:
        return False
    return len(parts) < 3 or strategy.get(parts[1]) is not None


def params_hash(scenario: Scenario) -> str:
    """A digest of the run's parameters: the resolved scenario without its own seed (a sweep's
    runs are seeded by the root seed and the replication)."""
    data = scenario.model_dump(mode="json")
    data["run"].pop("seed")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_key(params: str, replication: int, root_seed: int, salt: str = "") -> str:
    """The run's key: parameters, replication, root seed, the model's version (and ``salt``)."""
    text = f"{params}|{replication}|{root_seed}|{MODEL_VERSION}" + (f"|{salt}" if salt else "")
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def seed_of(root_seed: int, replication: int) -> np.random.SeedSequence:
    """Replication ``r``'s root seed, the same for every strategy and design point."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


def load_sweep(
    path: str | Path,
    replications: int | None = None,
    scenario: dict[str, Any] | None = None,
    max_runs: int | None = MAX_PLANNED_RUNS,
) -> Sweep:
    """Read and validate a sweep file and its base scenario; raises ``SweepError``.

    ``replications`` overrides the file's; ``scenario`` maps dotted scenario paths to values that
    override the file's ``scenario`` changes (``{"run.days": 90}``); ``max_runs`` caps the planned
    runs (None: no cap).

    >>> sweep = load_sweep("experiments/studies/incentive-rules.yaml", replications=2)
    >>> len(sweep.plan())
    10
    """
    path = Path(path)
    try:
        data = read_yaml(read_text(path), str(path))
    except ScenarioError as exc:
        raise SweepError(exc.source, exc.problems) from None
    return parse_sweep(data, str(path), path.parent, replications, scenario, max_runs)


def parse_sweep(
    data: Any,
    source: str = "(sweep)",
    folder: Path | None = None,
    replications: int | None = None,
    scenario: dict[str, Any] | None = None,
    max_runs: int | None = MAX_PLANNED_RUNS,
) -> Sweep:
    """Validate a sweep given as plain data, every strategy at every design point; ``folder``
    resolves a relative ``base``. Raises ``SweepError`` and nothing else."""
    if not isinstance(data, dict):
        raise SweepError(source, ["(top level): expected a mapping with keys name, strategies..."])
    if replications is not None:
        data = {**data, "replications": replications}
    if scenario:
        changes = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
        data = {**data, "scenario": apply_overrides(changes, scenario)}
        source += " with " + ", ".join(f"{k}={v}" for k, v in scenario.items())
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        raise SweepError(source, explain(exc, SweepFile)) from None
    spec, notes = _shortened(spec, (scenario or {}).get("run.days"))
    base = _base_data(spec, source, folder or Path("."))
    size = spec.design.size() if spec.design else 1
    planned = size * len(spec.strategies) * spec.replications
    if max_runs is not None and planned > max_runs:
        raise SweepError(
            source,
            [
                f"design: {planned:,} planned runs ({size:,} design points x "
                f"{len(spec.strategies)} strategies x {spec.replications} replications); at most "
                f"{max_runs:,}: use fewer levels, samples or replications (or raise the cap: "
                "commsim sweep --max-runs N)"
            ],
        )
    try:
        points = spec.design.points(spec.seed) if spec.design else [{}]
    except (ImportError, ValueError) as exc:
        raise SweepError(source, [f"design: {exc}"]) from None
    sweep = Sweep(spec, base, points, source, notes=notes)
    _check_factors_apply(sweep)
    sweep.check()
    return sweep


def _shortened(spec: SweepFile, days: object) -> tuple[SweepFile, list[str]]:
    """A run shortened from the command line (``--days``, a quick look) drops the windows it no
    longer reaches and the KPIs measured over them, and says so; in the file, such a window is an
    error (``Sweep.check``)."""
    if not isinstance(days, int) or isinstance(days, bool):
        return spec, []
    late = [name for name, window in spec.windows.items() if window.last > days]
    if not late:
        return spec, []
    kpis = [k for k in spec.kpis if k.partition("@")[2] not in late]
    dropped = [k for k in spec.kpis if k not in kpis]
    windows = {n: w for n, w in spec.windows.items() if n not in late}
    spec = spec.model_copy(update={"windows": windows, "kpis": kpis or list(DEFAULT_KPIS)})
    note = (
        f"run.days={days} ends before window(s) {', '.join(late)}: left out, with their KPIs "
        f"({', '.join(dropped) or 'none'})"
    )
    return spec, [note]


def _check_factors_apply(sweep: Sweep) -> None:
    """A lever factor that no strategy uses would change nothing: say so rather than ignore it."""
    strategies = [sweep.scenario_data(name, 0)["strategy"] for name in sweep.spec.strategies]
    unused = [
        path
        for path in sweep.factor_names
        if not any(_applies(path, strategy) for strategy in strategies)
    ]
    if unused:
        raise SweepError(
            sweep.source,
            [
                f"design.factors.{path}: applies to no strategy; "
                + (
                    f"no strategy uses lever {path.split('.')[1]!r} (a factor never adds a lever)"
                    if len(path.split(".")) > 2
                    else "no strategy has an operator (every strategy is null)"
                )
                for path in unused
            ],
        )


def _base_data(spec: SweepFile, source: str, folder: Path) -> dict:
    from sim.config import default_data

    if spec.base is None:
        data, where = default_data(), "(default)"
    else:
        where = str(folder / spec.base)
        try:
            text = read_text(folder / spec.base)
        except ScenarioError as exc:
            raise SweepError(source, [f"base: {p}" for p in exc.problems]) from None
        try:
            data = read_yaml(text, where)
        except ScenarioError as exc:
            raise SweepError(source, [f"base: {where}: {p}" for p in exc.problems]) from None
    if not isinstance(data, dict):
        raise SweepError(source, [f"base: {where} is not a scenario (a mapping of sections)"])
    bad = [k for k in spec.scenario if k not in Scenario.model_fields]
    if bad:
        allowed = ", ".join(Scenario.model_fields)
        raise SweepError(
            source,
            [f"scenario.{shown_key(k)}: unknown section; allowed: {allowed}" for k in bad],
        )
    return merge_changes(data, spec.scenario)


def merge_changes(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` merged in: mappings merge key by key, anything else replaces."""
    result = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_changes(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
