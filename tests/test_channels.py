"""Recruitment channels (issue 16 item 9): paid ads, a partner and search buy joins with a daily
spend that saturates at the channel's reach, and bring newcomers of different fit
(``Rules.paid_fit``, ``Rules.partner_fit``; Verhoef & Donkers 2005)."""

from __future__ import annotations

import numpy as np
import pydantic
import pytest

from sim import CommunityModel, Rules
from sim.levers.recruitment import Channel, Recruitment
from sim.policies import Strategy

SEEDS = range(1, 5)
DAYS = 90


def _runs(channel: dict, rules: Rules | None = None, seeds=SEEDS):
    strategy = Strategy(budget=1e6, recruitment=Recruitment(channels=[Channel(**channel)]))
    models = []
    for seed in seeds:
        model = CommunityModel(
            members=800, market_size=8000, strategy=strategy, rules=rules, rng=seed
        )
        model.run(DAYS)
        models.append(model)
    return models


def _summary(models, key):
    return np.array([m.summary()[key] for m in models], dtype=float)


def test_a_channel_buys_joins_linearly_at_a_low_spend_and_saturates_at_its_reach():
    low = Channel(kind="paid", spend=1, cost_per_join=2, reach=50)
    assert low.expected_joins() == pytest.approx(0.5, rel=0.01)
    assert Channel(kind="paid", spend=1e6, cost_per_join=2, reach=50).expected_joins() == (
        pytest.approx(50)
    )
    spends = [10, 20, 40, 80]
    joins = [Channel(kind="partner", spend=s).expected_joins() for s in spends]
    assert np.all(np.diff(joins) > 0)
    assert np.all(np.diff(np.array(joins) / spends) < 0)  # diminishing returns


def test_a_channel_counts_its_joins_and_pays_its_spend_on_its_days_only():
    model = _runs({"kind": "search", "start": 10, "end": 20, "spend": 25}, seeds=[1])[0]
    s = model.series().set_index("day")
    assert s.loc[10:20, "search_joins"].sum() > 0
    assert s["search_joins"].drop(range(10, 21)).eq(0).all()
    assert s["paid_joins"].sum() == 0 and s["partner_joins"].sum() == 0
    assert s["money_spent"].sum() == pytest.approx(25 * 11)
    assert (s.loc[10:20, "joins"] >= s.loc[10:20, "search_joins"]).all()


def test_a_channel_stops_when_the_money_runs_out():
    strategy = Strategy(
        budget=100, recruitment=Recruitment(channels=[Channel(kind="paid", spend=30)])
    )
    model = CommunityModel(members=300, market_size=3000, strategy=strategy, rng=1)
    model.run(10)
    s = model.series().set_index("day")
    assert s["money_spent"].sum() == pytest.approx(90)
    assert s["paid_joins"].loc[4:].eq(0).all()
    assert s["skipped_recruitment"].loc[4:].eq(1).all()


def test_bad_channels_are_rejected_naming_the_field():
    with pytest.raises(pydantic.ValidationError, match="kind"):
        Channel(kind="tv")
    with pytest.raises(pydantic.ValidationError, match="end must not be before start"):
        Channel(kind="paid", start=20, end=10)
    with pytest.raises(pydantic.ValidationError, match="cost_per_join"):
        Channel(kind="paid", cost_per_join=0)


def test_paid_ads_bring_more_joins_than_a_partner_at_equal_spend_but_they_stay_less():
    """The paired test of the item: the same 30 a day, the kinds' default costs and reach. Paid
    ads buy more joins; their newcomers' lower fit (Rules.paid_fit < partner_fit) means fewer
    of them are still active 30 days after joining."""
    spend = {"start": 1, "end": 45, "spend": 30}
    paid = _runs({"kind": "paid", **spend})
    partner = _runs({"kind": "partner", **spend})
    bought = np.array([m.series()["paid_joins"].sum() for m in paid]) - np.array(
        [m.series()["partner_joins"].sum() for m in partner]
    )
    assert (bought > 0).all()
    assert ((_summary(paid, "joins") - _summary(partner, "joins")) > 0).all()
    retention = _summary(paid, "retention_30") - _summary(partner, "retention_30")
    assert retention.mean() < 0 and (retention < 0).sum() >= 3


def test_the_fit_of_a_channel_is_what_lowers_its_newcomers_retention():
    """Same channel, same joins: only ``paid_fit`` differs; at 1.0 the paid newcomers stay
    as often as the market's."""
    channel = {"kind": "paid", "start": 1, "end": 45, "spend": 30}
    low = _runs(channel)
    even = _runs(channel, rules=Rules(paid_fit=1.0))
    retention = _summary(even, "retention_30") - _summary(low, "retention_30")
    assert retention.mean() > 0 and (retention > 0).sum() >= 3
