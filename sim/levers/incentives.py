"""Incentives: points, badges, ranks, a leaderboard and redeemable rewards, between two dates;
how members respond to the scheme, and how it pays out.

* **Pull by value**: while a scheme runs, the rate of each rewarded action rises with what the
  reward is worth to the member: its exchange value (points x money per point, when points redeem
  for money) plus the status a visible point carries (``Rules.status_per_point``, an assumption),
  through a saturating value function ``v / (v + Rules.reward_half_value)`` (concave in the reward,
  as prospect theory's value function: Kahneman & Tversky 1979), times the member's extrinsic
  sensitivity (drawn at join, heterogeneous; Deci, Koestner & Ryan 1999 separate the intrinsic and
  extrinsic pull). Points worth nothing pull little; doubling a large reward adds less than
  doubling a small one.
* **Steering toward badges** (Anderson, Huttenlocher, Kleinberg & Leskovec 2013, "Steering user
  behavior with badges"): members close to a badge threshold do more of the badged action and less
  of its neighbour; once the badge is earned the pull is gone. The pull grows with the square of
  extrinsic sensitivity (full from ``steer_threshold`` up), so only a minority steers enough to be
  detectable one by one (Hoernle et al. 2022).
* **Steering toward ranks and levels** (Anderson et al. 2013 model levels as badges on the points
  count): members close to the next rank's point threshold do more of every rewarded action, in
  proportion to what the rank means (``rank_values``, through the same value function, relative to
  a badge worth ``LEVEL_REFERENCE``); a rank worth nothing does not steer.
* **Crowding out** (Deci, Koestner & Ryan 1999: expected, tangible, contingent rewards undermine
  intrinsic motivation, d about -0.34; verbal rewards and recognition raise it, d about +0.33;
  Gneezy & Rustichini 2000, "Pay enough or don't pay at all": a small payment lowers effort below
  no payment): while members earn money, intrinsic motivation wears down at ``crowd_out_rate``
  times ``crowd_floor + (1 - crowd_floor) x S(money earned)`` (``Rules.crowd_floor``): any payment
  reframes the activity as paid work, a larger one more; recognition (badges, ranks, leaderboard
  places, points without money) raises it a little instead. Small payments thus crowd out nearly
  as much as large ones while they pull far less, so a small tangible reward can lower activity
  (Gneezy & Rustichini).
* **Check-in streaks** (``streaks``, off unless it has a reward): a member's streak counts the
  consecutive days it checked in (visited) while the scheme ran; reaching a reward length pays
  bonus points and, if set, a badge (recognition). Members on a streak are pulled to keep it, more
  the closer the next reward: the visit rate rises by ``Rules.streak_pull`` times the share of the
  way from the last reward to the next that today's check-in would cover (the goal gradient:
  Kivetz, Urminsky & Zheng 2006, "The goal-gradient hypothesis resurrected": café customers bought
  coffee more often, and web raters visited more often, the closer they were to a reward; effort
  follows the proportion of the distance to the goal already covered; just after a reward,
  activity drops, "post-reward resetting"), times what that reward is worth through the value
  function above and times extrinsic sensitivity, as for every other reward. A streak of
  ``STREAK_MIN`` days or more that breaks (a day without a check-in) costs the member
  ``Rules.streak_break_cost`` times its extrinsic sensitivity, whatever its length, felt on its
  next visits and fading like the loss of withdrawn rewards (Silverman & Barasch 2023, "On or off
  track: how (broken) streaks affect consumer decisions", J. Consumer Research 49(6): intact logged
  streaks raise subsequent engagement relative to broken ones, because keeping a logged streak
  becomes a goal in itself; in their earlier working paper the effect did not depend on the
  streak's length and diminished with time since the break). Streak rewards are points: tangible
  ones crowd out as the other points do, recognition-only ones (and badges) do not.
* **Payout**: points per action, badges, ranks, a leaderboard and, for tangible schemes, redemption
  at ``redeem_at`` points for money; the points liability is what was issued and not yet redeemed.
* Sources for badges as a whole: Hamari 2017 ("Do badges increase user activity? A field experiment
  on the effects of gamification", Computers in Human Behavior 71): badges raised activity.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from sim.agents import Population, Rules
from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Config, Day, Hours, Money, setting


class Badge(Config):
    """A badge awarded once a member has done ``threshold`` of an action since the scheme began."""

    action: Literal["post", "reply", "checkin"] = Field(description="the counted action")
    threshold: int = setting(
        ge=1, le=1_000_000, unit="actions", description="count of the action that earns it"
    )


class StreakReward(Config):
    """What a member gets on the day its check-in streak reaches ``length`` days."""

    length: int = setting(
        ge=2, le=365, unit="days", description="streak length (consecutive check-in days) rewarded"
    )
    points: float = setting(
        0.0, ge=0, le=1e6, unit="points", description="bonus points paid at this length"
    )
    badge: bool = Field(
        False, description="a streak badge at this length too (recognition, worth as a badge)"
    )


class Streaks(Config):
    """Check-in streaks: rewards at streak lengths; off while ``rewards`` is empty."""

    rewards: list[StreakReward] = Field(
        default_factory=list,
        max_length=16,
        description="rewards at streak lengths, strictly increasing lengths; empty: no streaks",
    )
    cycle: bool = Field(
        True,
        description="after the longest reward length the streak's rewards start over (a weekly "
        "check-in cycle); false: a streak past it earns nothing more",
    )

    @model_validator(mode="after")
    def _lengths(self) -> Streaks:
        lengths = [reward.length for reward in self.rewards]
        if any(b <= a for a, b in pairwise(lengths)):
            raise ValueError(f"rewards: lengths must be strictly increasing, got {lengths}")
        return self

    @property
    def on(self) -> bool:
        return bool(self.rewards)


@register
class Incentives(Lever):
    """Points, badges, ranks, a leaderboard and redeemable rewards, between start and stop dates
    (Anderson et al. 2013; Hoernle et al. 2022; Deci, Koestner & Ryan 1999; Hamari 2017)."""

    key = "incentives"
    role = "community"  # the team role whose hours it draws on
    # an audience is who the scheme is for: only they earn points, badges, ranks, streaks and
    # money, and only their visits, posts and replies are pulled by it (as on day 1 of a scheme)
    aims = True
    label = "Incentives: points, badges, ranks"
    series = (
        Series("points_issued", "points members earned"),
        Series("points_redeemed", "points redeemed for money"),
        Series(
            "points_liability", "points issued and not yet redeemed, held by members still here"
        ),
        Series("badges_awarded", "badges awarded"),
        Series("checkins", "daily check-ins: members who visited while the scheme ran"),
        Series(
            "members_on_streak",
            "members who checked in today on a streak of 3 days or more (streaks on)",
        ),
        Series("streaks_broken", "check-in streaks of 3 days or more broken today"),
        Series("streak_rewards", "streak rewards paid (a reward length reached)"),
    )
    controls = (
        Control("start", "start day", 1, 365),
        Control("stop", "stop day", "start", 730, empty=730),
        Control("points.post", "points per post", 0, 50, empty=0),
        Control("points.reply", "points per reply", 0, 50, empty=0),
        Control("points.checkin", "points per daily check-in", 0, 10, empty=0),
        Control("points.invite", "points per invitation", 0, 100, empty=0),
        Control(
            "badges",
            "badges",
            each=(
                Control("action", "for"),
                Control("threshold", "at (actions)", 1, 200),
            ),
            new={"action": "post", "threshold": 10},
        ),
        Control("ranks", "rank thresholds (points)"),
        Control("leaderboard", "leaderboard places (0: none)", 0, 100),
        Control("tangible", "points redeem for money (tangible)"),
        Control("rank_values", "what each rank is worth (money-equivalent)"),
        Control("redeem_at", "points redeemed at once", 50, 5000, 50),
        Control("money_per_point", "money per redeemed point", 0.0, 0.1, 0.005),
        Control(
            "streaks.rewards",
            "streak rewards",
            each=(
                Control("length", "at streak (days)", 2, 60),
                Control("points", "bonus points", 0, 200, 5),
                Control("badge", "with a streak badge"),
            ),
            new={"length": 7, "points": 20},
        ),
        Control("streaks.cycle", "streak rewards start over after the longest"),
        Control("hours_per_day", "staff hours per day to run it", 0.0, 8.0, 0.5),
    )
    signs = (
        ExpectedSign(
            "incentives",
            {"incentives": {}},
            "posts_per_day",
            1,
            "Hamari 2017: points and badges raise activity",
        ),
    )
    pays_later = True  # redeemed rewards
    max_effort: ClassVar[dict] = {
        "badges": [{"action": "post", "threshold": 5}, {"action": "reply", "threshold": 20}],
        "ranks": [100.0, 1000.0, 5000.0],
        "leaderboard": 50,
    }

    priority: int = priority(2)
    start: Day = setting(1, unit="day of the run", description="first day the scheme runs")
    stop: Day | None = setting(
        None, unit="day of the run", description="last day it runs (empty: never stops)"
    )
    points: dict[
        Literal["post", "reply", "checkin", "invite"], Annotated[float, Field(ge=0, le=1e6)]
    ] = setting(
        default_factory=lambda: {"post": 10.0, "reply": 5.0, "checkin": 1.0, "invite": 20.0},
        unit="points per action",
        description="points per action: post, reply, checkin, invite",
    )
    badges: list[Badge] = Field(
        default_factory=list, max_length=16, description="badges for reaching a count of an action"
    )
    ranks: list[Annotated[float, Field(gt=0, le=1e9)]] = setting(
        default_factory=list,
        max_length=50,
        unit="points",
        description="point thresholds of successive ranks",
    )
    rank_values: list[Annotated[float, Field(ge=0, le=1e9)]] = setting(
        default_factory=list,
        max_length=50,
        unit="money-equivalent per rank",
        description="what reaching each rank is worth to a member (perks, status); empty: each "
        "rank is worth as much as a badge; a rank worth 0 does not steer",
    )
    leaderboard: int = setting(
        0,
        ge=0,
        le=100_000,
        unit="members",
        description="members shown on the leaderboard (top by points in the last 30 days); 0: none",
    )
    tangible: bool = Field(
        False,
        description="points redeem for rewards with money value "
        "(true) or are recognition only (false)",
    )
    redeem_at: float = setting(
        500.0, gt=0, le=1e9, unit="points", description="points a member redeems at once"
    )
    money_per_point: Money = setting(
        0.01, unit="money per point", description="money a redeemed point costs the operator"
    )
    hours_per_day: Hours = setting(
        0.5, unit="staff hours per day", description="staff hours to run the scheme each day"
    )
    streaks: Streaks = Field(
        default_factory=Streaks,
        description="check-in streaks: consecutive check-in days counted, rewards at lengths, a "
        "cost when a streak breaks (off while it has no reward)",
    )
    _running_today: bool = PrivateAttr(False)
    _members: np.ndarray | None = PrivateAttr(None)  # the audience today (None: everyone)
    # the badges and ranks every member has been checked against (None: not yet)
    _thresholds_checked: tuple | None = PrivateAttr(None)

    @property
    def thresholds_checked(self) -> tuple | None:
        return self._thresholds_checked

    @thresholds_checked.setter
    def thresholds_checked(self, thresholds: tuple) -> None:
        self._thresholds_checked = thresholds

    @classmethod
    def switched_on(cls) -> Incentives:
        return cls(
            start=30,
            stop=200,
            badges=[Badge(action="reply", threshold=25)],
            ranks=[100, 500, 2000, 5000, 10000],
            leaderboard=10,
            tangible=True,
        )

    @model_validator(mode="after")
    def _dates(self) -> Incentives:
        if self.stop is not None and self.stop < self.start:
            raise ValueError("stop must not be before start")
        if any(b <= a for a, b in zip(self.ranks, self.ranks[1:], strict=False)):
            raise ValueError("ranks must be strictly increasing point thresholds")
        if self.rank_values and len(self.rank_values) != len(self.ranks):
            raise ValueError(
                f"rank_values has {len(self.rank_values)} values for {len(self.ranks)} ranks: "
                "give one value per rank, or none"
            )
        return self

    def exchange_value(self) -> float:
        """Money a member gets per point: ``money_per_point`` when points redeem, else 0."""
        return self.money_per_point if self.tangible else 0.0

    def action_value(self, action: str, status_per_point: float) -> float:
        """What one rewarded action is worth to a member (money-equivalent): its points' exchange
        value plus the status they carry (``status_per_point``, from ``Rules``)."""
        points = self.points.get(action, 0.0)
        return points * (self.exchange_value() + status_per_point)

    def level_weights(self) -> np.ndarray:
        """Each rank's steering weight relative to a badge: S(value) / S(``LEVEL_REFERENCE``)."""
        values = self.rank_values or [LEVEL_REFERENCE] * len(self.ranks)
        return (saturate(np.asarray(values, float), LEVEL_REFERENCE) / 0.5).astype(np.float32)

    def running(self, day: int) -> bool:
        return day >= self.start and (self.stop is None or day <= self.stop)

    def act(self, operator, world, day):
        self._running_today = self.running(day) and bool(
            operator.afford(1, self.hours_per_day, 0.0, "incentives")
        )
        if self._running_today:
            self._members = self.aimed_mask(world)  # whom the scheme is for today (None: all)
            if self.streaks.on:
                break_streaks(world.members, operator, day)
            prepare_boosts(world.members, self, self._members)
        if self.stop is not None and day == self.stop + 1:
            withdraw_rewards(world.members, self)
            world.members.view("streak")[:] = 0  # the operator ended them: no streak broke

    def respond(self, operator, world, day, actions):
        """The incentives phase: points, badges, ranks and rewards for today's actions."""
        if self._running_today:
            visitors = actions.visitors
            if self._members is not None:  # only the scheme's members earn (today's mask)
                visitors = visitors.copy()
                visitors[: self._members.size] &= self._members
                visitors[self._members.size :] = False
            award(
                world.members,
                operator,
                self,
                visitors,
                actions.threads,
                actions.replies,
                actions.invites,
            )

    def measure(self, world):
        pop = world.members
        here = pop.here()
        return {"points_liability": float((pop.points[here] - pop.points_redeemed[here]).sum())}


def streak_value(scheme: Incentives, reward: StreakReward, status_per_point: float) -> float:
    """What a streak reward is worth to a member (money-equivalent): its points' exchange value and
    status, plus a badge's worth (``LEVEL_REFERENCE``) if it comes with one."""
    points = reward.points * (scheme.exchange_value() + status_per_point)
    return points + (LEVEL_REFERENCE if reward.badge else 0.0)


# the action a badged action takes effort from (substitution, Anderson et al. 2013)
NEIGHBOUR = {"post": "reply", "reply": "post", "checkin": None}
COUNTERS = {"post": "scheme_posts", "reply": "scheme_replies", "checkin": "scheme_checkins"}
# the unit of rank values (the value function's magnitudes are behaviour parameters in Rules:
# reward_half_value, status_per_point, crowd_floor)
LEVEL_REFERENCE = 1.0  # money-equivalent of a badge: a rank worth this steers as a badge does
# a streak is three or more consecutive check-ins (Silverman & Barasch 2023's definition): only
# such a streak costs when it breaks, and counts in members_on_streak and streaks_broken
STREAK_MIN = 3


def saturate(value, half):
    """The value function ``v / (v + half)``: 0 for nothing, 1/2 at ``half``, toward 1."""
    value = np.maximum(value, 0)
    return value / (value + half)


def prepare_boosts(pop: Population, scheme: Incentives, members: np.ndarray | None = None) -> None:
    """Multipliers of visit, post and reply rates for today (``pop.today.boosts``).

    Computed for the members still here (only their visits, posts and replies read a boost) and,
    with an audience, in the scheme's ``members`` (a mask over slots); everyone else keeps a
    neutral 1."""
    r, n = pop.rules, pop.n
    here = pop.here()
    if members is not None:
        here = here[members[here]]
    extrinsic = pop.extrinsic[here]
    boosts = {}
    for action, key in (("checkin", "visit"), ("post", "post"), ("reply", "reply")):
        value = scheme.action_value(action, r.status_per_point)
        pull = np.float32(r.incentive_gain * saturate(value, r.reward_half_value))
        boosts[key] = 1 + pull * extrinsic
    # everyone steers a little, the most reward-sensitive a lot: only they are detectable alone
    steerer = np.clip(extrinsic / np.float32(r.steer_threshold), 0, 1) ** 2
    held = pop.badge_bits[here]
    for index, badge in enumerate(scheme.badges[:16]):
        progress = getattr(pop, COUNTERS[badge.action])[here]
        remaining = (badge.threshold - progress).astype(np.float32)
        earned = (held >> index) & 1
        # the pull grows as the threshold nears (a window of about 15% of the threshold)
        proximity = np.where(
            (remaining > 0) & (earned == 0),
            np.exp(-np.maximum(remaining, 0) / np.float32(0.15 * badge.threshold + 1)),
            0,
        ).astype(np.float32)
        steer = np.float32(r.steer_gain) * steerer * proximity
        key = "visit" if badge.action == "checkin" else badge.action
        boosts[key] = boosts[key] * (1 + steer)
        neighbour = NEIGHBOUR[badge.action]
        if neighbour is not None:
            boosts[neighbour] = boosts[neighbour] * (
                1 - np.float32(r.substitution) * np.minimum(steer, 1)
            )
    if scheme.ranks:
        _steer_to_ranks(pop, scheme, here, steerer, boosts)
    if scheme.streaks.on:
        boosts["visit"] = boosts["visit"] * (1 + streak_pull(pop, scheme, here, extrinsic))
    for key, value in boosts.items():  # on top of what events or a trend already set today
        full = np.ones(n, np.float32)
        full[here] = value
        pop.today.boosts[key] = (pop.today.boosts.get(key, 1) * full).astype(np.float32)


def _steer_to_ranks(
    pop: Population, scheme: Incentives, here: np.ndarray, steerer: np.ndarray, boosts: dict
) -> None:
    """Members close to the next rank's point threshold do more of the rewarded actions (each in
    proportion to the points it pays), weighted by what that rank is worth (Anderson et al. 2013)."""
    r = pop.rules
    thresholds = np.asarray(scheme.ranks, np.float32)
    reached = pop.rank[here].astype(np.int64)
    has_next = reached < thresholds.size
    following = np.minimum(reached, thresholds.size - 1)
    target = thresholds[following]
    previous = np.where(following > 0, thresholds[np.maximum(following - 1, 0)], 0)
    remaining = target - pop.points[here]
    window = np.float32(0.15) * (target - previous) + 1
    proximity = np.where(
        has_next & (remaining > 0), np.exp(-np.maximum(remaining, 0) / window), 0
    ).astype(np.float32)
    steer = np.float32(r.steer_gain) * steerer * proximity * scheme.level_weights()[following]
    most = max(scheme.points.get(a, 0.0) for a in ("post", "reply", "checkin"))
    if most <= 0:
        return
    for action, key in (("checkin", "visit"), ("post", "post"), ("reply", "reply")):
        share = scheme.points.get(action, 0.0) / most
        if share > 0:
            boosts[key] = boosts[key] * (1 + np.float32(share) * steer)


def _cycle_position(streak: np.ndarray, streaks: Streaks) -> np.ndarray:
    """Where each streak stands among the reward lengths: its length, or with ``cycle`` its length
    past the last completed cycle of the longest reward length (0 right after one)."""
    if streaks.cycle:
        return streak % np.int32(streaks.rewards[-1].length)
    return streak


def streak_pull(
    pop: Population, scheme: Incentives, here: np.ndarray, extrinsic: np.ndarray
) -> np.ndarray:
    """The extra visit rate of members still here (``here``) from their check-in streaks, the goal
    gradient toward the next reward (Kivetz, Urminsky & Zheng 2006): ``Rules.streak_pull`` x the
    share of the way from the last reward length (or 0) to the next that today's check-in would
    cover x S(what the next reward is worth) x extrinsic sensitivity. Members on no streak, and
    streaks past the longest reward without ``cycle``, are not pulled."""
    r, streaks = pop.rules, scheme.streaks
    streak = pop.streak[here]
    position = _cycle_position(streak, streaks)
    lengths = np.array([reward.length for reward in streaks.rewards], np.int32)
    values = np.array(
        [streak_value(scheme, reward, r.status_per_point) for reward in streaks.rewards]
    )
    pulls = (r.streak_pull * saturate(values, r.reward_half_value)).astype(np.float32)
    following = np.searchsorted(lengths, position, side="right")  # the next reward's index
    has_next = (streak > 0) & (following < lengths.size)
    following = np.minimum(following, lengths.size - 1)
    previous = np.where(following > 0, lengths[np.maximum(following - 1, 0)], 0)
    progress = (position + 1 - previous) / (lengths[following] - previous).astype(np.float32)
    return np.where(has_next, pulls[following] * progress * extrinsic, 0).astype(np.float32)


def break_streaks(pop: Population, operator, day: int) -> None:
    """In the morning, before anyone visits: a streak whose member did not check in yesterday is
    broken. A broken streak of ``STREAK_MIN`` days or more costs a member still here
    ``Rules.streak_break_cost`` x its extrinsic sensitivity, whatever the streak's length
    (Silverman & Barasch 2023); the cost joins ``withdrawal``, felt on visits and fading by 5% a
    day (their working paper: the effect diminishes with time since the break)."""
    streak = pop.view("streak")
    broken = np.flatnonzero((streak > 0) & (pop.view("last_active_day") < day - 1))
    if broken.size == 0:
        return
    felt = broken[(streak[broken] >= STREAK_MIN) & pop.alive[broken]]
    streak[broken] = 0
    operator.count("streaks_broken", int(felt.size))
    pop.withdrawal[felt] += np.float32(pop.rules.streak_break_cost) * pop.extrinsic[felt]


def _advance_streaks(pop: Population, operator, scheme: Incentives, v: np.ndarray) -> np.ndarray:
    """Today's check-ins (``v``, slots) lengthen their streaks; the points each earns from streak
    rewards reached today (badges among them are recognition)."""
    streaks = scheme.streaks
    streak = pop.streak[v] + 1
    pop.streak[v] = streak
    pop.best_streak[v] = np.maximum(pop.best_streak[v], streak)
    operator.count("members_on_streak", int((streak >= STREAK_MIN).sum()))
    position = _cycle_position(streak, streaks)
    if streaks.cycle:  # a completed cycle is its longest reward length
        position = np.where(position == 0, streaks.rewards[-1].length, position)
    points = np.zeros(v.size, np.float32)
    for reward in streaks.rewards:
        reached = position == reward.length
        if not reached.any():
            continue
        operator.count("streak_rewards", int(reached.sum()))
        points[reached] += np.float32(reward.points)
        if reward.badge:
            pop.recognition_today[v[reached]] += 1
    return points


def award(
    pop: Population,
    operator,
    scheme: Incentives,
    visitors: np.ndarray,
    threads: np.ndarray,
    replies: np.ndarray,
    invites: np.ndarray,
) -> None:
    """Issue points for today's actions, award badges, ranks and leaderboard places, redeem.

    Only today's visitors act, so points and counters change for them alone and only they can
    cross a badge or rank threshold; everyone still here is checked instead on the first day of
    a scheme, or when its badges or ranks change (say, a trainer edits them mid-run)."""
    r = pop.rules
    v = pop.slots_of(visitors)
    acted = {"checkin": np.ones(v.size, np.int32), "post": threads[v], "reply": replies[v]}
    for action, counter in COUNTERS.items():
        getattr(pop, counter)[v] += acted[action]
    operator.count("checkins", int(v.size))
    earned = (
        scheme.points.get("post", 0.0) * threads[v]
        + scheme.points.get("reply", 0.0) * replies[v]
        + scheme.points.get("checkin", 0.0) * 1
        + scheme.points.get("invite", 0.0) * invites[v]
    ).astype(np.float32)
    if scheme.streaks.on:
        earned += _advance_streaks(pop, operator, scheme, v)
    pop.points[v] += earned
    pop.recent_points[v] += earned
    operator.count("points_issued", float(earned.sum()))
    thresholds = (tuple((b.action, b.threshold) for b in scheme.badges[:16]), tuple(scheme.ranks))
    if scheme.thresholds_checked != thresholds:
        checked = np.flatnonzero(pop.view("alive") | visitors)
        scheme.thresholds_checked = thresholds
    else:
        checked = v
    recognition = pop.recognition_today
    held = pop.badge_bits[checked]
    for index, badge in enumerate(scheme.badges[:16]):
        reached = getattr(pop, COUNTERS[badge.action])[checked] >= badge.threshold
        new = checked[((held >> index) & 1 == 0) & reached]
        pop.badge_bits[new] |= np.uint16(1 << index)
        pop.badges[new] += 1
        recognition[new] += 1
        operator.count("badges_awarded", int(new.size))
    if scheme.ranks:
        rank = np.searchsorted(np.asarray(scheme.ranks), pop.points[checked], side="right")
        promoted = checked[rank > pop.rank[checked]]
        recognition[promoted] += 1
        pop.rank[checked] = rank
    if scheme.leaderboard:
        top = _leaders(pop, scheme.leaderboard)
        recognition[top] += 0.2  # a daily place on the board is a smaller recognition
    rewarded = v[earned > 0]
    if scheme.tangible and scheme.money_per_point > 0:
        money = earned[earned > 0] * np.float32(scheme.money_per_point)
        _crowd_out(pop, rewarded, r.crowd_out_rate * crowding(money, r))
        _redeem(pop, operator, scheme)
    elif scheme.tangible:  # redeemable for nothing: no money changes hands
        recognition[rewarded] += np.float32(0.1)
    else:  # points without money are feedback: a small recognition each day they are earned
        recognition[rewarded] += np.float32(0.1)


def _leaders(pop: Population, places: int) -> np.ndarray:
    """The slots on the leaderboard: the ``places`` members still here with the most recent
    points (above 0); among equal scores at the last place, those who joined first."""
    here = np.flatnonzero(pop.view("alive"))
    score = pop.recent_points[here]
    places = min(places, here.size)
    if places == 0:
        return here[:0]
    last = np.partition(score, here.size - places)[here.size - places]  # the last place's score
    above, level = np.flatnonzero(score > last), np.flatnonzero(score == last)
    top = np.concatenate([above, level[: places - above.size]])
    return here[top[score[top] > 0]]


def crowding(money: np.ndarray, rules: Rules) -> np.ndarray:
    """How much of the full crowding out a day's money reward brings: ``rules.crowd_floor`` for
    any payment, rising with its size (Deci et al. 1999; Gneezy & Rustichini 2000)."""
    floor = rules.crowd_floor
    return (floor + (1 - floor) * saturate(money, rules.reward_half_value)).astype(np.float32)


def _crowd_out(pop: Population, rewarded: np.ndarray, rate) -> None:
    """Members rewarded today (slots) lose a share ``rate`` (per member or one for all) of their
    intrinsic motivation."""
    pop.intrinsic[rewarded] *= 1 - np.asarray(rate, np.float32)


def _redeem(pop: Population, operator, scheme: Incentives) -> None:
    balance = pop.view("points") - pop.view("points_redeemed")
    redeeming = np.flatnonzero(balance >= scheme.redeem_at)
    if redeeming.size == 0:
        return
    points = balance[redeeming]
    wanted = float(points.sum()) * scheme.money_per_point
    paid = operator.pay(wanted, "incentives")
    share = paid / wanted if wanted else 0.0
    # when money runs short, rewards are paid in order of request and the rest wait
    paid_points = np.floor(points * share)
    pop.points_redeemed[redeeming] += paid_points
    operator.count("points_redeemed", float(paid_points.sum()))


def withdraw_rewards(pop: Population, scheme: Incentives) -> None:
    """Rewards stop: members who cared about them feel a loss, money rewards most (a loss of any
    size is felt: loss aversion, Kahneman & Tversky 1979); points that bought nothing a little."""
    n = pop.n
    weight = 1.0 if scheme.exchange_value() > 0 else 0.1
    earned = pop.view("points") > 0
    pop.withdrawal[:n] += np.float32(pop.rules.withdrawal_loss * weight) * (
        pop.view("extrinsic") * earned
    )
