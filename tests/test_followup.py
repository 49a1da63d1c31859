"""Threads' authors answer those who answered them (``Rules.followup``,
``Population.answer_own_threads``): per reply from another member, an author visiting that day
writes about f replies in its own thread. Off (0) by default. ``commsim export-log`` logs each
follow-up in its author's own thread, so the activity KPI ``own_reply_share`` (the share of
replies written by the thread's author: 19-79% on the real exports) reads it back.
"""

import numpy as np
import pytest

from sim.calibration.activity import POST, REPLY, Observation
from sim.calibration.log import ActivityObserver, simulated_stats
from sim.config import load_scenario
from sim.config.loading import apply_overrides, validate_scenario
from sim.model import CommunityModel

CONTRIBUTIONS = Observation(("post", "reply"), "first_contribution", 7, "test")


def _scenario(followup: float, days: int = 90):
    base = load_scenario(None, {"community.members": 300, "run.days": days}).model_dump(mode="json")
    base["member_mix"] = [{**kind, "reply": kind["reply"] * 10} for kind in base["member_mix"]]
    return validate_scenario(apply_overrides(base, {"behaviour.followup": followup}), "(test)")


def test_visiting_authors_answer_about_f_times_per_reply_and_nobody_else_does():
    model = CommunityModel(**_scenario(2.5).model_kwargs(), rng=1)
    population = model.population
    n = population.n
    visitors = np.zeros(n, bool)
    visitors[:100] = True  # members 0-99 visit today, the rest do not
    authors = np.repeat([5, 150, -1], 400)  # a visitor, an absent member, the operator
    item = np.repeat([0, 1, 2], 400)
    who, thread = population.answer_own_threads(authors, item, visitors, day=3)
    assert set(who.tolist()) == {5} and set(thread.tolist()) == {0}
    assert who.size == pytest.approx(2.5 * 400, rel=0.1)
    assert population.view("followups")[5] == who.size


def test_follow_ups_are_logged_in_their_authors_own_threads():
    for followup in (0.0, 1.5):
        scenario = _scenario(followup)
        model = CommunityModel(**scenario.model_kwargs(), rng=2)
        starter, own, replies = {}, 0, 0
        for events in ActivityObserver(model).run(scenario.run.days):
            posts = events.action == POST
            starter.update(
                zip(events.thread[posts].tolist(), events.member[posts].tolist(), strict=True)
            )
            mine = events.action == REPLY
            for member, thread in zip(events.member[mine], events.thread[mine], strict=True):
                replies += 1
                own += starter.get(int(thread)) == member
        followups = int(model.population.view("followups").sum())
        assert own == followups  # every follow-up, and nothing else, in the author's thread
        assert replies == int(model.series()["replies"].sum())
        if followup == 0:
            assert followups == 0
        else:
            assert followups > 0.2 * replies, (followups, replies)


def test_the_own_reply_share_grows_with_the_follow_ups():
    shares = []
    for followup in (0.0, 0.5, 3.0):
        scenario = _scenario(followup)
        model = CommunityModel(**scenario.model_kwargs(), rng=4)
        stats = simulated_stats(model, scenario.run.days, CONTRIBUTIONS).finish()
        shares.append(stats.scalars["own_reply_share"])
    assert shares[0] == 0
    assert 0 < shares[1] < shares[2], shares


def test_off_by_default():
    assert load_scenario(None, {}).behaviour.followup == 0


def test_a_finite_time_for_writing_bounds_the_follow_ups_with_the_rest():
    """Follow-ups are writing: with ``Rules.writing_capacity`` c an author whose threads and
    replies, x at full rate, were written at the share 1 / (1 + x / c), and who would write F
    follow-ups, writes them at the share that makes its expected day (x + F) / (1 + (x + F) / c),
    at most c however many answer it (``Population._followup_share``). Without it an author
    answered 400 times wrote about 1,000 follow-ups in a day."""
    capacity = 5.0
    scenario = validate_scenario(
        apply_overrides(_scenario(2.5).model_dump(mode="json"),
                        {"behaviour.writing_capacity": capacity}),
        "(test)",
    )  # fmt: skip
    model = CommunityModel(**scenario.model_kwargs(), rng=1)
    model.run(5)
    population = model.population
    visitors = np.zeros(population.n, bool)
    visitors[:100] = True
    authors = np.repeat([5, 7], [400, 2])  # one author answered 400 times, one twice
    slots = np.array([5, 7])
    x = (population._thread_rate(slots) + population._reply_rate(slots)).astype(float)
    followups = 2.5 * np.array([400, 2])
    expected = (x + followups) / (1 + (x + followups) / capacity) - x / (1 + x / capacity)
    share = population._followup_share(authors)
    np.testing.assert_allclose(followups * share[[0, 400]], expected, rtol=1e-5)
    assert expected[0] < capacity
    # drawn: over 40 days (the rates do not move without a step) about 40 times the expectation
    days = range(6, 46)
    written = sum(
        (population.answer_own_threads(authors, np.zeros(402, int), visitors, day)[0] == 5).sum()
        for day in days
    )
    assert written == pytest.approx(len(days) * expected[0], rel=0.2)
