"""Paired comparison, the report and sensitivity analysis of stored sweeps; the sweep CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sweep_helpers import write_sweep

from sim.cli.core import main
from sim.experiments.analysis import Results, bootstrap_ci, paired_differences
from sim.experiments.report import headline_table, write_report
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import load_sweep


def _summaries(base, other):
    rows = [
        {"strategy": s, "point": 0, "replication": r, "stored": True, "kpi": v}
        for s, values in (("a", base), ("b", other))
        for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_paired_difference_uses_pairs_not_means():
    # b is a + 1 in every replication, while the replications themselves differ widely
    base = np.array([10.0, 50.0, 90.0, 30.0, 70.0])
    table = paired_differences(_summaries(base, base + 1), "a", ["kpi"], [])
    row = table.iloc[0]
    assert row["difference"] == pytest.approx(1.0)
    assert row["ci_low"] == pytest.approx(1.0) and row["ci_high"] == pytest.approx(1.0)
    assert row["pairs"] == 5 and row["relative"] == pytest.approx(1 / 50)


def test_bootstrap_interval_covers_the_mean_and_narrows_with_more_pairs():
    rng = np.random.default_rng(0)
    few, many = rng.normal(2, 1, 10), rng.normal(2, 1, 400)
    low, high = bootstrap_ci(few, np.random.default_rng(1))
    assert low < few.mean() < high
    wide = high - low
    low, high = bootstrap_ci(many, np.random.default_rng(1))
    assert low < 2 < high and high - low < wide / 3
    assert np.isnan(bootstrap_ci(np.array([1.0]), np.random.default_rng(1))[0])


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    sweep = load_sweep(write_sweep(folder, replications=4))
    run_sweep(sweep, folder / "out", backend="serial", progress=False)
    return Results(folder / "out")


def test_results_read_back_as_data_frames(tiny_results):
    frame = tiny_results.summaries()
    assert len(frame) == 8 and frame["stored"].all()
    assert set(frame["strategy"]) == {"none", "content"}
    assert frame["money_spent"].ge(0).all()
    assert (frame.loc[frame["strategy"] == "none", "money_spent"] == 0).all()
    series = tiny_results.series(frame["key"].iloc[0], ["day", "dau"])
    assert list(series.columns) == ["day", "dau"] and len(series) == 25


def test_compare_matches_a_hand_computed_paired_difference(tiny_results):
    frame = tiny_results.summaries().set_index(["strategy", "replication"])
    expected = (frame.loc["content", "members_end"] - frame.loc["none", "members_end"]).mean()
    table = tiny_results.compare()
    row = table[(table["strategy"] == "content") & (table["kpi"] == "members_end")].iloc[0]
    assert row["difference"] == pytest.approx(expected)
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    assert set(table["kpi"]) == set(tiny_results.kpis)


def test_window_kpis_average_a_daily_series_over_the_window(tmp_path):
    windows = {"early": {"first": 1, "last": 10}, "late": {"first": 16, "last": 25}}
    sweep = load_sweep(
        write_sweep(tmp_path, replications=2, windows=windows, kpis=["dau@early", "replies@late"])
    )
    run_sweep(sweep, tmp_path / "out", backend="serial", progress=False)
    results = Results(tmp_path / "out")
    row = results.summaries().iloc[0]
    series = results.series(row["key"]).set_index("day")
    assert row["dau@early"] == pytest.approx(series.loc[1:10, "dau"].mean())
    assert row["replies@late"] == pytest.approx(series.loc[16:25, "replies"].mean())
    assert set(results.compare()["kpi"]) == {"dau@early", "replies@late"}
    assert (
        "| daily actives, early (days 1-10) | replies per day, late (days 16-25) |"
        in (write_report(results) / "report.md").read_text()
    )


def test_bands_are_the_mean_over_runs(tiny_results):
    bands = tiny_results.bands(["dau"])
    runs = tiny_results.summaries()
    keys = runs.loc[runs["strategy"] == "none", "key"]
    mean = np.mean([tiny_results.series(k, ["dau"])["dau"].to_numpy() for k in keys], axis=0)
    mine = bands[(bands["strategy"] == "none") & (bands["series"] == "dau")]
    np.testing.assert_allclose(mine["mean"], mean)
    assert (mine["low"] <= mine["mean"]).all() and (mine["high"] >= mine["mean"]).all()


def test_report_has_headline_figures_and_both_formats(tiny_results, tmp_path):
    folder = write_report(tiny_results, tmp_path / "report")
    markdown = (folder / "report.md").read_text()
    page = (folder / "report.html").read_text()
    for figure in ("series", "retention", "cost", "differences"):
        assert (folder / "figures" / f"{figure}.png").stat().st_size > 10_000
        assert f"figures/{figure}.png" in markdown and f"figures/{figure}.png" in page
    assert "| strategy |" in markdown and "(baseline)" in markdown
    assert "<table" in page and "content" in page
    table = headline_table(tiny_results)
    assert list(table.index) == ["none", "content"]
    assert table.loc["content", "members_end"].count("[") == 1  # difference with its interval
    assert not list(tmp_path.glob(".report*"))  # nothing left half-built


def test_design_report_has_a_heatmap(tmp_path):
    design = {
        "kind": "grid",
        "factors": {
            "arrivals.word_of_mouth_q": [0.002, 0.006],
            "strategy.content.posts_per_day": [1, 3],
        },
    }
    sweep = load_sweep(write_sweep(tmp_path, replications=2, design=design))
    run_sweep(sweep, tmp_path / "out", backend="serial", progress=False)
    results = Results(tmp_path / "out")
    by_point = results.compare()
    assert set(by_point["point"]) == {0, 1, 2, 3}
    assert {"arrivals.word_of_mouth_q", "strategy.content.posts_per_day"} <= set(by_point)
    folder = write_report(results)
    assert (folder / "figures" / "design.png").exists()


def test_morris_screening_finds_the_factor_that_matters(tmp_path):
    pytest.importorskip("SALib")
    design = {
        "kind": "morris",
        "samples": 4,
        "factors": {
            "arrivals.market_size": {"low": 200, "high": 3000, "integer": True},
            "strategy.budget": {"low": 100, "high": 10000},  # no lever spends money: no effect
        },
    }
    sweep = load_sweep(
        write_sweep(
            tmp_path,
            replications=1,
            design=design,
            strategies={"ops": {"hours_per_day": 1}},
            baseline="ops",
        )
    )
    run_sweep(sweep, tmp_path / "out", backend="serial", progress=False)
    from sim.experiments.sensitivity import analyse

    results = Results(tmp_path / "out")
    table = analyse(results, kpis=["members_end"]).set_index("factor")
    assert table.loc["arrivals.market_size", "mu_star"] > 0
    assert table.loc["strategy.budget", "mu_star"] == 0
    folder = write_report(results)
    assert (folder / "figures" / "sensitivity-ops.png").exists()
    assert "mu_star" in (folder / "report.md").read_text()


def test_sobol_indices_of_an_irrelevant_factor_are_zero(tmp_path):
    pytest.importorskip("SALib")
    design = {
        "kind": "sobol_indices",
        "samples": 8,
        "factors": {
            "arrivals.market_size": {"low": 200, "high": 3000, "integer": True},
            "strategy.budget": {"low": 100, "high": 10000},
        },
    }
    sweep = load_sweep(
        write_sweep(
            tmp_path,
            replications=1,
            design=design,
            strategies={"ops": {"hours_per_day": 1}},
            baseline="ops",
        )
    )
    run_sweep(sweep, tmp_path / "out", backend="serial", progress=False)
    from sim.experiments.sensitivity import analyse

    table = analyse(Results(tmp_path / "out"), kpis=["joins"]).set_index("factor")
    assert table.loc["strategy.budget", "ST"] == pytest.approx(0, abs=1e-12)
    assert table.loc["arrivals.market_size", "ST"] > 0.5


def test_cli_sweep_compare_report(tmp_path, capsys):
    sweep_file = write_sweep(tmp_path, replications=2)
    out = tmp_path / "out"
    assert (
        main(
            [
                "sweep",
                str(sweep_file),
                "--out",
                str(out),
                "--backend",
                "serial",
                "--quiet",
                "--report",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "4 runs stored, 0 already there, 0 failed" in printed
    assert "report.html" in printed and "members at the end" in printed
    assert (out / "report" / "report.html").exists()
    assert (
        main(["compare", str(out), "--kpi", "members_end", "--csv", str(tmp_path / "c.csv")]) == 0
    )
    assert "content" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "c.csv")["kpi"].tolist() == ["members_end"]
    # a second call resumes: nothing left to run
    main(["sweep", str(sweep_file), "--out", str(out), "--backend", "serial", "--quiet"])
    assert "0 runs stored, 4 already there" in capsys.readouterr().out
    # another experiment is never mixed into this one's folder
    other = write_sweep(tmp_path, "other.yaml", name="other")
    with pytest.raises(SystemExit) as caught:
        main(["sweep", str(other), "--out", str(out), "--backend", "serial", "--quiet"])
    assert caught.value.code == 2
    assert "holds the results of experiment 'tiny'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "{tmp}/nowhere"], "holds no sweep"),
        (["sweep", "{tmp}/absent.yaml"], "file not found"),
        (["sweep", "{sweep}", "--address", "tcp://x:1"], "--address needs --backend dask"),
        (["sweep", "{sweep}", "--workers", "0"], "must be at least 1"),
        (["calibrate", "{tmp}/log.csv", "--particles", "1"], "must be at least 2"),  # two halves
        (["sweep", "{sweep}", "--backend", "mpi"], "invalid choice: 'mpi'"),
        (["compare", "{tmp}", "--kpi", "dau"], "unknown KPI 'dau'"),
        (["sensitivity", "{tmp}/nowhere"], "holds no sweep"),
        (["sweep", "{sweep}", "--out", "{tmp}"], "is not empty and holds no sweep"),
    ],
)
def test_cli_errors_exit_2_and_write_nothing(tmp_path, capsys, argv, message):
    sweep_file = write_sweep(tmp_path)
    argv = [a.format(tmp=tmp_path, sweep=sweep_file) for a in argv]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


def test_bad_sweep_file_exits_2_before_writing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sweep_file = write_sweep(tmp_path, kpis=["happiness"])
    with pytest.raises(SystemExit) as caught:
        main(["sweep", str(sweep_file)])
    assert caught.value.code == 2
    assert "kpis[0]: got 'happiness'; unknown KPI" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("command", ["sweep", "compare", "report", "sensitivity"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    assert "usage: commsim " + command in capsys.readouterr().out


def test_the_api_example_runs(tmp_path):
    """experiments/api_example.py, the documented Python API, with the process backend."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [
            sys.executable,
            "experiments/api_example.py",
            "--replications",
            "2",
            "--members",
            "200",
            "--out",
            str(tmp_path / "api"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "10 runs stored, 0 already there, 0 failed" in done.stdout
    assert "tangible" in done.stdout and "report.html" in done.stdout
    assert (tmp_path / "api" / "report" / "report.md").exists()


def test_the_objective_of_a_stored_sweep_with_more_strategies_than_a_file_allows():
    """A sweep written by code (the sign atlas has 103 arms) may hold more strategies than a sweep
    file may (100): its objective is read from the stored spec's own fields, not by validating
    the whole spec as a file again."""
    results = Results.__new__(Results)  # the stored plan alone; no runs needed
    results.spec = {
        "strategies": {f"arm-{i:03d}": None for i in range(103)},
        "kpis": ["members_end", "dau_last30"],
        "objective": None,
    }
    assert (results.objective.kpi, results.objective.direction) == ("members_end", "increase")
    results = Results.__new__(Results)
    results.spec = {
        "strategies": {f"arm-{i:03d}": None for i in range(103)},
        "kpis": ["members_end"],
        "objective": {"kpi": "leaves", "direction": "decrease"},
    }
    assert (results.objective.kpi, results.objective.direction) == ("leaves", "decrease")
