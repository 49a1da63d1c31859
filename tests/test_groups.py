"""Groups and channels (issue 16 item 3): a community in several groups, each read by its members
with its platform's rules, with member caps; the groups lever opens an overflow group, splits a
full group or merges small ones (``sim.world.groups``, ``sim.levers.groups``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ScenarioError, parse_scenario
from sim.experiments.outputs import write_run
from sim.model import CommunityModel
from sim.world.content import Items
from sim.world.groups import Groups, GroupSpec
from sim.world.platform import Platform

BASE = "community: {members: 600}\narrivals: {market_size: 6000, word_of_mouth_q: 0.03}\n"


def _model(text: str, seed: int = 1, days: int = 60) -> CommunityModel:
    scenario = parse_scenario(BASE + text)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    model.run(days)
    return model


# ---- the scenario section ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("groups", "field", "says"),
    [
        ("[{name: a, topics: [8]}]", "groups[0].topics[0]", "topic index"),
        ("[{name: a}, {name: a}]", "groups[1].name", "unique"),
        ("[{name: a, cap: 100}, {name: b, cap: 200}]", "groups:", "hold the founders"),
        ("[{name: a, topics: [1, 1]}]", "groups[0].topics", "repeat"),
        ("[{name: a, cap: 0}]", "groups[0].cap", "between 1 and"),
        ("[{name: a, platform: {kind: irc}}]", "groups[0].platform.kind", "chat_group"),
        ("[]", "groups", "between 1 and 32"),
    ],
)
def test_a_bad_groups_section_is_refused_naming_the_field(groups, field, says):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(BASE + f"groups: {groups}\n")
    message = str(caught.value)
    assert field in message and says in message


def test_a_scenario_without_groups_dumps_and_runs_as_before():
    scenario = parse_scenario(BASE)
    assert "groups" not in scenario.model_dump() and scenario.model_kwargs()["groups"] is None
    assert CommunityModel(**scenario.model_kwargs(), rng=1).groups is None


def test_one_uncapped_forum_group_is_the_one_feed_exactly():
    """The per-group restriction is neutral when one group holds everyone and everything."""
    plain = _model("", days=40).series()
    grouped = _model("groups: [{name: all}]\n", days=40).series()
    pd.testing.assert_frame_equal(plain, grouped)


# ---- joining and caps (the paired test) ----------------------------------------------------------
CAPPED = "groups: [{name: chat, platform: {kind: chat_group}, cap: 700}]\n"
NO_RETURNS = "behaviour: {friend_pull: 0}\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_full_group_refuses_joins_and_an_overflow_group_takes_them(seed):
    """Paired (same seed): with a cap and no operator, joins are refused and the membership stops
    at the cap; with an overflow group the community keeps growing past it."""
    capped = _model(CAPPED + NO_RETURNS, seed)
    series = capped.series()
    assert series["joins_refused"].sum() > 50
    assert series["members"].max() <= 700
    assert capped.groups_frame()["members"].max() <= 700
    overflow = _model(
        CAPPED + NO_RETURNS + "strategy: {groups: {when_full: overflow}}\n", seed
    ).series()
    assert overflow["groups_opened"].sum() >= 1
    assert overflow["members"].max() > 700
    assert overflow["joins_refused"].sum() < series["joins_refused"].sum() / 5
    assert overflow["joins"].sum() > series["joins"].sum() + 50


def test_newcomers_join_the_best_fitting_group_with_room_and_topical_groups_they_favour():
    groups = Groups(
        [GroupSpec("a", cap=2, topics=(0,)), GroupSpec("b", cap=5, topics=(1,)), GroupSpec("c")],
        n_topics=2,
        capacity=16,
    )
    pref = np.array([[0.9, 0.05], [0.8, 0.7], [0.7, 0.05], [0.05, 0.05]], np.float32)
    groups.join(np.arange(4), pref, np.ones(4, bool))
    # a group without topics fits everyone at 1: the first three pick "c"; the favourite topic
    # 0 also puts members 0..2 in "a" (cap 2: only the first two) and member 1 in "b"
    assert groups.member[:4].tolist() == [
        [True, False, True],
        [True, True, True],
        [False, False, True],
        [False, False, True],
    ]
    assert groups.room(np.ones(4, bool)) > 0 and groups.room_per_group(np.ones(4, bool))[0] == 0


# ---- reading, posting and replying by group ------------------------------------------------------
def _population(members: int = 40):
    model = CommunityModel(members=members, market_size=members, rng=5)
    return model.population


def _items(topic, group, n_topics=8):
    n = len(topic)
    return Items.build(
        np.full(n, -1),
        topic,
        np.full(n, 0.8, np.float32),
        np.ones(n, bool),
        n_topics,
        group=group,
    )


def test_each_group_is_read_by_its_members_only_and_budgets_are_shared():
    pop = _population()
    chat = Platform(kind="chat_group")  # read in arrival order up to the budget: the budget binds
    groups = Groups([GroupSpec("a", chat), GroupSpec("b", chat)], n_topics=8, capacity=pop.n)
    groups.member[:20, 0] = True  # slots 0..19 in a, 20..39 in b, 0..9 in both
    groups.member[20:, 1] = True
    groups.member[:10, 1] = True
    feed = _items(np.arange(400) % 8, np.zeros(400, np.int64))  # everything posted in a
    visitors = np.ones(pop.n, bool)
    pop.read(visitors, feed, 1, groups)
    relevant = pop.relevant_read[: pop.n].copy()
    assert (relevant[20:] == 0).all()  # b's members see nothing of a's items
    assert (relevant[:20] > 0).all()
    # the same members reading a alone, with their whole budget, find more in it
    alone = Groups([GroupSpec("a", chat)], n_topics=8, capacity=pop.n)
    alone.member[:20, 0] = True
    pop.start_day()
    pop.read(visitors, feed, 1, alone)
    assert (pop.relevant_read[:10] > relevant[:10] * 1.5).all()  # twice the budget
    # in a only: the same (up to the drift of interests after the first reading)
    assert pop.relevant_read[10:20] == pytest.approx(relevant[10:20], rel=0.05)
    # an announcement (group -1) reaches every group's members
    pop.start_day()
    pop.read(visitors, _items(np.arange(80) % 8, np.full(80, -1)), 1, groups)
    assert (pop.relevant_read[: pop.n] > 0).all()


def test_threads_go_to_a_group_holding_their_topic_and_replies_stay_in_their_group():
    groups = Groups([GroupSpec("x", topics=(0,)), GroupSpec("y", topics=(1,))], 2, capacity=4)
    groups.member[0] = [True, True]
    groups.member[1] = [False, True]
    u = np.array([0.1, 0.9, 0.5])
    assert groups.thread_groups(np.array([0, 0, 1]), np.array([0, 1, 0]), u).tolist() == [0, 1, 1]
    model = _model(
        "groups: [{name: a, platform: {kind: chat_group}}, {name: b, topics: [0, 1, 2]}]\n",
        days=30,
    )
    pop, feed = model.population, model.feed
    pop.relevant_read[: pop.n] = 10  # everyone has read enough to respond
    assert len(feed.threads()) > 0
    responders, item = pop.respond(
        np.ones(pop.n, bool) & pop.view("alive"), feed, 31, "reply", model.groups
    )
    target = feed.threads().group[item]
    assert responders.size > 0
    inside = model.groups.member[responders, np.maximum(target, 0)] | (target < 0)
    assert inside.all()


# ---- the operator's lever ------------------------------------------------------------------------
def test_splitting_by_topic_deals_the_topics_and_moves_members_to_their_half():
    groups = Groups([GroupSpec("g", cap=3)], n_topics=4, capacity=6)
    groups.member[:6, 0] = True
    pref = np.array(
        [
            [0.9, 0, 0, 0],
            [0, 0.9, 0, 0],
            [0, 0, 0.9, 0],
            [0, 0, 0, 0.9],
            [0.9, 0, 0, 0],
            [0, 0.9, 0, 0],
        ],
        np.float32,
    )
    new = groups.split(0, pref, np.ones(6, bool), weights=[4, 3, 2, 1], day=5)
    assert groups.specs[0].topics == (0, 2) and groups.specs[new].topics == (1, 3)
    assert groups.member[:6, 0].tolist() == [True, False, True, False, True, False]
    assert groups.member[:6, new].tolist() == [False, True, False, True, False, True]
    assert groups.opened[new] == 5


@pytest.mark.parametrize("how", ["split_by_topic", "split_random"])
def test_the_lever_splits_a_full_group_so_newcomers_get_in(how):
    refused = _model(CAPPED, days=60).series()["joins_refused"].sum()
    model = _model(CAPPED + f"strategy: {{groups: {{when_full: {how}}}}}\n", days=60)
    series = model.series()
    assert series["groups_split"].sum() >= 1 and series["groups_open"].iloc[-1] >= 2
    assert series["joins_refused"].sum() < refused / 5
    assert series["hours_used"].sum() == pytest.approx(2.0 * series["groups_split"].sum())


def test_the_lever_merges_two_small_groups_of_one_kind():
    text = (
        "groups: [{name: a, cap: 2000}, {name: b, topics: [0]}, {name: c, topics: [1]}]\n"
        "strategy: {groups: {merge_below: 100000}}\n"
    )
    model = _model(text, days=5)
    assert model.series()["groups_merged"].sum() >= 1
    assert (~model.groups.open).sum() >= 1
    gone = np.flatnonzero(~model.groups.open)
    assert not model.groups.member[:, gone].any()


def test_a_run_folder_has_groups_parquet_and_the_summary_each_group(tmp_path):
    scenario = parse_scenario(BASE + CAPPED + "run: {days: 20}\n")
    model = CommunityModel(**scenario.model_kwargs(), rng=1)
    model.run(20)
    out = write_run(model, tmp_path / "run", scenario)
    frame = pd.read_parquet(out / "groups.parquet")
    assert list(frame.columns) == [
        "day",
        "group",
        "name",
        "kind",
        "members",
        "active",
        "posts",
        "replies",
    ]
    assert len(frame) == 20 and frame["members"].iloc[-1] > 0
    summary = model.summary()
    assert summary["groups"][0]["name"] == "chat" and summary["groups"][0]["cap"] == 700
    plain = parse_scenario(BASE + "run: {days: 5}\n")
    model = CommunityModel(**plain.model_kwargs(), rng=1)
    model.run(5)
    assert not (write_run(model, tmp_path / "plain", plain) / "groups.parquet").exists()


def test_the_dashboards_chat_group_lets_a_trainer_see_split_against_no_split():
    """``Setup.group_room``: without it the dashboard's community has no groups (as before, so
    the groups lever does nothing); with it the community is one chat group capped at the founders
    plus the room, which fills, and splitting it by topic (B) takes in the newcomers that no split
    (A) refuses. Fails if the set-up's chat group is not passed to the models."""
    from sim.levers.groups import GroupsLever
    from sim.policies import Strategy
    from sim.ui.dashboard import Setup, Versus

    assert "groups" not in Setup().community_kwargs()
    a = Strategy(groups=GroupsLever(when_full="none"))
    b = Strategy(groups=GroupsLever(when_full="split_by_topic"))
    ends = {}
    for room in (0, 50):
        versus = Versus(Setup(members=600, market_size=6000, group_room=room, a=a, b=b))
        for _ in range(120):
            versus.step()
        ends[room] = versus.a.series(), versus.b.series()
    no_split, split = ends[0]
    pd.testing.assert_frame_equal(no_split, split)  # no groups: the lever has nothing to act on
    assert split["groups_open"].max() == 0
    no_split, split = ends[50]
    assert versus.a.groups.specs[0].cap == 650 and versus.a.groups.specs[0].platform.kind == (
        "chat_group"
    )
    assert no_split["groups_split"].sum() == 0 and split["groups_split"].sum() >= 1
    assert split["members"].iloc[-1] > no_split["members"].iloc[-1]
