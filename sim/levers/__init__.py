"""The operator's levers, one module each; importing this package registers them all.

The built-in levers register in the order of the scenario's ``strategy`` section (which is also
the order of the daily series and of the docs); any other module in this package is a lever too
and registers after them, in alphabetical order, so adding a lever is adding one file here (see
``sim.policies`` for what the file declares).
"""

import importlib
import pkgutil

BUILT_IN = (
    "content",
    "events",
    "incentives",
    "moderation",
    "onboarding",
    "recruitment",
    "winback",
    "adaptive",
)

for _name in (
    *BUILT_IN,
    *sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in BUILT_IN),
):
    importlib.import_module(f"{__name__}.{_name}")
