"""A validation check: one measured quantity, its values per replication, its band and verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Check:
    """One row of the validation table.

    ``values`` holds one number per replication (a level, or a paired difference or ratio between
    arms run on the same seed); the verdict compares their mean with the band ``low..high`` (None:
    unbounded on that side). A *sign* check (``sign=True``: a band that only says "up" or "down")
    passes only when the whole 95% confidence interval lies on the right side of zero, so noise
    cannot pass it. ``quick``: whether ``commsim validate --quick`` checks the band (otherwise it
    only reports the value). ``reason``: why a target cannot be measured (then it fails).
    """

    target: str
    measure: str
    values: tuple[float, ...]
    low: float | None
    high: float | None
    sign: bool = False
    quick: bool = True
    unit: str = ""
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def finite(self) -> np.ndarray:
        values = np.asarray(self.values, dtype=float)
        return values[np.isfinite(values)]

    @property
    def mean(self) -> float:
        values = self.finite
        return float(values.mean()) if values.size else float("nan")

    @property
    def ci(self) -> tuple[float, float]:
        """95% t-interval of the mean over replications."""
        values = self.finite
        if values.size < 2:
            return self.mean, self.mean
        half = float(stats.t.ppf(0.975, values.size - 1) * stats.sem(values))
        if not np.isfinite(half):  # every replication gave the same value
            half = 0.0
        return self.mean - half, self.mean + half

    @property
    def measurable(self) -> bool:
        return not self.reason and self.finite.size > 0

    @property
    def passed(self) -> bool:
        if not self.measurable:
            return False
        mean, (lo, hi) = self.mean, self.ci
        inside = (self.low is None or mean >= self.low) and (self.high is None or mean <= self.high)
        if self.sign:
            inside &= (self.low is None or lo > self.low) and (self.high is None or hi < self.high)
        return inside

    @property
    def band(self) -> str:
        if self.sign:
            return "> 0" if self.low is not None else "< 0"
        if self.low is None:
            return f"≤ {self.high:g}"
        if self.high is None:
            return f"≥ {self.low:g}"
        return f"{self.low:g} to {self.high:g}"

    def verdict(self, quick: bool = False) -> str:
        if quick and not self.quick:
            return "(not checked)"
        if not self.measurable:
            return "not measurable"
        return "pass" if self.passed else "FAIL"

    def row(self, quick: bool = False) -> dict:
        lo, hi = self.ci
        return {
            "target": self.target,
            "measure": self.measure,
            "band": self.band,
            "measured": self.mean,
            "ci_low": lo,
            "ci_high": hi,
            "replications": int(self.finite.size),
            "result": self.verdict(quick),
            "reason": self.reason,
        }

    def line(self, quick: bool = False) -> str:
        lo, hi = self.ci
        return (
            f"{self.target:5} {self.measure:62.62} {self.mean:8.3f} [{lo:8.3f}, {hi:8.3f}]"
            f"  {self.band:>12}  {self.verdict(quick)}"
        )


def failed_checks(checks: list[Check], quick: bool = False) -> list[Check]:
    """The checks that fail (in quick mode, only among those quick mode checks)."""
    return [c for c in checks if c.verdict(quick) in ("FAIL", "not measurable")]
