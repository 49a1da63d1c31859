"""Activity KPIs from an activity log's events: the statistics a calibration compares.

An activity log is one row per thing a member did (``sim.calibration.log`` reads and writes the files).
``ActivityStats`` takes its events in column chunks, in any order, and keeps only what the KPIs need:
a dense code per member, each member's join day, the set of (member, day) pairs with an action,
posts per member, each thread's author and day and the (thread, responder) pairs of replies. Its
memory grows with members, active member-days, threads and replies, never with the raw rows, so a
log of tens of millions of rows is summarised in one streaming pass. The same class summarises a
simulated run (``ActivityObserver`` feeds it the model's events), so observed and simulated KPIs
come from one piece of code and share every definition:

* everything is measured under an ``Observation`` (which action types the log shows, what a join
  is, the founder window), applied alike to logs and simulated runs: unobserved actions are
  dropped as they arrive; with ``first_contribution`` joins a member's join day is their first
  post or reply and members who never contribute do not exist;
* day 0 is the log's first calendar day (of an observed action); a simulated run given its
  length (``finish(days=...)``) spans ``days`` days from its first row of any action, kept or not
  (day 0, when its founders join), whatever it did after, so a run whose community falls silent
  early is measured over the log's whole span, never over its own active days only (measured
  over those, a run writing 48 contributions in 931 days of conlang.meta counted as 1.5 a week
  instead of 0.36);
* members who join before ``founder_days`` (default 1: on day 0), or who act without any join row,
  are the starting community (the model's founders); later ones are newcomers. With
  ``founders_known`` (a log cut from a longer history, e.g. ``commsim import git --since``, whose
  importer leaves out the join row of every member active before the cut) a member is a founder
  when they have no join row or one before ``founder_days``, *whatever the day of their first
  contribution*: a maintainer whose first commit in the window comes late is still a founder. A
  simulated run is measured alike: the model's founders have join rows on day 0, so they are
  founders however late they first contribute;
* *daily actives* (DAU): members with at least one observed action other than joining that day;
* community metrics (``sim.calibration.metrics``): time to first response, new / returning /
  inactive contributors per 28-day period, the contributor absence factor;
* *retention(d)*: share of the newcomers who joined at least ``d`` days before the log's last day
  with an action in the 7 days ending ``d`` days after joining (actions before joining do not
  exist), as ``sim.world.metrics`` defines it for the model; weekly cohorts as ``cohort_table``;
* *posts*: threads (``post``) and replies (``reply``); per member over every member in the log
  (lurkers count with zero), with the Gini and the share written by the top 1%
  (``sim.world.metrics.inequality``);
* *own-reply share* (``own_reply_share``): the share of replies, to threads whose author the log
  shows, written by that author (needs the ``thread`` column);
* *first-post reply share*: among newcomers whose first thread is more than 30 days before the
  log's last day, the share whose threads started on that day got at least one reply from another
  member (needs the ``thread`` column), as ``sim.world.metrics.reply_effect`` counts it;
* *contributions by hour* (``contributions_by_hour``: 24 counts of threads and replies by hour of
  day, UTC), when the events carry an hour: a log's rows with a time of day (a row at exactly
  midnight carries a date only and has none, as ``sim.calibration.hours`` decides), a simulated
  run's rows with active hours on (each action at its member's visit hour). Absent when no
  contribution has an hour (a log of dates, or a run of the day-only model). The hour profile's
  posterior predictive check compares them (``sim.calibration.hours.hour_check``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibration.metrics import community_metrics
from sim.world.metrics import REPORTED_AGES, inequality, retention_by_cohort

ACTIONS = ("join", "visit", "post", "reply", "react")
JOIN, VISIT, POST, REPLY, REACT = range(len(ACTIONS))
NO_THREAD = -1
DAY_BITS = 24  # (member, day) pairs are packed into one int64: member code << DAY_BITS | day
MAX_DAY = (1 << DAY_BITS) - 1
COMPACT_EVERY = 1_000_000  # pending (member, day) pairs deduplicated when this many accumulate
# posts-per-member distribution: (label, lowest, highest) posts
POST_BINS = (("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-19", 5, 19), ("20-99", 20, 99),
             ("100+", 100, None))  # fmt: skip
DAILY_COLUMNS = ("joins", "dau", "threads", "replies", "reactions")
HOURS = 24
NO_HOUR = -1  # an event without a time of day
JOIN_RULES = ("registration", "first_contribution")


@dataclass(frozen=True)
class Observation:
    """How a log saw its community, applied alike to the log and to every simulated run.

    ``observed``: the action types the log can record (others are dropped on both sides, so a log
    without visits or reactions is compared on contributions only); ``join``: ``registration``
    (a ``join`` row) or ``first_contribution`` (a member exists from their first post or reply, as
    in git, Stack Exchange answers or chat logs: join rows are ignored and members who never
    contribute are not in the log); ``founder_days``: members who join before this day are the
    starting community (founders), later ones newcomers; ``founders_known``: the log tells its
    founders apart (members without a join row, or with one before ``founder_days``, are founders
    even if they first contribute later: see the module docstring); ``reason``: why, for the
    report. Assumption (ours, not from a source): what a log cannot see is simply absent, never imputed."""

    observed: tuple[str, ...] = ACTIONS
    join: str = "registration"
    founder_days: int = 1
    reason: str = "the log holds every action type"
    founders_known: bool = False

    def __post_init__(self):
        unknown = sorted(set(self.observed) - set(ACTIONS))
        if unknown:
            raise ValueError(f"observed actions {unknown}: expected some of {', '.join(ACTIONS)}")
        if self.join not in JOIN_RULES:
            raise ValueError(f"join {self.join!r}: expected one of {', '.join(JOIN_RULES)}")
        if self.founder_days < 1:
            raise ValueError(f"founder_days {self.founder_days}: expected 1 or more")

    @property
    def codes(self) -> np.ndarray:
        kept = set(self.observed) - ({"join"} if self.join == "first_contribution" else set())
        return np.array([ACTIONS.index(a) for a in ACTIONS if a in kept], np.int8)

    @property
    def contributions_only(self) -> bool:
        return "visit" not in self.observed and "react" not in self.observed

    def describe(self) -> str:
        seen = ", ".join(a for a in ACTIONS if a in self.observed)
        joins = (
            "a member joins with their first post or reply (join rows ignored; members who never "
            "contribute are invisible)"
            if self.join == "first_contribution"
            else "a member joins with their join row"
        )
        known = (
            " (or without a join row, however late their first contribution)"
            if self.founders_known
            else ""
        )
        return (
            f"observed actions: {seen}; {joins}; founders: members joining before day "
            f"{self.founder_days}{known}; why: {self.reason}"
        )


class _Interner:
    """Dense codes 0, 1, 2, ... for 64-bit keys, in order of first appearance."""

    def __init__(self):
        self.index = pd.Index(np.empty(0, np.uint64))

    def __len__(self) -> int:
        return len(self.index)

    def codes(self, keys: np.ndarray) -> np.ndarray:
        labels, uniques = pd.factorize(np.asarray(keys, np.uint64))
        found = self.index.get_indexer(uniques)
        new = found < 0
        if new.any():
            found[new] = np.arange(len(self.index), len(self.index) + int(new.sum()))
            self.index = self.index.append(pd.Index(uniques[new]))
        return found[labels].astype(np.int64)


def _grown(array: np.ndarray, size: int, fill) -> np.ndarray:
    if array.size >= size:
        return array
    bigger = np.full(max(size, array.size + array.size // 2), fill, array.dtype)
    bigger[: array.size] = array
    return bigger


@dataclass
class Observed:
    """The KPIs of an activity log (observed or simulated).

    ``daily``: one row per day 0..last with joins, dau, threads, replies, reactions;
    ``scalars``: retention_1/7/30/90 (and retention_<age>_eligible, the newcomers each is a
    share of), posts_gini, top1_post_share, founders_post_share, founders_posts and founders_days
    (a log's only: each founder's contributions and days with one, most contributions first),
    first_post_reply_share, posts_share_<bin> (the posts-per-member distribution), members,
    founders, newcomers, first_posts and last_day; ``cohorts``: retention per weekly join cohort."""

    daily: pd.DataFrame
    scalars: dict
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def days(self) -> int:
        return int(self.scalars["last_day"])

    def weekly(self) -> pd.DataFrame:
        """Complete weeks from day 1: joins, threads + replies (posts) and reactions summed, DAU
        averaged; indexed by week (0 = days 1-7)."""
        frame = self.daily[self.daily["day"] >= 1].copy()
        weeks = (frame["day"] - 1) // 7
        frame["posts"] = frame["threads"] + frame["replies"]
        grouped = frame.groupby(weeks)
        table = grouped[["joins", "posts", "reactions"]].sum()
        table["dau"] = grouped["dau"].mean()
        complete = grouped.size() == 7
        return table[complete]

    def posts_distribution(self) -> pd.Series:
        return pd.Series(
            {label: self.scalars[f"posts_share_{label}"] for label, _, _ in POST_BINS},
            name="share of members",
        )


class ActivityStats:
    """Summarises activity-log events given in chunks (``add``) into ``Observed`` KPIs (``finish``).

    ``member`` and ``thread`` are 64-bit keys (ids, or hashes of ids), ``day`` whole days on any
    fixed origin (they are shifted so that the first day is 0), ``action`` codes of ``ACTIONS``.

    >>> stats = ActivityStats()
    >>> stats.add(np.array([1, 2, 2]), np.array([0, 1, 2]), np.array([JOIN, JOIN, VISIT]))
    >>> stats.finish().scalars["retention_1"]
    1.0
    """

    def __init__(self, observation: Observation | None = None):
        self.observation = observation or Observation()
        self._kept = self.observation.codes
        self.members = _Interner()
        self.threads = _Interner()
        self.rows = 0
        self._joins: list[np.ndarray] = []  # packed (member, day) of join rows
        self._active: list[np.ndarray] = []  # packed (member, day) of other actions
        self._pending = 0
        self._counts: dict[int, int] = {}  # day * len(ACTIONS) + action -> rows
        self._posts = np.zeros(0, np.int64)  # per member code
        self._thread_author = np.zeros(0, np.int64)
        self._thread_day = np.zeros(0, np.int64)
        self._replies: list[np.ndarray] = []  # (thread code, responder code, day) rows
        self._first_post = np.zeros(0, np.int64)  # per member code: first post/reply day
        self._contrib: list[np.ndarray] = []  # packed (member, day) of posts and replies
        # (packed member-day, contributions) per chunk: the busiest member-day (busiest_day)
        self._contrib_counts: list[tuple[np.ndarray, np.ndarray]] = []
        # founders_known with joins not kept: (member key, day) of every join row, to tell
        # founders (no join row, or an early one) from newcomers
        self._track_joins = self.observation.founders_known and JOIN not in self._kept
        self._join_rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._first_day: int | None = None
        self._hours = np.zeros(HOURS, np.int64)  # contributions by hour of day (``hour`` given)

    def add(self, member, day, action, thread=None, hour=None) -> None:
        """One chunk of events (equal-length arrays; ``thread`` may be None, or hold ``NO_THREAD``
        where a row has none; ``hour`` may be None, or hold each row's hour of day 0..23 and
        ``NO_HOUR`` where a row has none)."""
        day = np.asarray(day, np.int64)
        action = np.asarray(action, np.int8)
        if day.size == 0:
            return
        if day.min() < 0 or day.max() > MAX_DAY:
            raise ValueError(f"days must lie in 0..{MAX_DAY}")
        self.rows += day.size
        low = int(day.min())  # of any row, kept or not: a run's day 0 holds its founders' joins
        self._first_day = low if self._first_day is None else min(self._first_day, low)
        if self._track_joins:
            joining = action == JOIN
            if joining.any():
                keys = np.asarray(member)[joining].astype(np.uint64)
                self._join_rows.append((keys, day[joining]))
        if self._kept.size < len(ACTIONS):
            keep = np.isin(action, self._kept)
            member, day, action = np.asarray(member)[keep], day[keep], action[keep]
            thread = None if thread is None else np.asarray(thread)[keep]
            hour = None if hour is None else np.asarray(hour)[keep]
            if day.size == 0:
                return
        code = self.members.codes(member)
        packed = (code << DAY_BITS) | day
        joins = action == JOIN
        self._joins.append(packed[joins])
        active = pd.unique(packed[~joins])
        self._active.append(active)
        self._pending += active.size
        if self._pending > COMPACT_EVERY:
            self._active = [pd.unique(np.concatenate(self._active))]
            self._pending = self._active[0].size
        first = int(day.min())
        counts = np.bincount((day - first) * len(ACTIONS) + action, minlength=len(ACTIONS))
        for key in np.flatnonzero(counts).tolist():
            index = first * len(ACTIONS) + key
            self._counts[index] = self._counts.get(index, 0) + int(counts[key])
        posting = (action == POST) | (action == REPLY)
        self._posts = _grown(self._posts, len(self.members), 0)
        self._posts[: len(self.members)] += np.bincount(code[posting], minlength=len(self.members))
        self._first_post = _grown(self._first_post, len(self.members), MAX_DAY + 1)
        np.minimum.at(self._first_post, code[posting], day[posting])
        self._contrib.append(pd.unique(packed[posting]))
        if posting.any():
            self._contrib_counts.append(np.unique(packed[posting], return_counts=True))
        if hour is not None:
            timed = np.asarray(hour, np.int64)[posting]
            timed = timed[(timed >= 0) & (timed < HOURS)]
            self._hours += np.bincount(timed, minlength=HOURS)
        if thread is not None:
            self._add_threads(np.asarray(thread, np.int64), code, day, action)

    def _add_threads(self, thread, code, day, action) -> None:
        has = thread != NO_THREAD
        started = has & (action == POST)
        replied = has & (action == REPLY)
        if not (started.any() or replied.any()):
            return
        ids = self.threads.codes(thread[started | replied].view(np.uint64))
        size = len(self.threads)
        self._thread_author = _grown(self._thread_author, size, -1)
        self._thread_day = _grown(self._thread_day, size, -1)
        position = np.full(thread.size, -1, np.int64)
        position[started | replied] = ids
        t, author = position[started], code[started]
        first = self._thread_author[t] < 0  # a thread id posted twice keeps its first author
        self._thread_author[t[first]] = author[first]
        self._thread_day[t[first]] = day[started][first]
        self._replies.append(np.stack([position[replied], code[replied], day[replied]], axis=1))

    @property
    def origin(self) -> int | None:
        """A log's day 0 on the days' own scale (epoch days for a read log): the first day of a
        row the observation keeps, as ``finish`` counts it; None before any such row."""
        return min(self._counts) // len(ACTIONS) if self._counts else None

    def finish(self, days: int | None = None) -> Observed:
        """The KPIs. A log with no row the observation keeps raises ``ValueError``, unless
        ``days`` is given: a simulated run of ``days`` days in which nobody did anything the log
        could see (e.g. no member contributed) is an empty community over those days (ours: a
        run is measured, never dropped, so an empty run counts as far from the log). With
        ``days`` the span is always ``days`` days from the first row (module docstring)."""
        n = len(self.members)
        joins = np.concatenate([np.empty(0, np.int64), *self._joins])
        active = pd.unique(np.concatenate([np.empty(0, np.int64), *self._active]))
        all_days = np.array([k // len(ACTIONS) for k in self._counts], np.int64)
        if all_days.size == 0 and days is None:
            raise ValueError("the log has no rows")
        if days is not None:  # a simulated run: from its first row (day 0) for ``days`` days
            origin = self._first_day if self._first_day is not None else 0
            last = int(days)
        else:
            origin, last = int(all_days.min()), int(all_days.max() - all_days.min())
        join_day = np.full(n, -1, np.int64)  # -1: no join row (there from the start)
        if joins.size:
            member, day = joins >> DAY_BITS, (joins & MAX_DAY) - origin
            order = np.lexsort((day, member))[::-1]  # the earliest join of each member wins
            join_day[member[order]] = day[order]
        first_post = self._first_post[:n] - origin  # > last: never contributed
        if self.observation.join == "first_contribution":
            join_day = np.where(first_post <= last, first_post, -1)
        founder_days = self.observation.founder_days
        if self.observation.founders_known:
            join_day = np.where(self._known_founders(n, origin), -1, join_day)
        newcomer = join_day >= founder_days
        act_day = (active & MAX_DAY) - origin
        daily = self._daily(origin, last, act_day)
        if self.observation.join == "first_contribution":
            daily["joins"] = np.bincount(join_day[join_day >= 0], minlength=last + 1)
        contrib = pd.unique(np.concatenate([np.empty(0, np.int64), *self._contrib]))
        metrics = community_metrics(
            contrib >> DAY_BITS,
            (contrib & MAX_DAY) - origin,
            self._posts[:n],
            *self._thread_replies(origin),
            last,
        )
        # a log's founders: each one's days with a contribution (Rules.founder_visits)
        contrib_days = np.bincount(contrib >> DAY_BITS, minlength=n)[:n] if days is None else None
        del contrib
        for column, values in metrics.pop("daily").items():
            daily[column] = values
        # retention needs only newcomers' first 90 days: keep just those member-days
        act_member = active >> DAY_BITS
        del active
        since = act_day - join_day[act_member]
        early = (
            (join_day[act_member] >= founder_days) & (since >= 0) & (since <= max(REPORTED_AGES))
        )
        act_member, act_day = act_member[early], act_day[early]
        del since, early
        scalars = {
            "members": n,
            "founders": int((~newcomer).sum()),
            "newcomers": int(newcomer.sum()),
            "last_day": last,
            **self._retention(join_day, newcomer, act_member, act_day, last),
            **self._inequality(n),
            "founders_post_share": self._founders_share(newcomer),
            **self._first_post_replies(join_day, origin, last),
            "own_reply_share": self._own_reply_share(),
            **metrics,
            "busiest_member_day": self._busiest_member_day(),
        }
        if self._hours.any():
            scalars["contributions_by_hour"] = [int(v) for v in self._hours]
        if days is None:  # a log: each founder's contributions and days with one, most first
            posts = self._posts[:n][~newcomer]
            order = np.argsort(-posts, kind="stable")
            scalars["founders_posts"] = [int(v) for v in posts[order]]
            scalars["founders_days"] = [int(v) for v in contrib_days[~newcomer][order]]
        cohorts = self._cohorts(join_day, newcomer, act_member, act_day, last)
        return Observed(daily, scalars, cohorts)

    def _busiest_member_day(self) -> int:
        """The most contributions (threads + replies) one member made on one day: what the log
        shows of a member's time for writing (``Rules.writing_capacity``); 0 without any."""
        if not self._contrib_counts:
            return 0
        keys = np.concatenate([k for k, _ in self._contrib_counts])
        counts = np.concatenate([c for _, c in self._contrib_counts])
        _, where = np.unique(keys, return_inverse=True)
        return int(np.bincount(where, weights=counts).max())

    def _known_founders(self, n: int, origin: int) -> np.ndarray:
        """Per member code (``founders_known``): no join row, or one before ``founder_days``."""
        if not self._track_joins:  # join rows kept: they set the join day already
            return np.zeros(n, bool)
        joined = np.zeros(n, bool)
        early = np.zeros(n, bool)
        for keys, day in self._join_rows:
            code = self.members.index.get_indexer(keys)
            seen = code >= 0  # join rows of members who never contributed are not members
            joined[code[seen]] = True
            early[code[seen & (day - origin < self.observation.founder_days)]] = True
        return ~joined | early

    def _daily(self, origin: int, last: int, act_day: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame({"day": np.arange(last + 1)})
        counts = np.zeros((last + 1, len(ACTIONS)), np.int64)
        for key, count in self._counts.items():
            counts[key // len(ACTIONS) - origin, key % len(ACTIONS)] = count
        frame["joins"] = counts[:, JOIN]
        frame["dau"] = np.bincount(act_day, minlength=last + 1)
        frame["threads"] = counts[:, POST]
        frame["replies"] = counts[:, REPLY]
        frame["reactions"] = counts[:, REACT]
        return frame

    def _thread_replies(self, origin: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(each thread's author and day, and per reply: thread, responder, day) from day 0."""
        size = len(self.threads)
        pairs = np.concatenate([np.empty((0, 3), np.int64), *self._replies])
        author, day = self._thread_author[:size], self._thread_day[:size] - origin
        return author, day, pairs[:, 0], pairs[:, 1], pairs[:, 2] - origin

    def _retained(self, join_day, act_member, act_day, age: int) -> np.ndarray:
        """Per member: an action in the 7 days ending ``age`` days after joining."""
        since = act_day - join_day[act_member]
        newcomer = join_day[act_member] >= self.observation.founder_days
        hit = (since >= max(0, age - 6)) & (since <= age) & newcomer
        retained = np.zeros(join_day.size, bool)
        retained[act_member[hit]] = True
        return retained

    def _retention(self, join_day, newcomer, act_member, act_day, last) -> dict:
        out = {}
        for age in REPORTED_AGES:
            eligible = newcomer & (last - join_day >= age)
            retained = self._retained(join_day, act_member, act_day, age)
            out[f"retention_{age}"] = float(retained[eligible].mean()) if eligible.any() else None
            out[f"retention_{age}_eligible"] = int(eligible.sum())
        return out

    def _cohorts(self, join_day, newcomer, act_member, act_day, last, cohort_days=7):
        retained = {
            age: self._retained(join_day, act_member, act_day, age)[newcomer]
            for age in REPORTED_AGES
        }
        return retention_by_cohort(join_day[newcomer], retained, last, cohort_days)

    def _inequality(self, n: int) -> dict:
        posts = self._posts[:n]
        gini, top1 = inequality(posts)
        out = {"posts_gini": gini, "top1_post_share": top1}
        for label, low, high in POST_BINS:
            inside = (posts >= low) & (
                posts <= (high if high is not None else posts.max(initial=0))
            )
            out[f"posts_share_{label}"] = float(inside.mean()) if n else 0.0
        return out

    def _founders_share(self, newcomer: np.ndarray) -> float | None:
        """The founders' share of the contributions (``Rules.founder_activity``: in every real
        export of issue 15 the starting members write far more than their number); None when
        nobody contributed."""
        posts = self._posts[: newcomer.size]
        total = int(posts.sum())
        return float(posts[~newcomer].sum() / total) if total else None

    def _own_reply_share(self) -> float | None:
        """The share of replies (to threads whose author the log shows) written by the thread's
        own author: askers answering those who answered, a pull request's author's further
        commits (``Rules.followup``); None without such replies."""
        size = len(self.threads)
        pairs = np.concatenate([np.empty((0, 3), np.int64), *self._replies])
        author = self._thread_author[:size][pairs[:, 0]]
        known = author >= 0
        if not known.any():
            return None
        return float((pairs[known, 1] == author[known]).mean())

    def _first_post_replies(self, join_day, origin: int, last: int) -> dict:
        size = len(self.threads)
        author, day = self._thread_author[:size], self._thread_day[:size] - origin
        known = author >= 0
        if not known.any():
            return {"first_posts": 0, "first_post_reply_share": None}
        first_day = np.full(join_day.size, np.iinfo(np.int64).max)
        np.minimum.at(first_day, author[known], day[known])
        first_thread = known & (day == first_day[np.maximum(author, 0)])
        pairs = np.concatenate([np.empty((0, 3), np.int64), *self._replies])
        thread, responder = pairs[:, 0], pairs[:, 1]
        by_other = first_thread[thread] & (responder != author[thread])
        replied = np.zeros(join_day.size, bool)
        replied[author[thread[by_other]]] = True
        eligible = (join_day >= self.observation.founder_days) & (first_day < last - 30)
        return {
            "first_posts": int(eligible.sum()),
            "first_post_reply_share": float(replied[eligible].mean()) if eligible.any() else None,
        }
