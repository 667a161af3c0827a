"""Settings from the environment and `.env`, checked once at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIALOGUE = PROJECT_ROOT / "dialogues" / "headphones_vs_iems.yaml"
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "advisor.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None = field(default=None, repr=False)
    base_url: str | None = None
    database_path: Path = DEFAULT_DATABASE
    dialogue_path: Path = DEFAULT_DIALOGUE
    log_level: str = "INFO"
    admin_chat_ids: frozenset[int] = frozenset()
    inactivity_hours: float = 24.0

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never appear in a log line."""
        return tuple(s for s in (self.token,) if s)


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Read settings from `environ` (default: the process's), with `.env` filling the gaps."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")),
        base_url=_base_url(get("TELEGRAM_BASE_URL")),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE),
        dialogue_path=Path(get("DIALOGUE_PATH") or DEFAULT_DIALOGUE),
        log_level=_log_level(get("LOG_LEVEL") or "INFO"),
        admin_chat_ids=_chat_ids(get("ADMIN_CHAT_IDS")),
        inactivity_hours=_positive("INACTIVITY_HOURS", get("INACTIVITY_HOURS"), 24.0),
    )


def _token(value: str | None) -> str | None:
    if value is not None and not _TOKEN.match(value):
        # Never echo the value: a malformed token may still be most of a real one.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and letters "
            "(as BotFather gives it, e.g. 123456:ABC-DEF...); unset it to use the terminal chat"
        )
    return value


def _base_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(
            f"TELEGRAM_BASE_URL must start with http:// or https:// and end like the default "
            f"https://api.telegram.org/bot, got {value!r}"
        )
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _chat_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    try:
        return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(
            f"ADMIN_CHAT_IDS must be chat ids separated by commas, e.g. 12345,-100678, "
            f"got {value!r}"
        ) from None


def _positive(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ConfigError(f"{name} must be a positive number, got {value!r}")
    return number
