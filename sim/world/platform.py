"""The platform: how members see and choose the day's items, and what volume costs them.

A member's attention is limited (Weng, Flammini, Vespignani & Menczer 2012, "Competition among memes
in a world with limited attention", Scientific Reports 2:335): on each visit it reads at most its
``read_budget`` items, and which items it reads depends on what the platform shows it first.

* ``stream`` -- Ren & Kraut's (2014) setting, an unfiltered Usenet-like stream: a member reads up to
  its budget of the whole stream in arrival order, and having more to read than time allows costs
  (a saturating overload cost). Kept as it was, so the RK targets (sim.validation.targets) stay
  reachable with ``platform: {kind: stream}``.
* ``forum`` -- Discourse, Reddit, Stack Exchange: a member scans thread titles up to a page depth,
  the best first (``sort: ranked``, Lerman & Hogg 2010 "Using a model of social dynamics to predict
  popularity of news", WWW: the front page shows the most promoted) or the newest first (``sort:
  recent``), and opens the relevant ones it sees, best first, until its attention is spent
  (Backstrom, Kleinberg, Lee & Danescu-Niculescu-Mizil 2013, "Characterizing and curating
  conversation threads", WSDM: readers choose threads by their title and standing). What sinks below
  the page depth is never seen (Hodas & Lerman 2012, "How visibility and divided attention constrain
  social contagion", SocialCom), so unread volume costs only the scanning of titles, bounded by the
  page depth.
* ``feed`` -- a ranked feed: the platform orders each member's items by predicted relevance (then
  quality), so the page holds the member's most relevant items; unread volume again costs only the
  scanning of a page.
* ``chat_group`` -- WeChat, Telegram, Discord: every message reaches every member in arrival order
  and notifies it; a member reads up to its budget in that order, and every unread message keeps
  costing (a notification cost linear in the unread volume, **not** saturating). Members first mute
  a noisy group -- a muted member pays no notification cost, but visits less and reads less -- and
  leave later (Qiu, Li, Tang, Lu & Jia 2016, "The lifecycle and cascade of WeChat social messaging
  groups", WWW: group activity and membership decay as messages pile up; muting is WeChat's
  built-in first response).

Information benefit is quality-weighted: the items a member reads carry their own quality, and the
platform decides whether the read items are the best ones (ranked forum, feed), the best of a
random sample (recent forum) or a random sample (chat, stream). ``sim.world.kernels.quality_rows``
gives, for each reader, the interest-weighted summed quality of the best ``share`` of each topic's
items, from the day's per-topic sorted prefix sums (``quality_tables``): a closed form, no
per-member top-k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.world.parameters import parameter, probability

KINDS = ("chat_group", "forum", "feed", "stream")


@dataclass(frozen=True)
class Platform:
    """The platform's kind and the settings that kind needs (the scenario's ``platform`` section).

    Each field is declared once here; settings a kind does not use are ignored by it."""

    kind: Literal["chat_group", "forum", "feed", "stream"] = parameter(
        "forum",
        "how members see items: chat_group (every message to everyone, in arrival order), forum "
        "(titles scanned to a page depth), feed (ranked by predicted relevance), stream (Ren & "
        "Kraut's unfiltered stream)",
    )
    sort: Literal["ranked", "recent"] = parameter(
        "ranked", "forum: order of the thread list, best first (ranked) or newest first (recent)"
    )
    page_depth: int = parameter(
        60,
        "forum and feed: titles a member scans per visit (about two or three pages)",
        ge=1,
        le=100_000,
        unit="items per visit",
    )
    scan_cost: float = probability(
        0.3,
        "forum and feed: cost of scanning a full page of titles of no interest, as a share of "
        "the cost of reading a budget's worth of off-topic items (behaviour.offtopic_cost)",
    )
    notify_cost: float = parameter(
        0.1,
        "chat_group: cost of unread messages per read budget's worth of them (linear: it does not "
        "saturate)",
        ge=0,
        le=10,
    )
    mute_after: float = parameter(
        100.0,
        "chat_group: unread messages in a visit above which an unmuted member may mute the group",
        ge=0,
        le=1_000_000,
        unit="messages",
    )
    mute_rate: float = probability(
        0.2, "chat_group: chance per such visit that the member mutes", unit="probability per visit"
    )
    muted_visit: float = probability(
        0.6, "chat_group: a muted member's visit probability, as a share of its unmuted one"
    )
    muted_read: float = probability(
        0.5, "chat_group: a muted member's reading budget, as a share of its unmuted one"
    )


def quality_tables(topic: np.ndarray, quality: np.ndarray, weight: np.ndarray, n_topics: int):
    """The day's per-topic prefix sums for ``kernels.quality_rows``: of ``weight`` (the items'
    appeal, 0 for uninformative ones) and of ``weight * quality``, each topic's items taken best
    quality first; returns float32 ``(base_w, base_wq, cum_w, cum_wq)``, ``base_*`` the sums before
    each topic's first item, and whether every weight is 1 (``cum_w`` then counts items). A
    reader's share ``s`` of topic ``t`` read best first then has summed quality ``cum_wq`` at the
    point where ``cum_w`` reaches ``base_w[t] + s * appeal of t``."""
    keep = weight > 0  # items of no weight (chatter) take no place in the sums
    topic, quality, weight = topic[keep], quality[keep], weight[keep]
    order = best_first(topic, quality)
    w = weight[order].astype(np.float32)
    cum_w = np.concatenate([[0], np.cumsum(w, dtype=np.float32)]).astype(np.float32)
    cum_wq = np.concatenate([[0], np.cumsum(w * quality[order], dtype=np.float32)])
    cum_wq = cum_wq.astype(np.float32)
    start = np.concatenate([[0], np.cumsum(np.bincount(topic, minlength=n_topics))])[:-1]
    # all of weight 1 (plain items): cum_w counts items, and the kernel finds a position directly
    uniform = bool((w == 1).all())
    return cum_w[start], cum_wq[start], cum_w, cum_wq, uniform


# best_first packs (topic, quality, index) into one int64 key: bits 57.. the topic, 27..56 the
# complement of the quality's float32 bits, 0..26 the index
_INDEX_BITS, _QUALITY_BITS, _TOPIC_LIMIT = 27, 30, 64
_ONE_BITS = np.float32(1).view(np.int32)  # the bits of 1.0: every quality in 0..1 is at most this


def best_first(topic: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """The items in order of topic, best quality (clipped to 0..1) first within a topic, ties in
    index order: ``np.argsort(topic - clip(quality, 0, 1) * 0.5, kind="stable")`` (the float64 key
    is exact and ranks the same), computed as one sort of distinct int64 keys, where the order is
    the same whether or not the sort is stable and the sort is several times faster. The bits of a
    float32 in 0..1 rise with its value (-0.0 is made 0.0 first, as it ranks equal to it); inputs
    the key cannot hold (not float32, NaN, a topic outside 0..63, 2**27 items or more) take the
    float key."""
    clipped = np.clip(quality, 0, 1)
    if (
        quality.dtype != np.float32
        or topic.size >= 1 << _INDEX_BITS
        or np.isnan(clipped).any()
        or (topic.size and (topic.min() < 0 or topic.max() >= _TOPIC_LIMIT))
    ):
        return np.argsort(topic - clipped.astype(np.float64) * 0.5, kind="stable")
    bits = (clipped + np.float32(0)).view(np.int32).astype(np.int64)  # -0.0 + 0.0 is 0.0
    key = (topic.astype(np.int64) << (_INDEX_BITS + _QUALITY_BITS)) | (
        (_ONE_BITS - bits) << _INDEX_BITS
    )
    key |= np.arange(topic.size, dtype=np.int64)
    return np.sort(key) & ((1 << _INDEX_BITS) - 1)
