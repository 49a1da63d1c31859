"""``commsim atlas``: measure the sign atlas (``sim.validation.atlas``) and write its page.

    commsim atlas --workers 2                    # full: every row, 16 seeds (results/atlas/)
    commsim atlas --quick                        # the issue's rows, 4 seeds (results/atlas-quick/)
    commsim atlas --only "tie gain" "bond weight"
    commsim atlas --docs                         # and copy the page to docs/atlas.md
    commsim atlas --list                         # the rows, with their expected signs

Like ``validate``, it is a sweep underneath: resumable (rerun the command), parallel, failed runs
recorded. The heavy imports happen only when the command runs.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from sim.cli.experiments import (
    _check_backend,
    _positive,
    add_backend_arguments,
    fail,
    run_options,
    shown,
)


def add_atlas_command(commands) -> None:
    atlas = commands.add_parser(
        "atlas",
        help="measure the sign atlas: every lever and behaviour parameter's expected effects",
        description="Run every row of the sign atlas (arm A vs arm B on paired seeds, through the "
        "sweep runner: resumable, parallel) and write atlas.md, atlas.csv and atlas.png: per row "
        "and outcome the expected sign, the measured difference with its 95% CI, and whether "
        "they agree.",
        epilog="examples:\n"
        "  commsim atlas --workers 2              # full (results/atlas)\n"
        "  commsim atlas --quick --strict         # CI: the issue's rows, exit 1 on a contradiction\n"
        '  commsim atlas --only "tie gain"        # some rows (names: commsim atlas --list)\n'
        "  commsim atlas --docs                   # also copy the page into docs/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    atlas.add_argument(
        "--quick", action="store_true", help="only the rows marked quick, with 4 seeds"
    )
    atlas.add_argument(
        "--out",
        metavar="DIR",
        help="results folder (default: results/atlas or results/atlas-quick)",
    )
    atlas.add_argument("--only", nargs="+", metavar="ROW", help="only these rows (exact names)")
    atlas.add_argument(
        "--replications", type=_positive, metavar="N", help="override the mode's seeds"
    )
    atlas.add_argument(
        "--docs", action="store_true", help="copy the page, figure and table into docs/"
    )
    atlas.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a row contradicts"
    )
    atlas.add_argument("--list", action="store_true", help="list the rows and exit")
    add_backend_arguments(atlas)
    atlas.add_argument("--quiet", action="store_true", help="no progress bars")


def _atlas(args: argparse.Namespace) -> int:
    from sim.experiments.store import StoreError
    from sim.experiments.sweep import SweepError
    from sim.validation.atlas import AtlasError, run_atlas
    from sim.validation.atlas_rows import ROWS

    if args.list:
        for row in ROWS:
            print(f"{row.expect}  {'quick' if row.quick else '     '}  {row.name}")
        return 0
    _check_backend(args)
    out = Path(args.out or Path("results") / ("atlas-quick" if args.quick else "atlas"))
    try:
        atlas = run_atlas(
            out,
            quick=args.quick,
            **run_options(args),
            only=args.only,
            replications=args.replications,
        )
    except (AtlasError, SweepError, StoreError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; finished runs are stored in {shown(out)}: rerun to resume", 130)
    except (OSError, RuntimeError) as exc:
        fail(f"cannot run the atlas: {exc}", 1)
    from sim.validation.atlas_page import copy_to_docs, write_page

    command = "commsim " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "commsim atlas"
    page = write_page(atlas, out, command)
    counts = atlas.counts()
    for effect in atlas.contradictions():
        low, high = effect.ci
        print(
            f"contradicts: {effect.row}: {effect.outcome} expected {effect.expected}, measured "
            f"{effect.mean:+.4g} [{low:+.4g}, {high:+.4g}]"
        )
    if atlas.failed_runs:
        print(f"  {atlas.failed_runs} run(s) failed: {shown(out / 'failures.jsonl')}")
    print(
        f"{len(atlas.effects)} cells: {counts['agrees']} agree, {counts['contradicts']} "
        f"contradict, {counts['not resolved']} not resolved, {counts['not measured']} not "
        f"measured, in {atlas.seconds:.0f} s: {shown(page)}"
    )
    if args.docs:
        for path in copy_to_docs(out):
            print(f"wrote {shown(path)}")
    return 1 if args.strict and (atlas.contradictions() or atlas.failed_runs) else 0


ATLAS_COMMANDS = {"atlas": _atlas}
