"""Which observation model a log calls for: the action types it can show, what a join is, and who
the founders are (``sim.calibration.activity.Observation``), decided from the log's own metadata
when ``commsim import`` wrote it, else from the rows it holds.

``commsim import`` stores a JSON object under the Parquet schema metadata key ``commsim``
(``format`` 1: ``observed`` and ``unobserved`` actions, ``join`` = ``first_contribution`` or
``registration``, ``founders_before`` (a timestamp), and counts). ``import_metadata`` reads it
with ``sim.importers.read_import_metadata`` (the schema only, no rows) and checks the fields used
here; a CSV log has none.

Without metadata: a log with no ``visit`` and no ``react`` rows is taken to record contributions
only (git, Stack Exchange posts, mailing lists and most chat exports do); then a member joins with
their first post or reply, since such a log has no other sign of a member. Founders: members who
join within the log's first ``FOUNDER_DAYS`` days (a community's first week gathers the people who
started it; an assumption, stated in the report), or before ``founders_before`` when the metadata
gives it. A log cut at ``founders_before`` (``commsim import ... --since``) knows its founders from
the history before the cut: the importer writes no join row for members active before it, so
those members are founders however late their first contribution inside the window
(``Observation.founders_known``; without it a maintainer whose first commit in the window came
late was counted as a newcomer, 12 of attrs' 14 founders from 2022).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.calibration.activity import ACTIONS, JOIN_RULES, Observation
from sim.importers import read_import_metadata

FOUNDER_DAYS = 7


class MetadataError(ValueError):
    """A ``commsim`` metadata entry that cannot be used (the message names the field)."""


def import_metadata(path: str | Path) -> dict | None:
    """The ``commsim`` metadata of a Parquet log written by ``commsim import``, read by
    ``sim.importers.read_import_metadata`` (None if absent or not Parquet), checked for the fields
    calibration uses; raises ``MetadataError`` naming the bad field."""
    path = Path(path)
    where = f"{path}: Parquet metadata 'commsim'"
    try:
        data = read_import_metadata(path)
    except OSError:
        return None  # the log reader reports an unreadable file
    except (ValueError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{where}: not JSON ({exc})") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise MetadataError(f"{where}: expected a JSON object")
    for key in ("observed", "unobserved"):
        value = data.get(key, [])
        if not isinstance(value, list) or set(value) - set(ACTIONS):
            raise MetadataError(
                f"{where}: field {key}: got {value!r}; expected a list of {', '.join(ACTIONS)}"
            )
    if data.get("join", "registration") not in JOIN_RULES:
        raise MetadataError(
            f"{where}: field join: got {data.get('join')!r}; expected one of {', '.join(JOIN_RULES)}"
        )
    return data


def decide(
    counts: dict[str, int], metadata: dict | None, start: str | None
) -> tuple[Observation, list[str]]:
    """The observation model for a log with ``counts`` rows per action (and its metadata and the
    date of its day 0); returns it and the warnings to show."""
    warnings = []
    if metadata and metadata.get("observed"):
        observed = tuple(a for a in ACTIONS if a in metadata["observed"])
        reason = "the importer recorded which actions the platform can observe"
    else:
        observed = tuple(a for a in ACTIONS if counts.get(a, 0) > 0)
        reason = "taken from the action types present in the log"
    missing = [a for a in ("visit", "react") if a not in observed]
    if len(missing) == 2:
        warnings.append(
            "the log has no visit or react rows: activity, retention and inequality are "
            "measured from contributions (posts and replies) on both sides, log and simulation"
        )
    elif missing:
        warnings.append(
            f"the log has no {missing[0]} rows: {missing[0]}s are left out on both sides"
        )
    if metadata and metadata.get("join"):
        join = metadata["join"]
        why = "as the importer recorded"
    elif "visit" not in observed and "react" not in observed:
        join, why = (
            "first_contribution",
            "a contributions-only log shows members from their first post",
        )
    else:
        join, why = "registration", "the log has join rows or other non-contribution actions"
    if join == "registration" and counts.get("join", 0) == 0:
        join, why = "first_contribution", "the log has no join rows"
    founder_days = FOUNDER_DAYS
    founders_why = f"members joining in the log's first {FOUNDER_DAYS} days"
    known = False
    if metadata and metadata.get("founders_before") and start is not None:
        try:
            before = np.datetime64(str(metadata["founders_before"])[:10], "D")
            origin = np.datetime64(str(start).replace("Z", "")[:10], "D")
            founder_days = max(1, int((before - origin).astype(int)))
            founders_why = (
                f"members joining before {before} (founders_before in the metadata), and every "
                "member active before it (the importer wrote them no join row), however late "
                "their first contribution in the log"
            )
            known = True
        except ValueError:
            warnings.append(
                f"metadata founders_before {metadata['founders_before']!r} is not a date; "
                f"founders are {founders_why}"
            )
    elif join == "registration" and counts.get("join", 0) > 0:
        founder_days, founders_why = 1, "members there on day 0 (or acting without a join row)"
    observation = Observation(
        observed, join, founder_days, f"{reason}; joins: {why}; founders: {founders_why}", known
    )
    return observation, warnings
