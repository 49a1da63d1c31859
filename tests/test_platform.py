"""The platform and the right-sign mechanisms of issue 14, each checked on paired same-seed runs:
the same seeds with one thing changed, the mean effect over the seeds compared with a margin (never
one seed).

Sources of each rule: ``sim.world.platform`` (attention-limited reading, Weng et al. 2012; chat
groups and muting, Qiu et al. 2016; forum ranking, Lerman & Hogg 2010; Ren & Kraut 2014's stream),
``sim.model.LeverWorld.remove`` (removals, Halfaker et al. 2011) and ``sim.agents`` (ties, habit).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.agents import DEFAULT_MIX, Rules
from sim.model import CommunityModel
from sim.policies import Strategy
from sim.world import kernels
from sim.world.content import Items
from sim.world.platform import Platform, best_first, quality_tables

SEEDS = (1, 2, 3, 4)
SMALL = {"members": 800, "market_size": 4000}


def _run(rules=None, days=150, seed=1, strategy=None, **size):
    model = CommunityModel(**{**SMALL, **size}, rules=rules or Rules(), strategy=strategy, rng=seed)
    model.run(days)
    return model


def _paired(measure, arm_a, arm_b, seeds=SEEDS):
    """Per seed, ``measure(model)`` under arm a and arm b; returns the two arrays."""
    a = np.array([measure(arm_a(seed)) for seed in seeds], float)
    b = np.array([measure(arm_b(seed)) for seed in seeds], float)
    return a, b


def _members(model):
    return model.series()["members"].iloc[-1]


def _louder(rules: Rules, factor: float) -> Rules:
    """Every kind of member posts and replies ``factor`` times as much."""
    mix = tuple(replace(s, post=s.post * factor, reply=s.reply * factor) for s in rules.member_mix)
    return replace(rules, member_mix=mix)


@pytest.mark.parametrize("backend", kernels.BACKENDS)
def test_ranked_reading_takes_the_best_items_first(backend):
    """quality_rows: per topic, the best share of its items, best first, a fraction of the next
    item counting for its fraction; weighted by the reader's interest in each topic."""
    items = Items.build(
        [0, 1, 2, 3], [0, 0, 0, 1], np.array([0.2, 0.9, 0.5, 0.7], np.float32), [True] * 4, 2
    )
    tables = quality_tables(items.topic, items.quality, np.ones(4, np.float32), 2)
    pref = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    share = np.array([1 / 3, 1 / 3, 0.5, 0.5, 1.0, 1.0], np.float32)
    with kernels.using(backend):
        got = kernels.active().quality_rows(pref, np.arange(6), share, items.per_topic(), *tables)
    expected = [0.9, 0.7 / 3, 0.9 + 0.5 * 0.5, 0.35, 1.6, 2.3]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # twice the appeal everywhere (no shortcut: positions are searched): twice the sums
    heavy = quality_tables(items.topic, items.quality, np.full(4, 2, np.float32), 2)
    assert heavy[-1] is False and tables[-1] is True
    with kernels.using(backend):
        got = kernels.active().quality_rows(
            pref, np.arange(6), share, 2 * items.per_topic(), *heavy
        )
    np.testing.assert_allclose(got, 2 * np.array(expected), rtol=1e-6)


def test_every_platform_kind_runs_and_they_differ():
    """With more items than a page holds (page depth 10), a ranked feed (the member's relevant
    items first) informs more than a forum page of the best threads for everyone, which informs
    more than a forum page of the newest; all four kinds give different readings."""
    outcomes = {}
    for kind, sort in (("chat_group", "ranked"), ("forum", "ranked"), ("forum", "recent")):
        plat = Platform(kind=kind, sort=sort, page_depth=10)
        model = _run(replace(Rules(), platform=plat), days=60)
        outcomes[kind + sort] = model.series()["mean_info_benefit"].tail(20).mean()
        assert model.series()["members"].iloc[-1] > 0
    for kind in ("feed", "stream"):
        model = _run(replace(Rules(), platform=Platform(kind=kind, page_depth=10)), days=60)
        outcomes[kind] = model.series()["mean_info_benefit"].tail(20).mean()
    assert len({round(v, 6) for v in outcomes.values()}) == 5, outcomes
    assert outcomes["feed"] > outcomes["forumranked"] > outcomes["forumrecent"], outcomes


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_chat_volume_hurts_and_forum_volume_barely():
    """Three times the posting: a chat group loses members (every message notifies, without
    saturation), a forum does not (a member scans one page and picks what interests it)."""

    def loss(kind):
        rules = replace(Rules(), platform=Platform(kind=kind))
        quiet, loud = _paired(
            _members,
            lambda s: _run(rules, days=120, seed=s),
            lambda s: _run(_louder(rules, 3.0), days=120, seed=s),
        )
        return (quiet - loud) / quiet

    chat, forum = loss("chat_group"), loss("forum")
    assert chat.mean() > 0.03, chat
    assert forum.mean() < 0.01, forum  # on a forum more posts are more to choose from
    assert (chat > forum + 0.05).all(), (chat, forum)


def test_members_mute_a_noisy_chat_group_before_leaving():
    rules = _louder(replace(Rules(), platform=Platform(kind="chat_group")), 3.0)
    model = _run(rules, days=60)
    pop = model.population
    muted = pop.view("muted") & pop.view("alive")
    assert muted.sum() > 20
    # muted members pay no notification cost: their recent overload cost is below the others'
    unmuted = ~pop.view("muted") & pop.view("alive") & (pop.view("visits") > 5)
    assert pop.view("overload_ema")[muted].mean() < pop.view("overload_ema")[unmuted].mean()
    # and a forum never mutes
    forum = _run(_louder(Rules(), 3.0), days=60)
    assert not forum.population.view("muted").any()


def _moderation(false_positive_rate):
    return Strategy.model_validate(
        {
            "hours_per_day": 10000.0,
            "moderation": {"mode": "community", "false_positive_rate": false_positive_rate},
        }
    )


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_false_positives_lower_members_and_retention():
    none, wrong = _paired(
        lambda m: (_members(m), m.summary()["retention_30"]),
        lambda s: _run(days=150, seed=s, strategy=_moderation(0.0)),
        lambda s: _run(days=150, seed=s, strategy=_moderation(0.3)),
    )
    members, retention = none[:, 0] - wrong[:, 0], none[:, 1] - wrong[:, 1]
    assert members.mean() > 0.05 * none[:, 0].mean(), members
    assert (members > 0).all(), members
    assert retention.mean() > 0.01, retention


def test_removing_a_newcomers_first_post_lowers_its_chance_to_stay():
    """Each day, the first threads of half of yesterday's first-time posters (even slots) are
    removed, the other half kept; 30 days later, fewer of the removed are still active."""
    removed_stay, kept_stay = [], []
    for seed in SEEDS:
        model = CommunityModel(members=1500, market_size=7500, rng=seed)
        pop = model.population
        treated = {}
        for day in range(130):
            if 10 <= day <= 90:
                feed = model.feed
                author = np.maximum(feed.author, 0)
                first = (feed.author >= 0) & feed.is_thread
                # the feed holds what was published on the last day run (model.day)
                first &= (pop.first_post_day[author] == model.day) & ~pop.is_founder[author]
                first &= pop.posts[author] == pop.threads[author]  # no earlier replies
                for slot in np.unique(feed.author[first]):
                    treated[int(slot)] = (slot % 2 == 0, day)
                model.world.remove(first & (feed.author % 2 == 0))
            model.step()
        for slot, (removed, day) in treated.items():
            stayed = pop.last_active_day[slot] >= day + 30
            (removed_stay if removed else kept_stay).append(stayed)
    assert len(removed_stay) > 60 and len(kept_stay) > 60
    assert np.mean(removed_stay) < np.mean(kept_stay) - 0.1, (
        np.mean(removed_stay),
        np.mean(kept_stay),
    )


def test_removed_items_leave_the_feed_and_threads_count_as_ignored():
    model = _run(days=20)
    feed = model.feed
    threads = (feed.author >= 0) & feed.is_thread
    mask = threads & (np.arange(len(feed)) % 2 == 0)
    authors = feed.author[mask]
    assert model.world.remove(mask) == mask.sum() > 0
    assert len(model.feed) == len(feed) - mask.sum()
    assert (model.population.removed_threads[authors] > 0).all()
    assert (model.population.removal_today[authors] >= 1).all()


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_ties_and_bonds_are_benefits():
    tie, no_tie = _paired(
        lambda m: m.summary()["retention_30"],
        lambda s: _run(seed=s),
        lambda s: _run(replace(Rules(), tie_gain=0.0), seed=s),
    )
    assert (tie - no_tie).mean() > 0.005, tie - no_tie
    bond, no_bond = _paired(
        _members,
        lambda s: _run(seed=s),
        lambda s: _run(replace(Rules(), bond_weight=0.0), seed=s),
    )
    assert (bond - no_bond).mean() > 0.02 * bond.mean(), bond - no_bond


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_reinforcement_makes_participation_unequal():
    def gini(model):
        return model.summary()["posts_gini"], model.summary()["top1_post_share"]

    off = replace(Rules(), drive_gain=0.0, first_reply_weight=0.0, habit_gain=0.0)
    size = {"members": 1500, "market_size": 7500, "days": 200}
    on, without = _paired(gini, lambda s: _run(seed=s, **size), lambda s: _run(off, seed=s, **size))
    assert (on[:, 0] - without[:, 0]).mean() > 0.02, on[:, 0] - without[:, 0]
    assert (on[:, 1] - without[:, 1]).mean() > 0.04, on[:, 1] - without[:, 1]


def test_roles_are_counted_daily_and_add_up_to_members():
    series = _run(days=60).series()
    roles = series[["lurkers", "occasional", "regulars", "core"]]
    assert (roles.sum(axis=1) == series["members"]).all()
    assert (series["core"].tail(10) > 0).all()
    assert (series["lurkers"] > series["core"]).all()


def test_the_default_community_grows_then_plateaus_without_collapse():
    for seed in (1, 2):
        model = CommunityModel(members=2000, market_size=10000, rng=seed)
        model.run(240)
        series, summary = model.series(), model.summary()
        founders = summary["members_start"]
        assert series["members"].iloc[-1] > 0.9 * founders
        assert series["members"].max() > founders  # Bass arrivals grow it first
        reasons = {k: v for k, v in summary.items() if k.startswith("leaves_")}
        assert reasons["leaves_overloaded"] < 0.1 * summary["leaves"], reasons


def test_relevant_good_operator_content_helps():
    content = Strategy.model_validate(
        {"hours_per_day": 10000.0, "budget": 1e9, "content": {"posts_per_day": 20, "quality": 0.9}}
    )
    with_content, without = _paired(
        _members,
        lambda s: _run(seed=s, strategy=content),
        lambda s: _run(seed=s),
    )
    assert (with_content - without).mean() > 0, with_content - without


@pytest.mark.parametrize("kind", ["forum", "feed", "chat_group", "stream"])
def test_platform_runs_are_reproducible(kind):
    rules = replace(Rules(), platform=Platform(kind=kind), member_mix=DEFAULT_MIX)
    a = _run(rules, days=30, seed=7).series()
    b = _run(rules, days=30, seed=7).series()
    assert a.equals(b)


def test_newcomers_fit_scales_only_newcomers_need():
    """Rules.newcomer_fit scales the need for information of members who join after day 0 (the
    same draws otherwise), never the founders'; a better fit keeps more newcomers."""
    from sim.agents import Population
    from sim.world.streams import RandomStreams

    needs = {}
    for fit in (1.0, 0.5):
        pop = Population(
            replace(Rules(), newcomer_fit=fit), RandomStreams(np.random.SeedSequence(3))
        )
        founders = pop.add(200, day=0, founders=True)
        newcomers = pop.add(200, day=5)
        needs[fit] = (pop.info_need[founders].copy(), pop.info_need[newcomers].copy())
    np.testing.assert_array_equal(needs[1.0][0], needs[0.5][0])
    np.testing.assert_allclose(needs[0.5][1], 0.5 * needs[1.0][1], rtol=1e-6)
    kept = {}
    for fit in (1.0, 0.5):
        model = CommunityModel(rules=replace(Rules(), newcomer_fit=fit), rng=5)
        model.run(100)
        kept[fit] = model.summary()["retention_30"]
    assert kept[1.0] > kept[0.5] + 0.03, kept


def test_forum_repliers_seek_unanswered_threads():
    """On a forum, replies to crowded threads turn to unpicked ones (Population._seek_unanswered):
    as many replies, fewer threads unanswered; without the forum's lists (seek_crowd out of
    reach) more threads go unanswered."""
    outcomes, default = {}, Rules().seek_crowd
    for crowd in (default, 10**6):
        model = CommunityModel(members=800, market_size=3000, rules=Rules(seek_crowd=crowd), rng=2)
        model.run(60)
        series = model.series()
        outcomes[crowd] = (series["unanswered_share"].tail(40).mean(), series["replies"].sum())
    seeking, not_seeking = outcomes[default], outcomes[10**6]
    assert seeking[0] < not_seeking[0] - 0.03, outcomes


@pytest.mark.parametrize("seed", range(4))
def test_best_first_is_the_stable_sort_of_the_float_key(seed):
    """quality_tables orders items by topic, best quality first, ties in index order: the packed
    int64 key gives exactly the stable argsort of the float key, with ties, -0.0 (equal to 0.0),
    qualities outside 0..1 (clipped) and a NaN (the float key itself is used)."""
    rng = np.random.default_rng(seed)
    for n, n_topics in ((0, 1), (1, 1), (500, 8), (4000, 64)):
        topic = rng.integers(0, n_topics, n)
        if seed % 2:
            topic = np.sort(topic)  # as Items holds them
        quality = rng.random(n).astype(np.float32)
        quality[rng.random(n) < 0.3] = np.float32(0.5)  # ties
        odd = rng.random(n) < 0.1
        quality[odd] = rng.choice(np.array([-0.0, 0.0, 1.0, 1.5, -0.25], np.float32), odd.sum())
        expected = np.argsort(
            topic - np.clip(quality, 0, 1).astype(np.float64) * 0.5, kind="stable"
        )
        assert np.array_equal(best_first(topic, quality), expected)
        if n:
            quality[0] = np.nan
            expected = np.argsort(
                topic - np.clip(quality, 0, 1).astype(np.float64) * 0.5, kind="stable"
            )
            assert np.array_equal(best_first(topic, quality), expected)
