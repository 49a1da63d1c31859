"""The founders as the core (``Rules.founder_activity``; Mockus et al. 2002, Crowston & Howison
2005): the starting members' thread and reply rates times a factor. Off (1) by default; calibration
compares the founders' share of contributions (``founders_post_share``) and fits the factor when
the log shows founders (``sim.calibration.fit.FOUNDER_ACTIVITY``)."""

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.activity import ActivityStats, Observation
from sim.calibration.fit import FOUNDER_ACTIVITY, SHARES, derive_priors, discrepancies
from sim.calibration.log import simulated_stats
from sim.model import CommunityModel
from tests.scenario_helpers import CONTRIBUTIONS, writing_scenario

DAYS = 90


def _scenario(activity: float):
    """The default community, 200 founders, writing rates x3 so that enough members write."""
    return writing_scenario(200, DAYS, 3, {"behaviour.founder_activity": activity})


def test_off_by_default():
    assert Rules().founder_activity == 1


def test_only_the_core_writes_more_when_the_core_is_fewer_than_the_founders():
    """``Rules.founder_core``: the first that many founders are the core (the factor on their
    rates), the other founders a periphery at their own rates; 0 (the default) is every founder."""
    assert Rules().founder_core == 0
    plain = CommunityModel(**_scenario(1.0).model_kwargs(), rng=5).population
    changes = {"behaviour.founder_activity": 4.0, "behaviour.founder_core": 30}
    scenario = writing_scenario(200, DAYS, 3, changes)
    core = CommunityModel(**scenario.model_kwargs(), rng=5).population
    for rate in ("post_base", "reply_base"):
        np.testing.assert_allclose(core.view(rate)[:30], 4 * plain.view(rate)[:30])
        np.testing.assert_array_equal(core.view(rate)[30:], plain.view(rate)[30:])


def test_the_core_starts_a_thread_on_day_1_and_the_periphery_as_its_rates_bring_it():
    """A log's founders are those it shows writing at its start, so the core writes from it."""
    changes = {"behaviour.founder_activity": 2.0, "behaviour.founder_core": 30}
    model = CommunityModel(**writing_scenario(200, DAYS, 1, changes).model_kwargs(), rng=5)
    model.step()
    pop = model.population
    first = pop.view("first_post_day")
    assert pop.view("asks")[:30].all() and not pop.view("asks")[30:200].any()
    assert (first[:30] == 1).all()
    assert (first[30:200] == 1).mean() < 0.2


def test_founders_start_with_their_rates_times_the_factor_and_newcomers_do_not():
    """Same seed, same draws: each founder's thread and reply rates are exactly the factor times
    those it has with the rule off; every newcomer's (while both runs still draw alike, on day 0
    and in the first arrivals) are unchanged."""
    plain = CommunityModel(**_scenario(1.0).model_kwargs(), rng=5).population
    core = CommunityModel(**_scenario(4.0).model_kwargs(), rng=5).population
    founders = plain.view("is_founder")
    assert founders.sum() == 200 and (core.view("is_founder") == founders).all()
    for rate in ("post_base", "reply_base"):
        np.testing.assert_allclose(core.view(rate)[founders], 4 * plain.view(rate)[founders])
        np.testing.assert_array_equal(core.view(rate)[~founders], plain.view(rate)[~founders])


def _founders_share(activity: float, seed: int) -> float:
    model = CommunityModel(**_scenario(activity).model_kwargs(), rng=seed)
    return simulated_stats(model, DAYS, CONTRIBUTIONS).finish().scalars["founders_post_share"]


def test_the_founders_write_a_larger_share():
    """Measured as a contributions-only log measures it: the founders' share of contributions
    rises with the factor, on every seed."""
    for seed in (1, 2, 3):
        shares = [_founders_share(a, seed) for a in (1.0, 5.0)]
        assert shares[1] > shares[0] + 0.1, (seed, shares)


def test_the_founders_share_is_measured_alike_on_logs_and_runs():
    """Members joining in the founder window (or acting without a join row) are founders; their
    contributions over all contributions."""
    stats = ActivityStats(Observation(founder_days=7))
    member = np.array([1, 1, 1, 2, 3, 3], np.uint64)
    day = np.array([0, 3, 20, 2, 10, 11])
    # actions: join, post, reply; member 1 joins day 0 and writes 2, member 2 writes on day 2
    # without a join row (a founder), member 3 joins day 10 and writes 1
    action = np.array([0, 2, 3, 3, 0, 2], np.int8)
    stats.add(member, day, action)
    scalars = stats.finish().scalars
    assert scalars["founders"] == 2 and scalars["newcomers"] == 1
    assert scalars["founders_post_share"] == pytest.approx(3 / 4)
    assert "founders_post_share" in SHARES


def test_calibration_fits_the_factor_and_compares_the_share():
    scenario = _scenario(1.0)
    observed = simulated_stats(
        CommunityModel(**scenario.model_kwargs(), rng=1), DAYS, CONTRIBUTIONS
    ).finish()
    assert observed.scalars["founders"] > 0
    fitted = {
        p.path: p for p in derive_priors(observed, scenario.model_dump(mode="json")).parameters
    }
    factor = fitted["behaviour.founder_activity"]
    assert (factor.low, factor.high, factor.log) == (*FOUNDER_ACTIVITY, True)
    assert "founders_post_share" in discrepancies(observed, observed)
