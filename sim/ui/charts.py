"""The dashboard's charts: matplotlib figures drawn from the runs of a ``Versus`` model.

Every chart overlays strategy A and strategy B (one colour each) and reads only what the model
records: the daily series (``CommunityModel.series``), the cohort table, and the population's arrays
(loyalty, posts, topic interest, ties). Series over time are the mean over the seeds, shaded with
their 95% confidence band when there is more than one seed, and the days each strategy's schemes
and campaigns run are shaded in its colour. Figures are built with ``matplotlib.figure.Figure`` (no
pyplot state), so the page can draw them from any thread. ``CHARTS`` lists them in page order; the
dashboard and ``benchmarks/bench_dashboard.py`` draw the same list.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory
from scipy import sparse

from sim.agents import LeaveReason
from sim.ui.dashboard import Versus, mean_band
from sim.world.metrics import REPORTED_AGES, inequality

COLOURS = {"A": "#1f77b4", "B": "#ff7f0e"}
ROLE_COLOURS = ("#2ca02c", "#1f77b4", "#d62728", "#9467bd", "#8c564b")  # sim.policies.ROLES
REASON_COLOURS = ("#8c8c8c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#2ca02c")
REASONS = tuple(r for r in LeaveReason if r is not LeaveReason.STAYING)
FIGSIZE = (5.4, 3.9)  # inches at DPI: about one cell of the page's grid
DPI = 90
SMOOTH = 7  # days in the rolling means of noisy daily series
NETWORK_LIMIT = 1500
GOLDEN_ANGLE = np.pi * (
    3 - np.sqrt(5)
)  # alive members beyond which the network of ties is not drawn
COHORT_DAYS = 30
BAND_ALPHA = 0.25  # the 95% band over seeds
WINDOW_ALPHA = 0.07  # the days a scheme runs
MARGINS = {"left": 0.15, "right": 0.97, "bottom": 0.13, "top": 0.92, "hspace": 0.45, "wspace": 0.3}


def _figure(rows: int = 1, cols: int = 1, margins: dict | None = None, **kwargs):
    """A figure of ``rows`` x ``cols`` axes with fixed margins (a layout engine would cost a third
    of the drawing time at every update)."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    axes = fig.subplots(rows, cols, squeeze=False, **kwargs)
    fig.subplots_adjust(**{**MARGINS, **(margins or {})})
    return fig, axes


def _waiting(ax, message: str = "press Step or Play") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best", frameon=False)


def _line(ax, versus: Versus, arm: str, values, **style) -> None:
    """Arm ``arm``'s mean over seeds of ``values(frame)`` by day, with its 95% band."""
    mean, low, high = versus.band(arm, values)
    day = versus.series()[arm]["day"]
    colour = style.pop("color", COLOURS[arm])
    ax.plot(day, mean, color=colour, **style)
    if versus.setup.seeds > 1:
        ax.fill_between(day, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)


def _shade(ax, versus: Versus, names: bool = True) -> None:
    """Shade the days each strategy's schemes and campaigns run (so far), in its colour."""
    on_days = blended_transform_factory(ax.transData, ax.transAxes)
    for window in versus.windows():
        if window.first > versus.a.day:
            continue
        last = versus.a.day if window.last is None else min(window.last, versus.a.day)
        colour = COLOURS[window.label]
        ax.axvspan(window.first - 0.5, last + 0.5, color=colour, alpha=WINDOW_ALPHA, linewidth=0)
        if names:
            ax.text(
                window.first,
                0.98 - 0.07 * (window.label == "B"),
                f" {window.label}: {window.lever}",
                transform=on_days,
                fontsize=6,
                color=colour,
                va="top",
            )


# ---- the charts ----------------------------------------------------------------------------------
def members_chart(versus: Versus) -> Figure:
    """Members over time; joins and leaves by reason so far, per strategy."""
    fig, axes = _figure(2, 1, height_ratios=(3, 2), margins={"left": 0.17, "bottom": 0.1})
    top, bottom = axes[:, 0]
    series = versus.series()
    if not versus.a.day:
        _waiting(top)
        bottom.set_axis_off()
        return fig
    for label in series:
        _line(top, versus, label, lambda s: s["members"], label=f"{label} members")
    _shade(top, versus)
    top.set_ylabel("members")
    top.set_title("Members, joins and leaves by reason", fontsize=10)
    _legend(top)
    rows = []
    for label, s in series.items():
        rows += [(f"{label} joins", [s["joins"].sum()]), (f"{label} leaves", None)]
    y = np.arange(len(rows))
    for i, (name, joins) in enumerate(rows):
        if joins is not None:
            bottom.barh(i, joins[0], color=COLOURS[name[0]], alpha=0.6)
            continue
        s = series[name[0]]
        left = 0.0
        for reason, colour in zip(REASONS, REASON_COLOURS, strict=True):
            value = float(s[f"leaves_{reason.label}"].sum())
            label = reason.label.replace("_", " ") if i == 1 else None
            bottom.barh(i, value, left=left, color=colour, label=label)
            left += value
    bottom.set_yticks(y, [name for name, _ in rows], fontsize=8)
    bottom.invert_yaxis()
    bottom.set_xlim(0, bottom.get_xlim()[1] * 1.45)  # room for the legend on the right
    bottom.set_xlabel("people so far", fontsize=8)
    bottom.legend(fontsize=6, frameon=False, loc="center right", title="leaves", title_fontsize=6)
    return fig


def activity_chart(versus: Versus) -> Figure:
    """Daily and monthly actives, and stickiness (DAU/MAU)."""
    fig, axes = _figure(2, 1, sharex=True)
    top, bottom = axes[:, 0]
    if not versus.a.day:
        _waiting(top)
        bottom.set_axis_off()
        return fig
    for label, s in versus.series().items():
        colour = COLOURS[label]
        _line(top, versus, label, lambda s: s["dau"], label=f"{label} DAU")
        top.plot(s["day"], s["mau"], color=colour, linestyle=":", label=f"{label} MAU")
        stickiness = s["stickiness"].rolling(SMOOTH, min_periods=1).mean()
        bottom.plot(s["day"], stickiness, color=colour, label=label)
    _shade(top, versus)
    _shade(bottom, versus, names=False)
    top.set_title("Active members and stickiness", fontsize=10)
    top.set_ylabel("members")
    bottom.set_ylabel(f"DAU/MAU ({SMOOTH}-day mean)", fontsize=8)
    bottom.set_xlabel("day")
    _legend(top)
    return fig


def retention_chart(versus: Versus) -> Figure:
    """Newcomer retention at 1, 7, 30 and 90 days, one curve per monthly join cohort."""
    fig, axes = _figure()
    ax = axes[0, 0]
    ax.set_title(f"Newcomer retention by {COHORT_DAYS}-day join cohort", fontsize=10)
    curves = 0
    ages = np.array(REPORTED_AGES)
    for arm in versus.arms:
        table = arm.model.cohorts(COHORT_DAYS)
        shades = _cohort_colours(COLOURS[arm.label], len(table))
        style = "-" if arm.label == "A" else "--"
        for i, row in enumerate(table[[f"retention_{age}" for age in ages]].to_numpy()):
            seen = ~pd.isna(row)
            if seen.sum() < 2:
                continue
            ax.plot(
                ages[seen], row[seen].astype(float), marker="o", ms=3, color=shades[i], ls=style
            )
            curves += 1
        ax.plot([], [], color=COLOURS[arm.label], ls=style, label=f"{arm.label} (darker: later)")
    if not curves:
        _waiting(ax, "retention curves appear once a cohort is 7 days old")
        return fig
    ax.set_xscale("log")
    ax.set_xticks(ages, [str(age) for age in ages])
    ax.set_xlabel("days since joining")
    ax.set_ylabel("share still active")
    ax.set_ylim(0, None)
    _legend(ax)
    return fig


def _cohort_colours(colour: str, n: int) -> list:
    """Shades of the arm's colour, light for the earliest cohort and dark for the latest."""
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    shades = np.linspace(0.35, 1.0, max(n, 1))
    return [tuple(1 - s * (1 - rgb)) for s in shades]


def loyalty_chart(versus: Versus) -> Figure:
    """Loyalty of the members present; mean information and bond benefit over time."""
    fig, axes = _figure(2, 1, height_ratios=(3, 2))
    top, bottom = axes[:, 0]
    bins = np.linspace(0, 1, 26)
    for arm in versus.arms:
        pop = arm.model.population
        loyalty = pop.view("loyalty")[pop.view("alive")]
        top.hist(
            loyalty,
            bins=bins,
            histtype="step",
            linewidth=1.5,
            color=COLOURS[arm.label],
            label=f"{arm.label} (mean {loyalty.mean():.2f})" if loyalty.size else arm.label,
        )
    top.set_title("Loyalty of members present", fontsize=10)
    top.set_xlabel("loyalty (0..1)", fontsize=8)
    top.set_ylabel("members")
    _legend(top)
    if not versus.a.day:
        bottom.set_axis_off()
        return fig
    for label, s in versus.series().items():
        for name, style in (("mean_info_benefit", "-"), ("mean_bond_benefit", ":")):
            smooth = s[name].rolling(SMOOTH, min_periods=1).mean()
            kind = name.split("_")[1]
            bottom.plot(s["day"], smooth, color=COLOURS[label], ls=style, label=f"{label} {kind}")
    bottom.set_ylabel("benefit", fontsize=8)
    bottom.set_xlabel("day", fontsize=8)
    bottom.legend(fontsize=6, ncols=2, frameon=False)
    return fig


def lorenz(counts: np.ndarray, points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve of ``counts``: (share of members, share of the total they hold), from 0 to 1,
    at most ``points + 1`` points."""
    counts = np.sort(np.asarray(counts, dtype=np.float64))
    if counts.size == 0 or counts.sum() == 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    held = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
    members = np.linspace(0, 1, counts.size + 1)
    take = np.unique(np.linspace(0, counts.size, min(points, counts.size) + 1).astype(int))
    return members[take], held[take]


def inequality_chart(versus: Versus) -> Figure:
    """Participation inequality: the Lorenz curve of posts, and the top 1%'s share over time."""
    fig, axes = _figure(1, 2, width_ratios=(1, 1))
    left, right = axes[0]
    left.plot([0, 1], [0, 1], color="lightgrey", linewidth=1)
    for arm in versus.arms:
        pop = arm.model.population
        posts = pop.view("posts")[pop.view("alive")]
        x, y = lorenz(posts)
        gini, top1 = inequality(posts)
        left.plot(x, y, color=COLOURS[arm.label], label=f"{arm.label}: Gini {gini:.2f}")
        left.plot([], [], " ", label=f"   top 1%: {top1:.0%}")
    left.set_title("Lorenz curve of posts", fontsize=10)
    left.set_xlabel("share of members", fontsize=8)
    left.set_ylabel("share of posts", fontsize=8)
    left.set_aspect("equal")
    left.legend(fontsize=7, frameon=False, loc="upper left")
    if versus.a.day:
        for label, s in versus.series().items():
            right.plot(s["day"], s["top1_post_share"], color=COLOURS[label], label=label)
        right.set_ylim(0, 1)
    right.set_title("Top 1%'s share of posts", fontsize=10)
    right.set_xlabel("day", fontsize=8)
    return fig


def spend_chart(versus: Versus) -> Figure:
    """Money spent against the budget, and staff hours used against the hours available; where a
    strategy has a team, also each role's hours used and short (``hours_used_<role>``)."""
    teams = [arm for arm in versus.arms if arm.model.strategy.team is not None]
    fig, axes = _figure(3 if teams else 2, 1, sharex=True)
    top, bottom = axes[0, 0], axes[1, 0]
    if teams:
        _team_panel(axes[2, 0], versus, teams)
    if not versus.a.day:
        _waiting(top)
        bottom.set_axis_off()
        return fig
    for arm in versus.arms:
        s, strategy, colour = versus.series()[arm.label], arm.model.strategy, COLOURS[arm.label]
        top.plot(s["day"], s["money_spent"].cumsum(), color=colour, label=f"{arm.label} spent")
        top.axhline(strategy.budget, color=colour, linestyle="--", linewidth=1)
        hours = s["hours_used"].rolling(SMOOTH, min_periods=1).mean()
        short = s["hours_short"].rolling(SMOOTH, min_periods=1).mean()
        bottom.plot(s["day"], hours, color=colour, label=f"{arm.label} used")
        if short.any():
            bottom.plot(s["day"], hours + short, color=colour, ls=":", label=f"{arm.label} asked")
        bottom.axhline(strategy.daily_hours(), color=colour, linestyle="--", linewidth=1)
    _shade(top, versus)
    _shade(bottom, versus, names=False)
    top.set_title("Money against budget (dashed), staff hours", fontsize=10)
    top.set_ylabel("money spent", fontsize=8)
    bottom.set_ylabel(f"hours/day ({SMOOTH}-day mean)", fontsize=8)
    bottom.set_xlabel("day")
    _legend(top)
    _legend(bottom)
    return fig


def _team_panel(ax, versus: Versus, teams) -> None:
    """Each role's hours used per day (7-day mean; one colour per role, A solid, B dashed) and, in
    dots, the hours it was short, for the strategies with a team."""
    if not versus.a.day:
        return
    for arm in teams:
        s, team = versus.series()[arm.label], arm.model.strategy.team
        style = "-" if arm.label == "A" else "--"
        for (name, role), colour in zip(team.roles().items(), ROLE_COLOURS, strict=True):
            used = s[f"hours_used_{name}"].rolling(SMOOTH, min_periods=1).mean()
            short = s[f"hours_short_{name}"].rolling(SMOOTH, min_periods=1).mean()
            if role.hours_per_day or short.any():
                ax.plot(s["day"], used, color=colour, ls=style, label=f"{arm.label} {name}")
            if short.any():
                ax.plot(s["day"], used + short, color=colour, ls=":", linewidth=1)
    ax.set_ylabel("team hours/day", fontsize=8)
    ax.set_title("Team hours per role (dotted: asked for)", fontsize=9)
    _legend(ax)


def tie_layout(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the members present and their ties, for drawing the network.

    A radial layout that needs no iteration, so it costs nothing to redraw every day: the more
    loyal a member, the nearer the centre; the angle is fixed by the member's slot (golden-angle
    steps spread members evenly), so a member stays put as the days go by. Returns (slots, xy,
    edges as index pairs into ``slots``, tie strengths).
    """
    pop = model.population
    slots = np.flatnonzero(pop.view("alive"))
    angle = slots * GOLDEN_ANGLE
    radius = 0.05 + 0.95 * (1 - pop.view("loyalty")[slots])
    xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    ties = sparse.triu(pop.ties.matrix[slots][:, slots], k=1).tocoo()
    return slots, xy, np.column_stack([ties.row, ties.col]), ties.data


def network_chart(versus: Versus) -> Figure:
    """The ties among the members present, for communities small enough to draw."""
    fig, axes = _figure(1, len(versus.arms))
    for ax, arm in zip(axes[0], versus.arms, strict=True):
        ax.set_title(f"{arm.label}: ties among members", fontsize=10)
        alive = arm.model.population.n_alive
        if alive > NETWORK_LIMIT:
            _waiting(
                ax,
                f"{alive:,} members: too many to draw\n(the network is shown up to "
                f"{NETWORK_LIMIT:,})",
            )
            continue
        slots, xy, edges, strength = tie_layout(arm.model)
        colours = np.tile(to_rgba(COLOURS[arm.label]), (len(edges), 1))
        colours[:, 3] = 0.05 + 0.3 * strength  # stronger ties darker
        ax.add_collection(LineCollection(xy[edges], linewidths=0.5, colors=colours))
        posts = arm.model.population.view("posts")[slots]
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=2 + 3 * np.log1p(posts),
            c=np.where(posts > 0, "black", "silver"),
            linewidths=0,
        )
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{alive:,} members, {len(edges):,} ties", fontsize=8)
    fig.text(
        0.5,
        0.01,
        "nearer the centre: more loyal; black: has posted",
        ha="center",
        fontsize=7,
        color="grey",
    )
    return fig


# (the daily series, label) compared in the B − A chart and table
KPIS = (
    ("members", "members"),
    ("dau", "daily actives"),
    ("stickiness", "stickiness (DAU/MAU)"),
    ("mean_loyalty", "mean loyalty"),
    ("active_contributor_share", "active contributors (share)"),
    ("mean_info_benefit", "information benefit"),
    ("mean_bond_benefit", "bond benefit"),
)


def difference_chart(versus: Versus) -> Figure:
    """B minus A, day by day, relative to A: the strategies' effect on the same community (paired
    seed by seed, with the 95% band of the mean over seeds)."""
    fig, axes = _figure()
    ax = axes[0, 0]
    seeds = versus.setup.seeds
    same = "same seed" if seeds == 1 else f"{seeds} seeds, 95% bands"
    ax.set_title(f"B − A, relative to A (same community, {same})", fontsize=10)
    if versus.b is None:
        _waiting(ax, "switch on 'Compare with B' to see B − A")
        return fig
    if not versus.a.day:
        _waiting(ax)
        return fig
    day = versus.series()["A"]["day"]
    for name, label in KPIS[:4]:
        mean, low, high = versus.difference(lambda b, a, name=name: _relative(b[name], a[name]))
        (line,) = ax.plot(day, mean, label=label)
        if seeds > 1:
            ax.fill_between(day, low, high, color=line.get_color(), alpha=BAND_ALPHA, lw=0)
    _shade(ax, versus)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:+.1%}")
    ax.set_xlabel("day")
    ax.set_ylabel(f"B vs A ({SMOOTH}-day means)", fontsize=8)
    _legend(ax)
    return fig


def _relative(b: pd.Series, a: pd.Series) -> np.ndarray:
    """(B − A) / A of two daily series, each a rolling mean over ``SMOOTH`` days."""
    base = a.rolling(SMOOTH, min_periods=1).mean()
    other = b.rolling(SMOOTH, min_periods=1).mean()
    return ((other - base) / base.where(base != 0)).to_numpy(dtype=float)


def kpi_frame(versus: Versus) -> pd.DataFrame:
    """The latest day's KPIs (money: so far) of A and B, means over the seeds, and B − A with its
    95% confidence interval (paired seed by seed; empty with one seed or without B)."""
    runs = versus.runs()

    def latest(frame: pd.DataFrame, name: str) -> float:
        if frame.empty:
            return 0.0
        return float(frame[name].sum() if name == "money_spent" else frame[name].iloc[-1])

    rows = []
    for name, label in (*KPIS, ("money_spent", "money spent so far")):
        values = {k: np.array([latest(f, name) for f in frames]) for k, frames in runs.items()}
        row = {"kpi": name, "label": label, "day": versus.a.day, "seeds": versus.setup.seeds}
        row["A"] = values["A"].mean()
        row["B"] = values["B"].mean() if "B" in values else np.nan
        mean, low, high = (
            mean_band((values["B"] - values["A"])[:, None]) if "B" in values else [[np.nan]] * 3
        )
        row.update({"b_minus_a": mean[0], "ci_low": low[0], "ci_high": high[0]})
        if versus.setup.seeds < 2:
            row.update({"ci_low": np.nan, "ci_high": np.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_table(versus: Versus) -> list[tuple[str, str, str, str]]:
    """(KPI, A, B, B − A) of ``kpi_frame`` as text; B − A with its 95% interval when there are
    several seeds; B columns empty without B."""
    rows = []
    for row in kpi_frame(versus).itertuples(index=False):
        if np.isnan(row.B):
            rows.append((row.label, _fmt(row.A), "", ""))
            continue
        diff = _fmt(row.b_minus_a, signed=True)
        if not np.isnan(row.ci_low):
            diff += f" ({_fmt(row.ci_low, signed=True)} to {_fmt(row.ci_high, signed=True)})"
        rows.append((row.label, _fmt(row.A), _fmt(row.B), diff))
    return rows


def _fmt(value: float, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.{1 if abs(value) >= 10 else 3}f}"


CHARTS: tuple[tuple[str, Callable[[Versus], Figure]], ...] = (
    ("difference", difference_chart),
    ("members", members_chart),
    ("activity", activity_chart),
    ("retention", retention_chart),
    ("loyalty", loyalty_chart),
    ("inequality", inequality_chart),
    ("spend", spend_chart),
    ("network", network_chart),
)
