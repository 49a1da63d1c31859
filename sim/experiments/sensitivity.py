"""Global sensitivity analysis of a sweep's KPIs with SALib (an optional extra: ``commsim[sensitivity]``).

Two designs, run through the same runner and store as any other sweep (``sim.experiments.sweep``):

* ``morris``: Morris (1991) elementary-effects screening, ``samples`` trajectories on a ``levels``
  grid; ranks factors by mu* (mean absolute effect, in KPI units per full range of the factor) and
  sigma (interaction or non-linearity), as in Campolongo, Cariboni & Saltelli (2007);
* ``sobol_indices``: Saltelli's (2010) scheme for first-order (S1) and total (ST) Sobol indices,
  ``samples`` × (factors + 2) points: the share of the KPI's variance each factor explains alone,
  and with its interactions.

Factors are sampled on the unit cube and mapped onto their ranges by ``Factor.scale``; the KPI of a
design point is its mean over replications (paired seeds, so the noise is common to every point).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.sampling import require_salib, sample, unit_problem
from sim.experiments.sweep import describe_kpi


def analyse(results, strategy: str | None = None, kpis: list[str] | None = None) -> pd.DataFrame:
    """Sensitivity indices of each KPI to each factor, for one strategy of a sensitivity sweep.

    ``results`` is a ``sim.experiments.analysis.Results``; returns one row per (KPI, factor)."""
    require_salib()
    design = results.spec.get("design") or {}
    kind = design.get("kind")
    if kind not in ("morris", "sobol_indices"):
        raise ValueError(
            f"the sweep's design is {kind!r}; sensitivity needs morris or sobol_indices"
        )
    strategy = strategy or results.baseline
    factors = results.factors
    summaries = results.summaries()
    mine = summaries[(summaries["strategy"] == strategy) & summaries["stored"]]
    unit = sample(kind, len(factors), design["samples"], design["levels"], results.spec["seed"])
    rows = []
    for kpi in kpis or results.kpis:
        y = mine.groupby("point")[kpi].mean().reindex(range(len(unit))).to_numpy(dtype=float)
        if np.isnan(y).any():
            missing = int(np.isnan(y).sum())
            raise ValueError(
                f"{missing} design points of {strategy} have no {kpi}: rerun the sweep"
            )
        rows += _indices(kind, unit, y, factors, kpi, design["levels"], results.spec["seed"])
    return pd.DataFrame(rows)


def _indices(kind, unit, y, factors, kpi, levels, seed) -> list[dict]:
    problem = unit_problem(len(factors))
    if kind == "morris":
        from SALib.analyze import morris

        found = morris.analyze(problem, unit, y, num_levels=levels, seed=seed % 2**32)
        return [
            {
                "kpi": kpi,
                "factor": f,
                "mu_star": float(found["mu_star"][i]),
                "mu_star_conf": float(found["mu_star_conf"][i]),
                "sigma": float(found["sigma"][i]),
            }
            for i, f in enumerate(factors)
        ]
    from SALib.analyze import sobol

    found = sobol.analyze(problem, y, calc_second_order=False, seed=seed % 2**32)
    return [
        {
            "kpi": kpi,
            "factor": f,
            "S1": float(found["S1"][i]),
            "S1_conf": float(found["S1_conf"][i]),
            "ST": float(found["ST"][i]),
            "ST_conf": float(found["ST_conf"][i]),
        }
        for i, f in enumerate(factors)
    ]


def morris_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Morris screening as mu* against sigma, one panel per KPI, each factor a labelled dot
    (Campolongo, Cariboni & Saltelli 2007): far right matters; high up acts through interactions
    or non-linearly. The dashed line sigma = mu* separates mostly linear, additive effects (below)
    from the rest."""
    kpis = list(dict.fromkeys(table["kpi"]))
    figure = Figure(figsize=(5.5 * len(kpis), 4.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(kpis), squeeze=False).ravel())
    for ax, kpi in zip(axes, kpis, strict=True):
        frame = _in_points(table[table["kpi"] == kpi], kpi)
        ax.errorbar(
            frame["mu_star"], frame["sigma"], xerr=frame["mu_star_conf"], fmt="o", capsize=3
        )
        top = max(frame["mu_star"].max() + frame["mu_star_conf"].max(), frame["sigma"].max())
        top = top * 1.15 if top > 0 else 1.0
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="sigma = mu*")
        for row in frame.itertuples():
            right = row.mu_star > top / 2  # labels point inwards, so none leaves the axes
            ax.annotate(
                row.factor, (row.mu_star, row.sigma), xytext=(-4 if right else 4, 4),
                textcoords="offset points", fontsize="small", ha="right" if right else "left",
            )  # fmt: skip
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        unit = " (pts)" if describe_kpi(kpi).share else ""
        ax.set_xlabel(f"mu*{unit}: mean absolute effect over the range")
        ax.set_ylabel(f"sigma{unit}: interactions, non-linearity")
        ax.set_title(textwrap.fill(describe_kpi(kpi).label, 40), loc="left", fontsize="medium")
        ax.legend(fontsize="small", loc="upper left")
    what = "Morris screening: mu* against sigma"
    figure.suptitle(f"{what}, strategy {title}" if title else what)
    return figure


def _in_points(frame: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """Morris effects of a share KPI in percentage points, as everywhere else in the report."""
    if not describe_kpi(kpi).share:
        return frame
    columns = [c for c in ("mu_star", "mu_star_conf", "sigma") if c in frame]
    return frame.assign(**{c: frame[c] * 100 for c in columns})


def indices_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Bars of mu* (Morris) or S1 and ST (Sobol) per factor, one panel per KPI, with CIs."""
    kpis = list(dict.fromkeys(table["kpi"]))
    figure = Figure(figsize=(5.5 * len(kpis), 0.6 + 0.45 * table["factor"].nunique() + 1.5))
    figure.set_layout_engine("constrained")
    axes = np.atleast_1d(figure.subplots(1, len(kpis), squeeze=False).ravel())
    morris = "mu_star" in table
    for ax, kpi in zip(axes, kpis, strict=True):
        frame = _in_points(table[table["kpi"] == kpi], kpi).reset_index(drop=True)
        y = np.arange(len(frame))
        if morris:
            ax.barh(y, frame["mu_star"], xerr=frame["mu_star_conf"], capsize=3)
            ax.set_xlabel("mu*" + (" (pts)" if describe_kpi(kpi).share else "") + " per range")
        else:
            ax.barh(y - 0.2, frame["S1"], 0.4, xerr=frame["S1_conf"], capsize=3, label="S1")
            ax.barh(y + 0.2, frame["ST"], 0.4, xerr=frame["ST_conf"], capsize=3, label="ST")
            ax.set_xlabel("share of variance")
            ax.legend(fontsize="small")
        ax.set_yticks(y, frame["factor"])
        ax.invert_yaxis()
        ax.set_title(textwrap.fill(describe_kpi(kpi).label, 40), loc="left", fontsize="medium")
    what = "Morris screening" if morris else "Sobol indices"
    figure.suptitle(f"{what}, strategy {title}" if title else what)
    return figure
