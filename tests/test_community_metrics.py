"""Community metrics (sim.calibration.metrics) on a hand-made log with known answers.

The log (days; members a, b, c; threads T1-T3):
day 0 a starts T1; day 2 b replies to T1; day 3 c starts T2; day 30 a replies to T2;
day 40 a starts T3 and replies to it himself (not a response).
Known: contributions a 4, b 1, c 1 -> Contributor Absence Factor 1 (a alone makes half);
first responses T1 after 2 days, T2 after 27, T3 none -> median 14.5 days; both threads started
30+ days before the end were answered within 30 days -> share 1; period 0 (days 0-27): 3 new
contributors; period 1 (days 28-40): a returns, b and c are inactive.
"""

from __future__ import annotations

import numpy as np

from sim.calibration.activity import POST, REPLY, ActivityStats, Observation
from sim.calibration.metrics import absence_factor, first_responses, later_reply_share

A, B, C = 1, 2, 3
T1, T2, T3 = 11, 12, 13


def _observed():
    rows = [  # member, day, action, thread
        (A, 0, POST, T1), (B, 2, REPLY, T1), (C, 3, POST, T2), (A, 30, REPLY, T2),
        (A, 40, POST, T3), (A, 40, REPLY, T3),
    ]  # fmt: skip
    member, day, action, thread = (np.array(c) for c in zip(*rows, strict=True))
    stats = ActivityStats(Observation(("post", "reply"), "first_contribution", 7, "test"))
    stats.add(member.astype(np.uint64), day, action.astype(np.int8), thread)
    return stats.finish()


def test_metrics_of_a_hand_made_log():
    found = _observed()
    s = found.scalars
    assert s["absence_factor"] == 1
    assert s["first_response_median_days"] == 14.5
    assert s["first_response_share"] == 1.0
    assert s["new_contributors"] == 3.0  # the one complete 28-day period
    daily = found.daily.set_index("day")
    assert daily.loc[0, "new_contributors"] == 3 and daily.loc[27, "new_contributors"] == 3
    assert daily.loc[28, "new_contributors"] == 0
    assert daily.loc[30, "returning_contributors"] == 1
    assert daily.loc[40, "inactive_contributors"] == 2


def test_absence_factor_and_first_responses_directly():
    # the CHAOSS example: 1000, 202, 90, 33, 332, 343, 42, 433 -> 2 contributors make half
    assert absence_factor(np.array([1000, 202, 90, 33, 332, 343, 42, 433])) == 2
    assert absence_factor(np.array([1, 1, 1, 1])) == 2
    assert absence_factor(np.zeros(3)) == 0
    delay = first_responses(
        author=np.array([0, 1]),
        start_day=np.array([5, 6]),
        reply_thread=np.array([0, 0, 1]),
        responder=np.array([0, 2, 1]),  # thread 0: own reply, then member 2's; thread 1: own
        reply_day=np.array([5, 9, 6]),
    )
    assert delay.tolist() == [4, -1]


def test_later_replies_are_others_replies_two_or_more_days_after_their_thread():
    assert _observed().scalars["later_reply_share"] == 1.0  # b after 2 days, a after 27
    author = np.array([0, 1, 2, -1])  # threads 0-3 (3: the operator's)
    start = np.array([5, 5, 8, 8])
    thread = np.array([0, 0, 0, 1, 2, 3, -1, 9])
    responder = np.array([1, 2, 0, 0, 1, 2, 1, 1])  # the third is thread 0's own author
    day = np.array([5, 7, 9, 6, 8, 12, 9, 9])  # delays 0, 2, (own), 1, 0, 4; no thread; unknown
    assert later_reply_share(author, start, thread, responder, day) == 2 / 5
    assert later_reply_share(author, start, thread[2:3], responder[2:3], day[2:3]) is None
