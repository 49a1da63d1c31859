"""Calibration: fit scenario parameters to a community's activity log by approximate Bayesian
computation (ABC) over a space-filling design, run through the experiments runner.

The observed KPIs (``sim.calibration.activity``) are compared with the same KPIs of simulated
runs, computed by the same code from the same events (``ActivityObserver``), so observed and
simulated numbers share every definition. Per KPI a *discrepancy*:

* curves (weekly joins, weekly mean daily actives, weekly posts): root-mean-square difference over
  complete weeks relative to the observed mean;
* shares (retention at 1, 7, 30 and 90 days, top-1% share of posts, first-post reply share): the
  absolute difference;
* the posts-per-member distribution: total variation distance between the two histograms.

The distance of a run is the root mean square of its discrepancies, each divided by its median over
the round's runs (so no KPI dominates by its units; cf. the MAD scaling of Prangle 2017). ABC
rejection (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002) keeps the closest ``accept``
share of a scrambled Sobol design over the parameters' ranges (a prior uniform on each range, on a
log scale where asked); a further round samples the box the accepted points span (widened by a
tenth of the range), a simple sequential refinement in the spirit of ABC-SMC (Toni et al. 2009).
The posterior mean (on the log scale for a log-scale prior: a geometric mean) and the 5-95%
quantiles of the last round's accepted points are reported; the
calibrated scenario takes the posterior means, and a check runs it with several seeds to show the
fit. Each round is a sweep (``sim.experiments.runner.run_sweep`` with ``run=simulate_activity``), so it runs
in parallel and a restarted calibration reuses every stored run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.calibration.activity import POST_BINS, Observed
from sim.config import Scenario, ScenarioError, apply_overrides, validate_scenario
from sim.experiments.analysis import Results
from sim.experiments.runner import RunOutcome, RunTask, run_sweep
from sim.experiments.staging import staged_folder
from sim.experiments.sweep import parse_sweep, seed_of
from sim.model import CommunityModel
from sim.world.metrics import REPORTED_AGES

CALIBRATION_VERSION = "1"  # in the runs folder's path: a change to the statistics never reuses runs
CURVES = {
    "joins": "joins per week",
    "dau": "daily actives (weekly mean)",
    "posts": "posts (threads + replies) per week",
}
SHARES = {
    **{f"retention_{age}": f"retention at {age} days" for age in REPORTED_AGES},
    "top1_post_share": "share of posts by the top 1%",
    "first_post_reply_share": "newcomers' first posts with a reply",
}
DISTRIBUTION = {"posts_per_member": "posts-per-member distribution"}
KPI_LABELS = {**CURVES, **SHARES, **DISTRIBUTION}
OUTPUT_FILES = (
    "calibrated.yaml",
    "report.md",
    "fit.png",
    "posterior.csv",
    "samples.csv",
    "observed.json",
)


@dataclass(frozen=True)
class Parameter:
    """A fitted scenario field: its dotted path and the range of its uniform prior."""

    path: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def factor(self, low: float | None = None, high: float | None = None) -> dict:
        return {
            "low": self.low if low is None else low,
            "high": self.high if high is None else high,
            "log": self.log,
            "integer": self.integer,
        }

    def unit(self, values: np.ndarray) -> np.ndarray:
        """Positions of ``values`` in the range, 0..1 (on the log scale if the prior is)."""
        if self.log:
            return (np.log(values) - np.log(self.low)) / (np.log(self.high) - np.log(self.low))
        return (values - self.low) / (self.high - self.low)

    def value(self, unit: float) -> float:
        unit = float(np.clip(unit, 0, 1))
        if self.log:
            return float(np.exp(np.log(self.low) + unit * (np.log(self.high) - np.log(self.low))))
        return self.low + unit * (self.high - self.low)


# what is fitted unless told otherwise: growth (Bass p and q) and how newcomers stay
DEFAULT_PARAMETERS = (
    Parameter("arrivals.marketing_p", 0.00003, 0.003, log=True),
    Parameter("arrivals.word_of_mouth_q", 0.0005, 0.03, log=True),
    Parameter("behaviour.novelty", 0.05, 0.95),
    Parameter("behaviour.quit_rate", 0.02, 0.8, log=True),
)


def parse_parameter(text: str) -> Parameter:
    """``PATH=LOW:HIGH`` or ``PATH=LOW:HIGH:log`` (``:int`` for whole numbers), e.g.
    ``behaviour.quit_rate=0.05:0.5:log``; raises ``ValueError`` with what was expected."""
    expected = "expected PATH=LOW:HIGH[:log][:int], e.g. behaviour.quit_rate=0.05:0.5:log"
    path, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) < 2 or "." not in path:
        raise ValueError(f"--param {text!r}: {expected}")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"--param {text!r}: LOW and HIGH must be numbers; {expected}") from None
    flags = set(parts[2:])
    if flags - {"log", "int"}:
        raise ValueError(f"--param {text!r}: unknown flag {sorted(flags - {'log', 'int'})}")
    if not low < high:
        raise ValueError(f"--param {text!r}: LOW ({low:g}) must be below HIGH ({high:g})")
    if "log" in flags and low <= 0:
        raise ValueError(f"--param {text!r}: a log range needs LOW > 0")
    return Parameter(path.strip(), low, high, "log" in flags, "int" in flags)


# ---- the worker --------------------------------------------------------------------------------
def simulate_activity(task: RunTask) -> RunOutcome:
    """A sweep's run function: simulate the task's scenario and return the activity KPIs of its
    log (daily joins, actives, threads, replies, reactions as the series; the scalars as the
    summary). Never raises for a failing run."""
    import time
    import traceback

    from sim.calibration.log import simulated_stats

    start = time.perf_counter()
    try:
        scenario = validate_scenario(task.scenario, f"run {task.key}")
        model = CommunityModel(
            **scenario.model_kwargs(), rng=seed_of(task.root_seed, task.replication)
        )
        observed = simulated_stats(model, scenario.run.days).finish()
    except Exception as exc:  # recorded by the runner, never stops the calibration
        return RunOutcome(
            task.key,
            seconds=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
    return RunOutcome(task.key, observed.daily, observed.scalars, time.perf_counter() - start)


# ---- distances ---------------------------------------------------------------------------------
def discrepancies(simulated: Observed, observed: Observed) -> dict[str, float]:
    """Per KPI, how far a simulated log is from the observed one (see the module docstring); KPIs
    the observed log cannot show (e.g. retention at 90 days in a 60-day log) are left out."""
    out = {}
    sim_weeks, obs_weeks = simulated.weekly(), observed.weekly()
    weeks = obs_weeks.index.intersection(sim_weeks.index)
    for kpi in CURVES:
        o, s = obs_weeks.loc[weeks, kpi].to_numpy(float), sim_weeks.loc[weeks, kpi].to_numpy(float)
        if o.size:
            out[kpi] = float(np.sqrt(np.mean((s - o) ** 2)) / max(np.mean(np.abs(o)), 1e-9))
    for kpi in SHARES:
        o, s = observed.scalars.get(kpi), simulated.scalars.get(kpi)
        if o is not None and not _missing(o):
            out[kpi] = 1.0 if s is None or _missing(s) else abs(float(s) - float(o))
    dist_o, dist_s = observed.posts_distribution(), simulated.posts_distribution()
    out["posts_per_member"] = float(0.5 * np.abs(dist_o - dist_s).sum())
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def distances(table: pd.DataFrame) -> pd.Series:
    """Root mean square of each run's discrepancies (``table``: one column per KPI), each scaled
    by its median over the runs."""
    scale = table.median().clip(lower=1e-9)
    return np.sqrt(((table / scale) ** 2).mean(axis=1))


# ---- the procedure -----------------------------------------------------------------------------
@dataclass
class Fit:
    """What a calibration found."""

    observed: Observed
    parameters: list[Parameter]
    samples: pd.DataFrame  # every run: round, parameters, discrepancies, distance, accepted
    posterior: pd.DataFrame  # per parameter: mean, q05, q95, best, low, high
    check: list[Observed]  # the calibrated scenario run with several seeds
    check_discrepancies: pd.DataFrame  # per check run and KPI
    scenario: Scenario
    notes: list[str]


def calibrate(
    observed: Observed,
    parameters: list[Parameter],
    base: dict,
    runs_dir: str | Path,
    samples: int = 64,
    rounds: int = 2,
    accept: float = 0.2,
    check: int = 4,
    seed: int = 1,
    backend: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
) -> Fit:
    """Fit ``parameters`` of the ``base`` scenario (plain data) to ``observed`` (see the module
    docstring); every simulated run is stored under ``runs_dir`` and reused when rerun."""
    base, notes = _sized_to(base, observed)
    runs_dir = Path(runs_dir) / f"v{CALIBRATION_VERSION}"
    boxes = {p.path: (p.low, p.high) for p in parameters}
    frames = []
    for round_ in range(1, rounds + 1):
        design = {
            "kind": "sobol" if samples & (samples - 1) == 0 else "lhs",
            "samples": samples,
            "factors": {p.path: p.factor(*boxes[p.path]) for p in parameters},
        }
        results = _sweep(base, runs_dir / f"round-{round_}", seed + round_, backend, workers,
                         progress, design=design, name=f"calibrate-round-{round_}")  # fmt: skip
        frame = _scored(results, observed, [p.path for p in parameters])
        frame.insert(0, "round", round_)
        keep = max(2, int(np.ceil(accept * len(frame))))
        frame["accepted"] = frame["distance"].rank(method="first") <= keep
        frames.append(frame)
        boxes = _shrunk(parameters, frame[frame["accepted"]])
    samples_table = pd.concat(frames, ignore_index=True)
    last = frames[-1]
    posterior = _posterior(parameters, last)
    fitted = {p.path: _as_field(p, posterior.loc[p.path, "mean"]) for p in parameters}
    scenario = _validated(apply_overrides(base, fitted), "the calibrated scenario")
    check_results = _sweep(
        scenario.model_dump(), runs_dir / "check", seed + 1000, backend, workers, progress,
        design=None, name="calibrate-check", replications=check,
    )  # fmt: skip
    checks = [_observed_run(check_results, key) for key in check_results.runs()["key"]]
    check_table = pd.DataFrame([discrepancies(c, observed) for c in checks])
    return Fit(observed, parameters, samples_table, posterior, checks, check_table, scenario, notes)


def _sized_to(base: dict, observed: Observed) -> tuple[dict, list[str]]:
    """The base scenario set to the log: its starting members, its length in days, and a market
    large enough for the joins seen."""
    scenario = _validated(base, "the base scenario")
    changes: dict[str, object] = {"run.days": max(1, observed.days)}
    notes = [f"run.days set to the log's {observed.days} days"]
    founders = int(observed.scalars["founders"])
    if founders > 0:
        changes["community.members"] = founders
        notes.append(f"community.members set to the {founders} members there on day 0")
    joins = int(observed.scalars["newcomers"])
    if joins > 0.9 * scenario.arrivals.market_size:
        changes["arrivals.market_size"] = 2 * joins
        notes.append(
            f"arrivals.market_size raised from {scenario.arrivals.market_size} to {2 * joins} "
            f"(twice the {joins} joins seen); fit it with --param to do better"
        )
    return apply_overrides(scenario.model_dump(), changes), notes


def _validated(data: dict, what: str) -> Scenario:
    return validate_scenario(data, what)


def _sweep(base, folder, seed, backend, workers, progress, design, name, replications=1):
    spec = {
        "name": name,
        "scenario": base,
        "strategies": {"fit": {} if base.get("strategy") is not None else None},
        "replications": replications,
        "seed": seed,
        "kpis": ["retention_30"],
    }
    if design is not None:
        spec["design"] = design
    sweep = parse_sweep(spec, f"calibration {name}")
    result = run_sweep(
        sweep,
        folder,
        backend=backend,
        workers=workers,
        progress=progress,
        run=simulate_activity,
        tables=False,  # fitting reads the runs; tidy tables would only cost time
        replace=True,  # the calibration's own working folder
    )
    if result.finished + result.skipped == 0:
        reasons = "; ".join(result.failures[:3])
        raise RuntimeError(f"every simulation of {name} failed ({reasons}); see {folder}")
    return Results(folder)


def _observed_run(results: Results, key: str) -> Observed:
    scalars = {
        k: (None if isinstance(v, float) and np.isnan(v) else v)
        for k, v in results.store.run_info(key)["summary"].items()
    }
    return Observed(results.series(key), scalars)


def _scored(results: Results, observed: Observed, paths: list[str]) -> pd.DataFrame:
    runs = results.runs()
    stored = results.store.finished()
    rows = []
    for _, run in runs.iterrows():
        if run["key"] not in stored:
            continue
        found = discrepancies(_observed_run(results, run["key"]), observed)
        rows.append({"key": run["key"], **{p: run[p] for p in paths}, **found})
    frame = pd.DataFrame(rows)
    kpis = [k for k in KPI_LABELS if k in frame.columns]
    frame["distance"] = distances(frame[kpis])
    return frame


def _shrunk(parameters: list[Parameter], accepted: pd.DataFrame) -> dict:
    """The box the accepted points span, widened by a tenth of each prior range (in unit space)."""
    boxes = {}
    for p in parameters:
        unit = p.unit(accepted[p.path].to_numpy(float))
        low, high = max(0.0, unit.min() - 0.1), min(1.0, unit.max() + 0.1)
        boxes[p.path] = (p.value(low), p.value(high))
    return boxes


def _posterior(parameters: list[Parameter], frame: pd.DataFrame) -> pd.DataFrame:
    accepted = frame[frame["accepted"]]
    best = frame.loc[frame["distance"].idxmin()]
    rows = {}
    for p in parameters:
        values = accepted[p.path].to_numpy(float)
        # on the prior's scale: a log-uniform prior's mean is taken on the log scale (geometric)
        mean = np.exp(np.log(values).mean()) if p.log else values.mean()
        rows[p.path] = {
            "mean": float(mean),
            "q05": float(np.quantile(values, 0.05)),
            "q95": float(np.quantile(values, 0.95)),
            "best": float(best[p.path]),
            "low": p.low,
            "high": p.high,
            "accepted": int(values.size),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _as_field(parameter: Parameter, value: float):
    return round(float(value)) if parameter.integer else float(f"{value:.6g}")


def check_parameters(parameters: list[Parameter], base: dict) -> None:
    """Each parameter must be a numeric scenario field taking both ends of its range; raises
    ``ScenarioError`` naming the field and what is allowed."""
    problems = []
    for p in parameters:
        for end in (p.low, p.high):
            value = round(end) if p.integer else end
            try:
                validate_scenario(apply_overrides(base, {p.path: value}), "--param")
            except ScenarioError as exc:
                problems.extend(f"--param {p.path}={p.low:g}:{p.high:g}: {x}" for x in exc.problems)
                break
    if problems:
        raise ScenarioError("(calibration parameters)", problems)


# ---- writing the fit -------------------------------------------------------------------------------
def check_out(out: str | Path) -> Path:
    """The absolute output folder, if it is free or holds only a previous calibration's files."""
    out = Path(out).expanduser().resolve()
    if out.exists() and (
        not out.is_dir() or any(p.name not in OUTPUT_FILES for p in out.iterdir())
    ):
        raise OSError(f"refusing to replace {out}: it is not a calibration's output folder")
    return out


def write_fit(fit: Fit, out: str | Path, log_name: str, runs_dir: Path) -> Path:
    """Write ``OUTPUT_FILES`` into ``out`` atomically (a staging folder renamed into place)."""
    out = check_out(out)
    with staged_folder(out) as staging:
        _write_files(fit, staging, log_name, runs_dir)
    return out


def _write_files(fit: Fit, folder: Path, log_name: str, runs_dir: Path) -> None:
    header = (
        f"# Calibrated to the activity log {log_name} by `commsim calibrate` (ABC; see report.md).\n"
        "# Fitted (posterior means): "
        + ", ".join(f"{p} = {fit.posterior.loc[p, 'mean']:.6g}" for p in fit.posterior.index)
        + "\n# Run it: commsim run calibrated.yaml; use it as a sweep's `base:`.\n"
    )
    (folder / "calibrated.yaml").write_text(
        header + yaml.safe_dump(fit.scenario.model_dump(), sort_keys=False), encoding="utf-8"
    )
    fit.samples.to_csv(folder / "samples.csv", index=False)
    fit.posterior.rename_axis("parameter").to_csv(folder / "posterior.csv")
    (folder / "observed.json").write_text(
        json.dumps(fit.observed.scalars, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    figure = fit_figure(fit)
    FigureCanvasAgg(figure)
    figure.savefig(folder / "fit.png", dpi=100)
    (folder / "report.md").write_text(report_text(fit, log_name, runs_dir), encoding="utf-8")


def kpi_table(fit: Fit) -> pd.DataFrame:
    """Per KPI: observed value, calibrated mean over the check runs, and the discrepancy."""
    rows = []
    obs_weeks = fit.observed.weekly()
    for kpi, label in KPI_LABELS.items():
        if kpi not in fit.check_discrepancies.columns:
            continue
        if kpi in CURVES:
            observed = float(obs_weeks[kpi].mean())
            simulated = float(np.mean([c.weekly()[kpi].mean() for c in fit.check]))
        elif kpi in SHARES:
            observed = fit.observed.scalars[kpi]
            simulated = float(np.nanmean([_number(c.scalars.get(kpi)) for c in fit.check]))
        else:
            observed = simulated = np.nan
        rows.append(
            {
                "kpi": kpi,
                "what": label,
                "observed": observed,
                "calibrated": simulated,
                "discrepancy": float(fit.check_discrepancies[kpi].mean()),
                "typical_in_prior": float(fit.samples.loc[fit.samples["round"] == 1, kpi].median()),
            }
        )
    return pd.DataFrame(rows)


def _number(value) -> float:
    return np.nan if value is None else float(value)


def report_text(fit: Fit, log_name: str, runs_dir: Path) -> str:
    obs = fit.observed.scalars
    kpis = kpi_table(fit)
    lines = [
        f"# Calibration to {log_name}",
        "",
        f"The log: {obs['members']:,} members ({obs['founders']:,} there on day 0, "
        f"{obs['newcomers']:,} joining later) over {obs['days'] if 'days' in obs else obs['last_day']} "
        "days.",
        "",
        "## Fitted parameters",
        "",
        "ABC rejection over a scrambled Sobol design (uniform prior on each range, log scale where "
        f"marked), {fit.samples['round'].max()} round(s) of "
        f"{int((fit.samples['round'] == 1).sum())} runs; the closest "
        f"{int(fit.posterior['accepted'].iloc[0])} runs of the last round are accepted.",
        "",
        "| parameter | prior range | posterior mean | 90% interval (5%-95%) | closest run |",
        "|---|---|---|---|---|",
    ]
    for p in fit.parameters:
        row = fit.posterior.loc[p.path]
        scale = " (log)" if p.log else ""
        lines.append(
            f"| `{p.path}` | {p.low:.4g}-{p.high:.4g}{scale} | {row['mean']:.4g} | "
            f"{row['q05']:.4g}-{row['q95']:.4g} | {row['best']:.4g} |"
        )
    lines += [
        "",
        f"## Fit per KPI (calibrated scenario, {len(fit.check)} seeds)",
        "",
        "Discrepancy: curves, RMS difference of the weekly values relative to the observed mean; "
        "shares, the absolute difference; the distribution, total variation distance. "
        "*Typical in prior*: the median discrepancy over the first round's runs, for scale.",
        "",
        "| KPI | observed | calibrated | discrepancy | typical in prior |",
        "|---|---|---|---|---|",
    ]
    for _, row in kpis.iterrows():
        lines.append(
            f"| {row['what']} | {_shown(row['observed'])} | {_shown(row['calibrated'])} | "
            f"{row['discrepancy']:.3f} | {row['typical_in_prior']:.3f} |"
        )
    lines += ["", "![observed and simulated](fit.png)", "", "## Notes", ""]
    lines += [f"- {note}" for note in fit.notes]
    lines += [
        "- The intervals are approximate: ABC with a finite design and acceptance share; "
        "parameters the KPIs cannot tell apart show wide intervals.",
        f"- Simulated runs are stored in `{runs_dir}`; rerunning the command reuses them.",
        "",
    ]
    return "\n".join(lines)


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def fit_figure(fit: Fit) -> Figure:
    """Observed against calibrated: weekly curves, retention, the posts distribution and the
    accepted parameter values."""
    figure = Figure(figsize=(15, 8.5), layout="constrained")
    axes = figure.subplots(2, 3).ravel()
    observed = fit.observed.weekly()
    for ax, kpi in zip(axes[:3], CURVES, strict=True):
        for i, run in enumerate(fit.check):
            weeks = run.weekly()
            ax.plot(weeks.index + 1, weeks[kpi], color="tab:orange", alpha=0.5,
                    label="calibrated (each seed)" if i == 0 else None)  # fmt: skip
        ax.plot(observed.index + 1, observed[kpi], color="black", lw=2, label="observed")
        ax.set(title=CURVES[kpi], xlabel="week")
        ax.legend(fontsize=8)
    ages = [a for a in REPORTED_AGES if fit.observed.scalars.get(f"retention_{a}") is not None]
    obs_ret = [fit.observed.scalars[f"retention_{a}"] for a in ages]
    sim_ret = [
        np.nanmean([_number(c.scalars.get(f"retention_{a}")) for c in fit.check]) for a in ages
    ]
    x = np.arange(len(ages))
    axes[3].bar(x - 0.2, obs_ret, 0.4, color="black", label="observed")
    axes[3].bar(x + 0.2, sim_ret, 0.4, color="tab:orange", label="calibrated (mean)")
    axes[3].set(title="newcomer retention", xticks=x, xticklabels=[f"day {a}" for a in ages])
    axes[3].legend(fontsize=8)
    labels = [label for label, _, _ in POST_BINS]
    x = np.arange(len(labels))
    sim_dist = np.mean([c.posts_distribution().to_numpy() for c in fit.check], axis=0)
    axes[4].bar(x - 0.2, fit.observed.posts_distribution().to_numpy(), 0.4, color="black",
                label="observed")  # fmt: skip
    axes[4].bar(x + 0.2, sim_dist, 0.4, color="tab:orange", label="calibrated (mean)")
    axes[4].set(title="members by posts written", xticks=x, xticklabels=labels, yscale="log")
    axes[4].legend(fontsize=8)
    ax = axes[5]
    last = fit.samples[fit.samples["round"] == fit.samples["round"].max()]
    for i, p in enumerate(fit.parameters):
        unit_all = p.unit(fit.samples[p.path].to_numpy(float))
        unit_acc = p.unit(last.loc[last["accepted"], p.path].to_numpy(float))
        ax.scatter(unit_all, np.full(unit_all.size, i) + 0.15, s=6, color="lightgrey")
        ax.scatter(unit_acc, np.full(unit_acc.size, i) - 0.15, s=12, color="tab:blue")
        ax.plot(p.unit(np.array([fit.posterior.loc[p.path, "mean"]])), [i], "k|", ms=18)
    ax.set(title="parameters: runs (grey), accepted (blue), mean (|)",
           yticks=range(len(fit.parameters)), yticklabels=[p.path for p in fit.parameters],
           xlabel="position in the prior range", xlim=(-0.02, 1.02))  # fmt: skip
    figure.suptitle("Observed log against the calibrated scenario")
    return figure
