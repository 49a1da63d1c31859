"""Watching the community (``Rules.watch_after``, ``Population.notify_watchers``; Lakhani & von
Hippel 2003, GitHub's watching): a member who has made ``watch_after`` contributions is told of
every new thread by someone else, and each pulls it to visit with the chance that it would answer
it. Off by default (0): nobody is pulled, and a default run is what it was."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from sim.agents import Rules
from sim.config import load_scenario
from sim.model import CommunityModel
from sim.world.content import Items

QUANTUMCOMPUTING = Path(__file__).parent / "fixtures" / "calibrated" / "quantumcomputing.yaml"


def _model(watch_after: int, days: int = 15) -> CommunityModel:
    rules = replace(Rules(), watch_after=watch_after)
    model = CommunityModel(members=300, rules=rules, rng=4)
    model.run(days)
    return model


def _threads(authors, topics, n_topics: int) -> Items:
    k = len(authors)
    return Items.build(authors, topics, np.full(k, 0.5), np.ones(k, bool), n_topics)


def test_off_by_default_nobody_is_pulled():
    assert Rules().watch_after == 0
    pop = _model(0).population
    assert pop.posts[pop.here()].max() > 0
    pop.notify_watchers(_threads([0, 1, 2], [0, 1, 2], pop.rules.n_topics))
    assert not pop.watch_pull.any()


def test_watchers_are_pulled_by_their_wish_to_answer_the_new_threads():
    """Only members with ``watch_after`` contributions are pulled; each by 1 - exp(-w), w the
    replies it would write to the new threads read as relevant items (``_answer_wish``); a
    heavier answerer more; a member's own thread not at all, and its share of the day's threads
    not; the pull adds up until the member visits."""
    model = _model(3)
    pop = model.population
    k = pop.rules.n_topics
    here = pop.here()
    pop.watch_pull[:] = 0
    pop.posts[here] = np.where(np.arange(here.size) % 3 == 0, 3, 2)  # a third watch
    watchers = here[pop.posts[here] >= 3]
    others = here[pop.posts[here] < 3]
    a, b = watchers[:2]
    topic = int(np.argmax(pop.pref[a]))  # a's favourite topic
    pop.pref[b] = pop.pref[a]
    pop.reply_base[b] = pop.reply_base[a] * 4  # b answers four times as readily
    pop.intrinsic[b], pop.post_drive[b] = pop.intrinsic[a], pop.post_drive[a]

    pop.notify_watchers(_threads([a], [topic], k))  # a's own thread
    assert pop.watch_pull[a] == 0
    relevant = np.array([pop.pref[b, topic]], np.float32)
    wish = pop._answer_wish(np.array([b]), relevant)[0]
    assert wish > 0
    np.testing.assert_allclose(pop.watch_pull[b], 1 - np.exp(-wish), rtol=1e-5)
    assert not pop.watch_pull[others].any()

    pop.watch_pull[:] = 0
    author = int(others[0])
    pop.notify_watchers(_threads([author, a], [topic, topic], k))
    # two threads in its topic, one its own: the pull of one
    wish_a = pop._answer_wish(np.array([a]), relevant)[0]
    np.testing.assert_allclose(pop.watch_pull[a], 1 - np.exp(-wish_a), rtol=1e-5)
    assert pop.watch_pull[b] > pop.watch_pull[a]  # the heavier answerer

    first = pop.watch_pull[b]
    pop.notify_watchers(_threads([author], [topic], k))
    second = 1 - np.exp(-pop._answer_wish(np.array([b]), relevant)[0])
    np.testing.assert_allclose(pop.watch_pull[b], 1 - (1 - first) * (1 - second), rtol=1e-5)

    off_topic = int(np.argmin(pop.pref[a]))
    pop.watch_pull[:] = 0
    pop.notify_watchers(_threads([author], [off_topic], k))
    off = pop.watch_pull[b]
    pop.watch_pull[:] = 0
    pop.notify_watchers(_threads([author], [topic], k))
    assert off < pop.watch_pull[b]  # a thread in a topic it cares little about pulls less


def test_a_pulled_watcher_visits_and_the_pull_ends_with_the_visit():
    model = _model(3)
    pop = model.population
    here = pop.here()
    pop.loyalty[here] = 0  # hardly anyone would come on its own
    pop.unseen_replies[here] = 0
    pulled = here[::2]
    pop.watch_pull[:] = 0
    pop.watch_pull[pulled] = 1
    visitors = np.flatnonzero(pop.visit(model.day + 1))
    assert np.isin(pulled, visitors).all()
    assert np.isin(here[1::2], visitors).mean() < 0.2
    assert not pop.watch_pull[visitors].any()


def test_a_run_with_watchers_pulls_them_back_and_they_answer_more():
    """Over 60 days of the scenario calibrated to quantumcomputing, members who watch (3
    contributions made) are pulled back by new threads: more visits and more replies than the
    same community and draws without watching (measured: 14,035 visits against 13,884, 563
    replies against 129)."""
    runs = {}
    for watch_after in (0, 3):
        scenario = load_scenario(QUANTUMCOMPUTING, overrides={"behaviour.watch_after": watch_after})
        model = CommunityModel(**scenario.model_kwargs(), rng=4)
        model.run(60)
        runs[watch_after] = model.population
    off, on = runs[0], runs[3]
    assert on.visits.sum() > off.visits.sum()
    assert (on.posts - on.threads).sum() > 2 * (off.posts - off.threads).sum()
    assert not off.watch_pull.any() and on.watch_pull.any()
