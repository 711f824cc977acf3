"""Each person's own preferences, kept with their account over the server's defaults.

On a server several people share, one ``config.toml`` cannot say when each
of them may be spoken to first; a preference a person sets here wins over
the setting for them alone, and one they never set follows the setting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, update

from os1.store.database import translate_errors
from os1.store.schema import users


class PreferenceStore:
    """Reads and writes the ``preferences`` of one person at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._where = engine.url.render_as_string(hide_password=True)

    def get(self, user_id: int) -> dict[str, Any]:
        """What this person has set ({} for nothing, or no such person)."""
        with translate_errors(self._where), self.engine.connect() as conn:
            found = conn.execute(
                select(users.c.preferences).where(users.c.id == user_id)
            ).scalar_one_or_none()
        return dict(found) if isinstance(found, dict) else {}

    def set(self, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into what the person has set (None forgets one); the result."""
        with translate_errors(self._where), self.engine.begin() as conn:
            found = conn.execute(
                select(users.c.preferences).where(users.c.id == user_id)
            ).scalar_one_or_none()
            kept = dict(found) if isinstance(found, dict) else {}
            kept.update(changes)
            kept = {key: value for key, value in kept.items() if value is not None}
            conn.execute(update(users).where(users.c.id == user_id).values(preferences=kept))
        return kept
