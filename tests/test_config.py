"""Settings: read from the environment and .env, refused with one clear line when malformed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE, load_settings
from bot.errors import ConfigError
from bot.logs import REDACTED, setup_logging

TOKEN = "123456:ABCdef_ghi-JKLmnopQRStuvWXyz0123456"


def test_defaults_run_the_terminal_chat_on_the_shipped_dialogue() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.token is None
    assert settings.dialogue_path == DEFAULT_DIALOGUE
    assert settings.dialogue_path.is_file()
    assert settings.log_level == "INFO"


def test_env_file_fills_gaps_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\nDATABASE_PATH=a.db\n")
    settings = load_settings({"DATABASE_PATH": "b.db"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.log_level == "DEBUG"
    assert settings.database_path == Path("b.db")


def test_the_token_never_shows_in_the_settings_repr() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TELEGRAM_BOT_TOKEN", "not a token", "TELEGRAM_BOT_TOKEN is malformed"),
        ("TELEGRAM_BASE_URL", "api.telegram.org/bot", "TELEGRAM_BASE_URL must start with"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("ADMIN_CHAT_IDS", "12,abc", "ADMIN_CHAT_IDS must be chat ids"),
        ("INACTIVITY_HOURS", "-3", "INACTIVITY_HOURS must be a positive number"),
    ],
)
def test_a_malformed_setting_is_one_clear_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value}, env_file=None)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_malformed_token_is_not_echoed() -> None:
    almost = "123456:ABC DEF"
    with pytest.raises(ConfigError) as raised:
        load_settings({"TELEGRAM_BOT_TOKEN": almost}, env_file=None)
    assert almost not in str(raised.value)


def test_logs_redact_the_token_even_in_tracebacks_and_silence_httpx_urls() -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", [TOKEN], stream)
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("boom")
    logging.getLogger("httpx").info("HTTP Request: POST /bot%s/getUpdates", TOKEN)
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count(REDACTED) == 2  # the info line and the exception in the traceback
    assert "getUpdates" not in text
    logging.getLogger().handlers.clear()
