"""CommunityModel: an online community living through days (one step = one day).

Set-up, the day's phases in causal order, and data collection. Member behaviour lives in
``sim.agents``; this module wires it. Arrivals follow Bass diffusion (Bass 1969, "A new product growth
model for consumer durables", Management Science 15(5)): each day a share ``p + q * N / m`` of the
remaining market ``m - joined`` joins, ``p`` for marketing, ``q`` for word of mouth from the members
still in the community; invitations add referral joins.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

import mesa
import numpy as np
import pandas as pd

from sim.agents import LeaveReason, Member, Population, Rules
from sim.content import Items
from sim.metrics import (
    DayActivity,
    cohort_table,
    daily_row,
    inequality,
    pooled_retention,
    reply_effect,
)
from sim.streams import RandomStreams, root_seed_sequence

DAILY_SERIES = (
    "members",
    "joins",
    "leaves",
    *(f"leaves_{r.label}" for r in LeaveReason if r is not LeaveReason.STAYING),
    "dau",
    "wau",
    "mau",
    "stickiness",
    "threads",
    "replies",
    "reactions",
    "invites",
    "interaction_rate",
    "unanswered_share",
    "active_contributor_share",
    "posts_gini",
    "top1_post_share",
    "mean_loyalty",
    "mean_interest",
    "mean_info_benefit",
    "mean_bond_benefit",
    "ties",
)


def _todays(model: CommunityModel, name: str):
    return model.today[name]


class CommunityModel(mesa.Model):
    """An online community of members with interest and loyalty states.

    >>> model = CommunityModel(members=300, market_size=1000, rng=1)
    >>> for _ in range(30):
    ...     model.step()
    >>> model.series()["members"].iloc[-1] > 0
    True
    """

    def __init__(
        self,
        members: int = 2000,
        market_size: int = 10000,
        marketing_p: float = 0.0003,
        word_of_mouth_q: float = 0.004,
        referral_conversion: float = 0.3,
        rules: Rules | None = None,
        rng=None,
    ):
        self.seed_sequence = root_seed_sequence(rng)
        super().__init__(rng=np.random.default_rng(self.seed_sequence))
        self.rules = rules or Rules()
        self.market_size = market_size
        self.marketing_p = marketing_p
        self.word_of_mouth_q = word_of_mouth_q
        self.referral_conversion = referral_conversion
        self.streams = RandomStreams(self.seed_sequence)
        self.population = Population(self.rules, self.streams, capacity=members + 1024)
        self.population.add(members, day=0, founders=True)
        self.joined_from_market = 0
        self.pending_invites = 0
        self.feed = Items.empty(self.rules.n_topics)
        self._views: dict[int, Member] = {}
        self.today: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_todays, name=name) for name in DAILY_SERIES}
        )

    @property
    def day(self) -> int:
        return self.steps

    # ---- the day ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One day, phase by phase in causal order."""
        day, pop = self.day, self.population
        joins = self.arrive(day)
        self.operator_acts(day)
        visitors = pop.visit(day)
        pop.read(visitors, self.feed)
        threads = pop.post(visitors, day)
        replies = self.reply(visitors, day)
        reactions = self.react(visitors, day)
        invites = pop.invite(visitors, day)
        self.award_incentives(day)
        pop.update_states(visitors, replies.received, reactions.received)
        pop.ties.decay(self.rules.tie_decay, self.rules.tie_prune)
        leaving = pop.maybe_leave(day)
        pop.observe_retention(day)
        self.feed = self._publish(threads, replies)
        self.pending_invites = invites
        self._collect(day, joins, visitors, threads, replies, reactions, invites, leaving)

    def arrive(self, day: int) -> int:
        """Bass arrivals from the remaining market, plus referral joins from yesterday's invites."""
        remaining = self.market_size - self.joined_from_market
        if remaining <= 0:
            return 0
        gen = self.streams.generator("arrivals", day)
        share = self.marketing_p + self.word_of_mouth_q * self.population.n_alive / self.market_size
        joins = int(gen.binomial(remaining, min(share, 1.0)))
        referrals = int(gen.binomial(self.pending_invites, self.referral_conversion))
        joins = min(remaining, joins + referrals)
        self.joined_from_market += joins
        self.population.add(joins, day)
        return joins

    def operator_acts(self, day: int) -> None:
        """The operator's phase. No operator yet: no events, so no identity benefit today."""
        self.population.identity_today[:] = 0

    def award_incentives(self, day: int) -> None:
        """Incentives phase: nothing to award without an operator."""

    def reply(self, visitors: np.ndarray, day: int) -> _Responses:
        pop = self.population
        responders, item = pop.respond(visitors, self.feed, day, "reply")
        threads = self.feed.threads()
        authors = threads.author[item]
        received = _received(authors, pop.n)
        pop.unseen_replies[: pop.n] += received
        pop.replies_received[: pop.n] += received
        by_member = authors >= 0
        pop.ties.strengthen(responders[by_member], authors[by_member], self.rules.tie_gain)
        per_responder = np.bincount(responders, minlength=pop.n)
        writers = np.flatnonzero(per_responder)
        pop._record_posts(writers, per_responder[writers], day)
        pop.replies[writers] += per_responder[writers]
        replies_per_thread = np.bincount(item, minlength=len(threads))
        first = (threads.author >= 0) & (
            pop.first_post_day[np.maximum(threads.author, 0)] == day - 1
        )
        pop.first_post_replied[threads.author[first & (replies_per_thread > 0)]] = True
        return _Responses(
            responders,
            threads.topic[item],
            0.5 + 0.5 * pop.intrinsic[responders],
            received,
            closed=len(threads),
            unanswered=int((replies_per_thread == 0).sum()),
        )

    def react(self, visitors: np.ndarray, day: int) -> _Responses:
        pop = self.population
        responders, item = pop.respond(visitors, self.feed, day, "react")
        received = _received(self.feed.author[item], pop.n)
        pop.reactions[: pop.n] += np.bincount(responders, minlength=pop.n).astype(np.int32)
        pop.reactions_received[: pop.n] += received
        return _Responses(responders, item, None, received)

    def _publish(self, threads, replies: _Responses) -> Items:
        """Today's threads and replies become tomorrow's feed."""
        author, topic, quality = threads
        is_thread = np.concatenate([np.ones(author.size, bool), np.zeros(replies.who.size, bool)])
        return Items.build(
            np.concatenate([author, replies.who]),
            np.concatenate([topic, replies.what]),
            np.concatenate([quality, replies.quality]),
            is_thread,
            self.rules.n_topics,
        )

    def _collect(self, day, joins, visitors, threads, replies, reactions, invites, leaving):
        pop = self.population
        leaves_by_reason = np.bincount(pop.leave_reason[leaving], minlength=len(LeaveReason))
        activity = DayActivity(
            visitors,
            self.feed,
            int(threads[0].size),
            int(replies.who.size),
            int(reactions.who.size),
            invites,
            replies.closed,
            replies.unanswered,
            leaves_by_reason,
        )
        self.today = daily_row(pop, day, joins, activity)
        self.datacollector.collect(self)

    # ---- outputs ---------------------------------------------------------------------------------
    def run(self, days: int, progress=None) -> None:
        """Run ``days`` days; ``progress`` (optional) is called after each day."""
        for _ in range(days):
            self.step()
            if progress is not None:
                progress()

    def series(self) -> pd.DataFrame:
        """The daily series, one row per day."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "day", np.arange(1, len(frame) + 1))
        return frame

    def cohorts(self, cohort_days: int = 7) -> pd.DataFrame:
        return cohort_table(self.population, self.day, cohort_days)

    def summary(self) -> dict:
        """Per-run KPIs: size, activity, retention, inequality, reasons for leaving."""
        pop, day = self.population, self.day
        series = self.series()
        last30 = series.tail(30)
        alive = pop.view("alive")
        gini, top1 = inequality(pop.view("posts")[alive])
        leaves = {
            f"leaves_{r.label}": int(series[f"leaves_{r.label}"].sum())
            for r in LeaveReason
            if r is not LeaveReason.STAYING
        }
        return {
            "days": day,
            "seed_entropy": str(self.seed_sequence.entropy),
            "members_start": int(pop.is_founder[: pop.n].sum()),
            "members_end": int(alive.sum()),
            "joins": int(series["joins"].sum()),
            "leaves": int(series["leaves"].sum()),
            **leaves,
            "dau_last30": float(last30["dau"].mean()) if len(last30) else 0.0,
            "stickiness_last30": float(last30["stickiness"].mean()) if len(last30) else 0.0,
            "active_contributor_share": float(series["active_contributor_share"].iloc[-1])
            if len(series)
            else 0.0,
            "posts_gini": gini,
            "top1_post_share": top1,
            "unanswered_share": _weighted_unanswered(series),
            **pooled_retention(pop, day),
            **reply_effect(pop, day),
            "mean_loyalty": float(pop.view("loyalty")[alive].mean()) if alive.any() else 0.0,
        }

    def member(self, slot: int) -> Member:
        """A ``Member`` view (a ``mesa.Agent``) of the member in ``slot``; cached per slot."""
        if not 0 <= slot < self.population.n:
            raise IndexError(f"slot {slot} is not a member (0..{self.population.n - 1})")
        if slot not in self._views:
            self._views[slot] = Member(self, slot)
        return self._views[slot]

    def parameters(self) -> dict:
        """The model's parameters, as plain data."""
        return {
            "market_size": self.market_size,
            "marketing_p": self.marketing_p,
            "word_of_mouth_q": self.word_of_mouth_q,
            "referral_conversion": self.referral_conversion,
            "rules": asdict(self.rules),
        }


def _weighted_unanswered(series: pd.DataFrame) -> float:
    closed = series["threads"].shift(1).fillna(0)
    total = closed.sum()
    return float((series["unanswered_share"] * closed).sum() / total) if total else 0.0


def _received(authors: np.ndarray, n: int) -> np.ndarray:
    """Per-slot count of responses received (operator items, author -1, are not members)."""
    return np.bincount(authors[authors >= 0], minlength=n).astype(np.int32)


class _Responses:
    """Replies or reactions made today: who responded, to what, and what each member received."""

    def __init__(self, who, what, quality, received, closed: int = 0, unanswered: int = 0):
        self.who, self.what, self.quality, self.received = who, what, quality, received
        self.closed, self.unanswered = closed, unanswered
