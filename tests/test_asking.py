"""Newcomers who join to write (``Rules.asking_share``; Lee & Carver 2017, Slag et al. 2015): a
share of newcomers come with something to write (a question, a patch, a first message), visit on
their joining day and start a thread then, whatever their rates; the others write only as their
rates bring them to. Off (0) by default. Calibration fits it (``sim.calibration.fit.ASKING``): in a
contributions-only log every member has written, so the share of arrivals who do is what the
log's newcomers count measures against the market."""

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.fit import ASKING, derive_priors
from sim.calibration.log import simulated_stats
from sim.model import CommunityModel
from tests.scenario_helpers import CONTRIBUTIONS, writing_scenario


def _run(share: float, seed: int = 5, days: int = 60):
    """The default community at its own (low) writing rates with ``share`` of newcomers asking;
    the model at the end."""
    scenario = writing_scenario(200, days, 1, {"behaviour.asking_share": share})
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    for _ in range(days):
        model.step()
    return model


def test_off_by_default_nobody_joins_to_write():
    assert Rules().asking_share == 0
    pop = _run(0.0).population
    assert not pop.view("asks").any()


def test_the_share_of_newcomers_drawn_and_no_founder():
    pop = _run(0.4).population
    asks, founder = pop.view("asks"), pop.view("is_founder")
    assert not asks[founder].any()
    newcomers = int((~founder).sum())
    assert newcomers > 200
    assert asks[~founder].mean() == pytest.approx(0.4, abs=3 / np.sqrt(newcomers))


def test_every_asker_starts_a_thread_on_its_joining_day_the_others_rarely():
    pop = _run(0.4).population
    asks, founder = pop.view("asks"), pop.view("is_founder")
    first, joined = pop.view("first_post_day"), pop.view("join_day")
    assert asks.sum() > 50
    assert (first[asks] == joined[asks]).all()
    assert (pop.view("threads")[asks] >= 1).all()
    others = ~asks & ~founder
    # at the default rates few of the others write on their joining day (or ever)
    assert (first[others] == joined[others]).mean() < 0.1


def test_the_share_who_ever_write_follows_the_asking_share():
    """Measured as a contributions-only log sees it: a member exists from its first
    contribution, so the log's newcomers are the askers plus the few others who write."""
    newcomers = {}
    for share in (0.0, 0.2, 0.6):
        scenario = writing_scenario(200, 60, 1, {"behaviour.asking_share": share})
        model = CommunityModel(**scenario.model_kwargs(), rng=5)
        stats = simulated_stats(model, 60, CONTRIBUTIONS).finish()
        joined = int((~model.population.view("is_founder")).sum())
        newcomers[share] = stats.scalars["newcomers"] / joined
    assert newcomers[0.0] < 0.1
    assert newcomers[0.2] >= 0.2 and newcomers[0.6] >= 0.6
    assert newcomers[0.6] < 0.6 + newcomers[0.0] + 0.1


def test_calibration_fits_the_asking_share_log_uniform_around_one_in_ten():
    """The prior's centre (geometric mean) is the 90-9-1 rule's one writer in ten (Nielsen 2006;
    van Mierlo 2014)."""
    scenario = writing_scenario(100, 60, 5, {})
    stats = simulated_stats(CommunityModel(**scenario.model_kwargs(), rng=1), 60, CONTRIBUTIONS)
    base = scenario.model_dump(mode="json")
    parameters = derive_priors(stats.finish(), base).parameters
    (asking,) = [p for p in parameters if p.path == "behaviour.asking_share"]
    assert asking.log
    assert (asking.low, asking.high) == ASKING
    assert np.sqrt(asking.low * asking.high) == pytest.approx(0.1, rel=0.01)


def test_the_market_grows_as_the_asking_share_falls_so_as_many_come_to_write():
    """At the prior's centre the market is the one the log's newcomers call for; at a share a
    third of it, three times as many arrive (and as many of them join to write)."""
    from sim.calibration.fit import ASKING_CENTRE, scenario_changes

    scenario = writing_scenario(100, 60, 5, {})
    stats = simulated_stats(CommunityModel(**scenario.model_kwargs(), rng=1), 60, CONTRIBUTIONS)
    base = scenario.model_dump(mode="json")
    priors = derive_priors(stats.finish(), base)

    def market(share: float) -> int:
        values = {"market_share": 0.5, "behaviour.asking_share": share}
        return scenario_changes(values, base, priors)["arrivals.market_size"]

    centre = market(ASKING_CENTRE)
    assert centre == scenario_changes({"market_share": 0.5}, base, priors)["arrivals.market_size"]
    assert market(ASKING_CENTRE / 3) == pytest.approx(3 * centre, rel=0.01)
    assert market(ASKING_CENTRE / 3) * ASKING_CENTRE / 3 == pytest.approx(
        centre * ASKING_CENTRE, rel=0.01
    )
