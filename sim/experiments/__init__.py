"""Experiments: sweep files and designs (``sweep``), the runner and its backends (``runner``), the
results store (``store``), analysis and reports, sensitivity indices, and the outputs of a single
run (``outputs``).

The Python API mirrors the command line; its names are importable from here (loaded on first use,
so importing a sub-module stays light)::

    from sim.experiments import Results, load_sweep, run_sweep, write_report
"""

from __future__ import annotations

from typing import Any

_API = {
    "Results",
    "Sweep",
    "SweepError",
    "SweepResult",
    "headline_table",
    "load_sweep",
    "open_pool",
    "parse_sweep",
    "run_sweep",
    "write_report",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        from sim.experiments import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
