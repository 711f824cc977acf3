"""Care: noticing risk in what a person says, and answering it with warmth and real help."""

from os1.companion.care.crisis import Assessment, CrisisCheck, Risk, phrasebook
from os1.companion.care.replies import CRISIS_REPLY, crisis_reply

__all__ = ["CRISIS_REPLY", "Assessment", "CrisisCheck", "Risk", "crisis_reply", "phrasebook"]
