"""The oracle (``sim.validation.oracle``, one object per member) and ``CommunityModel`` (numpy arrays)
implement the same rules: DESIGN.md requires that "at small N both must agree statistically".

Both models read the same common random numbers, so a seed gives a pair of runs that make the same
decisions until float32 (vectorised) and float64 (oracle) rounding flips one (at 1,000 members,
typically only after months), and that agree in distribution after. The comparison is therefore
paired: for each seed, the difference between the oracle's and the vectorised model's mean of a
daily series over the last month. Its 95% confidence interval (Bonferroni over the series
compared), widened by what rounding alone can move a mean, must include 0. A rule that differs
between the two shows up as a difference of the same sign in nearly every pair, far outside it.
"""

from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.agents import Rules
from sim.model import CommunityModel
from sim.validation.oracle import OracleModel
from sim.world.platform import Platform

SMALL = {"members": 1000, "market_size": 5000}
SEEDS = range(20)
DAYS = 80
WINDOW = 30  # the last month of each run: founders' early days are over, inactivity departures on
COMPARED = (
    "members",
    "dau",
    "wau",
    "threads",
    "replies",
    "reactions",
    "active_contributor_share",
    "mean_loyalty",
    "mean_interest",
)
FAMILY_ALPHA = 0.05
ROUNDING = 1e-5  # relative: float32 against float64 arithmetic alone moves a run's means ~1e-6


def _rough_rules() -> Rules:
    """Every kind of member posts some toxic threads and some off-topic chatter: exercises the
    toxicity cost and reason and chatter's missing information, which default members lack."""
    rules = Rules()
    mix = tuple(replace(s, toxic=0.2, chatter=0.3) for s in rules.member_mix)
    return replace(rules, member_mix=mix)


def _chat_rules() -> Rules:
    """A chat group (every message notifies everyone) with a low muting threshold, so that the
    notification cost, muting and muted members' visits and reading are all exercised."""
    return replace(Rules(), platform=Platform(kind="chat_group", mute_after=20.0))


def _stream_rules() -> Rules:
    """Ren & Kraut's stream, the reading rule the RK targets use, kept busy enough to overload its
    readers: every kind of member reads half its default budget a visit, so the stream's ~100
    items a day exceed most visitors' budgets (the overload cost; on 18 of the 20 seeds, as with
    default members: on the other 2 the stream dies out in the first month), and posts a few
    toxic threads (toxic posts read). No off-topic chatter: every visitor reads all of it, and
    with ``_rough_rules``' toxicity and chatter the stream thins out on most seeds (a median 20
    items a day in the last month), within every budget on 13 of 20."""
    rules = Rules()
    mix = tuple(replace(s, toxic=0.05, read_budget=s.read_budget / 2) for s in rules.member_mix)
    return replace(rules, member_mix=mix, platform=Platform(kind="stream"))


WORLDS = {
    "default": Rules(),
    "toxic and chatty posters": _rough_rules(),
    "chat group": _chat_rules(),
    "stream": _stream_rules(),
}


def last_month_means(
    world: str, seed: int, oracle_class=OracleModel
) -> tuple[pd.Series, pd.Series]:
    """(vectorised, oracle): each compared series' mean over the last ``WINDOW`` days of a run
    (``oracle_class``: another oracle, e.g. one with a rule broken, benchmarks/diagnostics/
    oracle_breaks.py)."""
    means = []
    for model_class in (CommunityModel, oracle_class):
        model = model_class(**SMALL, rules=WORLDS[world], rng=seed)
        model.run(DAYS)
        means.append(model.series()[list(COMPARED)].tail(WINDOW).mean())
    return means[0], means[1]


# the default world in ``make test`` (issue 2: 1,000 members, 20 seeds); the worlds that exercise
# the rules default members lack are slower statistical work (``make validate`` runs them: the
# procedure after any change of a model rule). Broken one at a time in the oracle, 7 of 10 of
# their rules fail their world at 10 seeds (the stream's overload cost narrowly) and the other 3
# at 20 (benchmarks/diagnostics/oracle_breaks.py).
WORLD_TESTS = [
    pytest.param(world, marks=() if world == "default" else pytest.mark.validation)
    for world in WORLDS
]


@pytest.fixture(scope="module")
def paired_means():
    """``of(world)``: the world's (vectorised, oracle) last-month means, one row per seed, each
    world run once per module (when a test first asks for it) on 2 processes."""
    computed: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def of(world: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if world not in computed:
            with ProcessPoolExecutor(max_workers=2) as pool:
                pairs = list(pool.map(last_month_means, [world] * len(SEEDS), SEEDS))
            computed[world] = (
                pd.DataFrame([v for v, _ in pairs]),
                pd.DataFrame([o for _, o in pairs]),
            )
        return computed[world]

    return of


@pytest.mark.parametrize("world", WORLD_TESTS)
def test_oracle_and_vectorised_model_agree(paired_means, world):
    vectorised, oracle = paired_means(world)
    report = comparison(vectorised, oracle)
    disagree = report["difference"].abs() > report["allowed"]
    assert not disagree.any(), f"{world}: the models disagree on\n{report[disagree]}"


def comparison(vectorised: pd.DataFrame, oracle: pd.DataFrame) -> pd.DataFrame:
    """Per compared series: both models' means over seeds, their mean paired difference and the
    half-width it may reach (the Bonferroni t-interval, widened by rounding)."""
    difference = oracle - vectorised
    n = len(difference)
    t = stats.t.ppf(1 - FAMILY_ALPHA / (2 * len(COMPARED)), n - 1)
    half_width = t * difference.std(ddof=1) / np.sqrt(n) + ROUNDING * vectorised.mean().abs()
    return pd.DataFrame(
        {
            "vectorised": vectorised.mean(),
            "oracle": oracle.mean(),
            "difference": difference.mean(),
            "allowed": half_width,
        }
    )


# every segment with a power-law tail on its propensities (Segment.tail, off by default)
TAILED = Rules(member_mix=tuple(replace(segment, tail=0.6) for segment in Rules().member_mix))


@pytest.mark.parametrize("rules", [None, TAILED], ids=["default", "tailed"])
def test_same_traits_and_first_day_decisions(rules):
    """Same seed, same random numbers, same rules: identical newcomers and first-day choices."""
    given = {} if rules is None else {"rules": rules}
    vectorised = CommunityModel(**SMALL, **given, rng=3)
    oracle = OracleModel(**SMALL, **given, rng=3)
    pop = vectorised.population
    assert [m.segment for m in oracle.members] == pop.view("segment").tolist()
    for name in (
        "intrinsic",
        "extrinsic",
        "info_need",
        "visit_base",
        "post_base",
        "reply_base",
        "react_base",
        "invite_base",
        "interest",
        "loyalty",
        "pref",
    ):
        np.testing.assert_allclose(
            [getattr(m, name) for m in oracle.members], pop.view(name), rtol=1e-5, err_msg=name
        )
    vectorised.step()
    oracle.step()
    visitors = {m.slot for m in oracle.members if m.last_active_day == 1}
    assert visitors == set(np.flatnonzero(pop.view("last_active_day") == 1).tolist())
    assert len(visitors) > 0
    authors = {m.slot for m in oracle.members if m.last_post_day == 1}
    assert authors == set(np.flatnonzero(pop.view("last_post_day") == 1).tolist())
