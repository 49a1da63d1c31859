"""Verdicts a planner can act on: which strategies beat the baseline on the sweep's objective, in
every window, at what cost, and which differences the replications cannot resolve; then a ranking.

A strategy *beats* the baseline on a KPI when the 95% bootstrap interval of the paired difference
(``sim.experiments.analysis``) lies wholly on the better side of zero, is *worse* when it lies wholly
on the other side, and *cannot be told apart* otherwise. Costs are the runs' ``total_cost`` (money
spent plus staff hours at the strategy's ``hourly_rate``), ``cost_per_retained_member`` (total cost
per member at the end) and the ROI per retained member: the extra total cost of each member
retained beyond the baseline (the paired difference in total cost over the paired difference in
members at the end), given only when the replications resolve more members retained.

The numbers are formatted here for the report and ``commsim compare`` alike, one unit per KPI:
shares as percentages and their differences in percentage points (``pts``), counts and money
rounded with thousands separators.

>>> results = Results("results/incentive-rules")  # doctest: +SKIP
>>> print(verdict_markdown(results))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.analysis import BOOTSTRAP_SEED, Results
from sim.experiments.sweep import SERIES_LABELS, describe_kpi

BEATS, WORSE, UNRESOLVED = "beats", "is worse than", "cannot be told apart from"
RETAINED = "members_end"
COSTS = ("total_cost", "cost_per_retained_member")
ROI_LABEL = "ROI per retained member"


# ---- numbers, one unit per KPI --------------------------------------------------------------------
def fmt_value(value: float | None, share: bool = False) -> str:
    """``28.4%`` for a share, ``1,234`` or ``0.123`` otherwise, ``n/a`` for a missing value."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if share:
        return f"{100 * value:.1f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fmt_difference(value: float | None, share: bool = False, unit: bool = True) -> str:
    """A difference: ``+1.2 pts`` for shares (percentage points), ``-35`` otherwise."""
    if value is None or not np.isfinite(value):
        return "n/a"
    text = f"{100 * value:+.1f}" + (" pts" if unit else "") if share else fmt_value(value)
    return text if text[0] in "+-" else "+" + text


def fmt_interval(low: float, high: float, share: bool = False) -> str:
    """``[+1.2, +3.4]`` (in the unit of the difference before it)."""
    return f"[{fmt_difference(low, share, unit=False)}, {fmt_difference(high, share, unit=False)}]"


def fmt_change(kpi: str, difference: float, low: float, high: float) -> str:
    """A KPI's paired difference with its interval: ``+1.2 pts [+0.4, +2.0]``."""
    share = describe_kpi(kpi).share
    return f"{fmt_difference(difference, share)} {fmt_interval(low, high, share)}"


def kpi_label(kpi: str, windows: dict[str, dict] | None = None) -> str:
    """A KPI in words; a ``series@window`` KPI with the window's days (``daily actives, after
    (days 211-300)``)."""
    series, at, window = kpi.partition("@")
    if not at:
        return describe_kpi(kpi).label
    label = SERIES_LABELS.get(series, series.replace("_", " "))
    days = (windows or {}).get(window)
    return f"{label}, {window}" + (f" (days {days['first']}-{days['last']})" if days else "")


# ---- judging ---------------------------------------------------------------------------------------
def outcome(low: float, high: float, direction: str = "increase") -> str:
    """``BEATS``, ``WORSE`` or ``UNRESOLVED`` from a difference's interval and the better way."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return UNRESOLVED
    higher = low > 0
    return BEATS if higher == (direction == "increase") else WORSE


@dataclass
class Verdict:
    """One strategy against the baseline: what it does to the objective, what it costs."""

    strategy: str
    outcomes: dict[str, str]  # objective KPI (in every window) -> BEATS, WORSE or UNRESOLVED
    text: str  # the verdict in plain words (Markdown: the strategy in bold)
    broken: list[str]  # constraints the strategy's means break, in words


def verdicts(results: Results) -> list[Verdict]:
    """A verdict for every strategy but the baseline, in the sweep's order."""
    objective_kpis = results.objective_kpis()
    direction = results.objective.direction
    summaries = results.summaries()
    costs = [k for k in COSTS if k in summaries and summaries[k].notna().any()]
    needed = list(dict.fromkeys([*objective_kpis, RETAINED, *costs]))
    diffs = results.headline(kpis=needed).set_index(["strategy", "kpi"])
    means = _means(results)
    found = []
    for strategy in results.strategies:
        if strategy == results.baseline:
            continue
        outcomes, parts = {}, []
        for kpi in objective_kpis:
            if (strategy, kpi) not in diffs.index:
                continue
            d = diffs.loc[(strategy, kpi)]
            outcomes[kpi] = outcome(d["ci_low"], d["ci_high"], direction)
            parts.append(
                f"{outcomes[kpi]} {results.baseline} on {kpi_label(kpi, results.windows)}: "
                f"{fmt_change(kpi, d['difference'], d['ci_low'], d['ci_high'])}"
            )
        text = f"**{strategy}** " + ("; ".join(parts) or "has no stored pairs of runs") + "."
        text += _cost_sentence(results, strategy, diffs, means, costs)
        broken = broken_constraints(results, strategy, means)
        if broken:
            text += " Breaks " + ", ".join(broken) + "."
        found.append(Verdict(strategy, outcomes, text, broken))
    return found


def _cost_sentence(results, strategy, diffs, means, costs) -> str:
    if not costs:
        return ""
    base = results.baseline
    sentence = f" Total cost {fmt_value(means.loc[strategy, costs[0]])}"
    if "staff_cost" in means and costs[0] == "total_cost":
        sentence += (
            f" (money {fmt_value(means.loc[strategy, 'money_spent'])} + staff time "
            f"{fmt_value(means.loc[strategy, 'staff_cost'])})"
        )
    if (strategy, costs[0]) in diffs.index:
        sentence += f", {fmt_difference(diffs.loc[(strategy, costs[0]), 'difference'])} vs {base}"
    if "cost_per_retained_member" in costs:
        per_member = means.loc[strategy, "cost_per_retained_member"]
        sentence += f", cost per retained member {fmt_value(per_member)}"
    if (strategy, RETAINED) not in diffs.index:
        return sentence + "."
    members = diffs.loc[(strategy, RETAINED)]
    change = fmt_change(RETAINED, members["difference"], members["ci_low"], members["ci_high"])
    kept = outcome(members["ci_low"], members["ci_high"])
    if kept == WORSE:
        return sentence + f"; it keeps fewer members than {base} ({change} at the end)."
    if kept == UNRESOLVED:
        unresolved = f"; it keeps no more members than {base} that the runs resolve ({change})."
        return sentence + unresolved
    roi, low, high = roi_per_retained_member(results, strategy, costs[0])
    return sentence + (
        f"; it keeps {change} more members, so each extra member retained costs {fmt_value(roi)} "
        f"[{fmt_value(low)}, {fmt_value(high)}] ({ROI_LABEL})."
    )


def roi_per_retained_member(
    results: Results, strategy: str, cost: str = "total_cost"
) -> tuple[float, float, float]:
    """The ROI per retained member: the paired difference in ``cost`` over the paired difference
    in members at the end, pooled over the design, with a 95% bootstrap interval (the pairs
    resampled together)."""
    summaries = results.summaries()
    stored = summaries[summaries["stored"]].set_index(["point", "replication"])
    base = stored[stored["strategy"] == results.baseline]
    other = stored[stored["strategy"] == strategy]
    pairs = (other[[cost, RETAINED]] - base[[cost, RETAINED]]).dropna().to_numpy(dtype=float)
    if len(pairs) == 0 or pairs[:, 1].mean() <= 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, len(pairs), size=(2000, len(pairs)))
    costs, members = pairs[picks, 0].mean(axis=1), pairs[picks, 1].mean(axis=1)
    kept = members > 0  # resamples that retain no extra member have no cost per member
    ratios = costs[kept] / members[kept]
    low, high = np.percentile(ratios, [2.5, 97.5]) if len(ratios) else (np.nan, np.nan)
    return (pairs[:, 0].mean() / pairs[:, 1].mean(), float(low), float(high))


def _means(results: Results) -> pd.DataFrame:
    """Each strategy's mean of every KPI over its stored runs (strategies × KPIs)."""
    summaries = results.summaries()
    stored = summaries[summaries["stored"]]
    return stored.groupby("strategy", sort=False).mean(numeric_only=True)


def broken_constraints(results: Results, strategy: str, means: pd.DataFrame) -> list[str]:
    """The sweep's constraints that the strategy's mean KPIs break, in words."""
    broken = []
    for constraint in results.constraints:
        if strategy not in means.index or constraint.kpi not in means:
            continue
        value = means.loc[strategy, constraint.kpi]
        share = describe_kpi(constraint.kpi).share
        label = kpi_label(constraint.kpi, results.windows)
        if constraint.max is not None and value > constraint.max:
            broken.append(
                f"the constraint {label} at most {fmt_value(constraint.max, share)} "
                f"(mean {fmt_value(value, share)})"
            )
        if constraint.min is not None and value < constraint.min:
            broken.append(
                f"the constraint {label} at least {fmt_value(constraint.min, share)} "
                f"(mean {fmt_value(value, share)})"
            )
    return broken


def ranking(results: Results) -> pd.DataFrame:
    """Every strategy, the baseline too, ranked on the objective: strategies that respect the
    constraints first, then by their mean objective KPI in its better direction."""
    objective = results.objective
    kpi, share = objective.kpi, describe_kpi(objective.kpi).share
    means = _means(results)
    diffs = results.headline(kpis=[kpi]).set_index("strategy")
    cost = next((k for k in COSTS if k in means and means[k].notna().any()), None)
    rows = []
    for strategy in results.strategies:
        if strategy not in means.index:
            continue
        broken = broken_constraints(results, strategy, means)
        row = {
            "strategy": strategy,
            "mean": means.loc[strategy, kpi],
            "feasible": not broken,
            kpi_label(kpi, results.windows): fmt_value(means.loc[strategy, kpi], share),
        }
        if strategy == results.baseline:
            row["vs baseline [95% CI]"], row["verdict"] = "(baseline)", ""
        elif strategy in diffs.index:
            d = diffs.loc[strategy]
            row["vs baseline [95% CI]"] = fmt_change(
                kpi, d["difference"], d["ci_low"], d["ci_high"]
            )
            row["verdict"] = outcome(d["ci_low"], d["ci_high"], objective.direction)
        if cost is not None:
            row["total cost"] = fmt_value(means.loc[strategy, cost])
            if "cost_per_retained_member" in means:
                row["cost per retained member"] = fmt_value(
                    means.loc[strategy, "cost_per_retained_member"]
                )
        row["constraints"] = "; ".join(broken) if broken else "met"
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    ascending = objective.direction == "decrease"
    table = table.sort_values(["feasible", "mean"], ascending=[False, ascending], kind="stable")
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.drop(columns=["mean", "feasible"]).set_index("rank")


def recommendation(results: Results, found: list[Verdict] | None = None) -> str:
    """One sentence: the best-ranked strategy that beats the baseline on the objective in its own
    window and respects the constraints, or why there is none."""
    found = verdicts(results) if found is None else found
    kpi = results.objective.kpi
    label = kpi_label(kpi, results.windows)
    winners = [v.strategy for v in found if v.outcomes.get(kpi) == BEATS and not v.broken]
    if not winners:
        return (
            f"No strategy beats {results.baseline} on {label} within the constraints by a margin "
            "these replications resolve: keep the baseline, or run more replications."
        )
    order = list(ranking(results)["strategy"])
    best = min(winners, key=order.index)
    return (
        f"Recommended: **{best}**, the best-ranked strategy that beats {results.baseline} on {label}"
        + (" within the constraints." if results.constraints else ".")
    )


def verdict_markdown(results: Results) -> str:
    """The verdict as Markdown: what is judged, the recommendation, one bullet per strategy."""
    intro, lines = verdict_text(results)
    return intro + "\n\n" + "\n".join(f"- {line}" for line in lines)


def verdict_text(results: Results) -> tuple[str, list[str]]:
    """What is judged and the recommendation; then the verdict on each strategy."""
    found = verdicts(results)
    objective = results.objective
    pairs = results.headline(kpis=[objective.kpi])["pairs"]
    default = "" if results.spec.get("objective") else " (the sweep's first KPI: no objective set)"
    intro = (
        f"Objective: {objective.direction} {kpi_label(objective.kpi, results.windows)}{default}. "
        f"Each strategy against **{results.baseline}** on the same seeds: mean paired difference "
        f"and its 95% interval over {int(pairs.max()) if len(pairs) else 0} pairs of runs."
    )
    return f"{intro} {recommendation(results, found)}", [v.text for v in found]
