"""All of os1's settings in one typed object, read from a TOML file and ``OS1_*`` variables.

``OS1_HOME`` puts the config file and all data under one directory; without it
the platform's user directories are used. Models live in a directory that
several homes share (``OS1_MODELS_DIR``), so a second home or a test never
assembles the 1.1 GB default model again.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from os1.errors import ConfigError
from os1.files import write_file
from os1.private import private_dir

APP = "os1"
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


@dataclass(frozen=True)
class Paths:
    """Where os1 keeps its files for one home."""

    config_file: Path
    data_dir: Path
    models_dir: Path

    @property
    def database_file(self) -> Path:
        """The SQLite database used when no ``database_url`` is set."""
        return self.data_dir / "os1.db"

    @property
    def log_file(self) -> Path:
        """The rotating log of background work and its failures."""
        return self.data_dir / "os1.log"

    @property
    def kv_cache_dir(self) -> Path:
        """Saved model states (processed prompts) that let a fresh process skip prefill."""
        return self.data_dir / "kv-cache"


def resolve_paths() -> Paths:
    """Work out the directories from ``OS1_HOME`` / ``OS1_MODELS_DIR`` or the platform."""
    home = os.environ.get("OS1_HOME", "").strip()
    models = os.environ.get("OS1_MODELS_DIR", "").strip()
    if home:
        root = Path(home).expanduser()
        config_file, data_dir = root / "config.toml", root / "data"
    else:
        config_file = Path(platformdirs.user_config_dir(APP)) / "config.toml"
        data_dir = Path(platformdirs.user_data_dir(APP))
    models_dir = (
        Path(models).expanduser() if models else Path(platformdirs.user_cache_dir(APP)) / "models"
    )
    return Paths(config_file=config_file, data_dir=data_dir, models_dir=models_dir)


class Settings(BaseSettings):
    """Everything a person can configure; each field can be set in the file or as ``OS1_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="OS1_", extra="forbid", validate_default=True)

    model: str = Field(
        DEFAULT_MODEL,
        description="Chat model: an installed model name, a .gguf path, or an "
        "OpenAI-compatible server URL.",
    )
    openai_model: str = Field(
        "", description="Model name to request from an OpenAI-compatible server."
    )
    openai_api_key: str = Field("", description="Key for the OpenAI-compatible server, if any.")
    request_timeout_s: float = Field(
        60.0, gt=0, le=86_400, description="Timeout for a model server request."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL of the store; empty means SQLite in the data directory."
    )
    context_tokens: int = Field(
        4096, ge=512, le=131072, description="Context window of one conversation."
    )
    parallel_conversations: int = Field(
        2, ge=1, le=16, description="Conversations the embedded model keeps in memory at once."
    )
    threads: int = Field(
        0, ge=0, le=1024, description="CPU threads for the embedded model; 0 means all."
    )
    max_reply_tokens: int = Field(512, ge=16, le=131072, description="Longest reply, in tokens.")
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature of replies.")
    history_turns: int = Field(
        24, ge=0, le=100_000, description="Most recent turns of a conversation put into the prompt."
    )
    kv_cache_files: int = Field(
        32,
        ge=0,
        le=100_000,
        description="Saved conversation states kept on disk (0 disables saving).",
    )
    user: str = Field("me", min_length=1, description="Local user this terminal speaks as.")
    memory: bool = Field(True, description="Remember things across conversations.")
    embedder: str = Field(
        "all-minilm-l6-v2-int8",
        description="Sentence embedder for memory: the packaged one, an .onnx path, or "
        "an OpenAI-compatible URL#model.",
    )
    memory_budget_tokens: int = Field(
        300, ge=0, le=131072, description="Most prompt tokens spent on remembered facts per turn."
    )
    stt: str = Field(
        "whisper",
        description="Speech recogniser: a registered `os1.stt` name (whisper, fake:TEXT).",
    )
    tts: str = Field(
        "piper",
        description="Speech synthesiser: a registered `os1.tts` name (piper, hibari, fake).",
    )
    vad: str = Field(
        "silero", description="Voice activity detector: a registered `os1.vad` name (silero, fake)."
    )
    voice: str = Field(
        "en_US-joe-medium",
        description="Voice: a name from `os1 voices list` (set with `os1 voices use`) or a Piper "
        ".onnx path.",
    )
    speech_rate: float = Field(1.0, ge=0.5, le=2.0, description="How fast os1 speaks (1 = normal).")
    input_device: str = Field("", description="Microphone for `os1 talk` (empty: the default).")
    output_device: str = Field("", description="Speaker for `os1 talk` (empty: the default).")
    vision: str = Field(
        "offline",
        description="How os1 sees images: `offline` (text, codes, colours and faces on this "
        "machine), `openai:URL` (an OpenAI-compatible server taking images; the image leaves "
        "this machine), `gguf:MODEL.gguf` (with `vision_mmproj`), or a plugin's name.",
    )
    vision_model: str = Field("", description="Model name to ask the `openai:` vision server.")
    vision_api_key: str = Field("", description="Key for the `openai:` vision server, if any.")
    vision_mmproj: str = Field(
        "", description="The multimodal projector (.gguf) that goes with a `gguf:` vision model."
    )
    vision_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Longest wait for a vision server's answer."
    )
    route_with_model: bool = Field(
        True,
        description="When no phrase matches but a skill's word is there, let the model pick a "
        "skill (one constrained call; plain conversation never pays for it; outward skills "
        "still wait for a yes).",
    )
    care_judge: bool = Field(
        False,
        description="Let the chat model judge messages that come faintly close to a crisis "
        "(off: they are answered with care; the embedded model judged them near chance).",
    )
    interview: bool = Field(
        True, description="On first start, ask a few questions and let os1 choose its name."
    )
    initiative: bool = Field(
        True, description="Let os1 speak first with follow-ups and check-ins (reminders always)."
    )
    quiet_hours: str = Field(
        "22:00-08:00",
        pattern=r"^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$",
        description="Local hours when os1 never speaks first, as HH:MM-HH:MM.",
    )
    daily_initiatives: int = Field(
        3, ge=0, le=50, description="Most follow-ups and check-ins os1 starts per day."
    )
    server_host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="Address `os1 serve` listens on; anything but loopback needs TLS "
        "(tls_certfile, tls_keyfile) or --insecure-lan.",
    )
    server_port: int = Field(8316, ge=1, le=65535, description="Port `os1 serve` listens on.")
    tls_certfile: str = Field("", description="PEM certificate for `os1 serve` over HTTPS.")
    tls_keyfile: str = Field("", description="PEM private key for `os1 serve` over HTTPS.")
    session_days: float = Field(
        30, gt=0, le=366, description="How long a sign-in in the web app lasts."
    )
    desktop_notifications: bool = Field(
        True,
        description="When `os1 serve` runs in a desktop session, show what comes due for the "
        "`user` at that desktop as desktop notifications.",
    )
    redis_url: str = Field(
        "",
        description="Redis URL (redis://HOST:6379) through which several `os1 serve` processes "
        "on one database deliver events to each other's devices; empty: one process.",
    )
    max_frame_bytes: int = Field(
        32_000,
        ge=1_000,
        le=1_000_000,
        description="Largest WebSocket message or request body the server reads.",
    )

    @field_validator("quiet_hours")
    @classmethod
    def _real_hours(cls, value: str) -> str:
        """Each end of the quiet hours must be a time of day (00:00 to 23:59)."""
        for end in value.split("-"):
            hours, minutes = (int(part) for part in end.strip().split(":"))
            if not (0 <= hours <= 23 and 0 <= minutes <= 59):
                raise ValueError(f"{end.strip()} is not a time of day; use 00:00 to 23:59")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments win over ``OS1_*`` variables, which win over the TOML file."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=resolve_paths().config_file)
        return (init_settings, env_settings, toml)


def read_config_file(path: Path) -> dict[str, Any]:
    """Read the TOML file, naming the file and the fix when it is malformed."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The config file {path} is not valid TOML ({exc}).",
            "Fix or delete it; `os1 config show` prints the effective settings.",
        ) from exc


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation problems into one clear error."""
    read_config_file(resolve_paths().config_file)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"Invalid settings: {problems}.",
            f"Fix {resolve_paths().config_file} or the OS1_* variable named.",
        ) from exc


def setting_sources(settings: Settings) -> dict[str, str]:
    """Say, for each setting, whether it came from the environment, the file or the default."""
    file_values = read_config_file(resolve_paths().config_file)
    sources: dict[str, str] = {}
    for name in Settings.model_fields:
        if f"OS1_{name.upper()}" in {k.upper() for k in os.environ}:
            sources[name] = f"env OS1_{name.upper()}"
        elif name in file_values:
            sources[name] = "config file"
        else:
            sources[name] = "default"
    return sources


def save_setting(name: str, value: str) -> Path:
    """Write one setting into the TOML file, keeping the others, and return the file's path."""
    if name not in Settings.model_fields:
        raise ConfigError(f"There is no setting called {name!r}.", "See `os1 config show`.")
    path = resolve_paths().config_file
    values = read_config_file(path)
    values[name] = value
    private_dir(path.parent)
    write_file(path, tomli_w.dumps(values).encode("utf-8"))
    return path


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:@/\s]*):[^/\s]*@")


def hide_passwords(text: str) -> str:
    """``text`` with the password of every URL in it (``scheme://user:password@host``) masked.

    Settings are shown (`os1 config show`), logged and put into error messages;
    a database password must never be among them.
    """
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)
