"""One-time contributors (``Rules.one_time_share``; Pinto, Steinmacher & Gerosa 2016): a share of
newcomers come to make one contribution, so when their need ends, about ``Rules.need_days`` after
their first (0: that day only), or that long after joining if they have not written by then, they
start no thread and reply to no other's (follow-ups in their own threads go on). Off (0) by
default. Calibration fits both (``sim.calibration.fit.ONE_TIME``, ``NEED_DAYS``): they set a log's
contributor retention apart from its volume. The need's boost to writing: tests/test_need_boost.py."""

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.fit import MOMENTUM, ONE_TIME, derive_priors
from sim.calibration.log import simulated_stats
from sim.model import CommunityModel
from tests.scenario_helpers import CONTRIBUTIONS, writing_scenario


def _scenario(share: float, followup: float = 0.0, days: int = 90, need: float = 0.0):
    """The default community with writing rates x5, so that many newcomers write."""
    changes = {
        "behaviour.one_time_share": share,
        "behaviour.followup": followup,
        "behaviour.need_days": need,
    }
    return writing_scenario(300, days, 5, changes)


def _writing_days(share: float, followup: float = 0.0, seed: int = 3, need: float = 0.0):
    """Run the scenario; per member slot, the number of days it started a thread or replied to
    another's (follow-ups in its own threads left out), and the first and last such day (-1:
    none), with the population at the end."""
    scenario = _scenario(share, followup, need=need)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    pop = model.population
    days = np.zeros(0, np.int64)
    first, last = np.zeros(0, np.int64), np.zeros(0, np.int64)
    followups_before = np.zeros(0, np.int32)
    for _ in range(scenario.run.days):
        model.step()
        n = pop.n
        days = np.concatenate([days, np.zeros(n - days.size, np.int64)])
        followups_before = np.concatenate(
            [followups_before, np.zeros(n - followups_before.size, np.int32)]
        )
        followups_today = pop.view("followups") - followups_before
        wrote = (pop.view("posts_today") - followups_today) > 0
        days += wrote
        first = np.concatenate([first, np.full(n - first.size, -1, np.int64)])
        last = np.concatenate([last, np.full(n - last.size, -1, np.int64)])
        first[wrote & (first < 0)] = model.day  # the day just run (days count from 1)
        last[wrote] = model.day
        followups_before = pop.view("followups").copy()
    if need == 0:
        return days, pop
    return days, pop, first, last


def test_off_by_default_nobody_is_a_one_timer():
    assert Rules().one_time_share == 0
    days, pop = _writing_days(0.0)
    assert not pop.view("one_time").any()
    newcomer = ~pop.view("is_founder")
    assert (days[newcomer] >= 2).sum() > 10  # newcomers write on several days


def test_the_share_of_newcomers_drawn_one_time_and_no_founder():
    _, pop = _writing_days(0.4)
    one_time, founder = pop.view("one_time"), pop.view("is_founder")
    assert not one_time[founder].any()
    newcomers = int((~founder).sum())
    assert newcomers > 300
    assert one_time[~founder].mean() == pytest.approx(0.4, abs=3 / np.sqrt(newcomers))


@pytest.mark.parametrize("followup", [0.0, 1.0])
def test_one_timers_start_threads_and_reply_to_others_on_one_day_only(followup):
    days, pop = _writing_days(0.5, followup)
    one_time, founder = pop.view("one_time"), pop.view("is_founder")
    assert (days[one_time] == 1).sum() > 20  # many one-timers wrote ...
    assert days[one_time].max() == 1  # ... on one day each
    others = ~one_time & ~founder
    assert (days[others] >= 2).sum() > 10  # the other newcomers write on several days
    if followup == 0:  # nothing after the first day: a one-timer never "posts again"
        assert not pop.view("posted_again")[one_time].any()
    else:  # its follow-ups in its own threads go on
        assert pop.view("followups")[one_time].sum() > 0


def test_a_newcomers_need_lasts_about_need_days_after_its_first_contribution_or_lapses():
    days, pop, first, last = _writing_days(1.0, need=6.0)
    one_time, founder = pop.view("one_time"), pop.view("is_founder")
    until, joined = pop.view("need_until"), pop.view("join_day")
    # each newcomer's length L = floor(-6 ln u), drawn at joining from its slot's own uniform
    u = pop.streams.slot_uniform("trait.need", 0, pop.n)[:, 0]
    length = np.floor(-6.0 * np.log1p(-u)).astype(np.int64)
    newcomer = ~founder
    wrote = one_time & (days > 0)
    silent = newcomer & (days == 0)
    assert wrote.sum() > 50 and silent.sum() > 50
    assert (until[founder] == -1).all()
    # voiced: the need lasts L days from the first contribution, and nothing is written after it
    np.testing.assert_array_equal(until[wrote], first[wrote] + length[wrote])
    assert (until[wrote] == first[wrote]).any()  # some needs end on the first day
    assert (last[wrote] <= until[wrote]).all()
    # ... and was voiced within L days of joining; an unvoiced one lapses at joining day plus L
    assert (first[wrote] - joined[wrote] <= length[wrote]).all()
    np.testing.assert_array_equal(until[silent], joined[silent] + length[silent])
    # floor(-6 ln u): mean exp(-1/6) / (1 - exp(-1/6)), about 5.5 days
    expected = np.exp(-1 / 6) / (1 - np.exp(-1 / 6))
    assert length[newcomer].mean() == pytest.approx(expected, rel=4 / np.sqrt(newcomer.sum()))
    assert (days[wrote] >= 2).sum() > 0.2 * wrote.sum()  # many write on several days
    # needs that ended by the last day (90) are met: those members write no more (need_met)
    met = pop.view("need_met")
    np.testing.assert_array_equal(met, newcomer & (until <= 90))
    assert met.sum() > 100


def test_one_timers_lower_contributor_retention_and_unvoiced_needs_the_first_contributions():
    """Under a contributions-only log, newcomers' retention(30) falls with the share; with needs of
    a day (need_days 0) a one-timer who does not write on its joining day never does, so fewer
    newcomers make a first contribution, though the one-timers who do still make many of them."""
    retention, newcomers = {}, {}
    for share in (0.0, 0.8):
        scenario = _scenario(share, days=120)
        values = []
        for seed in (1, 2):
            model = CommunityModel(**scenario.model_kwargs(), rng=seed)
            scalars = simulated_stats(model, scenario.run.days, CONTRIBUTIONS).finish().scalars
            values.append((scalars["retention_30"], scalars["newcomers"]))
        retention[share] = np.mean([v[0] for v in values])
        newcomers[share] = np.mean([v[1] for v in values])
    assert retention[0.8] < 0.7 * retention[0.0], retention
    # 80% one-timers: the 20% regulars alone would make about a fifth of the first contributions
    assert 0.3 * newcomers[0.0] < newcomers[0.8] < 0.9 * newcomers[0.0], newcomers


def test_calibration_fits_the_share_and_momentum():
    """Both are parameters of the fit, over ``ONE_TIME`` and ``MOMENTUM``."""
    scenario = _scenario(0.0, days=60)
    stats = simulated_stats(CommunityModel(**scenario.model_kwargs(), rng=1), 60, CONTRIBUTIONS)
    base = scenario.model_dump(mode="json")
    fitted = {p.path: p for p in derive_priors(stats.finish(), base).parameters}
    share, momentum = fitted["behaviour.one_time_share"], fitted["behaviour.momentum"]
    assert (share.low, share.high, share.log) == (ONE_TIME[0], ONE_TIME[1], False)
    assert (momentum.low, momentum.high, momentum.log) == (MOMENTUM[0], MOMENTUM[1], True)
