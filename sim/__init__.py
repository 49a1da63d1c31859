"""commsim: an agent-based simulator of online communities and the people who run them.

The model's names load on first use, so ``import sim`` (and ``commsim --help``) stays light."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
_AGENTS = {"LeaveReason", "Member", "Role", "Rules", "Segment"}
__all__ = ["CommunityModel", *sorted(_AGENTS), "__version__"]


def __getattr__(name: str) -> Any:
    if name in _AGENTS:
        from sim import agents

        return getattr(agents, name)
    if name == "CommunityModel":
        from sim.model import CommunityModel

        return CommunityModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
