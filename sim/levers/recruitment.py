"""Recruitment: paid campaigns that add marketing pull (Bass 1969's ``p``) at a cost per member
they bring, and referral rewards that raise members' invitations and pay per referral join
(Kraut & Resnick 2012, ch. 5: recruiting through members).
"""

from __future__ import annotations

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
    )
    controls = (Control("referral_reward", "referral reward (money per join)", 0.0, 20.0, 0.5),)
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
        return market

    def act(self, operator, world, day):
        # members invite more while referrals are rewarded
        world.members.today.invite_boost = self.invite_boost if self._paying(operator) else 1.0

    def _paying(self, operator) -> bool:
        return self.referral_reward > 0 and operator.money_left >= self.referral_reward
