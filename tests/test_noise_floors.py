"""The calibration's distance weighs retention and the first-post reply share against the log's
own sampling noise (``sim.calibration.fit.noise_floors``, ``CALIBRATION_VERSION`` 18), not against
one floor of 10 points for every share."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.activity import POST, ActivityStats, Observation, Observed
from sim.calibration.fit import (
    SCALE_FLOOR,
    discrepancy_scales,
    distances,
    noise_floors,
)


def _observed(**scalars) -> Observed:
    return Observed(pd.DataFrame({"day": [0]}), scalars)


def test_a_member_shares_floor_is_the_binomial_noise_of_a_log_against_a_run():
    log = _observed(retention_30=0.02, retention_30_eligible=200, first_post_reply_share=0.5,
                    first_posts=10)  # fmt: skip
    floors = noise_floors(log, ["retention_30", "first_post_reply_share", "posts_gini"])
    p = (0.02 * 200 + 0.5) / 201
    assert floors["retention_30"] == pytest.approx(math.sqrt(p * (1 - p) * 2 / 200))
    assert floors["retention_30"] < 0.02  # far below the old 10 points
    assert floors["first_post_reply_share"] > SCALE_FLOOR  # 10 newcomers cannot tell 10 points
    assert floors["posts_gini"] == SCALE_FLOOR  # not a share of members: the general floor
    # a run of a scaled-down community is noisier, so the floor rises
    assert noise_floors(log, ["retention_30"], 0.25)["retention_30"] > floors["retention_30"]
    # a share of 0 still has a noise; a share the log cannot show keeps the general floor
    zero = noise_floors(_observed(retention_30=0.0, retention_30_eligible=50), ["retention_30"])
    assert 0 < zero["retention_30"] < SCALE_FLOOR
    unknown = noise_floors(_observed(retention_30=None, retention_30_eligible=0), ["retention_30"])
    assert unknown["retention_30"] == SCALE_FLOOR


def test_missing_a_small_retention_by_a_factor_3_now_costs_more_than_a_gini_5_points_off():
    """A log whose retention(30) is 2.2% of 160 newcomers (as attrs'): a run retaining 0.7% was
    as close as one matching it, under the one 10-point floor; now it is the farther."""
    log = _observed(retention_30=0.022, retention_30_eligible=160)
    first_generation = pd.DataFrame({"retention_30": [0.0, 0.01, 0.02, 0.03],
                                     "posts_gini": [0.0, 0.02, 0.05, 0.3]})  # fmt: skip
    scale = discrepancy_scales(first_generation, log)
    assert scale["posts_gini"] == pytest.approx(SCALE_FLOOR)
    runs = pd.DataFrame({"retention_30": [0.015, 0.0], "posts_gini": [0.0, 0.05]})
    near, off = distances(runs, scale)
    assert near > off  # retention missed by 1.5 points (0.022 -> 0.007): the farther run
    flat = distances(runs, pd.Series({"retention_30": SCALE_FLOOR, "posts_gini": SCALE_FLOOR}))
    assert flat[0] < flat[1]  # the old weighing: retention hardly counted


def test_the_log_measures_how_many_newcomers_each_retention_is_a_share_of():
    """Newcomers joining on days 10 and 20 of a 50-day log: both are 30 days old by its end, one
    of them is retained at 30 days; neither is 90 days old."""
    stats = ActivityStats(Observation(observed=("post", "reply"), join="first_contribution"))
    # member, day, action: founders 0 and 1 on day 0, newcomers 2 (day 10) and 3 (day 20)
    members = np.array([0, 1, 2, 3, 2, 0])
    days = np.array([0, 0, 10, 20, 38, 50])
    stats.add(members, days, np.full(6, POST))
    scalars = stats.finish().scalars
    assert scalars["newcomers"] == 2
    assert scalars["retention_30_eligible"] == 2 and scalars["retention_30"] == 0.5
    assert scalars["retention_90_eligible"] == 0 and scalars["retention_90"] is None
