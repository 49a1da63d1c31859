"""Recruitment: paid campaigns that add marketing pull (Bass 1969's ``p``) at a cost per member
they bring, referral rewards that raise members' invitations and pay per referral join
(Kraut & Resnick 2012, ch. 5: recruiting through members), and recruitment channels (paid ads, a
partner, search) that buy joins with a daily spend.

Channels. Each channel buys joins with its daily ``spend``: at a low spend one join costs
``cost_per_join``; the audience a channel reaches is limited, so joins saturate at ``reach`` a day:
expected joins ``reach * (1 - exp(-spend / (cost_per_join * reach)))`` (diminishing returns to
advertising spend, the concave response of Simon & Arndt 1980, "The shape of the advertising
response function", J. Advertising Research; the exponential form is an assumption). Channels
differ in the newcomers they bring (Verhoef & Donkers 2005, "The effect of acquisition channels on
customer loyalty and cross-buying", J. Interactive Marketing 19(2): customers acquired through
direct mail, radio and TV were retained less than those who came through the firm's web site):
paid ads bring lower-fit newcomers (``Rules.paid_fit``), a partner higher-fit ones
(``Rules.partner_fit``, an assumption), search the market's usual newcomers. The spend is paid
each day the channel runs while money is left (skipped days are recorded as ``skipped_recruitment``).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from sim.policies import Control, ExpectedSign, Lever, Market, Series, priority, register
from sim.world.settings import Config, Day, Money, Probability, setting


class Campaign(Config):
    """A paid recruitment campaign between two days."""

    start: Day = setting(unit="day of the run", description="first day of the paid campaign")
    end: Day = setting(unit="day of the run", description="last day")
    extra_p: Probability = setting(
        0.002, unit="share per day", description="extra daily marketing pull (added to Bass p)"
    )
    cost_per_join: Money = setting(
        5.0, unit="money per join", description="money per member the campaign brings"
    )

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


# each kind's default (cost per join at a low spend, most joins a day): assumptions. Paid ads buy
# the cheapest joins from the widest audience; a partner's audience is its own members, smaller and
# dearer to reach (a partner is paid for its effort); search sits between.
KIND_DEFAULTS = {"paid": (2.0, 50.0), "partner": (5.0, 15.0), "search": (4.0, 25.0)}


class Channel(Config):
    """A recruitment channel that buys joins with a daily spend between two days."""

    kind: Literal["paid", "partner", "search"] = setting(
        description="paid ads (lower-fit newcomers), a partner (higher-fit) or search (usual)"
    )
    start: Day = setting(1, unit="day of the run", description="first day of spending")
    end: Day = setting(3650, unit="day of the run", description="last day of spending")
    spend: Money = setting(20.0, unit="money per day", description="money spent a day")
    cost_per_join: float | None = setting(
        None,
        gt=0,
        le=1e6,
        unit="money per join",
        description="cost of a join at a low spend; absent: the kind's (paid 2, partner 5, "
        "search 4)",
    )
    reach: float | None = setting(
        None,
        gt=0,
        le=1e5,
        unit="joins per day",
        description="most joins a day the channel can bring, however much is spent; absent: the "
        "kind's (paid 50, partner 15, search 25)",
    )

    @model_validator(mode="after")
    def _dates(self) -> Channel:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self

    def expected_joins(self) -> float:
        """Joins a day's spend buys: linear at a low spend, saturating at ``reach``."""
        cost, reach = KIND_DEFAULTS[self.kind]
        cost = self.cost_per_join if self.cost_per_join is not None else cost
        reach = self.reach if self.reach is not None else reach
        return reach * -math.expm1(-self.spend / (cost * reach))


@register
class Recruitment(Lever):
    """Paid campaigns (extra marketing pull, cost per join) and referral rewards (Bass 1969;
    Kraut & Resnick 2012 ch. 5)."""

    key = "recruitment"
    role = "growth"  # the team role whose hours it draws on
    label = "Recruitment: a paid campaign (days 30-90), referral rewards"
    series = (
        Series(
            "campaign_joins", "joins brought by paid campaigns (their share of the market pull)"
        ),
        Series("referral_joins", "joins through invitations while referral rewards are paid"),
        Series("paid_joins", "joins bought through paid-ads channels"),
        Series("partner_joins", "joins brought by partner channels"),
        Series("search_joins", "joins bought through search channels"),
    )
    controls = (
        Control("referral_reward", "referral reward (money per join)", 0.0, 20.0, 0.5),
        Control(
            "channels",
            "recruitment channels",
            each=(
                Control("kind", "channel"),
                Control("spend", "money a day", 0, 200, 5),
                Control("start", "from day", 1, 3650),
                Control("end", "to day", "start", 3650),
            ),
            new={"kind": "paid", "spend": 30, "start": 30, "end": 180},
        ),
    )
    signs = (
        ExpectedSign(
            "recruitment",
            {"recruitment": {"campaigns": [{"start": 30, "end": 120}]}},
            "joins",
            1,
            "Bass 1969: marketing raises adoption",
        ),
        ExpectedSign(
            "referrals",
            {"recruitment": {"referral_reward": 2.0}},
            "joins",
            1,
            "Kraut & Resnick 2012 ch. 5: recruiting through members",
        ),
    )

    pays_later = True  # per join a campaign brings, per referral join
    # maximum effort (P-2) is effort on the members already there; recruitment brings new ones
    max_effort = None

    priority: int = priority(6)
    campaigns: list[Campaign] = Field(
        default_factory=list, max_length=100, description="paid campaigns"
    )
    channels: list[Channel] = Field(
        default_factory=list, max_length=20, description="recruitment channels that buy joins"
    )
    referral_reward: Money = setting(
        0.0,
        unit="money per referral join",
        description="money paid per referral join; raises invites",
    )
    invite_boost: float = setting(
        2.0,
        ge=1,
        le=100,
        unit="times",
        description="invitation multiplier while referral rewards are paid",
    )

    @classmethod
    def switched_on(cls) -> Recruitment:
        return cls(
            campaigns=[Campaign(start=30, end=90, extra_p=0.002, cost_per_join=4)],
            referral_reward=2,
        )

    def market(self, operator, day):
        """Today's campaigns pull from their first day to their last; referral joins are rewarded
        while money for a reward is left."""
        market = Market()
        for campaign in self.campaigns:
            if campaign.start <= day <= campaign.end:
                market.extra_p += campaign.extra_p
                market.cost_per_join = max(market.cost_per_join, campaign.cost_per_join)
        if self._paying(operator):
            market.referral_reward = self.referral_reward
        for channel in self.channels:
            if channel.start <= day <= channel.end and channel.spend > 0:
                if operator.afford(1, 0.0, channel.spend, self.key):
                    market.channels.append((channel.kind, channel.expected_joins()))
        return market

    def act(self, operator, world, day):
        # members invite more while referrals are rewarded
        world.members.today.invite_boost = self.invite_boost if self._paying(operator) else 1.0

    def _paying(self, operator) -> bool:
        return self.referral_reward > 0 and operator.money_left >= self.referral_reward
