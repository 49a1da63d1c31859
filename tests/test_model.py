"""The model's promises: reproducibility, invariants, the day's bookkeeping and the Member view."""

from dataclasses import replace

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import CommunityModel, LeaveReason, Member, Role, Rules
from sim.agents import DAILY_STATES, RETENTION_AGES, STATE_NAMES, STATES, Population
from sim.model import daily_series
from sim.world.metrics import inequality, role_counts
from sim.world.segments import ROLE_NAMES, ROLE_SERIES, activity_role
from sim.world.streams import RandomStreams
from sim.world.ties import TieGraph

SMALL = {"members": 1000, "market_size": 5000}


@pytest.fixture(scope="module")
def year_run() -> CommunityModel:
    model = CommunityModel(**SMALL, rng=11)
    model.run(365)
    return model


def test_same_seed_identical_outputs_and_different_seeds_differ():
    def run(seed):
        model = CommunityModel(**SMALL, rng=seed)
        model.run(90)
        return model

    a, b, c = run(5), run(5), run(6)
    pd.testing.assert_frame_equal(a.series(), b.series())
    pd.testing.assert_frame_equal(a.cohorts(), b.cohorts())
    assert a.summary() == b.summary()
    assert not a.series().equals(c.series())


def test_every_series_is_collected_without_nan(year_run):
    series = year_run.series()
    assert list(series.columns) == ["day", *daily_series()]
    assert len(series) == 365
    assert not series.isna().any().any()
    assert np.isfinite(series.to_numpy(dtype=float)).all()


def test_members_change_by_joins_and_returns_minus_leaves(year_run):
    series = year_run.series()
    members = np.concatenate([[SMALL["members"]], series["members"].to_numpy()])
    change = series["joins"] + series["returned"] - series["leaves"]
    assert np.array_equal(np.diff(members), change.to_numpy())
    reasons = [f"leaves_{r.label}" for r in LeaveReason if r is not LeaveReason.STAYING]
    assert (series[reasons].sum(axis=1) == series["leaves"]).all()
    assert series["leaves"].sum() > 0 and series["joins"].sum() > 0


def test_states_stay_in_range(year_run):
    pop = year_run.population
    for name in ("loyalty", "interest", "intrinsic", "extrinsic", "info_ema", "bond_ema"):
        values = pop.view(name)
        assert np.isfinite(values).all(), name
        assert values.min() >= 0 and values.max() <= 1, name
    assert pop.view("pref").min() >= 0 and pop.view("pref").max() <= 1
    assert pop.view("post_drive").min() > 0 and pop.view("post_drive").max() <= pop.rules.drive_max
    assert (pop.view("info_need") > 0).all()


def test_departed_members_keep_their_row_day_and_reason(year_run):
    pop, day = year_run.population, year_run.day
    gone = ~pop.view("alive")
    assert gone.any()
    assert (pop.view("leave_reason")[gone] != LeaveReason.STAYING).all()
    assert (pop.view("leave_reason")[~gone] == LeaveReason.STAYING).all()
    leave_day = pop.view("leave_day")[gone]
    assert (leave_day >= pop.view("join_day")[gone]).all() and (leave_day <= day).all()
    assert (pop.view("leave_day")[~gone] == -1).all()


def test_dau_wau_mau_are_nested(year_run):
    s = year_run.series()
    assert (s["dau"] <= s["wau"]).all() and (s["wau"] <= s["mau"]).all()
    assert s["stickiness"].between(0, 1).all()


def test_cohort_table_is_null_until_observable(year_run):
    table = year_run.cohorts()
    assert {"first_join_day", "size", "retention_1", "retention_90"} <= set(table.columns)
    assert table["size"].sum() == (~year_run.population.view("is_founder")).sum()
    young = table["last_join_day"] > year_run.day - 90
    assert table.loc[young, "retention_90"].isna().all()
    observed = table["retention_30"].dropna()
    assert len(observed) > 0 and observed.between(0, 1).all()


def test_retention_bits_follow_the_definition():
    """retention(d) = acted in the 7 days ending d days after joining: check against a replay."""
    model = CommunityModel(**SMALL, rng=3)
    active_days = []
    for _ in range(40):
        model.step()
        pop = model.population
        visited = np.zeros(pop.n, bool)
        visited[: pop.n] = pop.view("last_active_day") == model.day
        active_days.append(visited)
    pop, bit = model.population, RETENTION_AGES.index(30)
    joined = pop.view("join_day")
    for slot in np.flatnonzero((joined >= 1) & (joined <= 10)):
        window = range(joined[slot] + 30 - 6, joined[slot] + 31)
        acted = any(slot < active_days[d - 1].size and active_days[d - 1][slot] for d in window)
        assert bool((pop.retention_bits[slot] >> bit) & 1) == acted


def test_replies_build_ties_that_decay_without_contact():
    graph = TieGraph(10)
    graph.strengthen(np.array([1, 1, 3]), np.array([2, 2, 3]), gain=0.3)  # a self-reply is no tie
    assert graph.n_ties == 1
    assert graph.matrix[1, 2] == pytest.approx(0.6) and graph.matrix[2, 1] == pytest.approx(0.6)
    active = np.zeros(10, np.float32)
    active[2] = 1
    assert graph.strength_to(active)[1] == pytest.approx(0.6)
    for _ in range(200):
        graph.decay(rate=0.05, prune_below=0.01)
    assert graph.n_ties == 0


def test_ties_grow_in_the_model_through_replies(year_run):
    series = year_run.series()
    assert series["replies"].sum() > 0
    assert series["ties"].iloc[-1] > 0


def test_members_who_left_before_today_have_no_ties(year_run):
    pop, day = year_run.population, year_run.day
    ties = pop.ties.matrix.tocoo()
    ends = np.concatenate([ties.row, ties.col])
    gone_before_today = ~pop.alive[ends] & (pop.leave_day[ends] < day)
    left = pop.view("leave_day")
    assert ((left >= 0) & (left < day)).sum() > 0 and ties.nnz > 0
    assert not gone_before_today.any()


@pytest.mark.parametrize("seed", range(5))
def test_inequality_matches_a_sort_based_computation(seed):
    counts = np.random.default_rng(seed).negative_binomial(0.2, 0.05, size=997)
    gini, top1 = inequality(counts)
    ordered = np.sort(counts)
    n = ordered.size
    expected_gini = (2 * np.arange(1, n + 1) - n - 1) @ ordered / (n * ordered.sum())
    expected_top1 = ordered[-int(np.ceil(0.01 * n)) :].sum() / ordered.sum()
    assert gini == pytest.approx(expected_gini)
    assert top1 == pytest.approx(expected_top1)


def test_member_view_reads_its_row(year_run):
    member = year_run.member(5)
    pop = year_run.population
    assert isinstance(member, mesa.Agent) and isinstance(member, Member)
    assert member.loyalty == pytest.approx(float(pop.loyalty[5]))
    assert member.posts == int(pop.posts[5])
    assert member.pref.shape == (pop.rules.n_topics,)
    assert isinstance(member.role, Role) and isinstance(member.reason, LeaveReason)
    assert year_run.member(5) is member
    with pytest.raises(IndexError):
        year_run.member(pop.n)


def test_every_declared_state_is_an_array_with_a_row_per_slot(year_run):
    pop = year_run.population
    assert len(set(STATE_NAMES)) == len(STATES)
    capacity = pop.alive.shape[0]
    for state in STATES:
        array = getattr(pop, state.name)
        assert type(array) is np.ndarray and array.dtype == state.dtype, state.name
        assert array.shape == ((capacity, pop.rules.n_topics) if state.per_topic else (capacity,))
        assert state.doc, state.name
    member = year_run.member(3)
    assert all(np.array_equal(getattr(member, name), getattr(pop, name)[3]) for name in STATE_NAMES)
    assert pop.nbytes == sum(getattr(pop, name).nbytes for name in STATE_NAMES) + pop.ties.nbytes


def test_arrivals_grow_every_state_keeping_rows():
    pop = Population(Rules(), RandomStreams(np.random.SeedSequence(3)), capacity=10)
    pop.add(8, day=0, founders=True)
    before = {name: pop.view(name).copy() for name in STATE_NAMES}
    pop.add(2000, day=1)
    for name in STATE_NAMES:
        assert getattr(pop, name).shape[0] >= 2008, name
        assert np.array_equal(pop.view(name)[:8], before[name]), name


def test_start_day_zeroes_the_daily_channels_and_keeps_the_rest():
    """After a day the "today" channels hold that day's values; the next day starts from zero."""
    model = CommunityModel(**SMALL, rng=3)
    model.run(20)
    pop = model.population
    assert pop.view("info_today").any() and pop.view("bond_today").any()
    kept = {s.name: getattr(pop, s.name).copy() for s in STATES if not s.daily}
    pop.start_day()
    for name in DAILY_STATES:
        assert not getattr(pop, name).any(), name
    for name, array in kept.items():
        assert np.array_equal(getattr(pop, name), array), name
    assert {"info_today", "identity_today", "attention_today"} <= set(DAILY_STATES)
    assert "removal_today" not in DAILY_STATES  # pending until the author's next visit


def test_roles_follow_behaviour(year_run):
    pop = year_run.population
    roles = pop.roles(year_run.day)
    old = year_run.day - pop.view("join_day") >= 30
    recent = pop.view("recent_posts")
    assert (roles[old & (pop.view("posts") == 0)] == Role.LURKER).all()
    assert (roles[old & (recent >= 10)] == Role.CORE).all()
    assert (roles[old & (recent >= 3) & (recent < 10)] == Role.REGULAR).all()
    assert (roles[old & (recent >= 0.5) & (recent < 3)] == Role.OCCASIONAL).all()
    assert (roles[~old] == Role.NEWCOMER).all()
    # one declaration: the role codes and names of sim.world.segments, and the daily role series
    # count the members present by the same bounds (newcomers included)
    assert tuple(r.name.lower() for r in Role) == ROLE_NAMES
    here = pop.here()
    counts = np.bincount(activity_role(recent[here]), minlength=5)[1:]
    assert dict(zip(ROLE_SERIES, counts.tolist(), strict=True)) == role_counts(recent, here)


def test_identity_benefit_hook_raises_loyalty():
    """Events (the operator's) feed identity benefit through ``identity_today``."""

    class WithEvents(CommunityModel):
        def operator_acts(self, day):
            self.population.identity_today[:] = 1.0

    base = CommunityModel(**SMALL, rng=2)
    boosted = WithEvents(**SMALL, rng=2)
    base.run(60)
    boosted.run(60)
    assert boosted.series()["mean_loyalty"].iloc[-1] > base.series()["mean_loyalty"].iloc[-1]


def test_more_off_topic_cost_means_fewer_members():
    def members(cost):
        model = CommunityModel(**SMALL, rules=replace(Rules(), offtopic_cost=cost), rng=4)
        model.run(120)
        return model.series()["members"].iloc[-1]

    assert members(0.6) < members(0.1)


def test_arrivals_follow_bass_with_word_of_mouth():
    quiet = CommunityModel(**SMALL, word_of_mouth_q=0.0, rng=1)
    loud = CommunityModel(**SMALL, word_of_mouth_q=0.02, rng=1)
    quiet.run(30)
    loud.run(30)
    assert loud.series()["joins"].sum() > quiet.series()["joins"].sum()
    assert quiet.joined_from_market <= SMALL["market_size"]


def test_market_is_never_exceeded():
    model = CommunityModel(members=50, market_size=100, marketing_p=0.5, rng=1)
    model.run(20)
    assert model.joined_from_market == 100
    assert model.series()["joins"].sum() == 100


def test_small_founding_groups_dwindle_more_often():
    """Critical mass: 30 founders in a market of 300 have too few posters for members to find
    enough to read and too few replies, and dwindle (under half the founders after 180 days) far
    more often than 1,000 founders in a market of 5,000."""

    def dwindled(founders, market):
        ends = []
        for seed in range(1, 7):
            model = CommunityModel(members=founders, market_size=market, rng=seed)
            model.run(180)
            ends.append(model.series()["members"].iloc[-1] < 0.5 * founders)
        return np.mean(ends)

    assert dwindled(30, 300) >= 0.8
    assert dwindled(1000, 5000) <= 0.2
