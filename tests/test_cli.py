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
from sim.cli.core import HEADLINE, OPERATOR_HEADLINE, main
from sim.config import Scenario, json_schema, load_scenario
from sim.config.docs import (
    GENERATED,
    REFERENCE_FILE,
    REGENERATE,
    SCHEMA_FILE,
    STATES_FILE,
    render_reference,
    write_docs,
)
from sim.experiments import outputs
from sim.experiments.outputs import RUN_FILES, curves_figure
from sim.model import daily_series

ROOT = Path(__file__).resolve().parents[1]
STRATEGY = """
strategy:
  hours_per_day: 3
  budget: 500
  content: {posts_per_day: 3}
  onboarding: {}
  incentives: {tangible: true, redeem_at: 50, badges: [{action: checkin, threshold: 2}]}
"""

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
    assert list(daily.columns) == ["day", *daily_series()]
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


# ---- a run with an operator ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def operator_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("operator")
    (folder / "scenario.yaml").write_text(STRATEGY)
    out = folder / "run"
    run_ok(str(folder / "scenario.yaml"), *TINY, "--out", str(out))
    return out


def test_operator_run_reports_spend_and_reruns(operator_run, tmp_path, capsys):
    summary = json.loads((operator_run / "summary.json").read_text())
    daily = pd.read_parquet(operator_run / "daily.parquet")
    assert summary["money_spent"] == pytest.approx(daily["money_spent"].sum())
    assert summary["hours_short"] == pytest.approx(daily["hours_short"].sum())
    assert summary["points_liability_end"] == daily["points_liability"].iloc[-1]
    assert daily["operator_posts"].sum() > 0 and daily["hours_used"].max() <= 3 + 1e-9
    resolved = load_scenario(operator_run / "scenario.yaml")
    assert resolved.strategy is not None and resolved.strategy.content.posts_per_day == 3
    capsys.readouterr()
    run_ok(str(operator_run / "scenario.yaml"), "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / "daily.parquet").read_bytes() == (
        operator_run / "daily.parquet"
    ).read_bytes()
    out = capsys.readouterr().out
    for _, label in OPERATOR_HEADLINE:
        assert label in out


def test_headline_without_an_operator_has_no_spend(tiny_run, tmp_path, capsys):
    run_ok(*TINY, "--out", str(tmp_path / "run"))
    out = capsys.readouterr().out
    assert not any(label in out for _, label in OPERATOR_HEADLINE)
    assert "money_spent" not in json.loads((tiny_run / "summary.json").read_text())


def _panel_titles(figure) -> list[str]:
    return [ax.get_title(loc="left") for ax in figure.axes if ax.get_title(loc="left")]


def test_figure_has_operator_panels_only_with_a_strategy(operator_run):
    daily = pd.read_parquet(operator_run / "daily.parquet")
    plain = ["Members", "Active members", "Posts per day", "Commitment"]
    assert _panel_titles(curves_figure(daily)) == plain
    strategy = load_scenario(operator_run / "scenario.yaml").strategy
    figure = curves_figure(daily, strategy=strategy)
    assert _panel_titles(figure) == [*plain, "Operator (hours: 7-day mean)", "Levers (7-day mean)"]
    operator, levers = (ax for ax in figure.axes if ax.get_title(loc="left").startswith(("O", "L")))
    legend = [t.get_text() for t in operator.get_legend().get_texts()]
    assert {"hours used", "hours available", "money spent (cumulative)", "budget"} <= set(legend)
    shown = {t.get_text() for t in levers.get_legend().get_texts()}
    assert {"operator posts", "welcomes sent", "points issued"} <= shown
    assert "winback sent" not in shown  # a lever not in the strategy draws nothing


# ---- commsim schema -----------------------------------------------------------------------------
def test_schema_is_the_scenario_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json_schema()
    assert set(Scenario.model_fields) <= set(schema["properties"])
    members = schema["$defs"]["Community"]["properties"]["members"]
    assert members["description"] == "members on day 0 (the founders)"
    assert (members["minimum"], members["maximum"], members["default"]) == (1, 5_000_000, 2000)
    assert members["unit"] == "members"
    mode = schema["$defs"]["Moderation"]["properties"]["mode"]
    assert mode["enum"] == ["none", "community", "personalized"]
    # defaults made by a factory are shown too
    mix = schema["properties"]["member_mix"]["default"]
    assert [segment["name"] for segment in mix] == ["casual", "engaged", "expert"]


def test_schema_out_file_and_markdown(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == json_schema()
    assert main(["schema", "--markdown"]) == 0
    assert capsys.readouterr().out.endswith(render_reference())
    with pytest.raises(SystemExit) as caught:
        main(["schema", "--out", str(tmp_path / "missing" / "s.json")])
    assert caught.value.code == 1


@pytest.mark.parametrize("committed", GENERATED)
def test_committed_docs_match_the_scenario_models(committed):
    """docs/scenario-reference.md, docs/scenario.schema.json and docs/member-states.md."""
    text = (ROOT / committed).read_text(encoding="utf-8")
    fresh = GENERATED[committed]()
    assert text == fresh, f"{committed} is out of date; regenerate it: {REGENERATE}"


def test_write_docs_writes_every_generated_page(tmp_path):
    (tmp_path / "docs").mkdir()
    written = {path.relative_to(tmp_path).as_posix() for path in write_docs(tmp_path)}
    assert written == {REFERENCE_FILE, SCHEMA_FILE, STATES_FILE}
    schema = (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8")
    assert schema == json.dumps(json_schema(), indent=2) + "\n"  # as `commsim schema` prints it


def test_reference_covers_every_field():
    reference = render_reference()
    for path in (
        "community.members",
        "member_mix[].toxic",
        "behaviour.lure_rate",
        "strategy.events.calendar[].kind",
        "strategy.incentives.badges[].threshold",
        "strategy.recruitment.campaigns[].cost_per_join",
        "strategy.content.formats.<name>.hours",
        "strategy.incentives.points",
        "uncertainties.trend.topic",
        "run.seed",
    ):
        assert f"| `{path}` |" in reference, path
    assert (
        "| `strategy.moderation.mode` | none, community or personalized |  | `community` | "
        "one of `none`, `community`, `personalized` |" in reference
    )
    assert "| `arrivals.marketing_p` | daily share" in reference
    assert "| share per day | `0.0003` | number, 0 to 1 |" in reference


# ---- help and version ---------------------------------------------------------------------------
def test_help_and_version(capsys):
    for argv in (["--help"], ["run", "--help"], ["schema", "--help"], ["--version"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "--members N" in out and "SCENARIO" in out
    assert "--markdown" in out and "yaml-language-server" in out
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


def test_schema_docs_writes_every_generated_page(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as refused:  # not the repository root: nothing written
        main(["schema", "--docs"])
    assert refused.value.code == 2 and not list(tmp_path.iterdir())
    (tmp_path / "docs").mkdir()
    assert main(["schema", "--docs"]) == 0
    for name, render in GENERATED.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == render()
