"""CommunityModel: an online community living through days (one step = one day).

Set-up, the day's phases in causal order, and data collection. Member behaviour lives in
``sim.agents``; this module wires it. Arrivals follow Bass diffusion (Bass 1969, "A new product growth
model for consumer durables", Management Science 15(5)): each day a share ``p + q * N / m`` of the
remaining market ``m - joined`` joins, ``p`` for marketing, ``q`` for word of mouth from the members
still in the community; invitations add referral joins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import partial

import mesa
import numpy as np
import pandas as pd

import sim.levers  # noqa: F401  (registers the built-in levers)
from sim.agents import LeaveReason, Member, Population, Rules
from sim.policies import Actions, Lever, Market, Operator, Strategy, operator_series
from sim.world import kernels, segments
from sim.world.content import Items
from sim.world.groups import Groups, GroupSpec
from sim.world.hours import HOURS as HOURS_PER_DAY
from sim.world.hours import OPERATOR_HOUR, ActiveHours, Clock
from sim.world.metrics import (
    DayActivity,
    cohort_table,
    daily_row,
    inequality,
    pooled_retention,
    reply_effect,
)
from sim.world.outcomes import RETENTION_AGES
from sim.world.streams import RandomStreams, root_seed_sequence
from sim.world.uncertainties import Uncertainties

# Bumped whenever a change to the model changes what a run produces: a sweep's run keys include it,
# so results stored by an older model are never mistaken for this one's.
# 2: a member who leaves loses its ties (changes the "ties" series only)
# 3: paid campaigns pull from their first day to their last (they lagged a day: arrivals read the
#    pull the operator had set the day before); referral rewards likewise; shortfall per lever;
#    Dn retention (active on day n after joining) recorded beside retention(d): new bits, columns, keys
# 4: issue 14's behavioural core. A scenario `platform` (chat_group, forum -- the default --, feed,
#    or Ren & Kraut's stream, the old reading) decides how members see items; reading is limited
#    by attention and information counts the quality of each item read; a chat group's unread
#    messages cost without saturating and members mute before they leave; removed posts are a
#    strong, lasting signal (removal_ema), strongest for a newcomer's first contributions, and a
#    removed thread counts as ignored; habit (posting begets posting) and drive_max 10 with a
#    moderate trait spread make inequality come from reinforcement; "overloaded" is a leave reason
#    only for members who met overload; daily role counts (lurkers, occasional, regulars, core).
#    And the levers: moderation reviews flagged items within staff minutes per item; operator
#    content's quality is per item; incentives pull by their value to the member; prizes draw by
#    expected value; members who left may come back (win-back, events, friends): `returned`.
#    Then (issue 14's `truth` branch, R-1/R-2 on the forum): newcomers from the market have a fit,
#    their need for information 0.6 of the founders' (`newcomer_fit`), which sorts them in the
#    first months as the stream's reading cost used to; forum repliers turn from crowded threads
#    to unanswered ones (seek_crowd). And (branch `solicit`): a thread's pull on replies is its
#    appeal times how much it asks for one: operator formats' `asks_for_replies` (default 0.25,
#    live 0.5), members' threads 1 (Items.for_replies).
# 5: a lottery's entrants make no ties with each other (bonds form through interaction, Ren, Kraut
#    & Kiesler 2007; a weekly 200 lottery prize had kept 282 more of 1,100 members through the ties
#    its drawn entrants made, as a Q&A would). Results without lotteries are unchanged.
# 6: a finite time for writing (`writing_capacity`) bounds threads' authors' follow-ups
#    (`followup`) with the rest of their writing (Population._followup_share). Results with either
#    off (the defaults, every validation target and atlas row) are unchanged.
# 7: participation momentum (`momentum`) keeps members, it no longer brings them: visits follow
#    loyalty alone, staying the commitment (Population.commitment; Wilkinson 2008 measured the
#    chance to stop). Results with momentum off (the defaults, every validation target and every
#    atlas row but momentum's own) are unchanged.
# 8: threads open for days (`reply_window` > 1) spread a thread's pull on repliers over its open
#    days instead of adding it on each (Population.reply_pull_total). Results with one day (the
#    default, every validation target and every atlas row on docs/atlas.md) are unchanged.
MODEL_VERSION = "8"

COMMUNITY_SERIES = (
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
    "returned",
    "lurkers",
    "occasional",
    "regulars",
    "core",
    "trend_items",
    "joins_refused",
)
# the per-topic daily series (``CommunityModel.topics``): items and responses per topic and day
TOPIC_SERIES = ("threads", "operator_posts", "replies", "reactions", "operator_responses")
# active hours' daily series (``sim.world.hours``), only in runs with the scenario's ``hours``
HOURS_SERIES = ("operator_seen_2h", "operator_readers_2h")
DAILY = "daily"  # the Mesa DataCollector table of the daily series
INTERACTION_MEMORY = 120  # days of operator-post interaction kept for the adaptive lever


def daily_series(hours: bool = False) -> tuple[str, ...]:
    """The columns of the daily series: the community's, then the operator's (``sim.policies``),
    then, with active hours (``hours``), ``HOURS_SERIES``."""
    return (*COMMUNITY_SERIES, *operator_series(), *(HOURS_SERIES if hours else ()))


class CommunityModel(mesa.Model):
    """An online community of members with interest and loyalty states.

    >>> model = CommunityModel(members=300, market_size=1000, rng=1)
    >>> for _ in range(30):
    ...     model.step()
    >>> bool(model.series()["members"].iloc[-1] > 0)
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
        strategy: Strategy | None = None,
        uncertainties: Uncertainties | None = None,
        hours: ActiveHours | None = None,
        groups: list[GroupSpec] | None = None,
        rng=None,
        collect: bool = True,
    ):
        """``collect=False`` skips the daily outputs (``_collect``: the daily series, the
        per-segment counts, ``today``), for a caller that reads a run only through its members'
        counters and feed, as ``ActivityObserver`` does for calibration; they read the state and
        draw no random number, so the run itself is bit-identical, and ``series`` and ``summary``
        refuse."""
        self.collect = collect
        self.seed_sequence = root_seed_sequence(rng)
        super().__init__(rng=np.random.default_rng(self.seed_sequence))
        self.rules = rules or Rules()
        self.market_size = market_size
        self.marketing_p = marketing_p
        self.word_of_mouth_q = word_of_mouth_q
        self.referral_conversion = referral_conversion
        self.streams = RandomStreams(self.seed_sequence)
        self.population = Population(self.rules, self.streams, capacity=members + 1024)
        founders = self.population.add(members, day=0, founders=True)
        # active hours (sim.world.hours): None is the day-only model
        self.hours = hours
        self.clock = Clock(hours, self.rules) if hours is not None else None
        self.population.clock = self.clock
        self._response_feed: Items | None = None  # today's feed as responders see it
        # groups and channels (sim.world.groups): None, one feed as before
        self.groups = Groups(groups, self.rules.n_topics, members + 1024) if groups else None
        self._group_days: list[
            np.ndarray
        ] = []  # per day: groups x [members, active, posts, replies]
        # with active hours: per day, each group's share of its items its visitors could see
        self._group_seen_days: list[np.ndarray] = []
        self._group_seen = np.zeros(0)
        self.joins_refused = 0
        if self.groups is not None:
            self.groups.join(founders, self.population.pref, self.population.view("alive"))
        self.joined_from_market = 0
        self.pending_invites = 0
        self.feed = Items.empty(self.rules.n_topics)
        # threads posted before yesterday still open to replies (Rules.reply_window; _reply_pool)
        self.open_threads = Items.empty(self.rules.n_topics)
        self._threads_posted = 0  # numbers the threads held open (Items.ident)
        self.reply_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # the operator and the world it cannot control (none: an unsupported community)
        self.strategy = strategy.model_copy(deep=True) if strategy is not None else None
        self.operator = Operator(self, self.strategy) if self.strategy is not None else None
        self.uncertainties = uncertainties
        self.world = LeverWorld(self)
        self._interactions: list[np.ndarray] = []  # per day: (topic, format) -> [posts, responses]
        self._topic_days: list[np.ndarray] = []  # per day: TOPIC_SERIES x topic counts
        self._trend_items = 0  # operator posts today on the trending topic
        # per day: segments.GROUP_COUNTS x (role, segment, tier) cell counts (``groups``)
        self._segment_days: list[np.ndarray] = []
        # group retention: the members present on the last snapshot day, their cells, and per
        # cell the members snapshotted and those active 30 days later (``segment_retention``)
        self._snapshot: tuple[int, np.ndarray, np.ndarray] | None = None
        self._retained = np.zeros((2, segments.n_cells(len(self.rules.member_mix))), np.int64)
        self._views: dict[int, Member] = {}
        self.today: dict[str, float] = {}
        self._operator_series = operator_series()  # the registry's, as this model was built
        # the daily series are a Mesa table, one row a day: the day's values are computed once
        # into ``today`` (``_collect``), so a row is appended as it is; model reporters would call
        # and deep-copy one function per column per day
        self.datacollector = mesa.DataCollector(
            tables={DAILY: list(daily_series(hours is not None))}
        )

    @property
    def day(self) -> int:
        return self.steps

    # ---- the day ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One day, phase by phase in causal order."""
        day, pop = self.day, self.population
        pop.start_day()
        if self.operator is not None:
            self.operator.start_day()
        joins = self.arrive(day)
        self.operator_acts(day)
        self._trend_attention(day)
        pop.rejoin(day)  # members who left may come back (win-back, events, friends)
        # in groups (sim.world.groups) visiting, reading and responding take the groups; without
        # them, the calls are those of one feed
        visitors = pop.visit(day) if self.groups is None else pop.visit(day, self.groups)
        self._response_feed = self._aged_feed(visitors)
        if self.groups is None:
            pop.read(visitors, self.feed, day)
        else:
            pop.read(visitors, self.feed, day, self.groups)
        if pop.threads_stay_open:  # and the older threads still open (Rules.reply_window)
            pop.see_open_threads(visitors, self.open_threads, self.feed)
        threads = pop.post(visitors, day)
        thread_groups = self._thread_groups(threads[0], threads[1], day)
        replies = self.reply(visitors, day, threads, thread_groups)
        pop.close_needs(day)  # newcomers' needs voiced or ending today (Rules.need_days)
        reactions = self.react(visitors, day)
        invites = pop.invite(visitors, day)
        threads_of = partial(_per_slot, threads[0], pop.n)  # counted only if a lever asks
        self.levers_respond(day, Actions(visitors, replies.per_member, invites, threads_of))
        invites = int(invites.sum())
        pop.update_states(visitors, replies.received, reactions.received, replies.ignored)
        pop.ties.decay(self.rules.tie_decay, self.rules.tie_prune)
        leaving = pop.maybe_leave(day)
        pop.observe_retention(day)
        if self.operator is not None:
            self._track_interactions(replies.targets, reactions.targets)
        self._count_topics(threads, replies, reactions)
        self._count_groups(visitors, thread_groups, replies)
        self.feed = self._publish(threads, replies, thread_groups)
        pop.notify_watchers(self.feed)  # tomorrow's new threads, to those who watch
        self.pending_invites = invites
        if self.collect:
            self._collect(day, joins, visitors, threads, replies, reactions, invites, leaving)

    def _aged_feed(self, visitors: np.ndarray) -> Items:
        """Today's feed as repliers and reactors weigh it: with active hours each item's appeal
        times its mean exposure over today's visitors (``Clock.item_exposure``: an item posted
        when few are online has sunk or scrolled away by the time most come); else the feed. In
        groups, each group's items age in its own stream and by its own visitors
        (``Clock.item_exposure_in_groups``)."""
        if self.clock is None:
            return self.feed
        self.clock.age(self.feed, self.groups)
        if self.groups is not None:
            visits = self._group_visits(visitors)
            self._group_seen = self.clock.group_seen(visits)
        if len(self.feed) == 0:
            return self.feed
        if self.groups is None:
            return self.feed.expose(self.clock.item_exposure(self.feed.hour))
        return self.feed.expose(
            self.clock.item_exposure_in_groups(self.feed.hour, self.feed.group, visits)
        )

    def _group_visits(self, visitors: np.ndarray) -> np.ndarray:
        """groups x 24: today's visitors in each open group by their visit hour (active hours)."""
        pop, k = self.population, len(self.groups)
        slots = pop.slots_of(visitors)
        rows, cols = np.nonzero(self.groups.member[slots] & self.groups.open[None, :])
        hour = pop.hour_today[slots[rows]].astype(np.int64)
        cell = cols.astype(np.int64) * HOURS_PER_DAY + hour
        return np.bincount(cell, minlength=k * HOURS_PER_DAY).reshape(k, HOURS_PER_DAY)

    def arrive(self, day: int) -> int:
        """Bass arrivals from the remaining market, plus referral joins from yesterday's invites."""
        remaining = self.market_size - self.joined_from_market
        if remaining <= 0:
            return 0
        gen = self.streams.generator("arrivals", day)
        organic = (
            self.marketing_p + self.word_of_mouth_q * self.population.n_alive / self.market_size
        )
        market = self._market(day)
        joins = int(gen.binomial(remaining, min(organic + market.extra_p, 1.0)))
        referrals = int(gen.binomial(self.pending_invites, self.referral_conversion))
        joins = min(remaining, joins + referrals)
        if self.groups is not None:  # a full group refuses joins: the refused stay in the market
            self.joins_refused = 0
            joins, referrals = self._admit(joins, referrals)
        if self.operator is not None:
            self._pay_for_joins(joins - referrals, referrals, organic, market)
        self.joined_from_market += joins
        self._join_groups(self.population.add(joins, day))
        if market.channels:
            joins += self._channel_joins(day, market)
        return joins

    def _channel_joins(self, day: int, market: Market) -> int:
        """Joins bought through today's recruitment channels (``Recruitment.channels``): a Poisson
        count of each channel's expected joins, from what is left of the market, each with the
        fit of the newcomers that channel brings; counted as ``<channel>_joins``."""
        gen = self.streams.generator("arrivals.channels", day)
        fits = {"paid": self.rules.paid_fit, "partner": self.rules.partner_fit}
        total = 0
        for name, expected in market.channels:
            fit = fits.get(name, 1.0)
            n = min(int(gen.poisson(expected)), self.market_size - self.joined_from_market)
            if self.groups is not None:
                n = self._admit(n, 0)[0]
            if n <= 0:
                continue
            self.joined_from_market += n
            self._join_groups(self.population.add(n, day, fit=fit))
            self.operator.count(f"{name}_joins", n)
            total += n
        return total

    # ---- groups (sim.world.groups) ---------------------------------------------------------------
    def _in_groups(self) -> tuple:
        """The groups argument of the population's phases: none without groups (one feed)."""
        return () if self.groups is None else (self.groups,)

    def _admit(self, joins: int, referrals: int) -> tuple[int, int]:
        """Of ``joins`` would-be newcomers (``referrals`` of them referred), those the groups have
        room for (market joins are refused first); the refused are counted in ``joins_refused``."""
        room = self.groups.room(self.population.view("alive"))
        if joins <= room:
            return joins, referrals
        self.joins_refused += joins - room
        return room, min(referrals, room)

    def _join_groups(self, slots: np.ndarray) -> None:
        if self.groups is not None and slots.size:
            self.groups.join(slots, self.population.pref, self.population.view("alive"))

    def _thread_groups(self, authors: np.ndarray, topic: np.ndarray, day: int):
        """The group of each of today's threads (``Groups.thread_groups``); None without groups."""
        if self.groups is None:
            return None
        u = self.streams.generator("post.group", day).random(authors.size)
        return self.groups.thread_groups(authors, topic, u)

    def _count_groups(self, visitors: np.ndarray, thread_groups, replies: _Responses) -> None:
        """Today's size and activity per group: members still here, members who visited, threads
        and replies posted in it (``groups()``)."""
        if self.groups is None:
            return
        pop, k = self.population, len(self.groups)
        member = self.groups.member[: pop.n]
        row = np.zeros((k, 4), np.int64)
        row[:, 0] = self.groups.sizes(pop.view("alive"))
        row[:, 1] = member[visitors[: pop.n]].sum(axis=0)
        row[:, 2] = np.bincount(thread_groups, minlength=k)[:k]
        row[:, 3] = np.bincount(replies.group[replies.group >= 0], minlength=k)[:k]
        self._group_days.append(row)
        if self.clock is not None:  # active hours: the share of each group's items seen today
            seen = np.full(k, np.nan)
            seen[: self._group_seen.size] = self._group_seen
            self._group_seen_days.append(seen)

    def groups_frame(self) -> pd.DataFrame | None:
        """Per group and day (``groups.parquet``): members, active (visited), posts (threads) and
        replies; groups opened later have zero rows before their first day. None without groups."""
        if self.groups is None:
            return None
        k = len(self.groups)
        days = len(self._group_days)
        table = np.zeros((days, k, 4), np.int64)
        for d, row in enumerate(self._group_days):
            table[d, : row.shape[0]] = row
        names = [spec.name for spec in self.groups.specs]
        frame = pd.DataFrame(
            {
                "day": np.repeat(np.arange(1, days + 1), k),
                "group": np.tile(np.arange(k), days),
                "name": np.tile(np.array(names, dtype=object), days),
                "kind": np.tile(
                    np.array([s.platform.kind for s in self.groups.specs], dtype=object), days
                ),
            }
        )
        for i, name in enumerate(("members", "active", "posts", "replies")):
            frame[name] = table[:, :, i].reshape(-1)
        if self.clock is not None:  # active hours (Clock.group_seen)
            seen = np.full((days, k), np.nan)
            for d, row in enumerate(self._group_seen_days):
                seen[d, : row.size] = row
            frame["seen"] = seen.reshape(-1)
        return frame

    def groups_summary(self) -> list[dict]:
        """Per group: its name, kind, cap, topics, whether open, members at the end, and mean
        active members, posts and replies a day over the last 30 days."""
        frame = self.groups_frame()
        last = frame[frame["day"] > frame["day"].max() - 30] if len(frame) else frame
        out = []
        for g, spec in enumerate(self.groups.specs):
            mine = last[last["group"] == g]
            end = frame[(frame["group"] == g) & (frame["day"] == frame["day"].max())]
            out.append(
                {
                    "name": spec.name,
                    "kind": spec.platform.kind,
                    "cap": spec.cap,
                    "topics": list(spec.topics),
                    "open": bool(self.groups.open[g]),
                    "opened_day": int(self.groups.opened[g]),
                    "members_end": int(end["members"].sum()) if len(end) else 0,
                    "active_last30": float(mine["active"].mean()) if len(mine) else 0.0,
                    "posts_last30": float(mine["posts"].mean()) if len(mine) else 0.0,
                    "replies_last30": float(mine["replies"].mean()) if len(mine) else 0.0,
                }
            )
        return out

    def _market(self, day: int) -> Market:
        """What the strategy's levers add to today's arrivals (paid pull, referral rewards)."""
        total = Market()
        for lever in self.strategy.levers() if self.strategy is not None else ():
            market = lever.market(self.operator, day)
            if market is not None:
                total.extra_p += market.extra_p
                total.cost_per_join = max(total.cost_per_join, market.cost_per_join)
                total.referral_reward = max(total.referral_reward, market.referral_reward)
                total.channels.extend(market.channels)
        return total

    def _pay_for_joins(
        self, market_joins: int, referrals: int, organic: float, market: Market
    ) -> None:
        """Paid campaigns pay per join they bring (their share of today's market pull); referral
        rewards pay per referral join."""
        if market.extra_p > 0 and market_joins > 0:
            brought = market_joins * market.extra_p / (organic + market.extra_p)
            self.operator.pay(brought * market.cost_per_join, "recruitment")
            self.operator.count("campaign_joins", brought)
        if market.referral_reward > 0 and referrals > 0:
            self.operator.pay(referrals * market.referral_reward, "recruitment")
            self.operator.count("referral_joins", referrals)

    def _trend_attention(self, day: int) -> None:
        """A trending topic draws attention (``TrendShock.lift``): today's feed, the operator's posts
        included, is read and answered by each item's topic's attention (``Items.attend``); what
        members post about follows it in ``Population.post``."""
        attention = self.population.today.topic_attention
        if attention is not None:
            self.feed = self.feed.attend(attention)

    def operator_acts(self, day: int) -> None:
        """The operator's phase: the world's uncertainties, then the operator's levers."""
        pop = self.population
        if self.uncertainties is not None:
            self.uncertainties.apply(pop, day)
        if self.operator is not None:
            self.operator.act(self.world, day)

    def levers_respond(self, day: int, actions: Actions) -> None:
        """The incentives phase: levers respond to what members did today (points, badges, ranks
        and rewards)."""
        if self.operator is not None:
            self.operator.respond(self.world, day, actions)

    # ---- what the levers ask of the community (through LeverWorld) ------------------------------
    def interaction_leaders(self, window: int, n_formats: int):
        """Replies and reactions per operator post over the last ``window`` days, by topic and by
        format, as target mixes (shares proportional to interaction per post)."""
        recent = self._interactions[-window:]
        if not recent:
            return None, None
        totals = np.sum(recent, axis=0)  # (topic, format, [posts, responses])
        posts, responses = totals[..., 0], totals[..., 1]

        def rate(p, r):
            return np.where(p > 0, (r + 1) / (p + 1), 0.0)

        by_topic = rate(posts.sum(axis=1), responses.sum(axis=1))
        by_format = rate(posts.sum(axis=0), responses.sum(axis=0))[:n_formats]
        topic_target = by_topic / by_topic.sum() if by_topic.sum() > 0 else None
        format_target = by_format / by_format.sum() if by_format.sum() > 0 else None
        return topic_target, format_target

    def operator_interactions(self) -> tuple[int, int]:
        """Operator posts and the replies and reactions they got, over the days kept (the last
        ``INTERACTION_MEMORY``)."""
        if not self._interactions:
            return 0, 0
        totals = np.sum(self._interactions, axis=(0, 1, 2))
        return int(totals[0]), int(totals[1])

    def _track_interactions(self, replies_to, reactions_to) -> None:
        """Count today's operator posts and the responses they got, by topic and format."""
        formats = len(self.strategy.content.formats) if self.strategy.content else 1
        table = np.zeros((self.rules.n_topics, max(formats, 1), 2))
        feed = self.feed
        mine = feed.fmt >= 0
        np.add.at(table, (feed.topic[mine], feed.fmt[mine], 0), 1)
        for items in (replies_to, reactions_to):
            ours = items.fmt >= 0
            np.add.at(table, (items.topic[ours], items.fmt[ours], 1), 1)
        self._interactions = [*self._interactions[-INTERACTION_MEMORY + 1 :], table]

    def _count_topics(self, threads, replies: _Responses, reactions: _Responses) -> None:
        """Today's items and responses per topic (``TOPIC_SERIES``), in one ``np.bincount``:
        members' threads, operator posts (today's, in the feed), replies (by their thread's topic),
        reactions (by their item's), and the replies and reactions operator posts got."""
        k, feed = self.rules.n_topics, self.feed
        ours = feed.fmt >= 0
        reacted = feed.topic[reactions.what]
        parts = [threads[1], feed.topic[ours], replies.what, reacted]
        to_operator = [reacted[feed.fmt[reactions.what] >= 0]]
        if replies.targets is not None:
            to_operator.append(replies.targets.topic)
        parts.append(np.concatenate(to_operator))
        codes = np.concatenate([part + i * k for i, part in enumerate(parts)])
        counts = np.bincount(codes, minlength=len(parts) * k).astype(np.int32)
        self._topic_days.append(counts.reshape(len(parts), k))
        trending = self.uncertainties.trending(self.day) if self.uncertainties else None
        self._trend_items = 0 if trending is None else int(counts[k + trending])

    def topics(self) -> pd.DataFrame:
        """The per-topic daily series: one row per day and topic, with ``TOPIC_SERIES``."""
        k = self.rules.n_topics
        if not self._topic_days:
            table = np.zeros((0, len(TOPIC_SERIES), k), np.int32)
        else:
            table = np.stack(self._topic_days)
        days = table.shape[0]
        frame = pd.DataFrame(
            {
                "day": np.repeat(np.arange(1, days + 1), k),
                "topic": np.tile(np.arange(k), days),
            }
        )
        for i, name in enumerate(TOPIC_SERIES):
            frame[name] = table[:, i, :].reshape(-1)
        return frame

    def reply(self, visitors: np.ndarray, day: int, posted=None, posted_groups=None) -> _Responses:
        """Today's replies: other members' to the threads open to them, their authors' follow-ups
        (``Rules.followup``), and their authors' continuations of the threads posted today
        (``posted``, ``pop.post``'s tuple, and ``posted_groups`` their groups;
        ``Rules.continuation``)."""
        pop = self.population
        pool = self._reply_pool() if pop.threads_stay_open else None
        targets = self._response_feed if pool is None else pool
        responders, item = pop.respond(visitors, targets, day, "reply", *self._in_groups())
        threads = self.feed.threads() if pool is None else pool
        authors = threads.author[item]
        received = _received(authors, pop.n)
        pop.unseen_replies[: pop.n] += received
        pop.replies_received[: pop.n] += received
        to_member = authors >= 0
        pop.ties.strengthen(responders[to_member], authors[to_member], self.rules.tie_gain)
        replies_per_thread = np.bincount(item, minlength=len(threads))  # from other members
        item_is_followup = np.zeros(item.size, bool)
        if self.rules.followup > 0:  # threads' authors answer those who answered (Rules.followup)
            who, answered = pop.answer_own_threads(authors, item, visitors, day)
            responders, item = np.concatenate([responders, who]), np.concatenate([item, answered])
            item_is_followup = np.concatenate([item_is_followup, np.ones(who.size, bool)])
        replied = responders  # the replies in the threads open to replies (reply_pairs)
        topic, quality = threads.topic[item], 0.5 + 0.5 * pop.intrinsic[responders]
        to_chatter = threads.offtopic[item]
        group = threads.group[item] if self.groups is not None else None
        if self.rules.continuation > 0 and posted is not None:  # authors go on in today's threads
            continued = pop.continue_threads(posted[0], day)
            writers = posted[0][continued]
            responders = np.concatenate([responders, writers])
            topic = np.concatenate([topic, posted[1][continued]])
            quality = np.concatenate([quality, 0.5 + 0.5 * pop.intrinsic[writers]])
            to_chatter = np.concatenate([to_chatter, posted[4][continued]])
            if group is not None:
                group = np.concatenate([group, posted_groups[continued]])
        per_member = _per_slot(responders, pop.n)
        pop.record_replies(per_member, day)
        members_thread = threads.author >= 0
        first_post_day = pop.first_post_day[np.maximum(threads.author, 0)]
        if pool is None:  # every thread closes on the day after it was posted
            closing = members_thread
            unanswered = members_thread & (replies_per_thread == 0)
            first = members_thread & (first_post_day == day - 1)
            pop.first_post_replied[threads.author[first & ~unanswered]] = True
        else:
            closing = members_thread & (day - threads.born >= self.rules.reply_window)
            unanswered = closing & (threads.answers + replies_per_thread == 0)
            first = members_thread & (first_post_day == threads.born)
            pop.first_post_replied[threads.author[first & (replies_per_thread > 0)]] = True
            self.reply_pairs = (replied, threads.ident[item], item_is_followup)
            self._keep_open(threads, replies_per_thread, day)
        return _Responses(
            responders,
            topic,
            quality,
            received,
            targets=_operator_targets(threads, item) if self.operator is not None else None,
            to_chatter=to_chatter,
            closed=int(closing.sum()),
            unanswered=int(unanswered.sum()),
            ignored=_received(threads.author[unanswered], pop.n) + pop.removed_threads[: pop.n],
            per_member=per_member,
            group=group,
        )

    def _reply_pool(self) -> Items:
        """The threads open to replies today (``Rules.reply_window`` W > 1): yesterday's, as
        today's responders see them (``_aged_feed``), and the older ones still open
        (``open_threads``), whose pull has fallen to a^-d on their a-th day (``_keep_open``;
        d: ``Rules.reply_decay``).

        Why: in the model's day a thread is answered from the next day's feed only, so every
        reply came on the day after its thread. Real threads are answered over days and weeks:
        on the real exports of ``../shared/realdata`` 6% (a Discord chat) to 70% (pull requests
        on GitHub) of other members' replies come two or more days after the thread, and a Stack
        Exchange meta thread answered by others is answered on 2.3 to 2.9 different days
        (``benchmarks/diagnostics/reply_delays.py``). Attention to an item relaxes as a power
        law of its age (Crane & Sornette 2008, PNAS, "Robust dynamic classes revealed by
        measuring the response function of a social system"; Wu & Huberman 2007, PNAS,
        "Novelty and collective attention"), and answers to a question keep arriving long after
        the first (Anderson, Huttenlocher, Kleinberg & Leskovec 2012, KDD). W and d are fitted
        to a log: the exports' shares of replies two or more days late need d from about 1
        (pull requests) to 4 or more (a chat)."""
        yesterday = self._response_feed.threads()
        if len(self.open_threads) == 0:
            return yesterday
        return yesterday.concat(self.open_threads)

    def _keep_open(self, pool: Items, replies: np.ndarray, day: int) -> None:
        """After today's replies, the pool's threads not yet on their last day stay open to
        tomorrow, with the replies they drew (``Items.answers``) and their pull one day older:
        on its a-th day a thread pulls a^-d (``Rules.reply_decay``), so tonight a thread on its
        a-th day keeps (a / (a + 1))^d of today's pull."""
        age = day - pool.born
        still = np.flatnonzero(age < self.rules.reply_window)
        kept = pool.subset(still)
        fade = ((age[still] / (age[still] + 1)) ** self.rules.reply_decay).astype(np.float32)
        self.open_threads = replace(
            kept,
            appeal=(kept.appeal * fade).astype(np.float32),
            answers=(kept.answers + replies[still]).astype(np.float32),
        )

    def react(self, visitors: np.ndarray, day: int) -> _Responses:
        pop = self.population
        responders, item = pop.respond(
            visitors, self._response_feed, day, "react", *self._in_groups()
        )
        received = _received(self.feed.author[item], pop.n)
        kernels.active().scatter_add(pop.reactions, responders, np.int32(1))
        pop.reactions_received[: pop.n] += received
        targets = _operator_targets(self.feed, item) if self.operator is not None else None
        return _Responses(responders, item, None, received, targets=targets)

    def _publish(self, threads, replies: _Responses, thread_groups=None) -> Items:
        """Today's threads and replies become tomorrow's feed (a reply inherits its thread's topic
        and, for chatter, its being off-topic, and in groups its thread's group; only threads can
        be toxic here)."""
        author, topic, quality, toxic, chatter = threads
        is_thread = np.concatenate([np.ones(author.size, bool), np.zeros(replies.who.size, bool)])
        extra = self._author_appeal(author, replies.who.size)
        extra.update(self._posted_hours(author, replies.who))
        if thread_groups is not None:
            extra["group"] = np.concatenate([thread_groups, replies.group])
        if self.population.threads_stay_open:  # threads held open carry their day and number
            extra["born"] = np.full(is_thread.size, self.day, np.int64)
            extra["ident"] = np.where(
                is_thread, self._threads_posted + np.cumsum(is_thread) - 1, -1
            )
            self._threads_posted += author.size
        return Items.build(
            np.concatenate([author, replies.who]),
            np.concatenate([topic, replies.what]),
            np.concatenate([quality, replies.quality]),
            is_thread,
            self.rules.n_topics,
            toxic=np.concatenate([toxic, np.zeros(replies.who.size, bool)]),
            offtopic=np.concatenate([chatter, replies.to_chatter]),
            **extra,
        )

    def _posted_hours(self, authors: np.ndarray, repliers: np.ndarray) -> dict:
        """With active hours, each thread and reply carries its writer's visit hour today."""
        if self.clock is None:
            return {}
        hour = self.population.hour_today
        return {"hour": np.concatenate([hour[authors], hour[repliers]])}

    def _author_appeal(self, author: np.ndarray, n_replies: int) -> dict:
        """Opinion leaders' threads draw more (``Today.author_appeal``, set by the leaders lever);
        nothing otherwise, so the items stay plain."""
        by_author = self.population.today.author_appeal
        if by_author is None:
            return {}
        appeal = np.ones(author.size + n_replies, np.float32)
        known = np.flatnonzero((author >= 0) & (author < by_author.size))
        appeal[known] = by_author[author[known]]  # members who joined since: plain
        return {"appeal": appeal}

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
        self._count_segments(day, visitors, threads[0], replies.who)
        self.today["returned"] = pop.returned_today
        self.today["trend_items"] = self._trend_items
        self.today["joins_refused"] = self.joins_refused  # would-be newcomers refused: groups full
        self.today.update(self._operator_row())
        if self.clock is not None:
            self.today.update(self._hours_row())
        self.datacollector.add_table_row(DAILY, self.today)

    def _hours_row(self) -> dict[str, float]:
        """Active hours: how soon the day's visitors saw the operator's posts read today (share of
        the day's visitors who came within 2 hours after each post, and their number, averaged
        over the posts; 0 on a day without operator posts)."""
        feed = self.feed if self._response_feed is None else self._response_feed
        mine = feed.fmt >= 0
        visitors = float(self.clock.counts.sum())
        if not mine.any() or visitors <= 0:
            return dict.fromkeys(HOURS_SERIES, 0.0)
        readers = self.clock.readers_within(feed.hour[mine])
        return {
            "operator_seen_2h": float(readers.mean() / visitors),
            "operator_readers_2h": float(readers.mean()),
        }

    def _operator_row(self) -> dict[str, float]:
        """The operator's day: spend, hours, shortfall and what each lever did (zeros without)."""
        row = dict.fromkeys(self._operator_series, 0.0)
        if self.operator is not None:
            row.update({k: float(v) for k, v in self.operator.today.items()})
            for lever in self.strategy.levers():
                row.update(lever.measure(self.world))
        return row

    def _count_segments(self, day: int, visitors, authors: np.ndarray, repliers: np.ndarray):
        """Today's members present, visitors, threads and replies per (role, segment, tier) cell,
        and every ``RETENTION_DAYS`` days a snapshot of who is in which cell (one
        ``np.bincount`` per count, no loop over members)."""
        pop, k = self.population, len(self.rules.member_mix)
        cells, members = segments.cells_today(pop, day)
        size = segments.n_cells(k)
        here = pop.here()
        counts = [members] + [
            np.bincount(cells[slots], minlength=size)
            for slots in (pop.slots_of(visitors), authors[authors >= 0], repliers)
        ]
        self._segment_days.append(np.stack(counts).astype(np.int32))
        if day % segments.RETENTION_DAYS:
            return
        if self._snapshot is not None:  # members of 30 days ago active in the 7 days to today
            _, slots, then = self._snapshot
            active = pop.last_active_day[slots] >= day - 6
            self._retained[0] += np.bincount(then, minlength=size)
            self._retained[1] += np.bincount(then[active], minlength=size)
        self._snapshot = (day, here.copy(), cells[here])

    # ---- outputs ---------------------------------------------------------------------------------
    def segments_frame(self) -> pd.DataFrame:
        """Daily counts per role, segment and value tier (``sim.world.segments``): one row per
        day, grouping (``group_by``: role, segment or tier) and group, with the members present
        at the end of the day, today's visitors (``active``), threads and replies."""
        self._require_collected("segment counts")
        names = [segment.name for segment in self.rules.member_mix]
        k = len(names)
        days = len(self._segment_days)
        table = (
            np.stack(self._segment_days)
            if days
            else np.zeros((0, len(segments.GROUP_COUNTS), segments.n_cells(k)), np.int32)
        )
        frames = []
        for grouping, counts in segments.by_grouping(table, k).items():
            groups = segments.group_names(grouping, names)
            frame = pd.DataFrame(
                {
                    "day": np.repeat(np.arange(1, days + 1), len(groups)),
                    "group_by": grouping,
                    "group": np.tile(np.array(groups, dtype=object), days),
                }
            )
            for i, name in enumerate(segments.GROUP_COUNTS):
                frame[name] = counts[:, i, :].reshape(-1)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def segment_retention(self) -> dict[str, dict[str, dict[str, float | int | None]]]:
        """Retention per role, segment and value tier.

        * ``retention_30``: of the members in the group on days 30, 60, 90, ... (a snapshot every
          ``RETENTION_DAYS`` days), the share active in the 7 days ending 30 days later
          (retention(30)'s window), pooled over the snapshots; ``observed``: members counted.
        * per segment also its joiners' ``joiners_retention_30`` and ``joiners_retention_90``
          (retention(d) of the newcomers of that segment old enough, as ``pooled_retention``).
        """
        self._require_collected("segment retention")
        names = [segment.name for segment in self.rules.member_mix]
        k = len(names)
        observed = segments.by_grouping(self._retained[0], k)
        retained = segments.by_grouping(self._retained[1], k)
        out: dict[str, dict[str, dict[str, float | int | None]]] = {}
        for grouping in segments.GROUPINGS:
            out[grouping] = {
                group: {
                    "observed": int(observed[grouping][i]),
                    "retention_30": float(retained[grouping][i] / observed[grouping][i])
                    if observed[grouping][i]
                    else None,
                }
                for i, group in enumerate(segments.group_names(grouping, names))
            }
        pop, day = self.population, self.day
        newcomers = ~pop.view("is_founder")
        age = day - pop.view("join_day")[newcomers]
        bits = pop.view("retention_bits")[newcomers]
        segment = pop.view("segment")[newcomers]
        for checkpoint in (30, 90):
            bit = RETENTION_AGES.index(checkpoint)
            old = age >= checkpoint
            joiners = np.bincount(segment[old], minlength=k)
            kept = np.bincount(segment[old], weights=(bits[old] >> bit) & 1, minlength=k)
            for i, name in enumerate(names):
                out["segment"][name][f"joiners_retention_{checkpoint}"] = (
                    float(kept[i] / joiners[i]) if joiners[i] else None
                )
        return out

    def run(self, days: int, progress=None) -> None:
        """Run ``days`` days; ``progress`` (optional) is called after each day."""
        for _ in range(days):
            self.step()
            if progress is not None:
                progress()

    def _require_collected(self, what: str) -> None:
        if not self.collect:
            raise RuntimeError(f"this model was built with collect=False: no {what}")

    def series(self) -> pd.DataFrame:
        """The daily series, one row per day."""
        self._require_collected("daily series")
        frame = self.datacollector.get_table_dataframe(DAILY)
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
            "returned": int(series["returned"].sum()),
            **leaves,
            "dau_last30": float(last30["dau"].mean()) if len(last30) else 0.0,
            "stickiness_last30": float(last30["stickiness"].mean()) if len(last30) else 0.0,
            "active_contributor_share": float(series["active_contributor_share"].iloc[-1])
            if len(series)
            else 0.0,
            "posts_gini": gini,
            "top1_post_share": top1,
            "unanswered_share": _weighted_unanswered(series, self.rules.reply_window),
            **pooled_retention(pop, day),
            **reply_effect(pop, day),
            "mean_loyalty": float(pop.view("loyalty")[alive].mean()) if alive.any() else 0.0,
            **self._groups_summary(series),
        }

    def _groups_summary(self, series: pd.DataFrame) -> dict:
        """With groups: would-be newcomers refused for want of room, and each group's summary."""
        if self.groups is None:
            return {}
        return {
            "joins_refused": int(series["joins_refused"].sum()),
            "groups_open": int(self.groups.open.sum()),
            "groups": self.groups_summary(),
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
            "strategy": self.strategy.model_dump(mode="json") if self.strategy else None,
            "uncertainties": self.uncertainties.model_dump(mode="json")
            if self.uncertainties
            else None,
            **({"hours": self.hours.model_dump(mode="json")} if self.hours is not None else {}),
        }


def _weighted_unanswered(series: pd.DataFrame, window: int = 1) -> float:
    """The share of members' threads that closed unanswered over the run: each day's share
    weighted by the threads that closed that day, those posted ``window`` days before
    (``Rules.reply_window``)."""
    closed = series["threads"].shift(window).fillna(0)
    total = closed.sum()
    return float((series["unanswered_share"] * closed).sum() / total) if total else 0.0


def _operator_targets(items: Items, responded: np.ndarray) -> Items:
    """The operator's items among those responded to (one per response), for the adaptive lever's
    tally; members' items are left out rather than copied."""
    return items.subset(responded[items.fmt[responded] >= 0])


def _per_slot(slots: np.ndarray, n: int) -> np.ndarray:
    """How often each slot ``0..n-1`` occurs in ``slots``, as int32 (``np.bincount`` would first
    make an int64 array of every slot ever joined, ``np.add.at`` is slow)."""
    counts = np.zeros(n, np.int32)
    kernels.active().scatter_add(counts, slots, np.int32(1))
    return counts


def _received(authors: np.ndarray, n: int) -> np.ndarray:
    """Per-slot count of responses received (operator items, author -1, are not members)."""
    return _per_slot(authors[authors >= 0], n)


@dataclass
class _Responses:
    """Replies or reactions made today: who responded, to what, and what each member received."""

    who: np.ndarray  # responder slots
    what: np.ndarray  # replies: the thread's topic; reactions: the item index
    quality: np.ndarray | None  # of each reply (reactions carry none)
    received: np.ndarray  # per slot: responses received
    targets: Items | None = None  # the operator's items responded to (when there is an operator)
    to_chatter: np.ndarray | None = None  # a reply to chatter is chatter too
    closed: int = 0  # members' threads whose reply window closed today
    unanswered: int = 0  # ... of which got no reply
    ignored: np.ndarray | None = None  # per member: its threads that closed without a reply
    per_member: np.ndarray | None = None  # replies: how many each member wrote today
    group: np.ndarray | None = None  # replies, in groups: the group of each reply's thread


class LeverWorld:
    """The narrow interface through which levers see and change the community (``sim.policies.World``):
    today's feed, the member arrays, the day's random streams, and a few services of the model."""

    def __init__(self, model: CommunityModel):
        self._model = model
        self.members = model.population
        self.n_topics = model.rules.n_topics

    @property
    def day(self) -> int:
        return self._model.day

    @property
    def feed(self) -> Items:
        return self._model.feed

    @property
    def groups(self) -> Groups | None:
        """The community's groups (``sim.world.groups``); None: one feed."""
        return self._model.groups

    def popularity(self) -> np.ndarray:
        return self._model.rules.popularity()

    def random(self, purpose: str) -> np.random.Generator:
        """Today's generator for ``purpose`` (counts and sequential picks)."""
        return self._model.streams.generator(purpose, self.day)

    def uniform(self, purpose: str) -> np.ndarray:
        """Today's uniform draw for ``purpose``, one per member slot."""
        return self._model.streams.uniform(purpose, self.day, self.members.n)

    @property
    def clock(self) -> Clock | None:
        """Active hours (``sim.world.hours.Clock``), or None in the day-only model."""
        return self._model.clock

    def posting_hour(self, hour: int | None) -> int:
        """The hour an operator item is posted at: the lever's, else ``OPERATOR_HOUR``."""
        return OPERATOR_HOUR if hour is None else hour

    def publish(self, topic, quality: float, appeal, fmt, asks=None, hour=None) -> None:
        """Operator posts join today's feed as threads (author -1); ``asks``: how much each asks
        for a reply (``Items.for_replies``; default 1, like a member's request); ``hour``: the
        hour of day they are posted at (active hours only; ``posting_hour``)."""
        size = len(topic)
        timed = {} if self.clock is None else {"hour": np.full(size, self.posting_hour(hour))}
        items = Items.build(
            np.full(size, -1),
            topic,
            np.full(size, quality, np.float32),
            np.ones(size, bool),
            self.n_topics,
            appeal=appeal,
            fmt=fmt,
            asks=asks,
            **timed,
        )
        self._model.feed = self._model.feed.concat(items)

    def remove(self, items: np.ndarray) -> int:
        """Moderators remove items (a mask over today's feed): they leave the feed, taking the
        information they carried with them, and their authors are told.

        To its author a removal is a strong, lasting signal, strongest for a newcomer's first
        contributions (Halfaker, Kittur & Riedl 2011, "Don't bite the newbies", WikiSym: reverted
        newcomers contribute less and leave more; Halfaker, Geiger, Morgan & Riedl 2013): each
        removed item weighs ``1 + first_removal_weight * exp(-earlier posts / 3)`` in the author's
        ``removal_today`` (felt on its next visit, ``Population.update_states``). A removed thread
        also counts as a thread that got no reply (Joyce & Kraut 2006's ignored penalty)."""
        model = self._model
        removed = int(items.sum())
        if removed:
            pop, rules = self.members, model.rules
            feed = model.feed
            mine = items & (feed.author >= 0)
            authors = feed.author[mine]
            earlier = np.maximum(pop.posts[authors] - 1, 0).astype(np.float32)
            weight = 1 + np.float32(rules.first_removal_weight) * np.exp(-earlier / np.float32(3))
            np.add.at(pop.removal_today, authors, weight.astype(np.float32))
            threads = authors[feed.is_thread[mine]]
            np.add.at(pop.removed_threads, threads, 1)
            model.feed = feed.subset(~items)
        return removed

    def lever(self, key: str) -> Lever | None:
        """Another lever of the strategy (the adaptive lever steers the content lever)."""
        strategy = self._model.strategy
        return getattr(strategy, key, None) if strategy is not None else None

    def interaction_leaders(self, window: int, n_formats: int):
        return self._model.interaction_leaders(window, n_formats)

    def topic_activity(self, days: int) -> np.ndarray:
        """Members' posts (threads and replies) per topic over the last ``days`` days of the
        per-topic series (days x topics; fewer rows early in a run)."""
        recent = self._model._topic_days[-days:]
        if not recent:
            return np.zeros((0, self.n_topics), np.int32)
        table = np.stack(recent)
        return table[:, 0, :] + table[:, 2, :]

    def new_ties(self, members: np.ndarray, partners: np.ndarray, strength: float = 1.0) -> None:
        """Each of ``members`` gains a tie (or strengthens one) with the partner at its index, by
        ``strength`` times a reply's (``Rules.tie_gain``)."""
        gain = self._model.rules.tie_gain
        self.members.ties.strengthen(
            members, partners, gain if strength == 1.0 else gain * strength
        )

    def recently_active(self) -> np.ndarray:
        """Slots of members still here who were active yesterday or today."""
        return np.flatnonzero(self._recently_active_mask())

    def n_recently_active(self) -> int:
        """How many members ``recently_active`` gives (counted, not listed)."""
        return int(np.count_nonzero(self._recently_active_mask()))

    def _recently_active_mask(self) -> np.ndarray:
        pop = self.members
        return pop.view("alive") & (pop.view("last_active_day") >= self.day - 1)
