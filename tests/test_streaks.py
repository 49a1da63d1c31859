"""Check-ins and streaks (issue 16, item 11): a member's check-in streak counts its consecutive
check-in days while an incentive scheme runs, pays rewards at streak lengths, pulls members on a
streak toward the next reward (the goal gradient: Kivetz, Urminsky & Zheng 2006), and costs a
member when a streak of 3 days or more breaks (Silverman & Barasch 2023).

Run-level comparisons use the same seeds in both arms (common random numbers) and assert on the
mean paired difference over several seeds.
"""

from dataclasses import replace

import numpy as np
import pydantic
import pytest

from sim import CommunityModel, Rules
from sim.levers.incentives import (
    STREAK_MIN,
    Incentives,
    StreakReward,
    Streaks,
    break_streaks,
    prepare_boosts,
    streak_pull,
)
from sim.policies import Strategy

SEEDS = range(1, 5)
SMALL = {"members": 1200, "market_size": 6000}
REWARDS = [
    StreakReward(length=3, points=20),
    StreakReward(length=7, points=50, badge=True),
]


def _scheme(rewards=REWARDS, **settings) -> Strategy:
    """Recognition-only points, 1 a check-in, from day 1; streaks with ``rewards``."""
    return Strategy(
        incentives=Incentives(start=1, streaks=Streaks(rewards=rewards), **settings),
    )


def _model(strategy, seed=1, rules=None, **kwargs) -> CommunityModel:
    return CommunityModel(strategy=strategy, rng=seed, rules=rules, **{**SMALL, **kwargs})


class _Counter:
    """Stands in for the operator: what the streak functions count."""

    def __init__(self):
        self.counts: dict[str, float] = {}

    def count(self, name, value):
        self.counts[name] = self.counts.get(name, 0) + value


# ---- settings --------------------------------------------------------------------------------------
def test_streaks_are_off_by_default_and_lengths_must_increase():
    assert not Incentives().streaks.on
    assert Incentives(streaks=Streaks(rewards=REWARDS)).streaks.on
    with pytest.raises(pydantic.ValidationError, match="lengths must be strictly increasing"):
        Streaks(rewards=[StreakReward(length=7), StreakReward(length=3)])
    with pytest.raises(pydantic.ValidationError, match="length"):
        StreakReward(length=1)


def test_a_bad_streak_setting_in_a_scenario_names_its_field(tmp_path):
    from sim.config import load_scenario
    from sim.config.errors import ScenarioError

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "strategy:\n  incentives:\n    streaks:\n      rewards:\n"
        "        - {length: 7, points: 5}\n        - {length: 7, points: 9}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="streaks"):
        load_scenario(bad)


# ---- the mechanism, member by member ----------------------------------------------------------------
def _population(strategy, seed=1, rules=None):
    """A community after its first day (members, traits), its population and its scheme."""
    model = _model(strategy, seed, rules, members=400)
    model.step()
    return model, model.population, model.strategy.incentives


def test_the_pull_grows_toward_the_next_reward_and_resets_after_it():
    _, pop, scheme = _population(_scheme())
    here = pop.here()[:8]
    pop.extrinsic[here] = 1.0
    pop.streak[here] = [0, 1, 2, 3, 4, 5, 6, 7]  # rewards at 3 and 7, then a new cycle
    pull = streak_pull(pop, scheme, here, pop.extrinsic[here])
    assert pull[0] == 0  # no streak, no pull
    assert pull[1] < pull[2]  # toward the 3-day reward
    assert pull[3] < pull[2]  # just after it: post-reward resetting (Kivetz et al. 2006)
    assert pull[3] < pull[4] < pull[5] < pull[6]  # toward the 7-day reward
    assert pull[7] < pull[6]  # a new cycle starts
    # the day a check-in earns the reward, the pull is streak_pull x S(its worth)
    assert pull[6] == pytest.approx(pull.max())
    assert pull[6] < pop.rules.streak_pull


def test_the_pull_scales_with_the_reward_worth_and_extrinsic_sensitivity():
    _, pop, scheme = _population(_scheme())
    here = pop.here()[:3]
    pop.streak[here] = 2  # one day short of the 3-day reward
    pull = streak_pull(pop, scheme, here, np.array([0.0, 0.5, 1.0], np.float32))
    assert pull[0] == 0 and pull[2] == pytest.approx(2 * pull[1])
    worthless = _scheme([StreakReward(length=3, points=0), StreakReward(length=7, points=0)])
    _, pop, scheme = _population(worthless)
    pop.streak[here] = 2
    assert (streak_pull(pop, scheme, here, np.ones(3, np.float32)) == 0).all()


def test_streaks_raise_the_visit_boost_only_for_members_on_a_streak():
    _, pop, scheme = _population(_scheme())
    here = pop.here()
    pop.streak[here] = 0
    on = here[::2]
    pop.streak[on] = 2
    pop.today.boosts.clear()
    prepare_boosts(pop, scheme)
    with_streaks = pop.today.boosts["visit"].copy()
    pop.today.boosts.clear()
    prepare_boosts(pop, scheme.model_copy(update={"streaks": Streaks()}))
    without = pop.today.boosts["visit"]
    off = np.setdiff1d(here, on)
    assert np.array_equal(with_streaks[off], without[off])
    assert (with_streaks[on] >= without[on]).all() and (with_streaks[on] > without[on]).any()


def test_a_broken_streak_costs_by_extrinsic_sensitivity_whatever_its_length():
    _, pop, _ = _population(_scheme())
    day = 10
    slots = pop.here()[:5]
    pop.extrinsic[slots] = [1.0, 0.5, 1.0, 1.0, 1.0]
    pop.streak[slots] = [STREAK_MIN, STREAK_MIN, STREAK_MIN - 1, 40, 5]
    pop.last_active_day[slots] = [day - 2, day - 2, day - 2, day - 3, day - 1]  # the last kept
    pop.withdrawal[slots] = 0
    counter = _Counter()
    break_streaks(pop, counter, day)
    cost = pop.rules.streak_break_cost
    assert pop.withdrawal[slots] == pytest.approx([cost, cost / 2, 0, cost, 0])
    assert list(pop.streak[slots]) == [0, 0, 0, 0, 5]
    assert counter.counts["streaks_broken"] == 3  # streaks of STREAK_MIN days or more


# ---- paired runs ------------------------------------------------------------------------------------
def _window_mean(model, column, first, last=None):
    s = model.series()
    return s[(s["day"] >= first) & (s["day"] <= (last or s["day"].max()))][column].mean()


def test_streaks_raise_check_ins_while_they_run():
    """Same seeds, the same recognition-only points with and without streaks: check-ins rise."""
    gains = []
    for seed in SEEDS:
        on = _model(_scheme(), seed)
        off = _model(_scheme(rewards=[]), seed)
        on.run(90)
        off.run(90)
        gains.append(_window_mean(on, "checkins", 10) - _window_mean(off, "checkins", 10))
        assert _window_mean(on, "streak_rewards", 10) > 0
        assert _window_mean(on, "members_on_streak", 10) > 0
        assert _window_mean(off, "members_on_streak", 10) == 0
    gains = np.array(gains)
    assert gains.mean() > 0 and (gains > 0).sum() >= 3, gains


def test_without_the_goal_gradient_members_on_streaks_check_in_less():
    """Same seeds, streaks on, with and without the pull toward the next reward (streak_pull 0):
    the pull is what raises check-ins (Kivetz, Urminsky & Zheng 2006)."""
    gains = []
    for seed in SEEDS:
        pulled = _model(_scheme(), seed)
        unpulled = _model(_scheme(), seed, replace(Rules(), streak_pull=0.0))
        pulled.run(60)
        unpulled.run(60)
        gains.append(_window_mean(pulled, "checkins", 10) - _window_mean(unpulled, "checkins", 10))
    gains = np.array(gains)
    assert gains.mean() > 0 and (gains > 0).sum() >= 3, gains


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_broken_streaks_cost_members_and_without_the_cost_none_leave_for_it():
    """Same seeds, streaks on, with and without the cost of a broken streak (Silverman & Barasch
    2023): with it, members leave for the loss (reason reward_withdrawn: the scheme never stops,
    so no other loss exists) and fewer are left; without it, nobody leaves for that reason."""
    fewer, left_for_it = [], 0
    for seed in SEEDS:
        costly = _model(_scheme(), seed)
        free = _model(_scheme(), seed, replace(Rules(), streak_break_cost=0.0))
        costly.run(120)
        free.run(120)
        assert costly.series()["streaks_broken"].sum() > 0
        assert free.series()["leaves_reward_withdrawn"].sum() == 0
        left_for_it += costly.series()["leaves_reward_withdrawn"].sum()
        fewer.append(free.series()["members"].iloc[-1] - costly.series()["members"].iloc[-1])
    assert left_for_it > 0
    fewer = np.array(fewer)
    assert fewer.mean() > 0 and (fewer > 0).sum() >= 3, fewer


def test_streak_rewards_are_points_and_recognition_only_ones_do_not_crowd_out():
    on = _model(_scheme(), 1)
    off = _model(_scheme(rewards=[]), 1)
    on.run(40)
    off.run(40)
    assert on.series()["points_issued"].sum() > off.series()["points_issued"].sum()
    pop = on.population
    assert (pop.view("best_streak") >= pop.view("streak")).all()
    assert pop.view("best_streak").max() >= 7
    # recognition only (not tangible): nobody's intrinsic motivation falls, day after day
    for _ in range(10):
        before = pop.view("intrinsic").copy()
        on.step()
        assert (pop.view("intrinsic")[: before.size] >= before).all()


def test_tangible_streak_rewards_crowd_out():
    only_streaks = {"post": 0.0, "reply": 0.0, "checkin": 0.0, "invite": 0.0}
    model = _model(_scheme(points=only_streaks, tangible=True, money_per_point=0.01), 1)
    model.run(10)
    pop = model.population
    before = pop.view("intrinsic").copy()
    model.run(10)
    fell = pop.view("intrinsic")[: before.size] < before
    assert fell.any()
    assert (pop.view("best_streak")[: before.size][fell] >= 3).all()  # only streak rewards paid
