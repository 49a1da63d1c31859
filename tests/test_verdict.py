"""Verdicts, rankings, costs and one unit per KPI: what a planner reads first in a report and in
``commsim compare``."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from sweep_helpers import write_sweep

from sim.cli.core import main
from sim.experiments.analysis import Results
from sim.experiments.report import strategy_differences, write_report
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import SweepError, load_sweep
from sim.experiments.verdict import (
    BEATS,
    UNRESOLVED,
    WORSE,
    fmt_change,
    fmt_value,
    outcome,
    ranking,
    recommendation,
    verdict_text,
    verdicts,
)

RATE = 30.0
STRATEGIES = {
    "none": None,
    "content": {"hours_per_day": 2, "hourly_rate": RATE, "content": {"posts_per_day": 2}},
    "tangible": {
        "hours_per_day": 2,
        "hourly_rate": RATE,
        "incentives": {"points": {"post": 10, "reply": 5}, "tangible": True, "redeem_at": 20},
    },
}
WINDOWS = {"early": {"first": 1, "last": 10}, "late": {"first": 15, "last": 25}}


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("judged")
    path = write_sweep(
        folder,
        strategies=STRATEGIES,
        windows=WINDOWS,
        kpis=["dau@late", "members_end", "total_cost", "points_liability_end", "retention_7"],
        objective={"kpi": "dau@late", "direction": "increase"},
        constraints=[{"kpi": "total_cost", "max": 1.0}],
        replications=4,
    )
    run_sweep(load_sweep(path), folder / "out", backend="serial", progress=False)
    return Results(folder / "out")


def test_outcome_reads_the_interval_in_the_objectives_direction():
    assert outcome(0.5, 2.0) == BEATS and outcome(-2.0, -0.5) == WORSE
    assert outcome(-2.0, -0.5, "decrease") == BEATS and outcome(0.5, 2.0, "decrease") == WORSE
    assert outcome(-1.0, 1.0) == UNRESOLVED and outcome(np.nan, np.nan) == UNRESOLVED


def test_numbers_have_one_unit_and_no_raw_floats():
    assert fmt_value(0.0009141) == "0.000914" and fmt_value(np.nan) == "n/a"
    assert fmt_value(0.284, share=True) == "28.4%" and fmt_value(12345.6) == "12,346"
    assert fmt_change("retention_7", 0.012, 0.004, 0.02) == "+1.2 pts [+0.4, +2.0]"


def test_total_cost_prices_staff_hours(judged):
    stored = judged.summaries()
    content = stored[stored["strategy"] == "content"]
    assert (content["hours_used"] > 0).all()
    expected = content["money_spent"] + RATE * content["hours_used"]
    np.testing.assert_allclose(content["total_cost"], expected)
    np.testing.assert_allclose(content["staff_cost"], RATE * content["hours_used"])
    np.testing.assert_allclose(
        content["cost_per_retained_member"], content["total_cost"] / content["members_end"]
    )
    assert (stored.loc[stored["strategy"] == "none", "total_cost"] == 0).all()


def test_every_strategy_gets_a_verdict_matching_its_interval(judged):
    diffs = judged.headline(kpis=["dau@early", "dau@late"]).set_index(["strategy", "kpi"])
    found = {v.strategy: v for v in verdicts(judged)}
    assert set(found) == {"content", "tangible"}
    for strategy, verdict in found.items():
        # the objective is judged in every window, not only its own
        assert set(verdict.outcomes) == {"dau@early", "dau@late"}
        for kpi, said in verdict.outcomes.items():
            d = diffs.loc[(strategy, kpi)]
            assert said == outcome(d["ci_low"], d["ci_high"])
            assert f"{said} none on daily actives, {kpi.split('@')[1]} (days" in verdict.text
        assert "Total cost" in verdict.text and "cost per retained member" in verdict.text
        # the budget of 1 is broken by every strategy with an operator
        assert verdict.broken and "total cost (money + staff cost) at most 1" in verdict.text


def test_ranking_puts_strategies_within_the_constraints_first(judged):
    table = ranking(judged)
    assert list(table.index) == [1, 2, 3]
    assert table.iloc[0]["strategy"] == "none" and table.iloc[0]["constraints"] == "met"
    assert all(c != "met" for c in table.iloc[1:]["constraints"])
    assert "No strategy beats none" in recommendation(judged)


def test_points_liability_only_where_points_redeem_for_money(judged):
    table = judged.headline()
    liability = table[table["kpi"] == "points_liability_end"]
    assert list(liability["strategy"]) == ["tangible"]
    assert judged.redeemable("tangible") and not judged.redeemable("content")


def test_report_opens_with_the_verdict_and_defines_windows_and_strategies(judged, tmp_path):
    out = write_report(judged, tmp_path / "report")
    text = (out / "report.md").read_text()
    headings = re.findall(r"^#+ (.*)$", text, flags=re.M)
    assert headings[:4] == ["Experiment: tiny", "Verdict", "Ranking", "Set-up"]
    intro, lines = verdict_text(judged)
    assert intro in text and all(line in text for line in lines)
    assert "**early** = days 1-10, **late** = days 15-25 of 25-day runs" in text
    assert "**none** (baseline): no operator" in text
    assert "**content**: an operator with hours_per_day 2, hourly_rate 30" in text
    assert "none (points do not redeem)" in text
    html = (out / "report.html").read_text()
    assert "<h2>Verdict</h2>" in html and "<ul><li><b>none</b> (baseline)" in html


def test_strategy_differences_list_only_what_differs_from_the_baseline(judged):
    judged.spec["baseline"] = "content"
    try:
        lines = dict(line.split(": ", 1) for line in strategy_differences(judged))
    finally:
        judged.spec["baseline"] = "none"
    assert lines["**none**"] == "no operator"
    assert "hours_per_day" not in lines["**tangible**"]
    assert "content.posts_per_day not used" in lines["**tangible**"]
    assert "incentives.tangible true" in lines["**tangible**"]


def test_compare_prints_the_verdict_and_formatted_numbers(judged, capsys):
    assert main(["compare", str(judged.folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verdict: Objective: increase daily actives, late (days 15-25).")
    assert "  - content " in out and "  - tangible " in out
    table = out.split("paired differences from none", 1)[1]
    assert "NaN" not in table and "nan" not in table
    assert not re.search(r"\d\.\d{5,}", table), "raw unformatted fractions"
    assert re.search(r"retention at 7 days +\d+\.\d% +\d+\.\d% +[+-]\d+\.\d pts \[", table)


def test_compare_refuses_a_window_beyond_the_runs(judged, tmp_path, capsys):
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "runs").symlink_to(judged.folder / "runs")
    plan = json.loads((judged.folder / "sweep.json").read_text())
    plan["spec"]["windows"]["late"]["last"] = 40
    (folder / "sweep.json").write_text(json.dumps(plan))
    with pytest.raises(SystemExit) as exit_:
        main(["compare", str(folder)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "window late (days 15-40) ends after the runs' last day (25)" in err
    with pytest.raises(SystemExit) as exit_:
        main(["report", str(folder)])
    assert exit_.value.code == 2 and not (folder / "report").exists()


@pytest.mark.parametrize(
    "changes, where",
    [
        ({"objective": {"kpi": "dau_last3"}}, "objective.kpi"),
        ({"objective": {"kpi": "dau@later"}, "windows": WINDOWS}, "objective.kpi"),
        ({"constraints": [{"kpi": "total_cost"}]}, "constraints"),
        ({"constraints": [{"kpi": "cost", "max": 5}]}, "constraints[0].kpi"),
    ],
)
def test_objective_and_constraints_are_checked_where_they_enter(tmp_path, changes, where):
    with pytest.raises(SweepError, match=re.escape(where)):
        load_sweep(write_sweep(tmp_path, **changes))


def test_run_command_prints_costs_and_no_liability_without_redeemable_points(tmp_path, capsys):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "community: {members: 100}\narrivals: {market_size: 300}\nrun: {days: 10}\n"
        "strategy: {hours_per_day: 2, hourly_rate: 25, content: {posts_per_day: 1}}\n"
    )
    assert main(["run", str(scenario), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["total_cost"] == pytest.approx(
        summary["money_spent"] + 25 * summary["hours_used"]
    )
    assert "staff cost (hours x hourly_rate, or a team's pay)" in out
    assert "cost per retained member" in out and "points liability" not in out
    assert re.search(r"stickiness DAU/MAU \(last 30 days\) +\d+\.\d%\n", out)  # a share in %
    assert re.search(r"total cost \(money \+ staff cost\) +[\d,.]+\n", out)


def test_an_interval_does_not_depend_on_what_else_is_compared(judged):
    alone = judged.headline(kpis=["dau@late"]).set_index("strategy")
    together = judged.headline(kpis=["members_end", "dau@late"])
    together = together[together["kpi"] == "dau@late"].set_index("strategy")
    assert alone[["ci_low", "ci_high"]].equals(together[["ci_low", "ci_high"]])
