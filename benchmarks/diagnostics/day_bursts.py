"""Issue 15: do members write in bursts on the days they write, in a real log and in runs?

A member of a real community who contributes on a day often contributes several times that day:
a question and comments on its answers, a pull request and its fix-up commits, a run of chat
messages (edit sessions: Geiger & Halfaker 2013, "Using edit sessions to measure participation in
Wikipedia", CSCW; Halfaker et al. 2015, "User session identification based on strong
regularities in inter-activity time", WWW, found such sessions on every platform they measured).
In the model a member's threads and replies on a visit are its rates rounded stochastically
(``sim.world.streams.stochastic_round``): with rates below one a visit writes at most one of
each, so a member's contributions spread over more days than a real member's, or are fewer.

Per activity log (``commsim import`` output for a real log, ``commsim export-log`` output for
runs), contributions only (threads and replies), calendar days in UTC:

* ``members``: members with a contribution;
* ``per day``: contributions per member-day with one (the mean over such member-days);
* ``2+``: the share of those member-days with two or more contributions;
* ``top1% per day``: the top 1% of contributors' contributions per such day (their mean);
* ``one day``: the share of members whose contributions all fall on one day;
* ``one``: the share of members with a single contribution.

    .venv/bin/python benchmarks/diagnostics/day_bursts.py results/rd31/*.parquet
    .venv/bin/python benchmarks/diagnostics/day_bursts.py --dir results/rd31 click attrs

With ``--dir FOLDER NAME...`` each export's log is ``FOLDER/NAME.parquet`` and its runs
``FOLDER/run-NAME-*.parquet`` (``realdata_calibrate.py``'s layout). ``--markdown`` prints one
Markdown table.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reply_delays, beside this script

from reply_delays import aligned, per_log_main

from sim.calibration.activity import ACTIONS, POST, REPLY

WRITTEN = (ACTIONS[POST], ACTIONS[REPLY])  # the action names of a log's contributions
COLUMNS = ("members", "per day", "2+", "top1% per day", "one day", "one")


def day_bursts(path: str | Path) -> dict:
    """The burst figures of one activity log (see the module docstring)."""
    log = pd.read_parquet(path, columns=["member", "timestamp", "action"])
    log = log[log["action"].isin(WRITTEN)]
    if log.empty:
        return {"members": 0, **{c: math.nan for c in COLUMNS[1:]}}
    day = pd.to_datetime(log["timestamp"], utc=True).dt.floor("D")
    per_day = log.groupby([log["member"], day]).size()  # contributions per member-day
    per_member = per_day.groupby(level=0).agg(["sum", "size"])  # contributions, days
    top = per_member.sort_values("sum", ascending=False, kind="stable")
    top = top.iloc[: math.ceil(0.01 * len(top))]
    return {
        "members": len(per_member),
        "per day": float(per_day.mean()),
        "2+": float((per_day >= 2).mean()),
        "top1% per day": float(per_day.loc[top.index].mean()),
        "one day": float((per_member["size"] == 1).mean()),
        "one": float((per_member["sum"] == 1).mean()),
    }


def cell(column: str, value) -> str:
    """One figure as the tables print it."""
    return f"{value:,}" if column == "members" else f"{value:.2f}"


def table(rows: list[tuple[str, dict]], markdown: bool = False) -> str:
    """The figures of each (label, day_bursts result) as aligned text or a Markdown table."""
    return aligned(rows, COLUMNS, cell, markdown)


def main(argv: list[str] | None = None) -> str:
    return per_log_main(__doc__.split("\n\n")[0], day_bursts, COLUMNS, cell, argv)


if __name__ == "__main__":
    main()
