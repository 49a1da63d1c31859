"""Individual interest (``Rules.individual_interest``, ``Population.own_interest``; Hidi &
Renninger 2006): a share of the interest a member joins with is its own and lasts, the rest drifts
toward the information benefit of its visits. Off by default (0), where the whole interest
drifts."""

from dataclasses import replace

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.fit import INDIVIDUAL_INTEREST, derive_priors, parse_parameter
from sim.config import ScenarioError, apply_overrides, load_scenario, validate_scenario
from sim.model import CommunityModel
from tests.script_helpers import load_script
from tests.test_calibration import _observed
from tests.test_habituation import ATTRS, a_third_visiting


def _one_update(share: float, info: float):
    """One day's update of a third of the members, each having read ``info`` today; returns the
    population, the visitors and their interest and own interest before it."""
    pop, visitors = a_third_visiting(replace(Rules(), individual_interest=share))
    n = pop.n
    pop.info_today[:n] = np.float32(info)
    before, own = pop.interest[:n].copy(), pop.own_interest[:n].copy()
    nothing = np.zeros(n, np.int32)
    pop.update_states(visitors, nothing, nothing)
    return pop, visitors, before, own


def test_every_member_joins_with_its_interest_as_its_own():
    model = CommunityModel(members=300, rng=2)
    model.run(30)
    pop = model.population
    n = pop.n
    assert n > 300  # newcomers joined too
    np.testing.assert_array_equal(pop.own_interest[:n], 0.4 + 0.4 * pop.intrinsic[:n])
    assert not np.array_equal(pop.interest[:n], pop.own_interest[:n])  # off: it drifted


def test_off_by_default_interest_drifts_toward_the_information_benefit():
    assert Rules().individual_interest == 0
    pop, visitors, before, _ = _one_update(0.0, 0.0)
    rate = np.float32(Rules().interest_rate)
    n = pop.n
    np.testing.assert_allclose(pop.interest[:n][visitors], before[visitors] * (1 - rate), rtol=1e-6)
    np.testing.assert_array_equal(pop.interest[:n][~visitors], before[~visitors])


def test_with_it_interest_drifts_toward_its_share_of_the_own_plus_the_rest_of_the_benefit():
    share, info = 0.6, 0.1
    pop, visitors, before, own = _one_update(share, info)
    rate = np.float32(Rules().interest_rate)
    target = np.float32(share) * own + np.float32(1 - share) * np.float32(info)
    expected = before + rate * (target - before)
    n = pop.n
    np.testing.assert_allclose(pop.interest[:n][visitors], expected[visitors], rtol=1e-6)
    np.testing.assert_array_equal(pop.interest[:n][~visitors], before[~visitors])
    np.testing.assert_array_equal(pop.own_interest[:n], own)  # the own interest never moves


def test_all_of_it_own_a_members_interest_never_moves():
    rules = replace(Rules(), individual_interest=1.0)
    model = CommunityModel(members=200, rules=rules, rng=4)
    model.run(40)
    pop = model.population
    assert pop.visits[: pop.n].max() > 10
    np.testing.assert_array_equal(pop.interest[: pop.n], pop.own_interest[: pop.n])


def test_in_a_quiet_community_the_heaviest_founders_keep_their_interest_and_write_more():
    """attrs' version-25 calibration (a real git log's fit), its three heaviest founders traced
    for 400 days on seeds 1-4, with and without individual interest. Measured at 0: their interest
    was 0.014-0.074 at the end, their posts 1,340 in all; at 0.8: 0.49-0.64 and 4,416."""
    trace = load_script("benchmarks/diagnostics/core_tenure.py").trace
    interest, posts = {}, {}
    for share in (0.0, 0.8):
        overrides = {"behaviour.individual_interest": share, "run.days": 400}
        runs = [
            trace(ATTRS, seed, every=10**6, top=3, overrides=overrides) for seed in (1, 2, 3, 4)
        ]
        interest[share] = [np.mean(run["rows"][-1]["interest"]) for run in runs]
        posts[share] = sum(sum(run["rows"][-1]["posts"]) for run in runs)
    assert max(interest[0.0]) < 0.1 < 0.3 < min(interest[0.8]), interest
    assert posts[0.8] > posts[0.0], posts


def test_a_share_outside_zero_to_one_names_the_field_and_a_scenario_takes_it():
    for bad in (-0.1, 1.5):
        with pytest.raises(ScenarioError, match=r"behaviour\.individual_interest"):
            validate_scenario({"behaviour": {"individual_interest": bad}})
    base = load_scenario(None).model_dump(mode="json")
    scenario = validate_scenario(apply_overrides(base, {"behaviour.individual_interest": 0.4}))
    assert CommunityModel(**scenario.model_kwargs()).rules.individual_interest == 0.4


def test_calibration_fits_it_over_its_whole_range():
    """Fitted by default since calibration 31, uniform over ``INDIVIDUAL_INTEREST``."""
    base = load_scenario(None).model_dump(mode="json")
    priors = derive_priors(_observed(20, 300), base).parameters
    (fitted,) = [p for p in priors if p.path == "behaviour.individual_interest"]
    assert (
        (fitted.low, fitted.high, fitted.log) == (*INDIVIDUAL_INTEREST, False) == (0.0, 1.0, False)
    )
    asked = parse_parameter("behaviour.individual_interest=0.2:0.6")  # and --param narrows it
    assert (asked.low, asked.high) == (0.2, 0.6)
