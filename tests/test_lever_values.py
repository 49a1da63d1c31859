"""Levers by value (issue 14, items 2, 3 and 5): incentives pull by what a reward is worth and by
the member's extrinsic motivation, ranks steer toward their thresholds, crowding out depends on how
tangible and how large a reward is, a lottery's prize draws by its expected value, moderation
reviews what it realistically would at a cost in staff time per item, operator content has a
quality per item, and members who left can come back.

Run-level comparisons use the same seeds in both arms (common random numbers) and assert on the
mean paired difference over several seeds.
"""

from dataclasses import replace

import numpy as np
import pytest

from sim import CommunityModel, Rules
from sim.agents import DEFAULT_MIX
from sim.levers.content import Content, Format, item_quality
from sim.levers.events import Event, Events
from sim.levers.incentives import Incentives, crowding, prepare_boosts, saturate
from sim.levers.moderation import Moderation
from sim.levers.winback import WinBack, call_back
from sim.policies import Strategy
from sim.world.content import Items

SEEDS = range(1, 5)
SMALL = {"members": 1200, "market_size": 6000}


def _runs(strategy, days, seeds=SEEDS, **kwargs):
    models = []
    for seed in seeds:
        model = CommunityModel(strategy=strategy, rng=seed, **{**SMALL, **kwargs})
        model.run(days)
        models.append(model)
    return models


def _mean(models, column, first=1, last=None):
    def window(s):
        return s[(s["day"] >= first) & (s["day"] <= (last or s["day"].max()))]

    return np.array([window(m.series())[column].mean() for m in models])


# ---- the value function ----------------------------------------------------------------------------
def test_the_value_function_saturates():
    values = saturate(np.array([0.0, 0.05, 0.1, 1.0, 10.0]), 0.05)
    assert values[0] == 0 and values[1] == pytest.approx(0.5)
    assert np.all(np.diff(values) > 0) and values[-1] < 1
    # concave: doubling a small reward adds more than doubling a large one
    assert values[2] - values[1] > saturate(2.0, 0.05) - values[3]


# ---- incentives by value ---------------------------------------------------------------------------
def _scheme(**settings):
    base = {"start": 1, "points": {"post": 10.0, "reply": 10.0, "checkin": 0.0, "invite": 0.0}}
    return Strategy(budget=1e7, incentives=Incentives(**{**base, **settings}))


def test_a_redeemable_point_value_raises_rewarded_actions():
    valued = _runs(_scheme(tangible=True, money_per_point=0.02), days=60)
    worthless = _runs(_scheme(tangible=True, money_per_point=0.0), days=60)
    gain = _mean(valued, "replies", 20) - _mean(worthless, "replies", 20)
    assert gain.mean() > 0 and (gain > 0).sum() >= 3


def test_members_with_more_extrinsic_motivation_respond_more():
    """Founders are the same members in both arms (same seed): the scheme's relative gain in
    replies is larger for the most extrinsically motivated quarter than for the least."""
    ratios = []
    for seed in SEEDS:
        scheme = _runs(_scheme(tangible=True, money_per_point=0.02), 40, seeds=[seed])[0]
        control = _runs(Strategy(), 40, seeds=[seed])[0]
        founders = np.flatnonzero(scheme.population.view("is_founder"))
        extrinsic = scheme.population.extrinsic[founders]
        low, high = np.quantile(extrinsic, [0.25, 0.75])
        gains = []
        for group in (extrinsic <= low, extrinsic >= high):
            slots = founders[group]
            treated = scheme.population.replies[slots].sum()
            untreated = control.population.replies[slots].sum()
            gains.append((treated + 1) / (untreated + 1))
        ratios.append(gains[1] / gains[0])
    assert np.mean(ratios) > 1


def test_rank_thresholds_steer_in_proportion_to_their_value():
    model = CommunityModel(**SMALL, rng=3)
    model.run(5)
    pop = model.population
    here = pop.here()
    pop.extrinsic[here] = 0.9  # everyone a full steerer
    pop.rank[here] = 0
    near, far = here[:100], here[100:200]
    pop.points[near] = 95.0  # 5 points short of the first rank
    pop.points[far] = 5.0

    def post_boost(**settings):
        pop.start_day()
        prepare_boosts(pop, Incentives(ranks=[100.0, 1000.0], **settings))
        boost = pop.today.boosts["post"]
        return boost[near].mean(), boost[far].mean()

    near_boost, far_boost = post_boost()
    assert near_boost > far_boost * 1.5  # steering toward the threshold
    valuable, _ = post_boost(rank_values=[20.0, 20.0])
    worthless, worthless_far = post_boost(rank_values=[0.0, 0.0])
    assert valuable > near_boost > worthless  # in proportion to what the rank means
    assert worthless == pytest.approx(worthless_far)  # a rank worth nothing does not steer


def test_the_value_function_magnitudes_are_behaviour_parameters():
    """crowd_floor, reward_half_value and status_per_point (Rules) set what the lever computes."""
    tiny, large = np.array([0.001]), np.array([0.5])
    assert crowding(tiny, replace(Rules(), crowd_floor=1.0))[0] == 1.0  # every payment: all of it
    assert crowding(tiny, replace(Rules(), crowd_floor=0.0))[0] < 0.05  # by size alone
    small_half = replace(Rules(), crowd_floor=0.0, reward_half_value=0.001)
    assert crowding(tiny, small_half)[0] == pytest.approx(0.5)
    assert crowding(large, small_half)[0] > crowding(large, replace(Rules(), crowd_floor=0.0))[0]
    scheme = Incentives()  # recognition-only points: worth their status alone
    assert scheme.action_value("post", 0.0) == 0.0
    assert scheme.action_value("post", 0.01) == pytest.approx(
        2 * scheme.action_value("post", 0.005)
    )


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_crowding_out_is_larger_for_tangible_and_larger_rewards():
    assert crowding(np.array([0.5]), Rules())[0] > crowding(np.array([0.001]), Rules())[0] > 0

    def intrinsic(strategy):
        """The founders' mean intrinsic motivation (the same members in every arm, whether they
        stayed or not: no selection by who stays)."""
        models = _runs(strategy, 90, seeds=range(1, 4))
        return np.array(
            [m.population.view("intrinsic")[m.population.view("is_founder")].mean() for m in models]
        )

    large = intrinsic(_scheme(tangible=True, money_per_point=0.05))
    small = intrinsic(_scheme(tangible=True, money_per_point=0.0005))
    recognition = intrinsic(_scheme(tangible=False))
    none = intrinsic(Strategy())
    assert (large < small).all()
    assert (small < none).all()  # any payment crowds out some
    assert (recognition >= none).all()  # recognition does not


def test_a_larger_lottery_prize_raises_activity():
    def lottery(prize):
        event = Event(kind="lottery", every=7, start=7, prize=prize, capacity=100_000)
        return _runs(Strategy(budget=1e7, events=Events(calendar=[event])), days=90)

    small, large = lottery(10.0), lottery(500.0)
    attendance = _mean(large, "event_attendance") - _mean(small, "event_attendance")
    dau = _mean(large, "dau", 30) - _mean(small, "dau", 30)
    assert (attendance > 0).all()
    assert dau.mean() > 0


def test_a_lottery_builds_no_ties_and_a_qa_does():
    """Bonds form through interaction (Ren, Kraut & Kiesler 2007): how many ties an attendee makes
    (Rules.event_ties) changes a Q&A's community, never a lottery's."""

    def ties(kind, event_ties):
        event = Event(kind=kind, every=7, start=7, prize=100.0, capacity=100_000)
        strategy = Strategy(budget=1e7, events=Events(calendar=[event]))
        rules = replace(Rules(), event_ties=event_ties)
        return _mean(_runs(strategy, 40, seeds=[1], rules=rules), "ties", 30)

    assert ties("lottery", 0) == ties("lottery", 5)
    assert ties("qa", 5) > ties("qa", 0)


# ---- moderation --------------------------------------------------------------------------------------
def _chatty_rules():
    mix = tuple(replace(s, chatter=0.2, toxic=0.02) for s in DEFAULT_MIX)
    return replace(Rules(), member_mix=mix)


def test_community_moderation_without_proactive_review_reviews_flagged_items_only():
    strategy = Strategy(
        hours_per_day=100.0, moderation=Moderation(mode="community", proactive="none")
    )
    model = _runs(strategy, 40, seeds=[2], rules=_chatty_rules())[0]
    s = model.series()
    assert s["items_flagged"].sum() > 0
    assert (s["items_reviewed"] == s["items_flagged"]).all()
    assert s["posts_removed_true"].sum() > 0
    removed = s["posts_removed_true"] + s["posts_removed_false"]
    assert (removed <= s["items_reviewed"]).all()


def test_moderation_costs_staff_time_per_item_and_stops_when_hours_run_out():
    def run(hours):
        moderation = Moderation(mode="community", proactive="all", minutes_per_item=3.0)
        return _runs(Strategy(hours_per_day=hours, moderation=moderation), 30, seeds=[1])[0]

    s_many, s_few = run(100.0).series(), run(0.5).series()
    assert s_many["moderation_hours"].to_numpy() == pytest.approx(
        s_many["items_reviewed"].to_numpy() * 3.0 / 60
    )
    assert (s_few["moderation_hours"] <= 0.5 + 1e-9).all()
    assert s_few["items_reviewed"].sum() < s_many["items_reviewed"].sum()
    assert (s_few["items_reviewed"] <= 10).all()  # 0.5 hours at 3 minutes an item


# ---- content ---------------------------------------------------------------------------------------
def test_operator_content_quality_is_drawn_per_item():
    gen = np.random.default_rng(1)
    quality = item_quality(np.full(20_000, 0.7), 0.1, gen)
    assert quality.mean() == pytest.approx(0.7, abs=0.01)
    assert quality.std() == pytest.approx(0.1, abs=0.01)
    assert ((quality > 0) & (quality < 1)).all()
    assert (item_quality(np.full(5, 0.7), 0.0, gen) == np.float32(0.7)).all()


def test_a_format_can_have_its_own_quality():
    published = []
    formats = {"poor": Format(share=1.0, quality=0.1), "good": Format(share=1.0, quality=0.9)}
    strategy = Strategy(content=Content(posts_per_day=50, formats=formats, quality_spread=0.0))
    model = CommunityModel(**SMALL, strategy=strategy, rng=1)
    publish = model.world.publish
    model.world.publish = lambda topic, quality, appeal, fmt, *rest: (
        published.append((np.asarray(quality), np.asarray(fmt))),
        publish(topic, quality, appeal, fmt, *rest),
    )
    model.run(3)
    quality = np.concatenate([q for q, _ in published])
    fmt = np.concatenate([f for _, f in published])
    assert quality[fmt == 0] == pytest.approx(0.1) and quality[fmt == 1] == pytest.approx(0.9)


def test_reply_targets_weigh_threads_by_how_much_they_ask_for_an_answer():
    items = Items.build(
        [3, -1, 5, -1],
        [0, 0, 1, 1],
        [0.5] * 4,
        [True] * 4,
        2,
        appeal=[1.0, 2.0, 1.0, 1.0],
        fmt=[-1, 0, -1, 0],
        asks=[1.0, 0.25, 1.0, 0.5],
    )
    view = items.for_replies()
    assert view.appeal.tolist() == [1.0, 0.5, 1.0, 0.5]
    assert (view.author == items.author).all() and (view.topic == items.topic).all()
    assert items.appeal.tolist() == [1.0, 2.0, 1.0, 1.0]  # reading keeps the full appeal
    plain = Items.build([1, 2], [0, 1], [0.5, 0.5], [True, True], 2)
    assert plain.for_replies() is plain
    # a member interested only in topic 0 replies to the member's thread 4 times as often as to
    # the operator's (weights 1 against 0.5 after asks), where reading goes 1 to 2
    pref = np.array([[1.0, 0.0]], np.float32)
    rows = np.zeros(20_000, np.int64)
    gen = np.random.default_rng(3)
    u = gen.random((2, rows.size), np.float32)
    replied = view.pick(pref, u[0], u[1], rows=rows)
    read = items.pick(pref, u[0], u[1], rows=rows)
    assert (replied == 1).mean() == pytest.approx(1 / 3, abs=0.02)
    assert (read == 1).mean() == pytest.approx(2 / 3, abs=0.02)


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_operator_threads_that_ask_less_leave_fewer_member_threads_unanswered():
    """Paired over seeds: with 100 operator items a day, members' threads go unanswered less often
    when the operator's items ask for replies a quarter as much as members' threads than when they
    ask as much (Burke et al. 2007; Arguello et al. 2006)."""

    def strategy(asks):
        fmt = {"text": Format(share=1.0, asks_for_replies=asks)}
        content = Content(posts_per_day=100, quality=0.8, formats=fmt)
        return Strategy(hours_per_day=100, content=content)

    days = 90
    low = _mean(_runs(strategy(0.25), days), "unanswered_share", first=31)
    high = _mean(_runs(strategy(1.0), days), "unanswered_share", first=31)
    assert (low < high).all(), (low, high)
    assert (high - low).mean() > 0.03, (low, high)


# ---- return after leaving --------------------------------------------------------------------------
def test_winback_brings_departed_members_back_fewer_the_longer_they_have_been_away():
    model = CommunityModel(**SMALL, rng=4)
    model.run(200)
    pop, day = model.population, model.day + 1
    gone = np.flatnonzero(~pop.view("alive"))
    away = day - pop.leave_day[gone]
    recent, long_gone = gone[away <= 20], gone[(away > 90) & (away <= 180)]
    assert recent.size > 50 and long_gone.size > 50
    pop.friends[gone] = 0  # the message's pull alone
    call_back(pop, gone, day, response=0.5, habituation=0.5)
    back = pop.rejoin(day)
    share_recent = np.isin(recent, back).mean()
    share_long = np.isin(long_gone, back).mean()
    assert 0 < share_long < share_recent
    assert pop.alive[back].all() and (pop.returns[back] == 1).all()
    assert back.size == pop.returned_today


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_winback_to_departed_members_brings_returns_and_they_are_counted():
    reach = _runs(Strategy(winback=WinBack(departed_within=90)), 150)
    here_only = _runs(Strategy(winback=WinBack(departed_within=0)), 150)
    gain = _mean(reach, "returned") - _mean(here_only, "returned")
    assert (gain > 0).all()
    for model in reach:
        returned = model.series()["returned"].sum()
        assert model.summary()["returned"] == returned
        assert model.population.view("returns").sum() == returned


def test_a_returned_member_keeps_reduced_loyalty_and_visits():
    model = CommunityModel(**SMALL, rng=5)
    model.run(120)
    pop, day = model.population, model.day + 1
    gone = np.flatnonzero(~pop.view("alive"))[:200]
    before = pop.loyalty[gone].copy()
    pop.return_pull[gone] = 10.0  # certain to come back
    back = pop.rejoin(day)
    assert np.isin(gone, back).all()
    kept = pop.loyalty[gone] / np.maximum(before, 1e-6)
    assert np.allclose(kept[before > 0], 0.8, atol=1e-5)
    assert (pop.visit_pull[gone] >= 1).all()
    assert np.isin(gone, pop.here()).all()  # the cache of members here was refreshed


def test_an_event_calls_back_members_who_left_lately_by_its_draw():
    from sim.levers.events import RETURN_WINDOW, _call_back

    model = CommunityModel(**SMALL, rng=6)
    model.run(200)
    pop, day = model.population, model.day + 1
    gone = np.flatnonzero(~pop.view("alive"))
    lately = gone[day - pop.leave_day[gone] <= RETURN_WINDOW]
    long_ago = gone[day - pop.leave_day[gone] > RETURN_WINDOW]
    assert lately.size and long_ago.size
    _call_back(pop, day, 0.5)
    weak = pop.return_pull[lately].copy()
    _call_back(pop, day, 2.0)
    assert (weak > 0).all() and (pop.return_pull[lately] - weak > weak).all()
    assert (pop.return_pull[long_ago] == 0).all()
    assert (pop.return_pull[pop.here()] == 0).all()
