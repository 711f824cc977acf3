from __future__ import annotations

from datetime import UTC, datetime

from os1.events import Timings, TokenDelta, TurnCommitted, parse_event


def test_events_round_trip_through_json() -> None:
    committed = TurnCommitted(
        conversation_id=3,
        turn_id=7,
        reply="Hello.",
        interrupted=False,
        model="m",
        timings=Timings(first_token_ms=12.5, total_ms=80.0, reply_chunks=2),
        at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )
    for event in (committed, TokenDelta(text="Hel")):
        line = event.to_json()
        assert "\n" not in line
        assert parse_event(line) == event
    assert '"type":"turn_committed"' in committed.to_json()
