"""Shared by the model-rule tests: scenarios in which many members write."""

from __future__ import annotations

from sim.calibration.activity import Observation
from sim.config import Scenario, load_scenario
from sim.config.loading import apply_overrides, validate_scenario

# a contributions-only log's view (git, Stack Exchange): members exist from their first contribution
CONTRIBUTIONS = Observation(("post", "reply"), "first_contribution", 7, "test")


def writing_scenario(members: int, days: int, rates: float, changes: dict) -> Scenario:
    """The default community of ``members`` founders over ``days`` days, every kind's thread and
    reply rates times ``rates`` (so that enough members write to measure), with ``changes``."""
    base = load_scenario(None, {"community.members": members, "run.days": days}).model_dump(
        mode="json"
    )
    base["member_mix"] = [
        {**kind, "post": kind["post"] * rates, "reply": kind["reply"] * rates}
        for kind in base["member_mix"]
    ]
    return validate_scenario(apply_overrides(base, changes), "(test)")
