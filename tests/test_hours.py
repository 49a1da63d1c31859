"""Active hours (issue 16, item 1): hour x weekday profiles, items that age within the day, and
the operator's scheduled posts and live events (``sim.world.hours``).

Run-level comparisons use the same seeds in both arms (common random numbers) and assert on every
seed or on the mean paired difference over several seeds.
"""

from dataclasses import replace

import numpy as np
import pytest
import yaml

from sim import CommunityModel, Rules
from sim.config import ScenarioError, parse_scenario
from sim.levers.content import Content
from sim.levers.events import Event, Events
from sim.policies import Strategy
from sim.world.hours import ActiveHours, Clock, Profile, exposure_table

SEEDS = range(1, 5)
SMALL = {"members": 800, "market_size": 4000}


EVENING = ActiveHours()


def _run(days, seed, hours=EVENING, strategy=None, rules=None):
    model = CommunityModel(
        strategy=strategy, hours=hours, rules=rules or Rules(), rng=seed, **SMALL
    )
    model.run(days)
    return model


def _poster(hour: int) -> Strategy:
    return Strategy(content=Content(posts_per_day=8, quality=0.85, hour=hour))


# ---- profiles and visit hours ------------------------------------------------------------------------
def test_named_shapes_and_explicit_weights_resolve_to_normalised_tables():
    hours, weekdays = Profile(shape="office").weights()
    assert hours.sum() == pytest.approx(1) and weekdays.mean() == pytest.approx(1)
    assert 9 <= int(np.argmax(hours)) <= 16 and weekdays[5] < weekdays[0]  # by day, weekdays
    custom = Profile(hours=[0] * 23 + [5], weekdays=[1, 1, 1, 1, 1, 1, 8])
    hours, weekdays = custom.weights()
    assert hours[23] == 1 and weekdays[6] == pytest.approx(7 * 8 / 14)


def test_visit_hours_follow_each_segments_profile_and_weekday():
    hours = ActiveHours(segments={"casual": "office", "engaged": "night_owl"})
    model = _run(28, 1, hours)
    heat = model.clock.heatmap  # (segment, weekday, hour)
    names = model.clock.segment_names
    office, owl = heat[names.index("casual")], heat[names.index("engaged")]
    assert 9 <= int(office.sum(axis=0).argmax()) <= 16
    by_hour = owl.sum(axis=0)
    assert by_hour[[21, 22, 23, 0, 1]].sum() > 4 * by_hour[[5, 6, 7, 8, 9]].sum()  # late, not early
    assert office[:, 3:6].sum() < office[:, 10:13].sum() / 10  # few office visits at 3-5 am
    # office workers visit less at weekends (weekday weights 0.7 against 1.1-1.15)
    assert office[5:].sum(axis=1).mean() < 0.8 * office[:5].sum(axis=1).mean()
    # every visit is counted once, in its hour
    assert heat.sum() == model.series()["dau"].sum()


def test_items_sink_as_newer_items_arrive_and_scroll_away_in_a_chat_group():
    counts = np.zeros(24)
    counts[[12, 13, 18]] = [30, 60, 60]
    forum = exposure_table("forum", counts, 60.0, 100.0)
    # a post at noon: seen just after (13: 15-45 newer), at 17 (all 90 of 12-13 above it), at 20
    # (150 above it) and at 11 the next morning (a day's 150, less the 0 of 11 am... all of them)
    assert forum[13, 12] > forum[17, 12] > forum[20, 12] >= forum[11, 12] > 0
    assert forum[17, 12] == pytest.approx(2 ** (-75 / 60), rel=0.15)  # half of 12's, all of 13's
    assert forum[15, 14] == 1  # nothing posted after 14 until 15: nothing above it
    chat = exposure_table("chat_group", counts, 60.0, 100.0)
    assert chat[17, 12] == 1 and chat[20, 12] == 0  # 150 newer messages: scrolled away
    assert (exposure_table("forum", np.zeros(24), 60.0, 100.0) == 1).all()


# ---- the paired tests: when the operator posts, and when the live Q&A is held ------------------------
def test_posting_at_the_peak_hour_reaches_more_readers_within_two_hours_than_at_4am():
    """Every seed: the evening profile's busiest hour (21) against its quietest (4)."""
    for seed in SEEDS:
        runs = {hour: _run(60, seed, strategy=_poster(hour)) for hour in (4, 21)}
        seen = {h: m.series()["operator_seen_2h"].mean() for h, m in runs.items()}
        readers = {h: m.series()["operator_readers_2h"].mean() for h, m in runs.items()}
        assert seen[21] > 5 * seen[4], (seed, seen)
        assert readers[21] > 5 * readers[4], (seed, readers)


def test_a_live_qa_at_the_peak_hour_draws_more_attendees_than_off_peak():
    attendance = {4: [], 21: [], None: []}
    for seed in SEEDS:
        for hour in attendance:
            event = Event(kind="qa", every=7, start=7, capacity=10_000, hour=hour)
            model = _run(60, seed, strategy=Strategy(events=Events(calendar=[event])))
            attendance[hour].append(model.series()["event_attendance"].sum())
    peak, off, untimed = (np.array(attendance[h]) for h in (21, 4, None))
    assert (peak > 3 * off).all(), attendance
    # at the profile's busiest hour members come as to an event not tied to an hour
    assert (peak >= 0.8 * untimed).all() and (peak <= untimed * 1.01).all(), attendance


def test_a_live_events_attendees_visit_at_its_hour():
    """A flat profile (members online at any hour alike), so that many come at 4 am."""
    event = Event(kind="qa", every=7, start=7, capacity=10_000, hour=4)
    flat = ActiveHours(default="flat")
    model = _run(28, 2, flat, strategy=Strategy(events=Events(calendar=[event])))
    by_day = np.stack(model.clock.days).sum(axis=1)  # (day, hour)
    attendance = model.series()["event_attendance"].to_numpy()
    held = np.flatnonzero(attendance > 0)
    assert held.size == 4  # days 7, 14, 21 and 28
    other = np.setdiff1d(np.arange(28), held)
    # at 4 am: the attendees, above the few who come then anyway
    assert (by_day[held, 4] >= attendance[held]).all()
    assert by_day[held, 4].min() > 2 * by_day[other, 4].max()
    assert attendance[held].min() > 20


def test_a_longer_chat_scroll_window_lets_members_read_more():
    """chat_group: a reader sees only what was posted within its scroll window before its visit."""
    chat = replace(Rules(), platform=replace(Rules().platform, kind="chat_group"))
    gains = []
    for seed in SEEDS:
        short = _run(40, seed, rules=replace(chat, chat_scroll_messages=2.0))
        long = _run(40, seed, rules=replace(chat, chat_scroll_messages=1000.0))
        gains.append(
            long.series()["mean_info_benefit"].mean() - short.series()["mean_info_benefit"].mean()
        )
    assert min(gains) > 0, gains


def test_items_age_so_members_read_less_than_in_the_day_only_model():
    """Hours on: each visit sees what has not sunk yet; the day-only model sees the whole day (a
    flat profile, so that visiting is the same on every weekday and only sinking differs; a busy
    community's sinking: visibility halves with every 5 newer items)."""
    for seed in SEEDS[:2]:
        off = CommunityModel(rng=seed, **SMALL)
        off.run(30)
        on = _run(30, seed, ActiveHours(default="flat"), rules=replace(Rules(), sink_half_items=5))
        assert on.series()["mean_info_benefit"].iloc[5:].mean() < 0.8 * (
            off.series()["mean_info_benefit"].iloc[5:].mean()
        )


def test_same_scenario_and_seed_give_identical_hours_outputs():
    a, b = (_run(20, 7, strategy=_poster(20)) for _ in range(2))
    assert a.series().equals(b.series())
    assert (a.clock.heatmap == b.clock.heatmap).all()


def test_the_clock_is_absent_without_an_hours_section():
    model = CommunityModel(rng=1, **SMALL)
    model.run(3)
    assert model.clock is None and "operator_seen_2h" not in model.series()


# ---- scenario fields ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"default": "lunchtime"}, "hours.default"),
        ({"segments": {"nobody": "office"}}, "hours.segments.nobody"),
        ({"segments": {"casual": {"hours": [1, 2, 3]}}}, "hours.segments.casual"),
        ({"segments": {"casual": {"shape": "dawn"}}}, "hours.segments.casual"),
        ({"first_weekday": 7}, "hours.first_weekday"),
    ],
)
def test_bad_hours_settings_name_the_field(hours, field):
    with pytest.raises(ScenarioError, match=field.replace(".", r"\.")):
        parse_scenario(yaml.safe_dump({"hours": hours}))


def test_bad_event_and_content_hours_name_the_field():
    bad = {"strategy": {"content": {"hour": 24}}}
    with pytest.raises(ScenarioError, match=r"strategy\.content\.hour"):
        parse_scenario(yaml.safe_dump(bad))
    bad = {"strategy": {"events": {"calendar": [{"kind": "qa", "day": 3, "hour": -1}]}}}
    with pytest.raises(ScenarioError, match="hour"):
        parse_scenario(yaml.safe_dump(bad))


def test_active_hours_with_groups_are_accepted():
    """Hours and groups together are a valid scenario (each group's items age in its own stream:
    sim.world.hours, Clock.age); tests/test_hours_groups.py runs them."""
    both = {"hours": {}, "groups": [{"name": "chat", "platform": {"kind": "chat_group"}}]}
    scenario = parse_scenario(yaml.safe_dump(both))
    assert scenario.hours is not None and len(scenario.groups) == 1


def test_a_named_profile_can_be_shared_between_segments():
    scenario = parse_scenario(
        yaml.safe_dump(
            {
                "hours": {
                    "profiles": {"students": {"shape": "night_owl", "weekdays": [1] * 7}},
                    "segments": {"casual": "students", "engaged": "students"},
                    "default": "office",
                }
            }
        )
    )
    clock = Clock(scenario.hours, scenario.rules())
    assert (clock.cdf[0] == clock.cdf[1]).all() and (clock.cdf[0] != clock.cdf[2]).any()
