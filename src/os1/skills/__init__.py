"""What os1 can do for the person beyond talking: typed skills, each behind the same gate."""

from os1.skills.base import Call, Dialog, Outcome, Proposal, Skill
from os1.skills.registry import GROUP, load_skills, skill_names

__all__ = ["GROUP", "Call", "Dialog", "Outcome", "Proposal", "Skill", "load_skills", "skill_names"]
