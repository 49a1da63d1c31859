"""Unit-cube points of the sensitivity designs (Morris trajectories, Saltelli's scheme for Sobol
indices), drawn by SALib (the ``sensitivity`` extra) in the order its analysers expect."""

from __future__ import annotations

import numpy as np

INSTALL_HINT = "sensitivity analysis needs SALib: pip install 'commsim[sensitivity]'"


def require_salib() -> None:
    """Raise a clear ``ImportError`` (how to install it) when SALib is missing."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise ImportError(INSTALL_HINT) from None


def unit_problem(d: int) -> dict:
    """SALib's problem for ``d`` factors on the unit cube."""
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def sample(kind: str, d: int, samples: int, levels: int, seed: int) -> np.ndarray:
    """Unit-cube points of a ``morris`` or ``sobol_indices`` design, in SALib's order."""
    require_salib()
    seed = seed % 2**32
    if kind == "morris":
        from SALib.sample import morris

        return morris.sample(unit_problem(d), samples, num_levels=levels, seed=seed)
    if kind == "sobol_indices":
        from SALib.sample import sobol

        return sobol.sample(unit_problem(d), samples, calc_second_order=False, seed=seed)
    raise ValueError(f"{kind!r} is not a sensitivity design (morris, sobol_indices)")
