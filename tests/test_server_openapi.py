"""The REST API against its own OpenAPI description, with generated requests (schemathesis).

Every operation is called with many generated inputs, signed in through a
device key: no answer may be a server error, and each must match the status
codes and the shapes the description promises.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.specs.openapi import checks

from os1.app import build
from os1.clock import FixedClock
from os1.config import load_settings
from os1.server import create_app
from os1.server.auth import digest, hash_password
from os1.store.accounts import AccountStore
from serving import NOON

KEY = "schemathesis-device-key-0123456789"


@schemathesis.serializer("audio/wav")
def _audio(_: schemathesis.SerializationContext, value: object) -> bytes:
    """Generated 'audio': whatever bytes were drawn (the server must refuse non-WAV with 400)."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture
def app(home: Path) -> Iterator[FastAPI]:
    home.mkdir(parents=True, exist_ok=True)
    script = home / "script.json"
    script.write_text(json.dumps({"replies": []}), encoding="utf-8")
    settings = load_settings(model=f"scripted:{script}", stt="fake:Hello.", tts="fake")
    clock = FixedClock(NOON)
    companion = build(settings, clock=clock)
    accounts = AccountStore(companion.journal.engine)
    user_id = accounts.set_password("ana", hash_password("ana-secret-1"), NOON)
    accounts.add_device(user_id, "tester", digest(KEY), NOON)
    yield create_app(settings, companion, clock=clock)
    companion.journal.close()


def checker(operation: Any) -> Callable[[], None]:
    """Many generated calls of one operation, each checked against the description."""
    # Some bodies cannot be described fully: the OpenAI shape cannot say "at least one
    # user message with text" (refused with 400, as OpenAI's own API does), and a
    # schema cannot say "a WAV file" (any other bytes are refused with 400).
    strict = operation.path not in ("/v1/chat/completions", "/api/voice/transcribe")
    lenient = [] if strict else [checks.positive_data_acceptance]

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        derandomize=True,
        database=None,
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"authorization": f"Bearer {KEY}"}, excluded_checks=lenient)

    return call


def test_every_operation_keeps_its_promises(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    checked = []
    for found in schema.get_all_operations():
        operation = found.ok()
        checker(operation)()
        checked.append(operation.label)
    assert len(checked) >= 16, checked
