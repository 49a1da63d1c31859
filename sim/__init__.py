"""commsim: an agent-based simulator of online communities and the people who run them."""

from sim.agents import LeaveReason, Member, Role, Rules, Segment
from sim.model import CommunityModel

__version__ = "0.1.0"
__all__ = ["CommunityModel", "LeaveReason", "Member", "Role", "Rules", "Segment", "__version__"]
