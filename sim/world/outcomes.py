"""How a member's time in the community is measured: when it left and why, and at which ages after
joining its retention is observed (EVIDENCE.md's retention(d) and the cohort table)."""

from __future__ import annotations

from enum import IntEnum

RETENTION_AGES = (1, 7, 30, 60, 90, 180, 300)  # days after joining at which retention is observed
SURVIVAL_BIT = len(RETENTION_AGES)  # bit set when a member acted in days 30-60 after joining
# Dn retention as practitioners count it: active on day n after joining (day 0), bits after SURVIVAL_BIT
ACTIVE_DAY_AGES = (1, 7, 30, 90)


class LeaveReason(IntEnum):
    """Why a member left: the largest of its recent deficits (``Population.maybe_leave``)."""

    STAYING = 0
    BORED = 1
    OVERLOADED = 2
    TOXICITY = 3
    NO_TIES = 4
    REWARD_WITHDRAWN = 5
    LURED_AWAY = 6

    @property
    def label(self) -> str:
        return self.name.lower()
