"""Care: what os1 says when someone speaks of harming themself or not wanting to live.

This reply is fixed text rather than the small model's: it must be warm, must
never argue or lecture, and must always give real ways to reach a person now.
"""

from __future__ import annotations

CRISIS_REPLY = (
    "I'm really glad you told me, and I'm taking it seriously. You deserve support from a "
    "person right now, not only from me. If you might act on these thoughts or you're in "
    "danger, please call your local emergency number (112 in Europe, 911 in the US and "
    "Canada, 999 in the UK). You can talk to someone any time: call or text 988 in the US "
    "(Suicide & Crisis Lifeline), call Samaritans on 116 123 in the UK and Ireland, or find "
    "a helpline in your country at findahelpline.com. Is there someone you trust who could "
    "be with you, or whom you could call? I'm here, and I'll keep talking with you."
)
