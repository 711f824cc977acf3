"""Several server processes on one database: events reach every device through Redis."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from os1.store.initiatives import InitiativeStore
from serving import NOON, frames_until, serving

REDIS = os.environ.get("OS1_TEST_REDIS", "redis://127.0.0.1:6379/0")

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def redis_up() -> None:
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS}: start redis-server")


def test_a_turn_on_one_process_streams_to_a_device_on_another(home: Path) -> None:
    with (
        serving(home, redis_url=REDIS) as first,
        serving(home, redis_url=REDIS) as second,
    ):
        ana = first.sign_in("ana")
        with (
            first.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=ana) as laptop,
            second.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=ana) as phone,
        ):
            laptop.receive_json()
            phone.receive_json()
            laptop.send_json({"type": "message", "text": "Typed on the first process."})
            on_laptop = frames_until(laptop, "turn_committed")
            on_phone = frames_until(phone, "turn_committed")
            assert on_phone == on_laptop
            assert "Typed on the first process." in on_phone[-1]["event"]["reply"]

            user_id = first.accounts.password_hash("ana")
            assert user_id is not None
            InitiativeStore(first.companion.journal.engine).schedule(
                user_id[0], "reminder", "tea", "Tea time.", NOON + timedelta(minutes=1), NOON
            )
            first.clock.set(NOON + timedelta(minutes=1))
            first.call(first.app.state.scheduler.tick)
            assert phone.receive_json()["event"]["text"] == "Tea time."
            assert laptop.receive_json()["event"]["text"] == "Tea time."


def test_turns_of_one_person_on_two_processes_take_their_turn(home: Path) -> None:
    with (
        serving(home, redis_url=REDIS, delay_s=0.05) as first,
        serving(home, redis_url=REDIS, delay_s=0.05) as second,
    ):
        ana = first.sign_in("ana")
        with (
            first.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=ana) as laptop,
            second.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=ana) as phone,
        ):
            laptop.receive_json()
            phone.receive_json()
            laptop.send_json({"type": "message", "text": "Typed on the laptop, a long one."})
            frames_until(phone, "token_delta")  # the laptop's turn is under way
            phone.send_json({"type": "message", "text": "Typed on the phone meanwhile."})
            frames_until(phone, "turn_committed")
            frames_until(phone, "turn_committed")
        second.settle()
        prompt = second.companion.llm.calls[-1][0]  # type: ignore[attr-defined]
        assert any("Typed on the laptop" in m.content for m in prompt[:-1]), (
            "the phone's turn waited for the laptop's and was answered knowing it"
        )


def test_rate_limits_are_counted_across_processes(home: Path) -> None:
    with (
        serving(home, redis_url=REDIS) as first,
        serving(home, redis_url=REDIS) as second,
    ):
        guesses = [
            server.http.post(
                "/api/session", json={"user": "ben", "password": f"guess-{n}"}
            ).status_code
            for n in range(6)
            for server in (first, second)
        ]
        assert guesses[:10] == [401] * 10
        assert guesses[10:] == [429, 429], "ten wrong guesses in all, whichever process heard them"
        right = second.http.post("/api/session", json={"user": "ben", "password": "ben-secret-2"})
        assert right.status_code == 429
