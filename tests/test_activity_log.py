"""Activity logs: KPIs with the model's definitions, the round trip through a file, timestamp
formats, chunked and unordered input, and malformed logs rejected with status 2, nothing written."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pandas as pd
import pytest

from sim.agents import STATE_NAMES
from sim.calibration import activity
from sim.calibration.activity import ACTIONS, JOIN, POST, REACT, REPLY, VISIT, ActivityStats
from sim.calibration.log import (
    ActivityObserver,
    LogError,
    action_counts,
    add_days,
    read_log,
    simulated_stats,
    write_log,
)
from sim.cli.core import main
from sim.model import CommunityModel
from sim.world.hours import ActiveHours

DAILY = ["joins", "dau", "threads", "replies", "reactions"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A 150-day run of 800 founders, its model and its log as CSV and as Parquet."""
    folder = tmp_path_factory.mktemp("log")
    model = CommunityModel(members=800, market_size=4000, rng=5)
    write_log(model, 150, folder / "log.csv")
    write_log(CommunityModel(members=800, market_size=4000, rng=5), 150, folder / "log.parquet")
    return model, folder


def test_log_kpis_match_the_model(exported):
    model, folder = exported
    stats, start = read_log(folder / "log.csv")
    observed = stats.finish()
    assert start == "2024-01-01"
    summary, series = model.summary(), model.series()
    for age in (1, 7, 30, 90):
        assert observed.scalars[f"retention_{age}"] == pytest.approx(summary[f"retention_{age}"])
    assert observed.scalars["first_post_reply_share"] == pytest.approx(
        summary["first_post_reply_share"]
    )
    assert observed.scalars["first_posts"] == summary["first_posts"]
    assert observed.scalars["founders"] == 800
    assert observed.scalars["newcomers"] == int(series["joins"].sum()) > 0
    daily = observed.daily.set_index("day").loc[1:, DAILY]
    assert (daily.to_numpy() == series[DAILY].to_numpy()).all()
    # posts per member over everyone in the log (the model's summary counts only those present)
    posts = model.population.view("posts")
    assert observed.scalars["top1_post_share"] == pytest.approx(
        activity.inequality(posts)[1], abs=1e-12
    )
    assert observed.scalars["posts_share_0"] == pytest.approx((posts == 0).mean())


def test_parquet_csv_and_in_memory_agree(exported):
    _, folder = exported
    from_csv = read_log(folder / "log.csv")[0].finish()
    from_parquet = read_log(folder / "log.parquet")[0].finish()
    in_memory = simulated_stats(CommunityModel(members=800, market_size=4000, rng=5), 150).finish()
    for other in (from_parquet, in_memory):
        assert other.scalars == from_csv.scalars
        pd.testing.assert_frame_equal(other.daily, from_csv.daily)


def test_chunks_and_order_do_not_matter(monkeypatch):
    model = CommunityModel(members=300, market_size=2000, rng=2)
    whole = simulated_stats(model, 60)
    # every event of the same run, fed shuffled in uneven chunks with frequent compaction
    chunks = list(ActivityObserver(CommunityModel(members=300, market_size=2000, rng=2)).run(60))
    member = np.concatenate([c.member for c in chunks]).astype(np.uint64)
    day = np.concatenate([np.full(c.member.size, c.day) for c in chunks])
    action = np.concatenate([c.action for c in chunks])
    thread = np.concatenate([c.thread for c in chunks])
    order = np.random.default_rng(0).permutation(member.size)
    monkeypatch.setattr(activity, "COMPACT_EVERY", 500)
    shuffled = ActivityStats()
    for part in np.array_split(order, 13):
        shuffled.add(member[part] + np.uint64(10**12), day[part] + 19000, action[part],
                     thread[part])  # fmt: skip
    a, b = whole.finish(), shuffled.finish()
    assert a.scalars == b.scalars
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_days_added_in_chunks_match_day_by_day():
    """``add_days`` (calibration runs hand ActivityStats 32 days at a time): the KPIs of one call
    a day, hours of day included, though day 0's founders carry none (the first chunk mixes a
    day without hours and days with)."""

    def model():
        return CommunityModel(members=300, market_size=2000, rng=4, hours=ActiveHours())

    days = list(ActivityObserver(model()).run(70))
    assert days[0].hour is None and days[1].hour is not None
    daily = ActivityStats()
    for e in days:
        daily.add(e.member.astype(np.uint64), np.full(e.member.size, e.day), e.action, e.thread,
                  e.hour)  # fmt: skip
    chunked = ActivityStats()
    for start in range(0, len(days), 32):
        add_days(chunked, days[start : start + 32])
    a, b = daily.finish(), chunked.finish()
    assert sum(a.scalars["contributions_by_hour"]) > 0
    assert a.scalars == b.scalars
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert simulated_stats(model(), 70).finish().scalars == a.scalars


def test_a_run_without_daily_outputs_is_the_same_run():
    """``CommunityModel(collect=False)`` (calibration runs read only members' counters) skips the
    daily outputs and nothing else: every member state array ends equal; the outputs refuse."""
    runs = [CommunityModel(members=400, market_size=3000, rng=6, collect=c) for c in (True, False)]
    for model in runs:
        for _ in range(50):
            model.step()
    collected, bare = (m.population for m in runs)
    assert bare.n == collected.n
    for name in STATE_NAMES:
        assert np.array_equal(bare.view(name), collected.view(name)), name
    for output in (runs[1].series, runs[1].summary, runs[1].segments_frame):
        with pytest.raises(RuntimeError, match="collect=False"):
            output()


def test_retention_and_reply_definitions_by_hand():
    """Member 1 is a founder; 2 joins on day 1 and acts on days 1 and 8; 3 joins on day 2 and acts
    on days 2, 9, 12 and 40; 2's first thread (day 1) gets a reply from 3; 3's first thread (day 12)
    is too recent to count (31 days are needed to see whether it was answered)."""
    rows = [
        (1, 0, JOIN, -1), (1, 3, VISIT, -1),
        (2, 1, JOIN, -1), (2, 1, POST, 70), (2, 8, REACT, -1),
        (3, 2, JOIN, -1), (3, 2, REPLY, 70), (3, 9, VISIT, -1), (3, 12, POST, 71),
        (3, 40, REPLY, 71),
    ]  # fmt: skip
    stats = ActivityStats()
    stats.add(*(np.array(col) for col in zip(*rows, strict=True)))
    observed = stats.finish()
    s = observed.scalars
    assert (s["founders"], s["newcomers"], s["last_day"]) == (1, 2, 40)
    # retention(1): an action on the join day or the day after: 2 yes, 3 yes (replied on day 2)
    assert s["retention_1"] == 1.0
    # retention(7): days join+1..join+7: 2 acted on day 8 (age 7), 3 on day 9 (age 7)
    assert s["retention_7"] == 1.0
    # retention(30): ages 24..30: nobody acted then (3 acted at ages 10 and 38)
    assert s["retention_30"] == 0.0
    assert s["retention_90"] is None  # nobody is 90 days old yet
    assert s["first_posts"] == 1  # member 2's (day 1); 3's (day 12) is too recent
    assert s["first_post_reply_share"] == 1.0
    assert list(observed.daily["dau"])[:4] == [0, 1, 1, 1]
    assert s["posts_share_0"] == pytest.approx(1 / 3)


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_timestamp_formats_agree(tmp_path):
    """The same events written in every accepted form give the same KPIs."""
    moments = ["2024-03-01T00:00:00Z", "2024-03-02T10:00:00Z", "2024-03-09T23:59:59Z",
               "2024-04-01T12:00:00Z"]  # fmt: skip
    stamps = pd.to_datetime(moments, utc=True)
    forms = {
        "iso_z": [m for m in moments],
        "iso_offset": [t.tz_convert("Europe/Paris").isoformat() for t in stamps],
        "naive_space": [t.strftime("%Y-%m-%d %H:%M:%S") for t in stamps],
        "epoch_s": [str(int(t.timestamp())) for t in stamps],
        "epoch_ms": [str(int(t.timestamp() * 1000)) for t in stamps],
        "fractional": [t.strftime("%Y-%m-%dT%H:%M:%S.250Z") for t in stamps],
    }
    results = []
    for name, written in forms.items():
        rows = zip(["a", "b", "b", "a"], written, ["join", "join", "Visit", "post"], strict=True)
        text = "member,timestamp,action\n" + "".join(f"{m},{t},{a}\n" for m, t, a in rows)
        observed = read_log(_write(tmp_path / f"{name}.csv", text))[0].finish()
        results.append((observed.scalars, observed.daily))
    for scalars, daily in results[1:]:
        assert scalars == results[0][0]
        pd.testing.assert_frame_equal(daily, results[0][1])
    assert results[0][0]["last_day"] == 31
    # a date alone is midnight UTC of that day
    text = "member,timestamp,action\na,2024-03-01,join\na,2024-03-02,visit\n"
    assert read_log(_write(tmp_path / "dates.csv", text))[0].finish().scalars["last_day"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("member,when,action\na,2024-01-01,join\n", ["missing column timestamp", "when"]),
        (
            "member,timestamp,action\na,2024-01-01,join\nb,2024-01-02,like\nc,2024-01-02,Share\n"
            "d,2024-01-03,like\n",
            ["unknown actions 'Share' (1 row, first at line 4)",
             "'like' (2 rows, first at line 3)", "expected one of join, visit, post"],
        ),
        (
            "member,timestamp,action\na,2024-01-01,join\nb,yesterday,visit\n",
            ["line 3, column timestamp: got 'yesterday'; expected ISO 8601"],
        ),
        ("member,timestamp,action\na,2024-01-01,join\n,2024-01-02,visit\n",
         ["line 3, column member: empty"]),
        ("member,timestamp,action\na,2024-01-01,join,extra\n",
         ["line 2: expected 3 columns, got 4"]),
        ("member,timestamp,action\n", ["no rows"]),
    ],
)  # fmt: skip
def test_malformed_logs_are_explained(tmp_path, capsys, text, expected):
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(LogError) as caught:
        read_log(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message
    out = tmp_path / "fit"
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", str(path), "--out", str(out), "--quiet"])
    assert exit_.value.code == 2
    assert expected[0] in capsys.readouterr().err
    assert not out.exists() and not out.with_name("fit.runs").exists()


def test_calibrate_rejects_bad_parameters_before_reading(tmp_path, capsys):
    log = _write(tmp_path / "log.csv", "member,timestamp,action\na,2024-01-01,join\n")
    for param, expected in [
        ("behaviour.quit_rate=0.5", "expected PATH=LOW:HIGH"),
        ("behaviour.quit_rate=0.5:0.1", "must be below HIGH"),
        ("behaviour.quit_rate=0.1:2", "behaviour.quit_rate: got 2"),
        ("behaviour.no_such_rate=0.1:0.2", "no_such_rate"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            main(["calibrate", str(log), "--param", param, "--out", str(tmp_path / "fit")])
        assert exit_.value.code == 2
        assert expected in capsys.readouterr().err
    assert not (tmp_path / "fit").exists()


def test_export_log_command(tmp_path, capsys):
    out = tmp_path / "log.parquet"
    assert main(["export-log", "--members", "200", "--days", "20", "--seed", "4",
                 "--start", "2023-06-01", "--out", str(out)]) == 0  # fmt: skip
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["member", "timestamp", "action", "thread", "topic"]
    assert set(frame["action"]) <= set(ACTIONS)
    assert str(frame["timestamp"].min().date()) == "2023-06-01"
    assert (frame["action"] == "join").sum() >= 200
    replies = frame[frame["action"] == "reply"]
    authors = frame[frame["action"] == "post"].set_index("thread")["member"]
    answered = replies.dropna(subset=["thread"])
    assert (answered["member"].to_numpy() != authors.loc[answered["thread"]].to_numpy()).all()
    assert [p.name for p in tmp_path.iterdir()] == ["log.parquet"]  # no partial file left
    with pytest.raises(SystemExit) as exit_:
        main(["export-log", "--members", "0", "--out", str(tmp_path / "x.csv")])
    assert exit_.value.code == 2
    assert "community.members" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_dashboard_rejects_a_bad_scenario(tmp_path, capsys):
    bad = _write(tmp_path / "bad.yaml", "behaviour: {novelty: 2}\n")
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--scenario", str(bad), "--port", "8799"])
    assert exit_.value.code == 2
    assert "behaviour.novelty" in capsys.readouterr().err


def test_action_counts_leave_a_log_that_is_not_utf8_to_read_log(tmp_path):
    """``action_counts`` reads a CSV before ``read_log`` checks it: a row that is not UTF-8 made
    pyarrow's bad-row handler fail inside pyarrow, an "Exception ignored" on stderr. Now such a
    log gives no counts, silently, and ``read_log`` names the line."""
    path = tmp_path / "log.csv"
    path.write_bytes(b"member,timestamp,action\nm1,2024-01-01,post\n\xaf,x\n")
    ignored, hook = [], sys.unraisablehook
    sys.unraisablehook = ignored.append
    try:
        counts = action_counts(path)
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert counts == {}
    assert ignored == []
    with pytest.raises(LogError, match="line 3: not UTF-8 text"):
        read_log(path)
