"""A member's finite time for writing (``Rules.writing_capacity``) damps the volume runaway of
issue 15: near a real log's volume a calibrated scenario's runs either fizzled or ignited, seed by
seed, because replies raise the drive to post and reply (``drive_gain``), which raises replies
(``benchmarks/diagnostics/volume_bistability.py``: with ``drive_gain`` 0 no seed ignites).

The scenario below is the one ``commsim calibrate`` fitted to the conlang.meta Stack Exchange log
(``benchmarks/realdata_calibrate.py conlang.meta``: 317 founders, the default mix's thread rates
times 0.076 and reply rates times 10.5, the fitted arrivals and persistence), run for 120 days.
Without the capacity one of eight seeds ignites (1,866 contributions a week against a median of
8, its busiest member writing 107 in a day); with a capacity of 10 a day none does.
"""

import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import CommunityModel

POST_SCALE, REPLY_SCALE = 0.0764, 10.51  # the conlang.meta fit (calibrated.yaml)
CALIBRATED = {
    "community.members": 317,
    "arrivals.market_size": 795,
    "arrivals.marketing_p": 0.0292694,
    "arrivals.word_of_mouth_q": 0.000372598,
    "behaviour.early_weight": 9.28689,
    "behaviour.quit_rate": 0.00658846,
    "behaviour.inactivity_limit": 62,
    "run.days": 120,
}
SEEDS = range(1, 9)
CAPACITY = 10.0
RUNAWAY = 10  # a seed writing this many times the seeds' median has ignited


def _scenario(capacity: float):
    from sim.config.loading import apply_overrides, validate_scenario

    data = load_scenario(None, {}).model_dump(mode="json")
    data["member_mix"] = [
        {**kind, "post": kind["post"] * POST_SCALE, "reply": kind["reply"] * REPLY_SCALE}
        for kind in data["member_mix"]
    ]
    overrides = {**CALIBRATED, "behaviour.writing_capacity": capacity}
    return validate_scenario(apply_overrides(data, overrides), "(conlang.meta fit)")


def _runs(capacity: float) -> tuple[np.ndarray, np.ndarray]:
    """Per seed: contributions (threads + replies) and the busiest member-day's contributions."""
    scenario = _scenario(capacity)
    totals, busiest = [], []
    for seed in SEEDS:
        model = CommunityModel(**scenario.model_kwargs(), rng=seed)
        most = 0
        for _ in range(scenario.run.days):
            model.step()
            most = max(most, int(model.population.view("posts_today").max(initial=0)))
        series = model.series()
        totals.append(int(series["threads"].sum() + series["replies"].sum()))
        busiest.append(most)
    return np.array(totals), np.array(busiest)


@pytest.fixture(scope="module")
def paired():
    return {"off": _runs(0.0), "on": _runs(CAPACITY)}


def test_without_the_capacity_a_seed_ignites(paired):
    """The guard of the paired test: the scenario ignites today, so the damping is what passes
    the next test (a scenario that never ignited would pass it trivially)."""
    totals, busiest = paired["off"]
    assert totals.max() > RUNAWAY * np.median(totals), totals
    assert busiest.max() > 5 * CAPACITY, busiest


def test_with_the_capacity_no_seed_ignites(paired):
    totals, busiest = paired["on"]
    assert totals.max() <= RUNAWAY * np.median(totals), totals
    # one member's day: threads and replies are each rounded from a rate below the capacity
    assert busiest.max() <= CAPACITY + 1, busiest
    # the median seed keeps most of its writing: the capacity damps the driven, not everyone
    off, _ = paired["off"]
    assert np.median(totals) >= 0.5 * np.median(off), (totals, off)


def test_the_capacity_bounds_a_members_writing_at_the_formula():
    """x threads and replies a day at full rate become x / (1 + x / capacity), shared by both."""
    scenario = _scenario(4.0)
    model = CommunityModel(**scenario.model_kwargs(), rng=3)
    model.run(10)
    pop = model.population
    v = pop.here()
    threads, replies = pop._thread_rate(v), pop._reply_rate(v)
    x = threads + replies
    share = pop._writing_scale(v)
    np.testing.assert_allclose(x * share, x / (1 + x / 4.0), rtol=1e-5)
    assert np.all((x * share) < 4.0)
    # and the same share whether the rates are passed in or computed
    np.testing.assert_array_equal(share, pop._writing_scale(v, threads, replies))


def test_without_a_capacity_the_share_is_one_and_nothing_divides_by_zero():
    """Capacity 0 (no limit, the default): the callers skip the share, and called anyway it is
    all ones, with no division by zero (it was x / 0: a RuntimeWarning and zeros, or NaN for a
    member writing nothing)."""
    import warnings

    model = CommunityModel(**_scenario(0.0).model_kwargs(), rng=3)
    model.run(5)
    pop = model.population
    v = pop.here()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        share = pop._writing_scale(v)
    assert share.dtype == np.float32 and share.shape == v.shape and (share == 1).all()


def test_a_capacity_below_float32s_range_is_its_limit_without_a_warning():
    """tests/test_scenario.py::test_valid_extremes_run_without_nan draws in-range capacities such
    as 1e-300: above 0 (the callers' guard), but 0 in float32, so x / capacity divided by zero. The
    share is then the limit as the capacity goes to 0: 0 for a member with writing to do (as the
    division's inf gave), 1 for one with none (where it gave NaN)."""
    import warnings
    from dataclasses import replace

    model = CommunityModel(**_scenario(0.0).model_kwargs(), rng=3)
    model.run(5)
    pop = model.population
    v = pop.here()
    threads, replies = pop._thread_rate(v), pop._reply_rate(v)
    replies[:3] = threads[:3] = 0  # some members with nothing to write
    pop.rules = replace(pop.rules, writing_capacity=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        share = pop._writing_scale(v, threads, replies)
    assert share.dtype == np.float32
    assert (share == ((threads + replies) == 0)).all() and (share[:3] == 1).all()
    assert (share == 0).any()
    # a capacity float32 holds keeps the formula, bit for bit
    pop.rules = replace(pop.rules, writing_capacity=4.0)
    x = threads + replies
    expected = np.float32(1) / (np.float32(1) + x / np.float32(4.0))
    np.testing.assert_array_equal(pop._writing_scale(v, threads, replies), expected)


def test_the_oracle_bounds_a_members_day_alike():
    """The test oracle (one Python object per member) restates the capacity: with it, no member
    writes more than the capacity (plus rounding) in a day; without it, some do."""
    from dataclasses import replace

    from sim.agents import Rules
    from sim.validation.oracle import OracleModel

    mix = tuple(replace(s, post=s.post * 20, reply=s.reply * 20) for s in Rules().member_mix)

    def busiest(capacity: float) -> int:
        rules = replace(Rules(), member_mix=mix, writing_capacity=capacity)
        oracle = OracleModel(members=150, market_size=300, rules=rules, rng=2)
        most = 0
        for _ in range(40):
            before = {id(m): m.posts for m in oracle.members}
            oracle.step()
            most = max([most, *(m.posts - before.get(id(m), 0) for m in oracle.members)])
        return most

    assert busiest(2.0) <= 3
    assert busiest(0.0) > 3
