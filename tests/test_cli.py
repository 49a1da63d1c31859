"""`commsim run`: outputs, determinism, and bad input rejected with status 2 and nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim import outputs
from sim.cli import HEADLINE, main
from sim.model import DAILY_SERIES
from sim.outputs import RUN_FILES
from sim.scenario import load_scenario

TINY = ["--members", "200", "--days", "20"]


def run_ok(*args: str) -> None:
    assert main(["run", *args]) == 0


def run_fails(capsys, *args: str, status: int = 2) -> str:
    with pytest.raises(SystemExit) as caught:
        main(["run", *args])
    assert caught.value.code == status
    err = capsys.readouterr().err
    assert "commsim: error: " in err
    return err


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "tiny"
    run_ok(*TINY, "--seed", "3", "--out", str(out))
    return out


def test_run_writes_every_output(tiny_run):
    assert sorted(p.name for p in tiny_run.iterdir()) == sorted(RUN_FILES)
    daily = pd.read_parquet(tiny_run / "daily.parquet")
    assert list(daily.columns) == ["day", *DAILY_SERIES]
    assert len(daily) == 20 and list(daily["day"]) == list(range(1, 21))
    cohorts = pd.read_parquet(tiny_run / "cohorts.parquet")
    assert {"first_join_day", "size", "retention_1", "retention_90"} <= set(cohorts.columns)
    summary = json.loads((tiny_run / "summary.json").read_text())
    assert summary["commsim_version"] == sim.__version__
    assert summary["days"] == 20 and summary["members_start"] == 200
    assert summary["scenario"]["run"] == {"days": 20, "seed": 3}
    assert {key for key, _ in HEADLINE} <= set(summary)  # the printed KPIs exist
    assert (tiny_run / "curves.png").read_bytes().startswith(b"\x89PNG")


def test_resolved_scenario_reruns_the_same_run(tiny_run, tmp_path):
    resolved = load_scenario(tiny_run / "scenario.yaml")
    assert resolved.community.members == 200 and resolved.run.seed == 3
    assert json.loads((tiny_run / "summary.json").read_text())["scenario"] == resolved.model_dump()
    run_ok(str(tiny_run / "scenario.yaml"), "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / "daily.parquet").read_bytes() == (
        tiny_run / "daily.parquet"
    ).read_bytes()


def test_same_seed_same_daily_series(tiny_run, tmp_path):
    run_ok(*TINY, "--seed", "3", "--out", str(tmp_path / "same"))
    run_ok(*TINY, "--seed", "4", "--out", str(tmp_path / "other"))
    same = (tmp_path / "same" / "daily.parquet").read_bytes()
    assert same == (tiny_run / "daily.parquet").read_bytes()
    assert not pd.read_parquet(tmp_path / "other" / "daily.parquet").equals(
        pd.read_parquet(tiny_run / "daily.parquet")
    )


def test_prints_where_and_headline_kpis(tmp_path, capsys):
    run_ok(*TINY, "--out", str(tmp_path / "run"))
    out = capsys.readouterr().out
    assert str(tmp_path / "run") in out
    assert "members at end" in out and "newcomer retention at 30 days" in out


def test_default_out_dir_is_timestamped_under_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_ok(*TINY)
    (run,) = (tmp_path / "results").iterdir()
    assert run.name.startswith("run-")
    assert sorted(p.name for p in run.iterdir()) == sorted(RUN_FILES)


# ---- bad input: status 2, a message naming path, value and what is allowed, nothing written ----
@pytest.mark.parametrize(
    ("scenario", "flags", "expected"),
    [
        (None, ["--members", "0"], "community.members: got 0; must be between 1 and 5000000"),
        (None, ["--days", "0"], "run.days: got 0; must be between 1 and 36500"),
        (None, ["--seed", "-1"], "run.seed: got -1; must be between 0"),
        (None, ["--days", "ten"], "argument --days: invalid int value: 'ten'"),
        (None, ["--colour", "red"], "unrecognized arguments: --colour"),
        (
            "behaviour: {aspiratoin: 0.3}",
            [],
            "behaviour.aspiratoin: unknown key (value 0.3); allowed keys: ",
        ),
        (
            "arrivals: {marketing_p: lots}",
            [],
            "arrivals.marketing_p: got 'lots'; expected a number between 0 and 1",
        ),
        (
            "behaviour: {visit_floor: 2}",
            [],
            "behaviour.visit_floor: got 2; must be between 0 and 1",
        ),
        ("[1, 2]", [], "(top level): got [1, 2]; expected a mapping of sections"),
        ("run: {days: 5", [], "YAML syntax error at line 1"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, scenario, flags, expected):
    args = [*TINY, *flags, "--out", str(tmp_path / "out")]
    if scenario is not None:
        (tmp_path / "scenario.yaml").write_text(scenario)
        args.insert(0, str(tmp_path / "scenario.yaml"))
    err = run_fails(capsys, *args)
    assert expected in err
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file(tmp_path, capsys):
    err = run_fails(capsys, str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out"))
    assert "nope.yaml:\n  file not found" in err
    assert not (tmp_path / "out").exists()


def test_refuses_to_replace_a_directory_it_did_not_write(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("precious")
    err = run_fails(capsys, *TINY, "--out", str(tmp_path))
    assert "refusing to replace" in err and "notes.txt" in err
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_replaces_a_previous_run(tmp_path):
    out = tmp_path / "run"
    run_ok(*TINY, "--seed", "1", "--out", str(out))
    run_ok(*TINY, "--seed", "2", "--out", str(out))
    assert json.loads((out / "summary.json").read_text())["scenario"]["run"]["seed"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_failed_write_leaves_nothing_half_written(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    run_ok(*TINY, "--seed", "1", "--out", str(out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_figure(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "curves_figure", broken_figure)
    err = run_fails(capsys, *TINY, "--seed", "2", "--out", str(out), status=1)
    assert "disk full" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # previous run intact
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging left behind
    run_fails(capsys, *TINY, "--out", str(tmp_path / "new"), status=1)
    assert not (tmp_path / "new").exists()


# ---- help and version ---------------------------------------------------------------------------
def test_help_and_version(capsys):
    for argv in (["--help"], ["run", "--help"], ["--version"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "--members N" in out and "SCENARIO" in out
    assert f"commsim {sim.__version__}" in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "commsim: error: " in capsys.readouterr().err


# ---- the installed console script ---------------------------------------------------------------
def test_console_script(tmp_path):
    script = shutil.which("commsim", path=str(Path(sys.executable).parent)) or shutil.which(
        "commsim"
    )
    assert script, "the commsim console script is not installed"
    out = tmp_path / "run"
    done = subprocess.run(
        [script, "run", *TINY, "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "members at end" in done.stdout
    assert yaml.safe_load((out / "scenario.yaml").read_text())["community"]["members"] == 200
