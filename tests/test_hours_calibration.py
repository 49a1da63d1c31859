"""Active hours from a log (``sim.calibration.hours``): importers keep the time of day, so a
community's hour x weekday profile is estimated from its log and put into the base scenario
*before* the fit, so that every run of a calibration (volume pilot, generations, replicated
particles, check) runs with it; a log of dates keeps the day-only model; the user's own ``hours``
wins. A simulated run's events carry their visit hour (``ActivityObserver``), so the report's
hour check compares contributions by hour, log against runs."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibration.activity import JOIN, NO_HOUR, POST, REACT, REPLY, VISIT, Observed
from sim.calibration.fit import scenario_changes
from sim.calibration.hours import (
    calibration_base,
    first_weekday,
    hour_check,
    log_hours,
    log_profile,
)
from sim.calibration.log import ActivityObserver, read_log, simulated_stats, write_log
from sim.cli.core import main
from sim.config import apply_overrides, load_scenario, parse_scenario, validate_scenario
from sim.experiments.store import ResultStore
from sim.model import CommunityModel
from sim.world.hours import ActiveHours

ROOT = Path(__file__).resolve().parents[1]
QC = ROOT.parent / "shared" / "realdata" / "stackexchange" / "quantumcomputing.stackexchange.com"


def _log(tmp_path, stamps, actions=None) -> Path:
    path = tmp_path / "log.csv"
    n = len(stamps)
    pd.DataFrame(
        {
            "member": [f"m{i % 7}" for i in range(n)],
            "timestamp": stamps,
            "action": actions or ["post"] * n,
        }
    ).to_csv(path, index=False)
    return path


def test_a_logs_hours_and_weekdays_are_counted_per_calendar_day(tmp_path):
    # 2024-01-01 was a Monday: 60 posts at 20:xx on the two Mondays, 20 at 09:xx on one Sunday
    mondays = [f"2024-01-{d:02d}T20:{m:02d}:00" for d in (1, 8) for m in range(30)]
    sunday = [f"2024-01-07T09:{m:02d}:00" for m in range(20)]
    joins = ["2024-01-02T03:00:00"] * 40  # joins are not activity
    path = _log(tmp_path, mondays + sunday + joins, ["post"] * 80 + ["join"] * 40)
    table = log_hours(path)
    assert table[0, 20] == 30  # 60 posts over 2 Mondays
    assert table[6, 9] == 20  # 20 posts over 1 Sunday
    assert table[:, 3].sum() == 0
    profile = log_profile(path)
    # hour shares from the per-calendar-day table: 30 a Monday at 20, 20 a Sunday at 9
    assert profile.hours[20] == pytest.approx(0.6) and profile.hours[9] == pytest.approx(0.4)
    assert np.mean(profile.weekdays) == pytest.approx(1)
    assert profile.weekdays[0] > profile.weekdays[6] > profile.weekdays[3] == 0


def test_a_log_of_dates_has_no_profile_and_midnight_rows_are_left_out(tmp_path):
    dates = [f"2024-01-{d:02d}" for d in range(1, 29)] * 3
    assert log_profile(_log(tmp_path, dates)) is None
    timed = [f"2024-01-{d:02d}T14:30:00" for d in range(1, 29)] * 3
    table = log_hours(_log(tmp_path, dates + timed))
    assert table[:, 0].sum() == 0 and table[:, 14].sum() > 0


@pytest.mark.skipif(not QC.is_dir(), reason="the real exports of ../shared/realdata are absent")
def test_a_real_exports_profile_goes_into_a_scenario(tmp_path):
    from sim.importers import import_export

    log = tmp_path / "qc.parquet"
    import_export("stackexchange", QC, log)
    profile = log_profile(log)
    hours, weekdays = profile.weights()
    # Quantum Computing Stack Exchange, UTC: a worldwide site, quietest in the small hours of
    # UTC, busiest in the European afternoon and American morning; quieter at weekends
    assert hours[2:5].sum() < hours[14:17].sum() / 2
    assert weekdays[5:].mean() < 0.85 * weekdays[:5].mean()
    # a vote's date-only timestamp (midnight) does not make hour 0 the busiest
    assert hours[0] < hours.max() / 1.5
    scenario = parse_scenario("hours: {}")
    scenario = scenario.model_copy(update={"hours": ActiveHours(default=profile)})
    text = scenario.model_dump(mode="json")
    again = parse_scenario(__import__("yaml").safe_dump(text))
    assert again.hours.default.hours == profile.hours


# ---- the hours of a simulated run's events ----------------------------------------------------
SMALL = {"community.members": 100, "arrivals.market_size": 1000, "run.days": 45}


def _scenario(hours=None, scale=10.0):
    """A small community that writes enough to measure (every segment's thread and reply rates
    times ``scale``), with active hours ``hours`` (None: the day-only model)."""
    base = load_scenario(None, SMALL).model_dump()
    rates = {"mix.post_scale": scale, "mix.reply_scale": scale}
    data = apply_overrides(base, scenario_changes(rates, base, None))
    if hours is not None:
        data["hours"] = hours
    return validate_scenario(data, "test")


def test_events_carry_their_members_visit_hours_with_hours_on():
    model = CommunityModel(**_scenario({"default": "office"}).model_kwargs(), rng=3)
    observer = ActivityObserver(model)
    assert observer.start().hour is None  # day 0: the founders join, at no hour
    seen = {VISIT: 0, POST: 0, REPLY: 0, REACT: 0}
    for _ in range(20):
        events = observer.step()
        today = model.population.hour_today
        for action in (VISIT, REPLY, REACT):
            mine = events.action == action
            assert (events.hour[mine] == today[events.member[mine]]).all()
            seen[action] += int(mine.sum())
        posts = events.action == POST
        authors = events.member[posts]
        assert (events.hour[posts][authors >= 0] == today[authors[authors >= 0]]).all()
        seen[POST] += int(posts.sum())
        joins = events.action == JOIN
        assert ((events.hour[joins] == NO_HOUR) | (events.hour[joins] >= 0)).all()
    assert min(seen.values()) > 0, seen
    day_only = ActivityObserver(CommunityModel(**_scenario().model_kwargs(), rng=3))
    day_only.start()
    assert day_only.step().hour is None


def test_an_exported_logs_hours_are_the_runs_and_a_day_only_log_has_dates(tmp_path):
    scenario = _scenario({"default": "office"})
    path = tmp_path / "log.csv"
    write_log(CommunityModel(**scenario.model_kwargs(), rng=4), 30, path)
    # an independent count: the file's post and reply rows by the hour of their timestamp
    frame = pd.read_csv(path)
    stamps = pd.to_datetime(frame["timestamp"], utc=True)
    contributions = frame["action"].isin(["post", "reply"]).to_numpy()
    by_hour = np.bincount(stamps.dt.hour[contributions], minlength=24)
    assert by_hour.sum() > 20
    read = read_log(path)[0].finish().scalars["contributions_by_hour"]
    in_memory = simulated_stats(CommunityModel(**scenario.model_kwargs(), rng=4), 30).finish()
    assert read == by_hour.tolist() == in_memory.scalars["contributions_by_hour"]
    # office hours: most contributions by day (8 am to 6 pm), few at night
    assert by_hour[8:18].sum() > 3 * (by_hour[:6].sum() + by_hour[22:].sum())
    # the day-only model has no time of day: its log holds dates (rows at midnight), so reading
    # it back finds no hours and calibrating it keeps the day-only model
    dates = tmp_path / "dates.csv"
    write_log(CommunityModel(**_scenario().model_kwargs(), rng=4), 30, dates)
    assert (pd.to_datetime(pd.read_csv(dates)["timestamp"], utc=True).dt.hour == 0).all()
    assert "contributions_by_hour" not in read_log(dates)[0].finish().scalars
    assert log_profile(dates) is None


def test_the_base_gets_the_logs_profile_the_users_hours_win_and_dates_keep_the_day_only_model(
    tmp_path,
):
    stamps = [f"2024-01-{d:02d}T{h:02d}:15:00" for d in range(1, 29) for h in (9, 10, 21)]
    path = _log(tmp_path, stamps)
    origin = int(np.datetime64("2024-01-01", "D").astype(int))  # a Monday: day 1 a Tuesday
    base = load_scenario(None, {}).model_dump()
    data, note = calibration_base(base, path, origin)
    assert "active hours on" in note and "Tuesday" in note
    hours = validate_scenario(data, "test").hours
    assert hours.first_weekday == first_weekday(origin) == 1
    assert hours.default.hours == log_profile(path).hours
    assert base.get("hours") is None  # the caller's base is not changed
    own = {**base, "hours": {"default": "night_owl"}}
    kept, note = calibration_base(own, path, origin)
    assert kept is own and "own `hours` section" in note and "wins" in note
    dates = _log(tmp_path, [f"2024-01-{d:02d}" for d in range(1, 29)] * 3)
    same, note = calibration_base(base, dates, origin)
    assert same is base and "active hours off" in note and "no times of day" in note


def _observed(counts) -> Observed:
    scalars = {} if counts is None else {"contributions_by_hour": list(counts)}
    return Observed(pd.DataFrame(), scalars)


def test_the_hour_check_matches_an_independent_count():
    log = np.zeros(24, int)
    log[[9, 10, 11, 20, 21]] = [30, 20, 10, 25, 15]  # busiest four: 9, 10, 20, 21 (90 of 100)
    run_a = np.zeros(24, int)
    run_a[[9, 10, 3]] = [10, 10, 20]  # 20 of 40 in the log's busiest hours
    run_b = np.zeros(24, int)
    run_b[[20, 21, 11]] = [30, 30, 20]  # 60 of 80
    found = hour_check(_observed(log), [_observed(run_a), _observed(run_b)],
                       [_observed(run_a), _observed(run_b), _observed(None)],
                       np.array([0.5, 0.5, 0.0]))  # fmt: skip
    assert found["hours"] == [9, 10, 20, 21]
    assert found["share"] == pytest.approx(0.9)
    assert found["share_calibrated"] == pytest.approx((0.5 + 0.75) / 2)
    # total variation by hand: half the summed absolute differences of the shares
    tv_a = 0.5 * (abs(0.3 - 0.25) + abs(0.2 - 0.25) + 0.1 + 0.25 + 0.15 + 0.5)
    tv_b = 0.5 * (0.3 + 0.2 + abs(0.1 - 0.25) + abs(0.25 - 0.375) + abs(0.15 - 0.375))
    assert found["distance_calibrated"] == pytest.approx((tv_a + tv_b) / 2)
    # the band: weighted 5% and 95% quantiles over the accepted runs (two, equal weights: their
    # values; the run without hours is left out)
    assert found["distance_band"] == pytest.approx((min(tv_a, tv_b), max(tv_a, tv_b)))
    assert found["share_band"] == pytest.approx((0.5, 0.75))
    assert 0 < found["noise"] < 0.2  # 100 draws from the log's own distribution
    # at the check runs' mean count (40 and 80: 60), fewer than the log's 100: noisier
    assert found["calibrated_contributions"] == 60
    assert found["noise_calibrated"] > found["noise"]
    assert hour_check(_observed(None), [_observed(run_a)], [], np.array([])) is None
    assert hour_check(_observed(log), [_observed(None)], [_observed(None)], np.ones(1)) is None


# ---- calibrating with hours on -----------------------------------------------------------------
TINY = ["--particles", "3", "--generations", "1", "--pilot", "1", "--top", "1", "--replicate",
        "1", "--check", "1", "--backend", "serial", "--quiet"]  # fmt: skip


def _stored_scenarios(runs: Path) -> dict[str, list]:
    """Every stored run's scenario (its sweep's base with its point's changes) and summary, by
    the calibration's folder (pilot, generation-1, replicated, check)."""
    found = {}
    for plan_file in sorted(runs.rglob("sweep.json")):
        folder = plan_file.parent
        store, plan = ResultStore(folder), json.loads(plan_file.read_text(encoding="utf-8"))
        part = folder.relative_to(runs).parts[1]  # v<version>/<part>/...
        for run in plan["runs"]:
            if run["key"] not in store.finished():
                continue
            data = apply_overrides(plan["base"], plan["points"][run["point"]])
            summary = store.run_info(run["key"])["summary"]
            found.setdefault(part, []).append((validate_scenario(data, "stored"), summary))
    return found


@pytest.fixture(scope="module")
def timed_log(tmp_path_factory):
    """A small community's log with active hours on (office hours), written by export-log."""
    folder = tmp_path_factory.mktemp("timed")
    scenario = folder / "office.yaml"
    scenario.write_text(
        yaml.safe_dump(_scenario({"default": "office"}).model_dump(mode="json")), encoding="utf-8"
    )
    log = folder / "log.csv"
    assert main(["export-log", str(scenario), "--seed", "5", "--out", str(log)]) == 0
    return folder, log


def test_a_timed_log_is_fitted_with_hours_on_in_every_run(timed_log, tmp_path, capsys):
    _folder, log = timed_log
    out, runs = tmp_path / "fit", tmp_path / "runs"
    assert main(["calibrate", str(log), "--out", str(out), "--runs", str(runs), *TINY]) == 0
    assert "active hours on" in capsys.readouterr().out
    profile = log_profile(log)
    stored = _stored_scenarios(runs)
    # the profile was in the base before the fit: every run of every stage ran with it (applied
    # only after the fit, these runs would have no hours and no contributions by hour)
    assert set(stored) == {"pilot", "generation-1", "replicated", "check"}
    for part, found in stored.items():
        for scenario, summary in found:
            assert scenario.hours is not None, part
            assert scenario.hours.default.hours == profile.hours, part
            assert len(summary["contributions_by_hour"]) == 24, part
    calibrated = load_scenario(out / "calibrated.yaml")
    assert calibrated.hours.default.hours == profile.hours
    assert calibrated.hours.first_weekday == 0  # export-log's day 1 is a Monday, as the model's
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Active hours" in report and "active hours on" in report
    assert "busiest hours (UTC" in report and "total variation" in report
    observed = json.loads((out / "observed.json").read_text(encoding="utf-8"))["scalars"]
    frame = pd.read_csv(log)
    timed = frame[frame["action"].isin(["post", "reply"])]
    hours = pd.to_datetime(timed["timestamp"], utc=True).dt.hour
    assert observed["contributions_by_hour"] == np.bincount(hours, minlength=24).tolist()
    # resumable and deterministic: a rerun simulates nothing again and writes the same scenario
    stored = {p: p.stat().st_mtime_ns for p in runs.rglob("*.parquet")}
    first = (out / "calibrated.yaml").read_text(encoding="utf-8")
    assert main(["calibrate", str(log), "--out", str(out), "--runs", str(runs), *TINY]) == 0
    assert {p: p.stat().st_mtime_ns for p in runs.rglob("*.parquet")} == stored
    assert (out / "calibrated.yaml").read_text(encoding="utf-8") == first


def test_a_date_only_log_keeps_the_day_only_model(timed_log, tmp_path, capsys):
    _folder, log = timed_log
    frame = pd.read_csv(log)
    frame["timestamp"] = frame["timestamp"].str[:10]  # dates only
    dates = tmp_path / "dates.csv"
    frame.to_csv(dates, index=False)
    out, runs = tmp_path / "fit", tmp_path / "runs"
    assert main(["calibrate", str(dates), "--out", str(out), "--runs", str(runs), *TINY]) == 0
    assert "active hours off" in capsys.readouterr().out
    for part, found in _stored_scenarios(runs).items():
        for scenario, summary in found:
            assert scenario.hours is None, part
            assert "contributions_by_hour" not in summary, part
    assert load_scenario(out / "calibrated.yaml").hours is None
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "active hours off" in report and "No hour check" in report
