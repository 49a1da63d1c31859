"""Calibration: parameters recovered from a log commsim generated with known values, the outputs a
user gets, resuming, and the pieces of the distance.

Recovery set-up (small, for ``make test``): 800 founders, market 4,000, 120 days; Bass p = 0.0006
and novelty = 0.3 fitted (quit_rate and q known), 2 rounds of 32 runs, 7 accepted per round.
Tolerances, the ones that held on every log seed tried (101, 102, 103 with calibration seeds 1, 2,
3), so the seed the test runs is not a lucky one: p's posterior mean (geometric) is within a factor
``P_FACTOR`` of the truth, novelty's within ``NOVELTY_ABS``, and novelty's 90% interval (5-95% of
the accepted runs) contains the truth. Measured: p's mean 0.68, 1.75 and 0.65 times the truth,
novelty's off by 0.13, 0.05 and 0.01. p's 90% interval is *not* asserted: it missed the truth on
seed 102 (its lower end 2% above it), so at this size it is narrower than a 90% interval should be.
Fitting quit_rate as well is not reliable at this size: novelty and quit_rate trade off (both set
early retention).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibration.activity import ActivityStats
from sim.calibration.fit import (
    Parameter,
    discrepancies,
    distances,
    parse_parameter,
)
from sim.calibration.log import write_log
from sim.cli.core import main
from sim.config import load_scenario
from sim.experiments.sweep import parse_sweep
from sim.model import CommunityModel
from sim.ui.dashboard import Setup, Versus

TRUTH = {"arrivals.marketing_p": 0.0006, "behaviour.novelty": 0.3}
KNOWN = {"behaviour.quit_rate": 0.1}
SIZE = {"community.members": 800, "arrivals.market_size": 4000, "run.days": 120}
P_FACTOR = 2.0
NOVELTY_ABS = 0.15


def _scenario_file(path, values: dict):
    scenario = load_scenario(None, {**SIZE, **values})
    path.write_text(yaml.safe_dump(scenario.model_dump(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    """A log generated with TRUTH (seed 103), calibrated from the default values (seed 3)."""
    folder = tmp_path_factory.mktemp("recovery")
    truth = load_scenario(_scenario_file(folder / "truth.yaml", {**TRUTH, **KNOWN}))
    log = folder / "log.csv"
    write_log(CommunityModel(**truth.model_kwargs(), rng=103), truth.run.days, log)
    base = _scenario_file(folder / "base.yaml", KNOWN)
    args = ["calibrate", str(log), "--scenario", str(base), "--only", "--samples", "32",
            "--check", "1", "--backend", "serial", "--quiet", "--out", str(folder / "fit"),
            "--seed", "3",
            "--param", "arrivals.marketing_p=0.00003:0.003:log",
            "--param", "behaviour.novelty=0.05:0.95"]  # fmt: skip
    assert main(args) == 0
    return folder, args


def test_parameters_are_recovered(recovered):
    folder, _ = recovered
    posterior = pd.read_csv(folder / "fit" / "posterior.csv", index_col="parameter")
    novelty, p = posterior.loc["behaviour.novelty"], posterior.loc["arrivals.marketing_p"]
    true_novelty, true_p = TRUTH["behaviour.novelty"], TRUTH["arrivals.marketing_p"]
    assert novelty["q05"] <= true_novelty <= novelty["q95"], dict(novelty)
    assert abs(novelty["mean"] - true_novelty) <= NOVELTY_ABS, novelty["mean"]
    assert 1 / P_FACTOR <= p["mean"] / true_p <= P_FACTOR, p["mean"]


def test_outputs_are_usable(recovered, tmp_path):
    folder, args = recovered
    out = folder / "fit"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["calibrated.yaml", "report.md", "fit.png", "posterior.csv", "samples.csv", "observed.json"]
    )
    calibrated = load_scenario(out / "calibrated.yaml")  # what `commsim run` loads
    posterior = pd.read_csv(out / "posterior.csv", index_col="parameter")
    assert calibrated.arrivals.marketing_p == pytest.approx(
        posterior.loc["arrivals.marketing_p", "mean"], rel=1e-5
    )
    assert calibrated.community.members == SIZE["community.members"]
    assert calibrated.run.days == SIZE["run.days"]
    assert (
        main(["run", str(out / "calibrated.yaml"), "--days", "5", "--out", str(tmp_path / "r")])
        == 0
    )
    sweep = parse_sweep({"name": "s", "base": str(out / "calibrated.yaml")}, "t", tmp_path)
    assert sweep.scenario("base", 0).behaviour.novelty == calibrated.behaviour.novelty
    versus = Versus(Setup.from_scenario(str(out / "calibrated.yaml")))  # the dashboard's model
    versus.step()
    assert versus.a.rules == calibrated.rules()
    assert versus.a.marketing_p == calibrated.arrivals.marketing_p
    report = (out / "report.md").read_text(encoding="utf-8")
    for text in ("`arrivals.marketing_p`", "90% interval", "retention at 30 days", "fit.png"):
        assert text in report
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 64 and samples["accepted"].sum() == 2 * 7
    # rerunning finds every simulation stored: the same fit, nothing simulated again
    runs = folder / "fit.runs"
    stamps = {p: p.stat().st_mtime_ns for p in runs.rglob("*.parquet")}
    assert main(args) == 0
    assert {p: p.stat().st_mtime_ns for p in runs.rglob("*.parquet")} == stamps
    pd.testing.assert_frame_equal(pd.read_csv(out / "posterior.csv", index_col="parameter"),
                                  posterior)  # fmt: skip


def test_discrepancies_are_zero_for_the_same_log_and_grow_with_difference():
    model = CommunityModel(members=300, market_size=1500, rng=3)
    from sim.calibration.log import simulated_stats

    same = simulated_stats(model, 60).finish()
    assert all(v == 0 for v in discrepancies(same, same).values())
    other = simulated_stats(CommunityModel(members=300, market_size=3000, rng=3), 60).finish()
    found = discrepancies(other, same)
    assert found["joins"] > 0.3  # twice the market, about twice the joins
    table = pd.DataFrame([found, discrepancies(same, same), found])
    found_distances = distances(table)  # each KPI scaled by its median: here the first row's
    assert found_distances[1] == 0
    assert found_distances[0] == found_distances[2]
    assert 0 < found_distances[0] <= 1


def test_kpis_a_log_cannot_show_are_left_out():
    stats = ActivityStats()
    stats.add(np.array([1, 2]), np.array([0, 3]), np.array([0, 0]))
    short = stats.finish()
    assert "retention_30" not in discrepancies(short, short)
    assert "first_post_reply_share" not in discrepancies(short, short)


def test_parse_parameter():
    assert parse_parameter("behaviour.quit_rate=0.001:0.01") == Parameter(
        "behaviour.quit_rate", 0.001, 0.01
    )
    assert parse_parameter("arrivals.market_size=1000:50000:log:int") == Parameter(
        "arrivals.market_size", 1000, 50000, log=True, integer=True
    )
    for bad in ("quit_rate=0.1:0.2", "behaviour.quit_rate=a:b", "behaviour.quit_rate=0:1:log",
                "behaviour.quit_rate=0.1:0.2:cubic"):  # fmt: skip
        with pytest.raises(ValueError, match="--param"):
            parse_parameter(bad)
