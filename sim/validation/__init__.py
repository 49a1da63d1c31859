"""``commsim validate``: every target of EVIDENCE.md as a paired experiment, with a verdict.

Each group of targets (``sim.validation.targets``) is a sweep run through the experiments runner
(``sim.experiments.runner``), so it resumes and parallelises like any sweep; its results go to
``<out>/<group>/``. The checks read the stored summaries; ``sim.validation.page`` writes the table
(CSV), the figures and the page (Markdown and HTML) citing each source.

>>> from sim.validation import validate
>>> outcome = validate("results/validation-quick", quick=True, workers=2)  # doctest: +SKIP
>>> [c.target for c in outcome.failed()]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import inspect
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sim.experiments.analysis import Results
from sim.experiments.runner import execute, open_pool, run_sweep
from sim.experiments.sweep import parse_sweep
from sim.validation import measures
from sim.validation.checks import Check, failed_checks
from sim.validation.targets import GROUPS, QUICK_NOTE, TARGETS, Group

# What the workers measure is code, not scenario: fold its text into every run key, so stored runs
# measured by an older version of sim.validation.measures are never reused.
MEASURES_FINGERPRINT = hashlib.sha256(inspect.getsource(measures).encode()).hexdigest()[:16]

__all__ = ["GROUPS", "QUICK_NOTE", "TARGETS", "Check", "Validation", "measure_group", "validate"]


@dataclass
class Validation:
    """What a validation did: its checks (in the order of EVIDENCE.md's groups) and how long."""

    folder: Path
    quick: bool
    checks: list[Check] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of this call, per group
    run_seconds: dict[str, float] = field(default_factory=dict)  # worker time of the stored runs
    failed_runs: dict[str, int] = field(default_factory=dict)

    def failed(self) -> list[Check]:
        return failed_checks(self.checks, self.quick)


def measure_group(
    group: Group,
    out: str | Path,
    quick: bool = False,
    backend: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
    replications: int | None = None,
    address: str | None = None,
    pool=None,
) -> tuple[list[Check], Results, int]:
    """Run (or resume) one group's sweep into ``out`` and return its checks, its results and the
    number of runs that failed; ``pool``: workers already open (``open_pool``), used instead of
    ``backend``, ``workers`` and ``address``."""
    sweep = parse_sweep(group.sweep(quick), f"validation group {group.name}", None, replications)
    sweep.key_salt = MEASURES_FINGERPRINT  # runs stored by older measurement code are not reused
    measure = group.measure(quick)
    run = execute if measure is None else partial(execute, measure=measure)
    # the folder is the tool's: new measurement code replaces its plan (and reruns what changed);
    # it reads the runs itself, so tidy tables would only cost time
    outcome = run_sweep(
        sweep, out, backend, workers, address, progress, run, tables=False, replace=True, pool=pool
    )
    results = Results(out)
    return group.checks(results.summaries(), results, quick), results, outcome.failed


def validate(
    out: str | Path,
    quick: bool = False,
    backend: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
    only: list[str] | None = None,
    replications: int | None = None,
    address: str | None = None,
) -> Validation:
    """Run every group (or the groups measuring the targets in ``only``) and collect the checks;
    ``replications`` overrides the mode's (30 full, 3 quick)."""
    folder = Path(out)
    validation = Validation(folder, quick)
    groups = [g for g in GROUPS.values() if not only or set(only) & set(g.targets)]
    with open_pool(backend, workers, address) as pool:  # one set of workers for every group
        for group in groups:
            _measure_into(validation, group, quick, progress, replications, pool, only)
    return validation


def _measure_into(validation, group, quick, progress, replications, pool, only) -> None:
    """Measure one group on ``pool`` and add its checks and times to ``validation``."""
    start = time.perf_counter()
    checks, results, failed = measure_group(
        group, validation.folder / group.name, quick, progress=progress,
        replications=replications, pool=pool,
    )  # fmt: skip
    validation.checks.extend(c for c in checks if not only or c.target in only)
    validation.seconds[group.name] = time.perf_counter() - start
    stored = results.store.finished()
    validation.run_seconds[group.name] = sum(
        results.store.run_info(key)["seconds"] for key in sorted(stored)
    )
    if failed:
        validation.failed_runs[group.name] = failed
