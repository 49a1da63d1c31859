"""P-1 and R-2 (EVIDENCE.md) on the default community with no operator action.

Slow (20 replications of 420 days): marked ``validation``, so plain ``pytest`` skips it; run it with
``pytest -m validation`` or ``python experiments/patterns.py``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _load_patterns():
    path = EXPERIMENTS / "patterns.py"
    spec = importlib.util.spec_from_file_location("patterns", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.validation
def test_default_community_lands_in_the_p1_and_r2_bands(monkeypatch):
    # worker processes import the experiment by name: put its folder on the path they inherit
    monkeypatch.syspath_prepend(str(EXPERIMENTS))
    patterns = _load_patterns()
    rows = patterns.report(patterns.run(reps=20, days=420, workers=2))
    failing = [row for row in rows if row[-1] != "pass"]
    assert not failing, failing
