"""The sweep report's tables per role, segment and value tier (issue 16): each strategy's members
on the last day, daily actives and active share over the last 30 days, and retention per group,
as the mean over its runs with a 95% CI, and the members' paired difference from the baseline.

The check is independent of the sweep's code path: every run of the sweep is run again by hand
(same scenario, same seed) and written as a run folder (``write_run``); the table's numbers must be
the mean over replications of what those folders' own ``segments.parquet`` and ``summary.json``
say, computed here with plain pandas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from sweep_helpers import without_groups

from sim.config import validate_scenario
from sim.experiments.analysis import Results
from sim.experiments.outputs import write_run
from sim.experiments.report import write_report
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import load_sweep, seed_of
from sim.model import CommunityModel

AIMED = {
    "name": "aimed",
    "scenario": {
        "community": {"members": 300},
        "arrivals": {"market_size": 1500},
        "run": {"days": 70},
    },
    "strategies": {
        "none": {},
        # points only for lurkers: the lever is aimed at one role
        "points-for-lurkers": {
            "incentives": {
                "points": {"post": 5, "reply": 2, "checkin": 1},
                "audience": {"roles": ["lurker"]},
            }
        },
    },
    "baseline": "none",
    "replications": 2,
    "seed": 5,
    "kpis": ["members_end", "dau_last30"],
}


def _sweep(folder, **changes):
    path = folder / "aimed.yaml"
    path.write_text(yaml.safe_dump({**AIMED, **changes}, sort_keys=False), encoding="utf-8")
    return load_sweep(path)


@pytest.fixture(scope="module")
def aimed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aimed")
    sweep = _sweep(folder)
    run_sweep(sweep, folder / "out", backend="serial", progress=False)
    return sweep, Results(folder / "out"), folder


def _own_outcomes(sweep, strategy: str, replication: int, folder) -> dict:
    """One run of the sweep, run again by hand and written as a run folder: per (grouping, group)
    its members on the last day, visitors and members summed over the last 30 days, retention."""
    scenario = validate_scenario(sweep.scenario_data(strategy, 0), "test")
    model = CommunityModel(**scenario.model_kwargs(), rng=seed_of(sweep.spec.seed, replication))
    model.run(scenario.run.days)
    out = write_run(model, folder / f"{strategy}-{replication}", scenario)
    frame = pd.read_parquet(out / "segments.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    last = frame["day"].max()
    window = frame[frame["day"] > last - 30]
    found = {}
    for (grouping, group), rows in frame.groupby(["group_by", "group"]):
        span = window[(window["group_by"] == grouping) & (window["group"] == group)]
        kept = summary["segments"][grouping][group]
        found[grouping, group] = {
            "members": rows.loc[rows["day"] == last, "members"].item(),
            "active": span["active"].mean(),
            "active_share": span["active"].sum() / span["members"].sum()
            if span["members"].sum()
            else np.nan,
            "retention_30": np.nan if kept["retention_30"] is None else kept["retention_30"],
            "joiners_retention_30": kept.get("joiners_retention_30"),
        }
    return found


def test_the_group_tables_are_the_means_of_the_runs_own_outputs(aimed):
    sweep, results, folder = aimed
    own = {
        (strategy, r): _own_outcomes(sweep, strategy, r, folder)
        for strategy in AIMED["strategies"]
        for r in range(AIMED["replications"])
    }
    checked = 0
    for grouping in ("role", "segment", "tier"):
        table = results.group_table(grouping).set_index(["group", "strategy"])
        groups = {g for (by, g) in own["none", 0] if by == grouping}
        assert set(table.index.get_level_values("group")) == groups
        for (group, strategy), row in table.iterrows():
            runs = [own[strategy, r][grouping, group] for r in range(AIMED["replications"])]
            assert row["runs"] == len(runs)
            for outcome in ("members", "active", "active_share", "retention_30"):
                values = [run[outcome] for run in runs if not np.isnan(run[outcome])]
                expected = np.mean(values) if values else np.nan
                assert row[outcome] == pytest.approx(expected, nan_ok=True), (grouping, group)
                checked += 1
            if grouping == "segment":
                joiners = [run["joiners_retention_30"] for run in runs]
                values = [v for v in joiners if v is not None]
                expected = np.mean(values) if values else np.nan
                assert row["joiners_retention_30"] == pytest.approx(expected, nan_ok=True)
            if strategy != "none":
                base = [own["none", r][grouping, group]["members"] for r in range(2)]
                mine = [run["members"] for run in runs]
                diff = np.subtract(mine, base)
                assert row["members_difference"] == pytest.approx(diff.mean())
                assert row["members_difference_low"] == pytest.approx(diff.min())
                assert row["members_difference_high"] == pytest.approx(diff.max())
    assert checked > 50
    # the lever aimed at lurkers moves them: the table shows it where it acts
    lurkers = results.group_table("role").set_index(["group", "strategy"])
    assert (
        lurkers.loc[("lurker", "points-for-lurkers"), "members"]
        != lurkers.loc[("lurker", "none"), "members"]
    )


def test_the_report_prints_the_group_tables_and_their_figure(aimed, tmp_path):
    _, results, _ = aimed
    folder = write_report(results, tmp_path / "report")
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "## By role, segment and value tier" in markdown
    for title in ("By role", "By member segment", "By value tier"):
        assert f"### {title}" in markdown and title in page
    assert (folder / "figures" / "groups.png").stat().st_size > 10_000
    table = results.group_table("role").set_index(["group", "strategy"])
    row = table.loc[("lurker", "points-for-lurkers")]
    members = f"{row['members']:.3g}" if row["members"] < 100 else f"{row['members']:,.0f}"
    line = next(
        line for line in markdown.splitlines() if line.startswith("| lurker | points-for-lurkers")
    )
    assert f"| {members} [" in line
    assert "| (baseline) |" in next(
        line for line in markdown.splitlines() if line.startswith("| lurker | none |")
    )


def test_runs_without_group_outcomes_leave_the_report_as_it_was(tmp_path):
    """Runs stored before issue 16 (no outcomes per group in their files): no section, no
    figure, and the rest of the report is the same as for runs that have them."""
    sweep = _sweep(tmp_path)
    run_sweep(sweep, tmp_path / "old", backend="serial", progress=False, run=without_groups)
    run_sweep(sweep, tmp_path / "new", backend="serial", progress=False)
    old = Results(tmp_path / "old")
    assert old.group_runs().empty and old.group_table("role").empty
    folder = write_report(old, tmp_path / "old-report")
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert "By role, segment" not in markdown
    assert not (folder / "figures" / "groups.png").exists()
    new = (
        write_report(Results(tmp_path / "new"), tmp_path / "new-report") / "report.md"
    ).read_text(encoding="utf-8")
    before, _, after = new.partition("## By role, segment and value tier")
    assert (
        markdown
        == before + "Every paired difference" + after.partition("Every paired difference")[2]
    )


def test_an_unknown_grouping_names_the_allowed_ones(aimed):
    with pytest.raises(ValueError, match="role, segment, tier"):
        aimed[1].group_table("cohort")
