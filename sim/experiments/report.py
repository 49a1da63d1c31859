"""A report a planner can read: ``results/<experiment>/report/report.md`` and ``report.html``.

The report answers the sweep's question in this order: the verdict on each strategy against the
baseline, on the sweep's objective in every window and at what cost (``sim.experiments.verdict``);
the strategies ranked; what was compared (each strategy as its difference from the baseline, every
window's days, design, replications, seed, versions); the headline table (each strategy's paired
difference from the baseline, with 95% confidence intervals, ``sim.experiments.analysis``); then
seaborn figures: KPI series with 95% bands and every window shaded, retention curves by strategy,
cost against retention, the paired differences, and for a design, heatmaps (grids) or scatters of
factor against factor coloured by the KPI (space-filling designs); for a sensitivity design, Morris
or Sobol indices (``sim.experiments.sensitivity``). Each KPI has one unit everywhere: shares in
percent, their differences in percentage points. The Markdown and HTML come from the same blocks.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.agents import ACTIVE_DAY_AGES, RETENTION_AGES
from sim.experiments.analysis import LIABILITY, Results
from sim.experiments.staging import staged_folder
from sim.experiments.sweep import KPIS, SENSITIVITY_KINDS, describe_kpi
from sim.experiments.verdict import fmt_difference, fmt_value, kpi_label, ranking, verdict_text

SERIES = (
    ("members", "members"),
    ("dau", "daily active members"),
    ("stickiness", "stickiness DAU/MAU (%)"),
    ("replies", "replies per day"),
)
PERCENT_SERIES = ("stickiness",)
SMOOTHING_DAYS = 7


@dataclass
class Block:
    kind: str  # heading, text, table, figure
    content: object
    level: int = 2


def write_report(results: Results, out: str | Path | None = None) -> Path:
    """Write the report (Markdown, HTML, figures, CSV of the comparison); returns its folder.

    The folder is built beside and swapped in whole, so a report is never half-written. A folder
    with no stored run, or a window the runs never reached, raises ``ValueError``."""
    if not results.summaries()["stored"].any():
        raise ValueError(
            f"no stored runs in {results.folder}: nothing to report (failed runs, with their "
            "tracebacks, are in failures.jsonl)"
        )
    out = Path(out) if out is not None else results.folder / "report"
    with staged_folder(out) as staging:
        (staging / "figures").mkdir()
        blocks = _blocks(results, staging)
        (staging / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
        (staging / "report.html").write_text(render_html(blocks, results.name), encoding="utf-8")
    return out


def headline_table(results: Results, kpis: list[str] | None = None) -> pd.DataFrame:
    """Strategies × KPIs: the baseline's mean, and each strategy's mean and paired difference
    with its 95% CI, as text; the table printed by ``make demo`` and at the top of the report."""
    kpis = kpis or results.kpis
    diffs = results.headline(kpis=kpis)
    summaries = results.summaries()
    stored = summaries[summaries["stored"]]
    redeemable = {s: results.redeemable(s) for s in results.strategies}
    if not any(redeemable.values()):  # a points liability is a debt only where points pay out
        kpis = [k for k in kpis if k != LIABILITY]
    rows = []
    for strategy in results.strategies:
        row = {"strategy": strategy, "runs": int((stored["strategy"] == strategy).sum())}
        for kpi in kpis:
            share = describe_kpi(kpi).share
            mean = stored.loc[stored["strategy"] == strategy, kpi].mean()
            found = diffs[(diffs["strategy"] == strategy) & (diffs["kpi"] == kpi)]
            row[kpi] = fmt_value(mean, share)
            if kpi == LIABILITY and not redeemable[strategy]:
                row[kpi] = "none (points do not redeem)"
            elif strategy == results.baseline:
                row[kpi] += " (baseline)"
            elif not found.empty:
                d = found.iloc[0]
                low, high = (fmt_difference(d[c], share, unit=False) for c in ("ci_low", "ci_high"))
                row[kpi] += f" {fmt_difference(d['difference'], share)} [{low}, {high}]"
        rows.append(row)
    return pd.DataFrame(rows).set_index("strategy")


def _blocks(results: Results, folder: Path) -> list[Block]:
    sns.set_theme(style="whitegrid", context="notebook")
    spec, plan = results.spec, results.plan
    results.check_windows()
    summaries = results.summaries()
    blocks = [Block("heading", f"Experiment: {results.name}", 1)]
    if spec.get("description"):
        blocks.append(Block("text", spec["description"].strip()))
    intro, verdicts = verdict_text(results)
    blocks += [Block("heading", "Verdict"), Block("text", intro)]
    if verdicts:
        blocks.append(Block("text", "\n".join(f"- {line}" for line in verdicts)))
    blocks += [
        Block("heading", "Ranking"),
        Block(
            "text",
            "Strategies that respect the constraints first, then by their mean "
            f"{kpi_label(results.objective.kpi, results.windows)} "
            f"({'lower' if results.objective.direction == 'decrease' else 'higher'} is better).",
        ),
        Block("table", ranking(results)),
    ]
    stored = int(summaries.drop_duplicates("key")["stored"].sum())
    unique = summaries["key"].nunique()
    design = spec.get("design")
    setup = [
        f"Strategies: {', '.join(results.strategies)}; baseline: **{results.baseline}**. "
        "Each strategy as its difference from the baseline:",
        *(f"  - {line}" for line in strategy_differences(results)),
        *window_definitions(results),
        f"Replications: {spec['replications']} per strategy"
        + (f" and design point ({len(plan['points'])} points)" if design else "")
        + f", root seed {spec['seed']}; replication r of every strategy runs on the same seed "
        "(common random numbers), so differences are paired.",
        f"Runs stored: {stored} of {unique}.",
    ]
    if design:
        setup.append(
            f"Design: {design['kind']} over levers {plan['levers'] or 'none'} "
            f"and uncertainties {plan['uncertainties'] or 'none'}."
        )
    setup.append(
        f"Model version {plan['model_version']}, commsim {plan['versions'].get('commsim')}, "
        f"git {plan.get('git_revision') or 'unknown'}."
    )
    blocks += [
        Block("heading", "Set-up"),
        Block("text", "\n".join(s if s.startswith("  - ") else f"- {s}" for s in setup)),
    ]
    failures = results.failures()
    if failures:
        failed = ", ".join(sorted({f"{f['strategy']} rep {f['replication']}" for f in failures}))
        blocks.append(
            Block(
                "text",
                f"**{len(failures)} failed attempt(s)** are recorded in failures.jsonl "
                f"({failed[:500]}); the tables use the stored runs only.",
            )
        )
    blocks += [
        Block("heading", "Headline"),
        Block(
            "text",
            "Mean of each KPI over the replications, then the paired difference from the "
            f"baseline ({results.baseline}) and its 95% bootstrap confidence interval in brackets "
            "(shares in percentage points). An interval that excludes 0 is a difference the "
            "replications can resolve.",
        ),
        Block("table", _labelled(headline_table(results), results.windows)),
    ]
    comparison = results.compare()
    comparison.to_csv(folder / "comparison.csv", index=False)
    blocks += _figures(results, summaries, comparison, folder)
    blocks += _group_blocks(results, folder)
    if design and design["kind"] in SENSITIVITY_KINDS:
        blocks += _sensitivity_blocks(results, folder)
    blocks.append(Block("text", "Every paired difference, per design point: `comparison.csv`."))
    return blocks


def strategy_differences(results: Results) -> list[str]:
    """Each strategy in words, as the settings in which it differs from the baseline."""
    base_settings = results.strategy_settings(results.baseline)
    base = _flat(base_settings or {})
    lines = []
    for strategy in results.strategies:
        settings = results.strategy_settings(strategy)
        if strategy == results.baseline:
            shown = ", ".join(f"{k} {v}" for k, v in base.items()) or "defaults"
            what = "no operator" if settings is None else f"an operator with {shown}"
            lines.append(f"**{strategy}** (baseline): {what}")
            continue
        if settings is None:
            lines.append(f"**{strategy}**: no operator")
            continue
        own = _flat(settings)
        changed = [f"{k} {v}" for k, v in own.items() if base.get(k) != v]
        changed += [f"{k} not used" for k in base if k not in own]
        prefix = "an operator with " if base_settings is None else ""
        lines.append(f"**{strategy}**: {prefix}{', '.join(changed) or 'the same settings'}")
    return lines


def _flat(settings: dict, prefix: str = "") -> dict[str, str]:
    """Nested settings as ``{"incentives.points.post": "10"}``; lists written inline."""
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = yaml.safe_dump(value, default_flow_style=True, width=1e9).strip()
            flat[prefix + key] = flat[prefix + key].removesuffix("\n...").strip()
    return flat


def window_definitions(results: Results) -> list[str]:
    """Every window's days, and what a ``series@window`` KPI means."""
    if not results.windows:
        return []
    spans = ", ".join(
        f"**{name}** = days {w['first']}-{w['last']}" for name, w in results.windows.items()
    )
    return [
        f"Windows: {spans} of {results.run_days}-day runs (day 1 is the first simulated day); "
        "a KPI written series@window is the daily series' mean over the window's days."
    ]


def _figures(results, summaries, comparison, folder: Path) -> list[Block]:
    blocks = [Block("heading", "Figures")]
    palette = dict(
        zip(results.strategies, sns.color_palette(n_colors=len(results.strategies)), strict=True)
    )
    figures = [
        ("series", "KPI series by strategy (mean and 95% band)", _series_figure(results, palette)),
        ("retention", "Retention curves by strategy", _retention_figure(summaries, palette)),
        ("cost", "Cost against retention", _cost_figure(summaries, palette)),
        ("differences", "Paired differences from the baseline", _difference_figure(results)),
    ]
    if results.factors:
        figures.append(
            ("design", "The first KPI over the design", _design_figure(results, summaries))
        )
    for name, caption, figure in figures:
        if figure is None:
            continue
        path = folder / "figures" / f"{name}.png"
        FigureCanvasAgg(figure).print_png(str(path))
        blocks.append(Block("figure", (caption, f"figures/{name}.png")))
    return blocks


def _series_figure(results: Results, palette) -> Figure:
    bands = results.bands([name for name, _ in SERIES])
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True).ravel()
    for ax, (name, label) in zip(axes, SERIES, strict=True):
        _shade_windows(ax, results.windows)
        for strategy, frame in bands[bands["series"] == name].groupby("strategy", sort=False):
            smooth = frame[["mean", "low", "high"]].rolling(SMOOTHING_DAYS, min_periods=1).mean()
            smooth *= 100 if name in PERCENT_SERIES else 1
            ax.plot(frame["day"], smooth["mean"], color=palette[strategy], lw=1.5, label=strategy)
            ax.fill_between(
                frame["day"], smooth["low"], smooth["high"], color=palette[strategy], alpha=0.2
            )
        ax.set_title(label, loc="left")
        ax.set_xlabel("day")
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize="small")
    shaded = ", ".join(f"{n} (days {w['first']}-{w['last']})" for n, w in results.windows.items())
    figure.suptitle(
        f"Daily series ({SMOOTHING_DAYS}-day means); band: 95% CI over runs"
        + (f"; shaded: {shaded}" if shaded else "")
    )
    return figure


# ---- per role, segment and value tier ------------------------------------------------------------
GROUP_COLUMNS = {  # outcome -> (column heading, a share shown in percent)
    "members": ("members (last day)", False),
    "active": ("daily actives (last 30 days)", False),
    "active_share": ("active share (last 30 days)", True),
    "retention_30": ("retention(30)", True),
    "joiners_retention_30": ("newcomers' retention(30)", True),
    "joiners_retention_90": ("newcomers' retention(90)", True),
}
GROUPING_TITLES = {"role": "role", "segment": "member segment", "tier": "value tier"}


def _group_blocks(results: Results, folder: Path) -> list[Block]:
    """The outcomes per role, segment and value tier of each strategy (mean and 95% CI over its
    runs; the members' paired difference from the baseline), as tables and one figure; nothing
    when the stored runs have no outcomes per group (``Results.group_runs``)."""
    if results.group_runs().empty:
        return []
    tables = {grouping: results.group_table(grouping) for grouping in GROUPING_TITLES}
    blocks = [
        Block("heading", "By role, segment and value tier"),
        Block(
            "text",
            "Each strategy's outcomes per group: the mean over its runs and, in brackets, the 95% "
            "bootstrap confidence interval of that mean (replications resampled, as for the "
            "headline). **Members**: the group's members at the end of the last day; **vs "
            f"{results.baseline}**: their paired difference from the baseline on the same seeds; "
            "**daily actives**: the group's mean visitors a day over the last 30 days, and **active "
            "share** the share of its members who visited on a day then; **retention(30)**: of the "
            "group's members on days 30, 60, 90, ..., the share active in the 7 days ending 30 "
            "days later, over the whole run; **newcomers' retention(d)**: the retention(d) of the "
            "segment's own joiners. Roles: newcomers joined under 30 days ago, the others by "
            "their posts in about the last 30 days (lurker under 0.5, occasional to 3, regular to "
            "10, core); value tiers rank contributors by messages written plus replies drawn per "
            "30 days of membership (top 20% high, next 30% mid). Roles and tiers are where "
            "members are on a day, not cohorts: a lever that makes members post moves them out "
            "of the lurkers. Groups with no member in any run are left out.",
        ),
    ]
    for grouping, title in GROUPING_TITLES.items():
        table = tables[grouping]
        if table.empty:
            continue
        blocks += [
            Block("heading", f"By {title}", 3),
            Block("table", _group_text(table, grouping, results.baseline)),
        ]
    figure = _group_figure(results, tables)
    if figure is not None:
        FigureCanvasAgg(figure).print_png(str(folder / "figures" / "groups.png"))
        caption = (
            f"Members at the end against {results.baseline} (paired) and active share, by group "
            "(mean and 95% CI over runs)"
        )
        blocks.append(Block("figure", (caption, "figures/groups.png")))
    return blocks


def _seen(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the groups that had a member or a visitor in some strategy's runs."""
    seen = table.groupby("group", sort=False)[["members", "active"]].max().fillna(0).sum(axis=1)
    return table[table["group"].map(seen > 0)]


def _group_text(table: pd.DataFrame, grouping: str, baseline: str) -> pd.DataFrame:
    """A per-group table as the report prints it: ``mean [low, high]`` per outcome."""
    table = _seen(table)
    text = pd.DataFrame(
        {grouping: table["group"].to_numpy(), "strategy": table["strategy"].to_numpy()}
    )
    text["runs"] = table["runs"].to_numpy()
    for outcome, (heading, share) in GROUP_COLUMNS.items():
        if outcome not in table:
            continue
        text[heading] = [
            _with_interval(row[outcome], row[f"{outcome}_low"], row[f"{outcome}_high"], share)
            for _, row in table.iterrows()
        ]
        if outcome == "members":
            text[f"vs {baseline}"] = [
                "(baseline)"
                if row["strategy"] == baseline
                else f"{fmt_difference(row['members_difference'])} ["
                f"{fmt_difference(row['members_difference_low'])}, "
                f"{fmt_difference(row['members_difference_high'])}]"
                for _, row in table.iterrows()
            ]
    return text


def _with_interval(mean: float, low: float, high: float, share: bool) -> str:
    if not np.isfinite(mean):
        return "n/a"
    if not (np.isfinite(low) and np.isfinite(high)):
        return fmt_value(mean, share)
    return f"{fmt_value(mean, share)} [{fmt_value(low, share)}, {fmt_value(high, share)}]"


def _group_figure(results: Results, tables: dict[str, pd.DataFrame]) -> Figure | None:
    """Per group, one panel per grouping: the members' paired difference from the baseline (top;
    the groups' sizes differ too much for their counts to show a change) and the active share
    (bottom), each strategy's mean with its 95% CI, strategies side by side within a group."""
    shown = {g: _seen(t) for g, t in tables.items() if not _seen(t).empty}
    if not shown:
        return None
    strategies = results.strategies
    palette = dict(zip(strategies, sns.color_palette(n_colors=len(strategies)), strict=True))
    widths = [max(2, t["group"].nunique()) for t in shown.values()]
    figure = Figure(figsize=(3.2 + 1.3 * sum(widths), 7.5), layout="constrained")
    axes = figure.subplots(2, len(shown), squeeze=False, width_ratios=widths)
    rows = (
        ("members_difference", 1, f"members at the end, vs {results.baseline}"),
        ("active_share", 100, "active share, last 30 days (%)"),
    )
    for col, (grouping, table) in enumerate(shown.items()):
        groups = list(dict.fromkeys(table["group"]))
        for row, (outcome, scale, label) in enumerate(rows):
            ax = axes[row, col]
            drawn = [s for s in strategies if row or s != results.baseline]
            for i, strategy in enumerate(drawn):
                own = table[table["strategy"] == strategy].set_index("group").reindex(groups)
                x = np.arange(len(groups)) + (i - (len(drawn) - 1) / 2) * 0.8 / len(drawn)
                mean = own[outcome].to_numpy(dtype=float) * scale
                low = own[f"{outcome}_low"].to_numpy(dtype=float) * scale
                high = own[f"{outcome}_high"].to_numpy(dtype=float) * scale
                spread = np.nan_to_num([mean - low, high - mean])
                ax.errorbar(
                    x, mean, yerr=spread, fmt="o", capsize=3, color=palette[strategy],
                    label=strategy if (row, col) == (1, 0) else None,
                )  # fmt: skip
            ax.set_xticks(np.arange(len(groups)), groups)
            if row:
                ax.set_ylim(bottom=0)
            else:
                ax.axhline(0, color="grey", lw=1)
            ax.set_title(f"{label}, by {GROUPING_TITLES[grouping]}", loc="left", fontsize="medium")
    axes[1, 0].legend(fontsize="small")
    figure.suptitle(
        "By role, segment and value tier: mean and 95% CI over each strategy's runs (top: paired "
        "differences)"
    )
    return figure


def _shade_windows(ax, windows: dict[str, dict]) -> None:
    """Shade each window's days, named at the top of the axes."""
    for i, (name, window) in enumerate(windows.items()):
        ax.axvspan(window["first"], window["last"], color=f"C{7 + i % 3}", alpha=0.12, lw=0)
        ax.text(
            (window["first"] + window["last"]) / 2,
            0.98,
            name,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize="small",
            color="dimgrey",
        )


RETENTION_PANELS = (
    ("d{age}_retention", ACTIVE_DAY_AGES, "Dn retention: active on day n after joining"),
    ("retention_{age}", RETENTION_AGES, "retention(d): active in the 7 days ending on day d"),
)


def _retention_figure(summaries: pd.DataFrame, palette) -> Figure | None:
    """Newcomer retention by age, pooled over cohorts: Dn retention as practitioners count it,
    beside EVIDENCE.md's rolling-window retention(d)."""
    stored = summaries[summaries["stored"]]
    panels = []
    for column, ages, title in RETENTION_PANELS:
        columns = {column.format(age=a): a for a in ages if column.format(age=a) in stored}
        long = stored.melt(
            id_vars=["strategy"], value_vars=list(columns), var_name="age", value_name="retention"
        ).dropna()
        if not long.empty:
            long["age"] = long["age"].map(columns)
            long["retention"] *= 100
            panels.append((long, title))
    if not panels:
        return None
    figure = Figure(figsize=(6.5 * len(panels), 5), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels), squeeze=False, sharey=True).ravel())
    for ax, (long, title) in zip(axes, panels, strict=True):
        sns.lineplot(
            long,
            x="age",
            y="retention",
            hue="strategy",
            palette=palette,
            marker="o",
            errorbar=("ci", 95),
            ax=ax,
            legend=ax is axes[0],
        )
        ax.set_xscale("log")
        ages = sorted(long["age"].unique())
        ax.set_xticks(ages, [str(a) for a in ages])
        ax.set_xlabel("days after joining")
        ax.set_ylabel("newcomers retained (%)")
        ax.set_title(title, loc="left", fontsize="medium")
    figure.suptitle("Newcomer retention by age, pooled over cohorts (95% CI over runs)")
    return figure


def _cost_figure(summaries: pd.DataFrame, palette) -> Figure | None:
    stored = summaries[summaries["stored"]].copy()
    cost = next((k for k in ("total_cost", "money_spent") if k in stored), None)
    if cost is None or "retention_30" not in stored:
        return None
    stored["retention_30"] *= 100
    figure = Figure(figsize=(8, 5), layout="constrained")
    ax = figure.subplots()
    sns.scatterplot(
        stored,
        x=cost,
        y="retention_30",
        hue="strategy",
        palette=palette,
        alpha=0.35,
        ax=ax,
        legend=False,
    )
    means = stored.groupby("strategy", sort=False)[[cost, "retention_30"]]
    centre, spread = means.mean(), means.sem() * 1.96
    for strategy in centre.index:
        ax.errorbar(
            centre.loc[strategy, cost],
            centre.loc[strategy, "retention_30"],
            xerr=spread.loc[strategy, cost],
            yerr=spread.loc[strategy, "retention_30"],
            fmt="o",
            ms=8,
            color=palette[strategy],
            label=strategy,
            capsize=3,
        )
    ax.set_xlabel(describe_kpi(cost).label + " over the run")
    ax.set_ylabel("newcomer retention at 30 days (%)")
    ax.set_title("Cost against retention: runs (dots) and means with 95% CI", loc="left")
    ax.legend(fontsize="small")
    return figure


def _difference_figure(results: Results) -> Figure | None:
    diffs = results.headline()
    if diffs.empty:
        return None
    kpis = list(dict.fromkeys(diffs["kpi"]))
    figure = Figure(figsize=(12, 1.2 + 2.2 * ((len(kpis) + 2) // 3)), layout="constrained")
    axes = np.atleast_1d(figure.subplots((len(kpis) + 2) // 3, 3, squeeze=False).ravel())
    for ax, kpi in zip(axes, kpis, strict=False):
        frame = diffs[diffs["kpi"] == kpi]
        if describe_kpi(kpi).share:  # percentage points, as in the tables
            frame = frame.assign(**{c: frame[c] * 100 for c in ("difference", "ci_low", "ci_high")})
        y = np.arange(len(frame))
        ax.errorbar(
            frame["difference"],
            y,
            xerr=[frame["difference"] - frame["ci_low"], frame["ci_high"] - frame["difference"]],
            fmt="o",
            capsize=3,
        )
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, frame["strategy"])
        unit = " (pts)" if describe_kpi(kpi).share else ""
        title = textwrap.fill(kpi_label(kpi, results.windows) + unit, 34)  # never clipped
        ax.set_title(title, loc="left", fontsize="medium")
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    figure.suptitle(f"Paired difference from {results.baseline} (mean and 95% bootstrap CI)")
    return figure


GRID_LEVELS = 8  # a factor with more distinct values is drawn as a scatter, not a heatmap


def _design_figure(results: Results, summaries: pd.DataFrame) -> Figure | None:
    """The first KPI over the design, one panel per strategy: a heatmap over a grid's two first
    factors, a scatter of factor against factor coloured by the KPI for a space-filling design
    (LHS, Sobol, Morris, Saltelli), or the KPI against a design's only factor."""
    kpi = results.kpis[0]
    share = describe_kpi(kpi).share
    stored = summaries[summaries["stored"]].copy()
    stored[kpi] = stored[kpi] * (100 if share else 1)
    factors = results.factors
    means = stored.groupby(["strategy", "point", *factors], sort=False)[kpi].mean().reset_index()
    strategies = list(dict.fromkeys(stored["strategy"]))
    figure = Figure(figsize=(max(7.0, 5.4 * len(strategies)), 4.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(strategies), squeeze=False).ravel())
    grid_design = (results.spec.get("design") or {}).get("kind") == "grid"
    scattered = len(factors) >= 2 and (
        not grid_design or any(means[f].nunique() > GRID_LEVELS for f in factors[:2])
    )
    low, high = means[kpi].min(), means[kpi].max()
    for ax, strategy in zip(axes, strategies, strict=True):
        frame = means[means["strategy"] == strategy]
        if scattered:
            dots = ax.scatter(
                frame[factors[0]], frame[factors[1]], c=frame[kpi], cmap="viridis",
                vmin=low, vmax=high, s=60, edgecolor="white", linewidth=0.5,
            )  # fmt: skip
            ax.set_xlabel(factors[0])
            ax.set_ylabel(factors[1])
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(MaxNLocator(5))
                axis.set_major_formatter(FuncFormatter(_rounded))
        elif len(factors) >= 2:
            grid = frame.pivot_table(
                index=factors[0], columns=factors[1], values=kpi, aggfunc="mean"
            )
            grid.index = [_rounded(v) for v in grid.index]
            grid.columns = [_rounded(v) for v in grid.columns]
            sns.heatmap(
                grid, annot=True, fmt=".3g", cmap="viridis", vmin=low, vmax=high, ax=ax,
                cbar=ax is axes[-1],
            )  # fmt: skip
            ax.set_xlabel(factors[1])
            ax.set_ylabel(factors[0])
        else:
            sns.lineplot(frame, x=factors[0], y=kpi, marker="o", ax=ax)
            ax.xaxis.set_major_formatter(FuncFormatter(_rounded))
            ax.set_ylabel(kpi_label(kpi) + (" (%)" if share else ""))
        ax.set_title(strategy, loc="left")
    if scattered:
        bar = figure.colorbar(dots, ax=list(axes), shrink=0.9)
        bar.set_label(kpi_label(kpi) + (" (%)" if share else ""))
    what = "each design point" if scattered else "the design"
    title = f"{kpi_label(kpi, results.windows)}{' (%)' if share else ''}, mean over replications"
    figure.suptitle(textwrap.fill(f"{title}, across {what}", 60))
    return figure


def _rounded(value, _position=None) -> str:
    """A tick label with at most 3 significant digits (never 17): ``0.00312``, ``4.5``, ``1,130``."""
    try:
        number = float(f"{float(value):.3g}")
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:g}"


def _sensitivity_blocks(results: Results, folder: Path) -> list[Block]:
    from sim.experiments.sensitivity import analyse, indices_figure, morris_figure

    blocks = [Block("heading", "Sensitivity")]
    for strategy in results.strategies:
        table = analyse(results, strategy=strategy)
        name = f"sensitivity-{strategy}"
        FigureCanvasAgg(indices_figure(table, f"{strategy}")).print_png(
            str(folder / "figures" / f"{name}.png")
        )
        blocks += [
            Block("heading", f"Strategy {strategy}", 3),
            Block("table", table),
            Block("figure", (f"Sensitivity indices, strategy {strategy}", f"figures/{name}.png")),
        ]
        if "mu_star" in table:
            FigureCanvasAgg(morris_figure(table, strategy)).print_png(
                str(folder / "figures" / f"morris-{strategy}.png")
            )
            caption = f"Morris mu* against sigma, strategy {strategy}"
            blocks.append(Block("figure", (caption, f"figures/morris-{strategy}.png")))
    return blocks


def _labelled(table: pd.DataFrame, windows: dict | None = None) -> pd.DataFrame:
    return table.rename(columns=lambda k: kpi_label(k, windows) if k in KPIS or "@" in k else k)


# ---- rendering -----------------------------------------------------------------------------------
def render_markdown(blocks: list[Block]) -> str:
    parts = []
    for block in blocks:
        if block.kind == "heading":
            parts.append("#" * block.level + " " + str(block.content))
        elif block.kind == "text":
            parts.append(str(block.content))
        elif block.kind == "table":
            parts.append(_markdown_table(block.content))
        else:
            caption, path = block.content
            parts.append(f"![{caption}]({path})")
    return "\n\n".join(parts) + "\n"


def _markdown_table(table: pd.DataFrame) -> str:
    frame = table.reset_index() if table.index.name else table
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *rows])


def _cell(value) -> str:
    if isinstance(value, float):
        return fmt_value(value)
    return str(value).replace("|", "\\|")


def render_html(blocks: list[Block], title: str) -> str:
    body = []
    for block in blocks:
        if block.kind == "heading":
            body.append(f"<h{block.level}>{html.escape(str(block.content))}</h{block.level}>")
        elif block.kind == "text":
            body.append(_html_text(str(block.content)))
        elif block.kind == "table":
            frame = block.content.reset_index() if block.content.index.name else block.content
            cells = frame.map(_cell) if hasattr(frame, "map") else frame
            body.append(cells.to_html(index=False, escape=True, border=0, classes="kpis"))
        else:
            caption, path = block.content
            body.append(
                f'<figure><img src="{html.escape(path)}" alt="{html.escape(caption)}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;"
        "color:#222}table.kpis{border-collapse:collapse;font-size:.9em}"
        "table.kpis td,table.kpis th{border-bottom:1px solid #ddd;padding:.3em .6em;"
        "text-align:left}img{max-width:100%}figcaption{color:#555;font-size:.9em}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _html_text(text: str) -> str:
    """A paragraph, or a list (lines ``- item``, with ``  - item`` nested one level)."""
    lines = text.split("\n")
    if not lines[0].startswith("- ") or not all(line.lstrip().startswith("- ") for line in lines):
        return f"<p>{_inline(text)}</p>"
    items: list[list] = []
    for line in lines:
        if line.startswith("- "):
            items.append([_inline(line[2:]), []])
        else:
            items[-1][1].append(f"<li>{_inline(line.lstrip()[2:])}</li>")
    body = "".join(
        f"<li>{item}" + (f"<ul>{''.join(nested)}</ul>" if nested else "") + "</li>"
        for item, nested in items
    )
    return f"<ul>{body}</ul>"


def _inline(text: str) -> str:
    """Escape, then the two Markdown marks the report uses: **bold** and `code`."""
    escaped = html.escape(text)
    parts = escaped.split("**")
    escaped = "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
