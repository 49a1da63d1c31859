"""The Python API is safe to paste into a script: the README's snippet carries the ``__main__``
guard, and a script without it fails at once with the reason instead of failing every run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
TESTS = Path(__file__).resolve().parent

UNGUARDED = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from pathlib import Path
from sweep_helpers import write_sweep
from sim.experiments import load_sweep, run_sweep

folder = Path(sys.argv[1])
sweep = load_sweep(write_sweep(folder), replications=1)
run_sweep(sweep, folder / "out", backend="process", workers=2)
print("returned normally")
"""


def test_the_readme_api_snippet_keeps_its_work_under_the_main_guard():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    snippet = next(b for b in blocks if "run_sweep(" in b)
    guard = snippet.index('if __name__ == "__main__":')
    assert guard < snippet.index("run_sweep(") and guard < snippet.index("load_sweep(")


def test_workers_dying_at_start_up_fail_the_sweep_at_once_with_the_reason(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0 and "returned normally" not in done.stdout
    assert "WorkersDiedError: every worker process died as it started" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    assert not (tmp_path / "out" / "failures.jsonl").exists()  # no run was blamed
