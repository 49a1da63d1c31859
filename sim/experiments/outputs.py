"""What one run writes: the daily series, the per-topic daily series, the daily counts per role,
segment and value tier (``segments.parquet``), cohort retention, a summary (with the hot topics
of the last day and week and the retention per role, segment and tier, ``segments``), the scenario
and a figure.

A run directory holds exactly ``RUN_FILES`` (and, with active hours or groups, ``OPTIONAL_RUN_FILES``).
It is written atomically (DESIGN.md, Reliability): every file goes into a hidden staging
directory next to the destination, which is renamed into place only once complete, so an error
or an interrupt never leaves a half-written run behind, and a previous run in the same place is
replaced only by a complete new one.

>>> import tempfile
>>> from sim.config import load_scenario
>>> scenario = load_scenario(None, {"community.members": 200, "run.days": 10})
>>> model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
>>> model.run(scenario.run.days)
>>> out = write_run(model, Path(tempfile.mkdtemp()) / "run", scenario)
>>> sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
True
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import seaborn as sns
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import sim
from sim.config import Scenario
from sim.experiments.staging import staged_folder
from sim.model import CommunityModel
from sim.policies import Strategy, operator_series, shortfall_series
from sim.world.metrics import operator_totals

RUN_FILES = (
    "daily.parquet",
    "topics.parquet",
    "segments.parquet",
    "cohorts.parquet",
    "summary.json",
    "scenario.yaml",
    "curves.png",
)
# written only by runs that have them: active hours' visits by day, segment and hour
# (``sim.world.hours``, the scenario's ``hours`` section) and per group and day (sim.world.groups,
# the scenario's ``groups`` section)
OPTIONAL_RUN_FILES = ("hours.parquet", "groups.parquet")
TOP_TOPICS = 3  # topics listed in the summary's top topics
# what commsim writes into a run folder from the run (``commsim ops-report``): part of the run, so a
# new run replaces it with the rest (a report of the old run must not survive beside the new one)
RUN_REPORTS = ("ops-report",)

# what the levers did, drawn in the "Levers" panel when not all zero: points on the right axis
# (another scale), every other lever series as counts per day on the left; capacity has its own panel
LEVER_POINTS = ("points_issued", "points_redeemed")
CAPACITY = (
    "hours_used",
    "hours_short",
    "money_spent",
    "money_short",
    "actions_skipped",
    "points_liability",
    "adaptive_shifts",
)


def lever_counts() -> tuple[str, ...]:
    """The levers' series drawn as counts per day (every registered lever's but the above)."""
    shortfall = shortfall_series()
    return tuple(s for s in operator_series() if s not in CAPACITY + LEVER_POINTS + shortfall)


class OutputError(Exception):
    """The run cannot be written where asked."""


def check_out_dir(out_dir: str | Path) -> Path:
    """The absolute destination, if it is free or holds only a previous run (which may be replaced).

    Called before a run starts, so a bad ``--out`` fails at once, and again before replacing, so a
    typo such as ``--out ~`` can never delete a directory commsim did not write.
    """
    out = Path(out_dir).expanduser().resolve()
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a directory")
        ours = RUN_FILES + OPTIONAL_RUN_FILES + RUN_REPORTS
        foreign = sorted(p.name for p in out.iterdir() if p.name not in ours)
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise OutputError(
                f"refusing to replace {out}: it holds files that are not commsim outputs ({shown})"
            )
    return out


def write_run(model: CommunityModel, out_dir: str | Path, scenario: Scenario) -> Path:
    """Write the run's ``RUN_FILES`` into ``out_dir`` atomically; returns the absolute path."""
    out = check_out_dir(out_dir)
    with staged_folder(out) as staging:
        _write_files(model, scenario, staging)
    return out


def _write_files(model: CommunityModel, scenario: Scenario, folder: Path) -> None:
    series = model.series()
    series.to_parquet(folder / "daily.parquet", index=False)
    topics = model.topics()
    topics.to_parquet(folder / "topics.parquet", index=False)
    groups = model.groups_frame()
    if (
        groups is not None
    ):  # day, group, name, kind, members, active, posts, replies (+ seen: hours)
        groups.to_parquet(folder / "groups.parquet", index=False)
    model.segments_frame().to_parquet(folder / "segments.parquet", index=False)
    model.cohorts().to_parquet(folder / "cohorts.parquet", index=False)
    if model.clock is not None:  # active hours: visits by segment, weekday and hour
        model.clock.heatmap_frame().to_parquet(folder / "hours.parquet", index=False)
    summary = {
        "commsim_version": sim.__version__,
        **run_summary(model, scenario),
        "top_topics": top_topics(topics),
        "segments": model.segment_retention(),
        "scenario": scenario.model_dump(),
    }
    # allow_nan=False: a NaN is a model bug to surface, not something to write as invalid JSON
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    (folder / "scenario.yaml").write_text(
        "# The resolved scenario of this run: `commsim run scenario.yaml` repeats it exactly.\n"
        + yaml.safe_dump(scenario.model_dump(), sort_keys=False),
        encoding="utf-8",
    )
    figure = curves_figure(
        series, f"{len(series)} days, seed {scenario.run.seed}", scenario.strategy
    )
    FigureCanvasAgg(figure)  # render with Agg, never touching pyplot's global backend
    figure.savefig(folder / "curves.png", dpi=110)


def run_summary(model: CommunityModel, scenario: Scenario) -> dict:
    """The run's KPIs (``CommunityModel.summary``) and, with an operator, its totals: money spent,
    staff hours used and short, costs (hours priced at the strategy's ``hourly_rate``) and the
    points liability left on the last day."""
    summary = model.summary()
    if scenario.strategy is None:
        return summary
    rate = scenario.strategy.hourly_rate
    return {**summary, **operator_totals(model.series(), summary["members_end"], rate)}


def top_topics(topics: pd.DataFrame, n: int = TOP_TOPICS) -> dict:
    """The hot topics of the run's last day and last 7 days: the ``n`` topics with the most
    responses (replies and reactions), each with its threads, operator posts and responses
    (``CommunityModel.topics``)."""
    if topics.empty:
        return {"last_day": [], "last_7_days": []}
    last = int(topics["day"].max())
    return {
        "last_day": _ranked(topics[topics["day"] == last], n),
        "last_7_days": _ranked(topics[topics["day"] > last - 7], n),
    }


def _ranked(topics: pd.DataFrame, n: int) -> list[dict]:
    totals = topics.groupby("topic")[["threads", "operator_posts", "replies", "reactions"]].sum()
    totals["responses"] = totals["replies"] + totals["reactions"]
    totals = totals.sort_values(["responses", "threads"], ascending=False, kind="stable").head(n)
    return [
        {"topic": int(topic), **{k: int(v) for k, v in row.items()}}
        for topic, row in totals.iterrows()
    ]


def curves_figure(
    series: pd.DataFrame, title: str = "", strategy: Strategy | None = None
) -> Figure:
    """Panels of the daily series: membership, activity, posting and commitment; with a strategy
    also the operator's hours and money against its capacity, and what each lever did."""
    daily = series.set_index("day")
    flows = daily.filter(regex="^(joins|leaves_.*)$").rolling(7, min_periods=1).mean()
    reasons = [c for c in flows.columns if c.startswith("leaves_") and flows[c].any()]
    flows = flows[["joins", *reasons]] if reasons else flows[["joins"]].assign(leaves=0.0)
    rows = 2 if strategy is None else 3
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=(13, 4.25 * rows), layout="constrained")
        axes = figure.subplots(rows, 2, sharex=True)
    (members, activity), (posts, commitment) = axes[0], axes[1]
    _panel(
        members,
        "Members",
        daily[["members"]],
        "members",
        flows.rename(columns=lambda c: c.replace("leaves_", "left: ")),
        "joins and leaves per day (7-day mean)",
    )
    _panel(
        activity,
        "Active members",
        daily[["dau", "wau", "mau"]],
        "members active",
        daily[["stickiness"]],
        "stickiness (DAU/MAU)",
    )
    _panel(
        posts,
        "Posts per day",
        daily[["threads", "replies"]],
        "threads, replies",
        daily[["reactions"]],
        "reactions",
    )
    _panel(
        commitment,
        "Commitment",
        daily[["mean_loyalty", "mean_interest", "active_contributor_share"]],
        "mean or share (0-1)",
    )
    commitment.set_ylim(0, 1)
    if strategy is not None:
        _operator_panels(daily, strategy, *axes[2])
    for ax in axes[-1]:
        ax.set_xlabel("day")
    if title:
        figure.suptitle(title)
    return figure


def _operator_panels(daily: pd.DataFrame, strategy: Strategy, operator, levers) -> None:
    """Hours and money against the strategy's capacity; the lever series that are not all zero."""
    money = daily[["money_spent"]].cumsum()
    _panel(
        operator,
        "Operator (hours: 7-day mean)",
        _weekly(daily[["hours_used", "hours_short"]]),
        "staff hours per day",
        money.rename(columns={"money_spent": "money spent (cumulative)"}),
        "money",
        levels=(
            ("hours available", strategy.daily_hours(), "hours used"),
            ("budget", strategy.budget, "money spent (cumulative)"),
        ),
    )
    counts = _weekly(daily[[c for c in lever_counts() if daily[c].any()]])
    points = _weekly(daily[[c for c in LEVER_POINTS if daily[c].any()]])
    has_points = points.columns.size > 0
    _panel(
        levers,
        "Levers (7-day mean)",
        counts,
        "per day",
        points if has_points else None,
        "points per day",
    )
    if counts.columns.size == 0 and not has_points:
        levers.text(0.5, 0.5, "no lever acted", transform=levers.transAxes, ha="center")


def _weekly(series: pd.DataFrame) -> pd.DataFrame:
    """7-day means, with readable names (``operator posts`` for ``operator_posts``)."""
    weekly = series.rolling(7, min_periods=1).mean()
    return weekly.rename(columns=lambda name: name.replace("_", " "))


def _panel(
    ax,
    title: str,
    left: pd.DataFrame,
    left_label: str,
    right: pd.DataFrame | None = None,
    right_label: str = "",
    levels: tuple[tuple[str, float, str], ...] = (),
) -> None:
    """Solid lines on the left axis, dashed on a right axis for series of another scale;
    ``levels`` (label, value, series) are dotted lines in the colour and on the axis of that
    series (a capacity or a budget)."""
    palette = sns.color_palette(n_colors=left.shape[1] + (0 if right is None else right.shape[1]))
    lines = [
        ax.plot(left.index, left[c], color=palette.pop(0), lw=1.6, label=c)[0] for c in left.columns
    ]
    ax.set_ylabel(left_label)
    ax.set_title(title, loc="left")
    if right is not None:
        twin = ax.twinx()
        twin.grid(False)
        lines += [
            twin.plot(right.index, right[c], color=palette.pop(0), lw=1.2, ls="--", label=c)[0]
            for c in right.columns
        ]
        twin.set_ylabel(right_label)
    for label, value, series in levels:  # before the limits are set, so that they stay in view
        line = next(line for line in lines if line.get_label() == series)
        lines.append(line.axes.axhline(value, color=line.get_color(), ls=":", lw=1.4, label=label))
    for axis in {line.axes for line in lines} | {ax}:
        axis.set_ylim(bottom=0)
    if lines:
        ax.legend(handles=lines, loc="upper left", fontsize="small", framealpha=0.8)
