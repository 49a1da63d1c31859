"""``commsim validate``: checks, the Bass fit, the page, the CLI, and the quick validation itself.

The quick validation (3 replications of shorter runs, about a minute on 2 cores) runs once per
session and must pass every band quick mode checks; the full validation is marked ``validation``.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sim.cli import core as cli
from sim.validation import GROUPS, TARGETS, Check, Validation, validate
from sim.validation import targets as validation_targets
from sim.validation.checks import failed_checks
from sim.validation.measures import window_mean
from sim.validation.page import table_of, write_page
from sim.validation.targets import bass_cumulative, bass_peak_day, fit_bass


# ---- checks ----------------------------------------------------------------------------------------
def test_a_band_check_judges_the_mean_and_a_sign_check_the_whole_interval():
    noisy_positive = (3.0, -1.0, 2.5, -0.5)  # mean 1 > 0, but the interval spans 0
    assert Check("X", "level", noisy_positive, 0, None).passed
    assert not Check("X", "sign", noisy_positive, 0, None, sign=True).passed
    assert Check("X", "sign", (1.0, 1.2, 0.9, 1.1), 0, None, sign=True).passed
    assert Check("X", "down", (-1.0, -1.2, -0.9), None, 0, sign=True).passed
    assert not Check("X", "band", (5.0, 6.0), 1, 4).passed


def test_a_check_with_no_finite_value_or_a_reason_is_not_measurable_and_fails():
    for check in (
        Check("X", "nan", (np.nan, np.nan), 0, 1),
        Check("X", "reason", (0.5,), 0, 1, reason="the model has no such mechanism"),
    ):
        assert not check.passed
        assert check.verdict() == "not measurable"
        assert failed_checks([check]) == [check]


def test_quick_mode_reports_but_does_not_judge_checks_it_does_not_check():
    loose = Check("X", "needs 30 replications", (9.0, 9.5), 0, 1, quick=False)
    assert loose.verdict(quick=True) == "(not checked)"
    assert failed_checks([loose], quick=True) == []
    assert failed_checks([loose], quick=False) == [loose]


def test_the_interval_is_a_t_interval_over_replications():
    values = (1.0, 2.0, 3.0, 4.0)
    lo, hi = Check("X", "t", values, None, None).ci
    half = 3.182446 * np.std(values, ddof=1) / 2  # t(0.975, 3) * sd / sqrt(4)
    assert (lo, hi) == pytest.approx((2.5 - half, 2.5 + half), rel=1e-5)


# ---- measurements ------------------------------------------------------------------------------------
def test_bass_least_squares_recovers_p_q_and_m_of_a_noise_free_discrete_path():
    p, q, m = 0.003, 0.06, 5000.0
    cumulative, joins = 0.0, []
    for _ in range(200):
        today = (p + q * cumulative / m) * (m - cumulative)
        joins.append(today)
        cumulative += today
    fitted = fit_bass(np.array(joins))
    assert fitted == pytest.approx((p, q, m), rel=1e-6)


def test_the_bass_curve_peaks_at_t_star():
    p, q = 0.003, 0.06
    days = np.linspace(0, 150, 15001)
    daily = np.gradient(bass_cumulative(days, p, q, 1.0), days)
    assert days[np.argmax(daily)] == pytest.approx(bass_peak_day(p, q), abs=0.02)
    assert bass_peak_day(p, q) == pytest.approx(math.log(20) / 0.063)


def test_window_means_of_derived_series():
    series = pd.DataFrame(
        {
            "day": [1, 2, 3, 4],
            "threads": [1, 2, 3, 4],
            "replies": [1, 1, 1, 1],
            "dau": [10, 10, 20, 20],
            "members": [100, 100, 100, 100],
        }
    )
    assert window_mean(series, "posts", (2, 3)) == pytest.approx(3.5)
    assert window_mean(series, "sessions", (3, None)) == pytest.approx(0.2)


def test_every_target_of_evidence_md_is_measured_by_some_group():
    measured = {t for group in GROUPS.values() for t in group.targets}
    assert measured == set(TARGETS)


def test_every_group_is_a_valid_sweep_in_both_modes():
    from sim.experiments.sweep import parse_sweep

    for group in GROUPS.values():
        for quick in (True, False):
            sweep = parse_sweep(group.sweep(quick))
            reps = validation_targets.REPLICATIONS["quick" if quick else "full"]
            assert sweep.spec.replications == reps
            assert len(sweep.plan()) == reps * len(sweep.spec.strategies)


# ---- the page and the CLI ----------------------------------------------------------------------------
def test_the_page_has_the_table_and_cites_each_source(tmp_path):
    checks = [
        Check("P-1", "Gini of posts per member", (0.95, 0.96), 0.8, None),
        Check("G-4", "posts, badge vs none (%)", (-1.0, 1.0), 0, None, sign=True),
    ]
    page = write_page(checks, tmp_path, False, {"patterns": 1.0}, "commsim validate")
    text = page.read_text(encoding="utf-8")
    assert TARGETS["P-1"].source in text and TARGETS["G-4"].source in text
    assert "| P-1 | Gini of posts per member | ≥ 0.8 | 0.955 |" in text
    assert "G-4: badges' net effect (fails)" in text
    table = pd.read_csv(tmp_path / "validation.csv")
    assert list(table["result"]) == ["pass", "FAIL"]
    assert (tmp_path / "validation.html").read_text(encoding="utf-8").count("</tr>") == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--only", "Z-9"],
        ["validate", "--address", "tcp://127.0.0.1:1"],
        ["validate", "--backend", "serial", "--workers", "2"],
    ],
)
def test_bad_validate_arguments_exit_with_status_2(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--out", str(tmp_path / "v")])
    assert exit_info.value.code == 2
    assert not (tmp_path / "v").exists()


def test_strict_exits_1_only_when_a_checked_target_fails(monkeypatch, tmp_path, capsys):
    def fake(checks):
        def run(out, quick=False, **kwargs):
            return Validation(out, quick, checks, {"g": 0.0})

        return run

    passing = [Check("P-1", "a", (1.0, 1.0), 0, 2)]
    failing = [*passing, Check("B-1", "b", (5.0, 5.0), 0, 2)]
    argv = ["validate", "--quick", "--out", str(tmp_path), "--quiet"]
    monkeypatch.setattr("sim.validation.validate", fake(passing))
    assert cli.main([*argv, "--strict"]) == 0
    monkeypatch.setattr("sim.validation.validate", fake(failing))
    assert cli.main(argv) == 0
    assert cli.main([*argv, "--strict"]) == 1
    assert "fail (B-1)" in capsys.readouterr().out


# ---- the quick validation ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validation-quick")
    return validate(folder, quick=True, workers=2, progress=False)


def test_the_quick_validation_passes_every_band_it_checks(quick):
    assert not quick.failed_runs
    failed = quick.failed()
    assert not failed, "\n".join(c.line(quick=True) for c in failed)
    checked = {c.target for c in quick.checks if c.quick}
    assert {"P-1", "P-2", "P-3", "R-1", "R-2", "B-1", "G-5", "RK-1", "W-1"} <= checked


def test_the_quick_validation_measures_every_target_and_writes_the_page(quick):
    assert {c.target for c in quick.checks} == set(TARGETS)
    # every check quick mode judges has a value (retention(300) needs runs longer than quick's)
    assert [c.measure for c in quick.checks if c.quick and not c.measurable] == []
    page = write_page(quick.checks, quick.folder, True, quick.seconds, "commsim validate --quick")
    for figure in ("R-2", "G-1", "G-5", "B-1", "W-1"):
        assert (quick.folder / "figures" / f"{figure}.png").stat().st_size > 0
    assert "reported only" in page.read_text(encoding="utf-8")
    assert len(table_of(quick.checks, True)) == len(quick.checks)


def test_a_rerun_resumes_from_the_stored_runs(quick):
    again = validate(quick.folder, quick=True, workers=2, progress=False, only=["B-1"])
    before = [c.values for c in quick.checks if c.target == "B-1"]
    assert [c.values for c in again.checks] == before


# ---- the full validation (slow) ------------------------------------------------------------------------
@pytest.mark.validation
def test_the_default_parameters_pass_every_pattern_target_at_once(tmp_path):
    outcome = validate(
        tmp_path, workers=2, progress=False, only=["P-1", "P-2", "P-3", "R-1", "R-2"]
    )
    failed = outcome.failed()
    assert not failed, "\n".join(c.line() for c in failed)
