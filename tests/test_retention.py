"""Dn retention as practitioners count it (active on day n after joining, the join day being day 0)
beside EVIDENCE.md's rolling retention(d), which keeps its definition and its name."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CommunityModel
from sim.agents import ACTIVE_DAY_AGES, SURVIVAL_BIT
from sim.experiments.sweep import KPIS

SMALL = {"members": 600, "market_size": 4000}
DAYS = 45


@pytest.fixture(scope="module")
def replayed():
    """A run, and for every day the members active on it (read from ``last_active_day``)."""
    model = CommunityModel(**SMALL, rng=5)
    active_days = []
    for _ in range(DAYS):
        model.step()
        pop = model.population
        active_days.append(pop.view("last_active_day") == model.day)
    return model, active_days


@pytest.mark.parametrize("age", [1, 7, 30])
def test_dn_retention_is_activity_on_day_n_after_joining(replayed, age):
    model, active_days = replayed
    pop = model.population
    bit = SURVIVAL_BIT + 1 + ACTIVE_DAY_AGES.index(age)
    joined = pop.view("join_day")
    checked = 0
    for slot in np.flatnonzero((joined >= 1) & (joined + age <= DAYS) & ~pop.view("is_founder")):
        day = joined[slot] + age
        acted = slot < active_days[day - 1].size and bool(active_days[day - 1][slot])
        assert bool((pop.retention_bits[slot] >> bit) & 1) == acted
        checked += 1
    assert checked > 20


def test_d1_counts_day_one_only_while_retention_1_counts_the_join_day(replayed):
    model, _ = replayed
    summary = model.summary()
    assert {"d1_retention", "d7_retention", "d30_retention", "d90_retention"} <= set(summary)
    assert summary["d90_retention"] is None  # no newcomer is 90 days old yet
    # the rolling window ending on day 1 includes the join day, when every newcomer is active
    assert 0 < summary["d1_retention"] < summary["retention_1"]
    assert summary["d7_retention"] < summary["retention_7"]
    assert all(f"d{age}_retention" in KPIS for age in ACTIVE_DAY_AGES)
    assert KPIS["d7_retention"].label == "D7 retention (active on day 7)"


def test_the_cohort_table_has_both_definitions_null_until_observable(replayed):
    model, _ = replayed
    table = model.cohorts()
    assert {"retention_1", "d1_retention", "retention_30", "d30_retention"} <= set(table)
    young = table["last_join_day"] > model.day - 30
    assert table.loc[young, "d30_retention"].isna().all()
    observed = table["d1_retention"].dropna()
    assert len(observed) > 0 and observed.between(0, 1).all()
