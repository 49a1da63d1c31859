"""A power-law tail on members' propensities (``Segment.tail``; Reed & Jorgensen 2004's
Pareto-lognormal), off by default, and its fit in the calibration (``mix.tail``, ``_mixed``)."""

from dataclasses import replace

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.fit import TAIL, derive_priors, scenario_changes
from sim.config import apply_overrides, load_scenario, validate_scenario
from sim.model import CommunityModel
from tests.test_calibration import _observed

MEMBERS = 20_000


def _factors(tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Each member's thread and reply rates over its segment's, with no log-normal spread."""
    mix = tuple(replace(segment, spread=0.0, tail=tail) for segment in Rules().member_mix)
    population = CommunityModel(members=MEMBERS, rules=Rules(member_mix=mix), rng=5).population
    segment = population.view("segment")
    post = np.array([s.post for s in mix])[segment]
    reply = np.array([s.reply for s in mix])[segment]
    return population.view("post_base") / post, population.view("reply_base") / reply


def test_the_tail_is_one_pareto_factor_on_each_members_rates():
    """With no spread, a member's rates are its segment's times exp(tail x E), E standard
    exponential: one factor per member (its threads and replies alike), whose log over the tail
    is exponential (mean 1, a tenth above ln 10) and whose mean is 1 / (1 - tail)."""
    post, reply = _factors(0.3)
    np.testing.assert_allclose(post, reply, rtol=1e-5)
    exponential = np.log(post.astype(float)) / 0.3
    assert exponential.min() >= -1e-5
    assert exponential.mean() == pytest.approx(1.0, abs=0.03)
    assert (exponential > np.log(10)).mean() == pytest.approx(0.1, abs=0.01)
    assert post.mean() == pytest.approx(1 / (1 - 0.3), rel=0.03)


def test_no_tail_leaves_the_rates_as_the_segment_gives_them():
    post, reply = _factors(0.0)
    np.testing.assert_allclose(post, 1.0, rtol=1e-6)  # (float32 rates)
    np.testing.assert_allclose(reply, 1.0, rtol=1e-6)


def test_the_tail_is_fitted_on_every_segment_at_the_same_mean_rates():
    """``mix.tail`` has a prior from none (a log-normal) upward, sets every segment's tail and
    divides the segment's rates by the factor's mean growth, 1 / (1 - tail), as ``mix.spread``
    does for the log-normal's (``_mixed``); nothing else of the mix moves."""
    base = load_scenario(None).model_dump(mode="json")
    ranges = {p.path: (p.low, p.high) for p in derive_priors(_observed(20, 300), base).parameters}
    assert ranges["mix.tail"] == TAIL and TAIL[0] == 0.0 < TAIL[1] < 1.0
    mix = scenario_changes({"mix.tail": 0.6}, base, None)["member_mix"]
    assert [seg["tail"] for seg in mix] == [0.6] * len(base["member_mix"])
    for mixed, segment in zip(mix, base["member_mix"], strict=True):
        for rate in ("post", "reply", "react", "invite"):
            assert mixed[rate] == pytest.approx(segment[rate] * 0.4)
        rates = dict.fromkeys(("post", "reply", "react", "invite"), 0)
        assert {**mixed, **rates} == {**segment, **rates, "tail": 0.6}


def test_a_tail_gives_the_top_one_percent_more_at_the_same_mean():
    """Drawn members of the calibrated mix (spread 0.8): a tail of 0.45 keeps the mean reply rate
    (within sampling noise; the factor's variance is finite below 0.5), and one of 0.8 gives the
    top 1% far more of it. Measured (seeds 1 and 2): the top 1% hold 0.27-0.28 of it with no tail,
    0.30 at 0.45 and 0.48-0.52 at 0.8; a tail matters where it is heavy."""
    base = load_scenario(None, {"community.members": MEMBERS}).model_dump(mode="json")
    means, tops = [], []
    for tail in (0.0, 0.45, 0.8):
        changes = scenario_changes({"mix.tail": tail, "mix.spread": 0.8}, base, None)
        scenario = validate_scenario(apply_overrides(base, changes), "(test)")
        rates = CommunityModel(**scenario.model_kwargs(), rng=1).population.view("reply_base")
        rates = np.sort(rates.astype(float))
        means.append(rates.mean())
        tops.append(rates[-MEMBERS // 100 :].sum() / rates.sum())
    assert means[1] == pytest.approx(means[0], rel=0.15), means
    assert tops[0] < tops[1] < tops[2] and tops[2] > tops[0] + 0.1, tops
