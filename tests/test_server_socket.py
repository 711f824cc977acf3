"""The live socket ``/ws``: turns streamed to every device of a person, and bad frames."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from os1.companion.session import Session
from os1.config import DEFAULT_MODEL
from os1.server.auth import digest
from os1.server.hub import SESSIONS_KEPT
from os1.server.protocol import schema
from os1.server.scheduler import LOOKS_PER_ROUND
from os1.store.accounts import Signed
from os1.store.initiatives import InitiativeStore
from serving import NOON, Served, frames_until, listening, serving


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    with serving(home) as server:
        yield server


def connect(served: Served, headers: dict[str, str]) -> Any:
    return served.http.websocket_connect("/ws", subprotocols=["os1.v1"], headers=headers)


def events(frames: list[dict[str, Any]]) -> list[str]:
    return [f["event"]["type"] for f in frames if f["type"] == "event"]


def reply(frames: list[dict[str, Any]]) -> str:
    return "".join(
        f["event"]["text"]
        for f in frames
        if f["type"] == "event" and f["event"]["type"] == "token_delta"
    )


def test_a_message_streams_its_turn_to_every_device_of_that_person_only(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    with (
        connect(served, ana) as laptop,
        connect(served, ana) as phone,
        connect(served, ben) as other,
    ):
        hello = laptop.receive_json()
        assert hello == {"type": "hello", "protocol": "os1.v1", "user": "ana", "conversation": None}
        phone.receive_json()
        other.receive_json()
        laptop.send_json({"type": "message", "text": "My sister lives in Porto."})
        on_laptop = frames_until(laptop, "turn_committed")
        on_phone = frames_until(phone, "turn_committed")
        assert events(on_laptop)[0] == "turn_started"
        assert "token_delta" in events(on_laptop)
        assert on_phone == on_laptop, "the phone sees the same turn, frame for frame"
        assert "Porto" in reply(on_phone)
        committed = on_phone[-1]
        assert committed["conversation"] == committed["event"]["conversation_id"]
        other.send_json({"type": "ping"})
        assert other.receive_json() == {"type": "pong"}, "ben's socket saw nothing of ana's"


def test_a_socket_without_a_sign_in_is_refused(served: Served) -> None:
    anonymous = served.http.websocket_connect("/ws", subprotocols=["os1.v1"])
    with pytest.raises(WebSocketDenialResponse) as refused, anonymous:
        pass
    assert refused.value.status_code == 401


def test_a_socket_from_another_site_is_refused(served: Served) -> None:
    ana = served.sign_in("ana")
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        connect(served, {**ana, "origin": "https://evil.example"}),
    ):
        pass
    assert refused.value.status_code == 403


def test_bad_frames_get_a_clear_error_and_the_socket_lives_on(served: Served) -> None:
    ana = served.sign_in("ana")
    with connect(served, ana) as ws:
        ws.receive_json()
        ws.send_bytes(b"\x00\x01binary")
        assert ws.receive_json()["code"] == "binary"
        ws.send_text("{not json")
        malformed = ws.receive_json()
        assert malformed["code"] == "malformed"
        ws.send_json({"type": "message", "text": ""})
        assert ws.receive_json()["code"] == "malformed"
        ws.send_json({"type": "launch"})
        assert ws.receive_json()["code"] == "malformed"
        ws.send_text('{"type": "message", "text": "' + "a" * 40_000 + '"}')
        too_large = ws.receive_json()
        assert too_large["code"] == "too_large"
        assert "at most" in too_large["message"]
        ws.send_json({"type": "message", "text": "still here?", "conversation": 9999})
        assert ws.receive_json()["code"] == "not_found"
        ws.send_json({"type": "message", "text": "Still here?"})
        assert "Still here?" in reply(frames_until(ws, "turn_committed"))


def test_another_persons_conversation_is_not_found_over_the_socket(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    with connect(served, ana) as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "Mine.", "new": True})
        conversation = frames_until(ws, "turn_committed")[-1]["conversation"]
    with connect(served, ben) as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "Let me in.", "conversation": conversation})
        assert ws.receive_json()["code"] == "not_found"


def test_an_unknown_protocol_version_is_refused(served: Served) -> None:
    ana = served.sign_in("ana")
    future = served.http.websocket_connect("/ws", subprotocols=["os1.v9"], headers=ana)
    with pytest.raises(WebSocketDenialResponse) as refused, future:
        pass
    assert refused.value.status_code == 400


def test_leaving_mid_reply_still_commits_the_whole_turn(home: Path) -> None:
    with serving(home, delay_s=0.05) as served:
        ana = served.sign_in("ana")
        with connect(served, ana) as ws:
            ws.receive_json()
            ws.send_json(
                {"type": "message", "text": "Tell me a long story about the sea and ships."}
            )
            frames_until(ws, "token_delta")
        served.settle()
        conversation = served.http.get("/api/conversations", headers=ana).json()[0]["id"]
        turns = served.http.get(f"/api/conversations/{conversation}", headers=ana).json()
        assert turns[0]["user_text"] == "Tell me a long story about the sea and ships."
        assert "sea and ships" in turns[0]["reply"]
        assert not turns[0]["interrupted"]
        with connect(served, ana) as ws:
            assert ws.receive_json()["conversation"] == conversation, "back where they left off"


def test_a_proposal_is_confirmed_with_a_yes_over_the_socket(served: Served) -> None:
    ana = served.sign_in("ana")
    with connect(served, ana) as ws, connect(served, ana) as phone:
        ws.receive_json()
        phone.receive_json()
        ws.send_json({"type": "message", "text": "Remind me to call mum tomorrow at 6pm"})
        proposed = frames_until(ws, "turn_committed")
        assert "needs_confirmation" in events(proposed)
        assert served.http.get("/api/reminders", headers=ana).json() == []
        frames_until(phone, "turn_committed")
        phone.send_json({"type": "message", "text": "yes"})
        done = frames_until(ws, "turn_committed")
        result = next(
            f["event"]
            for f in done
            if f["type"] == "event" and f["event"]["type"] == "action_result"
        )
        assert result["done"] is True
    reminders = served.http.get("/api/reminders", headers=ana).json()
    assert ["call mum" in r["text"] for r in reminders] == [True]
    audit = served.http.get("/api/audit", headers=ana).json()
    assert {"proposed", "done"} <= {a["status"] for a in audit}


def schedule(served: Served, name: str, text: str, due_in: timedelta) -> None:
    store = InitiativeStore(served.companion.journal.engine)

    async def work() -> None:
        user_id = await served.companion.for_user(name).user_id()
        store.schedule(user_id, "reminder", text, text, NOON + due_in, NOON)

    served.call(work)


def test_a_due_reminder_reaches_every_open_device_once_and_waits_for_an_offline_one(
    served: Served,
) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    schedule(served, "ana", "Water the plants.", timedelta(minutes=5))
    schedule(served, "ben", "Feed the cat.", timedelta(minutes=5))
    scheduler = served.app.state.scheduler
    with connect(served, ana) as laptop, connect(served, ana) as phone:
        laptop.receive_json()
        phone.receive_json()
        assert served.call(scheduler.tick) == 0, "not due yet"
        served.clock.set(NOON + timedelta(minutes=5))
        served.call(scheduler.tick)  # (the background round may say it first)
        for device in (laptop, phone):
            frame = device.receive_json()
            assert frame["event"]["type"] == "initiative"
            assert frame["event"]["text"] == "Water the plants."
        assert served.call(scheduler.tick) == 0, "said exactly once"
        laptop.send_json({"type": "ping"})
        assert laptop.receive_json() == {"type": "pong"}, "and sent once"
    waiting = served.http.get("/api/reminders", headers=ben).json()
    assert [r["text"] for r in waiting] == ["Feed the cat."]
    with connect(served, ben) as device:
        device.receive_json()
        served.call(scheduler.tick)
        frame = device.receive_json()
        assert frame["event"]["text"] == "Feed the cat."


def test_a_crowd_online_is_weighed_a_few_at_a_time_and_what_is_due_still_comes_at_once(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = served.sign_in("ana")
    schedule(served, "ana", "Call the dentist.", timedelta(minutes=1))
    served.clock.set(NOON + timedelta(minutes=1))
    scheduler = served.app.state.scheduler
    served.call(scheduler.stop)  # rounds by hand only
    looked: list[str] = []
    real_due = Session.due

    async def counted(session: Session) -> list[Any]:
        looked.append(session.user)
        return await real_due(session) if session.user == "ana" else []

    monkeypatch.setattr(Session, "due", counted)
    with connect(served, ana) as phone:
        phone.receive_json()
        ana_online = scheduler.hub.online()
        crowd = [(100_000 + n, f"person{n}") for n in range(3 * LOOKS_PER_ROUND)]
        monkeypatch.setattr(scheduler.hub, "online", lambda: [*crowd, *ana_online])
        looked.clear()
        served.call(scheduler.tick)
        assert phone.receive_json()["event"]["text"] == "Call the dentist."
        assert "ana" in looked
        assert len(looked) <= LOOKS_PER_ROUND + 1, "not everyone at once"
        served.call(scheduler.tick)
        served.call(scheduler.tick)
        assert {f"person{n}" for n in range(3 * LOOKS_PER_ROUND)} <= set(looked), "all in turn"


def test_the_scheduler_keeps_quiet_hours(served: Served) -> None:
    ana = served.sign_in("ana")
    served.clock.set(NOON.replace(hour=23))
    schedule(served, "ana", "Late thought.", timedelta(hours=10))
    with connect(served, ana) as ws:
        ws.receive_json()
        assert served.call(served.app.state.scheduler.tick) == 0
    assert len(served.http.get("/api/reminders", headers=ana).json()) == 1


@pytest.mark.real_model
def test_the_embedded_model_answers_over_the_socket(home: Path, real_model: Path) -> None:
    with serving(home, model=DEFAULT_MODEL, max_reply_tokens=24) as served:
        ana = served.sign_in("ana")
        with connect(served, ana) as ws:
            ws.receive_json()
            ws.send_json({"type": "message", "text": "Hi! What is the capital of France?"})
            frames = frames_until(ws, "turn_committed", limit=2000)
        committed = frames[-1]["event"]
        assert committed["model"] != "os1"
        assert "Paris" in committed["reply"]
        assert events(frames).count("token_delta") > 1, "the reply streamed"
        assert reply(frames).strip() == committed["reply"].strip()


def test_the_hub_keeps_a_bounded_number_of_sessions(served: Served) -> None:
    hub = served.app.state.hub
    ana = Signed(1, "ana", None)

    async def open_many() -> int:
        for conversation in range(1, SESSIONS_KEPT + 11):
            hub.session(ana, conversation)
        return len(hub._sessions)

    assert served.call(open_many) == SESSIONS_KEPT


def test_the_protocol_schema_is_published_and_any_change_shows_in_review(served: Served) -> None:
    ana = served.sign_in("ana")
    published = served.http.get("/api/protocol.json", headers=ana).json()
    assert published == schema()
    path = Path(__file__).parent / "snapshots" / "protocol.schema.json"
    text = json.dumps(published, indent=2, sort_keys=True) + "\n"
    if os.environ.get("OS1_TEST_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        "the os1.v1 protocol changed: run with OS1_TEST_UPDATE_SNAPSHOTS=1 and review the diff"
    )


@pytest.mark.postgres
def test_turns_and_reminders_over_the_socket_on_postgres(home: Path, postgres_url: str) -> None:
    with serving(home, database_url=postgres_url) as served:
        ana = served.sign_in("ana")
        schedule(served, "ana", "Stretch.", timedelta(minutes=1))
        with connect(served, ana) as laptop, connect(served, ana) as phone:
            laptop.receive_json()
            phone.receive_json()
            laptop.send_json({"type": "message", "text": "Hello from Postgres."})
            assert "Hello from Postgres." in reply(frames_until(phone, "turn_committed"))
            frames_until(laptop, "turn_committed")
            served.clock.set(NOON + timedelta(minutes=1))
            served.call(served.app.state.scheduler.tick)
            assert phone.receive_json()["event"]["text"] == "Stretch."
            assert served.call(served.app.state.scheduler.tick) == 0


def test_a_frame_beyond_the_transport_limit_closes_the_socket_cleanly(home: Path) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect as open_socket

    with serving(home, lifespan=False) as served, listening(served.app) as url:
        found = served.accounts.password_hash("ana")
        assert found is not None
        served.accounts.add_device(found[0], "probe", digest("probe-key-0123456789"), NOON)
        with open_socket(
            url.replace("http", "ws") + "/ws",
            subprotocols=["os1.v1"],
            additional_headers={"Authorization": "Bearer probe-key-0123456789"},
        ) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            ws.send(json.dumps({"type": "message", "text": "x" * 40_000}))
            assert json.loads(ws.recv(timeout=10))["code"] == "too_large"
            ws.send("y" * (17 << 20))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1009


def test_revoking_a_device_or_signing_out_closes_its_open_socket(served: Served) -> None:
    ana = served.sign_in("ana")
    code = served.http.post("/api/devices/code", headers=ana).json()["code"]
    key = served.http.post("/api/devices", json={"code": code, "name": "phone"}).json()["key"]
    served.http.cookies.clear()
    device = served.http.get("/api/devices", headers=ana).json()[0]["id"]
    phone_key = {"authorization": f"Bearer {key}"}
    with connect(served, phone_key) as phone, connect(served, ana) as laptop:
        phone.receive_json()
        laptop.receive_json()
        served.http.delete(f"/api/devices/{device}", headers=ana)
        with pytest.raises(WebSocketDisconnect) as closed:
            phone.receive_json()
        assert closed.value.code == 4401
        laptop.send_json({"type": "ping"})
        assert laptop.receive_json() == {"type": "pong"}, "the other device stays"
        served.http.delete("/api/session", headers=ana)
        with pytest.raises(WebSocketDisconnect) as closed:
            laptop.receive_json()
        assert closed.value.code == 4401


def test_a_socket_closes_when_its_sign_in_expires(served: Served) -> None:
    served.app.state.recheck_s = 0.05
    ana = served.sign_in("ana")
    with connect(served, ana) as ws:
        ws.receive_json()
        served.clock.set(NOON + timedelta(days=31))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
