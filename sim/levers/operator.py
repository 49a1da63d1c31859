"""The operator: a Mesa agent that runs a Strategy under staff hours per day and a money budget.

Each day the operator works through its levers in priority order. Every action asks for hours and
money; what cannot be afforded is skipped, and the shortfall (hours and money asked for but not
available, and the actions skipped) is reported in the daily series, as a real community team's
backlog would be.
"""

from __future__ import annotations

from collections import defaultdict

import mesa

from sim.policies import Strategy

OPERATOR_SERIES = (
    "hours_used",
    "hours_short",
    "money_spent",
    "money_short",
    "actions_skipped",
    "operator_posts",
    "events_held",
    "event_attendance",
    "points_issued",
    "points_redeemed",
    "points_liability",
    "badges_awarded",
    "posts_removed_true",
    "posts_removed_false",
    "posts_removed_toxic",
    "welcomes_sent",
    "first_post_replies",
    "winback_sent",
    "winback_returns",
    "campaign_joins",
    "referral_joins",
    "adaptive_shifts",
)


class Operator(mesa.Agent):
    """The community team: runs the strategy's levers within its daily hours and total budget."""

    def __init__(self, model, strategy: Strategy):
        super().__init__(model)
        self.strategy = strategy
        self.money_left = float(strategy.budget)
        self.hours_left = 0.0
        self.today: dict[str, float] = defaultdict(float)

    def start_day(self) -> None:
        """A fresh day's hours and record (arrivals, before the operator acts, pay for joins)."""
        self.today = defaultdict(float)
        self.hours_left = float(self.strategy.hours_per_day)

    def act(self, day: int) -> None:
        """The "operator acts" phase: each lever in priority order."""
        for lever in self.strategy.levers():
            lever.act(self, self.model, day)

    def afford(self, units: int, hours_each: float, money_each: float, purpose: str) -> int:
        """How many of ``units`` actions the team can do now; spends for those, records the rest.

        Actions are all-or-nothing each: the first ones asked for are done while hours and money
        last (levers ask in priority order, so lower-priority work is what gets skipped).
        """
        if units <= 0:
            return 0
        by_hours = int((self.hours_left + 1e-9) // hours_each) if hours_each > 0 else units
        by_money = int((self.money_left + 1e-9) // money_each) if money_each > 0 else units
        done = max(0, min(units, by_hours, by_money))
        self.spend(done * hours_each, done * money_each)
        skipped = units - done
        if skipped:
            # the shortfall is charged to what ran out: hours, money, or both
            if by_hours < units:
                self.today["hours_short"] += (units - max(by_hours, 0)) * hours_each
            if by_money < units:
                self.today["money_short"] += (units - max(by_money, 0)) * money_each
            self.today["actions_skipped"] += skipped
            self.today[f"skipped_{purpose}"] += skipped
        return done

    def spend(self, hours: float, money: float) -> None:
        self.hours_left -= hours
        self.money_left -= money
        self.today["hours_used"] += hours
        self.today["money_spent"] += money

    def pay(self, money: float, purpose: str) -> float:
        """Pay up to ``money`` (rewards, joins); returns what could be paid, records the rest."""
        paid = min(money, max(self.money_left, 0.0))
        self.spend(0.0, paid)
        if money > paid:
            self.today["money_short"] += money - paid
            self.today[f"unpaid_{purpose}"] += money - paid
        return paid

    def count(self, name: str, value: float) -> None:
        self.today[name] += value
