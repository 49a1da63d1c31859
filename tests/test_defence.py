"""Counter-levers to a competitor (issue 16, item 9): exclusive content and retention offers
(``sim.levers.defence``).

Run-level comparisons use the same seeds in both arms (common random numbers: the competitor's
draw for a member on a day is the same in both) and assert on paired differences over seeds.
"""

from dataclasses import replace

import numpy as np
import pytest
import yaml

from sim import CommunityModel, Rules
from sim.config import ScenarioError, parse_scenario
from sim.levers.content import Content
from sim.levers.defence import Defence, lure_factor, read_exclusive
from sim.policies import Strategy
from sim.world.outcomes import LeaveReason
from sim.world.uncertainties import Competitor, Uncertainties

SEEDS = range(1, 5)
SMALL = {"members": 800, "market_size": 4000}
OPENS = 30  # the day the competitor opens
DAYS = 150


def _model(strategy, seed, rules=None):
    return CommunityModel(
        strategy=strategy,
        rng=seed,
        rules=rules or Rules(),
        uncertainties=Uncertainties(competitor=Competitor(start=OPENS, pull=0.8)),
        **SMALL,
    )


def _run(strategy, seed, rules=None):
    model = _model(strategy, seed, rules)
    model.run(DAYS)
    return model


def _lured(model) -> np.ndarray:
    pop = model.population
    return ~pop.view("alive") & (pop.view("leave_reason") == LeaveReason.LURED_AWAY)


# ---- exclusive content -------------------------------------------------------------------------
@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_exclusive_content_keeps_its_readers_from_the_competitor():
    """Under a competitor, making a third of the operator's posts exclusive means fewer members
    lured away than the same posts not exclusive (a switching cost: Burnham, Frels & Mahajan
    2003), on every seed; the exclusive posts are counted and cost their extra hours. With
    ``exclusive_hold`` 0 the same exclusive posts keep no one: the runs are identical, so the
    difference is the mechanism's."""
    plain = Strategy(content=Content())
    exclusive = Strategy(content=Content(), defence=Defence(offers=False))
    fewer = []
    for seed in SEEDS:
        a, b = _run(plain, seed), _run(exclusive, seed)
        sa, sb = a.series(), b.series()
        assert sb["exclusive_posts"].sum() > 0
        extra = sb["hours_used"].sum() - sa["hours_used"].sum()
        assert extra == pytest.approx(sb["exclusive_posts"].sum() * 1.0)
        fewer.append(sa["leaves_lured_away"].sum() - sb["leaves_lured_away"].sum())
        if seed == 1:
            off = _run(exclusive, seed, replace(Rules(), exclusive_hold=0.0)).series()
            assert off["leaves_lured_away"].sum() == sa["leaves_lured_away"].sum()
            assert off["members"].iloc[-1] == sa["members"].iloc[-1]
    assert min(fewer) > 0, fewer
    assert np.mean(fewer) > 20, fewer


def test_exclusive_reading_builds_only_from_exclusive_posts_read():
    """Members who visit build up exclusive reading; without operator posts to mark (no content
    lever) nothing is exclusive and nobody's pull changes."""
    model = _run(Strategy(content=Content(), defence=Defence(offers=False)), 1)
    read = model.population.view("exclusive_read")
    visited = model.population.view("last_active_day") >= DAYS - 7
    assert read[visited].mean() > read[~visited].mean() > -1
    assert (read >= 0).all()
    bare = _run(Strategy(defence=Defence(offers=False)), 1)
    assert bare.series()["exclusive_posts"].sum() == 0
    assert not bare.population.view("exclusive_read").any()


def test_exclusive_memory_and_scale_set_the_fade_and_the_saturation():
    """``Rules.exclusive_memory``: the count of exclusive items read fades by 1/memory a day;
    ``Rules.exclusive_scale``: the competitor's pull is multiplied by
    ``1 - exclusive_hold x (1 - exp(-read / scale))`` (no offers: nothing else changes it)."""
    rules = replace(Rules(), exclusive_memory=4.0, exclusive_scale=2.0, exclusive_hold=0.6)
    pop = _model(Strategy(defence=Defence(offers=False)), 1, rules).population
    read = pop.view("exclusive_read")
    read[:] = np.linspace(0, 6, read.size, dtype=np.float32)
    before = read.copy()
    read_exclusive(pop, np.array([], dtype=np.int64), None)
    np.testing.assert_allclose(read, before * 0.75, rtol=1e-6)
    factor = lure_factor(pop, 10, 90)
    np.testing.assert_allclose(factor, 1 - 0.6 * (1 - np.exp(-read / 2.0)), rtol=1e-5)
    at_scale = np.argmin(np.abs(read - 2.0))
    read[at_scale] = 2.0  # one scale read: 63% of the way to the full hold
    assert lure_factor(pop, 10, 90)[at_scale] == pytest.approx(1 - 0.6 * (1 - np.exp(-1)), 1e-6)


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_a_shorter_memory_or_a_larger_scale_holds_fewer_readers():
    """Under a competitor, with a third of the operator's posts exclusive: a memory of 3 days
    instead of 30, or a scale of 10 items instead of 1, lowers the switching cost, so more members
    are lured away than with the defaults, on every seed."""
    exclusive = Strategy(content=Content(), defence=Defence(offers=False))
    short = replace(Rules(), exclusive_memory=3.0)
    large = replace(Rules(), exclusive_scale=10.0)
    more_short, more_large = [], []
    for seed in SEEDS:
        lured = _run(exclusive, seed).series()["leaves_lured_away"].sum()
        more_short.append(_run(exclusive, seed, short).series()["leaves_lured_away"].sum() - lured)
        more_large.append(_run(exclusive, seed, large).series()["leaves_lured_away"].sum() - lured)
    assert min(more_short) > 0, more_short
    assert min(more_large) > 0, more_large


# ---- retention offers --------------------------------------------------------------------------
def test_offers_start_with_the_competitor_and_pay_for_those_taken():
    model = _run(Strategy(defence=Defence(exclusive_share=0.0, value=5.0)), 1)
    s, pop = model.series(), model.population
    assert s["offers_made"].iloc[: OPENS - 1].sum() == 0  # nothing before the competitor opens
    assert s["offers_made"].sum() > 0
    assert 0 < s["offers_taken"].sum() < s["offers_made"].sum()
    assert s["money_spent"].sum() == pytest.approx(5.0 * s["offers_taken"].sum())
    offered = pop.view("offer_day") > 0
    assert offered.sum() == s["offers_made"].sum()  # each member at most once
    assert pop.view("offer_taken").sum() == s["offers_taken"].sum()
    assert not pop.view("offer_taken")[~offered].any()
    assert s["offers_holding"].max() > 0


def test_offers_taken_beyond_the_budget_are_unpaid_and_do_not_hold():
    strategy = Strategy(budget=50.0, defence=Defence(exclusive_share=0.0, value=5.0))
    model = _run(strategy, 1)
    s, pop = model.series(), model.population
    assert s["offers_taken"].sum() == 10  # 50 buys ten
    assert s["money_spent"].sum() == pytest.approx(50.0)
    assert s["unpaid_defence"].sum() > 0
    assert pop.view("offer_taken").sum() == 10


def test_offer_to_quiet_members_only_reaches_members_away_for_quiet_days():
    model = _model(Strategy(defence=Defence(exclusive_share=0.0, quiet_days=10)), 1)
    model.run(OPENS)  # up to the day the competitor opens: the first offers
    pop = model.population
    offered = np.flatnonzero(pop.view("offer_day") > 0)
    assert (pop.offer_day[offered] == OPENS).all()
    assert offered.size > 0
    day = pop.offer_day[offered]
    assert (day - pop.join_day[offered] >= 10).all()
    last = pop.last_active_day[offered]  # (a member offered may visit later that day)
    assert ((day - last >= 10) | (last == day)).all()


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_a_taken_offer_holds_and_a_declined_one_wakes_members_up():
    """The benefit and the wake-up risk (Ascarza, Iyengar & Schleicher 2016), founder by founder
    against the paired run without offers. Offers go to every member the day the competitor opens:
    founders who took one are lured away less than the same founders without offers, and founders
    who declined although they were not at risk (they had visited in the week before) are lured
    away more. Neither is selection: with offer_hold 0 and offer_wakeup 0 offers change no one's
    pull, and the takers' and decliners' lured counts match the run without offers except for the
    few whose loyalty the paid offer's crowding out moved."""
    everyone = Strategy(defence=Defence(exclusive_share=0.0, offer_to="everyone"))
    founders = slice(0, SMALL["members"])

    def paired(rules):
        held, woken = [], []
        for seed in SEEDS:
            offered = _model(everyone, seed, rules)
            offered.run(OPENS - 1)
            recent = offered.population.last_active_day[founders] >= OPENS - 8
            offered.run(DAYS - OPENS + 1)
            plain = _run(None, seed, rules)
            pop = offered.population
            made = pop.offer_day[founders] > 0
            took = pop.offer_taken[founders]
            a, b = _lured(plain)[founders], _lured(offered)[founders]
            held.append(int(a[took].sum()) - int(b[took].sum()))
            declined = made & ~took & recent
            woken.append(int(b[declined].sum()) - int(a[declined].sum()))
        return np.array(held), np.array(woken)

    held, woken = paired(Rules())
    assert held.mean() > 2 and (held >= 0).all(), held
    assert woken.mean() > 5 and (woken > 0).all(), woken
    held, woken = paired(replace(Rules(), offer_hold=0.0, offer_wakeup=0.0))
    assert abs(held.mean()) < 2, held
    assert abs(woken.mean()) < 3, woken


def test_wakeup_alone_raises_the_competitors_catch():
    """Nobody takes the offer (offer_accept 0): every member offered is only woken up, so more are
    lured away than without offers, on every seed; with offer_wakeup 0 too the runs are identical
    in who leaves."""
    everyone = Strategy(defence=Defence(exclusive_share=0.0, offer_to="everyone"))
    refuse = replace(Rules(), offer_accept=0.0)
    more = []
    for seed in SEEDS[:3]:
        plain = _run(None, seed, refuse).series()
        woken = _run(everyone, seed, refuse).series()
        more.append(woken["leaves_lured_away"].sum() - plain["leaves_lured_away"].sum())
    assert min(more) > 0, more
    plain = _run(None, 1, refuse).series()
    asleep = _run(everyone, 1, replace(refuse, offer_wakeup=0.0)).series()
    assert (asleep["leaves_lured_away"] == plain["leaves_lured_away"]).all()


# ---- scenario fields ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "value", "named"),
    [
        ({"offer_to": "nobody"}, "offer_to", "must be one of quiet, everyone"),
        ({"exclusive_share": 1.5}, "exclusive_share", "must be between 0 and 1"),
        ({"quiet_days": 0}, "quiet_days", "must be between 1 and 3650"),
        ({"value": -1}, "value", "must be between 0 and"),
    ],
)
def test_bad_defence_settings_name_the_field_and_the_allowed_values(section, value, named):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(yaml.safe_dump({"strategy": {"defence": section}}))
    message = str(error.value)
    assert f"strategy.defence.{value}" in message
    assert named in message


@pytest.mark.parametrize("name", ["exclusive_hold", "offer_accept", "offer_hold"])
def test_behaviour_shares_must_be_probabilities(name):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(yaml.safe_dump({"behaviour": {name: 1.5}}))
    assert f"behaviour.{name}" in str(error.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("exclusive_memory", 0.5), ("exclusive_memory", 5000), ("exclusive_scale", 0.0)],
)
def test_exclusive_memory_and_scale_are_bounded(name, value):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(yaml.safe_dump({"behaviour": {name: value}}))
    assert f"behaviour.{name}" in str(error.value)


def test_the_dashboard_offers_a_competitor_and_the_defence_controls():
    from sim.ui.dashboard import DASHBOARD_COMPETITOR_DAY, Setup, Versus

    assert Setup().community_kwargs().get("uncertainties") is None
    setup = Setup(members=300, market_size=1000, competitor_pull=0.5, compare=False)
    competitor = setup.community_kwargs()["uncertainties"].competitor
    assert (competitor.start, competitor.pull) == (DASHBOARD_COMPETITOR_DAY, 0.5)
    assert Versus(setup).a.uncertainties.competitor.pull == 0.5
    both = Setup(members=300, market_size=1000, competitor_pull=0.5, trend_lift=2.0)
    world = both.community_kwargs()["uncertainties"]
    assert world.trend.lift == 2.0 and world.competitor.pull == 0.5
    fields = {control.field for control in Defence.controls}
    assert {"exclusive_share", "offers", "offer_to", "quiet_days", "value"} <= fields
