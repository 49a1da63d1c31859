"""Hot topics (issue 16, item 8): the per-topic daily series, a trending topic's pull on attention,
and an operator who rides it.

Paired comparisons run the same seeds in both arms and assert on the mean paired difference.
"""

import json

import numpy as np
import pytest

from sim import CommunityModel
from sim.config import load_scenario
from sim.experiments.outputs import top_topics, write_run
from sim.levers.content import Content, seen_trending
from sim.model import TOPIC_SERIES
from sim.policies import Strategy
from sim.world.uncertainties import TrendShock, Uncertainties

SEEDS = range(1, 5)
START, DURATION = 60, 21


def _trend(lift: float = 4.0) -> Uncertainties:
    return Uncertainties(
        trend=TrendShock(day=START, topic=2, boost=0.0, duration=DURATION, lift=lift, decay=0.5)
    )


def _run(seed: int, world=None, strategy=None, members=800, days=START + DURATION):
    model = CommunityModel(members=members, strategy=strategy, uncertainties=world, rng=seed)
    model.run(days)
    return model


def _riding(follow: bool) -> Strategy:
    return Strategy(content=Content(posts_per_day=8, quality=0.85, follow_trends=follow))


def _during(model) -> "pd.DataFrame":  # noqa: F821
    topics = model.topics()
    return topics[(topics["day"] >= START) & (topics["day"] < START + DURATION)]


def test_the_topic_series_adds_up_to_the_daily_series():
    model = _run(1, strategy=_riding(False), days=40)
    topics, daily = model.topics(), model.series().set_index("day")
    assert list(topics.columns) == ["day", "topic", *TOPIC_SERIES]
    assert len(topics) == 40 * model.rules.n_topics
    per_day = topics.groupby("day").sum()
    for column in ("threads", "replies", "reactions", "operator_posts"):
        assert (per_day[column] == daily[column]).all(), column
    assert per_day["operator_responses"].sum() > 0
    assert (per_day["operator_responses"] <= per_day["replies"] + per_day["reactions"]).all()


def test_a_trend_turns_posts_to_its_topic_while_it_lasts():
    """lift: members post on the trending topic more during the trend, and not before it."""
    share_gain, before_gain = [], []
    for seed in SEEDS:
        on, off = _run(seed, _trend()), _run(seed, _trend(lift=0.0))
        for gains, rows in ((share_gain, _during), (before_gain, _before)):
            a, b = rows(on), rows(off)
            gains.append(_share(a, 2) - _share(b, 2))
    assert np.mean(share_gain) > 0.05
    assert np.all(np.array(before_gain) == 0)  # identical runs before the trend starts


def _before(model):
    topics = model.topics()
    return topics[topics["day"] < START]


def _share(topics, topic: int) -> float:
    return topics.loc[topics["topic"] == topic, "threads"].sum() / topics["threads"].sum()


def test_riding_the_trend_raises_responses_per_operator_post():
    """The paired test of item 8: with the same trend, an operator that follows trends gets more
    replies and reactions per post during the trend than one that posts by its usual mix."""
    gains, ridden = [], []
    for seed in SEEDS:
        rides, misses = _run(seed, _trend(), _riding(True)), _run(seed, _trend(), _riding(False))
        a, b = _during(rides), _during(misses)
        per_post = [t["operator_responses"].sum() / t["operator_posts"].sum() for t in (a, b)]
        gains.append(per_post[0] - per_post[1])
        ridden.append(rides.series()["trend_items"].sum() - misses.series()["trend_items"].sum())
    assert np.mean(gains) > 0.1 and sum(g > 0 for g in gains) >= 3, gains
    assert min(ridden) > 0  # the riding operator did put more posts on the trending topic


def test_riding_without_a_trend_is_harmless_noise_at_most():
    """Without a trend the rider seldom sees one: nearly all of its posts follow its usual mix."""
    model = _run(1, strategy=_riding(True))
    assert model.series()["trend_items"].sum() == 0  # no trend, nothing on "the trending topic"
    posts = model.topics().groupby("topic")["operator_posts"].sum()
    assert posts.max() / posts.sum() < 0.5


def test_seen_trending_spots_a_spike_and_not_noise():
    gen = np.random.default_rng(0)
    usual = gen.poisson([60, 30, 10, 10, 5, 5, 3, 2], size=(28, 8))
    assert seen_trending(usual, 1.5) is None
    spiked = np.vstack([usual, [60, 30, 40, 10, 5, 5, 3, 2]])
    assert seen_trending(spiked, 1.5) == 2
    assert seen_trending(spiked, 5.0) is None  # 4 times its share is not 5
    assert seen_trending(spiked[-3:], 1.5) is None  # too little history to tell


def test_no_lift_means_no_change_of_attention():
    assert _trend(lift=0.0).trend.attention(START, 8) is None
    attention = _trend().trend.attention(START + 3, 8)
    assert attention[2] == pytest.approx(1 + 4.0 * 4**-0.5)
    assert np.all(np.delete(attention, 2) == 1)
    assert _trend().trend.attention(START + DURATION, 8) is None


def test_a_run_writes_topics_and_its_hot_topics(tmp_path):
    scenario = load_scenario(
        "experiments/hot-topics.yaml", {"community.members": 300, "run.days": 20}
    )
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(scenario.run.days)
    out = write_run(model, tmp_path / "run", scenario)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["top_topics"] == top_topics(model.topics())
    week = summary["top_topics"]["last_7_days"]
    responses = [t["responses"] for t in week]
    assert len(week) == 3 and responses == sorted(responses, reverse=True)


def test_the_dashboard_offers_a_trend_and_riding_it():
    from sim.ui.dashboard import Setup, Versus

    assert Setup().community_kwargs().get("uncertainties") is None
    setup = Setup(members=300, market_size=1000, trend_lift=4.0, compare=False)
    assert setup.community_kwargs()["uncertainties"].trend.lift == 4.0
    versus = Versus(setup)
    assert versus.a.uncertainties.trend.lift == 4.0
    assert {"follow_trends", "trend_share"} <= {control.field for control in Content.controls}
