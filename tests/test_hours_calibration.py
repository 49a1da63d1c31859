"""Active hours from a log (``sim.calibration.hours``): importers keep the time of day, so a
community's hour x weekday profile is estimated from its log and written into the calibrated
scenario."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.hours import log_hours, log_profile
from sim.config import parse_scenario
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
