"""Issue 15: when do replies come, in a real log and in runs of its calibrated scenario?

By default the model answers a thread only on the day after it is posted: today's threads and
replies become tomorrow's feed (``CommunityModel._publish``), and repliers pick among that feed's
threads (``Population.respond``); ``Rules.reply_window`` keeps threads open longer. Real threads
are answered over days and weeks: a Stack Exchange meta question or a GitHub issue waits for its
answer. This script measures the gap between the
two, contributions only, from activity logs (``commsim import`` output for the real log, and
``commsim export-log`` output for runs, whose rows carry ``thread``).

Per log it prints:

* ``replies``: replies by members other than the thread's starter (a starter's own replies are
  follow-ups, ``Rules.followup``), to threads whose start is in the log;
* ``same``, ``next``, ``2-7``, ``>7``: the shares of those replies written on the thread's
  start day, the day after, 2 to 7 days after and more than 7 days after (calendar days, UTC,
  as the KPIs count days);
* ``median``: their median delay in days (from timestamps: runs' rows carry a day, or an hour
  with active hours, so a run's delays are whole days or hours);
* ``days/thread``: over threads answered by others, the mean number of distinct days their
  replies came on;
* ``top1% days``, ``per day``: the top 1% of contributors' mean days with a contribution and
  their contributions per such day (the two factors of their share that the window shapes: see
  ``benchmarks/diagnostics/top_share.py`` for the full decomposition).

    .venv/bin/python benchmarks/diagnostics/reply_delays.py \\
        results/rd31/click.parquet --runs results/rd31/run-click-*.parquet
    .venv/bin/python benchmarks/diagnostics/reply_delays.py --dir results/rd31 click attrs

With ``--dir FOLDER NAME...`` each export's log is ``FOLDER/NAME.parquet`` and its runs
``FOLDER/run-NAME-*.parquet`` (``realdata_calibrate.py``'s layout). ``--markdown`` prints one
Markdown table. Same inputs: the same table.
"""

from __future__ import annotations

import argparse
import glob
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.activity import ACTIONS, POST, REPLY

THREAD, ANSWER = ACTIONS[POST], ACTIONS[REPLY]  # the action names of a log's rows

BUCKETS = (("same", 0, 0), ("next", 1, 1), ("2-7", 2, 7), (">7", 8, None))


def reply_delays(path: str | Path) -> dict:
    """The reply-timing figures of one activity log (see the module docstring)."""
    log = pd.read_parquet(path, columns=["member", "timestamp", "action", "thread"])
    log["time"] = pd.to_datetime(log["timestamp"], utc=True)
    log["day"] = log["time"].dt.floor("D")
    starts = (
        log[log["action"] == THREAD]
        .groupby("thread")
        .agg(start=("time", "min"), start_day=("day", "min"), starter=("member", "first"))
        .reset_index()
    )
    replies = log[log["action"] == ANSWER].merge(starts, on="thread")
    others = replies[replies["member"] != replies["starter"]]
    days_after = (others["day"] - others["start_day"]).dt.days.to_numpy()
    hours = (others["time"] - others["start"]).dt.total_seconds().to_numpy() / 86400
    result = {"replies": len(others)}
    for name, low, high in BUCKETS:
        inside = (days_after >= low) & (days_after <= (high if high is not None else np.inf))
        result[name] = float(inside.mean()) if len(others) else math.nan
    result["median"] = float(np.median(hours)) if len(others) else math.nan
    per_thread = others.groupby("thread")["day"].nunique()
    result["days/thread"] = float(per_thread.mean()) if len(per_thread) else math.nan
    result.update(_top_days(log))
    return result


def _top_days(log: pd.DataFrame) -> dict:
    """The top 1% of contributors' mean contributing days and contributions per such day."""
    written = log[log["action"].isin([THREAD, ANSWER])]
    per = written.groupby("member").agg(n=("action", "size"), days=("day", "nunique"))
    if per.empty:
        return {"top1% days": math.nan, "per day": math.nan}
    top = per.sort_values("n", ascending=False, kind="stable").iloc[: math.ceil(0.01 * len(per))]
    return {
        "top1% days": float(top["days"].mean()),
        "per day": float((top["n"] / top["days"]).mean()),
    }


def table(rows: list[tuple[str, dict]], markdown: bool = False) -> str:
    """The figures of each (label, reply_delays result) as aligned text or a Markdown table."""
    columns = [
        "replies",
        *[b[0] for b in BUCKETS],
        "median",
        "days/thread",
        "top1% days",
        "per day",
    ]

    def cell(column, value):
        if column == "replies":
            return f"{value:,}"
        return f"{value:.2f}" if column not in ("top1% days",) else f"{value:.1f}"

    return aligned(rows, columns, cell, markdown)


def aligned(rows: list[tuple[str, dict]], columns, cell, markdown: bool = False) -> str:
    """Labelled rows of figures as aligned text or a Markdown table: ``cell(column, value)``
    formats one figure (also used by ``day_bursts.py`` and ``own_replies.py``)."""
    if markdown:
        lines = ["| log | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
        for label, r in rows:
            lines.append(f"| {label} | " + " | ".join(cell(c, r[c]) for c in columns) + " |")
        return "\n".join(lines)
    width = max(len(label) for label, _ in rows)
    lines = [" " * width + "  " + "  ".join(f"{c:>13}" for c in columns)]
    for label, r in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{cell(c, r[c]):>13}" for c in columns))
    return "\n".join(lines)


def per_log_main(description: str, figures, columns, cell, argv: list[str] | None) -> str:
    """The command line of a diagnostic with one row of ``figures(path)`` per activity log:
    ``LOG ...``, or ``--dir FOLDER NAME ...`` for each export's log ``FOLDER/NAME.parquet`` and
    its runs ``FOLDER/run-NAME-*.parquet`` (``realdata_calibrate.py``'s layout); ``--markdown``
    for one Markdown table (``day_bursts.py``, ``own_replies.py``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("logs", nargs="*", help="activity logs (or export names with --dir)")
    parser.add_argument("--dir", help="a realdata_calibrate.py folder: NAME.parquet, run-NAME-*")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.dir:
        paths = []
        for name in args.logs:
            paths.append(Path(args.dir) / f"{name}.parquet")
            paths.extend(
                map(Path, sorted(glob.glob(str(Path(args.dir) / f"run-{name}-*.parquet"))))
            )
    else:
        paths = [Path(log) for log in args.logs]
    if not paths:
        parser.error("give at least one log")
    text = aligned([(path.stem, figures(path)) for path in paths], columns, cell, args.markdown)
    print(text)
    return text


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="*", help="activity logs (or export names with --dir)")
    parser.add_argument("--runs", nargs="*", default=[], help="run logs (commsim export-log)")
    parser.add_argument("--dir", help="a realdata_calibrate.py folder: NAME.parquet, run-NAME-*")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    pairs = []
    if args.dir:
        for name in args.logs:
            runs = sorted(glob.glob(str(Path(args.dir) / f"run-{name}-*.parquet")))
            pairs.append((Path(args.dir) / f"{name}.parquet", runs))
    else:
        pairs = [(Path(log), []) for log in args.logs]
        if pairs:
            pairs[-1] = (pairs[-1][0], args.runs)
    if not pairs:
        parser.error("give at least one log")
    rows = []
    for log, runs in pairs:
        rows.append((f"{log.stem} log", reply_delays(log)))
        rows.extend((f"{log.stem} {Path(run).stem}", reply_delays(run)) for run in runs)
    text = table(rows, args.markdown)
    print(text)
    return text


if __name__ == "__main__":
    main()
