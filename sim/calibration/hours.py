"""A community's active hours from its activity log: the empirical hour x weekday profile.

Importers keep each action's time to the second (``sim.importers``), so a log tells when its
members act. ``log_profile`` counts the log's actions other than joins by hour of day and by
weekday, in UTC (the log's timestamps, converted to UTC when they carry a zone), and returns a
profile for the scenario's ``hours`` section (``sim.world.hours.Profile``):

* hour weights: each hour's share of the actions (an empirical estimate; hours with no action
  keep weight 0, so no member is drawn into them);
* weekday weights: actions per calendar day of each weekday (actions on Mondays divided by the
  Mondays the log spans, and so on), so a log that holds one more Monday than Sunday does not make
  Monday look busier; the model normalises them to mean 1 and scales daily visiting by them.

It is one profile for the whole community (the log does not say which member belongs to which of
the model's segments). Actions stand in for visits: a log records what members did, not when they
only looked (an assumption: lurkers keep the hours of those who post; Golder, Wilkinson &
Huberman 2007 found messaging rhythms shared within a community). Rows at exactly midnight carry
a date, not a time, and are left out; a log whose timestamps all fall at midnight, or with fewer
than ``MIN_ACTIONS`` timed actions, has no profile (None).

**Before the fit** (``calibration_base``): ``commsim calibrate`` puts the profile into the base
scenario as ``hours.default`` (with ``first_weekday`` the weekday of the log's day 1, so the
weekday weights fall on the log's weekdays) *before* anything is simulated. Every run of the
calibration is a change of that one base scenario (the volume pilot, each generation, the
replicated top particles, the check runs: ``sim.calibration.fit``), so the rates are fitted with
visits in hours and items ageing by hour, as the calibrated scenario then runs them. Until this
change the fit ran the day-only model and the profile was added to ``calibrated.yaml`` after it:
what was fitted was not what was run. A log without times of day keeps the day-only model; an
explicit ``hours`` section in the user's base scenario wins over the log's profile.

**The hour check** (``hour_check``): a posterior predictive check of the profile on
contributions (threads and replies) by hour of day, under the log's observation model, measured
by the same code on both sides (``ActivityStats``' ``contributions_by_hour``; a simulated run's
events carry their visit hour, ``sim.calibration.log.ActivityObserver``): the share of
contributions in the log's ``BUSIEST`` busiest hours, and the total variation distance between
the log's and a run's hour-of-day distributions, with the reference a sample of the log's own
size drawn from its own distribution would show (sampling noise alone). The busiest hours are
chosen on the log, so the log's share is a little above what a sample from its own distribution
shows (selection; small for thousands of contributions).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.calibration.activity import ACTIONS, Observed
from sim.calibration.log import _is_csv, _timestamps
from sim.world.hours import HOURS, WEEKDAYS, ActiveHours, Profile

NS_PER_HOUR = 3600 * 10**9
NS_PER_DAY = 24 * NS_PER_HOUR
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (0: Monday)
MIN_ACTIONS = 50  # fewer timed actions than this give no profile
BUSIEST = 4  # the hour check's busiest hours of the log
NOISE_DRAWS = 400  # samples of the log's size drawn from its own hour distribution (reference)


def log_hours(path: str | Path) -> np.ndarray | None:
    """The log's actions other than joins by weekday (rows, Monday first) and hour (columns, UTC),
    divided by the number of calendar days of each weekday the log spans; None when no action has
    a time of day (every timestamp at midnight)."""
    found = _timed(path)
    if found is None:
        return None
    counts, days_of = found
    return counts / np.maximum(days_of, 1)[:, None]


def _timed(path: str | Path) -> tuple[np.ndarray, np.ndarray] | None:
    """(the log's timed actions other than joins by weekday and hour, the calendar days of each
    weekday it spans), None when no action has a time of day."""
    path = Path(path)
    columns = ["timestamp", "action"]
    if _is_csv(path):
        table = pacsv.read_csv(
            str(path),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=True,
            ),
        )
    else:
        table = pq.read_table(path, columns=columns)
    table = table.combine_chunks()
    ns, bad = _timestamps(table.column("timestamp").combine_chunks())
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(table.column("action"), pa.string())))
    action = pc.index_in(text, value_set=pa.array(ACTIONS)).to_numpy(zero_copy_only=False)
    # rows at exactly midnight carry a date, not a time (a Stack Exchange dump keeps only the day
    # of a vote): they would pile into hour 0, so they are left out (a real action falls at
    # 00:00:00 once in 86,400 seconds)
    keep = ~bad & (action != ACTIONS.index("join")) & (ns % NS_PER_DAY != 0)
    ns = ns[keep]
    if ns.size == 0:
        return None
    day = ns // NS_PER_DAY
    weekday = (day + EPOCH_WEEKDAY) % WEEKDAYS
    hour = (ns // NS_PER_HOUR) % HOURS
    counts = np.zeros((WEEKDAYS, HOURS), float)
    np.add.at(counts, (weekday, hour), 1)
    span = np.arange(day.min(), day.max() + 1)
    days_of = np.bincount((span + EPOCH_WEEKDAY) % WEEKDAYS, minlength=WEEKDAYS)
    return counts, days_of


def log_profile(path: str | Path) -> Profile | None:
    """The community's profile from its log (module docstring), or None without times of day or
    with fewer than ``MIN_ACTIONS`` timed actions."""
    return _profile(_timed(path))


def _profile(found: tuple[np.ndarray, np.ndarray] | None) -> Profile | None:
    if found is None or found[0].sum() < MIN_ACTIONS:
        return None
    counts, days_of = found
    table = counts / np.maximum(days_of, 1)[:, None]
    hours, weekdays = table.sum(axis=0), table.sum(axis=1)
    return Profile(
        shape="flat",
        hours=[round(float(v), 6) for v in hours / hours.sum()],
        weekdays=[round(float(v), 6) for v in weekdays / weekdays.mean()],
    )


def first_weekday(origin_day: int) -> int:
    """The weekday (0 Monday .. 6 Sunday) of the day after epoch day ``origin_day``: a log's day
    1, which ``ActiveHours.first_weekday`` names (the model's day ``d`` is the log's day ``d``)."""
    return int((origin_day + 1 + EPOCH_WEEKDAY) % WEEKDAYS)


def calibration_base(base: dict, path: str | Path, origin_day: int | None) -> tuple[dict, str]:
    """The base scenario every run of a calibration uses, and a sentence for the report saying
    which hour model the fit runs and why (module docstring): the user's own ``hours`` section if
    ``base`` has one; else the log's profile as ``hours.default`` (``first_weekday`` from
    ``origin_day``, the epoch day of the log's day 0) if the log has times of day; else ``base``
    unchanged (the day-only model)."""
    if base.get("hours") is not None:
        return base, (
            "active hours on: the base scenario's own `hours` section, which wins over the log's "
            "profile; the fit and the calibrated scenario run with it"
        )
    found = _timed(path)
    timed = 0 if found is None else int(found[0].sum())
    profile = _profile(found)
    if profile is None:
        why = (
            "the log has no times of day (every timestamp a date, or at midnight)"
            if timed == 0
            else f"the log has only {timed} timed actions (at least {MIN_ACTIONS} are needed)"
        )
        return base, (
            f"active hours off: {why}, so the fit and the calibrated scenario run the day-only "
            "model (no `hours` section)"
        )
    weekday = 0 if origin_day is None else first_weekday(origin_day)
    hours = ActiveHours(default=profile, first_weekday=weekday)
    data = {**base, "hours": hours.model_dump(mode="json")}
    busiest = int(np.argmax(profile.hours))
    return data, (
        f"active hours on: the log's profile ({timed:,} timed actions other than joins by hour "
        f"and weekday, UTC; busiest hour {busiest:02d}:00; day 1 a "
        f"{('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')[weekday]}"
        ") is the base scenario's `hours.default` before the fit, so every run (volume pilot, "
        "generations, replicated particles, check) and the calibrated scenario run with it "
        "(sim.calibration.hours)"
    )


# ---- the hour check ---------------------------------------------------------------------------
def hour_counts(observed: Observed) -> np.ndarray | None:
    """A log's or run's contributions by hour of day (24 counts), None if it has none timed."""
    counts = observed.scalars.get("contributions_by_hour")
    if counts is None:
        return None
    counts = np.asarray(counts, float)
    return counts if counts.size == HOURS and counts.sum() > 0 else None


def busiest_hours(counts: np.ndarray, k: int = BUSIEST) -> np.ndarray:
    """The ``k`` hours with the most contributions (ties: the earlier hour), ascending."""
    order = np.argsort(-np.asarray(counts, float), kind="stable")
    return np.sort(order[:k])


def busiest_share(counts: np.ndarray, hours: np.ndarray) -> float:
    """The share of ``counts`` in ``hours``."""
    counts = np.asarray(counts, float)
    return float(counts[hours].sum() / counts.sum())


def total_variation(a: np.ndarray, b: np.ndarray) -> float:
    """The total variation distance between two hour-of-day distributions (counts or shares):
    half the sum of the absolute differences of their shares, 0 (same) to 1 (disjoint)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def sampling_noise(
    counts: np.ndarray, size: float | None = None, draws: int = NOISE_DRAWS, seed: int = 0
) -> float:
    """The mean total variation distance between the log's hour distribution and samples of
    ``size`` contributions (default: the log's own count) drawn from it (multinomial; fixed
    ``seed``): what sampling noise alone gives a run of that many contributions whose hours are
    exactly the log's."""
    counts = np.asarray(counts, float)
    n = max(1, round(float(counts.sum() if size is None else size)))
    shares = counts / counts.sum()
    samples = np.random.default_rng(seed).multinomial(n, shares, size=draws)
    return float(np.mean([total_variation(counts, s) for s in samples]))


def hour_check(
    observed: Observed, check: list[Observed], predictive: list[Observed], weights: np.ndarray
) -> dict | None:
    """The hour profile's posterior predictive check (module docstring): for the share of
    contributions in the log's busiest hours and the total variation distance from the log's
    hour distribution, the log's value (the distance: 0, with the sampling-noise references at
    the log's count and at the check runs' mean count), the check runs' mean and the weighted
    5-95% band over the accepted runs. None when the log or
    every run lacks hours (a log of dates, or runs of the day-only model)."""
    from sim.calibration.fit import _weighted_quantile

    log = hour_counts(observed)
    if log is None:
        return None
    hours = busiest_hours(log)
    weights = np.asarray(weights, float)

    def measured(runs: list[Observed]) -> tuple[np.ndarray, np.ndarray, list[float]]:
        share, distance, sizes = [], [], []
        for run in runs:
            counts = hour_counts(run)
            share.append(np.nan if counts is None else busiest_share(counts, hours))
            distance.append(np.nan if counts is None else total_variation(log, counts))
            if counts is not None:
                sizes.append(float(counts.sum()))
        return np.array(share, float), np.array(distance, float), sizes

    check_share, check_distance, check_sizes = measured(check)
    band_share, band_distance, _sizes = measured(predictive)
    if np.isnan(check_share).all() and np.isnan(band_share).all():
        return None

    def band(values: np.ndarray) -> tuple[float, float]:
        ok = ~np.isnan(values)
        if not ok.any():
            return np.nan, np.nan
        return (
            _weighted_quantile(values[ok], weights[ok], 0.05),
            _weighted_quantile(values[ok], weights[ok], 0.95),
        )

    def mean(values: np.ndarray) -> float:
        return float(np.nanmean(values)) if (~np.isnan(values)).any() else np.nan

    return {
        "hours": [int(h) for h in hours],
        "log_contributions": int(log.sum()),
        "share": busiest_share(log, hours),
        "share_calibrated": mean(check_share),
        "share_band": band(band_share),
        "distance_calibrated": mean(check_distance),
        "distance_band": band(band_distance),
        "noise": sampling_noise(log),
        # at the calibrated runs' own count: a run with fewer contributions is noisier
        "calibrated_contributions": float(np.mean(check_sizes)) if check_sizes else np.nan,
        "noise_calibrated": sampling_noise(log, np.mean(check_sizes)) if check_sizes else np.nan,
        "timed_runs": int((~np.isnan(check_share)).sum() + (~np.isnan(band_share)).sum()),
    }
