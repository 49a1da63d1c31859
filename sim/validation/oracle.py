"""The test oracle: the same community rules, written one Python object per member.

``CommunityModel`` (``sim.model`` with ``sim.agents``) keeps member state as numpy arrays and runs a
day as array expressions; that is fast but hides the rules in masks and sparse products. This module
restates the same rules in their plainest form, for a community without an operator: every member is
an ``OracleMember`` (a ``mesa.Agent``) holding its state as Python floats and ints, its topic
preferences as a list and its ties as a dict ``{other member: strength}``, and each day the model
loops over the members in join order calling behaviours by name (``visit``, ``read``, ``post``,
``reply``, ``react``, ``invite``, ``update_state``, ``maybe_leave``). The phases, formulas and trait
draws are those of ``CommunityModel.step``; the parameters come from the same ``Rules``.

Both draw from the same ``sim.world.streams.RandomStreams``: a member in slot ``s`` uses the number at ``s``
of the day's per-purpose uniforms for its own decisions, ``slot_normal``/``slot_uniform`` for its
traits, and replies and reactions take their targets from the day's generator in the same order. So
both models make exactly the same decisions at first; sooner or later float32 (vectorised) and
float64 (here) rounding flips a single decision, and from then on the runs drift apart. They must
agree in distribution: ``tests/test_oracle.py`` compares them over many seeds at small N (DESIGN.md,
"Performance and memory"). Slow by design; use it only in tests.

Without an operator there are no events (identity benefit 0), incentives, moderation, onboarding,
win-back, formats, feed filtering, campaigns or competitors, so the terms those levers feed into the
rules are zero here and left out. The mechanisms and their sources are cited in ``sim.agents`` and
``sim.model``.

>>> oracle = OracleModel(members=200, market_size=1000, rng=1)
>>> oracle.run(5)
>>> int(oracle.series()["day"].iloc[-1])
5
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

import mesa
import numpy as np
import pandas as pd

from sim.agents import EMA_WEIGHT, INFO_SATURATION_ITEMS, LeaveReason, Rules
from sim.model import COMMUNITY_SERIES
from sim.world.metrics import ROLE_BOUNDS, ROLES
from sim.world.streams import RandomStreams, root_seed_sequence

NEVER = -(10**6)  # the day of something that has not happened
MEMORY = float(EMA_WEIGHT)  # weight of today in the recent-experience averages

# the model's community series but the inequality ones, returns after leaving (friends' pull,
# win-back, events: Population.rejoin), operator posts on a trending topic and joins refused by
# full groups (sim.world.groups), which the oracle
# (no operator, no uncertainties) does not compute
ORACLE_SERIES = tuple(
    s
    for s in COMMUNITY_SERIES
    if s not in ("posts_gini", "top1_post_share", "returned", "trend_items", "joins_refused")
)


def stochastic_round(rate: float, u: float) -> int:
    """A count with mean ``rate`` from one uniform: floor(rate), plus one with chance frac(rate)."""
    whole = math.floor(rate)
    return int(whole) + (u < rate - whole)


def weighted_index(weights: list[float], u: float) -> int:
    """The first index whose running total of ``weights`` reaches ``u`` times their sum."""
    target = u * sum(weights)
    running = 0.0
    for index, weight in enumerate(weights):
        running += weight
        if running >= target:
            return index
    return len(weights) - 1


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


@dataclass(eq=False)
class Item:
    """One thread or reply; it appears in the next day's feed."""

    author: OracleMember
    topic: int
    quality: float
    is_thread: bool
    toxic: bool = False
    chatter: bool = False  # off-topic social talk: no information, but it gets replies
    replies: int = 0  # replies this thread received


class Feed:
    """Yesterday's items, grouped by topic, each topic's items in the order they were published,
    with what readers take from it as a whole (computed once: the feed does not change)."""

    def __init__(self, items: list[Item], n_topics: int):
        self.items = items
        self.by_topic: list[list[Item]] = [[] for _ in range(n_topics)]
        for item in items:
            self.by_topic[item.topic].append(item)
        self.counts = [len(items) for items in self.by_topic]
        # chatter carries no information
        self.informative_counts = [
            sum(not item.chatter for item in items) for items in self.by_topic
        ]
        # each topic's informative items' qualities, best first (what a ranked page shows first)
        self.best_first = [
            sorted((item.quality for item in items if not item.chatter), reverse=True)
            for items in self.by_topic
        ]
        size = len(items)
        self.mean_quality = sum(item.quality for item in items) / size if size else 0.0
        self.toxic_share = sum(item.toxic for item in items) / size if size else 0.0

    def __len__(self) -> int:
        return len(self.items)

    def best_quality(self, topic: int, share: float) -> float:
        """Summed quality of the best ``share`` of the topic's informative items (a fraction of
        the next item counts for its fraction)."""
        qualities = self.best_first[topic]
        wanted = min(max(share, 0.0), 1.0) * len(qualities)
        whole = math.floor(wanted)
        total = sum(qualities[:whole])
        if whole < len(qualities):
            total += (wanted - whole) * qualities[whole]
        return total

    def threads(self) -> Feed:
        return Feed([item for item in self.items if item.is_thread], len(self.by_topic))

    def pick(self, pref: list[float], u_topic: float, u_item: float) -> Item | None:
        """Attention follows interest: a topic with chance proportional to preference times the
        topic's item count, then one of its items uniformly. Replies weigh a thread by how much it
        asks for an answer (``Items.for_replies``): here every thread is a member's (1), so reply
        and reading picks weigh threads alike."""
        weights = [p * len(items) for p, items in zip(pref, self.by_topic, strict=True)]
        if sum(weights) <= 0:
            return None
        items = self.by_topic[weighted_index(weights, u_topic)]
        return items[min(math.floor(u_item * len(items)), len(items) - 1)]


class OracleMember(mesa.Agent):
    """One member: traits drawn at join, states that change day by day, ties to other members."""

    def __init__(self, model: OracleModel, slot: int, founder: bool):
        super().__init__(model)
        r, streams, day = model.rules, model.streams, model.day
        self.slot = slot  # join order: where this member reads its random numbers
        mix = r.member_mix
        cumulative = list(accumulate(segment.share for segment in mix))
        u_segment = float(streams.slot_uniform("trait.segment", slot, slot + 1)[0, 0])
        self.segment = min(
            bisect_right([c / cumulative[-1] for c in cumulative], u_segment), len(mix) - 1
        )
        kind = mix[self.segment]
        z = [float(x) for x in streams.slot_normal("trait.motivation", slot, slot + 1, 3)[0]]
        jitter = [
            math.exp(kind.spread * float(x))
            for x in streams.slot_normal("trait.propensity", slot, slot + 1, 5)[0]
        ]
        if kind.tail > 0:  # a power-law upper tail (Segment.tail; Reed & Jorgensen 2004)
            u_tail = float(streams.slot_uniform("trait.tail", slot, slot + 1)[0, 0])
            jitter = [j * math.exp(kind.tail * -math.log1p(-u_tail)) for j in jitter]
        # traits (Deci, Koestner & Ryan 1999 for intrinsic/extrinsic motivation)
        self.intrinsic = logistic(logit(kind.intrinsic) + r.motivation_spread * z[0])
        self.extrinsic = logistic(logit(kind.extrinsic) + r.motivation_spread * z[1])
        self.info_need = math.exp(r.need_spread * z[2] - r.need_spread**2 / 2)
        if not founder:  # newcomers' fit (sim.agents, Rules.newcomer_fit)
            self.info_need *= r.newcomer_fit
        self.visit_base = min(max(kind.visit * jitter[0] ** 0.5, 0.01), 1.0)
        self.post_base = kind.post * jitter[1]
        self.reply_base = kind.reply * jitter[2]
        self.react_base = kind.react * jitter[3]
        self.invite_base = kind.invite * jitter[4]
        self.read_budget = kind.read_budget
        self.toxic_chance = kind.toxic
        self.chatter_chance = kind.chatter
        self.pref = self._draw_preferences(kind.favourite_topics)
        # states
        self.alive = True
        self.is_founder = founder
        self.join_day = day
        self.interest = 0.4 + 0.4 * self.intrinsic
        self.loyalty = r.founder_loyalty if founder else r.initial_loyalty
        self.post_drive = 1.0
        self.recent_posts = 0.0  # about the last 30 days' posts
        self.info_ema = self.cost_ema = self.overload_ema = self.bond_ema = 0.0
        self.toxicity_ema = 0.0
        self.muted = False  # chat_group: has muted the group
        self.posts_today = 0
        self.ties: dict[OracleMember, float] = {}
        # today's experience
        self.info_today = self.relevant_read = self.cost_today = self.bond_today = 0.0
        self.overload_today = self.toxicity_today = 0.0
        self.replies_today = self.reactions_today = self.ignored_today = 0
        # counters and days
        self.visits = self.posts = self.threads = self.replies = self.reactions = 0
        self.replies_received = self.reactions_received = self.invites = self.unseen_replies = 0
        self.last_active_day = day if founder else NEVER
        self.last_post_day = NEVER
        self.first_post_day = -1
        self.first_post_replied = self.posted_again = False
        self.leave_day = -1
        self.leave_reason = LeaveReason.STAYING

    def _draw_preferences(self, favourites: int) -> list[float]:
        """A few favourite topics (a Gumbel-top-k draw weighted by popularity) valued highly."""
        k = self.model.rules.n_topics
        u = [
            float(x)
            for x in self.model.streams.slot_uniform(
                "trait.topics", self.slot, self.slot + 1, 2 * k
            )[0]
        ]
        popularity = self.model.rules.popularity()
        score = [
            math.log(popularity[t]) - math.log(-math.log(min(max(u[t], 1e-7), 1 - 1e-7)))
            for t in range(k)
        ]
        favourite = set(sorted(range(k), key=lambda t: -score[t])[:favourites])
        return [
            0.6 + 0.4 * u[k + t] if t in favourite else 0.02 + 0.08 * u[k + t] for t in range(k)
        ]

    def uniform(self, purpose: str) -> float:
        """This member's random number for ``purpose`` today."""
        return self.model.uniform(purpose, self.slot)

    @property
    def visiting(self) -> bool:
        return self.last_active_day == self.model.day

    # ---- the day's behaviours --------------------------------------------------------------------
    def visit(self, day: int) -> bool:
        """Visit with a propensity scaled by loyalty and interest, plus the pull of waiting replies
        and of novelty in the first week."""
        r = self.model.rules
        p = self.visit_base * (r.visit_floor + (1 - r.visit_floor) * self.loyalty)
        p = p * (0.5 + 0.5 * self.interest) + r.reply_pull * (self.unseen_replies > 0)
        if not self.is_founder:  # newcomers look around in their first week
            p += r.novelty * math.exp(-(day - self.join_day) / 7.0)
        if self.muted:  # a muted chat group is opened less often
            p *= r.platform.muted_visit
        self.info_today = self.relevant_read = self.cost_today = 0.0
        self.overload_today = self.toxicity_today = 0.0
        if self.uniform("visit") >= p:
            return False
        self.visits += 1
        self.last_active_day = day
        self.unseen_replies = 0
        return True

    def read(self, feed: Feed) -> None:
        """Read yesterday's items as the platform shows them (``sim.world.platform``): Ren &
        Kraut's stream, or attention-limited reading on a forum, feed or chat group."""
        if len(feed) > 0:
            if self.model.rules.platform.kind == "stream":
                self._read_stream(feed)
            else:
                self._read_attention(feed)
            self._drift_topics(feed.informative_counts)
        self.info_ema += MEMORY * (self.info_today - self.info_ema)
        self.cost_ema += MEMORY * (self.cost_today - self.cost_ema)
        self.overload_ema += MEMORY * (self.overload_today - self.overload_ema)
        self.toxicity_ema += MEMORY * (self.toxicity_today - self.toxicity_ema)

    def _read_stream(self, feed: Feed) -> None:
        """The whole stream up to the budget: information benefit, saturating near 40 relevant
        items, against a reading cost from off-topic noise and a saturating overload (Ren & Kraut
        2014)."""
        r = self.model.rules
        total = float(len(feed))
        relevant_in_feed = min(
            sum(p * c for p, c in zip(self.pref, feed.informative_counts, strict=True)), total
        )
        read = min(total, self.read_budget)
        self.relevant_read = relevant_in_feed * read / total
        saturation = 1 - math.exp(-3.0 * self.relevant_read / INFO_SATURATION_ITEMS)
        self.info_today = feed.mean_quality * saturation
        offtopic_share = 1 - relevant_in_feed / total
        overload = max(total / self.read_budget - 1, 0.0)
        self.overload_today = r.overload_cost * (1 - math.exp(-overload))
        self.cost_today = (
            r.offtopic_cost * offtopic_share * read / self.read_budget + self.overload_today
        )
        self._read_toxic(feed, read)

    def _read_attention(self, feed: Feed) -> None:
        """Attention spent on the items the platform puts first: a forum's page of titles (best
        or newest first), a feed's most relevant items, a chat group's messages in arrival order.
        Information is the mean quality of the relevant items read times the saturation in their
        number; unread volume costs the scanning of a page (forum, feed) or a notification each
        (chat group, unless muted; a noisy group gets muted)."""
        r = self.model.rules
        platform = r.platform
        total = float(len(feed))
        budget = self.read_budget * (platform.muted_read if self.muted else 1.0)
        relevant_in_feed = min(
            sum(p * c for p, c in zip(self.pref, feed.informative_counts, strict=True)), total
        )
        offtopic_share = 1 - relevant_in_feed / total
        depth = platform.page_depth
        if platform.kind == "chat_group":  # a random sample of messages: all, up to the budget
            read = min(total, budget)
            sample, best = read / total, 1.0
        elif platform.kind == "feed":  # the member's most relevant items first
            read = min(min(relevant_in_feed, depth), budget)
            sample, best = 1.0, read / max(relevant_in_feed, 1e-6)
        else:  # forum: titles down to the page depth, the relevant ones opened best first
            scanned = min(total, depth) / total
            found = relevant_in_feed * scanned
            read = min(found, budget)
            opened = read / max(found, 1e-6)
            if platform.sort == "ranked":
                sample, best = 1.0, scanned * opened
            else:
                sample, best = scanned, opened
        self.relevant_read = relevant_in_feed * sample * best
        quality = sample * sum(p * feed.best_quality(t, best) for t, p in enumerate(self.pref))
        mean_quality = quality / self.relevant_read if self.relevant_read > 0 else 0.0
        saturation = 1 - math.exp(-3.0 * self.relevant_read / INFO_SATURATION_ITEMS)
        self.info_today = mean_quality * saturation
        if platform.kind == "chat_group":
            unread = max(total - read, 0.0)
            self.overload_today = 0.0 if self.muted else platform.notify_cost * unread / budget
            self.cost_today = r.offtopic_cost * offtopic_share * read / budget + self.overload_today
            if not self.muted and unread > platform.mute_after:
                self.muted = self.uniform("mute") < platform.mute_rate
        else:
            page = min(total, depth)
            self.cost_today = r.offtopic_cost * platform.scan_cost * page / depth * offtopic_share
        self._read_toxic(feed, read)

    def _read_toxic(self, feed: Feed, read: float) -> None:
        """Toxic posts among those read cost, saturating over a few (Kraut & Resnick 2012)."""
        toxic_read = feed.toxic_share * read
        if toxic_read > 0:
            self.toxicity_today = self.model.rules.toxicity_cost * (1 - math.exp(-toxic_read / 3.0))
            self.cost_today += self.toxicity_today

    def _drift_topics(self, counts: list[int]) -> None:
        """Topic interest drifts toward the topics that supplied relevant content."""
        rate = self.model.rules.topic_drift
        supplied = [p * c for p, c in zip(self.pref, counts, strict=True)]
        top = max(supplied)
        if top > 0:
            self.pref = [
                (1 - rate) * p + rate * (0.02 + 0.98 * s / top)
                for p, s in zip(self.pref, supplied, strict=True)
            ]

    def post(self, day: int) -> list[Item]:
        """Start threads, more with intrinsic motivation, interest and the drive that replies
        received build (Joyce & Kraut 2006); all of today's threads go to one topic."""
        rate = self._thread_rate() * self._writing_scale()
        count = stochastic_round(rate, self.uniform("post"))
        if count == 0:
            return []
        topic = weighted_index(self.pref, self.uniform("post.topic"))
        toxic = self.toxic_chance > 0 and self.uniform("post.toxic") < self.toxic_chance
        chatter = self.chatter_chance > 0 and self.uniform("post.chatter") < self.chatter_chance
        self._record_posts(count, day)
        self.threads += count
        if self.first_post_day < 0:
            self.first_post_day = day
        quality = 0.5 + 0.5 * self.intrinsic
        return [
            Item(self, topic, quality, is_thread=True, toxic=toxic, chatter=chatter)
            for _ in range(count)
        ]

    def _record_posts(self, count: int, day: int) -> None:
        """Counters and recency shared by threads and replies; R-1's 'posted again' flag."""
        if 0 <= self.first_post_day < day and day - self.first_post_day <= 30:
            self.posted_again = True
        self.posts += count
        self.posts_today += count
        self.recent_posts += count
        self.last_post_day = day

    def _prompted(self) -> float:
        """Responding follows what was read and cared about: up to ~10 relevant items prompt it."""
        return min(self.relevant_read / 10.0, 1.0)

    def _thread_rate(self) -> float:
        return self.post_base * 2 * self.intrinsic * (0.3 + self.interest) * self.post_drive

    def _reply_rate(self) -> float:
        return self.reply_base * self._prompted() * 2 * self.intrinsic * math.sqrt(self.post_drive)

    def _writing_scale(self) -> float:
        """Finite time for writing (``Rules.writing_capacity``; 0: none): today's threads and
        replies, x in all, are scaled so that the member writes x / (1 + x / capacity)."""
        capacity = self.model.rules.writing_capacity
        if capacity <= 0:
            return 1.0
        return 1.0 / (1.0 + (self._thread_rate() + self._reply_rate()) / capacity)

    def replies_wanted(self) -> int:
        rate = self._reply_rate() * self._writing_scale()
        return stochastic_round(rate, self.uniform("reply"))

    def reactions_wanted(self) -> int:
        return stochastic_round(self.react_base * self._prompted(), self.uniform("react"))

    def reply(self, thread: Item, day: int) -> Item:
        """Answer a thread: the author hears of it, and the tie between the two grows."""
        author = thread.author
        thread.replies += 1
        author.replies_today += 1
        author.replies_received += 1
        author.unseen_replies += 1
        if author.first_post_day == day - 1:
            author.first_post_replied = True
        self.strengthen_tie(author)
        self._record_posts(1, day)
        self.replies += 1
        quality = 0.5 + 0.5 * self.intrinsic
        return Item(self, thread.topic, quality, is_thread=False, chatter=thread.chatter)

    def react(self, item: Item) -> None:
        self.reactions += 1
        item.author.reactions_today += 1
        item.author.reactions_received += 1

    def invite(self) -> int:
        """Invitations sent today: committed members invite more."""
        count = stochastic_round(self.invite_base * self.loyalty, self.uniform("invite"))
        self.invites += count
        return count

    def update_state(self) -> None:
        """Benefits minus costs move loyalty toward a logistic target (Ren & Kraut 2014), fast over
        the first visits; without a visit it wears away. Interest drifts toward the information
        found; replies received raise the drive to post (Joyce & Kraut 2006)."""
        r = self.model.rules
        tie_strength = sum(s for other, s in self.ties.items() if other.visiting)
        bond = 1 - math.exp(-(tie_strength + r.reply_bond * self.replies_today) / r.bond_scale)
        fun = 1 - math.exp(-self.reactions_today / r.fun_scale)
        benefit = (
            r.info_weight * self.info_need * self.info_today
            + r.bond_weight * bond
            + r.fun_weight * fun
        )
        target = logistic((benefit - self.cost_today - r.aspiration) / r.temperature)
        if self.visiting:
            rate = r.loyalty_rate * (1 + r.early_weight * math.exp(-0.1 * self.visits))
            self.loyalty += rate * (target - self.loyalty)
            self.interest += r.interest_rate * (self.info_today - self.interest)
            self.bond_ema += MEMORY * (bond - self.bond_ema)
        else:
            self.loyalty *= 1 - r.forget_rate
        self.loyalty = min(max(self.loyalty, 0.0), 1.0)
        self.bond_today = bond
        # the first replies a member ever receives count most (Joyce & Kraut 2006)
        received_before = self.replies_received - self.replies_today
        first_replies = 1 + r.first_reply_weight * math.exp(-received_before / 3.0)
        self.post_drive -= (self.post_drive - 1) * r.drive_decay
        self.post_drive += r.drive_gain * self.replies_today * first_replies
        if self.ignored_today:  # being ignored discourages members with few replies yet
            self.post_drive *= 1 - r.ignored_penalty * math.exp(-received_before / 3.0)
        self.post_drive += r.habit_gain * self.posts_today  # posting begets posting
        self.post_drive = min(self.post_drive, r.drive_max)
        self.recent_posts *= 1 - 1 / 30
        self.replies_today = self.reactions_today = self.ignored_today = self.posts_today = 0

    def strengthen_tie(self, other: OracleMember) -> None:
        gain = self.model.rules.tie_gain
        self.ties[other] = min(self.ties.get(other, 0.0) + gain, 1.0)
        other.ties[self] = min(other.ties.get(self, 0.0) + gain, 1.0)

    def decay_ties(self) -> None:
        """Ties weaken without contact; the weakest disappear (Ren, Kraut & Kiesler 2007), and so
        do all ties of a member who has left."""
        r = self.model.rules
        self.ties = {
            other: s * (1 - r.tie_decay)
            for other, s in self.ties.items()
            if self.alive and other.alive and s * (1 - r.tie_decay) >= r.tie_prune
        }

    def maybe_leave(self, day: int) -> bool:
        """Leave on a quit hazard that rises as loyalty falls under the threshold, or after too
        long without a visit; the reason is the largest recent deficit."""
        r = self.model.rules
        hazard = r.quit_rate * min(max((r.quit_threshold - self.loyalty) / r.quit_threshold, 0), 1)
        quits = self.uniform("leave") < hazard
        inactive = (
            day - self.last_active_day > r.inactivity_limit
            and day - self.join_day > r.inactivity_limit
        )
        if not (quits or inactive):
            return False
        self.alive = False
        self.leave_day = day
        self.leave_reason = self.reason()
        self.remove()
        return True

    def reason(self) -> LeaveReason:
        """Too little information or too much noise (bored), too much to read (overloaded), too few
        bonds for a member who sought contact by posting (no ties), or toxic posts read."""
        r = self.model.rules
        social = min(self.posts / 3.0, 1.0)
        noise = self.cost_ema - self.overload_ema
        deficits = {
            LeaveReason.BORED: r.info_weight * (0.6 - self.info_ema) + noise - self.toxicity_ema,
            LeaveReason.OVERLOADED: self.overload_ema if self.overload_ema > 0 else -math.inf,
            LeaveReason.NO_TIES: r.bond_weight * social * (0.6 - self.bond_ema),
            LeaveReason.TOXICITY: self.toxicity_ema if self.toxicity_ema > 0 else -math.inf,
        }
        return max(deficits, key=deficits.get)

    def __repr__(self) -> str:
        return (
            f"OracleMember(slot={self.slot}, alive={self.alive}, loyalty={self.loyalty:.2f}, "
            f"interest={self.interest:.2f}, posts={self.posts})"
        )


def _todays(model: OracleModel, name: str):
    return model.today[name]


class OracleModel(mesa.Model):
    """The community of ``CommunityModel`` without an operator, one ``OracleMember`` per member."""

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
        self.members: list[OracleMember] = []  # everyone who ever joined, by slot
        self._uniforms: dict[str, list[float]] = {}
        self._uniforms_day = -1
        self.join(members, founders=True)
        self.joined_from_market = 0
        self.pending_invites = 0
        self.feed = Feed([], self.rules.n_topics)
        self.today: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_todays, name=name) for name in ORACLE_SERIES}
        )

    @property
    def day(self) -> int:
        return self.steps

    def uniform(self, purpose: str, slot: int) -> float:
        """The uniform at ``slot`` of today's draws for ``purpose`` (``RandomStreams.uniform``)."""
        if self._uniforms_day != self.day:
            self._uniforms, self._uniforms_day = {}, self.day
        if purpose not in self._uniforms:
            draws = self.streams.uniform(purpose, self.day, len(self.members))
            self._uniforms[purpose] = draws.tolist()
        return self._uniforms[purpose][slot]

    def living(self) -> list[OracleMember]:
        """The members still in the community, in join order (Mesa keeps agents as added)."""
        return list(self.agents)

    def join(self, count: int, founders: bool = False) -> None:
        for _ in range(count):
            self.members.append(OracleMember(self, len(self.members), founders))

    # ---- the day ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One day, in the order of ``CommunityModel.step``."""
        day = self.day
        joins = self.arrive(day)
        visitors = [member for member in self.living() if member.visit(day)]
        for member in visitors:
            member.read(self.feed)
        threads = [item for member in visitors for item in member.post(day)]
        replies = self.reply(visitors, day)
        for thread in self.feed.threads().items:  # yesterday's threads close today
            if thread.replies == 0:
                thread.author.ignored_today += 1
        reactions = self.react(visitors, day)
        invites = sum(member.invite() for member in visitors)
        for member in self.living():
            member.update_state()
        for member in self.members:
            member.decay_ties()
        leaving = [member for member in self.living() if member.maybe_leave(day)]
        yesterday = self.feed
        self.feed = Feed(threads + replies, self.rules.n_topics)
        self.pending_invites = invites
        self._collect(
            day, joins, visitors, len(threads), len(replies), reactions, invites, leaving, yesterday
        )

    def arrive(self, day: int) -> int:
        """Bass arrivals from the remaining market, plus referral joins from yesterday's invites."""
        remaining = self.market_size - self.joined_from_market
        if remaining <= 0:
            return 0
        gen = self.streams.generator("arrivals", day)
        share = self.marketing_p + self.word_of_mouth_q * len(self.agents) / self.market_size
        joins = int(gen.binomial(remaining, min(share, 1.0)))
        referrals = int(gen.binomial(self.pending_invites, self.referral_conversion))
        joins = min(remaining, joins + referrals)
        self.joined_from_market += joins
        self.join(joins)
        return joins

    def _responses(self, visitors: list[OracleMember], targets: Feed, kind: str):
        """(member, target item) for each response visitors want to make; the targets take the day's
        ``<kind>.target`` draws in order, all topic draws first, then all item draws."""
        wanted = [
            (member, member.replies_wanted() if kind == "reply" else member.reactions_wanted())
            for member in visitors
        ]
        total = sum(count for _, count in wanted)
        if total == 0 or len(targets) == 0:
            return []
        u = self.streams.generator(kind + ".target", self.day).random((2, total), np.float32)
        u_topic, u_item = u[0].tolist(), u[1].tolist()
        pairs = []
        for member, count in wanted:
            for _ in range(count):
                item = targets.pick(member.pref, u_topic[len(pairs)], u_item[len(pairs)])
                pairs.append((member, item))
        if kind == "reply" and self.rules.platform.kind == "forum":
            pairs = self._seek_unanswered(pairs, targets, total)
        # nobody answers itself: such a draw is used up and dropped
        return [(m, item) for m, item in pairs if item is not None and item.author is not m]

    def _seek_unanswered(self, pairs, threads: Feed, total: int):
        """On a forum, a reply whose thread at least ``Rules.seek_crowd`` repliers picked (itself
        included) turns to a second thread drawn the same way, if no one picked that one
        (``sim.agents.Population._seek_unanswered``)."""
        u = self.streams.generator("reply.second", self.day).random((2, total), np.float32)
        u_topic, u_item = u[0].tolist(), u[1].tolist()
        picks: dict[int, int] = {}
        for member, item in pairs:
            if item is not None and item.author is not member:
                picks[id(item)] = picks.get(id(item), 0) + 1
        turned = []
        for i, (member, item) in enumerate(pairs):
            if (
                item is not None
                and item.author is not member
                and picks[id(item)] >= self.rules.seek_crowd
            ):
                second = threads.pick(member.pref, u_topic[i], u_item[i])
                if second is not None and second.author is not member and id(second) not in picks:
                    item = second
            turned.append((member, item))
        return turned

    def reply(self, visitors: list[OracleMember], day: int) -> list[Item]:
        """Visitors reply to yesterday's threads."""
        return [
            member.reply(thread, day)
            for member, thread in self._responses(visitors, self.feed.threads(), "reply")
        ]

    def react(self, visitors: list[OracleMember], day: int) -> int:
        """Visitors react to yesterday's threads and replies."""
        pairs = self._responses(visitors, self.feed, "react")
        for member, item in pairs:
            member.react(item)
        return len(pairs)

    def _collect(
        self, day, joins, visitors, threads, replies, reactions, invites, leaving, yesterday: Feed
    ) -> None:
        living = self.living()
        members = len(living)
        dau = len(visitors)
        # as in sim.world.metrics: weekly and monthly actives count departed members' recent visits too
        wau = sum(m.last_active_day >= day - 6 for m in self.members)
        mau = sum(m.last_active_day >= day - 29 for m in self.members)
        contributors = sum(m.last_post_day >= day - 29 for m in living)
        closed = yesterday.threads().items
        published = len(self.feed)
        row = {
            "members": members,
            "joins": joins,
            "leaves": len(leaving),
            **{
                f"leaves_{reason.label}": sum(m.leave_reason is reason for m in leaving)
                for reason in LeaveReason
                if reason is not LeaveReason.STAYING
            },
            "dau": dau,
            "wau": wau,
            "mau": mau,
            "stickiness": dau / mau if mau else 0.0,
            "threads": threads,
            "replies": replies,
            "reactions": reactions,
            "invites": invites,
            "interaction_rate": (replies + reactions) / published if published else 0.0,
            "unanswered_share": sum(t.replies == 0 for t in closed) / len(closed)
            if closed
            else 0.0,
            "active_contributor_share": contributors / members if members else 0.0,
            "mean_loyalty": sum(m.loyalty for m in living) / members if members else 0.0,
            "mean_interest": sum(m.interest for m in living) / members if members else 0.0,
            "mean_info_benefit": sum(m.info_today for m in visitors) / dau if dau else 0.0,
            "mean_bond_benefit": sum(m.bond_today for m in visitors) / dau if dau else 0.0,
            "ties": sum(len(m.ties) for m in self.members) // 2,
            **{role: 0 for role in ROLES},
        }
        for member in living:  # roles from posts in about the last 30 days (sim.world.metrics)
            role = sum(member.recent_posts >= bound for bound in ROLE_BOUNDS)
            row[ROLES[role]] += 1
        self.today = row
        self.datacollector.collect(self)

    # ---- outputs ---------------------------------------------------------------------------------
    def run(self, days: int) -> None:
        for _ in range(days):
            self.step()

    def series(self) -> pd.DataFrame:
        """The daily series, one row per day (the columns of ``CommunityModel.series`` that do not
        need an operator, less the inequality measures)."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "day", np.arange(1, len(frame) + 1))
        return frame
