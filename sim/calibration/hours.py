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
a date, not a time, and are left out; a log whose timestamps all fall at midnight has no profile
(None).

``commsim calibrate`` writes the profile into ``calibrated.yaml`` as ``hours.default`` unless the
base scenario already has an ``hours`` section.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.calibration.activity import ACTIONS
from sim.calibration.log import _is_csv, _timestamps
from sim.world.hours import HOURS, WEEKDAYS, Profile

NS_PER_HOUR = 3600 * 10**9
NS_PER_DAY = 24 * NS_PER_HOUR
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (0: Monday)
MIN_ACTIONS = 50  # fewer timed actions than this give no profile


def log_hours(path: str | Path) -> np.ndarray | None:
    """The log's actions other than joins by weekday (rows, Monday first) and hour (columns, UTC),
    divided by the number of calendar days of each weekday the log spans; None when no action has
    a time of day (every timestamp at midnight)."""
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
    return counts / np.maximum(days_of, 1)[:, None]


def log_profile(path: str | Path) -> Profile | None:
    """The community's profile from its log (module docstring), or None without times of day or
    with fewer than ``MIN_ACTIONS`` actions."""
    if _actions(path) < MIN_ACTIONS:
        return None
    table = log_hours(path)
    if table is None:
        return None
    hours, weekdays = table.sum(axis=0), table.sum(axis=1)
    return Profile(
        shape="flat",
        hours=[round(float(v), 6) for v in hours / hours.sum()],
        weekdays=[round(float(v), 6) for v in weekdays / weekdays.mean()],
    )


def _actions(path: str | Path) -> int:
    from sim.calibration.log import action_counts

    counts = action_counts(path)
    return int(sum(v for k, v in counts.items() if k != "join"))
