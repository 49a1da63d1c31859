"""Importing the scripts of ``benchmarks/`` in tests: they are files, not an installed package."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str):
    """Import the script at ``relative`` to the repository's root (e.g.
    ``benchmarks/diagnostics/top_share.py``) as a module named after its file. The module is
    registered in ``sys.modules`` before the file runs: a dataclass defined in it looks its
    module up while the file executes."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
