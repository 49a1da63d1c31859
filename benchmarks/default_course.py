"""The default community's course (issue 14, Deliver 6): members on days 60, 120, 180, 240 and 365
of the built-in default scenario with no operator, leave reasons and returns, per seed.

    .venv/bin/python benchmarks/default_course.py --seeds 1 2 3
"""

from __future__ import annotations

import argparse

from sim.model import CommunityModel

DAYS = (60, 120, 180, 240, 365)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    print("seed  " + "  ".join(f"day {d:>3}" for d in DAYS) + "  leaves by reason; returned")
    for seed in args.seeds:
        model = CommunityModel(rng=seed)
        model.run(max(DAYS))
        members = model.series()["members"]
        summary = model.summary()
        leaves = {k[7:]: v for k, v in summary.items() if k.startswith("leaves_") and v}
        sizes = "  ".join(f"{int(members.iloc[d - 1]):>7,}" for d in DAYS)
        print(f"{seed:>4}  {sizes}  {leaves}; {summary['returned']}")


if __name__ == "__main__":
    main()
