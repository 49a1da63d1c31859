"""What an import reports: its error and its summary (light: no numpy, for the CLI's help)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ACTIONS = ("join", "visit", "post", "reply", "react")
MAX_SHOWN = 10


class ImportFailure(Exception):
    """An export that cannot be imported: names the file, the record and what was expected."""

    def __init__(self, file: str | Path, record: str | None, message: str):
        self.file, self.record, self.message = str(file), record, message
        where = f"{self.file}, {record}" if record else self.file
        super().__init__(f"{where}: {message}")


@dataclass
class ImportSummary:
    """What an import wrote: the metadata stored in the file, plus rows per action."""

    out: Path
    metadata: dict
    actions: dict[str, int]

    def text(self) -> str:
        m = self.metadata
        founders = m["founders_before"]
        names = m["bot_names"]
        shown = ", ".join(names[:MAX_SHOWN]) + (
            f" and {len(names) - MAX_SHOWN} more" if len(names) > MAX_SHOWN else ""
        )
        per_action = ", ".join(f"{a} {self.actions[a]:,}" for a in ACTIONS if a in self.actions)
        lines = [
            f"imported {m['kind']} export {m['source']} -> {self.out}",
            f"  rows: {m['rows']:,} ({per_action})",
            f"  members: {m['members']:,}",
            f"  period: {m['first']} to {m['last']}",
            f"  joins: {m['join']}"
            + (f"; members active before {founders} are founders" if founders else ""),
            f"  bots removed: {m['bots_removed']:,} rows" + (f" ({shown})" if names else ""),
            f"  identities merged: {m['identities_merged']:,}",
            f"  observed: {', '.join(m['observed'])}; not observable: "
            + (", ".join(m["unobserved"]) or "none"),
        ]
        missing = [a for a in ("visit", "react") if a in m["unobserved"]]
        if missing:
            lines.append(
                f"  no {' or '.join(missing)} rows: calibration will use contribution-based KPIs"
            )
        lines += [f"  note: {note}" for note in m["notes"]]
        return "\n".join(lines)
