"""The server's accounts and REST API: signing in, each person's own data, and bad requests."""

from __future__ import annotations

import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile

from conftest import run_os1
from os1.cli.server import check_bind, is_loopback
from os1.config import load_settings
from os1.errors import ConfigError
from os1.store import NewMemory
from os1.store.initiatives import InitiativeStore
from serving import NOON, Served, give_persona, serving, write_letter


@pytest.fixture
def served(home: Path) -> Iterator[Served]:
    with serving(home) as server:
        yield server


def remember(served: Served, name: str, content: str) -> int:
    async def work() -> int:
        mind = served.companion.for_user(name)
        assert served.companion.memory is not None
        ids = await served.companion.memory.note(
            await mind.user_id(), [NewMemory("fact", "the user", "home", content)]
        )
        return ids[0]

    result: int = served.call(work)
    return result


def converse(served: Served, name: str, text: str) -> int:
    async def work() -> int:
        mind = served.companion.for_user(name)
        conversation = await mind.resolve_conversation()
        async for _ in mind.turn(text, conversation):
            pass
        return conversation

    result: int = served.call(work)
    return result


def test_signing_in_sets_a_private_cookie_and_a_wrong_password_is_refused(served: Served) -> None:
    wrong = served.http.post("/api/session", json={"user": "ana", "password": "nope-nope"})
    assert wrong.status_code == 401
    unknown = served.http.post("/api/session", json={"user": "zed", "password": "whatever1"})
    assert unknown.status_code == 401
    right = served.http.post("/api/session", json={"user": "ana", "password": "ana-secret-1"})
    assert right.status_code == 200
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "os1_session=" in cookie
    assert served.http.get("/api/me").json() == {"user": "ana", "device_id": None}


def test_every_private_route_needs_a_sign_in(served: Served) -> None:
    spec = served.http.get("/api/openapi.json").json()
    public = {("/api/session", "post"), ("/api/devices", "post")}
    checked = 0
    for path, methods in spec["paths"].items():
        for method in methods:
            if (path, method) in public:
                continue
            url = path.replace("{conversation_id}", "1").replace("{memory_id}", "1")
            url = url.replace("{reminder_id}", "1").replace("{device_id}", "1")
            answer = served.http.request(method.upper(), url, json={"content": "x"})
            assert answer.status_code == 401, (method, path, answer.text)
            checked += 1
    assert checked >= 12
    assert served.http.get("/").status_code == 200  # the sign-in page, after a redirect
    assert served.http.get("/", follow_redirects=False).headers["location"] == "/login"
    ana = served.sign_in("ana")
    again = served.http.get("/login", headers=ana, follow_redirects=False)
    assert again.headers["location"] == "/", "a signed-in browser goes straight to the talk"


def test_a_sign_in_expires(served: Served) -> None:
    ana = served.sign_in("ana")
    assert served.http.get("/api/me", headers=ana).status_code == 200
    served.clock.set(NOON + timedelta(days=31))
    assert served.http.get("/api/me", headers=ana).status_code == 401


def test_signing_out_ends_the_session(served: Served) -> None:
    ana = served.sign_in("ana")
    assert served.http.delete("/api/session", headers=ana).status_code == 204
    assert served.http.get("/api/me", headers=ana).status_code == 401


def test_people_see_only_their_own_conversations_memories_and_reminders(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    conversation = converse(served, "ana", "My sister Ana lives in Porto.")
    memory = remember(served, "ana", "The user's sister lives in Porto.")

    listed = served.http.get("/api/conversations", headers=ana).json()
    assert [c["id"] for c in listed] == [conversation]
    assert listed[0]["turns"] == 1
    turns = served.http.get(f"/api/conversations/{conversation}", headers=ana).json()
    assert turns[0]["user_text"] == "My sister Ana lives in Porto."
    assert [m["id"] for m in served.http.get("/api/memories", headers=ana).json()] == [memory]

    assert served.http.get("/api/conversations", headers=ben).json() == []
    assert served.http.get("/api/memories", headers=ben).json() == []
    assert served.http.get(f"/api/conversations/{conversation}", headers=ben).status_code == 404
    edit = served.http.patch(f"/api/memories/{memory}", json={"content": "x"}, headers=ben)
    assert edit.status_code == 404
    assert served.http.delete(f"/api/memories/{memory}", headers=ben).status_code == 404
    assert [m["id"] for m in served.http.get("/api/memories", headers=ana).json()] == [memory]


def test_memories_can_be_corrected_and_forgotten(served: Served) -> None:
    ana = served.sign_in("ana")
    memory = remember(served, "ana", "The user's sister lives in Porto.")
    edited = served.http.patch(
        f"/api/memories/{memory}",
        json={"content": "The user's sister lives in Lisbon."},
        headers=ana,
    )
    assert edited.status_code == 200
    assert edited.json()["content"] == "The user's sister lives in Lisbon."
    assert (
        served.http.patch(f"/api/memories/{memory}", json={"content": " "}, headers=ana).status_code
        == 422
    )
    assert served.http.delete(f"/api/memories/{memory}", headers=ana).status_code == 204
    assert served.http.get("/api/memories", headers=ana).json() == []
    assert served.http.delete(f"/api/memories/{memory}", headers=ana).status_code == 404


def test_reminders_are_listed_and_cancelled_by_their_owner_only(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    store = InitiativeStore(served.companion.journal.engine)

    async def schedule() -> int | None:
        user_id = await served.companion.for_user("ana").user_id()
        return store.schedule(
            user_id, "reminder", "k", "Call mum.", NOON + timedelta(hours=1), NOON
        )

    reminder = served.call(schedule)
    assert [r["text"] for r in served.http.get("/api/reminders", headers=ana).json()] == [
        "Call mum."
    ]
    assert served.http.delete(f"/api/reminders/{reminder}", headers=ben).status_code == 404
    assert served.http.delete(f"/api/reminders/{reminder}", headers=ana).status_code == 204
    assert served.http.get("/api/reminders", headers=ana).json() == []
    everything = served.http.get("/api/reminders?everything=true", headers=ana).json()
    assert everything[0]["status"] == "cancelled"


def test_letters_are_listed_for_their_writer_only(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    user_id = served.accounts.password_hash("ana")
    assert user_id is not None
    write_letter(served.companion.journal.engine, user_id[0], "Dear Ruth, fifty years.")
    listed = served.http.get("/api/letters", headers=ana).json()
    assert listed[0]["client"] == "Harold"
    assert listed[0]["recipient"] == "Ruth"
    assert listed[0]["versions"][-1]["text"] == "Dear Ruth, fifty years."
    assert served.http.get("/api/letters", headers=ben).json() == []


def test_the_persona_can_be_pinned_and_reset_by_its_person_only(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    found = served.accounts.password_hash("ana")
    assert found is not None
    give_persona(served.companion.journal.engine, found[0])
    assert served.http.get("/api/persona", headers=ana).json()["name"] == "Juniper"
    assert served.http.get("/api/persona", headers=ben).status_code == 404
    pinned = served.http.post("/api/persona/pins", json={"interest": "Sailing"}, headers=ana).json()
    assert "sailing" in pinned["interests"]
    assert pinned["pinned"] == ["sailing"]
    refused = served.http.post("/api/persona/pins", json={"interest": "x"}, headers=ben)
    assert refused.status_code == 404, "ben has no persona to pin anything to"
    reset = served.http.post("/api/persona/reset", headers=ana).json()
    assert reset["interests"] == ["gardening", "old maps"]
    journal = served.http.get("/api/journal", headers=ana).json()
    assert journal[0]["text"] == "We met."


def test_persona_journal_and_audit_are_the_persons_own(served: Served) -> None:
    ana = served.sign_in("ana")
    assert served.http.get("/api/persona", headers=ana).status_code == 404
    assert served.http.get("/api/journal", headers=ana).json() == []
    assert served.http.get("/api/audit", headers=ana).json() == []


def test_responses_carry_a_strict_content_security_policy_and_no_cors(served: Served) -> None:
    answer = served.http.get("/login", headers={"origin": "https://evil.example"})
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_another_sites_page_cannot_change_anything(served: Served) -> None:
    ana = served.sign_in("ana")
    memory = remember(served, "ana", "The user's sister lives in Porto.")
    forged = served.http.delete(
        f"/api/memories/{memory}", headers={**ana, "origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    own = served.http.delete(
        f"/api/memories/{memory}", headers={**ana, "origin": "http://testserver"}
    )
    assert own.status_code == 204


def test_oversized_and_malformed_bodies_are_refused_clearly(served: Served) -> None:
    big = served.http.post(
        "/api/session",
        content=b"{" + b" " * 40_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    assert "at most" in big.json()["detail"]
    bad = served.http.post(
        "/api/session", content=b"\xff\xfe\x00garbage", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422


def test_pairing_a_device_gives_it_a_key_that_works_until_revoked(served: Served) -> None:
    ana = served.sign_in("ana")
    code = served.http.post("/api/devices/code", headers=ana).json()["code"]
    paired = served.http.post(
        "/api/devices", json={"code": code[:4] + "-" + code[4:], "name": "phone"}
    )
    assert paired.status_code == 200
    key = {"authorization": f"Bearer {paired.json()['key']}"}
    assert served.http.get("/api/me", headers=key).json()["user"] == "ana"
    again = served.http.post("/api/devices", json={"code": code, "name": "thief"})
    assert again.status_code == 401, "a code works once"
    devices = served.http.get("/api/devices", headers=ana).json()
    assert [d["name"] for d in devices] == ["phone"]
    ben = served.sign_in("ben")
    assert served.http.delete(f"/api/devices/{devices[0]['id']}", headers=ben).status_code == 404
    assert served.http.delete(f"/api/devices/{devices[0]['id']}", headers=ana).status_code == 204
    assert served.http.get("/api/me", headers=key).status_code == 401


def test_a_pairing_qr_code_opens_the_sign_in_page_with_the_code_kept_from_the_server(
    served: Served,
) -> None:
    import base64

    import cv2

    made = served.http.post("/api/devices/code", headers=served.sign_in("ana")).json()
    assert made["link"] == f"http://testserver/login#pair={made['code']}"
    assert made["qr"].startswith("data:image/png;base64,")
    png = np.frombuffer(base64.b64decode(made["qr"].split(",", 1)[1]), dtype=np.uint8)
    read, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imdecode(png, cv2.IMREAD_GRAYSCALE))
    assert read == made["link"], "a phone's camera reads the link back"
    code = read.split("#pair=")[1]
    paired = served.http.post("/api/devices", json={"code": code, "name": "phone"})
    assert paired.status_code == 200


def test_each_person_chooses_when_os1_may_speak_first(served: Served) -> None:
    ana, ben = served.sign_in("ana"), served.sign_in("ben")
    assert served.http.get("/api/preferences", headers=ana).json() == {
        "initiative": True,
        "quiet_hours": "22:00-08:00",
        "daily_initiatives": 3,
    }, "the server's settings until a person chooses"
    due = NOON + timedelta(minutes=1)
    local = due.astimezone()
    around_now = f"{local - timedelta(hours=1):%H:%M}-{local + timedelta(hours=1):%H:%M}"
    chosen = {"initiative": False, "quiet_hours": around_now, "daily_initiatives": 1}
    saved = served.http.put("/api/preferences", headers=ana, json=chosen)
    assert saved.status_code == 200
    assert saved.json() == chosen
    assert served.http.get("/api/preferences", headers=ben).json()["quiet_hours"] == "22:00-08:00"
    store = InitiativeStore(served.companion.journal.engine)
    ids = {a.name: a.id for a in served.accounts.accounts()}
    for name in ("ana", "ben"):
        store.schedule(ids[name], "reminder", "tea", "Tea time.", due, NOON)
    served.clock.set(due)
    initiatives = served.companion.initiatives
    assert initiatives is not None
    assert served.call(lambda: initiatives.deliver_due(ids["ana"])) == [], "ana's quiet hours"
    assert len(served.call(lambda: initiatives.deliver_due(ids["ben"]))) == 1
    for bad in ({**chosen, "quiet_hours": "late-early"}, {**chosen, "daily_initiatives": 999}):
        assert served.http.put("/api/preferences", headers=ana, json=bad).status_code == 422


def test_failed_sign_ins_are_limited(served: Served) -> None:
    codes = [
        served.http.post(
            "/api/session", json={"user": "ben", "password": "guess-guess"}
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    right = served.http.post("/api/session", json={"user": "ben", "password": "ben-secret-2"})
    assert right.status_code == 429, "not even the right password, for a while"
    for _ in range(12):
        assert served.sign_in("ana"), "right passwords are never limited"


def test_loopback_serves_plainly_and_the_network_needs_tls_or_a_warning() -> None:
    settings = load_settings()
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert check_bind("127.0.0.1", settings, insecure_lan=False) is None
    with pytest.raises(ConfigError, match="tls_certfile"):
        check_bind("0.0.0.0", settings, insecure_lan=False)
    warning = check_bind("192.168.1.5", settings, insecure_lan=True)
    assert warning is not None
    assert "without TLS" in warning
    tls = load_settings(tls_certfile="c.pem", tls_keyfile="k.pem")
    assert check_bind("0.0.0.0", tls, insecure_lan=False) is None


def test_the_terminal_user_becomes_an_account_with_their_conversations(home: Path) -> None:
    said = run_os1("say", "I keep bees.", env={"OS1_MODEL": "scripted"})
    assert said.code == 0, said.stderr
    added = run_os1("user", "add", "me", "--password-stdin", stdin="terminal-pass\n")
    assert added.code == 0, added.stderr
    assert "can now sign in" in added.stdout
    listed = run_os1("user", "list")
    assert "me" in listed.stdout
    assert "yes" in listed.stdout
    paired = run_os1("device", "pair")
    assert "Pairing code:" in paired.stdout
    with serving(home) as served:
        me = served.http.post("/api/session", json={"user": "me", "password": "terminal-pass"})
        assert me.status_code == 200
        conversations = served.http.get("/api/conversations").json()
        turns = served.http.get(f"/api/conversations/{conversations[0]['id']}").json()
        assert turns[0]["user_text"] == "I keep bees."
    removed = run_os1("user", "remove", "me", "--yes")
    assert removed.code == 0, removed.stderr
    assert "me" not in run_os1("user", "list").stdout.split()


def test_a_short_password_is_refused(home: Path) -> None:
    added = run_os1("user", "add", "ana", "--password-stdin", stdin="short\n")
    assert added.code != 0
    assert "at least 8" in added.stderr


@pytest.mark.postgres
def test_accounts_and_the_api_work_on_postgres(home: Path, postgres_url: str) -> None:
    with serving(home, database_url=postgres_url) as served:
        ana, ben = served.sign_in("ana"), served.sign_in("ben")
        conversation = converse(served, "ana", "Hello from Postgres.")
        assert served.http.get(f"/api/conversations/{conversation}", headers=ana).status_code == 200
        assert served.http.get(f"/api/conversations/{conversation}", headers=ben).status_code == 404
        served.clock.set(NOON + timedelta(days=31))
        assert served.http.get("/api/me", headers=ana).status_code == 401


def test_os1_serve_prints_its_address_and_serves_until_stopped(home: Path) -> None:
    refused = run_os1("serve", "--host", "0.0.0.0", env={"OS1_MODEL": "scripted"})
    assert refused.code != 0
    assert "insecure-lan" in refused.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "os1", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OS1_MODEL": "scripted"},
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().decode()
        assert first.strip() == f"os1 is listening on http://127.0.0.1:{port}"
        assert "os1 user add NAME" in server.stdout.readline().decode()
        for _ in range(100):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/me")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer.status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    assert server.returncode in (0, 130), "Ctrl-C stops it as Ctrl-C stops any command"
    assert b"Traceback" not in errors, errors.decode()


def test_the_service_unit_runs_this_os1_and_can_be_removed(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "xdg"
    env = {"XDG_CONFIG_HOME": str(config), "PATH": str(Path(sys.executable).parent)}
    assert run_os1("service", "status", env=env).code == 3
    installed = run_os1("service", "install", env=env)
    assert installed.code == 0, installed.stderr
    unit = config / "systemd" / "user" / "os1.service"
    text = unit.read_text()
    assert f'ExecStart="{sys.executable}" "-m" "os1" "serve"' in text
    assert f'Environment="OS1_HOME={home}"' in text
    assert "systemctl --user enable --now os1.service" in installed.stdout
    assert "Installed at" in run_os1("service", "status", env=env).stdout
    removed = run_os1("service", "uninstall", env=env)
    assert removed.code == 0, removed.stderr
    assert not unit.exists()


def test_speech_in_and_out_for_the_web_app(home: Path) -> None:
    with serving(home, stt="fake:What is the capital of France?", tts="fake") as served:
        ana = served.sign_in("ana")
        tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(24_000) / 48_000)
        recording = io.BytesIO()
        soundfile.write(recording, tone, 48_000, format="WAV", subtype="PCM_16")
        heard = served.http.post(
            "/api/voice/transcribe",
            content=recording.getvalue(),
            headers={**ana, "content-type": "audio/wav"},
        )
        assert heard.json() == {"text": "What is the capital of France?"}
        noise = served.http.post("/api/voice/transcribe", content=b"not audio at all", headers=ana)
        assert noise.status_code == 400
        assert "WAV" in noise.json()["detail"]
        spoken = served.http.post("/api/voice/speak", json={"text": "Paris."}, headers=ana)
        assert spoken.headers["content-type"] == "audio/wav"
        samples, rate = soundfile.read(io.BytesIO(spoken.content))
        assert len(samples) / rate > 0.2
        assert served.http.post("/api/voice/speak", json={"text": "Paris."}).status_code == 401


def test_os1_serve_over_tls_sends_secure_cookies(home: Path, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert run_os1("user", "add", "ana", "--password-stdin", stdin="ana-secret-1\n").code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"OS1_MODEL": "scripted", "OS1_TLS_CERTFILE": str(cert), "OS1_TLS_KEYFILE": str(key)}
    server = subprocess.Popen(
        [sys.executable, "-m", "os1", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().decode().strip() == (
            f"os1 is listening on https://127.0.0.1:{port}"
        )
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trusted) as client:
            for _ in range(100):
                try:
                    client.get("/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            signed = client.post("/api/session", json={"user": "ana", "password": "ana-secret-1"})
            assert signed.status_code == 200
            assert "secure" in signed.headers["set-cookie"].lower()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
