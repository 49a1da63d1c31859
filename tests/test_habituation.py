"""Habituation (``Rules.habituation``, ``Population.aspiration_level``; Macy & Flache 2002): what a
member expects of a visit adapts to what its visits give, so a frequent visitor of a quiet
community comes to expect what it gets and stays. Off by default (0), where every member's
aspiration is the fixed ``Rules.aspiration`` for life."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit

from sim.agents import Rules, loyalty_target
from sim.calibration.fit import HABITUATION, derive_priors, parse_parameter, scenario_changes
from sim.config import ScenarioError, apply_overrides, load_scenario, validate_scenario
from sim.model import CommunityModel
from tests.script_helpers import load_script
from tests.test_calibration import _observed

ROOT = Path(__file__).resolve().parents[1]
ATTRS = ROOT / "tests" / "fixtures" / "calibrated" / "attrs-v25-seed2.yaml"
# every benefit weighed at 0: a visit's net benefit is minus its reading cost, set by the test
NO_BENEFITS = {
    "info_weight": 0.0,
    "bond_weight": 0.0,
    "identity_weight": 0.0,
    "fun_weight": 0.0,
    "recognition_weight": 0.0,
}


def test_off_by_default_every_aspiration_stays_the_common_one():
    assert Rules().habituation == 0
    model = CommunityModel(members=200, rng=3)
    model.run(20)
    pop = model.population
    assert pop.visits[: pop.n].max() > 5  # members have visited, and nothing moved
    np.testing.assert_array_equal(pop.view("aspiration_level"), np.float32(Rules().aspiration))


def a_third_visiting(rules: Rules):
    """A closed community of 200 after three days, its day begun, and a mask of a third of its
    members (those still here) as today's visitors: for one ``update_states`` by hand."""
    model = CommunityModel(members=200, market_size=0, rules=rules, rng=5)
    model.run(3)
    pop = model.population
    pop.start_day()
    visitors = np.zeros(pop.n, bool)
    visitors[::3] = True
    visitors &= pop.alive[: pop.n]
    return pop, visitors


def test_a_visit_moves_the_visitors_aspiration_toward_its_net_benefit_and_no_one_elses():
    pop, visitors = a_third_visiting(replace(Rules(), habituation=0.1, **NO_BENEFITS))
    rules = pop.rules
    n = pop.n
    pop.cost_today[:n] = np.float32(0.3)  # net benefit -0.3 for each visitor (no withdrawal)
    assert not pop.withdrawal[:n].any() and not pop.removal_ema[:n].any()
    before = pop.aspiration_level[:n].copy()
    loyalty = pop.loyalty[:n].copy()
    nothing = np.zeros(n, np.int32)
    pop.update_states(visitors, nothing, nothing)
    after = pop.aspiration_level[:n]
    expected = before[visitors] + np.float32(0.1) * (np.float32(-0.3) - before[visitors])
    np.testing.assert_allclose(after[visitors], expected, rtol=1e-6)
    np.testing.assert_array_equal(after[~visitors], before[~visitors])
    # the loyalty moved toward the target against the aspiration *before* the visit
    target = expit((np.float32(-0.3) - before[visitors]) / np.float32(rules.temperature))
    kept = loyalty[visitors] * np.float32(1 - rules.forget_rate)
    moved = pop.loyalty[:n][visitors] - kept
    assert np.all(np.sign(moved) == np.sign(target - kept))


def test_at_its_own_aspiration_a_member_is_pulled_to_the_middle():
    net = np.array([-0.2, 0.05, 0.9], np.float32)
    np.testing.assert_allclose(loyalty_target(net, Rules(), net.copy()), 0.5)
    fixed = loyalty_target(net, Rules())
    np.testing.assert_allclose(fixed, expit((net - np.float32(0.42)) / np.float32(0.14)))
    assert fixed[1] < 0.1  # a quiet community's visit against the common aspiration


def test_in_a_quiet_community_the_founders_who_write_most_stay_more_loyal_and_write_more():
    """attrs' version-25 calibration (a real git log's fit: a few founders write most of it):
    its three heaviest founders, traced for 400 days on seeds 1-4, with and without
    habituation. Measured: loyalty at the end 0.09-0.18 without, 0.15-0.33 with (600 days)."""
    trace = load_script("benchmarks/diagnostics/core_tenure.py").trace
    loyal, posts = {}, {}
    for h in (0.0, 0.05):
        runs = [
            trace(ATTRS, seed, every=10**6, top=3, overrides=_changes(h)) for seed in (1, 2, 3, 4)
        ]
        loyal[h] = [np.mean(run["rows"][-1]["loyalty"]) for run in runs]
        posts[h] = sum(sum(run["rows"][-1]["posts"]) for run in runs)
    assert all(w > wo for w, wo in zip(loyal[0.05], loyal[0.0], strict=True)), loyal
    assert posts[0.05] > posts[0.0], posts


def _changes(habituation: float) -> dict:
    return {"behaviour.habituation": habituation, "run.days": 400}


def test_a_habituation_outside_zero_to_one_names_the_field():
    for bad in (-0.1, 1.5):
        with pytest.raises(ScenarioError, match=r"behaviour\.habituation"):
            validate_scenario({"behaviour": {"habituation": bad}})


def test_calibration_fits_it_and_the_runs_take_it():
    """Fitted by default over ``HABITUATION`` (calibrations 29 and 31; 30 fitted it only with
    ``--param``); a calibrated value reaches the runs."""
    base = load_scenario(None).model_dump(mode="json")
    fitted = {p.path: p for p in derive_priors(_observed(20, 300), base).parameters}
    assert {"behaviour.momentum", "behaviour.habituation"} <= fitted.keys()
    habituation = fitted["behaviour.habituation"]
    assert (habituation.low, habituation.high, habituation.log) == (*HABITUATION, True)
    low, high = HABITUATION
    asked = parse_parameter(f"behaviour.habituation={low}:{high}:log")
    assert (asked.low, asked.high, asked.log) == (*HABITUATION, True)
    assert 0 < HABITUATION[0] < HABITUATION[1] <= 1
    changed = scenario_changes({"behaviour.habituation": 0.05}, base, None)
    scenario = validate_scenario(apply_overrides(base, changed))
    assert scenario.behaviour.habituation == 0.05
    assert CommunityModel(**scenario.model_kwargs()).rules.habituation == 0.05
