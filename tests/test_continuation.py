"""Threads' authors go on in the threads they start (``Rules.continuation``,
``Population.continue_threads``): each member's thread gets a geometric number of further replies
by its author on the day it is posted, c on average, whether or not anyone answers (a pull
request's further commits). Off (0) by default. ``commsim export-log`` logs each continuation
in its author's own thread of that day.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest

from sim.agents import Rules
from sim.calibration.activity import POST, REPLY
from sim.calibration.log import ActivityObserver
from sim.config import load_scenario
from sim.model import CommunityModel
from sim.world.streams import geometric_count


def test_geometric_counts_have_the_mean_and_the_zero_share_asked_for():
    u = (np.arange(200_000) + 0.5) / 200_000  # evenly spread uniforms: the exact distribution
    for mean in (0.3, 1.0, 4.0):
        count = geometric_count(np.full(u.size, mean), u)
        assert count.mean() == pytest.approx(mean, rel=0.01)
        assert (count == 0).mean() == pytest.approx(1 / (1 + mean), abs=0.001)
        assert (count >= 2).mean() == pytest.approx((mean / (1 + mean)) ** 2, abs=0.001)
    assert not geometric_count(np.zeros(u.size), u).any()


def _model(continuation: float, seed: int = 2, **rules) -> CommunityModel:
    return CommunityModel(
        members=300, rules=replace(Rules(), continuation=continuation, **rules), rng=seed
    )


def test_each_member_thread_gets_about_c_more_replies_by_its_author_and_the_operators_none():
    population = _model(1.5).population
    authors = np.repeat([5, 150, -1], 2000)  # two members' threads, the operator's
    thread = population.continue_threads(authors, day=3)
    writers = authors[thread]
    assert set(writers.tolist()) == {5, 150}
    assert (writers == 5).sum() == pytest.approx(1.5 * 2000, rel=0.1)
    assert (writers == 150).sum() == pytest.approx(1.5 * 2000, rel=0.1)
    assert population.view("continuations")[[5, 150]].tolist() == [
        int((writers == 5).sum()),
        int((writers == 150).sum()),
    ]


def test_a_finite_time_for_writing_bounds_the_continuations():
    free = _model(3.0).population.continue_threads(np.repeat([5], 3000), day=3).size
    bounded = _model(3.0, writing_capacity=0.5).population
    held = bounded.continue_threads(np.repeat([5], 3000), day=3).size
    assert held < 0.5 * free, (held, free)


def test_a_capacity_near_zero_leaves_no_time_to_write_own_replies_without_an_overflow_warning():
    # 1e-30 is positive and in float32's range, so the share's product overflows to inf: its
    # limit, a share of 0, is the answer, and no RuntimeWarning may leak into a run's output
    population = _model(3.0, writing_capacity=1e-30).population
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        share = population._own_writing_share(np.repeat([5, 150], 50), 3.0)
    assert share.tolist() == [0.0] * 100


@pytest.mark.parametrize("window", [1, 7])
def test_continuations_are_logged_in_their_authors_threads_of_the_same_day(window):
    for continuation in (0.0, 2.0):
        model = _model(continuation, reply_window=window)
        posted = {}  # thread -> (author, day)
        continued, answered_by_others, replies = 0, set(), 0
        own_same_day_in_unanswered = 0
        logged = []
        for events in ActivityObserver(model).run(60):
            posts = events.action == POST
            for thread, member in zip(events.thread[posts], events.member[posts], strict=True):
                posted[int(thread)] = (int(member), events.day)
            mine = events.action == REPLY
            for member, thread in zip(events.member[mine], events.thread[mine], strict=True):
                logged.append((int(member), int(thread), events.day))
        for member, thread, day in logged:
            replies += 1
            author, born = posted.get(thread, (-2, -1))
            if author != member:
                answered_by_others.add(thread)
            elif day == born:
                continued += 1
        for member, thread, day in logged:
            author, born = posted.get(thread, (-2, -1))
            own_same_day_in_unanswered += (
                author == member and day == born and thread not in answered_by_others
            )
        continuations = int(model.population.view("continuations").sum())
        assert continued == continuations  # each in its author's thread, on the day it started it
        assert replies == int(model.series()["replies"].sum())
        if continuation == 0:
            assert continuations == 0
        else:
            assert continuations > 0.3 * replies, (continuations, replies)
            assert own_same_day_in_unanswered > 0  # they wait for nobody's reply


def test_continuations_are_writing_that_more_of_raises_replies_not_threads_posted_per_author():
    quiet, busy = _model(0.0, seed=5), _model(2.0, seed=5)
    quiet.step(), busy.step()  # day 1: the same threads (continuations come after posting)
    q, b = quiet.population, busy.population
    assert np.array_equal(q.view("threads"), b.view("threads"))
    extra = b.view("replies") - q.view("replies")
    assert (extra == b.view("continuations")).all()
    assert b.view("continuations").sum() > 0
    assert (b.view("continuations")[b.view("threads") == 0] == 0).all()


def test_off_by_default():
    assert load_scenario(None, {}).behaviour.continuation == 0
    assert Rules().continuation == 0
