"""Issue 15: when does a thread's author write in its own thread, in a real log and in runs?

In the model an author writes in its own thread as follow-ups (``Rules.followup``,
``Population.answer_own_threads``: about f replies per reply from another member, on the day it
came, if the author visits) and, since candidate 42, as continuations (``Rules.continuation``,
``Population.continue_threads``: further replies on the day it starts the thread, whether or not
anyone answers). Real logs hold many replies by the thread's own author (attrs 0.80, a
pull request's author's further commits; click 0.65), and the calibrated runs few (candidate 41:
0.28 and 0.14; docs/calibration-history.md). This script asks whether the logs' own replies
answer others at all: per activity log (threads and replies with a ``thread`` column; the
author is the member who started the thread), counting only replies in threads whose start the
log holds:

* ``threads``: threads started; ``replies``: replies in them;
* ``own``: the share of those replies written by the thread's author;
* ``own first``: of the own replies, the share written before any other member's reply in the
  thread (by timestamp; a reply at the same second as another's counts as after it), which no
  rule that waits for another member's reply can produce;
* ``own unanswered``: the share of own replies in threads no other member ever replied to;
* ``threads with own``: the share of threads with at least one own reply.

    .venv/bin/python benchmarks/diagnostics/own_replies.py --dir results/rd41a attrs click
    .venv/bin/python benchmarks/diagnostics/own_replies.py LOG.parquet ...

With ``--dir FOLDER NAME...`` each export's log is ``FOLDER/NAME.parquet`` and its runs
``FOLDER/run-NAME-*.parquet`` (``realdata_calibrate.py``'s layout). A run's rows carry their day
only (midnight), so there "first" means on an earlier day than any other member's reply; and
``commsim export-log`` places a run's replies and follow-ups in their authors' threads of the day
before in turn (``ActivityObserver``), not in the very thread the model answered, so a run's
``own first`` is not zero though the follow-up rule's is (its ``own unanswered`` is; a
continuation's need not be either).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reply_delays, beside this script

from reply_delays import per_log_main

from sim.calibration.activity import ACTIONS, POST, REPLY

COLUMNS = ("threads", "replies", "own", "own first", "own unanswered", "threads with own")


def own_replies(path: str | Path) -> dict:
    """The figures of one activity log (see the module docstring)."""
    log = pd.read_parquet(path, columns=["member", "timestamp", "action", "thread"])
    log = log[log["thread"].notna() & (log["thread"].astype(str) != "")]
    log = log.assign(time=pd.to_datetime(log["timestamp"], utc=True))
    starts = log[log["action"] == ACTIONS[POST]].sort_values("time", kind="stable")
    author = starts.drop_duplicates("thread").set_index("thread")["member"]
    replies = log[(log["action"] == ACTIONS[REPLY]) & log["thread"].isin(author.index)]
    replies = replies.assign(
        own=replies["member"].to_numpy() == author[replies["thread"]].to_numpy()
    )
    if replies.empty:
        return {"threads": len(author), "replies": 0, **{c: math.nan for c in COLUMNS[2:]}}
    others = replies[~replies["own"]]
    first_other = others.groupby("thread")["time"].min()
    own = replies[replies["own"]]
    other_time = own["thread"].map(first_other)  # NaT: nobody else ever replied
    before = other_time.isna() | (own["time"] < other_time)
    n_own = len(own)
    return {
        "threads": len(author),
        "replies": len(replies),
        "own": n_own / len(replies),
        "own first": float(before.mean()) if n_own else math.nan,
        "own unanswered": float(other_time.isna().mean()) if n_own else math.nan,
        "threads with own": own["thread"].nunique() / len(author),
    }


def main(argv: list[str] | None = None) -> str:
    def cell(column, value):
        return f"{value:,}" if column in ("threads", "replies") else f"{value:.2f}"

    return per_log_main(__doc__.split("\n\n")[0], own_replies, COLUMNS, cell, argv)


if __name__ == "__main__":
    main()
