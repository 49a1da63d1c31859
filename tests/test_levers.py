"""Every lever moves its outcome in the documented direction under paired seeds (EVIDENCE.md, K),
the operator stays within its hours and money, and schemes start and stop on their dates.

Each comparison runs the same seeds in both arms (common random numbers) and asserts on the mean
paired difference over several seeds, so a test fails for a real reason, not for one unlucky seed.
"""

from dataclasses import replace

import numpy as np
import pydantic
import pytest

from sim import CommunityModel, Rules
from sim.agents import DEFAULT_MIX
from sim.levers.adaptive import Adaptive
from sim.levers.content import Content, Format
from sim.levers.events import Event, Events
from sim.levers.incentives import Badge, Incentives
from sim.levers.moderation import Moderation
from sim.levers.onboarding import Onboarding
from sim.levers.recruitment import Campaign, Recruitment
from sim.levers.winback import WinBack
from sim.policies import Strategy, operator_series
from sim.world.platform import Platform
from sim.world.uncertainties import Competitor, Seasonality, TrendShock, Uncertainties

SEEDS = range(1, 5)


def _runs(strategy, days=150, seeds=SEEDS, **kwargs):
    models = []
    for seed in seeds:
        model = CommunityModel(strategy=strategy, rng=seed, **kwargs)
        model.run(days)
        models.append(model)
    return models


def _mean(models, column, first=1):
    return np.array([m.series().loc[lambda s: s["day"] >= first, column].mean() for m in models])


def _paired_gain(strategy, column, days=150, first=1, baseline=None, **kwargs):
    treated = _runs(strategy, days, **kwargs)
    control = _runs(baseline or Strategy(), days, **kwargs)
    return _mean(treated, column, first) - _mean(control, column, first), treated, control


# ---- the operator's capacity -----------------------------------------------------------------------
def test_hours_and_money_never_exceed_the_limits():
    strategy = Strategy(
        hours_per_day=6.0,
        budget=2000.0,
        content=Content(
            posts_per_day=8.0, formats={"video": Format(share=1.0, hours=1.0, money=40.0)}
        ),
        onboarding=Onboarding(),
        winback=WinBack(),
    )
    model = _runs(strategy, days=120, seeds=[3])[0]
    s = model.series()
    assert (s["hours_used"] <= 6.0 + 1e-9).all()
    assert s["money_spent"].sum() <= 2000.0 + 1e-6
    assert s["money_spent"].sum() > 1900.0  # the budget was used up ...
    assert s["money_short"].sum() > 0 and s["actions_skipped"].sum() > 0  # ... and then short
    # lower-priority levers lose out first: content (priority 3) outlasts win-back (priority 7)
    assert model.operator.money_left >= 0
    # and the shortfall is reported per lever: every skipped action is some lever's
    skipped = s[["skipped_content", "skipped_onboarding", "skipped_winback"]].sum(axis=1)
    assert (skipped == s["actions_skipped"]).all()
    assert s["skipped_content"].sum() > 0  # videos, once the money is gone


def test_money_a_lever_owes_and_cannot_pay_is_reported_as_its_own():
    incentives = Incentives(tangible=True, redeem_at=20.0, money_per_point=1.0)
    model = _runs(Strategy(budget=50.0, incentives=incentives), days=40, seeds=[2])[0]
    s = model.series()
    assert s["money_spent"].sum() == pytest.approx(50.0)
    assert s["unpaid_incentives"].sum() > 0
    assert s["unpaid_incentives"].sum() == pytest.approx(s["money_short"].sum())
    assert "unpaid_content" not in s  # content pays before it acts: it never owes


def test_shortfall_is_reported_when_hours_run_out():
    strategy = Strategy(hours_per_day=1.0, onboarding=Onboarding(welcome_hours=0.5))
    s = _runs(strategy, days=30, seeds=[1])[0].series()
    assert (s["hours_used"] <= 1.0 + 1e-9).all()
    assert (s["welcomes_sent"] <= 2).all()
    assert s["hours_short"].sum() > 0


def test_no_operator_reports_zero_operator_series():
    s = _runs(None, days=20, seeds=[1])[0].series()
    for column in operator_series():
        if column != "winback_returns":
            assert (s[column] == 0).all(), column


# ---- content ---------------------------------------------------------------------------------------
@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_operator_content_raises_information_benefit():
    gain, treated, _ = _paired_gain(
        Strategy(content=Content(posts_per_day=15.0)), "mean_info_benefit"
    )
    assert gain.mean() > 0 and (gain > 0).sum() >= 3
    assert _mean(treated, "operator_posts").mean() > 10


def test_engaging_formats_draw_more_responses():
    text = Strategy(content=Content(posts_per_day=15.0, formats={"text": Format(share=1.0)}))
    video = Strategy(
        budget=1e6,
        content=Content(
            posts_per_day=15.0,
            formats={"video": Format(share=1.0, engagement=3.0, hours=0.5, money=1.0)},
        ),
    )
    gain, _, _ = _paired_gain(video, "reactions", days=60, baseline=text)
    assert gain.mean() > 0


# ---- events ----------------------------------------------------------------------------------------
def test_events_build_loyalty_and_ties():
    events = Strategy(events=Events(calendar=[Event(kind="sharing", every=7, promotion_days=3)]))
    loyalty, treated, control = _paired_gain(events, "mean_loyalty", first=60)
    ties = _mean(treated, "ties", 60) - _mean(control, "ties", 60)
    assert loyalty.mean() > 0 and ties.mean() > 0
    assert _mean(treated, "event_attendance").sum() > 0


def test_promotion_raises_attendance():
    def attendance(lead):
        strategy = Strategy(
            events=Events(
                calendar=[Event(kind="qa", day=40, promotion_days=lead, capacity=100_000)]
            )
        )
        return sum(m.series()["event_attendance"].sum() for m in _runs(strategy, days=41))

    assert attendance(7) > attendance(0)


# ---- incentives ------------------------------------------------------------------------------------
def test_points_raise_posting_while_they_run():
    scheme = Strategy(
        incentives=Incentives(points={"post": 10.0, "reply": 10.0, "checkin": 0.0, "invite": 0.0})
    )
    gain, treated, _ = _paired_gain(scheme, "threads", days=90, first=10)
    assert gain.mean() > 0
    assert (_mean(treated, "points_issued") > 0).all()


def test_incentives_stop_on_their_stop_date():
    scheme = Strategy(incentives=Incentives(start=10, stop=40, tangible=True, redeem_at=50.0))
    s = _runs(scheme, days=70, seeds=[2])[0].series()
    running = s.query("10 <= day <= 40")
    assert (running["points_issued"] > 0).all()
    assert (s.query("day < 10 or day > 40")["points_issued"] == 0).all()
    assert s["points_redeemed"].sum() > 0
    issued, redeemed = s["points_issued"].sum(), s["points_redeemed"].sum()
    assert s["points_liability"].iloc[-1] <= issued - redeemed + 1e-6


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_tangible_rewards_crowd_out_and_recognition_does_not():
    def scheme(tangible):
        return Strategy(
            budget=1e7,
            incentives=Incentives(
                start=30,
                stop=100,
                tangible=tangible,
                points={"post": 10.0, "reply": 10.0, "checkin": 0.0, "invite": 0.0},
            ),
        )

    days, after = 160, 120
    none = _runs(Strategy(), days)
    tangible = _runs(scheme(True), days)
    recognition = _runs(scheme(False), days)

    def posts(models):
        return _mean(models, "threads", after) + _mean(models, "replies", after)

    assert (posts(tangible) - posts(none)).mean() < 0
    assert (posts(recognition) - posts(tangible)).mean() > 0
    withdrawn = sum(m.series()["leaves_reward_withdrawn"].sum() for m in tangible)
    assert withdrawn > 0


def test_badges_are_awarded_at_their_threshold():
    scheme = Strategy(incentives=Incentives(badges=[Badge(action="checkin", threshold=5)]))
    model = _runs(scheme, days=40, seeds=[1])[0]
    pop = model.population
    holders = pop.view("badge_bits") & 1 == 1
    assert holders.any()
    assert (pop.view("scheme_checkins")[holders] >= 5).all()
    assert (pop.view("scheme_checkins")[~holders] < 5).all()


def test_a_badge_added_mid_scheme_reaches_everyone_who_already_qualifies():
    """Badges are checked for today's visitors only, except when the scheme's thresholds change:
    then every member still here is checked, visiting today or not."""
    scheme = Strategy(incentives=Incentives(badges=[Badge(action="checkin", threshold=10**6)]))
    model = _runs(scheme, days=30, seeds=[1])[0]
    model.strategy.incentives.badges = [Badge(action="checkin", threshold=5)]
    model.step()
    pop, day = model.population, model.day
    qualified = pop.view("alive") & (pop.view("scheme_checkins") >= 5)
    away_today = qualified & (pop.view("last_active_day") < day)
    assert away_today.any()
    assert (pop.view("badge_bits")[qualified] & 1 == 1).all()


def test_the_leaderboard_is_the_top_members_still_here_earlier_joiners_first_on_ties():
    from sim.levers.incentives import _leaders

    model = CommunityModel(members=10, market_size=10, rng=1)
    pop = model.population
    pop.recent_points[:10] = [5, 9, 0, 7, 7, 7, 9, 1, 0, 0]
    pop.alive[1] = False  # the best score has left
    assert _leaders(pop, 3).tolist() == [6, 3, 4]
    assert sorted(_leaders(pop, 20).tolist()) == [0, 3, 4, 5, 6, 7]  # only positive scores


# ---- moderation ------------------------------------------------------------------------------------
def _broad(toxic: float = 0.0) -> dict:
    """Ren & Kraut's setting: an unfiltered stream, many topics, narrow interests, high volume,
    social chatter."""
    mix = tuple(
        replace(
            seg,
            favourite_topics=1,
            post=seg.post * 3,
            reply=seg.reply * 3,
            chatter=0.3,
            toxic=toxic,
        )
        for seg in DEFAULT_MIX
    )
    return {
        "members": 2000,
        "market_size": 10000,
        # Ren & Kraut's Usenet groups: one unfiltered stream (the RK targets' platform too)
        "rules": replace(Rules(), n_topics=16, member_mix=mix, platform=Platform(kind="stream")),
    }


BROAD = _broad()


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_personalized_moderation_raises_posting_over_none():
    personalized = Strategy(hours_per_day=1e4, moderation=Moderation(mode="personalized"))
    none = Strategy(hours_per_day=1e4, moderation=Moderation(mode="none"))
    gain, _, _ = _paired_gain(personalized, "threads", first=60, baseline=none, **BROAD)
    assert gain.mean() > 0


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_community_moderation_trades_bonds_for_information():
    community = Strategy(hours_per_day=1e4, moderation=Moderation(mode="community"))
    none = Strategy(hours_per_day=1e4, moderation=Moderation(mode="none"))
    info, treated, control = _paired_gain(
        community, "mean_info_benefit", first=60, baseline=none, **BROAD
    )
    bond = _mean(treated, "mean_bond_benefit", 60) - _mean(control, "mean_bond_benefit", 60)
    assert info.mean() > 0 and bond.mean() < 0
    assert _mean(treated, "posts_removed_true").mean() > 0
    assert _mean(treated, "posts_removed_false").mean() > 0


def test_toxic_members_drive_members_away_for_toxicity():
    models = _runs(Strategy(moderation=Moderation(mode="none")), days=120, **_broad(toxic=0.05))
    assert sum(m.series()["leaves_toxicity"].sum() for m in models) > 0


# ---- onboarding ------------------------------------------------------------------------------------
@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_onboarding_raises_newcomer_retention():
    def retention(strategy):
        return np.array([m.summary()["retention_30"] for m in _runs(strategy, days=120)])

    assert (retention(Strategy(onboarding=Onboarding())) - retention(Strategy())).mean() > 0


def test_operator_replies_reach_first_posts():
    models = _runs(Strategy(onboarding=Onboarding(welcome=False)), days=90)
    assert all(m.summary()["first_post_reply_share"] > 0.95 for m in models)


# ---- recruitment -----------------------------------------------------------------------------------
def test_campaigns_bring_joins_at_a_cost():
    campaign = Strategy(
        budget=1e6,
        recruitment=Recruitment(
            campaigns=[Campaign(start=10, end=40, extra_p=0.003, cost_per_join=5.0)]
        ),
    )
    joins, treated, _ = _paired_gain(campaign, "joins", days=60)
    assert joins.mean() > 0
    for model in treated:
        s = model.series()
        assert s["campaign_joins"].sum() > 0
        assert s["money_spent"].sum() == pytest.approx(5.0 * s["campaign_joins"].sum())


def test_a_campaign_pulls_from_its_first_day_to_its_last():
    """Arrivals come before the operator acts, so the campaign must be known before them: a
    one-day campaign brings joins on that day, none the day before or after."""
    day10 = Recruitment(campaigns=[Campaign(start=10, end=10, extra_p=0.05, cost_per_join=1.0)])
    model = _runs(Strategy(budget=1e6, recruitment=day10), days=15, seeds=[1])[0]
    brought = model.series().set_index("day")["campaign_joins"]
    assert brought[10] > 0
    assert brought.drop(10).eq(0).all()


def test_referral_rewards_raise_invitations():
    referral = Strategy(budget=1e6, recruitment=Recruitment(referral_reward=3.0, invite_boost=3.0))
    gain, _, _ = _paired_gain(referral, "invites", days=60)
    assert gain.mean() > 0


# ---- win-back --------------------------------------------------------------------------------------
def test_winback_brings_back_some_dormant_members():
    campaign = Strategy(winback=WinBack(inactive_days=14))
    models = _runs(campaign, days=120)
    for model in models:
        s = model.series()
        assert s["winback_sent"].sum() > 0
        assert 0 < s["winback_returns"].sum() < s["winback_sent"].sum()
    assert all(m.population.view("winback_messages").max() <= 3 for m in models)


# ---- adaptive --------------------------------------------------------------------------------------
def test_adaptive_shifts_content_toward_what_gets_interaction():
    formats = {
        "text": Format(share=1.0, engagement=1.0),
        "video": Format(share=1.0, engagement=4.0, hours=0.5),
    }
    strategy = Strategy(
        content=Content(posts_per_day=20.0, formats=formats),
        adaptive=Adaptive(window=14, step=0.3, every=7),
    )
    model = _runs(strategy, days=90, seeds=[1])[0]
    weights = model.strategy.content.format_weights()
    assert weights[1] > 0.6  # video got more responses per post, so it gained share
    assert model.series()["adaptive_shifts"].sum() > 0


# ---- uncertainties ---------------------------------------------------------------------------------
def test_a_competitor_lures_members_away():
    world = Uncertainties(competitor=Competitor(start=20, pull=1.0))
    models = _runs(None, days=80, uncertainties=world)
    assert all(m.series()["leaves_lured_away"].sum() > 0 for m in models)
    assert all(m.series().query("day < 20")["leaves_lured_away"].sum() == 0 for m in models)


@pytest.mark.parametrize(
    "world",
    [
        Uncertainties(seasonality=Seasonality(amplitude=0.5, peak_day=40)),
        Uncertainties(trend=TrendShock(day=30, topic=0, boost=3.0, duration=15)),
    ],
)
def test_seasonal_peaks_and_trends_raise_visits(world):
    with_world = _mean(_runs(None, days=45, uncertainties=world), "dau", 30)
    without = _mean(_runs(None, days=45), "dau", 30)
    assert (with_world - without).mean() > 0


def test_the_model_copies_the_strategy():
    """Adaptive state lives on the model's copy, so one Strategy can serve many runs."""
    strategy = Strategy(content=Content(), adaptive=Adaptive())
    model = CommunityModel(strategy=strategy, rng=1)
    assert model.strategy is not strategy and model.strategy == strategy


# ---- bad configurations ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build",
    [
        lambda: Event(kind="qa"),  # neither day nor every
        lambda: Event(kind="party", day=3),
        lambda: Incentives(start=10, stop=5),
        lambda: Incentives(ranks=[100.0, 50.0]),
        lambda: Campaign(start=10, end=5),
        lambda: Moderation(mode="strict"),
        lambda: Content(formats={"text": Format(share=0.0)}),
        lambda: WinBack(response=1.5),
        lambda: Strategy(budget=-1.0),
    ],
)
def test_bad_configurations_are_rejected(build):
    with pytest.raises(pydantic.ValidationError):
        build()
