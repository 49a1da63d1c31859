"""Threads open to replies for days (``Rules.reply_window``, W; ``CommunityModel._reply_pool``):
a thread is answered on its first W days after it was posted, pulling repliers a^-d as much on
its a-th day (``Rules.reply_decay``, d); the older open threads add to what a visitor would
answer; a thread closes, and counts as answered or not, once, on its last day; the activity log
reads each reply's thread from the model."""

import numpy as np
import pandas as pd
import pytest

from sim.calibration.fit import scenario_changes
from sim.calibration.log import write_log
from sim.config import apply_overrides, load_scenario, validate_scenario
from sim.model import CommunityModel
from sim.world.content import Items


def writing_scenario(window, scale=10.0, **overrides):
    """A small community writing enough to measure (every segment's thread and reply rates
    times ``scale``), its threads open for ``window`` days."""
    changes = {"community.members": 100, "arrivals.market_size": 1000, **overrides}
    base = load_scenario(None, {**changes, "behaviour.reply_window": window}).model_dump()
    rates = {"mix.post_scale": scale, "mix.reply_scale": scale}
    return validate_scenario(apply_overrides(base, scenario_changes(rates, base, None)), "test")


def _logged(tmp_path, window, days=90, seed=3, **overrides):
    """A run's model (after ``days``) and its activity log, as ``commsim export-log`` writes it."""
    model = CommunityModel(**writing_scenario(window, **overrides).model_kwargs(), rng=seed)
    path = tmp_path / f"w{window}.parquet"
    write_log(model, days, path)
    log = pd.read_parquet(path)
    log["day"] = (log["timestamp"] - log["timestamp"].min()).dt.days
    return model, log


def _replies_by_others(log):
    starts = log[log["action"] == "post"][["thread", "member", "day"]]
    starts = starts.rename(columns={"member": "starter", "day": "start"})
    replies = log[log["action"] == "reply"].merge(starts, on="thread", how="left")
    return replies, starts


def test_a_faster_decay_crowds_replies_into_the_first_days(tmp_path):
    shares = []
    for decay in (1.0, 4.0):
        _, log = _logged(tmp_path, window=10, **{"behaviour.reply_decay": decay})
        replies, _ = _replies_by_others(log)
        others = replies[replies["member"] != replies["starter"]]
        shares.append(float(((others["day"] - others["start"]) >= 2).mean()))
    assert shares[0] > 0.3 and shares[1] < shares[0] / 2, shares


def test_replies_come_within_the_window_fewer_each_day_as_the_pull_falls(tmp_path):
    model, log = _logged(tmp_path, window=5)
    replies, _ = _replies_by_others(log)
    assert replies["start"].notna().all()  # every reply's thread was posted in the log
    others = replies[replies["member"] != replies["starter"]]
    delay = (others["day"] - others["start"]).to_numpy()
    counts = np.bincount(delay.astype(int), minlength=7)
    assert counts.sum() > 1000
    assert counts[0] == 0 and counts[6] == 0  # from the next day to the fifth, no later
    assert (np.diff(counts[1:6]) < 0).all(), counts  # fewer each day (1/a, and saturation)
    # the model's counters agree with the log: every reply has a row
    written = log[log["action"].isin(["post", "reply"])].groupby("member").size()
    pop = model.population
    counted = pop.threads[: pop.n] + pop.replies[: pop.n]
    assert written.sum() == counted.sum()


def test_follow_ups_are_in_the_authors_own_threads_and_other_replies_never_are(tmp_path):
    _, log = _logged(tmp_path, window=4, **{"behaviour.followup": 0.5})
    replies, _ = _replies_by_others(log)
    own = replies["member"] == replies["starter"]
    assert own.sum() > 50 and (~own).sum() > 500
    # a follow-up answers a reply from another member, on the day of that reply
    answered = replies[~own].groupby("thread")["day"].agg(set)
    for thread, day in replies[own][["thread", "day"]].itertuples(index=False):
        assert day in answered[thread]


@pytest.mark.parametrize("decay", [1.0, 2.5])
def test_the_window_keeps_a_thread_w_days_its_pull_falling_as_a_power_of_its_age(decay):
    model = CommunityModel(**writing_scenario(3, **{"behaviour.reply_decay": decay}).model_kwargs())
    pool = Items.build(
        author=[5, 6, 7, 8],
        topic=[0, 1, 2, 3],
        quality=[0.5] * 4,
        is_thread=[True] * 4,
        n_topics=model.rules.n_topics,
        appeal=[1.0, 2**-decay, 3**-decay, 1.0],  # their pull today: on days 1, 2, 3, 1
        born=[9, 8, 7, 9],
        answers=[0, 2, 5, 1],
        ident=[40, 30, 20, 41],
    )
    model._keep_open(pool, replies=np.array([1, 0, 3, 2]), day=10)
    kept = model.open_threads
    assert kept.ident.tolist() == [40, 30, 41]  # the one on its third (last) day closed
    assert kept.appeal == pytest.approx([2**-decay, 3**-decay, 2**-decay])
    assert kept.answers.tolist() == [1, 2, 3]


def test_a_thread_closes_once_and_the_unanswered_share_is_the_logs(tmp_path):
    window, days = 6, 90
    model, log = _logged(tmp_path, window=window, days=days)
    replies, starts = _replies_by_others(log)
    members_threads = starts[starts["starter"].str.startswith("m")]
    closed = members_threads[members_threads["start"] <= days - window]
    answered = replies[replies["member"] != replies["starter"]]["thread"].unique()
    share = (~closed["thread"].isin(answered)).mean()
    assert len(closed) > 300 and 0.05 < share < 0.95
    assert model.summary()["unanswered_share"] == pytest.approx(share)


def test_a_first_thread_answered_on_a_later_day_counts_as_answered(tmp_path):
    model, log = _logged(tmp_path, window=8)
    replies, starts = _replies_by_others(log)
    first_day = starts.groupby("starter")["start"].min()
    firsts = starts[starts["start"] == starts["starter"].map(first_day)]
    by_others = replies[replies["member"] != replies["starter"]]
    late = by_others[by_others["day"] - by_others["start"] >= 2]["thread"]
    answered = set(firsts[firsts["thread"].isin(by_others["thread"])]["starter"])
    answered_late_only = set(firsts[firsts["thread"].isin(late)]["starter"])
    assert len(answered_late_only) > 5
    pop = model.population
    flagged = {f"m{slot}" for slot in np.flatnonzero(pop.first_post_replied[: pop.n])}
    assert answered == flagged  # no operator here: only members' replies set it


def test_visitors_count_the_older_open_threads_by_interest_and_pull():
    model = CommunityModel(**writing_scenario(10).model_kwargs(), rng=1)
    pop = model.population
    k = model.rules.n_topics
    open_threads = Items.build(
        author=[1, 2], topic=[0, 2], quality=[0.5, 0.5], is_thread=[True, True], n_topics=k,
        appeal=[0.5, 0.25], asks=[1.0, 0.4],
    )  # fmt: skip
    visitors = np.zeros(pop.n, bool)
    visitors[[3, 4]] = True
    # yesterday's feed: a thread on topic 0 and a reply on topic 1, read with weight 1.5
    feed = Items.build(
        author=[5, 6], topic=[0, 1], quality=[0.5, 0.5], is_thread=[True, False], n_topics=k,
    )  # fmt: skip
    pop.start_day()
    pop.relevant_read[[3, 4]] = 1.5
    pop.see_open_threads(visitors, open_threads, feed)
    expected = pop.pref[[3, 4], 0] * 0.5 + pop.pref[[3, 4], 2] * 0.25 * 0.4
    assert pop.open_relevant[[3, 4]] == pytest.approx(expected)
    assert not pop.open_relevant[5 : pop.n].any()
    # what they read in the feed was threads in the proportion of their interest in its threads
    pref = pop.pref[[3, 4]]
    share = pref[:, 0] / (pref[:, 0] + pref[:, 1])
    assert pop.threads_read[[3, 4]] == pytest.approx(1.5 * share)
    # and they would answer more: the reply rate follows both
    rate_with = pop._reply_rate(np.array([3, 4]))
    pop.open_relevant[[3, 4]] = 0
    assert (rate_with > pop._reply_rate(np.array([3, 4]))).all()


@pytest.mark.parametrize("window, decay", [(1, 1.0), (5, 1.0), (30, 2.5)])
def test_a_threads_pull_is_spread_over_its_open_days_not_multiplied(window, decay):
    """The threads a visitor read yesterday and the older ones still open are divided by the
    pull's sum over the window, sum a^-d for a = 1..W, so a thread open W days draws in all what
    a thread open one day draws; the replies it read count as with one-day threads
    (Population.reply_pull_total)."""
    scenario = writing_scenario(window, **{"behaviour.reply_decay": decay})
    pop = CommunityModel(**scenario.model_kwargs(), rng=1).population
    total = sum(a**-decay for a in range(1, window + 1))
    assert pop.reply_pull_total == pytest.approx(total)
    one_day = CommunityModel(**writing_scenario(1).model_kwargs(), rng=1).population
    v = np.array([3, 4, 5])
    read, threads = np.array([0.5, 2.0, 30.0]), np.array([0.5, 1.0, 0.0])
    for p in (pop, one_day):
        p.start_day()
        p.relevant_read[v] = read
    older = np.array([1.0, 0.0, 5.0]) if window > 1 else np.zeros(3)  # W = 1 holds none open
    if window > 1:
        pop.threads_read[v] = threads
        pop.open_relevant[v] = older
    else:
        threads = np.zeros(3)  # and does not split what it read
    # the W = 1 population reading the replies, and the threads spread over the window
    one_day.relevant_read[v] = (read - threads + (threads + older) / total).astype(np.float32)
    assert pop._reply_rate(v) == pytest.approx(one_day._reply_rate(v), rel=1e-6)


def test_saturation_counts_the_replies_a_thread_drew_on_earlier_days():
    model = CommunityModel(
        **writing_scenario(5, **{"behaviour.reply_saturation": 2.0}).model_kwargs(), rng=1
    )  # seeded: unseeded, one run in about 170 kept a reply at 1,000 earlier answers
    pop = model.population
    item = np.array([0, 0, 1, 1, 1])
    fresh = pop._unsaturated(item, day=4)
    answered = pop._unsaturated(item, day=4, answers=np.array([0.0, 1000.0], np.float32))
    assert (answered <= fresh).all()
    assert answered[item == 0].tolist() == fresh[item == 0].tolist()
    assert not answered[item == 1].any()  # h / (h + 1000 + j): all but certainly turned away


def test_one_day_is_the_model_as_before(tmp_path):
    """W = 1 builds no pool: replies come on the next day only (bit-identity to the model before
    the rule is checked by benchmarks/diagnostics/bit_identity.py)."""
    model, log = _logged(tmp_path, window=1, days=40)
    replies, _ = _replies_by_others(log)
    others = replies[replies["member"] != replies["starter"]]
    assert len(others) > 50 and ((others["day"] - others["start"]) == 1).all()
    assert len(model.open_threads) == 0 and model.reply_pairs is None
