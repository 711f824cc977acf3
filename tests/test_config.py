from __future__ import annotations

from pathlib import Path

import pytest

from os1.clock import FixedClock, SystemClock, clock_from_env
from os1.config import load_settings, resolve_paths, save_setting, setting_sources
from os1.errors import ConfigError


def test_home_puts_config_and_data_under_one_directory(home: Path) -> None:
    paths = resolve_paths()
    assert paths.config_file == home / "config.toml"
    assert paths.database_file.is_relative_to(home)
    assert paths.kv_cache_dir.is_relative_to(home)


def test_environment_beats_file_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    save_setting("temperature", "0.2")
    save_setting("max_reply_tokens", "100")
    monkeypatch.setenv("OS1_MAX_REPLY_TOKENS", "64")
    settings = load_settings()
    assert settings.temperature == 0.2
    assert settings.max_reply_tokens == 64
    sources = setting_sources(settings)
    assert sources["temperature"] == "config file"
    assert sources["max_reply_tokens"] == "env OS1_MAX_REPLY_TOKENS"
    assert sources["context_tokens"] == "default"


def test_malformed_file_names_the_file(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("model = [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        load_settings()


def test_invalid_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_CONTEXT_TOKENS", "ten")
    with pytest.raises(ConfigError, match="context_tokens"):
        load_settings()


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="no setting called"):
        save_setting("colour", "blue")


def test_os1_now_fixes_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_NOW", "2026-03-01T09:30:00")
    clock = clock_from_env()
    assert isinstance(clock, FixedClock)
    assert clock.now().isoformat() == "2026-03-01T09:30:00+00:00"
    monkeypatch.setenv("OS1_NOW", "next tuesday")
    with pytest.raises(ConfigError, match="OS1_NOW"):
        clock_from_env()
    monkeypatch.delenv("OS1_NOW")
    assert isinstance(clock_from_env(), SystemClock)
