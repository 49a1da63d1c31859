"""Issue 18: every bad input refused cleanly (exit 2, the field or line named, nothing written),
resources bounded, one driver per results folder, a status per run, no leftovers.

Each test names the issue's item it covers. Killing drivers and racing two of them is in
``test_drivers.py``; generated bad inputs in ``test_fuzz.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from sweep_helpers import TINY, write_sweep

from sim.calibration.log import MAX_GAP_DAYS, LogError, read_log
from sim.cli.core import main
from sim.config import MAX_MEMBERS, ScenarioError, load_scenario, parse_scenario, read_yaml
from sim.experiments.runner import run_sweep
from sim.experiments.store import ResultStore, StoreError
from sim.experiments.sweep import SweepError, describe_kpi, load_sweep, parse_sweep

SHORT = {**TINY, "replications": 1, "scenario": {**TINY["scenario"], "run": {"days": 8}}}


def refused(capsys, *argv: str, status: int = 2) -> str:
    """Run ``commsim argv`` expecting a clean refusal; the error text."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == status
    err = capsys.readouterr().err
    assert "commsim: error: " in err and "Traceback" not in err
    return err


def sweep_file(folder: Path, **changes) -> Path:
    return write_sweep(folder, **{**SHORT, **changes})


def assert_only(folder: Path, *names: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


# ---- 1, 3: every strategy at every design point ----------------------------------------------
@pytest.mark.parametrize(
    ("factors", "named"),
    [
        ({"community.members": [60, -5]}, "community.members: got -5"),
        ({"run.days": [5, 10_000_000]}, "run.days: got 10000000"),
    ],
)
def test_a_bad_later_design_point_is_refused_naming_it(capsys, tmp_path, factors, named):
    path = sweep_file(tmp_path, design={"kind": "grid", "factors": factors})
    err = refused(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert "design point 1" in err and named in err
    assert_only(tmp_path, path.name)


def test_a_typo_inside_any_strategy_is_refused_naming_the_field(capsys, tmp_path):
    strategies = {"none": None, "ok": {"content": {}}, "typo": {"leaderbord": {}}}
    path = sweep_file(tmp_path, strategies=strategies)
    err = refused(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert "strategy 'typo'" in err and "strategy.leaderbord: unknown key" in err
    deep = {"none": None, "c": {"content": {"posts_per_dya": 2}}}
    err = refused(capsys, "sweep", str(sweep_file(tmp_path, strategies=deep)))
    assert "strategy.content.posts_per_dya" in err and "did you mean posts_per_day" in err


def test_an_unknown_lever_field_in_a_factor_is_refused():
    design = {"kind": "grid", "factors": {"strategy.content.posts_per_dya": [1, 2]}}
    strategies = {"none": None, "c": {"content": {}}}
    with pytest.raises(SweepError, match="did you mean posts_per_day"):
        parse_sweep({**SHORT, "strategies": strategies, "design": design})


# ---- 2: the base file ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("community: {members: [\n", "YAML syntax error at line 2"),
        ('!!python/object/apply:os.system ["echo hi"]\n', "could not determine a constructor"),
        ("community: {members: 5}\ncommunity: {members: 6}\n", "duplicate key 'community'"),
    ],
)
def test_a_bad_base_file_is_refused_naming_it(capsys, tmp_path, text, named):
    (tmp_path / "base.yaml").write_text(text)
    path = sweep_file(tmp_path, base="base.yaml")
    err = refused(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert "base: " in err and "base.yaml" in err and named in err
    assert not (tmp_path / "out").exists()


# ---- 4: huge designs refused before anything is built -----------------------------------------
def test_huge_designs_are_refused_before_their_points_are_made(capsys, tmp_path):
    factors = {
        f"arrivals.{name}": {"low": 0.0, "high": 0.01, "levels": 10}
        for name in ("marketing_p", "word_of_mouth_q", "referral_conversion")
    }
    factors |= {
        f"behaviour.{name}": {"low": 0.1, "high": 0.2, "levels": 10}
        for name in (
            "novelty",
            "reply_pull",
            "info_weight",
            "bond_weight",
            "fun_weight",
            "bond_scale",
        )
    }
    path = sweep_file(tmp_path, design={"kind": "grid", "factors": factors})
    err = refused(capsys, "sweep", str(path))
    assert "1,000,000,000 design points" in err and "--max-runs" in err
    sobol = {
        "kind": "sobol_indices",
        "samples": 100_000,
        "factors": dict(list(factors.items())[:2]),
    }
    err = refused(capsys, "sweep", str(sweep_file(tmp_path, design=sobol)))
    assert "400,000 design points" in err


def test_the_cap_on_planned_runs_can_be_raised_explicitly():
    design = {"kind": "grid", "factors": {"arrivals.marketing_p": [0.001, 0.002, 0.003]}}
    data = {**SHORT, "design": design, "replications": 2}  # 3 points x 2 strategies x 2
    with pytest.raises(SweepError, match="12 planned runs"):
        parse_sweep(data, max_runs=11)
    assert len(parse_sweep(data, max_runs=12).plan()) == 12
    assert len(parse_sweep(data, max_runs=None).plan()) == 12


# ---- 5: input files read with a size limit ----------------------------------------------------
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_input_files_are_refused_after_the_size_limit(capsys, tmp_path):
    err = refused(capsys, "run", "/dev/zero", "--out", str(tmp_path / "out"))
    assert "larger than 10,000,000 bytes" in err
    err = refused(capsys, "sweep", str(sweep_file(tmp_path, base="/dev/zero")))
    assert "base: cannot read the file: larger than" in err
    assert_only(tmp_path, "tiny.yaml")


# ---- 6: members bounded ------------------------------------------------------------------------
def test_a_market_beyond_the_member_cap_is_refused_naming_the_field():
    text = "arrivals: {market_size: 1000000000, marketing_p: 1, word_of_mouth_q: 1}"
    with pytest.raises(ScenarioError, match=r"arrivals.market_size: got 1,000,000,000") as caught:
        parse_scenario(text)
    assert f"{MAX_MEMBERS:,}" in str(caught.value)
    # the largest valid community is still accepted (the cap bites only on absurd inputs)
    parse_scenario(f"community: {{members: 5000000}}\narrivals: {{market_size: {5_000_000}}}")


# ---- 7, 13: the log reader ---------------------------------------------------------------------
ROWS = "member,timestamp,action\n" + "".join(
    f"m{i % 7},2024-01-{1 + i % 20:02d}T10:00:00Z,visit\n" for i in range(100)
)


def log_refused(path: Path, *needles: str) -> str:
    with pytest.raises(LogError) as caught:
        read_log(path)
    message = str(caught.value)
    for needle in needles:
        assert needle in message
    return message


def test_logs_in_other_encodings_or_kinds_are_refused(tmp_path):
    (tmp_path / "u16.csv").write_text(ROWS, encoding="utf-16")
    log_refused(tmp_path / "u16.csv", "UTF-16")
    (tmp_path / "u16le.csv").write_bytes(ROWS.encode("utf-16-le"))
    log_refused(tmp_path / "u16le.csv", "line 1", "NUL")
    for name in ("log.xlsx", "log.json", "log"):
        (tmp_path / name).write_text(ROWS)
        log_refused(tmp_path / name, "unknown kind of file", ".parquet")
    pq.write_table(pa.table({"a": [1]}), tmp_path / "renamed.csv")
    log_refused(tmp_path / "renamed.csv", "Parquet file named .csv")


def test_non_utf8_rows_are_refused_with_their_line_and_nothing_else(tmp_path, capfd):
    bad = ROWS.encode() + b"m1,2024-01-02,vis\xff\xfeit\nm2,\xff,visit,extra\n"
    (tmp_path / "bad.csv").write_bytes(bad)
    log_refused(tmp_path / "bad.csv", "line 102", "not UTF-8")
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "column",
    [pa.array([[1, 2]] * 3), pa.array([{"x": 1}] * 3), pa.array([{"k": [1]}] * 3)],
    ids=["list", "struct", "nested"],
)
def test_parquet_columns_of_lists_or_structs_are_refused(tmp_path, column):
    for name in ("member", "action"):
        table = {"member": ["a"] * 3, "timestamp": ["2024-01-01"] * 3, "action": ["visit"] * 3}
        table[name] = column
        pq.write_table(pa.table(table), tmp_path / "log.parquet")
        log_refused(tmp_path / "log.parquet", f"column {name}: a ")


# ---- 8: a stray timestamp ----------------------------------------------------------------------
@pytest.mark.parametrize("stray", ["0", "2031-05-01", "1999-12-31T23:00:00Z"])
def test_a_stray_timestamp_far_from_the_rest_is_refused_with_its_line(tmp_path, stray):
    (tmp_path / "log.csv").write_text(ROWS + f"m1,{stray},visit\n")
    log_refused(tmp_path / "log.csv", "line 102", f"more than {MAX_GAP_DAYS} days")


def test_a_long_log_without_gaps_is_accepted(tmp_path):
    rows = "".join(f"m{d % 5},{d * 86_400 * 30 + 1_700_000_000},visit\n" for d in range(40))
    (tmp_path / "log.csv").write_text("member,timestamp,action\n" + rows)
    assert read_log(tmp_path / "log.csv")[0].finish().days > 1000  # 40 months, no gap over a year


# ---- 11: temporary files of killed runs ---------------------------------------------------------
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "run"
    leftover = tmp_path / f".run.{dead_pid()}-{'a' * 32}.tmp"
    live = tmp_path / f".run.{os.getpid()}-{'b' * 32}.tmp"  # a writer still at work: kept
    leftover.mkdir()
    (leftover / "daily.parquet").write_bytes(b"half")
    live.mkdir()
    assert main(["run", "--members", "60", "--days", "3", "--out", str(out)]) == 0
    assert not leftover.exists() and live.exists()


def test_a_swap_killed_half_way_puts_the_previous_run_back(tmp_path):
    from sim.experiments.staging import staged_folder

    aside = tmp_path / f".run.{dead_pid()}-{'c' * 32}.tmp.previous"
    aside.mkdir()
    (aside / "summary.json").write_text("{}")
    with staged_folder(tmp_path / "other") as staging:
        (staging / "x").write_text("x")
    assert not (tmp_path / "run").exists()  # another destination: left alone
    with staged_folder(tmp_path / "run") as staging:
        assert (tmp_path / "run" / "summary.json").exists()  # restored before writing anew
        (staging / "x").write_text("x")
    assert not aside.exists()


# ---- 12: Dask addresses and --out --------------------------------------------------------------
@pytest.mark.parametrize("address", ["foo", "tcp://", "tcp://host", "tcp://h:99999", "http://h:1"])
def test_a_malformed_dask_address_is_refused_before_anything_is_written(capsys, tmp_path, address):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    err = refused(capsys, "sweep", str(path), "--backend", "dask", "--address", address,
                  "--out", str(out))  # fmt: skip
    assert "--address" in err
    assert not out.exists()


def test_an_unreachable_dask_scheduler_fails_and_writes_nothing(capsys, tmp_path):
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    err = refused(capsys, "sweep", str(sweep_file(tmp_path)), "--backend", "dask",
                  "--address", f"tcp://127.0.0.1:{port}", "--out", str(out), status=1)  # fmt: skip
    assert "no Dask scheduler answered" in err
    assert not out.exists()


def test_an_out_folder_with_a_nul_byte_is_refused(capsys, tmp_path):
    err = refused(capsys, "sweep", str(sweep_file(tmp_path)), "--out", "a\0b")
    assert "NUL" in err
    with pytest.raises(StoreError, match="null byte"):
        run_sweep(parse_sweep(SHORT), "a\0b", backend="serial", progress=False)


# ---- 13: accepted in silence no more -----------------------------------------------------------
def test_a_factor_on_a_list_item_is_refused():
    design = {"kind": "grid", "factors": {"member_mix.0.share": [1, 2]}}
    with pytest.raises(SweepError, match="member_mix is a list"):
        parse_sweep({**SHORT, "design": design})


def test_a_lever_factor_no_strategy_uses_is_refused():
    design = {"kind": "grid", "factors": {"strategy.incentives.start": [1, 2]}}
    with pytest.raises(SweepError, match="no strategy uses lever 'incentives'"):
        parse_sweep({**SHORT, "design": design})
    none_only = {**SHORT, "strategies": {"none": None}, "baseline": "none"}
    design = {"kind": "grid", "factors": {"strategy.budget": [1, 2]}}
    with pytest.raises(SweepError, match="no strategy has an operator"):
        parse_sweep({**none_only, "design": design})


def test_windows_past_run_days_are_refused_at_every_point():
    windows = {"after": {"first": 5, "last": 8}}
    parse_sweep({**SHORT, "windows": windows, "kpis": ["dau@after"]})  # days 8: fits
    design = {"kind": "grid", "factors": {"run.days": [8, 6]}}
    with pytest.raises(SweepError, match=r"windows.after.last: got 8; must be at most run.days"):
        parse_sweep({**SHORT, "windows": windows, "kpis": ["dau@after"], "design": design})


def test_a_shorter_run_from_the_command_line_leaves_out_the_windows_it_misses():
    windows = {"early": {"first": 1, "last": 4}, "late": {"first": 5, "last": 8}}
    data = {**SHORT, "windows": windows, "kpis": ["dau@early", "dau@late", "members_end"]}
    sweep = parse_sweep(data, scenario={"run.days": 6})
    assert list(sweep.spec.windows) == ["early"]
    assert sweep.spec.kpis == ["dau@early", "members_end"]
    assert "late" in sweep.notes[0] and "dau@late" in sweep.notes[0]


def test_duplicate_yaml_keys_are_refused_with_both_lines(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("run: {days: 5}\ncommunity:\n  members: 50\n  members: 60\n")
    with pytest.raises(ScenarioError, match=r"line 4.*duplicate key 'members' \(first at line 3\)"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="duplicate key 'a'"):
        parse_scenario("community: {topics: 3}\nbehaviour: {a: 1, a: 2}")
    # merge keys and anchors still work
    assert read_yaml("a: &x {b: 1}\nc: {<<: *x, d: 2}") == {"a": {"b": 1}, "c": {"b": 1, "d": 2}}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("run: {days: 5}\ncommunity: {members: 2024-13-45}", "line 2, column 22"),
        ("community: {members: " + "9" * 5000 + "}", "line 1, column 22"),
        ("\x1fcommunity: {}", "line 1"),
    ],
)
def test_unreadable_yaml_values_are_refused_at_their_line(text, named):
    with pytest.raises(ScenarioError, match=named):
        parse_scenario(text)


def test_kpi_typos_get_a_suggestion():
    with pytest.raises(SweepError) as caught:
        parse_sweep({**SHORT, "kpis": ["retention_3O", "dua@x"], "windows": {"x": {"first": 1,
                     "last": 2}}})  # fmt: skip
    assert "did you mean retention_30?" in str(caught.value)
    assert "did you mean dau?" in str(caught.value)


def test_a_changed_plan_that_drops_stored_runs_needs_replace(capsys, tmp_path):
    out = tmp_path / "out"
    path = sweep_file(tmp_path)
    assert main(["sweep", str(path), "--out", str(out), "--backend", "serial", "--quiet"]) == 0
    stored = sorted((out / "runs").iterdir())
    longer = sweep_file(tmp_path, scenario={**SHORT["scenario"], "run": {"days": 9}})
    err = refused(capsys, "sweep", str(longer), "--out", str(out), "--backend", "serial")
    assert "changed since" in err and "scenario" in err and "--replace" in err
    assert sorted((out / "runs").iterdir()) == stored
    more = sweep_file(tmp_path, replications=2)  # only adds runs: a note, and the rest reused
    assert main(["sweep", str(more), "--out", str(out), "--backend", "serial", "--quiet"]) == 0
    assert "every stored run is still in it" in capsys.readouterr().out
    assert main(["sweep", str(longer), "--out", str(out), "--backend", "serial", "--quiet",
                 "--replace"]) == 0  # fmt: skip


# ---- 14: dashboard and display -----------------------------------------------------------------
def test_interaction_rate_is_not_shown_as_a_share():
    assert not describe_kpi("interaction_rate@after").share
    assert describe_kpi("stickiness@after").share


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_listening_beyond_this_computer_is_warned(monkeypatch, capsys, host, warned):
    import socket

    import sim.cli.core as core

    def started(*args):
        raise SystemExit(0)

    monkeypatch.setattr(core.os, "execve", started)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SystemExit):
        main(["dashboard", "--host", host, "--port", str(port)])
    assert ("warning: --host" in capsys.readouterr().err) is warned


# ---- one driver, run status -----------------------------------------------------------------
def test_a_second_driver_is_refused_naming_the_first(capsys, tmp_path):
    out = tmp_path / "out"
    path = sweep_file(tmp_path)
    with ResultStore(out).locked():
        err = refused(capsys, "sweep", str(path), "--out", str(out), "--backend", "serial")
    assert f"in use by another commsim driver (process {os.getpid()}" in err
    assert_only(out, ".lock")
    assert main(["sweep", str(path), "--out", str(out), "--backend", "serial", "--quiet"]) == 0


def test_a_lock_left_by_a_dead_driver_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").write_text(json.dumps({"pid": dead_pid(), "host": "here", "argv": []}))
    result = run_sweep(load_sweep(sweep_file(tmp_path)), out, backend="serial", progress=False)
    assert result.finished == 2
    assert json.loads((out / ".lock").read_text())["pid"] == os.getpid()


def test_every_run_has_a_status_and_commsim_status_shows_failures(capsys, tmp_path, monkeypatch):
    from sweep_helpers import fail_second_replication

    out = tmp_path / "out"
    sweep = load_sweep(sweep_file(tmp_path, replications=3))
    run_sweep(sweep, out, backend="serial", progress=False, run=fail_second_replication)
    store = ResultStore(out)
    statuses = store.statuses()
    assert sorted(statuses.values()) == ["failed"] * 2 + ["succeeded"] * 4
    # a run a killed driver had under way is aborted; one never started is pending
    keys = sorted(k for k, v in statuses.items() if v == "succeeded")
    (out / "runs" / f"{keys[0]}.parquet").unlink()
    store.record_status([keys[1]], "running")
    (out / "runs" / f"{keys[1]}.parquet").unlink()
    statuses = store.statuses()
    assert statuses[keys[0]] == "pending" and statuses[keys[1]] == "aborted"
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "driver: none running" in shown
    assert "pending" in shown and "aborted" in shown and "succeeded" in shown
    assert shown.count("failed: content") + shown.count("failed: none") == 2
    assert "Traceback" in shown and "community.members" in shown


def test_status_of_a_folder_without_a_sweep_is_a_clean_error(capsys, tmp_path):
    err = refused(capsys, "status", str(tmp_path))
    assert "holds no sweep" in err


def test_partial_files_carry_their_writers_process_id(tmp_path):
    from sim.experiments import store

    seen = []
    real = store.os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real(src, dst)

    store_ = ResultStore(tmp_path)
    store_.runs_dir.mkdir(parents=True)
    try:
        store.os.replace = spy
        store_.write_encoded_run("k", b"data")
    finally:
        store.os.replace = real
    assert seen == [f".partial-{os.getpid()}-k.parquet"]


def test_the_default_scenario_and_studies_still_load():
    load_scenario(None)
    for path in sorted(Path(__file__).resolve().parents[1].glob("experiments/**/*.yaml")):
        data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and "strategies" in data:
            load_sweep(path)
        elif isinstance(data, dict) and "name" not in data:
            load_scenario(path)
