"""Two sign-atlas tables side by side (``atlas.csv`` of ``commsim atlas``): each row's paired
difference and verdict before and after, as a Markdown table (✓ agrees, ✗ contradicts, · not
resolved; retention as a share).

    .venv/bin/python benchmarks/atlas_compare.py BEFORE/atlas.csv docs/atlas.csv ["row" ...]
"""

from __future__ import annotations

import argparse

import pandas as pd

MARKS = {"agrees": "✓", "contradicts": "✗", "not resolved": "·"}
OUTCOMES = ("members_end", "dau_last30", "retention_30", "retention_90", "posts_per_day")


def cell(table: pd.DataFrame, row: str, outcome: str) -> str:
    found = table[(table.row == row) & (table.outcome == outcome)]
    if found.empty:
        return "–"
    effect = found.iloc[0]
    return f"{effect.difference:+.3g} {MARKS.get(effect.verdict, '?')}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("rows", nargs="*", help="rows to show (default: every row of AFTER)")
    args = parser.parse_args(argv)
    before, after = pd.read_csv(args.before), pd.read_csv(args.after)
    rows = args.rows or list(dict.fromkeys(after.row))
    print("| row | " + " | ".join(f"{o} before → after" for o in OUTCOMES) + " |")
    print("|---|" + "---|" * len(OUTCOMES))
    for row in rows:
        cells = (f"{cell(before, row, o)} → {cell(after, row, o)}" for o in OUTCOMES)
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
