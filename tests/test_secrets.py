"""Passwords inside settings never reach the screen or the log."""

from __future__ import annotations

import json

import pytest
from tests.conftest import run_os1

from os1.config import hide_passwords

URL = "postgresql://os1:hunter2-s3cret@db.example:5432/os1"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (URL, "postgresql://os1:***@db.example:5432/os1"),
        ("https://me:p@ss@models.example/v1#m", "https://me:***@models.example/v1#m"),
        ("postgresql://os1@db/os1", "postgresql://os1@db/os1"),
        ("http://localhost:8080/v1", "http://localhost:8080/v1"),
        (f"Cannot use the database {URL} (refused)", "Cannot use the database "
         "postgresql://os1:***@db.example:5432/os1 (refused)"),
    ],
)  # fmt: skip
def test_passwords_in_urls_are_masked(text: str, shown: str) -> None:
    assert hide_passwords(text) == shown


def test_config_show_masks_the_database_password() -> None:
    env = {"OS1_DATABASE_URL": URL, "OS1_OPENAI_API_KEY": "sk-secret"}
    for args in (("config", "show"), ("config", "show", "--json")):
        shown = run_os1(*args, env=env)
        assert shown.code == 0, shown.stderr
        assert "hunter2" not in shown.stdout
        assert "sk-secret" not in shown.stdout
    settings = json.loads(run_os1("config", "show", "--json", env=env).stdout)["settings"]
    assert settings["database_url"]["value"] == "postgresql://os1:***@db.example:5432/os1"


def test_an_unreachable_database_is_reported_without_its_password() -> None:
    env = {"OS1_DATABASE_URL": "postgresql://os1:hunter2-s3cret@127.0.0.1:9/os1"}
    failed = run_os1("history", env=env, timeout=60)
    assert failed.code != 0
    assert "hunter2" not in failed.stderr
    assert "Traceback" not in failed.stderr


@pytest.mark.parametrize("hours", ["25:00-99:00", "22:00-08:60", "24:00-01:00"])
def test_impossible_quiet_hours_are_one_clear_line(hours: str) -> None:
    refused = run_os1("history", env={"OS1_QUIET_HOURS": hours})
    assert refused.code == 1
    assert "quiet_hours" in refused.stderr
    assert "not a time of day" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_server_url_with_a_password_is_listed_masked() -> None:
    env = {"OS1_MODEL": "http://me:hunter2-s3cret@127.0.0.1:9/v1"}
    for args in (("models", "list"), ("models", "list", "--json")):
        shown = run_os1(*args, env=env)
        assert shown.code == 0, shown.stderr
        assert "hunter2" not in shown.stdout
        assert "me:***@127.0" in shown.stdout
