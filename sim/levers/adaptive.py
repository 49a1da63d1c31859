"""Adaptive: the seed's "if a kind of content gets more interaction, make more of it". Every few
days the content mix shifts toward the topics and formats whose operator posts drew the most
replies and reactions per post in a recent window (Kraut & Resnick 2012, ch. 2: content that
matches members' interests draws responses).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Probability, setting


@register
class Adaptive(Lever):
    """Make more of what earns interaction: shift the content mix toward the topics and formats
    whose operator posts got the most replies and reactions per post in a recent window."""

    key = "adaptive"
    role = "content"  # the team role whose hours it draws on
    label = "Adaptive: more of what draws replies"
    series = (Series("adaptive_shifts", "shifts of the content mix toward what draws responses"),)
    controls = (Control("every", "adjust every N days", 1, 60),)
    # outcome: responses per operator post, what the lever steers by; the community-wide
    # interaction rate dilutes the operator's few posts among hundreds of members' items
    signs = (
        ExpectedSign(
            "adaptive",
            {"content": {}, "adaptive": {}},
            "responses_per_operator_post",
            1,
            "Kraut & Resnick 2012 ch. 2: content that matches interests draws responses",
            baseline="content",
        ),
    )
    max_effort: ClassVar[dict] = {}

    priority: int = priority(8)
    window: int = setting(
        14, ge=1, le=365, unit="days", description="days of interaction looked at"
    )
    step: Probability = Field(
        0.2, description="share of the way the mix moves toward the best performers each time"
    )
    every: int = setting(7, ge=1, le=365, unit="days", description="days between adjustments")

    def act(self, operator, world, day):
        content = world.lever("content")
        if content is None or day % self.every or day <= self.window:
            return
        topic_target, format_target = world.interaction_leaders(self.window, len(content.formats))
        content.shift(topic_target, format_target, self.step)
        operator.count("adaptive_shifts", 1)
