"""The operator's levers, one class per lever; a ``Strategy`` bundles them.

Each lever is a pydantic model: its fields are the lever's settings as a planner writes them in the
scenario's ``strategy`` section (validated where they enter, with the field path in every message),
and its ``act`` method is what the operator does with it on a day, through the ``Operator``'s
capacity (``sim.levers.operator``). Levers change the members' world only through the population's
"today" channels (feed items, visit boosts, identity and recognition benefit, removal and loss
costs, behaviour multipliers), never by setting outcomes directly: the effects have to emerge.

Sources, by lever (Kraut & Resnick 2012, *Building Successful Online Communities*, maps each lever):

* content: Ren & Kraut 2014 (topical breadth, volume; information benefit vs reading cost);
* events: Ren, Kraut & Kiesler 2007 (common identity and bonds from group activities);
* incentives: Anderson et al. 2013 (badges steer behaviour before thresholds), Hoernle et al. 2022
  (a minority steers), Deci, Koestner & Ryan 1999 (tangible rewards crowd out intrinsic motivation,
  positive feedback raises it), Hamari 2017 (badges raise activity);
* moderation: Ren & Kraut 2014 (community-level vs personalized moderation);
* onboarding: Joyce & Kraut 2006 (replies to first posts), Morgan & Halfaker 2018 (Teahouse);
* recruitment: Bass 1969 (marketing pull), referral programmes;
* win-back: Wikimedia "Necromancy" 2012, Wash & Lampe 2012 (reminder spikes that habituate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from sim.levers.incentives import prepare_boosts

if TYPE_CHECKING:
    from sim.levers.operator import Operator
    from sim.model import CommunityModel

Probability = Annotated[float, Field(ge=0, le=1)]
Hours = Annotated[float, Field(ge=0, le=10_000)]
Money = Annotated[float, Field(ge=0, le=1e9)]
Day = Annotated[int, Field(ge=1, le=100_000)]


class Config(BaseModel):
    """Strict settings: hand-written YAML is checked, never coerced (see ``sim.config.schema``)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _priority(default: int):
    return Field(
        default,
        ge=1,
        le=10,
        description="1 = done first; when hours or money run out, higher numbers are skipped first",
    )


class Lever(Config):
    """A lever: settings plus what the operator does with them each day."""

    priority: int = _priority(5)

    def act(self, operator: Operator, model: CommunityModel, day: int) -> None:  # pragma: no cover
        raise NotImplementedError


# ---- content -------------------------------------------------------------------------------------
class Format(Config):
    """A content format: how engaging an item is and what it costs to make."""

    share: float = Field(ge=0, le=1000, description="relative share of the operator's posts")
    engagement: float = Field(
        1.0,
        ge=0.1,
        le=10,
        description="how much more an item of this format is read, answered "
        "and reacted to than a text post",
    )
    hours: Hours = Field(0.5, description="staff hours to make one item")
    money: Money = Field(0.0, description="money to make one item")


DEFAULT_FORMATS = {
    "text": Format(share=1.0, engagement=1.0, hours=0.5, money=0.0),
    "image": Format(share=0.0, engagement=1.3, hours=0.75, money=0.0),
    "video": Format(share=0.0, engagement=1.8, hours=3.0, money=50.0),
    "live": Format(share=0.0, engagement=2.5, hours=4.0, money=100.0),
}


class Content(Lever):
    """Operator posts: volume, quality, topic mix and breadth, formats."""

    priority: int = _priority(3)
    posts_per_day: float = Field(5.0, ge=0, le=10_000, description="operator posts per day")
    quality: Probability = Field(0.8, description="mean quality of operator posts")
    topic_mix: list[Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=list,
        max_length=64,
        description="relative share of posts per topic; empty: follow the topics' popularity",
    )
    breadth: int | None = Field(
        None,
        ge=1,
        le=64,
        description="cover only this many topics (the most weighted); empty: all topics in the mix",
    )
    formats: dict[str, Format] = Field(
        default_factory=lambda: dict(DEFAULT_FORMATS),
        description="formats by name, each with share, engagement, hours and money per item",
    )
    _topic_weights: np.ndarray | None = PrivateAttr(None)
    _format_weights: np.ndarray | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _some_format(self) -> Content:
        if self.formats and sum(f.share for f in self.formats.values()) <= 0:
            raise ValueError("at least one format needs a share above 0")
        return self

    def topic_weights(self, n_topics: int, popularity: np.ndarray) -> np.ndarray:
        if self._topic_weights is None:
            base = np.asarray(self.topic_mix, float) if self.topic_mix else popularity.copy()
            if base.size != n_topics:
                base = np.resize(base, n_topics)
            if self.breadth is not None and self.breadth < n_topics:
                keep = np.argsort(-base, kind="stable")[: self.breadth]
                narrowed = np.zeros_like(base)
                narrowed[keep] = base[keep]
                base = narrowed
            self._topic_weights = (
                base / base.sum() if base.sum() > 0 else np.full(n_topics, 1 / n_topics)
            )
        return self._topic_weights

    def format_weights(self) -> np.ndarray:
        if self._format_weights is None:
            shares = np.array([f.share for f in self.formats.values()], float)
            self._format_weights = shares / shares.sum()
        return self._format_weights

    def shift(
        self, topic_target: np.ndarray | None, format_target: np.ndarray | None, step: float
    ) -> None:
        """Move the topic and format mix a step toward targets (the adaptive lever uses this)."""
        if topic_target is not None and self._topic_weights is not None:
            mixed = (1 - step) * self._topic_weights + step * topic_target
            self._topic_weights = mixed / mixed.sum()
        if format_target is not None and self._format_weights is not None:
            mixed = (1 - step) * self._format_weights + step * format_target
            self._format_weights = mixed / mixed.sum()

    def act(self, operator, model, day):
        gen = model.streams.generator("operator.content", day)
        wanted = int(gen.poisson(self.posts_per_day)) if self.posts_per_day else 0
        if wanted == 0 or not self.formats:
            return
        topics = model.rules.n_topics
        weights = self.topic_weights(topics, model.rules.popularity())
        names = list(self.formats)
        fmt = gen.choice(len(names), size=wanted, p=self.format_weights())
        topic = gen.choice(topics, size=wanted, p=weights)
        made = np.zeros(wanted, bool)
        for i, name in enumerate(names):  # a handful of formats, not members
            idx = np.flatnonzero(fmt == i)
            spec = self.formats[name]
            n_ok = operator.afford(idx.size, spec.hours, spec.money, "content")
            made[idx[:n_ok]] = True
        engagement = np.array([self.formats[n].engagement for n in names])[fmt[made]]
        model.publish_operator_items(topic[made], self.quality, engagement, fmt[made])
        operator.count("operator_posts", int(made.sum()))


# ---- events --------------------------------------------------------------------------------------
# how strongly each kind of event draws members, builds identity and prompts posting
EVENT_EFFECTS = {
    "qa": {"draw": 1.0, "identity": 0.6, "posting": 0.5},
    "sharing": {"draw": 0.8, "identity": 0.8, "posting": 0.3},
    "contest": {"draw": 0.9, "identity": 0.5, "posting": 1.5},
    "lottery": {"draw": 1.3, "identity": 0.2, "posting": 0.1},
}


class Event(Config):
    """One entry of the events calendar: a one-off (``day``) or recurring (``every``) event."""

    kind: Literal["qa", "sharing", "contest", "lottery"] = Field(
        description="qa (draws members, builds identity, prompts some posts), sharing (the most "
        "identity), contest (the most posting), lottery (draws the most, builds little identity)"
    )
    day: Day | None = Field(None, description="the day of a one-off event")
    every: int | None = Field(None, ge=1, le=10_000, description="repeat every this many days")
    start: Day = Field(1, description="first day of a recurring event")
    until: Day | None = Field(None, description="last day of a recurring event (empty: no end)")
    promotion_days: int = Field(
        3, ge=0, le=365, description="days of promotion before the event; raises attendance"
    )
    capacity: int = Field(200, ge=1, le=10_000_000, description="most attendees")
    hours: Hours = Field(4.0, description="staff hours to run the event")
    money: Money = Field(0.0, description="money to run it (prizes for contests and lotteries)")

    @model_validator(mode="after")
    def _scheduled(self) -> Event:
        if (self.day is None) == (self.every is None):
            raise ValueError("an event needs exactly one of 'day' (one-off) or 'every' (recurring)")
        if self.day is not None and (self.start != 1 or self.until is not None):
            raise ValueError(
                "'start' and 'until' belong to recurring events ('every'), not to "
                "a one-off event ('day')"
            )
        if self.until is not None and self.until < self.start:
            raise ValueError("until must not be before start")
        return self

    def happens_on(self, day: int) -> bool:
        if self.day is not None:
            return day == self.day
        return (
            day >= self.start
            and (self.until is None or day <= self.until)
            and ((day - self.start) % self.every == 0)
        )

    def promoted_on(self, day: int) -> bool:
        """Promotion runs in the ``promotion_days`` before the next occurrence."""
        return any(self.happens_on(day + ahead) for ahead in range(1, self.promotion_days + 1))


class Events(Lever):
    """A calendar of events: attendance builds identity and ties (Ren, Kraut & Kiesler 2007)."""

    priority: int = _priority(4)
    calendar: list[Event] = Field(
        default_factory=list, max_length=1000, description="the events, one-off or recurring"
    )
    attendance: Probability = Field(
        0.3,
        description="chance a fully committed member who hears of a well-promoted event attends",
    )

    def act(self, operator, model, day):
        for index, event in enumerate(self.calendar):  # the calendar, not the members
            if event.promoted_on(day):
                model.population.visit_pull[: model.population.n] += np.float32(0.02)
            if event.happens_on(day) and operator.afford(1, event.hours, event.money, "events"):
                effects = EVENT_EFFECTS[event.kind]
                promotion = 0.3 + 0.7 * (1 - np.exp(-event.promotion_days / 3.0))
                attended = model.hold_event(
                    index,
                    day,
                    self.attendance * effects["draw"] * promotion,
                    event.capacity,
                    effects["identity"],
                    effects["posting"],
                )
                operator.count("events_held", 1)
                operator.count("event_attendance", attended)


# ---- incentives ----------------------------------------------------------------------------------
class Badge(Config):
    """A badge awarded once a member has done ``threshold`` of an action since the scheme began."""

    action: Literal["post", "reply", "checkin"] = Field(description="the counted action")
    threshold: int = Field(ge=1, le=1_000_000, description="count of the action that earns it")


class Incentives(Lever):
    """Points, badges, ranks, a leaderboard and redeemable rewards, between start and stop dates."""

    priority: int = _priority(2)
    start: Day = Field(1, description="first day the scheme runs")
    stop: Day | None = Field(None, description="last day it runs (empty: never stops)")
    points: dict[
        Literal["post", "reply", "checkin", "invite"], Annotated[float, Field(ge=0, le=1e6)]
    ] = Field(
        default_factory=lambda: {"post": 10.0, "reply": 5.0, "checkin": 1.0, "invite": 20.0},
        description="points per action: post, reply, checkin, invite",
    )
    badges: list[Badge] = Field(
        default_factory=list, max_length=16, description="badges for reaching a count of an action"
    )
    ranks: list[Annotated[float, Field(gt=0, le=1e9)]] = Field(
        default_factory=list, max_length=50, description="point thresholds of successive ranks"
    )
    leaderboard: int = Field(
        0,
        ge=0,
        le=100_000,
        description="members shown on the leaderboard (top by points in the last 30 days); 0: none",
    )
    tangible: bool = Field(
        False,
        description="points redeem for rewards with money value "
        "(true) or are recognition only (false)",
    )
    redeem_at: float = Field(500.0, gt=0, le=1e9, description="points a member redeems at once")
    money_per_point: Money = Field(0.01, description="money a redeemed point costs the operator")
    hours_per_day: Hours = Field(0.5, description="staff hours to run the scheme each day")

    @model_validator(mode="after")
    def _dates(self) -> Incentives:
        if self.stop is not None and self.stop < self.start:
            raise ValueError("stop must not be before start")
        if any(b <= a for a, b in zip(self.ranks, self.ranks[1:], strict=False)):
            raise ValueError("ranks must be strictly increasing point thresholds")
        return self

    def running(self, day: int) -> bool:
        return day >= self.start and (self.stop is None or day <= self.stop)

    def act(self, operator, model, day):
        if self.running(day) and operator.afford(1, self.hours_per_day, 0.0, "incentives"):
            model.incentives_today = self
            prepare_boosts(model.population, self)
        else:
            model.incentives_today = None
        if self.stop is not None and day == self.stop + 1:
            model.population.withdraw_rewards(self.tangible)


# ---- moderation ----------------------------------------------------------------------------------
class Moderation(Lever):
    """None, community-level deletion, or a personalized feed filter (Ren & Kraut 2014)."""

    priority: int = _priority(1)
    mode: Literal["none", "community", "personalized"] = Field(
        "community", description="none, community or personalized"
    )
    on_topic: list[Annotated[int, Field(ge=0, le=63)]] = Field(
        default_factory=list,
        max_length=64,
        description="topic indices the community is about: community mode also deletes posts on "
        "other topics; empty: every topic is on-topic (only chatter is off-topic)",
    )
    recall: Probability = Field(
        0.8, description="share of off-topic chatter and toxic posts caught"
    )
    false_positive_rate: Probability = Field(
        0.02, description="share of legitimate posts wrongly removed"
    )
    precision: Probability = Field(
        0.6, description="personalized mode: share of a member's off-topic items the filter hides"
    )
    rules_shown: bool = Field(
        True, description="newcomers see the rules, which halves their toxic posting"
    )
    hours_per_100_posts: Hours = Field(1.0, description="staff hours to review 100 posts")

    def on_topic_mask(self, n_topics: int) -> np.ndarray:
        if not self.on_topic:
            return np.ones(n_topics, bool)
        mask = np.zeros(n_topics, bool)
        mask[[t for t in self.on_topic if t < n_topics]] = True
        return mask

    def act(self, operator, model, day):
        pop = model.population
        pop.rules_shown = self.rules_shown and self.mode != "none"
        pop.feed_filter = 0.0
        if self.mode == "none":
            return
        reviewed = len(model.feed)
        if not operator.afford(1, self.hours_per_100_posts * reviewed / 100, 0.0, "moderation"):
            return
        if self.mode == "personalized":
            pop.feed_filter = self.precision
            operator.count("posts_removed_toxic", model.remove_items(self._toxic(model, day)))
            return
        gen = model.streams.generator("operator.moderation", day)
        feed = model.feed
        off_topic = feed.offtopic | ~self.on_topic_mask(model.rules.n_topics)[feed.topic]
        bad = (off_topic | feed.toxic) & (feed.author >= 0)
        caught = bad & (gen.random(len(feed)) < self.recall)
        wrongly = ~bad & (feed.author >= 0) & (gen.random(len(feed)) < self.false_positive_rate)
        operator.count("posts_removed_true", int(caught.sum()))
        operator.count("posts_removed_false", int(wrongly.sum()))
        model.remove_items(caught | wrongly)

    def _toxic(self, model, day):
        gen = model.streams.generator("operator.moderation", day)
        feed = model.feed
        return feed.toxic & (gen.random(len(feed)) < self.recall)


# ---- onboarding ----------------------------------------------------------------------------------
class Onboarding(Lever):
    """Welcome newcomers, introduce them to active members, and reply to their first posts within
    a day (Joyce & Kraut 2006; Morgan & Halfaker 2018, the Teahouse)."""

    priority: int = _priority(2)
    welcome: bool = Field(True, description="send each newcomer a welcome message")
    welcome_hours: Hours = Field(0.05, description="staff hours per welcome message")
    introductions: int = Field(
        2,
        ge=0,
        le=50,
        description="active members each welcomed newcomer is introduced to "
        "(a first tie each, as a Teahouse host would make)",
    )
    reply_to_first_posts: bool = Field(True, description="reply to every newcomer's first thread")
    reply_hours: Hours = Field(0.2, description="staff hours per reply")

    def act(self, operator, model, day):
        pop = model.population
        if self.welcome:
            newcomers = np.flatnonzero(pop.view("join_day") == day)
            n_ok = operator.afford(newcomers.size, self.welcome_hours, 0.0, "onboarding")
            pop.receive_operator_attention(newcomers[:n_ok])
            model.introduce(newcomers[:n_ok], self.introductions, day)
            operator.count("welcomes_sent", n_ok)
        if self.reply_to_first_posts:
            threads = model.feed.threads()
            first = (threads.author >= 0) & (
                pop.first_post_day[np.maximum(threads.author, 0)] == day - 1
            )
            authors = np.unique(threads.author[first])
            n_ok = operator.afford(authors.size, self.reply_hours, 0.0, "onboarding")
            model.operator_replies(authors[:n_ok])
            operator.count("first_post_replies", n_ok)


# ---- recruitment ---------------------------------------------------------------------------------
class Campaign(Config):
    """A paid recruitment campaign between two days."""

    start: Day = Field(description="first day of the paid campaign")
    end: Day = Field(description="last day")
    extra_p: Probability = Field(0.002, description="extra daily marketing pull (added to Bass p)")
    cost_per_join: Money = Field(5.0, description="money per member the campaign brings")

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Recruitment(Lever):
    """Paid campaigns (extra marketing pull, cost per join) and referral rewards."""

    priority: int = _priority(6)
    campaigns: list[Campaign] = Field(
        default_factory=list, max_length=100, description="paid campaigns"
    )
    referral_reward: Money = Field(0.0, description="money paid per referral join; raises invites")
    invite_boost: float = Field(
        2.0, ge=1, le=100, description="invitation multiplier while referral rewards are paid"
    )

    def act(self, operator, model, day):
        model.campaign_p = 0.0
        model.campaign_cost_per_join = 0.0
        for campaign in self.campaigns:
            if campaign.start <= day <= campaign.end:
                model.campaign_p += campaign.extra_p
                model.campaign_cost_per_join = max(
                    model.campaign_cost_per_join, campaign.cost_per_join
                )
        referral = self.referral_reward > 0 and operator.money_left >= self.referral_reward
        model.population.invite_boost = self.invite_boost if referral else 1.0
        model.referral_reward = self.referral_reward if referral else 0.0


# ---- win-back ------------------------------------------------------------------------------------
class WinBack(Lever):
    """Messages to members at risk; a short spike of returns that habituates (Necromancy 2012)."""

    priority: int = _priority(7)
    inactive_days: int = Field(
        14, ge=1, le=3650, description="days without a visit that make a member at risk"
    )
    cadence: int = Field(14, ge=1, le=3650, description="days between messages to one member")
    max_messages: int = Field(3, ge=1, le=1000, description="messages per member at most")
    response: Probability = Field(
        0.08, description="chance a first message brings a member back within two days"
    )
    habituation: Probability = Field(
        0.5, description="each repeat message works this much as well as the one before"
    )
    hours_per_100: Hours = Field(0.5, description="staff hours per 100 messages")
    money_per_message: Money = Field(0.0, description="money per message")

    def act(self, operator, model, day):
        pop = model.population
        targets = pop.at_risk(day, self.inactive_days, self.cadence, self.max_messages)
        n_ok = operator.afford(
            targets.size, self.hours_per_100 / 100, self.money_per_message, "winback"
        )
        sent = targets[:n_ok]
        pop.send_winback(sent, day, self.response, self.habituation, self.inactive_days)
        operator.count("winback_sent", int(sent.size))


# ---- adaptive ------------------------------------------------------------------------------------
class Adaptive(Lever):
    """Make more of what earns interaction: shift the content mix toward the topics and formats
    whose operator posts got the most replies and reactions per post in a recent window."""

    priority: int = _priority(8)
    window: int = Field(14, ge=1, le=365, description="days of interaction looked at")
    step: Probability = Field(
        0.2, description="share of the way the mix moves toward the best performers each time"
    )
    every: int = Field(7, ge=1, le=365, description="days between adjustments")

    def act(self, operator, model, day):
        content = model.strategy.content if model.strategy else None
        if content is None or day % self.every or day <= self.window:
            return
        topic_target, format_target = model.interaction_leaders(self.window, len(content.formats))
        content.shift(topic_target, format_target, self.step)
        operator.count("adaptive_shifts", 1)


class Strategy(Config):
    """The levers an operator runs; absent levers are not used."""

    hours_per_day: Hours = Field(8.0, description="staff hours available each day")
    budget: Money = Field(10_000.0, description="money available over the whole run")
    hourly_rate: Money = Field(
        0.0,
        description="price of one staff hour: total cost = money spent + hours used x this",
        json_schema_extra={"unit": "money per staff hour"},
    )
    content: Content | None = None
    events: Events | None = None
    incentives: Incentives | None = None
    moderation: Moderation | None = None
    onboarding: Onboarding | None = None
    recruitment: Recruitment | None = None
    winback: WinBack | None = None
    adaptive: Adaptive | None = None

    def levers(self) -> list[Lever]:
        """The levers in use, most important first (ties keep the order of this class)."""
        present = [getattr(self, name) for name in LEVER_NAMES if getattr(self, name) is not None]
        return sorted(present, key=lambda lever: lever.priority)


LEVER_NAMES = (
    "moderation",
    "incentives",
    "onboarding",
    "content",
    "events",
    "recruitment",
    "winback",
    "adaptive",
)
