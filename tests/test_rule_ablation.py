"""``benchmarks/diagnostics/rule_ablation.py`` (issue 15: how much of a calibrated scenario's fit
does one fitted field carry by itself?): the scenario as fitted and with one field changed, the
same seeds, measured from contributions only."""

import numpy as np
import pytest

from sim.config import load_scenario
from sim.config.loading import apply_overrides, validate_scenario
from tests.script_helpers import ROOT, load_script

rule_ablation = load_script("benchmarks/diagnostics/rule_ablation.py")
SCENARIO = ROOT / "tests/fixtures/calibrated/quantumcomputing.yaml"


def _variant(changes: dict):
    base = load_scenario(str(SCENARIO), {}).model_dump(mode="json")
    return validate_scenario(apply_overrides(base, changes), str(SCENARIO))


def test_the_same_scenario_and_seed_measure_the_same_and_a_changed_rule_does_not():
    fitted = rule_ablation.measure(_variant({}), [1])
    again = rule_ablation.measure(_variant({"behaviour.continuation": 0.0}), [1])  # off already
    assert again == fitted
    assert set(fitted) == {"retention_30", "retention_90", "top1_post_share", "weekly", "newcomers"}
    assert 0 < fitted["top1_post_share"] < 1 and fitted["weekly"] > 0 and fitted["newcomers"] > 0
    more = rule_ablation.measure(_variant({"behaviour.continuation": 2.0}), [1])
    assert more["weekly"] > 1.3 * fitted["weekly"], (more, fitted)


def test_the_command_prints_a_row_for_the_fitted_value_and_each_asked(capsys):
    rule_ablation.main([str(SCENARIO), "behaviour.continuation", "2", "--seeds", "1"])
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 4  # the title, the header, as fitted (0), at 2
    assert rows[2].split()[0] == "0" and rows[3].split()[0] == "2"


def test_the_paired_interval_is_the_mean_difference_and_its_t_interval_by_hand():
    fitted = np.array([[0.1, 1.0], [0.2, 2.0], [0.3, np.nan]])
    changed = np.array([[0.2, 1.5], [0.2, 2.5], [0.5, 4.0]])
    mean, half = rule_ablation.paired_interval(changed, fitted)
    # column 0: differences 0.1, 0, 0.2 (sd 0.1, 3 seeds); column 1: 0.5, 0.5 (the NaN seed left out)
    assert mean == pytest.approx([0.1, 0.5])
    assert half[0] == pytest.approx(4.302653 * 0.1 / np.sqrt(3), rel=1e-5)
    assert half[1] == pytest.approx(0.0)
    single = rule_ablation.paired_interval(changed[:1], fitted[:1])[1]
    assert np.isnan(single).all()  # one seed: no interval


def test_set_holds_a_second_field_in_every_row_and_the_change_is_printed(capsys):
    seeds = ["1", "2"]
    rule_ablation.main(
        [
            str(SCENARIO),
            "behaviour.habit_gain",
            "0",
            "--set",
            "behaviour.continuation=2",
            "--seeds",
            *seeds,
        ]
    )
    rows = capsys.readouterr().out.strip().splitlines()
    assert "with behaviour.continuation=2" in rows[0]
    assert len(rows) == 5  # the title, the header, as fitted, at 0, the paired change
    held = rule_ablation.measure(_variant({"behaviour.continuation": 2.0}), [1, 2])
    assert float(rows[2].split()[4]) == pytest.approx(held["weekly"], abs=0.05)
    assert rows[4].startswith("    change") and "(paired, 95%)" in rows[4]


def test_a_member_mix_field_is_set_in_every_segment_and_an_unknown_field_is_named():
    base = load_scenario(str(SCENARIO), {}).model_dump(mode="json")
    assert len(base["member_mix"]) > 1
    wider = rule_ablation.changed(base, "member_mix.spread", 0.9)
    assert [segment["spread"] for segment in wider["member_mix"]] == [0.9] * len(base["member_mix"])
    assert rule_ablation.changed(base, "behaviour.habit_gain", 0.0)["behaviour"]["habit_gain"] == 0
    with pytest.raises(SystemExit, match=r"behaviour\.no_such_rule: no such scenario field"):
        rule_ablation.changed(base, "behaviour.no_such_rule", 1.0)
    with pytest.raises(SystemExit, match=r"mix\.spread: no such scenario field"):
        rule_ablation.changed(base, "mix.spread", 1.0)
