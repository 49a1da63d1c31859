"""A newcomer's need raises its writing (``Rules.need_boost``; Panciera, Halfaker & Terveen 2009:
editors write most at the start of their careers): from joining until its need ends, about
``Rules.need_days`` after its first contribution, a newcomer writes ``need_boost`` times its usual
threads and replies; then its usual rates. Off (1) by default; calibration fits it
(``sim.calibration.fit.NEED_BOOST``). The need's length and lapse: tests/test_one_time.py."""

import numpy as np

from sim.agents import Rules
from sim.calibration.fit import NEED_BOOST, derive_priors
from sim.calibration.log import simulated_stats
from sim.model import CommunityModel
from tests.scenario_helpers import CONTRIBUTIONS, writing_scenario

DAYS = 120


def _scenario(boost: float, need: float = 7.0):
    """The default community with writing rates x3, so that many newcomers write."""
    return writing_scenario(300, DAYS, 3, {"behaviour.need_boost": boost,
                                           "behaviour.need_days": need})  # fmt: skip


def _writing(boost: float, seed: int = 4):
    """Per member slot: what it wrote (threads and replies) while its need lasted and after, with
    the population at the end."""
    model = CommunityModel(**_scenario(boost).model_kwargs(), rng=seed)
    pop = model.population
    during, after = np.zeros(0, np.int64), np.zeros(0, np.int64)
    for _ in range(DAYS):
        model.step()
        n = pop.n
        during = np.concatenate([during, np.zeros(n - during.size, np.int64)])
        after = np.concatenate([after, np.zeros(n - after.size, np.int64)])
        today = pop.view("posts_today").astype(np.int64)
        # close_needs has run: a need whose last day was today is met from tomorrow
        lasting = ~pop.view("is_founder") & (pop.view("need_until") >= model.day)
        during += np.where(lasting, today, 0)
        after += np.where(lasting, 0, today)
    return during, after, pop


def test_off_by_default():
    assert Rules().need_boost == 1
    assert Rules().need_days == 0


def test_newcomers_write_more_while_their_need_lasts():
    """Against the same community without the boost: a newcomer's writing during its need rises
    several times, its writing after it far less, and founders (who have no need) are not boosted
    (they answer more, with more threads to answer, but not by the boost)."""
    # a boost of 1 turns needs off (need_until stays -1); this one keeps them tracked, no boost
    plain_during, plain_after, plain = _writing(1.0 + 1e-6)
    boost_during, boost_after, boosted = _writing(8.0)
    for pop in (plain, boosted):
        assert (pop.view("need_until")[pop.view("is_founder")] == -1).all()
        assert (pop.view("need_until")[~pop.view("is_founder")] >= 0).all()
    assert plain_during[~plain.view("is_founder")].sum() > 100
    newcomer = ~boosted.view("is_founder")
    assert newcomer.sum() > 300
    rise_during = boost_during[newcomer].sum() / plain_during[~plain.view("is_founder")].sum()
    rise_after = boost_after[newcomer].sum() / plain_after[~plain.view("is_founder")].sum()
    assert rise_during > 3, rise_during
    assert rise_during > 2 * rise_after, (rise_during, rise_after)
    founders_rise = boost_after[~newcomer].sum() / plain_after[plain.view("is_founder")].sum()
    assert founders_rise < rise_during / 2, founders_rise


def test_the_boost_front_loads_newcomers_contributions():
    """Under a contributions-only log: retention(7) rises against retention(30), the burst of a
    newcomer's first week that real logs show (Stack Exchange: 0.40 against 0.12)."""
    ratio = {}
    for boost in (1.0, 10.0):
        values = []
        for seed in (1, 2):
            model = CommunityModel(**_scenario(boost).model_kwargs(), rng=seed)
            scalars = simulated_stats(model, DAYS, CONTRIBUTIONS).finish().scalars
            values.append(scalars["retention_7"] / scalars["retention_30"])
        ratio[boost] = np.mean(values)
    assert ratio[10.0] > 1.3 * ratio[1.0], ratio


def test_calibration_fits_the_boost():
    scenario = _scenario(1.0, need=0.0)
    stats = simulated_stats(CommunityModel(**scenario.model_kwargs(), rng=1), 60, CONTRIBUTIONS)
    fitted = {
        p.path: p
        for p in derive_priors(stats.finish(), scenario.model_dump(mode="json")).parameters
    }
    boost = fitted["behaviour.need_boost"]
    assert (boost.low, boost.high, boost.log) == (NEED_BOOST[0], NEED_BOOST[1], True)
    assert fitted["behaviour.need_days"].log
