"""``benchmarks/diagnostics/core_tenure.py`` (issue 15: does the core stay as long as the log's?):
the top contributors' spans are read from contributions only, and a founder's leaving is told
apart as inactivity or a quit."""

import pandas as pd
from scipy.special import expit

from tests.script_helpers import load_script


def _script():
    """Import the diagnostic by path (``benchmarks`` is not a package)."""
    return load_script("benchmarks/diagnostics/core_tenure.py")


def test_spans_count_contributions_only_from_the_first_one(tmp_path):
    start = pd.Timestamp("2024-03-01 12:00", tz="UTC")
    rows = [  # (member, days after start, action)
        ("early-visitor", -5, "visit"),  # not a contribution: the log starts at day 0 below
        ("a", 0, "post"),
        ("a", 2, "reply"),
        ("b", 5, "post"),
        ("a", 10, "reply"),
        ("c", 7, "react"),
        ("b", 3, "join"),
    ]
    log = pd.DataFrame(
        {
            "member": [m for m, _, _ in rows],
            "timestamp": [start + pd.Timedelta(days=d) for _, d, _ in rows],
            "action": [a for _, _, a in rows],
        }
    )
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    days, count, members = _script().spans(path, top=3)
    assert (days, count) == (11, 4)
    assert members == [(3, 0, 10), (1, 5, 5)]


def test_trace_follows_the_heaviest_founder_and_tells_inactivity_from_quitting():
    script = _script()
    weights = {"community.members": 4, "community.founder_weights": [20, 1, 1, 1]}
    idle = script.trace(
        None,
        1,
        every=50,
        top=3,
        overrides={
            **weights,
            "run.days": 200,
            "behaviour.quit_rate": 0.0,
            "behaviour.inactivity_limit": 14,
        },
    )
    assert idle["slots"][0] == 0  # the founder weighted 20 writes most
    left = [how for how, day in zip(idle["how"], idle["leave_day"], strict=True) if day >= 0]
    assert left and set(left) == {"inactive"}
    assert [how == "staying" for how in idle["how"]] == [d < 0 for d in idle["leave_day"]]
    quitting = script.trace(
        None,
        1,
        every=50,
        top=3,
        overrides={
            **weights,
            "run.days": 100,
            "behaviour.quit_rate": 0.8,
            "behaviour.quit_threshold": 1.0,
            "behaviour.inactivity_limit": 365,
        },
    )
    assert min(quitting["leave_day"]) >= 0 and set(quitting["how"]) == {"quit"}
    first, last = quitting["rows"][0], quitting["rows"][-1]
    assert first["day"] == 0 and last["day"] == 99 and last["alive"] == [0, 0, 0]


def test_the_heaviest_founders_visits_are_weighed_as_update_states_weighs_them():
    """Every visit of the heaviest founder is counted in one period, and with the benefits'
    weights at 0 each period's terms are 0 and its target loyalty at most expit(-aspiration /
    temperature), the target of a visit that gives nothing."""
    script = _script()
    base = {"community.members": 4, "community.founder_weights": [20, 1, 1, 1], "run.days": 90}
    plain = script.trace(None, 2, every=30, top=2, overrides=base)
    assert [p["from"] for p in plain["benefits"]] == [0, 30, 60]
    assert sum(p["visits"] for p in plain["benefits"]) == plain["visits"] > 0
    visited = [p for p in plain["benefits"] if p["visits"]]
    assert any(p["bond"] > 0 or p["information"] > 0 for p in visited)
    assert all(0 < p["target"] < 1 for p in visited)
    weightless = {
        **base,
        "behaviour.info_weight": 0.0,
        "behaviour.bond_weight": 0.0,
        "behaviour.fun_weight": 0.0,
    }
    got = script.trace(None, 2, every=30, top=2, overrides=weightless)
    rules = script.load_scenario(None, weightless).rules()
    ceiling = float(expit(-rules.aspiration / rules.temperature))
    visited = [p for p in got["benefits"] if p["visits"]]
    assert visited
    for period in visited:
        assert period["information"] == period["bond"] == period["fun"] == 0
        assert period["target"] <= round(ceiling, 3)
