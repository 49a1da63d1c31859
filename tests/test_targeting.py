"""Segments, roles and targeting (issue 16, item 2): roles and value tiers from behaviour
(``sim.world.segments``), a lever's ``audience`` (``sim.policies.Audience``), the per-group
outputs (``segments.parquet``, ``groups`` in summary.json) and the paired effect of aiming."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.config import ScenarioError, load_scenario
from sim.experiments.outputs import write_run
from sim.model import CommunityModel
from sim.policies import LEVERS, Audience
from sim.reports.ops import build_report
from sim.world import segments

AIMING = {"incentives", "onboarding", "winback", "care", "leaders", "moderation", "defence"}


def _model(strategy, seed=1, members=600, market=3000, **overrides) -> CommunityModel:
    scenario = load_scenario(
        None,
        {
            "community.members": members,
            "arrivals.market_size": market,
            "run.seed": seed,
            "strategy": strategy,
            **overrides,
        },
    )
    return CommunityModel(**scenario.model_kwargs(), rng=seed)


@pytest.fixture(scope="module")
def run90():
    model = _model({"winback": {}}, seed=2)
    model.run(90)
    return model


# ---- roles and tiers -------------------------------------------------------------------------------
def test_tiers_rank_contributors_by_value():
    value = np.array([0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50.0])
    present = np.ones(value.size, bool)
    tier = segments.tier_codes(value, present)
    assert (tier[value == 0] == 0).all()  # no value: always low
    contributors = value > 0
    assert (tier[contributors] == 2).mean() == pytest.approx(0.2, abs=0.1)  # top 20%: high
    assert (tier[contributors] >= 1).mean() == pytest.approx(0.5, abs=0.1)  # next 30%: mid
    assert tier[value == 50][0] == 2 and tier[value == 1][0] == 0
    # tiers never go down with value
    order = np.argsort(value, kind="stable")
    assert (np.diff(tier[order]) >= 0).all()
    # members not present set no cut: a huge value of a departed member changes nothing
    gone = np.append(value, 1e6)
    present = np.append(present, False)
    assert (segments.tier_codes(gone, present)[:-1] == tier).all()


def test_contribution_value_is_per_30_days_of_membership():
    value = segments.contribution_value(
        np.array([10, 10, 10]), np.array([5, 5, 5]), np.array([0, 50, 95]), day=100
    )
    # 15 contributions over 100 days, over 50 days, and over 5 days (counted as 30)
    assert value == pytest.approx([4.5, 9.0, 15.0])


def test_audience_mask_combines_roles_segments_tiers_and_posted(run90):
    pop, day = run90.population, run90.day
    roles, tiers = pop.roles(day), pop.tiers(day)
    posted = pop.view("posts") > 0
    expert = pop.view("segment") == pop.segment_codes(["expert"])[0]
    mask = Audience(roles=["core", "regular"], tiers=["high"]).mask(pop, day)
    assert (mask == (np.isin(roles, [3, 4]) & (tiers == 2))).all() and mask.any()
    mask = Audience(segments=["expert"], posted=True).mask(pop, day)
    assert (mask == (expert & posted)).all() and mask.any()
    assert (Audience(posted=False).mask(pop, day) == ~posted).all()
    assert Audience().mask(pop, day).all()  # an empty audience holds everyone
    with pytest.raises(ValueError, match=r"unknown segment 'martians'.*casual, engaged, expert"):
        Audience(segments=["martians"]).mask(pop, day)


# ---- scenario fields -------------------------------------------------------------------------------
def test_only_levers_that_pick_members_accept_an_audience():
    assert {key for key, lever in LEVERS.items() if lever.aims} == AIMING
    for key in LEVERS:
        strategy = {key: {"audience": {"roles": ["core"]}}}
        if key in AIMING:
            load_scenario(None, {"strategy": strategy})
        else:
            with pytest.raises(ScenarioError) as error:
                load_scenario(None, {"strategy": strategy})
            assert f"lever '{key}' does not pick members" in str(error.value)
            assert "accept an audience: " in str(error.value) and "winback" in str(error.value)


def test_bad_audiences_name_the_field_and_the_allowed_values():
    with pytest.raises(ScenarioError) as error:
        load_scenario(None, {"strategy": {"winback": {"audience": {"segments": ["vips"]}}}})
    assert "strategy.winback.audience.segments[0]" in str(error.value)
    assert "casual, engaged, expert" in str(error.value)
    with pytest.raises(ScenarioError) as error:
        load_scenario(None, {"strategy": {"care": {"audience": {"tiers": ["gold"]}}}})
    assert "strategy.care.audience.tiers[0]" in str(error.value) and "low, mid, high" in str(
        error.value
    )
    with pytest.raises(ScenarioError, match="newcomer, lurker, occasional, regular, core"):
        load_scenario(None, {"strategy": {"care": {"audience": {"roles": ["vip"]}}}})


def test_the_cli_refuses_a_bad_audience_with_status_2(tmp_path):
    from sim.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("strategy:\n  content:\n    audience: {roles: [core]}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(path), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert not (tmp_path / "out").exists()


# ---- without an audience, nothing changes ----------------------------------------------------------
@pytest.mark.parametrize(
    "key", ["winback", "incentives", "onboarding", "leaders", "care", "moderation"]
)
def test_an_audience_of_everyone_is_no_audience(key):
    plain = _model({key: {}}, seed=3, members=400)
    everyone = _model({key: {"audience": {}}}, seed=3, members=400)
    plain.run(40)
    everyone.run(40)
    pd.testing.assert_frame_equal(plain.series(), everyone.series())


# ---- each lever keeps only its audience ------------------------------------------------------------
def test_winback_messages_only_its_segment(run90):
    aimed = _model({"winback": {"audience": {"segments": ["casual"]}}}, seed=2)
    aimed.run(90)
    for model, others in ((aimed, 0), (run90, None)):
        pop = model.population
        casual = pop.view("segment") == pop.segment_codes(["casual"])[0]
        messaged = pop.view("winback_messages")
        assert messaged[casual].sum() > 0
        if others is not None:
            assert messaged[~casual].sum() == others
        else:
            assert messaged[~casual].sum() > 0  # untargeted: other segments too


def test_onboarding_for_newcomers_who_posted_only_answers_first_threads():
    every = _model({"onboarding": {}}, seed=4)
    posted = _model({"onboarding": {"audience": {"roles": ["newcomer"], "posted": True}}}, seed=4)
    every.run(40)
    posted.run(40)
    assert every.series()["welcomes_sent"].sum() > 0
    assert posted.series()["welcomes_sent"].sum() == 0  # nobody has posted the day they join
    assert posted.series()["first_post_replies"].sum() > 0


def test_moderation_aimed_at_a_segment_removes_only_its_posts():
    troll = {"name": "troll", "share": 0.3, "post": 0.2, "toxic": 0.5, "chatter": 0.2}
    mix = [{"name": "casual", "share": 0.7, "toxic": 0.05, "chatter": 0.2}, troll]
    runs = {}
    for name, audience in (("all", None), ("trolls", {"segments": ["troll"]})):
        moderation = {"mode": "community", **({"audience": audience} if audience else {})}
        model = _model({"moderation": moderation}, seed=6, members=500, member_mix=mix)
        model.run(40)
        runs[name] = model
    for name, model in runs.items():
        pop = model.population
        trolls = pop.view("segment") == pop.segment_codes(["troll"])[0]
        felt = pop.view("removal_ema") + pop.view("removal_today")
        assert felt[trolls].sum() > 0
        assert (felt[~trolls].sum() == 0) == (name == "trolls")


def _offers_by_tier(monkeypatch, defence: dict, seed: int) -> tuple[int, int, float]:
    """Offers made to high-value members and to others (each judged by the value tiers on the day
    of the offer, taken as the lever acts), and the members lured away, over 120 days with a
    competitor opening on day 60 and offers to everyone."""
    from sim.levers.defence import Defence

    high_today: dict[int, np.ndarray] = {}
    act = Defence.act

    def spy(self, operator, world, day):
        high_today[day] = world.members.tiers(day) == segments.TIER_NAMES.index("high")
        act(self, operator, world, day)

    monkeypatch.setattr(Defence, "act", spy)
    competitor = {"uncertainties": {"competitor": {"start": 60, "pull": 0.5}}}
    strategy = {"content": {}, "defence": {"offer_to": "everyone", **defence}}
    model = _model(strategy, seed=seed, members=600, **competitor)
    to_high = to_others = 0
    for _ in range(120):
        model.step()
        day = model.day  # the day just run
        offered = model.population.view("offer_day") == day
        if day in high_today and offered.any():
            high = high_today[day][: offered.size]
            to_high += int((offered & high).sum())
            to_others += int((offered & ~high).sum())
    return to_high, to_others, float(model.series()["leaves_lured_away"].sum())


def test_defence_offers_aimed_at_high_value_members_go_only_to_them(monkeypatch):
    """Paired seeds: offers to everyone reach high-value members and others; the same offers aimed
    at the high tier reach only high-value members (at least as many of them as unaimed). Fails if the
    audience is not applied to the offers (``Defence.aimed`` in ``sim.levers.defence.offer``)."""
    for seed in (1, 2):
        plain = _offers_by_tier(monkeypatch, {}, seed)
        aimed = _offers_by_tier(monkeypatch, {"audience": {"tiers": ["high"]}}, seed)
        assert plain[0] > 0 and plain[1] > plain[0]  # unaimed: mostly others
        assert aimed[0] > 0 and aimed[1] == 0  # aimed: high-value members only
        # up to the competitor's opening the runs are the same, so the high-value members offered
        # on its first day are the same; later, members rising into the tier are offered too
        assert aimed[0] >= plain[0]


# ---- outputs ---------------------------------------------------------------------------------------
def test_group_counts_add_up_to_the_daily_series(run90):
    groups, series = run90.segments_frame(), run90.series()
    assert list(groups.columns) == ["day", "group_by", "group", *segments.GROUP_COUNTS]
    for grouping in segments.GROUPINGS:
        total = groups[groups.group_by == grouping].groupby("day")[list(segments.GROUP_COUNTS)]
        total = total.sum()
        assert (total["members"].to_numpy() == series["members"].to_numpy()).all()
        assert (total["active"].to_numpy() == series["dau"].to_numpy()).all()
        assert (total["threads"].to_numpy() == series["threads"].to_numpy()).all()
        assert (total["replies"].to_numpy() == series["replies"].to_numpy()).all()
    last = groups[(groups.day == 90) & (groups.group_by == "role")].set_index("group")
    roles = np.bincount(run90.population.roles(90)[run90.population.here()], minlength=5)
    assert last["members"].tolist() == roles.tolist()


def test_segment_retention_is_the_share_active_30_days_later():
    model = _model({}, seed=5, members=500)
    model.run(30)
    pop = model.population
    here = pop.here().copy()
    roles = pop.roles(30)[here]
    model.run(30)
    # by hand: of the members present on day 30, by their role then, the share active in the
    # 7 days ending on day 60
    active = pop.last_active_day[here] >= 54
    retention = model.segment_retention()
    for code, name in enumerate(segments.ROLE_NAMES):
        group = retention["role"][name]
        assert group["observed"] == (roles == code).sum()
        if group["observed"]:
            assert group["retention_30"] == pytest.approx(active[roles == code].mean())
    observed = sum(g["observed"] for g in retention["segment"].values())
    assert observed == here.size == sum(g["observed"] for g in retention["tier"].values())
    assert (
        retention["role"]["lurker"]["retention_30"] < retention["role"]["regular"]["retention_30"]
    )
    assert retention["segment"]["casual"]["joiners_retention_30"] is not None


def test_a_run_folder_holds_the_segments_table_and_segment_retention(tmp_path):
    scenario = load_scenario(None, {"community.members": 200, "run.days": 31})
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(31)
    out = write_run(model, tmp_path / "run", scenario)
    table = pd.read_parquet(out / "segments.parquet")
    assert set(table.group_by) == set(segments.GROUPINGS)
    assert len(table) == 31 * (len(segments.ROLE_NAMES) + 3 + len(segments.TIER_NAMES))
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["segments"]) == set(segments.GROUPINGS)
    # the weekly operations report shows them, per role, segment and tier
    report = build_report(out)
    table = report.tables["segments"]
    assert table["group"].tolist() == [
        *segments.ROLE_NAMES,
        "casual",
        "engaged",
        "expert",
        *segments.TIER_NAMES,
    ]
    last = table[table["by"] == "role"]["members"].sum()
    assert last == model.series().set_index("day").at[report.this_week[1], "members"]


# ---- the paired effect -----------------------------------------------------------------------------
def _visit_rate(model: CommunityModel, role: str, after: int = 60) -> float:
    groups = model.segments_frame()
    rows = groups[(groups.group_by == "role") & (groups.group == role) & (groups.day > after)]
    return float(rows["active"].sum() / rows["members"].sum())


def _posts_per_member(model: CommunityModel, role: str, after: int = 60) -> float:
    groups = model.segments_frame()
    rows = groups[(groups.group_by == "role") & (groups.group == role) & (groups.day > after)]
    return float((rows["threads"] + rows["replies"]).sum() / rows["members"].sum())


@pytest.mark.validation  # slow paired comparison: make validate runs it
def test_rewards_aimed_at_core_members_move_core_members_and_not_lurkers():
    """Paired seeds, 1,200 founders, 120 days (days 61-120 measured): points for everyone pull
    lurkers' visits (check-in points) up against no scheme; the same points aimed at core
    members leave lurkers' visits where they were without a scheme and raise core members' posts.
    Fails if the audience is ignored (lurkers then lift as much as with points for all)."""
    lift_all, lift_core, core_posts = [], [], []
    for seed in (1, 2, 3):
        arms = {
            name: _model(strategy, seed=seed, members=1200, market=6000)
            for name, strategy in (
                ("none", {}),
                ("all", {"incentives": {}}),
                ("core", {"incentives": {"audience": {"roles": ["core"]}}}),
            )
        }
        for model in arms.values():
            model.run(120)
        base = _visit_rate(arms["none"], "lurker")
        lift_all.append(_visit_rate(arms["all"], "lurker") - base)
        lift_core.append(_visit_rate(arms["core"], "lurker") - base)
        core_posts.append(
            _posts_per_member(arms["core"], "core") - _posts_per_member(arms["none"], "core")
        )
    assert min(lift_all) > 0.005  # points for all: lurkers visit more
    assert np.mean(lift_core) < np.mean(lift_all) / 3  # aimed at core: lurkers hardly move
    assert min(core_posts) > 0  # core members post more
