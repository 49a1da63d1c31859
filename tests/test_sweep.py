"""Sweep files: validation, the plan, paired seeds, content-addressed run keys, designs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sweep_helpers import TINY, write_sweep

from sim.experiments.sweep import SweepError, load_sweep, parse_sweep, seed_of

STUDIES = Path(__file__).resolve().parents[1] / "experiments" / "studies"


def tiny(**changes):
    return parse_sweep({**TINY, **changes}, "tiny")


def test_plan_has_every_strategy_and_replication_with_distinct_keys():
    plan = tiny().plan()
    assert len(plan) == 2 * 3
    assert {(p.strategy, p.replication) for p in plan} == {
        (s, r) for s in ("none", "content") for r in range(3)
    }
    assert len({p.key for p in plan}) == 6


def test_adding_strategies_or_replications_keeps_existing_keys():
    before = {(p.strategy, p.point, p.replication): p.key for p in tiny().plan()}
    more = {**TINY["strategies"], "events": {"events": {"calendar": [{"day": 5, "kind": "qa"}]}}}
    after = {
        (p.strategy, p.point, p.replication): p.key
        for p in tiny(strategies=more, replications=5).plan()
    }
    assert all(after[k] == v for k, v in before.items())
    assert len(after) == 3 * 5


def test_key_changes_with_parameters_seed_and_replication():
    base = tiny().plan()[0].key
    assert tiny(seed=8).plan()[0].key != base
    assert tiny(scenario={**TINY["scenario"], "run": {"days": 26}}).plan()[0].key != base
    keys = [p.key for p in tiny().plan() if p.strategy == "none"]
    assert len(set(keys)) == 3


def test_a_key_salt_changes_every_key_and_nothing_else():
    plain = tiny()
    salted = tiny()
    salted.key_salt = "measures v2"
    pairs = zip(plain.plan(), salted.plan(), strict=True)
    assert all(a.key != b.key and (a.strategy, a.replication) == (b.strategy, b.replication)
               for a, b in pairs)  # fmt: skip


def test_validation_runs_are_keyed_by_the_measurement_code(monkeypatch, tmp_path):
    import sim.validation as validation

    seen = []

    def capture(sweep, *args, **kwargs):
        seen.append(sweep)
        raise RuntimeError("captured")

    monkeypatch.setattr(validation, "run_sweep", capture)
    with pytest.raises(RuntimeError, match="captured"):
        validation.measure_group(validation.GROUPS["patterns"], tmp_path, quick=True)
    assert seen[0].key_salt == validation.MEASURES_FINGERPRINT != ""


def test_identical_strategies_share_one_run():
    sweep = tiny(strategies={"a": {"content": {}}, "b": {"content": {}}}, baseline="a")
    plan = sweep.plan()
    by_rep = {}
    for p in plan:
        by_rep.setdefault(p.replication, set()).add(p.key)
    assert all(len(keys) == 1 for keys in by_rep.values())


def test_replication_seed_is_shared_by_strategies_and_spawned_from_root():
    seed = seed_of(7, 2)
    assert seed.entropy == 7 and seed.spawn_key == (2,)
    a = np.random.default_rng(seed_of(7, 2)).random(3)
    b = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(2,))).random(3)
    assert (a == b).all()


def test_strategy_changes_merge_into_the_base_strategy(tmp_path):
    (tmp_path / "base.yaml").write_text(
        "strategy: {hours_per_day: 3, content: {posts_per_day: 1, breadth: 2}}\n"
    )
    sweep = parse_sweep(
        {
            "name": "m",
            "base": "base.yaml",
            "strategies": {"more": {"content": {"posts_per_day": 4}}, "off": None},
        },
        "m",
        tmp_path,
    )
    more = sweep.scenario("more", 0).strategy
    assert more.hours_per_day == 3
    assert more.content.posts_per_day == 4 and more.content.breadth == 2
    assert sweep.scenario("off", 0).strategy is None


def test_grid_design_is_the_full_product_and_sets_the_fields():
    sweep = tiny(
        design={
            "kind": "grid",
            "factors": {
                "arrivals.word_of_mouth_q": [0.003, 0.005],
                "strategy.content.posts_per_day": {"low": 1, "high": 3, "levels": 3},
            },
        }
    )
    assert len(sweep.points) == 6
    assert len(sweep.plan()) == 6 * 2 * 3
    scenario = sweep.scenario("content", 5)
    assert scenario.arrivals.word_of_mouth_q == 0.005
    assert scenario.strategy.content.posts_per_day == 3
    # a lever factor leaves a strategy with no operator alone: its runs are shared across points
    none_keys = {p.key for p in sweep.plan() if p.strategy == "none" and p.replication == 0}
    assert len(none_keys) == 2  # one per word_of_mouth_q value


def test_a_lever_factor_applies_only_to_strategies_using_that_lever():
    sweep = tiny(
        strategies={"staff": {"hours_per_day": 2}, "content": {"content": {"posts_per_day": 1}}},
        baseline="staff",
        design={
            "factors": {
                "strategy.content.posts_per_day": [2, 4],
                "strategy.hours_per_day": [3, 5],
            }
        },
    )
    for point in range(4):
        staff = sweep.scenario("staff", point).strategy
        assert staff.content is None  # no lever added
        assert staff.hours_per_day == sweep.points[point]["strategy.hours_per_day"]
        content = sweep.scenario("content", point).strategy.content
        assert content.posts_per_day == sweep.points[point]["strategy.content.posts_per_day"]


@pytest.mark.parametrize("kind, samples, expected", [("lhs", 10, 10), ("sobol", 8, 8)])
def test_space_filling_designs_stay_in_range(kind, samples, expected):
    sweep = tiny(
        design={
            "kind": kind,
            "samples": samples,
            "factors": {
                "arrivals.market_size": {"low": 500, "high": 900, "integer": True},
                "arrivals.marketing_p": {"low": 1e-4, "high": 1e-2, "log": True},
            },
        }
    )
    assert len(sweep.points) == expected
    sizes = [p["arrivals.market_size"] for p in sweep.points]
    rates = np.array([p["arrivals.marketing_p"] for p in sweep.points])
    assert all(isinstance(s, int) and 500 <= s <= 900 for s in sizes)
    assert (rates >= 1e-4).all() and (rates <= 1e-2).all()
    # on a log scale a Latin hypercube puts about half the points below the geometric middle
    assert 0.2 < (rates < 1e-3).mean() < 0.8
    assert sweep.points == tiny(design=sweep.spec.design.model_dump()).points  # seeded


@pytest.mark.parametrize(
    "kind, samples, rows", [("morris", 4, 4 * 3), ("sobol_indices", 8, 8 * (2 + 2))]
)
def test_sensitivity_designs_have_salib_sizes(kind, samples, rows):
    sweep = tiny(
        design={
            "kind": kind,
            "samples": samples,
            "factors": {
                "arrivals.market_size": {"low": 500, "high": 900, "integer": True},
                "arrivals.marketing_p": {"low": 1e-4, "high": 1e-3},
            },
        }
    )
    assert len(sweep.points) == rows


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"replication": 3}, "replication: unknown key"),
        ({"kpis": ["dau"]}, "kpis[0]: got 'dau'; unknown KPI; allowed: members_end"),
        ({"kpis": ["dua@x"], "windows": {"x": {"first": 1, "last": 5}}}, "unknown daily series"),
        ({"kpis": ["dau@later"]}, "kpis[0]: got 'dau@later'; unknown window 'later'"),
        ({"windows": {"w": {"first": 9, "last": 5}}}, "last (5) must not be before first (9)"),
        (
            {"baseline": "nobody"},
            "baseline: got 'nobody'; must be one of the strategies: none, content",
        ),
        ({"replications": 0}, "replications: got 0; must be between 1 and 100000"),
        ({"name": "a b"}, "name: got 'a b'; must be letters, digits, '_', '.' or '-' (no spaces)"),
        (
            {"strategies": {"x": {"content": {"posts_per_day": -1}}}, "baseline": "x"},
            "strategy 'x':\n  strategy.content.posts_per_day: got -1",
        ),
        ({"scenario": {"comunity": {}}}, "scenario.comunity: unknown section"),
        (
            {
                "design": {
                    "kind": "grid",
                    "factors": {"arrivals.market_size": {"low": 1, "high": 2}},
                }
            },
            "needs levels",
        ),
        ({"design": {"kind": "lhs", "factors": {"arrivals.market_size": [1, 2]}}}, "low/high"),
        ({"design": {"factors": {"market_size": [1, 2]}}}, "dotted path into a scenario section"),
        (
            {
                "design": {
                    "kind": "sobol",
                    "samples": 10,
                    "factors": {"run.days": {"low": 1, "high": 9}},
                }
            },
            "power of two",
        ),
        ({"design": {"factors": {"arrivals.marketing_p": [2.0]}}}, "arrivals.marketing_p: got 2"),
    ],
)
def test_bad_sweeps_are_rejected_naming_the_field(changes, expected):
    with pytest.raises(SweepError) as caught:
        tiny(**changes)
    assert expected in str(caught.value)
    assert str(caught.value).startswith("invalid sweep file tiny")


def test_missing_base_and_bad_yaml_are_reported(tmp_path):
    with pytest.raises(SweepError, match="base: file not found"):
        load_sweep(write_sweep(tmp_path, base="nowhere.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(SweepError, match="YAML syntax error"):
        load_sweep(bad)
    with pytest.raises(SweepError, match="file not found"):
        load_sweep(tmp_path / "absent.yaml")


@pytest.mark.parametrize("study", sorted(STUDIES.glob("*.yaml")), ids=lambda p: p.name)
def test_canonical_studies_load_and_plan(study):
    sweep = load_sweep(study)
    plan = sweep.plan()
    assert len(plan) >= 2 * sweep.spec.replications
    assert sweep.spec.description.strip(), "each study states its question"
