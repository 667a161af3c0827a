"""Settings from the environment and `.env`, checked once at start-up."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.errors import ConfigError

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent
"""The source checkout, when the bot runs from one (`make run`, an editable install)."""
CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "dialogues").is_dir()
# An installed program has the dialogues inside the package (setup.py maps them there).
DIALOGUES = PROJECT_ROOT / "dialogues" if CHECKOUT else PACKAGE / "dialogues"
DEFAULT_DIALOGUE = DIALOGUES / "headphones_vs_iems.yaml"
TELEGRAM_API = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
# Telegram's rule for setWebhook's secret_token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# PTB puts the path into a Tornado URL pattern: no regex characters besides the escaped dot.
_WEBHOOK_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_SWITCH = {"on": True, "off": False}
_CHAT_ID = re.compile(r"-?[0-9]{1,16}")
CHAT_ID_LIMIT = 2**52
"""Telegram's chat ids have at most 52 significant bits."""
MAX_INACTIVITY_HOURS = 8760.0  # a year
MAX_STOP_SECONDS = 86400.0  # a day
FREE_SEND_RATE = 30.0
"""Messages a second Telegram allows a bot in all; more needs paid broadcasts."""
MAX_SEND_RATE = 1000.0  # Telegram's ceiling with paid broadcasts
REPLY_MODES = ("compact", "separate")
DEFAULT_REPLY_MODE = "compact"
"""compact: a press edits its message into the next question, the choice shown on top (one
message per press); separate: the next question is a new message and the pressed one is
edited to show the choice (two)."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None = field(default=None, repr=False)
    base_url: str | None = None
    database_path: Path = field(default_factory=lambda: default_database(os.environ))
    dialogue_path: Path = DEFAULT_DIALOGUE
    log_level: str = "INFO"
    admin_chat_ids: frozenset[int] = frozenset()
    inactivity_hours: float = 24.0
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_path: str = "/"
    webhook_secret: str | None = field(default=None, repr=False)
    flood_control: bool = True
    stop_timeout: float = 20.0
    reply_mode: str = DEFAULT_REPLY_MODE
    send_rate: float = FREE_SEND_RATE

    @property
    def paid_broadcasts(self) -> bool:
        """Tell whether the send rate needs Telegram's paid broadcasts."""
        return self.send_rate > FREE_SEND_RATE

    @property
    def api_url(self) -> str:
        """Return where the Bot API is: TELEGRAM_BASE_URL, else Telegram's own."""
        return self.base_url or TELEGRAM_API

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never appear in a log line."""
        return tuple(s for s in (self.token, self.webhook_secret) if s)


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

    base_url = _base_url(get("TELEGRAM_BASE_URL"))
    webhook_url = _webhook_url(get("WEBHOOK_URL"), self_hosted=base_url is not None)
    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")),
        base_url=base_url,
        database_path=_database_path(get("DATABASE_PATH")) or default_database(values),
        dialogue_path=Path(get("DIALOGUE_PATH") or DEFAULT_DIALOGUE),
        log_level=_log_level(get("LOG_LEVEL") or "INFO"),
        admin_chat_ids=_chat_ids(get("ADMIN_CHAT_IDS")),
        inactivity_hours=_hours(get("INACTIVITY_HOURS")),
        webhook_url=webhook_url,
        webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=_port(get("WEBHOOK_PORT")),
        webhook_path=_webhook_path(get("WEBHOOK_PATH"), webhook_url),
        webhook_secret=_webhook_secret(get("WEBHOOK_SECRET"), required=webhook_url is not None),
        flood_control=_switch("FLOOD_CONTROL", get("FLOOD_CONTROL"), default=True),
        stop_timeout=_stop_timeout(get("STOP_TIMEOUT")),
        reply_mode=_reply_mode(get("REPLY_MODE")),
        send_rate=_bounded("SEND_RATE", get("SEND_RATE"), FREE_SEND_RATE, MAX_SEND_RATE,
                           f"messages a second, at most {MAX_SEND_RATE:g} (above "
                           f"{FREE_SEND_RATE:g} only with Telegram's paid broadcasts)"),
    )


def default_database(environ: Mapping[str, str]) -> Path:
    """Return where the database lives when DATABASE_PATH is not set.

    In a source checkout, `data/advisor.db` beside the code, as always; an installed program
    keeps it in the user's data directory (XDG_DATA_HOME, else ~/.local/share), never inside
    the installed package.
    """
    if CHECKOUT:
        return PROJECT_ROOT / "data" / "advisor.db"
    home = environ.get("XDG_DATA_HOME", "").strip()
    base = Path(home) if home and Path(home).is_absolute() else Path.home() / ".local" / "share"
    return base / "advisor-bot" / "advisor.db"


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
            f"{TELEGRAM_API}, got {value!r}"
        )
    return value


def _database_path(value: str | None) -> Path | None:
    """SQLite reads ':memory:' and 'file:...' as other things than the file named."""
    if value is None:
        return None
    if value == ":memory:" or value[:5].lower() == "file:":
        raise ConfigError(
            f"DATABASE_PATH must be the path of a file (e.g. data/advisor.db), not {value!r}: "
            f"SQLite reads that as an in-memory database or a URI, where saved answers can "
            f"be lost"
        )
    return Path(value)


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _chat_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    parts = [part for part in value.replace(" ", "").split(",") if part]
    if not all(_CHAT_ID.fullmatch(part) and 0 < abs(int(part)) < CHAT_ID_LIMIT for part in parts):
        raise ConfigError(
            f"ADMIN_CHAT_IDS must be chat ids separated by commas, e.g. 12345,-100678, "
            f"got {value!r}"
        )
    return frozenset(int(part) for part in parts)


def _hours(value: str | None) -> float:
    return _bounded("INACTIVITY_HOURS", value, 24.0, MAX_INACTIVITY_HOURS, "hours, at most "
                    f"{MAX_INACTIVITY_HOURS:g} (a year)")


def _stop_timeout(value: str | None) -> float:
    return _bounded("STOP_TIMEOUT", value, 20.0, MAX_STOP_SECONDS, "seconds, at most "
                    f"{MAX_STOP_SECONDS:g} (a day)")


def _bounded(name: str, value: str | None, default: float, most: float, allowed: str) -> float:
    """Return the setting as a number above 0 and at most `most`; nan and inf are refused."""
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and 0 < number <= most):
        raise ConfigError(f"{name} must be a positive number of {allowed}, got {value!r}")
    return number


def _webhook_url(value: str | None, *, self_hosted: bool) -> str | None:
    """Telegram posts only to HTTPS; a self-hosted Bot API server also posts to plain HTTP."""
    if value is None:
        return None
    parts = urlsplit(value)
    schemes = ("https", "http") if self_hosted else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(
            f"WEBHOOK_URL must be the public https:// address Telegram posts updates to, "
            f"e.g. https://bot.example.com/telegram (http:// only with a self-hosted "
            f"TELEGRAM_BASE_URL), got {value!r}"
        )
    return value


def _webhook_path(value: str | None, webhook_url: str | None) -> str:
    path = value or (urlsplit(webhook_url).path if webhook_url else "") or "/"
    if not _WEBHOOK_PATH.match(path):
        raise ConfigError(
            f"WEBHOOK_PATH must start with / and hold only letters, digits and . _ ~ - /, "
            f"got {path!r}"
        )
    return path


def _webhook_secret(value: str | None, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise ConfigError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL: set it to 1-256 random letters, "
                "digits, _ or - (e.g. the output of `openssl rand -hex 32`)"
            )
        return None
    if not _SECRET.match(value):
        # Never echo the value: it is a secret even when malformed.
        raise ConfigError(
            "WEBHOOK_SECRET is malformed: use 1-256 letters, digits, _ or - "
            "(e.g. the output of `openssl rand -hex 32`)"
        )
    return value


def _port(value: str | None) -> int:
    if value is None:
        return 8080
    # ASCII digits only, and few: int() would also take other scripts' digits and "1_0".
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        raise ConfigError(f"WEBHOOK_PORT must be a port number from 1 to 65535, got {value!r}")
    return int(value)


def _reply_mode(value: str | None) -> str:
    if value is None:
        return DEFAULT_REPLY_MODE
    if value.lower() not in REPLY_MODES:
        raise ConfigError(f"REPLY_MODE must be {' or '.join(REPLY_MODES)}, got {value!r}")
    return value.lower()


def _switch(name: str, value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() not in _SWITCH:
        raise ConfigError(f"{name} must be on or off, got {value!r}")
    return _SWITCH[value.lower()]
