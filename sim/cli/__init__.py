"""The ``commsim`` command: ``core`` (the parser, ``run`` and ``schema``), ``experiments`` (sweeps,
reports, validation), ``calibrate`` (activity logs and calibration), ``importing``, ``atlas`` and
``reports`` (the weekly operations report)."""


def main(argv: list[str] | None = None) -> int:
    """The console script's entry point (imports the commands only when called)."""
    from sim.cli.core import main as run

    return run(argv)
