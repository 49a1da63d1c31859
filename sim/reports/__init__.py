"""Reports a community manager reads, built from a run folder or an activity log: ``ops`` (the
weekly operations report, ``commsim ops-report``). This layer sits above ``sim.calibration`` (it
measures logs with ``ActivityStats``) and below the command line."""
