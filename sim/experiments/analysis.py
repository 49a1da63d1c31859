"""Reading a sweep's results and comparing strategies on paired replications.

Replication ``r`` of every strategy ran on the same seed (common random numbers,
``sim.experiments.sweep``), so the right comparison is the *paired* difference: for each
replication, the strategy's KPI minus the baseline's at the same design point; its mean with a
95% bootstrap confidence interval (percentile method, replications resampled with replacement;
Efron & Tibshirani 1993) answers "what does this strategy change?" with far less noise than
comparing two means (Klein et al. 2024).

>>> results = Results("results/incentive-rules")  # doctest: +SKIP
>>> results.summaries()  # doctest: +SKIP
>>> # one row per planned run: strategy, point, replication, KPIs
>>> results.compare()  # doctest: +SKIP
>>> # paired differences against the baseline, with 95% CIs
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiments.store import ResultStore
from sim.experiments.sweep import (
    KPIS,
    Constraint,
    Objective,
    judged_objective,
    merge_changes,
)
from sim.world.segments import GROUP_OUTCOMES, GROUPINGS, SEGMENT_OUTCOMES

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 12345  # fixed, so the same results always give the same intervals
LIABILITY = "points_liability_end"


class Results:
    """The stored results of one experiment (``results/<name>/``)."""

    def __init__(self, folder: str | Path):
        self.store = ResultStore(folder)
        self.plan = self.store.plan()
        self.spec = self.plan["spec"]
        self.factors = list(self.plan["points"][0]) if self.plan["points"] else []
        self._summaries: pd.DataFrame | None = None
        self._groups: pd.DataFrame | None = None

    @property
    def folder(self) -> Path:
        return self.store.folder

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def strategies(self) -> list[str]:
        return list(self.spec["strategies"])

    @property
    def baseline(self) -> str:
        return self.spec["baseline"] or self.strategies[0]

    @property
    def kpis(self) -> list[str]:
        return list(self.spec["kpis"])

    @cached_property
    def objective(self) -> Objective:
        """The sweep's objective (by default its first KPI, in the direction that is better)."""
        # from the stored spec's own fields: a sweep written by code (the sign atlas) may hold more
        # strategies than a sweep file may, so the whole spec is not validated again here
        stored = self.spec.get("objective")
        objective = Objective.model_validate(stored) if stored is not None else None
        return judged_objective(objective, self.kpis)

    @cached_property
    def constraints(self) -> list[Constraint]:
        return [Constraint.model_validate(c) for c in self.spec.get("constraints") or []]

    @property
    def windows(self) -> dict[str, dict]:
        """The sweep's windows, ``{name: {"first": day, "last": day}}``, in the file's order."""
        return dict(self.spec.get("windows") or {})

    @property
    def run_days(self) -> int:
        """Days each run lasts (the base scenario's ``run.days``, after the sweep's changes)."""
        return int(self.plan["base"].get("run", {}).get("days", 0))

    def objective_kpis(self) -> list[str]:
        """The objective's KPI, and for ``series@window`` the same series in every window."""
        kpi = self.objective.kpi
        series, at, _ = kpi.partition("@")
        return [f"{series}@{w}" for w in self.windows] if at else [kpi]

    def check_windows(self) -> None:
        """Refuse windows the runs never reached (``ValueError`` naming the window)."""
        days = self.run_days
        for name, window in self.windows.items():
            if days and window["last"] > days:
                raise ValueError(
                    f"window {name} (days {window['first']}-{window['last']}) ends after the "
                    f"runs' last day ({days}): shorten the window in the sweep file or run longer"
                )

    def strategy_settings(self, strategy: str) -> dict | None:
        """A strategy as run: the base scenario's strategy with the sweep's changes (None: no
        operator)."""
        variant = self.spec["strategies"][strategy]
        if variant is None:
            return None
        return merge_changes(self.plan["base"].get("strategy") or {}, variant)

    def redeemable(self, strategy: str) -> bool:
        """Whether the strategy's points redeem for money (only then is a points liability a
        debt worth showing)."""
        incentives = (self.strategy_settings(strategy) or {}).get("incentives") or {}
        return bool(incentives.get("tangible"))

    def runs(self) -> pd.DataFrame:
        """The plan: one row per (strategy, point, replication), with its key and factor values."""
        frame = pd.DataFrame(self.plan["runs"], columns=["key", "strategy", "point", "replication"])
        points = pd.DataFrame(self.plan["points"]).rename_axis("point").reset_index()
        if self.factors:
            frame = frame.merge(points, on="point", how="left")
        return frame

    def summaries(self) -> pd.DataFrame:
        """One row per planned run with every summary KPI (NaN where the run is not stored: see
        ``missing()``); ``stored`` says which rows have results. Reads file footers only."""
        if self._summaries is None:
            runs = self.runs()
            finished = self.store.finished()
            rows = {}
            for key in runs["key"].unique():
                if key in finished:
                    rows[key] = {
                        k: np.nan if v is None else v
                        for k, v in self.store.run_info(key)["summary"].items()
                        if not isinstance(v, str)
                    }
                    rows[key].update(self._window_means(key))
            table = pd.DataFrame.from_dict(rows, orient="index")
            frame = runs.merge(table, left_on="key", right_index=True, how="left")
            frame["stored"] = frame["key"].isin(finished)
            self._summaries = frame
        return self._summaries

    @property
    def window_kpis(self) -> list[str]:
        """The sweep's ``series@window`` KPIs: its own, the objective's in every window, and the
        constraints'."""
        named = [*self.kpis, *self.objective_kpis(), *(c.kpi for c in self.constraints)]
        return [k for k in dict.fromkeys(named) if "@" in k]

    def _window_means(self, key: str) -> dict[str, float]:
        """Each ``series@window`` KPI of one run: the mean of the series over the window's days
        (NaN if the run ended before the window began)."""
        if not self.window_kpis:
            return {}
        windows = self.spec.get("windows") or {}
        columns = sorted({k.partition("@")[0] for k in self.window_kpis})
        series = self.series(key, ["day", *columns]).set_index("day")
        means = {}
        for kpi in self.window_kpis:
            column, _, window = kpi.partition("@")
            span = series.loc[windows[window]["first"] : windows[window]["last"], column]
            means[kpi] = float(span.mean()) if len(span) else np.nan
        return means

    def missing(self) -> pd.DataFrame:
        """Planned runs with no stored result (failed, or not run yet)."""
        frame = self.summaries()
        return frame.loc[~frame["stored"], ["key", "strategy", "point", "replication"]]

    def failures(self) -> list[dict]:
        return self.store.failures()

    def compare(
        self,
        baseline: str | None = None,
        kpis: Iterable[str] | None = None,
        pooled: bool = False,
        samples: int = BOOTSTRAP_SAMPLES,
    ) -> pd.DataFrame:
        """Paired difference of each strategy against ``baseline`` for each KPI: means of both,
        the mean difference, its 95% bootstrap CI, the relative change and the number of pairs;
        one row per design point, or with ``pooled`` over the whole design (each design point
        and replication one pair)."""
        self.check_windows()
        baseline = baseline or self.baseline
        if baseline not in self.strategies:
            raise ValueError(f"baseline {baseline!r}: allowed {', '.join(self.strategies)}")
        kpis = list(kpis or self.kpis)
        unknown = [k for k in kpis if k not in KPIS and k not in self.window_kpis]
        if unknown:
            allowed = ", ".join([*KPIS, *self.window_kpis])
            raise ValueError(f"unknown KPI {', '.join(unknown)}; allowed: {allowed}")
        summaries, factors = self.summaries(), self.factors
        if pooled:
            summaries = summaries.assign(
                replication=list(zip(summaries["point"], summaries["replication"], strict=True)),
                point=0,
            )
            factors = []
        table = paired_differences(summaries, baseline, kpis, factors, samples)
        # a points liability is a debt only where points redeem for money
        unpaid = table["strategy"].map(lambda s: not self.redeemable(s))
        return table[~((table["kpi"] == LIABILITY) & unpaid)].reset_index(drop=True)

    def headline(self, baseline: str | None = None, kpis: Iterable[str] | None = None):
        """``compare`` pooled over the whole design: the report's and ``make demo``'s table."""
        return self.compare(baseline, kpis, pooled=True)

    def group_runs(self) -> pd.DataFrame:
        """One row per planned run, grouping and group, for the stored runs that have outcomes
        per role, segment and value tier (``sim.world.segments.group_outcomes``, stored with each
        run since issue 16): the run's identity (``key``, ``strategy``, ``point``,
        ``replication``), ``grouping`` (role, segment, tier), ``group`` and the group's outcomes.
        Empty when no stored run has them (runs stored before they were)."""
        if self._groups is None:
            runs = self.summaries()
            runs = runs[runs["stored"]]
            found = {}
            for key in runs["key"].unique():
                groups = self.store.run_info(key).get("segments")
                if groups:
                    found[key] = groups
            rows = []
            for key, strategy, point, replication in zip(
                runs["key"], runs["strategy"], runs["point"], runs["replication"], strict=True
            ):
                for grouping in GROUPINGS:
                    for record in (found.get(key) or {}).get(grouping, []):
                        rows.append(
                            {
                                "key": key,
                                "strategy": strategy,
                                "point": point,
                                "replication": replication,
                                "grouping": grouping,
                                **record,
                            }
                        )
            columns = ["key", "strategy", "point", "replication", "grouping", "group"]
            columns += [*GROUP_OUTCOMES, *SEGMENT_OUTCOMES]
            frame = pd.DataFrame(rows).reindex(columns=columns)
            outcomes = [*GROUP_OUTCOMES, *SEGMENT_OUTCOMES]
            frame[outcomes] = frame[outcomes].astype(float)  # None (not measured) as NaN
            self._groups = frame
        return self._groups

    def group_table(self, grouping: str, samples: int = BOOTSTRAP_SAMPLES) -> pd.DataFrame:
        """Per group (in the runs' order) and strategy (in the sweep's order), over the
        strategy's runs with outcomes per group (every replication at every design point):
        ``runs``, and for each outcome of ``grouping`` (``GROUP_OUTCOMES``, and for segments
        ``SEGMENT_OUTCOMES``) its mean and 95% bootstrap CI (``<outcome>``, ``<outcome>_low``,
        ``<outcome>_high``; runs that did not measure it, such as a group with no member,
        left out); and the members' paired difference from the baseline on the same seeds and
        design point, with its CI (``members_difference``, ``_low``, ``_high``; NaN for the
        baseline). Empty when the runs have no outcomes per group."""
        if grouping not in GROUPINGS:
            raise ValueError(f"grouping {grouping!r}: allowed {', '.join(GROUPINGS)}")
        outcomes = [*GROUP_OUTCOMES, *(SEGMENT_OUTCOMES if grouping == "segment" else ())]
        runs = self.group_runs()
        runs = runs[runs["grouping"] == grouping]
        base = runs[runs["strategy"] == self.baseline].set_index(["group", "point", "replication"])
        rows = []
        for group in dict.fromkeys(runs["group"]):
            for strategy in self.strategies:
                own = runs[(runs["group"] == group) & (runs["strategy"] == strategy)]
                if own.empty:
                    continue
                row = {"group": group, "strategy": strategy, "runs": len(own)}
                for outcome in outcomes:
                    values = own[outcome].dropna().to_numpy(dtype=float)
                    low, high = bootstrap_ci(values, np.random.default_rng(BOOTSTRAP_SEED), samples)
                    row[outcome] = float(values.mean()) if len(values) else np.nan
                    row[f"{outcome}_low"], row[f"{outcome}_high"] = low, high
                diff = np.array([])
                if strategy != self.baseline:
                    mine = own.set_index(["group", "point", "replication"])["members"]
                    pairs = pd.concat(
                        [base["members"], mine], axis=1, keys=["b", "s"], join="inner"
                    )
                    diff = (pairs["s"] - pairs["b"]).dropna().to_numpy(dtype=float)
                low, high = bootstrap_ci(diff, np.random.default_rng(BOOTSTRAP_SEED), samples)
                row["members_difference"] = float(diff.mean()) if len(diff) else np.nan
                row["members_difference_low"], row["members_difference_high"] = low, high
                rows.append(row)
        columns = ["group", "strategy", "runs"]
        for outcome in [*outcomes, "members_difference"]:
            columns += [outcome, f"{outcome}_low", f"{outcome}_high"]
        return pd.DataFrame(rows, columns=columns)

    def series(self, key: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One run's daily series."""
        return self.store.run_series(key, columns)

    def bands(self, columns: list[str], by: str = "strategy") -> pd.DataFrame:
        """Mean of daily series across runs with a 95% confidence band, per ``by`` group and day.

        Reads one run at a time and keeps only running sums, so memory does not grow with the
        number of runs."""
        runs = self.summaries()
        runs = runs[runs["stored"]].drop_duplicates("key")
        sums: dict[object, list] = {}
        for group, key in zip(runs[by], runs["key"], strict=True):
            values = self.series(key, columns).to_numpy(dtype=float)
            acc = sums.setdefault(group, [0, 0.0, 0.0])
            acc[0] += 1
            acc[1] = acc[1] + values
            acc[2] = acc[2] + values**2
        frames = []
        for group, (n, total, squares) in sums.items():
            mean = total / n
            sd = np.sqrt(np.maximum(squares / n - mean**2, 0.0) * n / max(n - 1, 1))
            half = 1.96 * sd / np.sqrt(n)
            for j, column in enumerate(columns):
                frames.append(
                    pd.DataFrame(
                        {
                            by: group,
                            "series": column,
                            "day": np.arange(1, len(mean) + 1),
                            "mean": mean[:, j],
                            "low": mean[:, j] - half[:, j],
                            "high": mean[:, j] + half[:, j],
                            "runs": n,
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def paired_differences(
    summaries: pd.DataFrame,
    baseline: str,
    kpis: list[str],
    factors: list[str],
    samples: int = BOOTSTRAP_SAMPLES,
) -> pd.DataFrame:
    """Paired KPI differences of every strategy against ``baseline``, per design point.

    Each interval resamples with a generator of its own, seeded alike, so a difference gets the
    same interval whichever other KPIs or strategies are compared with it."""
    rows = []
    stored = summaries[summaries["stored"]]
    for point, at_point in stored.groupby("point", sort=True):
        base = at_point[at_point["strategy"] == baseline].set_index("replication")
        levels = {f: at_point[f].iloc[0] for f in factors}
        for strategy in at_point["strategy"].unique():
            if strategy == baseline:
                continue
            other = at_point[at_point["strategy"] == strategy].set_index("replication")
            for kpi in kpis:
                if kpi not in other or kpi not in base:
                    continue
                pairs = pd.concat([base[kpi], other[kpi]], axis=1, keys=["b", "s"]).dropna()
                diff = (pairs["s"] - pairs["b"]).to_numpy(dtype=float)
                low, high = bootstrap_ci(diff, np.random.default_rng(BOOTSTRAP_SEED), samples)
                base_mean = float(pairs["b"].mean()) if len(pairs) else np.nan
                mean_diff = float(diff.mean()) if len(diff) else np.nan
                rows.append(
                    {
                        "point": point,
                        **levels,
                        "strategy": strategy,
                        "baseline": baseline,
                        "kpi": kpi,
                        "baseline_mean": base_mean,
                        "strategy_mean": float(pairs["s"].mean()) if len(pairs) else np.nan,
                        "difference": mean_diff,
                        "ci_low": low,
                        "ci_high": high,
                        "relative": mean_diff / base_mean if base_mean else np.nan,
                        "pairs": len(diff),
                    }
                )
    columns = ["point", *factors, "strategy", "baseline", "kpi", "baseline_mean"]
    columns += ["strategy_mean", "difference", "ci_low", "ci_high", "relative", "pairs"]
    return pd.DataFrame(rows, columns=columns)


def bootstrap_ci(
    values: np.ndarray, rng: np.random.Generator, samples: int = BOOTSTRAP_SAMPLES
) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of ``values`` (NaN for fewer than 2)."""
    if len(values) < 2:
        return (np.nan, np.nan)
    picks = rng.integers(0, len(values), size=(samples, len(values)))
    means = values[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)
