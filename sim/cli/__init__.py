"""The ``commsim`` command: ``core`` (the parser, ``run`` and ``schema``), ``experiments`` (sweeps,
reports, validation) and ``calibrate`` (activity logs and calibration)."""


def main(argv: list[str] | None = None) -> int:
    """The console script's entry point (imports the commands only when called)."""
    from sim.cli.core import main as run

    return run(argv)
