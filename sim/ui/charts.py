"""The dashboard's charts: matplotlib figures drawn from the runs of a ``Versus`` model.

Every chart overlays strategy A and strategy B (one colour each) and reads only what the model
records: the daily series (``CommunityModel.series``), the cohort table, and the population's arrays
(loyalty, posts, topic interest, ties). Figures are built with ``matplotlib.figure.Figure`` (no
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
from scipy import sparse

from sim.agents import LeaveReason
from sim.ui.dashboard import Versus
from sim.world.metrics import REPORTED_AGES, inequality

COLOURS = {"A": "#1f77b4", "B": "#ff7f0e"}
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
    for label, s in series.items():
        top.plot(s["day"], s["members"], color=COLOURS[label], label=f"{label} members")
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
        top.plot(s["day"], s["dau"], color=colour, label=f"{label} DAU")
        top.plot(s["day"], s["mau"], color=colour, linestyle=":", label=f"{label} MAU")
        stickiness = s["stickiness"].rolling(SMOOTH, min_periods=1).mean()
        bottom.plot(s["day"], stickiness, color=colour, label=label)
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
    """Money spent against the budget, and staff hours used against the hours available."""
    fig, axes = _figure(2, 1, sharex=True)
    top, bottom = axes[:, 0]
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
        bottom.axhline(strategy.hours_per_day, color=colour, linestyle="--", linewidth=1)
    top.set_title("Money against budget (dashed), staff hours", fontsize=10)
    top.set_ylabel("money spent", fontsize=8)
    bottom.set_ylabel(f"hours/day ({SMOOTH}-day mean)", fontsize=8)
    bottom.set_xlabel("day")
    _legend(top)
    _legend(bottom)
    return fig


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
    """B minus A, day by day, relative to A: the strategies' effect on the same community."""
    fig, axes = _figure()
    ax = axes[0, 0]
    ax.set_title("B − A, relative to A (same community, same seed)", fontsize=10)
    if versus.b is None:
        _waiting(ax, "switch on 'Compare with B' to see B − A")
        return fig
    if not versus.a.day:
        _waiting(ax)
        return fig
    a, b = versus.series()["A"], versus.series()["B"]
    for name, label in KPIS[:4]:
        base = a[name].rolling(SMOOTH, min_periods=1).mean()
        other = b[name].rolling(SMOOTH, min_periods=1).mean()
        ax.plot(a["day"], (other - base) / base.where(base != 0), label=label)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:+.1%}")
    ax.set_xlabel("day")
    ax.set_ylabel(f"B vs A ({SMOOTH}-day means)", fontsize=8)
    _legend(ax)
    return fig


def kpi_table(versus: Versus) -> list[tuple[str, str, str, str]]:
    """(KPI, A, B, B − A) for the latest day (money: so far), as text; B columns empty without B."""
    rows = []
    latest = {arm.label: arm.model.today for arm in versus.arms}
    spent = {arm.label: versus.series()[arm.label]["money_spent"].sum() for arm in versus.arms}
    for name, label in (*KPIS, ("money_spent", "money spent so far")):
        values = {
            k: (spent[k] if name == "money_spent" else today.get(name, 0.0))
            for k, today in latest.items()
        }
        a = values["A"]
        b = values.get("B")
        rows.append(
            (
                label,
                _fmt(a),
                "" if b is None else _fmt(b),
                "" if b is None else _fmt(b - a, signed=True),
            )
        )
    return rows


def _fmt(value: float, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.3f}"


CHARTS: tuple[tuple[str, Callable[[Versus], Figure]], ...] = (
    ("members", members_chart),
    ("activity", activity_chart),
    ("retention", retention_chart),
    ("loyalty", loyalty_chart),
    ("inequality", inequality_chart),
    ("spend", spend_chart),
    ("network", network_chart),
    ("difference", difference_chart),
)
