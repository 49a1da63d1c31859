"""Community metrics practitioners use, computed from contributions (posts and replies) alike for a
real log and a simulated run (``ActivityStats.finish`` calls ``community_metrics``).

Names and definitions follow CHAOSS (Community Health Analytics in Open Source Software) where it
defines the metric:

* **Time to First Response** (CHAOSS Common WG, ``focus-areas/time/time-to-first-response``):
  "time first response was posted to the activity - time the activity was created". Here the
  activity is a thread (a ``post``) and the response the first ``reply`` to it by another member;
  times are whole days (the KPIs keep days, not seconds), so a same-day answer is 0 days. Reported:
  ``first_response_median_days`` over answered threads and ``first_response_share``, the share of
  threads started at least 30 days before the log's end that got a response within 30 days.
* **New Contributors** (CHAOSS Evolution WG, Community Growth): contributors whose first
  contribution falls in the period.
* **Inactive Contributors** (CHAOSS Evolution WG, Community Growth): contributors who contributed
  before the period and not in it. (CHAOSS leaves the look-back open; we count anyone who ever
  contributed before, a member "inactive" from their last contribution on.)
* *Returning contributors* (ours, the complement of New Contributors among the period's
  contributors; Cauldron's "repeat contributors"): contributed in the period and before it.
* **Contributor Absence Factor** (CHAOSS Risk WG, ``business-risk/contributor-absence-factor``,
  formerly "Bus Factor"): the smallest number of contributors responsible for 50% of all
  contributions (contributors sorted by contributions, decreasing, summed until 50% is reached).

* *Later replies* (ours; issue 15): the share of replies by other members than a thread's
  starter written ``LATER_DAYS`` (2) or more days after the thread started. By default the model
  answers a thread only on the next day (``Rules.reply_window``), so its share is 0; on the real
  exports of ``../shared/realdata`` it is 0.06 (a Discord chat) to 0.70 (pull requests), see
  ``benchmarks/diagnostics/reply_delays.py``. Reported, not fitted against.

Periods are ``PERIOD_DAYS`` (28) days from day 0; the per-period counts are daily columns, each day
holding its period's count (a step function), so they are stored with a run's series.
"""

from __future__ import annotations

import numpy as np

PERIOD_DAYS = 28
RESPONSE_WINDOW = 30  # days: a thread is "answered" when a reply comes within this
LATER_DAYS = 2  # days after a thread's start from which a reply counts as a later one
PERIOD_COLUMNS = ("new_contributors", "returning_contributors", "inactive_contributors")
METRIC_LABELS = {
    "absence_factor": "Contributor Absence Factor (contributors making 50% of contributions)",
    "first_response_median_days": "Time to First Response, median (days)",
    "first_response_share": f"threads with a first response within {RESPONSE_WINDOW} days",
    "later_reply_share": f"replies by others {LATER_DAYS} or more days after their thread",
    "new_contributors": f"New Contributors per {PERIOD_DAYS}-day period (mean)",
    "returning_contributors": f"returning contributors per {PERIOD_DAYS}-day period (mean)",
    "inactive_contributors": f"Inactive Contributors per {PERIOD_DAYS}-day period (mean)",
}


def absence_factor(contributions: np.ndarray) -> int:
    """The smallest number of contributors making at least half of all contributions (0 if none).

    >>> absence_factor(np.array([1000, 202, 90, 33, 332, 343, 42, 433]))
    2
    """
    counts = np.sort(np.asarray(contributions, np.int64))[::-1]
    total = counts.sum()
    if total <= 0:
        return 0
    return int(np.searchsorted(np.cumsum(counts), 0.5 * total) + 1)


def _by_others(author: np.ndarray, reply_thread: np.ndarray, responder: np.ndarray) -> np.ndarray:
    """Which replies answer a known thread (an index into ``author``) and are by another member
    than its starter."""
    other = (reply_thread >= 0) & (reply_thread < author.size)
    other[other] &= responder[other] != author[reply_thread[other]]
    return other


def first_responses(
    author: np.ndarray,
    start_day: np.ndarray,
    reply_thread: np.ndarray,
    responder: np.ndarray,
    reply_day: np.ndarray,
) -> np.ndarray:
    """Per thread, days from its start to its first reply by another member (-1: none)."""
    first = np.full(author.size, np.iinfo(np.int64).max)
    other = _by_others(author, reply_thread, responder)
    np.minimum.at(first, reply_thread[other], reply_day[other])
    delay = first - start_day
    return np.where((first == np.iinfo(np.int64).max) | (author < 0), -1, np.maximum(delay, 0))


def later_reply_share(
    author: np.ndarray,
    start_day: np.ndarray,
    reply_thread: np.ndarray,
    responder: np.ndarray,
    reply_day: np.ndarray,
) -> float | None:
    """The share of replies by others than their thread's starter written ``LATER_DAYS`` or more
    days after it started (None without any such reply); threads as in ``first_responses``."""
    other = _by_others(author, reply_thread, responder)
    if not other.any():
        return None
    delay = reply_day[other] - start_day[reply_thread[other]]
    return float((delay >= LATER_DAYS).mean())


def period_contributors(member: np.ndarray, day: np.ndarray, last: int) -> dict[str, np.ndarray]:
    """New, returning and inactive contributors per ``PERIOD_DAYS`` period (see the module
    docstring) from the (member, day) pairs of contributions; one value per period."""
    periods = last // PERIOD_DAYS + 1
    if member.size == 0:
        zero = np.zeros(periods, np.int64)
        return {"new_contributors": zero, "returning_contributors": zero,
                "inactive_contributors": zero}  # fmt: skip
    period = day // PERIOD_DAYS
    size = int(member.max()) + 1
    first = np.full(size, periods, np.int64)
    np.minimum.at(first, member, period)
    pairs = np.unique(member * periods + period)
    who, when = pairs // periods, pairs % periods
    active = np.bincount(when, minlength=periods)
    new = np.bincount(first[first < periods], minlength=periods)
    ever = np.cumsum(new)  # contributors whose first period is at or before p
    before = np.concatenate([[0], ever[:-1]])
    returning = active - new
    del who
    return {
        "new_contributors": new,
        "returning_contributors": returning,
        "inactive_contributors": before - returning,
    }


def community_metrics(
    contrib_member: np.ndarray,
    contrib_day: np.ndarray,
    contributions: np.ndarray,
    author: np.ndarray,
    start_day: np.ndarray,
    reply_thread: np.ndarray,
    responder: np.ndarray,
    reply_day: np.ndarray,
    last: int,
) -> dict:
    """The scalars of the module docstring, and under ``daily`` the per-period counts as daily
    step columns (``PERIOD_COLUMNS``)."""
    delay = first_responses(author, start_day, reply_thread, responder, reply_day)
    answered = delay >= 0
    eligible = (author >= 0) & (start_day <= last - RESPONSE_WINDOW)
    periods = period_contributors(contrib_member, contrib_day, last)
    step = np.arange(last + 1) // PERIOD_DAYS
    complete = max(1, (last + 1) // PERIOD_DAYS)  # periods wholly inside the log
    out = {
        "absence_factor": absence_factor(contributions),
        "first_response_median_days": float(np.median(delay[answered])) if answered.any() else None,
        "first_response_share": float((answered & (delay <= RESPONSE_WINDOW))[eligible].mean())
        if eligible.any()
        else None,
        "later_reply_share": later_reply_share(
            author, start_day, reply_thread, responder, reply_day
        ),
        **{name: float(values[:complete].mean()) for name, values in periods.items()},
        "daily": {name: values[step] for name, values in periods.items()},
    }
    return out
