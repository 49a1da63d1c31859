"""Polls and surveys (issue 16, item 4).

Run-level comparisons use the same seeds in both arms (common random numbers) and assert on the
mean paired difference over several seeds.
"""

from dataclasses import replace

import numpy as np
import pytest
import yaml

from sim import CommunityModel, Rules
from sim.config import ScenarioError, parse_scenario
from sim.levers import events
from sim.levers.adaptive import Adaptive
from sim.levers.content import Content
from sim.levers.events import Event, Events
from sim.levers.leaders import Leaders
from sim.policies import Strategy

SEEDS = range(1, 5)
SMALL = {"members": 1200, "market_size": 6000}
POOR_MIX = [0.2, 0.2, 0.3, 0.5, 1, 1, 2, 3]  # mostly the least popular topics


def _run(strategy, days, seed, **kwargs):
    model = CommunityModel(strategy=strategy, rng=seed, **{**SMALL, **kwargs})
    model.run(days)
    return model


# ---- polls -------------------------------------------------------------------------------------------
def _poll():
    return Strategy(events=Events(calendar=[Event(kind="poll", every=7, start=7, hours=0.5)]))


def test_a_weekly_poll_draws_visitors_on_poll_days_without_ties():
    """Voters visit on poll days (DAU up against the same seeds without a poll); a poll makes no
    ties between them and costs only its half hour."""
    lifts, ties = [], []
    for seed in SEEDS:
        polled, plain = _run(_poll(), 60, seed), _run(Strategy(), 60, seed)
        s, b = polled.series(), plain.series()
        days = s["events_held"] > 0
        assert days.sum() == 8 and s["event_attendance"][days].min() > 0
        lifts.append(float((s["dau"][days] - b["dau"][days]).mean()))
        ties.append(s["event_attendance"].sum())
    assert np.mean(lifts) > 10, lifts  # voters are visitors
    assert all(t > 0 for t in ties)


def test_a_poll_calls_back_nobody_who_left(monkeypatch):
    """Unlike a Q&A, a poll does not reach members who left: the call-back never runs for it."""
    calls = []
    monkeypatch.setattr(events, "_call_back", lambda pop, day, draw: calls.append(day))

    def called(kind):
        calls.clear()
        event = Event(kind=kind, day=30, hours=0.5)
        _run(Strategy(events=Events(calendar=[event])), 31, 2)
        return list(calls)

    assert called("qa") == [30]
    assert called("poll") == []


# ---- surveys -----------------------------------------------------------------------------------------
def _survey(seed, rules=None, days=120, **adaptive):
    strategy = Strategy(
        content=Content(posts_per_day=6, topic_mix=POOR_MIX),
        adaptive=Adaptive(source="survey", every=14, **adaptive),
    )
    return _run(strategy, days, seed, **({"rules": rules} if rules else {}))


def test_survey_respondents_are_more_loyal_than_the_members_response_bias():
    """A member answers with chance Rules.survey_response x loyalty, so the respondents' mean
    loyalty (what the survey reports as satisfaction) is above that of all members (Groves &
    Peytcheva 2008: response propensity tied to what is measured)."""
    gaps = []
    for seed in SEEDS:
        s = _survey(seed, days=90).series()
        days = s["surveys"] > 0
        assert days.sum() == 5  # days 28, 42, ..., 84 (after the 14-day window)
        assert (s["survey_responses"][days] > 0).all()
        gaps.append(float((s["survey_satisfaction"][days] - s["mean_loyalty"][days]).mean()))
    assert np.mean(gaps) > 0.03, gaps


def _alignment(model) -> float:
    """Correlation of the operator's topic mix with members' mean interest in each topic."""
    pop = model.population
    wanted = pop.pref[pop.here()].mean(axis=0)
    return float(np.corrcoef(model.strategy.content._topic_weights, wanted)[0, 1])


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_a_survey_steers_the_topic_mix_toward_what_members_report():
    """From a mix on the least popular topics, survey answers move it toward members' interests;
    with nobody answering (survey_response 0) it stays where it started. Answers without the
    members' interests (noise only) would only flatten the mix toward uniform, not line it up
    with what members want: the mix must end positively correlated with their interests."""
    silent = replace(Rules(), survey_response=0.0)
    diffs, aligned = [], []
    for seed in SEEDS:
        asked, unanswered = _survey(seed), _survey(seed, rules=silent)
        assert unanswered.series()["survey_responses"].sum() == 0
        aligned.append(_alignment(asked))
        diffs.append(aligned[-1] - _alignment(unanswered))
    assert np.mean(diffs) > 0.3, diffs
    assert np.mean(aligned) > 0.4, aligned


def test_a_survey_costs_its_hours_and_is_skipped_without_them():
    s = _survey(1, days=60, survey_hours=2.0).series()
    assert s["surveys"].sum() == 3
    broke = Strategy(
        hours_per_day=1.0,
        content=Content(posts_per_day=1, topic_mix=POOR_MIX),
        adaptive=Adaptive(source="survey", every=14, survey_hours=5.0),
    )
    t = _run(broke, 60, 1).series()
    assert t["surveys"].sum() == 0 and t["skipped_adaptive"].sum() == 3


# ---- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("strategy", "field"),
    [
        ({"adaptive": {"source": "asking"}}, "strategy.adaptive.source"),
        ({"adaptive": {"survey_sample": 0}}, "strategy.adaptive.survey_sample"),
        ({"adaptive": {"survey_noise": -1}}, "strategy.adaptive.survey_noise"),
        ({"events": {"calendar": [{"kind": "vote", "day": 3}]}}, "kind"),
    ],
)
def test_bad_poll_and_survey_settings_name_the_field(strategy, field):
    with pytest.raises(ScenarioError, match=field):
        parse_scenario(yaml.safe_dump({"strategy": strategy}))


# ---- guest experts -----------------------------------------------------------------------------------
def _qa(kind, money=100.0, rules=None, seed=1):
    event = Event(kind=kind, every=7, start=7, capacity=1000, money=money)
    strategy = Strategy(budget=10_000.0, events=Events(calendar=[event]))
    return _run(strategy, 60, seed, **({"rules": rules} if rules else {})).series()


def test_a_guest_expert_draws_more_than_the_teams_own_qa_and_is_paid():
    gains = []
    for seed in SEEDS:
        expert, own = _qa("expert", seed=seed), _qa("qa", money=0.0, seed=seed)
        assert expert["money_spent"].sum() == pytest.approx(100.0 * expert["events_held"].sum())
        assert own["money_spent"].sum() == 0
        gains.append(expert["event_attendance"].sum() / own["event_attendance"].sum())
    assert np.mean(gains) > 1.25, gains  # Rules.expert_draw 1.5, less the loyalty mix


def test_a_guest_expert_with_no_extra_draw_is_the_teams_qa():
    """With Rules.expert_draw 1, a guest expert's Q&A is the same Q&A: every series identical."""
    same = replace(Rules(), expert_draw=1.0)
    assert _qa("expert", rules=same).equals(_qa("qa", rules=same))


def test_a_guest_expert_must_be_paid():
    with pytest.raises(ScenarioError, match="money"):
        parse_scenario(
            yaml.safe_dump({"strategy": {"events": {"calendar": [{"kind": "expert", "day": 3}]}}})
        )


# ---- opinion leaders ---------------------------------------------------------------------------------
def _leaders_run(seed, cultivate=False, rules=None):
    """Leaders named on day 60; what they received and how loyal they are on day 90."""
    strategy = Strategy(leaders=Leaders(every=60, cultivate=cultivate))
    model = CommunityModel(
        strategy=strategy, rng=seed, **SMALL, **({"rules": rules} if rules else {})
    )
    model.run(60)
    leaders = model.strategy.leaders._leaders.copy()
    before = model.population.replies_received[leaders].astype(float)
    model.run(30)
    pop = model.population
    return leaders, pop.replies_received[leaders] - before, pop.loyalty[leaders]


def test_opinion_leaders_threads_draw_more_replies():
    """Named leaders receive more replies over the next month than the same members would with
    plain threads (Rules.leader_appeal 1), on the same seeds."""
    plain = replace(Rules(), leader_appeal=1.0)
    ratios = []
    for seed in SEEDS:
        leaders, drawn, _ = _leaders_run(seed)
        same, plain_drawn, _ = _leaders_run(seed, rules=plain)
        assert leaders.size == 20 and (leaders == same).all()  # named before the lever acts
        ratios.append(drawn.sum() / max(plain_drawn.sum(), 1))
    assert min(ratios) > 1 and np.mean(ratios) > 1.05, ratios  # replies to threads only


def test_cultivated_leaders_are_more_loyal():
    gaps = []
    for seed in SEEDS:
        _, _, left_alone = _leaders_run(seed)
        _, _, cultivated = _leaders_run(seed, cultivate=True)
        gaps.append(float(cultivated.mean() - left_alone.mean()))
    assert np.mean(gaps) > 0.005, gaps
