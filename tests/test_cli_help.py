"""The command line answers at once and says everything: ``commsim --help`` imports no model,
table or plotting library, every command is listed, no help shows a stray ``%%``, and long jobs
print progress lines where no bar can be drawn."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from sweep_helpers import write_sweep

from sim.cli.core import REFERENCE_FILE, SCHEMA_FILE, build_parser, main
from sim.experiments.progress import LineProgress
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import load_sweep

HEAVY = ("mesa", "seaborn", "matplotlib", "pandas", "numpy", "scipy", "pydantic", "sim.model")


def _commands() -> dict:
    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


def test_help_imports_no_heavy_library():
    """What keeps `commsim --help` fast (measured by hand: about 0.1 s), without timing it."""
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for name in _commands():
        assert f"\n    {name}" in listed, f"{name} is missing from `commsim --help`"


@pytest.mark.parametrize("command", sorted(_commands()))
def test_no_help_shows_a_doubled_percent_sign(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "%%" not in capsys.readouterr().out


def test_the_docs_paths_in_the_help_are_the_docs_files():
    from sim.config.docs import REFERENCE_FILE as reference
    from sim.config.docs import SCHEMA_FILE as schema

    assert (REFERENCE_FILE, SCHEMA_FILE) == (reference, schema)


def test_the_readme_quick_start_lists_every_command():
    """The README's quick start names every command ``commsim --help`` lists, in backticks
    (it fell behind once: four commands added since it was written were missing)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("`commsim --help` lists every command")
    listed = readme[start : readme.index(";", start)]
    missing = [name for name in _commands() if f"`{name}`" not in listed]
    assert not missing, f"README's quick start does not list {missing}"


def test_line_progress_prints_a_line_per_tenth_with_the_time_left():
    out = io.StringIO()
    progress = LineProgress(20, "job", "run", file=out)
    for _ in range(20):
        progress.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("job: 2/20 runs (10%), ") and "left" in lines[0]
    assert lines[-1].startswith("job: 20/20 runs (100%), ") and "left" not in lines[-1]


def test_a_sweep_prints_progress_lines_when_not_on_a_terminal(tmp_path, capsys):
    sweep = load_sweep(write_sweep(tmp_path, replications=1))
    run_sweep(sweep, tmp_path / "out", backend="serial")  # progress=None, stderr captured
    assert "tiny (serial, 1 worker): 2/2 runs (100%)" in capsys.readouterr().err
    sweep = load_sweep(write_sweep(tmp_path, replications=2))
    run_sweep(sweep, tmp_path / "out", backend="serial", progress=False)
    assert capsys.readouterr().err == ""
