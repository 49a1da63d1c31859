"""Founders as the log shows them (``Rules.founder_weights`` and ``founder_visits``, in
``community``): the first founders write and visit in the proportions given (a log's counts of
each founder's contributions and days with one) instead of drawn ones (Hassan, Pavon & Gilbert
2008); calibration takes them from the log (``sim.calibration.fit.founder_weights``). Empty by
default: the founders are drawn."""

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.activity import ActivityStats, Observation
from sim.calibration.fit import derive_priors, founder_weights, scenario_changes
from sim.calibration.log import simulated_stats
from sim.config import ScenarioError, apply_overrides, validate_scenario
from sim.model import CommunityModel
from tests.scenario_helpers import CONTRIBUTIONS, writing_scenario

DAYS = 120
WEIGHTS = [40.0, 8.0, 4.0, 2.0, 1.0, 1.0, 1.0, 1.0]
VISITS = [20.0, 4.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0]


def _population(weights, seed=5, members=60, visits=None):
    changes = {"community.founder_weights": weights} if weights else {}
    if visits:
        changes["community.founder_visits"] = visits
    scenario = writing_scenario(members, DAYS, 3, changes)
    return CommunityModel(**scenario.model_kwargs(), rng=seed)


def _thread_factor(intrinsic):
    """What the drawn motivation adds to a visitor's thread rate on its first day
    (``Population._thread_rate``: 2 x intrinsic x (0.3 + interest), interest 0.4 + 0.4 x
    intrinsic)."""
    return 2 * intrinsic * (0.7 + 0.4 * intrinsic)


def test_off_by_default():
    assert Rules().founder_weights == () and Rules().founder_visits == ()


def test_the_visiting_weights_share_out_visits_not_writing():
    """With visiting weights each weighted founder visits with the mix's mean probability times
    its weight over their mean (at most 1), and writes per visit so much less or more that its
    expected writing (visits times rates) is what the writing weights alone give."""
    alone = _population(WEIGHTS).population
    both = _population(WEIGHTS, visits=VISITS).population
    k = len(WEIGHTS)
    mean_visit = alone.view("visit_base")[0]
    expected = np.minimum(mean_visit * np.array(VISITS) / np.mean(VISITS), 1.0)
    np.testing.assert_allclose(both.view("visit_base")[:k], expected, rtol=1e-6)
    assert both.view("visit_base")[0] > 2 * both.view("visit_base")[4]
    for rate in ("post_base", "reply_base"):
        writing = both.view(rate)[:k] * both.view("visit_base")[:k]
        np.testing.assert_allclose(writing, alone.view(rate)[:k] * mean_visit, rtol=1e-5)


def test_the_weighted_founders_start_in_the_given_proportions():
    """Each weighted founder visits alike and its starting thread and reply rates, with what its
    drawn motivation adds, are the weights times one factor; the founders after them and every
    newcomer keep their draws (same seed, same draws)."""
    plain = _population([]).population
    weighted = _population(WEIGHTS).population
    k = len(WEIGHTS)
    visit = weighted.view("visit_base")[:k]
    assert np.ptp(visit) == 0
    intrinsic = weighted.view("intrinsic")[:k].astype(np.float64)
    threads = weighted.view("post_base")[:k] * _thread_factor(intrinsic) / WEIGHTS
    replies = weighted.view("reply_base")[:k] * intrinsic / WEIGHTS
    np.testing.assert_allclose(threads, threads[0], rtol=1e-5)
    np.testing.assert_allclose(replies, replies[0], rtol=1e-5)
    for rate in ("visit_base", "post_base", "reply_base", "intrinsic"):
        np.testing.assert_array_equal(weighted.view(rate)[k:], plain.view(rate)[k:])
    # the drawn founders' rates are not in these proportions: the rule did something
    drawn = plain.view("post_base")[:k] * _thread_factor(plain.view("intrinsic")[:k]) / WEIGHTS
    assert np.ptp(drawn / drawn[0]) > 0.5


def test_the_weights_keep_the_mix_mean_rate():
    """Weights all equal give every weighted founder the member mix's mean rates (the mean of the
    drawn log-normal and Pareto factors: ``sim.calibration.fit._mixed`` keeps the same mean), so
    the weights share out writing without adding to it."""
    rules = Rules()
    share = np.array([m.share for m in rules.member_mix])
    share = share / share.sum()
    drawn = np.array([np.exp(m.spread**2 / 2) / (1 - m.tail) for m in rules.member_mix])
    mean_post = float(np.sum(share * [m.post for m in rules.member_mix] * drawn)) * 3
    pop = _population([1.0] * 10).population
    typical = float(np.sum(share * [m.intrinsic for m in rules.member_mix]))
    intrinsic = pop.view("intrinsic")[:10].astype(np.float64)
    expected = mean_post * _thread_factor(typical) / _thread_factor(intrinsic)
    np.testing.assert_allclose(pop.view("post_base")[:10], expected, rtol=1e-5)


def test_the_heaviest_weighted_founder_writes_most_on_every_seed():
    """The outcome: over the first months the founder given 40 times the lightest's weight
    writes more than all the founders weighted 1 together, on each of four seeds; drawn, the
    first founder does so on none."""
    for seed in (1, 2, 3, 4):
        for weights, heaviest in ((WEIGHTS, True), ([], False)):
            model = _population(weights, seed)
            model.run(DAYS)
            posts = model.population.view("posts")
            light = posts[4:8].sum() if heaviest else posts[1:8].sum()
            assert (posts[0] > light) == heaviest, (seed, weights, posts[:8].tolist())


@pytest.mark.parametrize(
    "weights, message",
    [
        ([0.0, 0.0], "at least one must be above 0"),
        ([1.0] * 61, "at most one per founder"),
        ([-1.0], "community.founder_weights"),
    ],
)
def test_bad_weights_name_the_field(weights, message):
    with pytest.raises(ScenarioError) as caught:
        _population(weights)
    assert "community.founder_weights" in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    "visits, message",
    [([1.0, 2.0], "one weight per founder_weights item"), ([0.0] * 8, "at least one")],
)
def test_bad_visiting_weights_name_the_field(visits, message):
    with pytest.raises(ScenarioError) as caught:
        _population(WEIGHTS, visits=visits)
    assert "community.founder_visits" in str(caught.value) and message in str(caught.value)


def test_a_log_gives_each_founders_contributions_and_days_most_first_and_a_run_does_not():
    """Members 1 and 2 are founders (a join row on day 0; none), member 3 a newcomer; member 2
    writes twice on day 2 (one day), member 1 three times on three days."""
    member = np.array([1, 1, 1, 2, 2, 3, 3, 1], np.uint64)
    day = np.array([0, 3, 20, 2, 2, 10, 11, 30])
    action = np.array([0, 2, 3, 3, 3, 0, 2, 2], np.int8)  # join, post, reply
    stats = ActivityStats(Observation(founder_days=7))
    stats.add(member, day, action)
    scalars = stats.finish().scalars
    assert scalars["founders_posts"] == [3, 2] and scalars["founders_days"] == [3, 1]
    simulated = stats.finish(days=40).scalars
    assert "founders_posts" not in simulated and "founders_days" not in simulated


def test_calibration_gives_the_core_the_logs_proportions():
    """``derive_priors`` keeps the log's founders' contributions; each particle's founders'
    core writes in their proportions (``scenario_changes``), resampled when the community is
    simulated at a smaller scale, and the scenario runs."""
    model = _population([])
    observed = simulated_stats(model, DAYS, CONTRIBUTIONS).finish()
    posts, active = [12, 6, 3, 3, 0], [4, 4, 1, 1, 0]
    observed.scalars.update(founders=5, founders_posts=posts, founders_days=active)
    base = writing_scenario(60, DAYS, 3, {}).model_dump(mode="json")
    priors = derive_priors(observed, base)
    assert priors.founders_posts == tuple(posts) and priors.founders_days == tuple(active)
    middle = {p.path: (p.value(0.5), p.integer) for p in priors.parameters}
    values = {path: round(value) if whole else value for path, (value, whole) in middle.items()}
    changes = scenario_changes(values, base, priors)
    assert changes["behaviour.founder_core"] == 5
    assert changes["community.founder_weights"] == [2.5, 1.25, 0.625, 0.625, 0.0]
    assert changes["community.founder_visits"] == [2.0, 2.0, 0.5, 0.5, 0.0]
    # at half the scale: the quantiles at the middle of each half (7.5 and 2.25 over their mean)
    assert founder_weights(tuple(posts), 2) == [1.538, 0.4615]
    validate_scenario(apply_overrides(base, changes), "(test)")


def test_a_founder_weighted_to_visit_more_visits_more_on_every_seed():
    """The outcome: over the first months the founder with the largest visiting weight visits
    more often than with the writing weights alone, and the lightest less, on each of four
    seeds."""
    for seed in (1, 2, 3, 4):
        visits = []
        for extra in (None, VISITS):
            model = _population(WEIGHTS, seed, visits=extra)
            model.run(DAYS)
            visits.append(model.population.view("visits")[: len(WEIGHTS)])
        alone, both = visits
        assert both[0] > alone[0] and both[4:].sum() < alone[4:].sum(), (seed, alone, both)
