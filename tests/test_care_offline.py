"""Personal care of key members and offline events (issue 16, items 6 and 7).

Run-level comparisons use the same seeds in both arms (common random numbers) and assert on the
mean paired difference over several seeds.
"""

from dataclasses import replace

import numpy as np
import pytest
import yaml

from sim import CommunityModel, Rules
from sim.config import ScenarioError, parse_scenario
from sim.levers.care import Care, key_members_at_risk
from sim.levers.events import (
    OFFLINE_CAPACITY,
    OFFLINE_COST_PER_ATTENDEE,
    ONLINE_CAPACITY,
    Event,
    Events,
)
from sim.policies import Strategy

SEEDS = range(1, 5)
SMALL = {"members": 1200, "market_size": 6000}


def _run(strategy, days, seed, **kwargs):
    model = CommunityModel(strategy=strategy, rng=seed, **{**SMALL, **kwargs})
    model.run(days)
    return model


# ---- personal care -----------------------------------------------------------------------------------
def test_care_picks_valuable_members_who_went_quiet_most_valuable_first():
    model = _run(None, 40, 1)
    pop, day = model.population, model.day
    targets = key_members_at_risk(pop, day, 3.0, 3, 14, 5)
    value = pop.view("recent_posts")
    quiet = day - pop.view("last_active_day") >= 3
    expected = pop.view("alive") & (value >= 3.0) & quiet
    assert targets.size > 0
    assert set(targets) == set(np.flatnonzero(expected))
    assert (np.diff(value[targets]) <= 0).all()  # most recent posts first
    # a member messaged lately, or messaged to the limit, is left alone
    pop.last_care_day[targets[0]] = day - 1
    pop.care_messages[targets[1]] = 5
    assert not {targets[0], targets[1]} & set(key_members_at_risk(pop, day, 3.0, 3, 14, 5))


def test_care_spends_minutes_per_message_within_its_daily_hours():
    care = Care(hours_per_day=0.5, minutes_per_message=10.0, quiet_days=2)
    s = _run(Strategy(care=care), 60, 1).series()
    assert s["care_messages"].sum() > 0
    assert s["care_hours"].to_numpy() == pytest.approx(s["care_messages"].to_numpy() * 10 / 60)
    assert (s["care_messages"] <= 3).all()  # half an hour: three ten-minute messages a day
    assert s["care_read"].sum() <= s["care_messages"].sum()
    assert s["care_read"].sum() > 0


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_care_counts_as_attention_and_keeps_the_members_it_reaches():
    """A personal message is read on the member's next visit and felt like a reply (Joyce &
    Kraut 2006): the founders it reached end more loyal than the same founders in the paired run
    without it, even when a waiting message does not pull them back. With the attention it gives
    worth nothing (attention_bond and reply_bond 0, the drive gain 0) and no reply pull, the
    messages change nothing for them: the gain is the mechanism's, not the selection's."""

    def gain(rules):
        strategy = Strategy(care=Care(hours_per_day=2.0, quiet_days=2))
        gains = []
        for seed in SEEDS:
            cared = _run(strategy, 120, seed, rules=rules)
            plain = _run(None, 120, seed, rules=rules)
            reached = np.flatnonzero(cared.population.care_messages[: SMALL["members"]] > 0)
            assert reached.size > 0
            gains.append(
                cared.population.loyalty[reached].mean() - plain.population.loyalty[reached].mean()
            )
        return np.array(gains)

    assert gain(Rules()).mean() > 0
    assert gain(replace(Rules(), reply_pull=0.0)).mean() > 0  # the attention alone
    inert = replace(Rules(), attention_bond=0.0, reply_bond=0.0, drive_gain=0.0, reply_pull=0.0)
    assert gain(inert) == pytest.approx(0.0, abs=1e-6)


# ---- offline events ----------------------------------------------------------------------------------
def test_an_offline_event_has_fewer_seats_and_costs_per_attendee_by_default():
    event = Event(kind="qa", every=7, offline=True)
    assert (event.seats, event.price) == (OFFLINE_CAPACITY, OFFLINE_COST_PER_ATTENDEE)
    set_by_hand = Event(kind="qa", every=7, offline=True, capacity=90, cost_per_attendee=0.0)
    assert (set_by_hand.seats, set_by_hand.price) == (90, 0.0)
    online = Event(kind="qa", every=7)
    assert (online.seats, online.price) == (ONLINE_CAPACITY, 0.0)
    # ticked offline later (as on the dashboard), an event left at its defaults takes the offline
    # ones: the defaults follow the format, they are not written in
    ticked = Event.model_validate({**online.model_dump(), "offline": True})
    assert (ticked.seats, ticked.price) == (OFFLINE_CAPACITY, OFFLINE_COST_PER_ATTENDEE)


def test_offline_attendees_are_paid_for_and_only_those_who_can_travel_come():
    event = Event(kind="qa", every=7, start=7, offline=True, hours=0.0)
    s = _run(Strategy(budget=1e6, events=Events(calendar=[event])), 60, 1).series()
    held = s[s["events_held"] > 0]
    assert len(held) == 8
    assert (held["offline_attendance"] <= OFFLINE_CAPACITY).all()
    assert (held["offline_unable"] > 0).all()  # travel friction
    assert s["money_spent"].sum() == pytest.approx(15.0 * s["offline_attendance"].sum())
    # the money runs out: attendees are seated only while the budget pays for them
    poor = _run(Strategy(budget=100.0, events=Events(calendar=[event])), 60, 1).series()
    assert poor["offline_attendance"].sum() == 6  # 100 // 15
    assert poor["money_spent"].sum() <= 100.0


def test_an_offline_event_with_neutral_offline_rules_is_the_online_event():
    """With everyone able to travel and ties and identity no stronger, an offline event is the
    same event online: every series but the offline counts is identical."""
    neutral = replace(Rules(), offline_reach=1.0, offline_bond=1.0, offline_identity=1.0)

    def series(offline):
        event = Event(kind="qa", every=7, capacity=40, offline=offline, cost_per_attendee=0.0)
        model = _run(Strategy(events=Events(calendar=[event])), 50, 2, rules=neutral)
        return model.series().drop(columns=["offline_attendance", "offline_unable"])

    online, offline = series(False), series(True)
    assert online.equals(offline)


def test_offline_events_build_stronger_ties_and_loyalty_than_the_same_event_online():
    """The same 40 seats filled either way: attendees of the offline event bond more strongly
    (Sessions 2010) and gain more identity (Koh et al. 2007)."""

    def run(offline, seed, rules=None):
        event = Event(kind="qa", every=7, capacity=40, offline=offline, cost_per_attendee=0.0)
        return _run(Strategy(events=Events(calendar=[event])), 90, seed, rules=rules or Rules())

    ties, loyalty = [], []
    for seed in SEEDS:
        online, offline = run(False, seed), run(True, seed)
        ties.append(_strength(offline) - _strength(online))
        loyalty.append(
            offline.series()["mean_loyalty"].iloc[-30:].mean()
            - online.series()["mean_loyalty"].iloc[-30:].mean()
        )
    assert np.mean(ties) > 0
    assert np.mean(loyalty) > 0
    # each magnitude moves what it names: stronger bonds raise tie strength
    weak = replace(Rules(), offline_bond=1.0)
    assert _strength(run(True, 1)) > _strength(run(True, 1, weak))


def _strength(model) -> float:
    """Total strength of the founders' ties among themselves."""
    founders = np.arange(SMALL["members"])
    return float(model.population.ties.strength_of(founders, np.ones(founders.size, bool)).sum())


# ---- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("strategy", "field"),
    [
        ({"care": {"quiet_days": 0}}, "strategy.care.quiet_days"),
        ({"care": {"minutes_per_message": 0}}, "strategy.care.minutes_per_message"),
        ({"events": {"calendar": [{"kind": "qa", "day": 3, "offline": "yes"}]}}, "offline"),
        (
            {"events": {"calendar": [{"kind": "qa", "day": 3, "cost_per_attendee": -1}]}},
            "cost_per_attendee",
        ),
    ],
)
def test_bad_care_and_offline_settings_name_the_field(strategy, field):
    with pytest.raises(ScenarioError, match=field):
        parse_scenario(yaml.safe_dump({"strategy": strategy}))
