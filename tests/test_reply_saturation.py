"""A thread's pull on more replies fades with the replies it draws (``Rules.reply_saturation``,
``Population._unsaturated``): the would-be replier finding j replies before it writes with
probability h / (h + j), so the replies a thread gets grow only about as log(would-be repliers)
and the day's replies follow the threads there are to answer, not each other. Off (0) by default.
"""

import numpy as np
import pytest

from sim.config import load_scenario
from sim.model import CommunityModel


def _model(saturation: float, reply_factor: float = 1.0, days: int = 60):
    from sim.config.loading import apply_overrides, validate_scenario

    data = load_scenario(None, {"community.members": 400, "run.days": days}).model_dump(mode="json")
    data["member_mix"] = [
        {**kind, "reply": min(100.0, kind["reply"] * reply_factor)} for kind in data["member_mix"]
    ]
    scenario = validate_scenario(
        apply_overrides(data, {"behaviour.reply_saturation": saturation}), "(test)"
    )
    return scenario, CommunityModel(**scenario.model_kwargs(), rng=3)


def test_a_threads_later_repliers_write_ever_less_often():
    """The kept replies of a thread picked by N would-be repliers average sum_{j<N} h / (h + j);
    a thread's first replier always writes."""
    h = 2.0
    _, model = _model(h)
    pickers = {0: 1, 1: 5, 2: 200}
    item = np.repeat(list(pickers), list(pickers.values()))
    kept = np.zeros(len(pickers))
    days = 400
    for day in range(days):
        keep = model.population._unsaturated(item, day)
        kept += np.bincount(item[keep], minlength=len(pickers))
    for thread, n in pickers.items():
        expected = sum(h / (h + j) for j in range(n))
        assert kept[thread] / days == pytest.approx(expected, rel=0.05), thread
    assert kept[0] == days  # alone on its thread: always written


def _replies_per_thread(saturation: float) -> tuple[int, int, int]:
    """Threads, replies and the most replies one thread drew in a day, over a run whose members
    reply 30 times as much as the default mix's."""
    scenario, model = _model(saturation, reply_factor=30.0)
    population = model.population
    respond = population.respond
    most = [0]

    def recording(visitors, feed, day, kind, groups=None):
        responders, item = respond(visitors, feed, day, kind, groups)
        if kind == "reply" and item.size:
            most[0] = max(most[0], int(np.bincount(item).max()))
        return responders, item

    population.respond = recording
    for _ in range(scenario.run.days):
        model.step()
    series = model.series()
    return int(series["threads"].sum()), int(series["replies"].sum()), most[0]


def test_with_saturation_replies_follow_the_threads_not_each_other():
    threads_off, replies_off, most_off = _replies_per_thread(0.0)
    threads_on, replies_on, most_on = _replies_per_thread(1.0)
    # unbounded, the busiest thread of a day draws dozens of replies; with h = 1 a thread picked
    # by N draws about ln(N) + 0.6 (N = 1,000: 7.5)
    assert most_off >= 30, most_off
    assert most_on <= 15, most_on
    assert replies_on / threads_on < 0.5 * replies_off / threads_off


def test_off_by_default():
    scenario = load_scenario(None, {})
    assert scenario.behaviour.reply_saturation == 0
