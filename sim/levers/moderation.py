"""Moderation: none, community-level deletion of off-topic and toxic posts, or a personalized
filter of each member's feed, reviewed as moderators really review.

Ren & Kraut 2014 ("Agent-based modeling to inform online community design") compare community-level
moderation, which deletes posts for everyone, with personalized moderation, which hides off-topic
posts from each reader; Kraut & Resnick 2012 (ch. 4) on regulating behaviour. Showing newcomers the
rules halves their toxic posting.

**What is reviewed.** Moderators do not read every post: they work a queue of items members have
flagged, and proactively scan what their hours leave room for (Seering, Kraut & Dabbish 2017,
"Shaping pro and anti-social behavior on Twitch through moderation and example-setting"; Seering,
Wang, Yoon & Kaufman 2019, "Moderator engagement and community development in the age of
algorithms", New Media & Society: most removals answer member reports; Discourse and Reddit send
member flags to a review queue). Here:

* each member who reads a bad item (off-topic chatter, off the community's topics, or toxic) flags
  it with chance ``flag_rate``, and a legitimate one with chance ``false_flag_rate``; an item's
  readers are the members active yesterday who care for its topic (``2 x`` the topic's popularity,
  about two favourite topics each; an assumption) and reach it within a visit's reading (about
  100 items, the casual reader's budget; an assumption);
* community mode reviews the flagged items first, then, as far as the staff hours left allow,
  proactively reviews unflagged items (``proactive``: none, threads, or all items);
* personalized mode filters each reader's feed automatically (``precision``) and reviews only the
  flagged items, removing the toxic ones it confirms;
* a review catches a bad item with chance ``recall`` and wrongly removes a legitimate one with chance
  ``false_positive_rate``: false positives are a share of the *reviewed* legitimate items;
* each review costs ``minutes_per_item`` of staff time; when the day's hours run out, review stops
  (flagged items left over are the backlog, reported as skipped).

Removed items go through ``World.remove``; their authors feel it (``sim.agents``).

**Aimed** (``audience``): moderators flag-review and proactively review only the items written by
members of the audience (say, newcomers' posts: pre-moderation of newcomers); other members'
items are neither reviewed nor removed. The personalized filter of each reader's feed is
automatic and stays on for everyone.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Probability, setting

READ_REACH = 100.0  # items a visit reads (the casual reader's budget): an item's reach per reader
INTEREST_SPREAD = 2.0  # favourite topics per member, about: share interested in t = 2 x popularity


@register
class Moderation(Lever):
    """None, community-level deletion of flagged and reviewed posts, or a personalized feed
    filter (Ren & Kraut 2014; Seering et al. 2019)."""

    key = "moderation"
    role = "moderation"  # the team role whose hours it draws on
    aims = True  # an audience narrows whose items are reviewed and removed
    label = "Moderation"
    series = (
        Series("items_flagged", "items members flagged for review"),
        Series("items_reviewed", "items moderators reviewed (flagged and proactive)"),
        Series("posts_removed_true", "off-topic or toxic posts removed after review"),
        Series("posts_removed_false", "legitimate posts removed by mistake after review"),
        Series("posts_removed_toxic", "toxic posts removed (personalized mode)"),
        Series("moderation_hours", "staff hours spent reviewing"),
    )
    controls = (
        Control("mode", "mode"),
        Control("recall", "share of bad posts caught on review", 0.0, 1.0, 0.05),
        Control("false_positive_rate", "share of reviewed good posts removed", 0.0, 0.3, 0.01),
        Control("proactive", "proactive review"),
        Control("minutes_per_item", "minutes per item reviewed", 0.1, 10.0, 0.1),
    )
    # outcome: mean loyalty, not leaves for toxicity: at this level of toxicity no member's
    # largest deficit is toxicity, so those leaves are zero in every arm (a degenerate outcome)
    signs = (
        ExpectedSign(
            "moderation",
            {"moderation": {}},
            "mean_loyalty",
            1,
            "Kraut & Resnick 2012 ch. 4: regulating behaviour limits damage",
        ),
    )
    max_effort: ClassVar[dict] = {"mode": "personalized"}

    priority: int = priority(1)
    mode: Literal["none", "community", "personalized"] = Field(
        "community", description="none, community or personalized"
    )
    on_topic: list[Annotated[int, Field(ge=0, le=63)]] = setting(
        default_factory=list,
        max_length=64,
        unit="topic indices (0 = first)",
        description="topic indices the community is about: community mode also deletes posts on "
        "other topics; empty: every topic is on-topic (only chatter is off-topic)",
    )
    recall: Probability = Field(
        0.8, description="share of reviewed off-topic chatter and toxic posts removed"
    )
    false_positive_rate: Probability = Field(
        0.02, description="share of reviewed legitimate posts wrongly removed"
    )
    precision: Probability = Field(
        0.6, description="personalized mode: share of a member's off-topic items the filter hides"
    )
    rules_shown: bool = Field(
        True, description="newcomers see the rules, which halves their toxic posting"
    )
    flag_rate: Probability = setting(
        0.05,
        unit="probability per reader",
        description="chance a member who reads an off-topic or toxic item flags it",
    )
    false_flag_rate: Probability = setting(
        0.0005,
        unit="probability per reader",
        description="chance a member who reads a legitimate item flags it",
    )
    proactive: Literal["none", "threads", "all"] = Field(
        "threads",
        description="community mode: after the flagged items, review unflagged ones as hours "
        "allow: none, new threads only, or all items (Ren & Kraut's moderator reads all)",
    )
    minutes_per_item: float = setting(
        0.6,
        ge=0,
        le=600,
        unit="staff minutes per item reviewed",
        description="staff time to review one item",
    )

    def on_topic_mask(self, n_topics: int) -> np.ndarray:
        if not self.on_topic:
            return np.ones(n_topics, bool)
        mask = np.zeros(n_topics, bool)
        mask[[t for t in self.on_topic if t < n_topics]] = True
        return mask

    def act(self, operator, world, day):
        pop = world.members
        pop.today.rules_shown = self.rules_shown and self.mode != "none"
        if self.mode == "none":
            return
        feed = world.feed
        if self.mode == "personalized":
            pop.today.feed_filter = self.precision
        if len(feed) == 0:
            return
        gen = world.random("operator.moderation")
        members = feed.author >= 0
        aimed = self.aimed_mask(world)
        if aimed is not None:  # only the audience's items are reviewed
            members &= aimed[np.maximum(feed.author, 0)]
        if self.mode == "personalized":  # the filter hides off-topic items; staff remove toxicity
            bad = feed.toxic & members
        else:
            off_topic = feed.offtopic | ~self.on_topic_mask(world.n_topics)[feed.topic]
            bad = (off_topic | feed.toxic) & members
        readers = expected_readers(feed, world.popularity(), world.n_recently_active())
        flagged = flags(bad, readers, self.flag_rate, self.false_flag_rate, gen) & members
        operator.count("items_flagged", int(flagged.sum()))
        order = review_order(flagged, feed.is_thread & members, members, self.mode, self.proactive)
        hours_each = self.minutes_per_item / 60.0
        n_flagged = int(flagged.sum())
        # the flagged queue is work asked for (a backlog if hours run short); proactive review
        # takes only what the hours left allow
        done = operator.afford(n_flagged, hours_each, 0.0, "moderation")
        extra = order.size - n_flagged
        if extra > 0 and done == n_flagged:
            room = (
                int((operator.hours_for("moderation") + 1e-9) // hours_each)
                if hours_each > 0
                else extra
            )
            done += operator.afford(min(extra, max(room, 0)), hours_each, 0.0, "moderation")
        reviewed = np.zeros(len(feed), bool)
        reviewed[order[:done]] = True
        operator.count("items_reviewed", done)
        operator.count("moderation_hours", done * hours_each)
        u = gen.random(len(feed))
        caught = reviewed & bad & (u < self.recall)
        wrongly = reviewed & ~bad & members & (u < self.false_positive_rate)
        if self.mode == "personalized":
            operator.count("posts_removed_toxic", int(caught.sum()))
        operator.count("posts_removed_true", int(caught.sum()))
        operator.count("posts_removed_false", int(wrongly.sum()))
        world.remove(caught | wrongly)


def expected_readers(feed, popularity: np.ndarray, active: int) -> np.ndarray:
    """Per item, the members expected to read it: yesterday's active members who care for its
    topic (``INTEREST_SPREAD`` x popularity) and reach it within a visit (``READ_REACH`` items of
    the feed). An assumption stated in the module docstring."""
    interested = np.minimum(INTEREST_SPREAD * popularity, 1.0)[feed.topic]
    reach = min(1.0, READ_REACH / max(len(feed), 1))
    return active * interested * reach


def flags(
    bad: np.ndarray, readers: np.ndarray, flag_rate: float, false_rate: float, gen
) -> np.ndarray:
    """Whether each item is flagged by at least one of its readers: bad items with ``flag_rate``
    per reader, legitimate ones with ``false_rate``."""
    rate = np.where(bad, flag_rate, false_rate)
    chance = 1 - (1 - rate) ** readers
    return gen.random(bad.size) < chance


def review_order(
    flagged: np.ndarray, threads: np.ndarray, members: np.ndarray, mode: str, proactive: str
) -> np.ndarray:
    """The items in the order moderators review them: flagged first, then (community mode) the
    unflagged ones proactive review covers."""
    queue = [np.flatnonzero(flagged)]
    if mode == "community" and proactive != "none":
        scope = threads if proactive == "threads" else members
        queue.append(np.flatnonzero(scope & ~flagged))
    return np.concatenate(queue)
