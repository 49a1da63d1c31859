"""Would ``tests/test_oracle.py`` notice a broken rule? Each break below changes one rule of the
oracle (``sim/validation/oracle.py``, by a text substitution in a copy loaded as its own module),
runs the oracle's world that exercises the rule against the unchanged vectorised model on
``--seeds`` paired seeds, and applies the test's criterion (the paired difference of each compared
series' last-month mean, its Bonferroni t-interval widened by rounding). Printed per break: the
series on which the two models then disagree; an empty list means the test would miss it.

    .venv/bin/python benchmarks/diagnostics/oracle_breaks.py                 # every break, 20 seeds
    .venv/bin/python benchmarks/diagnostics/oracle_breaks.py --seeds 10 "notify cost x1.5"
    .venv/bin/python benchmarks/diagnostics/oracle_breaks.py --unbroken      # the worlds as they are

Measured on 2026-12-02: at 10 seeds, 7 of the 10 breaks fail their world (the stream's overload
cost on members, weekly actives and loyalty only, within 1.5 times the allowed difference); the
other 3 fail at 20 seeds, the test's (chatter as information, the notification cost, muted
members' visits). About 3.5 s a seed and break.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import test_oracle as T  # noqa: E402  (the test's worlds, sizes and criterion)

from sim.validation.oracle import OracleModel  # noqa: E402

SOURCE = (ROOT / "sim" / "validation" / "oracle.py").read_text(encoding="utf-8")
TOXIC, CHAT, STREAM = "toxic and chatty posters", "chat group", "stream"
# name: (world, text in oracle.py, its broken replacement)
BREAKS = {
    "toxicity cost x1.5": (
        TOXIC,
        "self.model.rules.toxicity_cost * (1",
        "1.5 * self.model.rules.toxicity_cost * (1",
    ),
    "toxicity saturation 3 -> 6": (TOXIC, "toxic_read / 3.0", "toxic_read / 6.0"),
    "chatter informative": (
        TOXIC,
        "sum(not item.chatter for item in items)",
        "sum(1 for item in items)",
    ),
    "replies to chatter not chatter": (
        TOXIC,
        "is_thread=False, chatter=thread.chatter)",
        "is_thread=False, chatter=False)",
    ),
    "notify cost x1.5": (
        CHAT,
        "platform.notify_cost * unread / budget",
        "1.5 * platform.notify_cost * unread / budget",
    ),
    "muted visits unchanged": (CHAT, "p *= r.platform.muted_visit", "p *= 1.0"),
    "mute threshold halved": (
        CHAT,
        "unread > platform.mute_after",
        "unread > platform.mute_after / 2",
    ),
    "stream saturation 3 -> 2.5": (
        STREAM,
        "saturation = 1 - math.exp(-3.0 * self.relevant_read / INFO_SATURATION_ITEMS)\n"
        "        self.info_today = feed.mean_quality",
        "saturation = 1 - math.exp(-2.5 * self.relevant_read / INFO_SATURATION_ITEMS)\n"
        "        self.info_today = feed.mean_quality",
    ),
    "stream overload x1.5": (
        STREAM,
        "self.overload_today = r.overload_cost * (1",
        "self.overload_today = 1.5 * r.overload_cost * (1",
    ),
    "stream toxic read ignored": (
        STREAM,
        "        )\n        self._read_toxic(feed, read)\n\n    def _read_attention",
        "        )\n\n    def _read_attention",
    ),
}


def broken_oracle(old: str, new: str):
    """``OracleModel`` of a copy of the oracle's module with ``old`` replaced by ``new``."""
    if SOURCE.count(old) != 1:
        raise ValueError(f"the oracle's text to break is not there exactly once: {old!r}")
    module = types.ModuleType("oracle_broken")
    module.__file__ = "oracle_broken.py"
    sys.modules[module.__name__] = module
    exec(compile(SOURCE.replace(old, new), module.__file__, "exec"), module.__dict__)
    return module.OracleModel


def disagreeing(world: str, oracle_class, seeds: int) -> list[str]:
    """The compared series on which the test's criterion fails for ``world``."""
    pairs = [T.last_month_means(world, seed, oracle_class) for seed in range(seeds)]
    vectorised = pd.DataFrame([v for v, _ in pairs])
    oracle = pd.DataFrame([o for _, o in pairs])
    report = T.comparison(vectorised, oracle)
    outside = report["difference"].abs() > report["allowed"]
    return list(outside[outside].index)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("breaks", nargs="*", help=f"default: all of {', '.join(BREAKS)}")
    parser.add_argument("--seeds", type=int, default=len(T.SEEDS))
    parser.add_argument("--unbroken", action="store_true", help="each world with no break")
    args = parser.parse_args(argv)
    if args.unbroken:
        for world in (TOXIC, CHAT, STREAM):
            print(
                f"unbroken | {world} | disagree on: {disagreeing(world, OracleModel, args.seeds)}"
            )
        return
    for name in args.breaks or BREAKS:
        world, old, new = BREAKS[name]
        found = disagreeing(world, broken_oracle(old, new), args.seeds)
        print(f"{name} | {world} | disagree on: {found}", flush=True)


if __name__ == "__main__":
    main()
