"""Writing a calibration: the calibrated scenario, the report with the posterior predictive check
per KPI and the community metrics, the figure and the tables (``sim.calibration.fit`` fits)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.calibration.activity import POST_BINS, Observed
from sim.calibration.fit import (
    CURVES,
    KPI_LABELS,
    OUTPUT_FILES,
    Fit,
    _weighted_quantile,
    relative_error,
)
from sim.calibration.hours import BUSIEST, hour_check
from sim.calibration.metrics import METRIC_LABELS
from sim.experiments.staging import staged_folder
from sim.world.metrics import REPORTED_AGES


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


def _number(value) -> float:
    return np.nan if value is None else float(value)


def _mean(values) -> float:
    """Mean of the values that are numbers (nan if none is)."""
    values = np.asarray(list(values), float)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else np.nan


def kpi_value(observed: Observed, kpi: str) -> float:
    """A KPI as one number: a curve's weekly mean, a share or metric as it is."""
    if kpi in CURVES:
        weeks = observed.weekly()
        return float(weeks[kpi].mean()) if len(weeks) else np.nan
    return _number(observed.scalars.get(kpi))


def kpi_table(fit: Fit) -> pd.DataFrame:
    """The posterior predictive check per KPI: observed; the calibrated scenario's mean over its
    check seeds; the 90% band (weighted 5-95% quantiles) over the posterior's runs; the relative
    error of the calibrated mean; whether the observed value lies in the band."""
    rows = []
    w = fit.predictive_weights
    kpis = [k for k in KPI_LABELS if k != "posts_per_member"] + list(METRIC_LABELS)
    for kpi in kpis:
        observed = kpi_value(fit.observed, kpi)
        if np.isnan(observed):
            continue
        calibrated = _mean(kpi_value(c, kpi) for c in fit.check)
        values = np.array([kpi_value(r, kpi) for r in fit.predictive])
        ok = ~np.isnan(values)
        low = _weighted_quantile(values[ok], w[ok], 0.05) if ok.any() else np.nan
        high = _weighted_quantile(values[ok], w[ok], 0.95) if ok.any() else np.nan
        rows.append(
            {
                "kpi": kpi,
                "what": KPI_LABELS.get(kpi) or METRIC_LABELS[kpi],
                "observed": observed,
                "calibrated": calibrated,
                "band_low": low,
                "band_high": high,
                "relative_error": relative_error(calibrated, observed),
                "in_band": bool(low <= observed <= high) if ok.any() else False,
            }
        )
    hours = hour_check(fit.observed, fit.check, fit.predictive, w)
    if hours is not None:  # the hour profile's check (sim.calibration.hours)
        low, high = hours["share_band"]
        rows.append(
            {
                "kpi": "busiest_hours_share",
                "what": f"contributions in the log's {BUSIEST} busiest hours (UTC "
                + ", ".join(f"{h:02d}" for h in hours["hours"])
                + ")",
                "observed": hours["share"],
                "calibrated": hours["share_calibrated"],
                "band_low": low,
                "band_high": high,
                "relative_error": relative_error(hours["share_calibrated"], hours["share"]),
                "in_band": bool(low <= hours["share"] <= high) if not np.isnan(low) else False,
            }
        )
    return pd.DataFrame(rows)


def hours_section(fit: Fit) -> list[str]:
    """The report's active-hours section: which hour model the fit ran and why, and the hour
    profile's posterior predictive check (``sim.calibration.hours.hour_check``)."""
    lines = ["## Active hours", ""]
    if fit.hours:
        lines += [f"{fit.hours}.", ""]
    check = hour_check(fit.observed, fit.check, fit.predictive, fit.predictive_weights)
    if check is None:
        reason = (
            "the log's contributions carry no time of day"
            if fit.observed.scalars.get("contributions_by_hour") is None
            else "the runs carry no hours (the day-only model)"
        )
        return [*lines, f"No hour check: {reason}.", ""]
    low, high = check["share_band"]
    d_low, d_high = check["distance_band"]
    share_in = "yes" if not np.isnan(low) and low <= check["share"] <= high else "no"
    return [
        *lines,
        f"The hour check (contributions only, under the log's observation model; "
        f"{check['log_contributions']:,} timed contributions in the log; the same 90% band and "
        "check seeds as above):",
        "",
        "| statistic | observed | calibrated | 90% band | observed in band |",
        "|---|---|---|---|---|",
        f"| share of contributions in the log's {BUSIEST} busiest hours (UTC "
        + ", ".join(f"{h:02d}" for h in check["hours"])
        + f") | {_shown(check['share'])} | {_shown(check['share_calibrated'])} | "
        f"{_shown(low)}-{_shown(high)} | {share_in} |",
        f"| hour-of-day distance from the log (total variation) | 0 | "
        f"{_shown(check['distance_calibrated'])} | {_shown(d_low)}-{_shown(d_high)} | n/a |",
        "",
        "Sampling noise alone (the mean distance from the log of samples drawn from the log's "
        f"own hour distribution): {_shown(check['noise'])} at the log's "
        f"{check['log_contributions']:,} contributions, {_shown(check['noise_calibrated'])} at "
        f"the calibrated runs' {check['calibrated_contributions']:,.0f}. A run much farther from "
        "the log than the noise at its own count keeps other hours than the log's contributors.",
        "",
    ]


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def report_text(fit: Fit, log_name: str, runs_dir: Path) -> str:
    obs = fit.observed.scalars
    kpis = kpi_table(fit)
    lines = [
        f"# Calibration to {log_name}",
        "",
        f"The log as observed: {obs['members']:,} members ({obs['founders']:,} founders, "
        f"{obs['newcomers']:,} joining later) over {obs['last_day']} days.",
        "",
        "## Observation model",
        "",
        f"{fit.observation.describe()}.",
        "",
        "The simulated runs are measured the same way: the same action types, the same join rule "
        "and the same founder window, by the same code.",
        "",
    ]
    if fit.warnings:
        lines += ["## Warnings", ""] + [f"- **{w}**" for w in fit.warnings] + [""]
    lines += [
        "## Fitted parameters",
        "",
        f"ABC-SMC with Metropolis-Hastings moves (Del Moral, Doucet & Jasra 2012): "
        f"{len(fit.generations)} generations of {int(fit.generations['runs'].iloc[0])} particles"
        + (
            f", each run on {int(fit.generations['seeds'].iloc[0])} seeds of its own (its "
            "distance the mean of theirs)"
            if "seeds" in fit.generations
            else ""
        )
        + ". Generation 1 is a Latin hypercube over the priors; its particles within the tolerance "
        "(a quantile of their distances, the median by default) are the population. Each later "
        "generation lowers the tolerance to that quantile of the population's distances (never "
        "above the last), resamples the population with "
        "equal weights, and moves each particle once: a proposal from the local kernels of the "
        "other half of the population, kept when its run is within the tolerance and with the "
        "Metropolis-Hastings probability. Accepted: proposals kept (generation 1: particles within "
        "the tolerance); distinct: different particles in the population after the generation, "
        "which is the posterior after the last (under 10: a few particles repeated, and its "
        "intervals understate the uncertainty).",
        "",
        "| generation | runs | stopped early | tolerance | accepted | distinct in population | "
        "median distance | population's median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, g in fit.generations.iterrows():
        distinct = g.get("distinct", float("nan"))
        lines.append(
            f"| {int(g['generation'])} | {int(g['runs'])} | {int(g['aborted'])} | "
            f"{g['tolerance']:.3f} | {int(g['accepted'])} | {distinct:.0f} | "
            f"{g['median_distance']:.3f} | {g['population_median_distance']:.3f} |"
        )
    lines += [
        "",
        "| parameter | prior range | posterior mean | 90% interval (5%-95%) | closest run | at an edge |",
        "|---|---|---|---|---|---|",
    ]
    for p in fit.parameters:
        row = fit.posterior.loc[p.path]
        scale = " (log)" if p.log else ""
        edge = max(row["at_low_edge"], row["at_high_edge"])
        lines.append(
            f"| `{p.path}` | {p.low:.4g}-{p.high:.4g}{scale} | {row['mean']:.4g} | "
            f"{row['q05']:.4g}-{row['q95']:.4g} | {row['best']:.4g} | {edge:.0%} |"
        )
    lines += [
        "",
        f"## Posterior predictive check per KPI ({len(fit.check)} seeds of the calibrated "
        f"scenario; 90% band over the {len(fit.predictive)} runs of the posterior's population)",
        "",
        "Curves are shown as their weekly mean. Relative error: |calibrated - observed| / observed.",
        "",
        "| KPI | observed | calibrated | 90% band | relative error | observed in band |",
        "|---|---|---|---|---|---|",
    ]
    for _, row in kpis.iterrows():
        lines.append(
            f"| {row['what']} | {_shown(row['observed'])} | {_shown(row['calibrated'])} | "
            f"{_shown(row['band_low'])}-{_shown(row['band_high'])} | "
            f"{_shown(row['relative_error'])} | {'yes' if row['in_band'] else 'no'} |"
        )
    lines += ["", *hours_section(fit)]
    lines += ["![observed and simulated](fit.png)", "", "## Notes", ""]
    lines += [f"- {note}" for note in fit.notes]
    lines += [
        "- Community metrics follow CHAOSS where it defines them (sim.calibration.metrics); "
        "times are in whole days.",
        "- The intervals are approximate: ABC with a finite number of particles and a tolerance "
        "above zero; parameters the KPIs cannot tell apart show wide intervals.",
        f"- Simulated runs are stored in `{runs_dir}`; rerunning the command reuses them.",
        "",
    ]
    return "\n".join(lines)


def _write_files(fit: Fit, folder: Path, log_name: str, runs_dir: Path) -> None:
    header = (
        f"# Calibrated to the activity log {log_name} by `commsim calibrate` (ABC-SMC; see "
        "report.md).\n# Fitted: "
        + ", ".join(f"{p} = {v:.6g}" for p, v in fit.chosen.items())
        + "\n# Run it: commsim run calibrated.yaml; use it as a sweep's `base:`.\n"
    )
    (folder / "calibrated.yaml").write_text(
        header + yaml.safe_dump(fit.scenario.model_dump(), sort_keys=False), encoding="utf-8"
    )
    fit.samples.to_csv(folder / "samples.csv", index=False)
    fit.posterior.rename_axis("parameter").to_csv(folder / "posterior.csv")
    (folder / "observed.json").write_text(
        json.dumps(
            {"observation": vars(fit.observation), "scalars": fit.observed.scalars},
            indent=2, allow_nan=False, default=list,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    figure = fit_figure(fit)
    FigureCanvasAgg(figure)
    figure.savefig(folder / "fit.png", dpi=90)
    (folder / "report.md").write_text(report_text(fit, log_name, runs_dir), encoding="utf-8")


def _band(runs: list[Observed], weights: np.ndarray, column: str):
    frames = [r.weekly()[column] for r in runs]
    if not frames:
        return None
    table = pd.concat(frames, axis=1).sort_index()
    values = table.to_numpy(float)
    low = [_weighted_quantile(v[~np.isnan(v)], weights[~np.isnan(v)], 0.05)
           if (~np.isnan(v)).any() else np.nan for v in values]  # fmt: skip
    high = [_weighted_quantile(v[~np.isnan(v)], weights[~np.isnan(v)], 0.95)
            if (~np.isnan(v)).any() else np.nan for v in values]  # fmt: skip
    return table.index + 1, low, high


def fit_figure(fit: Fit) -> Figure:
    """Observed against calibrated: weekly contributions and joins with the posterior 90% band,
    retention, the contributions-per-member distribution, distances by generation and the
    posterior's position in each prior range."""
    figure = Figure(figsize=(15, 8.5), layout="constrained")
    axes = figure.subplots(2, 3).ravel()
    observed = fit.observed.weekly()
    for ax, kpi in zip(axes[:2], ("posts", "joins"), strict=True):
        band = _band(fit.predictive, fit.predictive_weights, kpi)
        if band is not None:
            ax.fill_between(band[0], band[1], band[2], color="tab:orange", alpha=0.25,
                            label="posterior 90% band")  # fmt: skip
        for i, run in enumerate(fit.check):
            weeks = run.weekly()
            ax.plot(weeks.index + 1, weeks[kpi], color="tab:orange", alpha=0.7, lw=1,
                    label="calibrated (each seed)" if i == 0 else None)  # fmt: skip
        ax.plot(observed.index + 1, observed[kpi], color="black", lw=2, label="observed")
        ax.set(title=CURVES[kpi], xlabel="week")
        ax.legend(fontsize=8)
    ages = [a for a in REPORTED_AGES if fit.observed.scalars.get(f"retention_{a}") is not None]
    ax = axes[2]
    ax.plot(ages, [fit.observed.scalars[f"retention_{a}"] for a in ages], "ko-", label="observed")
    sim = [_mean(_number(c.scalars.get(f"retention_{a}")) for c in fit.check) for a in ages]
    ax.plot(ages, sim, "o-", color="tab:orange", label="calibrated (mean of its seeds)")
    lows, highs = [], []
    for a in ages:
        v = np.array([_number(r.scalars.get(f"retention_{a}")) for r in fit.predictive])
        ok = ~np.isnan(v)
        lows.append(
            _weighted_quantile(v[ok], fit.predictive_weights[ok], 0.05) if ok.any() else np.nan
        )
        highs.append(
            _weighted_quantile(v[ok], fit.predictive_weights[ok], 0.95) if ok.any() else np.nan
        )
    ax.fill_between(ages, lows, highs, color="tab:orange", alpha=0.25, label="posterior 90% band")
    ax.set(title="newcomer retention (contributions)", xlabel="days after joining", xscale="log",
           ylim=(0, 1))  # fmt: skip
    ax.legend(fontsize=8)
    labels = [label for label, _, _ in POST_BINS]
    x = np.arange(len(labels))
    sim_dist = np.mean([c.posts_distribution().to_numpy() for c in fit.check], axis=0)
    axes[3].bar(x - 0.2, fit.observed.posts_distribution().to_numpy(), 0.4, color="black",
                label="observed")  # fmt: skip
    axes[3].bar(x + 0.2, sim_dist, 0.4, color="tab:orange", label="calibrated (mean of its seeds)")
    axes[3].set(title="members by contributions", xticks=x, xticklabels=labels)
    axes[3].legend(fontsize=8)
    ax = axes[4]
    data = [fit.samples.loc[fit.samples["generation"] == g, "distance"].to_numpy()
            for g in sorted(fit.samples["generation"].unique()) if g >= 1]  # fmt: skip
    ax.boxplot([d[np.isfinite(d)] for d in data])
    ax.set(title="distance to the log by generation (runs stopped early left out)",
           xlabel="generation",
           ylabel="distance", yscale="log")  # fmt: skip
    ax = axes[5]
    held = fit.samples[fit.samples["weight"] > 0]  # the posterior's population, by its weights
    for i, p in enumerate(fit.parameters):
        first = fit.samples[fit.samples["generation"] == 1]
        ax.scatter(p.unit(first[p.path].to_numpy(float)), np.full(len(first), i) + 0.15, s=5,
                   color="lightgrey")  # fmt: skip
        ax.scatter(p.unit(held[p.path].to_numpy(float)), np.full(len(held), i) - 0.15,
                   s=8 + 200 * held["weight"], color="tab:blue")  # fmt: skip
        ax.plot(p.unit(np.array([fit.posterior.loc[p.path, "mean"]])), [i], "k|", ms=14)
    ax.set(title="prior draws (grey), posterior (blue), mean (|)",
           yticks=range(len(fit.parameters)), yticklabels=[p.path for p in fit.parameters],
           xlabel="position in the prior range", xlim=(-0.02, 1.02))  # fmt: skip
    figure.suptitle(f"Observed log against the calibrated scenario ({fit.observation.join} joins)")
    return figure
