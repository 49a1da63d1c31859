"""``benchmarks/diagnostics/day_bursts.py`` (issue 15: do members write in bursts on the days they
write?): contributions per member-day with one, the share of such days with two or more, and the
members whose contributions fall on one day."""

from dataclasses import replace

import pandas as pd
import pytest

from sim.agents import Rules
from sim.calibration.log import write_log
from sim.model import CommunityModel
from tests.script_helpers import load_script

day_bursts = load_script("benchmarks/diagnostics/day_bursts.py")


def test_a_logs_member_days_are_counted_from_contributions_only(tmp_path):
    rows = [
        ("a", "2024-01-01 09:00", "post"),
        ("a", "2024-01-01 09:10", "reply"),
        ("a", "2024-01-01 23:50", "reply"),  # a: 3 on day 1
        ("a", "2024-01-04 10:00", "post"),  # ... and 1 on day 4
        ("a", "2024-01-04 10:00", "visit"),  # not a contribution
        ("b", "2024-01-02 00:10", "reply"),
        ("b", "2024-01-02 08:00", "react"),  # not a contribution
        ("c", "2024-01-03 12:00", "post"),
        ("c", "2024-01-03 13:00", "reply"),  # c: 2 on one day
        ("d", "2024-01-03 13:00", "join"),  # never contributes: not a member here
    ]
    frame = pd.DataFrame(rows, columns=["member", "timestamp", "action"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame.to_parquet(tmp_path / "log.parquet")
    r = day_bursts.day_bursts(tmp_path / "log.parquet")
    assert r["members"] == 3
    # member-days: a 3, a 1, b 1, c 2
    assert r["per day"] == pytest.approx(7 / 4)
    assert r["2+"] == pytest.approx(2 / 4)
    assert r["top1% per day"] == pytest.approx(2.0)  # a, over its two days
    assert r["one day"] == pytest.approx(2 / 3)  # b and c
    assert r["one"] == pytest.approx(1 / 3)  # b
    text = day_bursts.table([("x", r)], markdown=True)
    assert text.splitlines()[2] == "| x | 3 | 1.75 | 0.50 | 2.00 | 0.67 | 0.33 |"


def test_a_runs_log_with_sessions_holds_more_busy_days(tmp_path):
    """On a run's exported log, writing sessions (``Rules.session_size``) raise the share of
    member-days with two or more contributions: the diagnostic sees what the mechanism does."""
    shares = []
    for size in (1.0, 4.0):
        model = CommunityModel(members=400, rules=replace(Rules(), session_size=size), rng=2)
        path = tmp_path / f"run-{size}.parquet"
        write_log(model, 40, path)
        shares.append(day_bursts.day_bursts(path)["2+"])
    assert shares[1] > shares[0] + 0.1
