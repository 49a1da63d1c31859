"""``benchmarks/diagnostics/own_replies.py`` (issue 15: does a thread's author write in its own
thread before, or without, any other member's reply?), on a log written by hand."""

import pandas as pd
import pytest

from tests.script_helpers import load_script

own_replies = load_script("benchmarks/diagnostics/own_replies.py")


def test_own_replies_before_and_without_others(tmp_path):
    rows = [
        ("a", "2024-01-01 09:00", "post", "t1"),
        ("a", "2024-01-01 09:30", "reply", "t1"),  # own, before b's: first
        ("b", "2024-01-01 10:00", "reply", "t1"),
        ("a", "2024-01-01 10:00", "reply", "t1"),  # own, at b's second: after
        ("c", "2024-01-02 09:00", "post", "t2"),
        ("c", "2024-01-02 09:10", "reply", "t2"),  # own, nobody else ever: first, unanswered
        ("d", "2024-01-03 09:00", "post", "t3"),
        ("a", "2024-01-03 12:00", "reply", "t3"),  # another's reply only
        ("e", "2024-01-04 09:00", "reply", "t9"),  # a thread whose start the log lacks
        ("e", "2024-01-04 09:00", "join", None),
    ]
    frame = pd.DataFrame(rows, columns=["member", "timestamp", "action", "thread"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame.to_parquet(tmp_path / "log.parquet")
    r = own_replies.own_replies(tmp_path / "log.parquet")
    assert r["threads"] == 3
    assert r["replies"] == 5  # t9's reply left out
    assert r["own"] == pytest.approx(3 / 5)
    assert r["own first"] == pytest.approx(2 / 3)
    assert r["own unanswered"] == pytest.approx(1 / 3)
    assert r["threads with own"] == pytest.approx(2 / 3)
