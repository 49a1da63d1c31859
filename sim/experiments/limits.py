"""Resource bounds of experiments, in a module with no imports so the command line's help can
show them without loading the model."""

# The most runs a sweep may plan (points x strategies x replications) unless the caller raises it
# (``commsim sweep --max-runs``): planning alone costs memory and time for each, so a design of 9
# factors at 10 levels (a billion points) is refused before anything is built.
MAX_PLANNED_RUNS = 100_000
