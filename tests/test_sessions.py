"""Writing sessions (``Rules.session_size``; Geiger & Halfaker 2013, Halfaker et al. 2015): a
member who writes on a visit writes a session of several threads (replies, apart) with chance
rate / size, the same expected writing concentrated on fewer days. Off by default (1): a visit
writes its rate rounded, and a default run is what it was."""

from dataclasses import replace

import numpy as np

from sim.agents import Rules
from sim.model import CommunityModel
from sim.world.streams import session_count, stochastic_round


def test_off_by_default_and_the_rate_rounded_at_one():
    assert Rules().session_size == 1
    rng = np.random.default_rng(3)
    u = rng.random(50_000).astype(np.float32)
    rate = (rng.random(50_000) * 0.999).astype(np.float32)
    assert np.array_equal(session_count(rate, u, 1.0), stochastic_round(rate, u))


def test_a_session_keeps_the_expected_count_on_fewer_visits():
    """Mean count = rate (within 4 standard errors), a session with chance rate / max(size,
    rate), and a session's mean length max(size, rate)."""
    rng = np.random.default_rng(4)
    n = 400_000
    for rate, size in ((0.05, 3.0), (0.3, 3.0), (0.9, 5.0), (2.5, 1.5), (4.0, 2.0)):
        u = rng.random(n).astype(np.float32)
        count = session_count(np.full(n, rate, np.float32), u, size)
        mean = max(rate, size)
        assert abs(count.mean() - rate) < 4 * count.std() / np.sqrt(n), (rate, size)
        assert abs((count > 0).mean() - rate / mean) < 0.005, (rate, size)
        assert abs(count[count > 0].mean() - mean) < 0.05 * mean, (rate, size)
    # one uniform per member: the same uniform, the same count
    u = rng.random(1000).astype(np.float32)
    rate = np.full(1000, 0.4, np.float32)
    assert np.array_equal(session_count(rate, u, 3.0), session_count(rate, u, 3.0))


def _one_day(size: float) -> tuple[np.ndarray, np.ndarray]:
    """Threads and replies each member writes on day 21 of a default community of 20,000 run
    with the rate rounded, on that day in sessions of mean ``size``: the same members, drives
    and feed, so the two days' expected writing is the same."""
    model = CommunityModel(members=20_000, rng=5)
    for _ in range(20):
        model.step()
    pop = model.population
    pop.rules = replace(pop.rules, session_size=size)
    n = pop.n
    threads, replies = pop.threads[:n].copy(), pop.replies[:n].copy()
    model.step()
    return pop.threads[:n] - threads, pop.replies[:n] - replies


def test_members_write_in_bursts_on_the_days_they_write():
    """At a session size of 3 the day's threads and replies are about as many as with the rate
    rounded, from far fewer writers, more of whom write two or more (2+). Over a run the writing
    then differs: a lumpier supply of threads feeds fewer replies (a reply answers yesterday's
    threads, and a reader's pull to reply saturates at ten relevant items), which the atlas row
    measures."""
    rounded, sessions = _one_day(1.0), _one_day(3.0)
    for before, after in zip(rounded, sessions, strict=True):  # threads, then replies
        assert abs(int(after.sum()) - int(before.sum())) < 0.1 * before.sum()
        assert (after > 0).sum() < 0.8 * (before > 0).sum()
        assert (after >= 2).sum() / (after > 0).sum() > (before >= 2).sum() / (
            before > 0
        ).sum() + 0.1
