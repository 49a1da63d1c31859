"""``commsim ops-report`` (issue 16 item 10): the weekly operations report of a run and of a real
imported export (conlang.meta from ``../shared/realdata``, the smallest). Week-over-week numbers
are checked against a plain pandas computation from the daily series or the log's rows; bad input
exits with status 2 and writes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.reports.ops import (
    REPORT_FILES,
    build_report,
    distinct_in_window,
    hours_table,
)
from sim.world.metrics import ROLE_BOUNDS, ROLES

ROOT = Path(__file__).resolve().parents[1]
CONLANG = ROOT.parent / "shared" / "realdata" / "stackexchange" / "conlang.meta.stackexchange.com"
real = pytest.mark.skipif(not CONLANG.is_dir(), reason="../shared/realdata is not present")
SECTIONS = (
    "1. Growth and joins by channel",
    "2. DAU / WAU / MAU and stickiness",
    "3. Interaction rate",
    "4. Cohort retention (weekly join cohorts)",
    "5. Churn by reason",
    "6. Hot topics",
    "7. Active hours (UTC)",
    "8. Top contributors by role",
    "9. Operator spend and hours against budget",
    "10. What changed since last week",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A small run with an operator (every lever), so joins split by channel and money is spent."""
    out = tmp_path_factory.mktemp("ops") / "run"
    scenario = ROOT / "experiments" / "all-levers.yaml"
    args = ["run", str(scenario), "--members", "300", "--days", "60", "--seed", "3"]
    assert main([*args, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def conlang(tmp_path_factory) -> Path:
    from sim.importers import import_export

    out = tmp_path_factory.mktemp("ops") / "conlang.parquet"
    import_export("stackexchange", CONLANG, out)
    return out


def _sections_written(folder: Path) -> tuple[str, str]:
    markdown = (folder / "ops-report.md").read_text(encoding="utf-8")
    page = (folder / "ops-report.html").read_text(encoding="utf-8")
    for title in SECTIONS:
        assert f"## {title}" in markdown, title
        assert f"<h2>{title}</h2>" in page, title
    for figure in re.findall(r"\(figures/(\w+\.png)\)", markdown):
        assert (folder / "figures" / figure).is_file(), figure
    return markdown, page


def test_a_run_gets_every_section_with_its_figures(run, capsys):
    assert main(["ops-report", str(run)]) == 0
    assert "this week: days 50-56; last week: days 43-49" in capsys.readouterr().out
    folder = run / "ops-report"
    markdown, _ = _sections_written(folder)
    figures = sorted(p.name for p in (folder / "figures").iterdir())
    assert figures == [
        "activity.png",
        "churn.png",
        "growth.png",
        "operator.png",
        "retention.png",
        "topics.png",
    ]
    # what a run cannot show is said, not invented
    assert "this run had no active hours" in markdown
    assert "By the run's topics" in markdown  # from the run's per-topic series
    assert "budget is 80,000" in markdown  # the scenario's strategy, from summary.json
    changes = markdown.split("## 10. What changed since last week")[1]
    assert len(re.findall(r"^- .+ (rose|fell) from ", changes, re.M)) == 5


def test_a_runs_hot_topics_are_its_per_topic_series(run):
    topics = pd.read_parquet(run / "topics.parquet")
    report = build_report(run, week=6)
    table = report.tables["topics"].set_index("topic")
    week = topics[topics["day"].between(36, 42)].groupby("topic").sum()
    activity = week["threads"] + week["operator_posts"] + week["replies"] + week["reactions"]
    for topic, value in activity[activity > 0].items():
        assert table.loc[f"topic {topic}", "this week"] == value


def test_a_runs_week_over_week_numbers_are_the_daily_series(run):
    daily = pd.read_parquet(run / "daily.parquet").set_index("day")
    this, last = daily.loc[36:42], daily.loc[29:35]
    report = build_report(run, week=6)
    assert (report.this_week, report.last_week) == ((36, 42), (29, 35))
    kpi = report.kpi
    assert (kpi("joins").this, kpi("joins").last) == (this.joins.sum(), last.joins.sum())
    campaign = kpi("joins: campaign")
    assert campaign.this == pytest.approx(this.campaign_joins.sum())
    organic = kpi("joins: organic")
    assert organic.this == pytest.approx(
        this.joins.sum() - this.campaign_joins.sum() - this.referral_joins.sum()
    )
    assert kpi("daily actives (DAU, mean)").this == pytest.approx(this.dau.mean())
    assert kpi("daily actives (DAU, mean)").last == pytest.approx(last.dau.mean())
    assert kpi("monthly actives (MAU, at the week's end)").this == daily.at[42, "mau"]
    assert kpi("left: bored").this == this.leaves_bored.sum()
    assert kpi("money spent").this == pytest.approx(this.money_spent.sum())
    assert kpi("money spent so far").this == pytest.approx(daily.loc[:42, "money_spent"].sum())
    assert kpi("core at the week's end").last == daily.at[35, "core"]
    # the cohort that reached 7 days this week joined on days 29-35, and is the cohorts file's
    cohorts = pd.read_parquet(run / "cohorts.parquet")
    row = cohorts[cohorts.first_join_day.between(29, 35)].iloc[0]
    assert kpi("7-day retention, cohort reaching it").this == pytest.approx(row.retention_7)
    # --week-ending selects the same 7 days as --week
    assert build_report(run, week_ending="42").kpi("joins").this == this.joins.sum()


@real
def test_a_real_export_gets_every_section_and_says_what_it_cannot_see(conlang, tmp_path):
    out = tmp_path / "report"
    assert main(["ops-report", str(conlang), "--out", str(out)]) == 0
    markdown, _ = _sections_written(out)
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "activity.png", "churn.png", "growth.png", "hours.png", "retention.png",
    ]  # fmt: skip
    # the default week: the last Monday-Sunday week before the log's last day (2020-08-25)
    assert "**This week:** 2020-08-17 to 2020-08-23" in markdown
    assert "**contributors**, not visitors" in markdown  # no visits in a Stack Exchange dump
    assert "records no channel" in markdown
    assert "churn by reason cannot be observed" in markdown and "30 days" in markdown
    assert "Not applicable: an activity log records what members did" in markdown


@real
def test_a_real_exports_week_over_week_numbers_are_the_logs(conlang):
    """Week ending Sunday 2018-03-04 (this week 2018-02-26..03-04, last week 02-19..02-25),
    counted from the log's rows with pandas: Stack Exchange shows posts and replies only, and a
    member joins with their first one."""
    report = build_report(conlang, week_ending="2018-03-04")
    rows = pd.read_parquet(conlang)
    rows = rows[rows.action.isin(["post", "reply"])].copy()
    rows["date"] = rows.timestamp.dt.tz_convert("UTC").dt.floor("D").dt.tz_localize(None)
    first = rows.groupby("member")["date"].min()

    def within(frame, start, stop):
        return frame[(frame.date >= start) & (frame.date <= stop)]

    weeks = {"this": ("2018-02-26", "2018-03-04"), "last": ("2018-02-19", "2018-02-25")}
    for which, (start, stop) in weeks.items():
        week = within(rows, start, stop)
        kpi = report.kpi
        assert getattr(kpi("actions (all but joins)"), which) == len(week)
        assert getattr(kpi("replies"), which) == (week.action == "reply").sum()
        assert getattr(kpi("joins"), which) == first.between(start, stop).sum()
        assert getattr(kpi("weekly contributors (WAU, at the week's end)"), which) == (
            week.member.nunique()
        )
        month = within(rows, pd.Timestamp(stop) - pd.Timedelta(days=29), stop)
        assert getattr(kpi("monthly contributors (MAU, at the week's end)"), which) == (
            month.member.nunique()
        )
    # the heatmap: its counts are this week's actions, each in its hour and weekday (UTC)
    this = within(rows, *weeks["this"])
    heat = report.tables["hours"]
    assert heat.to_numpy().sum() == len(this) > 0
    expected = pd.crosstab(this.timestamp.dt.day_of_week, this.timestamp.dt.hour)
    for (weekday, hour), count in expected.stack().items():
        assert heat.iat[weekday, hour] == count
    # the top posters this week and their roles, from their last 30 days, by the model's bounds
    top = report.tables["top_contributors"]
    counted = this.groupby("member").size().sort_values(ascending=False)
    assert top["posts and replies this week"].tolist() == counted.head(len(top)).tolist()
    assert top.loc[0, "member"] == counted.index[0]
    # topics: Stack Exchange tags; activity is threads and responses in the topic this week
    topics = report.tables["topics"].set_index("topic")
    assert topics["this week"].sum() == this.topic.notna().sum()


def test_roles_use_the_models_bounds():
    from sim.reports.ops import _role, _roles

    assert [_role(p) for p in (0, 1, 2, 3, 9, 10, 50)] == [
        "lurkers", "occasional", "occasional", "regulars", "regulars", "core", "core",
    ]  # fmt: skip
    assert _role(ROLE_BOUNDS[1]) == ROLES[2] and _role(ROLE_BOUNDS[2] - 1) == ROLES[2]
    assert _roles(np.array([0, 0, 1, 5, 12])) == {
        "lurkers": 2, "occasional": 1, "regulars": 1, "core": 1,
    }  # fmt: skip


def test_distinct_members_in_a_window_match_a_brute_force_count():
    gen = np.random.default_rng(5)
    member = gen.integers(0, 40, 600)
    day = gen.integers(0, 120, 600)
    pairs = pd.DataFrame({"member": member, "day": day}).drop_duplicates()
    for window in (1, 7, 30):
        got = distinct_in_window(pairs.member, pairs.day, window, 119)
        expected = [
            pairs[(pairs.day > d - window) & (pairs.day <= d)].member.nunique() for d in range(120)
        ]
        assert got.tolist() == expected


def test_a_log_with_visits_reports_actives_and_members_gone_inactive(tmp_path):
    """A synthetic CSV log with visits: "actives" (not contributors), the hours heatmap in UTC
    from zoned timestamps, topics ranked with their risers, and a member gone inactive on the
    30th silent day."""
    rows = [("founder", "2024-01-01T09:00:00Z", "join", "")]
    for day in range(0, 70):  # the founder visits every day at 09:00 and posts in "alpha"
        date = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
        rows.append(("founder", f"{date:%Y-%m-%d}T09:00:00Z", "visit", ""))
        rows.append(("founder", f"{date:%Y-%m-%d}T10:30:00+01:00", "post", "alpha"))
    rows.append(("quiet", "2024-01-10T12:00:00Z", "join", ""))
    rows.append(("quiet", "2024-01-10T12:05:00Z", "reply", "beta"))  # silent from then on
    for day in (56, 57, 58):  # "beta" rises in the week ending 2024-03-03 (days 56-62)
        date = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
        rows.append(("new", f"{date:%Y-%m-%d}T20:00:00Z", "reply", "beta"))
    log = tmp_path / "log.csv"
    pd.DataFrame(rows, columns=["member", "timestamp", "action", "topic"]).to_csv(log, index=False)
    report = build_report(log, week_ending="2024-03-03")
    assert report.kpi("daily actives (DAU, mean)").this == pytest.approx(1 + 3 / 7)
    # the founder's posts at 10:30+01:00 are at 09:00 UTC with the visits
    assert report.tables["hours"][9].sum() == 14 and report.tables["hours"][20].sum() == 3
    topics = report.tables["topics"].set_index("topic")
    assert topics.loc["beta", "change"] == 3 and topics.loc["alpha", "change"] == 0
    # "quiet" acted on 2024-01-10 (day 9), silent for 30 days on day 39 (2024-02-09)
    gone = report.tables["gone_inactive"]
    assert gone["members"].sum() == 1
    assert gone.set_index("first_day").at[35, "members"] == 1  # days 35-41 hold day 39
    markdown = "\n".join(str(b.content) for b in report.blocks if b.kind == "text")
    assert "**contributors**" not in markdown


def _refused(args: list[str], capsys, *expected: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["ops-report", *args])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    for text in expected:
        assert text in message, message


def test_bad_input_exits_2_names_the_problem_and_writes_nothing(run, tmp_path, capsys):
    out = tmp_path / "out"
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    cases = [
        ([str(tmp_path / "notes")], ("notes", "without daily.parquet", "a run folder")),
        ([str(tmp_path / "missing")], ("no such file or folder", "activity log")),
        ([str(run / "scenario.yaml")], ("unknown kind of file", ".csv")),
        ([str(run), "--week", "9"], ("--week 9", "allowed: 2 to 8")),
        ([str(run), "--week", "1"], ("--week 1", "allowed: 2 to 8")),
        ([str(run), "--week-ending", "61"], ("--week-ending 61", "day 14 to day 60")),
        ([str(run), "--week-ending", "2024-01-07"], ("a run's weeks end on a day number",)),
        ([str(run), "--week", "3", "--week-ending", "21"], ("not allowed with",)),
    ]
    for args, expected in cases:
        _refused([*args, "--out", str(out)], capsys, *expected)
        assert not out.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    # a folder that is not an ops report is never replaced
    (out / "keep").mkdir(parents=True)
    _refused([str(run), "--out", str(out)], capsys, "refusing to replace", "keep")
    assert sorted(p.name for p in out.iterdir()) == ["keep"]


@real
def test_a_logs_week_outside_its_data_is_refused(conlang, tmp_path, capsys):
    out = tmp_path / "out"
    _refused([str(conlang), "--week-ending", "2021-01-03", "--out", str(out)], capsys,
             "--week-ending 2021-01-03", "allowed: 2018-02-19 to 2020-08-25")  # fmt: skip
    _refused([str(conlang), "--week-ending", "60", "--out", str(out)], capsys, "YYYY-MM-DD")
    _refused([str(conlang), "--week", "134", "--out", str(out)], capsys, "allowed: 2 to 133")
    assert not out.exists()
    # a log's week N is its days 7N-7..7N-1, day 0 being 2018-02-06
    report = build_report(conlang, week=2)
    assert (report.this_week, report.source.span(*report.this_week)) == (
        (7, 13), "2018-02-13 to 2018-02-19",
    )  # fmt: skip


def test_a_previous_report_is_replaced_whole(run, tmp_path):
    out = tmp_path / "report"
    assert main(["ops-report", str(run), "--week", "3", "--out", str(out)]) == 0
    first = (out / "ops-report.md").read_text(encoding="utf-8")
    assert main(["ops-report", str(run), "--week", "4", "--out", str(out)]) == 0
    second = (out / "ops-report.md").read_text(encoding="utf-8")
    assert "days 15-21" in first and "days 22-28" in second and "days 15-21;" not in second
    assert set(p.name for p in out.iterdir()) <= set(REPORT_FILES)


def test_the_help_gives_examples(capsys):
    with pytest.raises(SystemExit):
        main(["ops-report", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and "commsim ops-report results/my-run" in text
    assert "--week-ending" in text and "last complete week" in text


@real
def test_hours_table_counts_only_the_weeks_actions(conlang):
    report = build_report(conlang, week_ending="2018-02-25")
    src = report.source
    total = sum(hours_table(src, d, d).to_numpy().sum() for d in range(*report.this_week))
    last_day = hours_table(src, report.end, report.end).to_numpy().sum()
    assert total + last_day == report.tables["hours"].to_numpy().sum()


def test_a_log_of_dates_only_has_no_hours(tmp_path):
    """Timestamps that are all at midnight are dates, not hours: no heatmap rather than one that
    puts every action at 00:00."""
    rows = [(f"m{i}", f"2024-01-{1 + i:02d}", "post") for i in range(20)]
    log = tmp_path / "dates.csv"
    pd.DataFrame(rows, columns=["member", "timestamp", "action"]).to_csv(log, index=False)
    report = build_report(log, week_ending="2024-01-14")
    assert "hours" not in report.tables and "hours" not in report.figures
    text = "\n".join(str(b.content) for b in report.blocks if b.kind == "text")
    assert "every timestamp in this log is at midnight" in text


def test_what_changed_ranks_relative_changes_and_says_each_once():
    from sim.reports.ops import Kpi, Report, _changes

    report = Report(source=None, end=14)
    report.kpis = [
        Kpi("5. Churn", "leaves", 6, 1),
        Kpi("5. Churn", "left: bored", 6, 1),  # the same change as all leaves: said once
        Kpi("1. Growth", "joins", 30, 20),
        Kpi("1. Growth", "members", 500, 100, rank=False),  # a running total: never ranked
        Kpi("2. Activity", "stickiness", 0.2, 0.25, "share"),
        Kpi("3. Interaction", "reactions", 4, 0),  # from zero: first
        Kpi("3. Interaction", "replies", 10, 10),  # no change
    ]
    _changes(report)
    lines = report.blocks[-1].content.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["Reactions", "Leaves", "Joins", "Stickiness"]
    assert lines[1] == "- Leaves rose from 1 to 6 (+500%; section 5. Churn)."
    assert lines[3] == "- Stickiness fell from 25.0% to 20.0% (-5.0 pp, -20%; section 2. Activity)."


def test_a_report_in_a_run_folder_belongs_to_the_run(tmp_path):
    """A new run may replace a run folder holding its weekly report (the old report goes with the
    old run), never one holding anything else."""
    from sim.experiments.outputs import RUN_FILES, OutputError, check_out_dir

    run = tmp_path / "run"
    run.mkdir()
    for name in RUN_FILES:
        (run / name).write_text("x")
    (run / "ops-report").mkdir()
    assert check_out_dir(run) == run.resolve()
    (run / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"notes\.txt"):
        check_out_dir(run)


def test_a_team_runs_staff_hours_are_its_roles_hours():
    """With a team of roles the pool's hours_per_day is unused: the report counts the roles'."""
    from sim.reports.ops import staff_hours_a_day

    team = {
        "content": {"hours_per_day": 3.0, "hourly_cost": 25.0},
        "community": {"hours_per_day": 4.0, "hourly_cost": 30.0},
        "events": None,
        "lend_spare_hours": False,
    }
    assert staff_hours_a_day({"hours_per_day": 8.0, "team": team}) == 7.0
    assert staff_hours_a_day({"hours_per_day": 8.0, "team": None}) == 8.0


def test_a_run_with_active_hours_gets_its_heatmap(tmp_path):
    """A run with the scenario's `hours` section (sim.world.hours) writes hours.parquet, and the
    report's section 7 counts its visits by weekday and hour for this week and last."""
    out = tmp_path / "run"
    scenario = ROOT / "experiments" / "active-hours.yaml"
    args = ["run", str(scenario), "--members", "300", "--days", "28", "--seed", "3"]
    assert main([*args, "--out", str(out)]) == 0
    hours = pd.read_parquet(out / "hours.parquet")
    assert set(hours.columns) == {"day", "weekday", "segment", "hour", "visits"}
    daily = pd.read_parquet(out / "daily.parquet")
    assert hours["visits"].sum() == daily["dau"].sum()  # every visit, once, in its hour
    report = build_report(out)
    table = report.tables["hours"]
    assert table.shape == (7, 24)
    this_week = hours[(hours["day"] >= 22) & (hours["day"] <= 28)]["visits"].sum()
    assert table.to_numpy().sum() == this_week
    # the evening profile: more visits from 7 to 10 pm than from 3 to 6 am
    assert table.loc[:, 19:22].to_numpy().sum() > 5 * table.loc[:, 3:6].to_numpy().sum()
