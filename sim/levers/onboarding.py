"""Onboarding: welcome newcomers, introduce them to active members, and reply to their first
posts within a day.

A reply to a newcomer's first post makes a second post more likely (Joyce & Kraut 2006, "Predicting
continued participation in newsgroups", JCMC 11(3)); a host who welcomes newcomers and introduces
them to others raises their retention (Morgan & Halfaker 2018, "Evaluating the impact of the
Wikipedia Teahouse on newcomer socialization and retention"). A welcome or an operator reply is
felt like a reply received and pulls the member back to visit.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from sim.agents import Population
from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Hours, setting


@register
class Onboarding(Lever):
    """Welcome newcomers, introduce them to active members, and reply to their first posts within
    a day (Joyce & Kraut 2006; Morgan & Halfaker 2018, the Teahouse)."""

    key = "onboarding"
    role = "community"  # the team role whose hours it draws on
    # an audience narrows the newcomers welcomed and the first threads answered (posted: true
    # welcomes nobody on the day they join, before they post, and answers first threads)
    aims = True
    label = "Onboarding: welcome, reply to first posts"
    series = (
        Series("welcomes_sent", "newcomers welcomed"),
        Series("first_post_replies", "newcomers whose first thread the operator answered"),
    )
    controls = (
        Control("welcome", "welcome and introduce"),
        Control("reply_to_first_posts", "reply to first posts"),
    )
    signs = (
        ExpectedSign(
            "onboarding",
            {"onboarding": {}},
            "retention_30",
            1,
            "Joyce & Kraut 2006; Morgan & Halfaker 2018",
        ),
    )
    max_effort: ClassVar[dict] = {"introductions": 5}

    priority: int = priority(2)
    welcome: bool = Field(True, description="send each newcomer a welcome message")
    welcome_hours: Hours = setting(
        0.05, unit="staff hours per message", description="staff hours per welcome message"
    )
    introductions: int = Field(
        2,
        ge=0,
        le=50,
        description="active members each welcomed newcomer is introduced to "
        "(a first tie each, as a Teahouse host would make)",
    )
    reply_to_first_posts: bool = Field(True, description="reply to every newcomer's first thread")
    reply_hours: Hours = setting(
        0.2, unit="staff hours per reply", description="staff hours per reply"
    )

    def act(self, operator, world, day):
        pop = world.members
        if self.welcome:
            newcomers = self.aimed(world, np.flatnonzero(pop.view("join_day") == day))
            n_ok = operator.afford(newcomers.size, self.welcome_hours, 0.0, "onboarding")
            receive_attention(pop, newcomers[:n_ok])
            introduce(world, newcomers[:n_ok], self.introductions)
            operator.count("welcomes_sent", n_ok)
        if self.reply_to_first_posts:
            threads = world.feed.threads()
            first = (threads.author >= 0) & (
                pop.first_post_day[np.maximum(threads.author, 0)] == day - 1
            )
            authors = self.aimed(world, np.unique(threads.author[first]))
            n_ok = operator.afford(authors.size, self.reply_hours, 0.0, "onboarding")
            receive_attention(pop, authors[:n_ok])
            pop.first_post_replied[authors[:n_ok]] = True
            operator.count("first_post_replies", n_ok)


def receive_attention(pop: Population, slots: np.ndarray) -> None:
    """A welcome message or an operator reply: felt like a reply, and it pulls the member back."""
    pop.attention_today[slots] += 1
    pop.unseen_replies[slots] += 1


def introduce(world, newcomers: np.ndarray, partners: int) -> None:
    """Tie each newcomer to ``partners`` members who were active yesterday or today."""
    active = world.recently_active()
    if newcomers.size == 0 or active.size == 0 or partners == 0:
        return
    gen = world.random("operator.introductions")
    for _ in range(partners):
        world.new_ties(newcomers, gen.choice(active, size=newcomers.size))
