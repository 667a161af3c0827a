"""Settings: read from the environment and .env, refused with one clear line when malformed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT, load_settings
from bot.errors import ConfigError
from bot.logs import REDACTED, setup_logging

TOKEN = "123456:ABCdef_ghi-JKLmnopQRStuvWXyz0123456"
SECRET = "s3cret_Webhook-token"


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
        ("WEBHOOK_URL", "http://bot.example.com/hook", "WEBHOOK_URL must be the public https"),
        ("WEBHOOK_URL", "bot.example.com/hook", "WEBHOOK_URL must be the public https"),
        ("WEBHOOK_PORT", "80800", "WEBHOOK_PORT must be a port number from 1 to 65535"),
        ("WEBHOOK_PORT", "http", "WEBHOOK_PORT must be a port number from 1 to 65535"),
        ("WEBHOOK_PATH", "hook", "WEBHOOK_PATH must start with /"),
        ("WEBHOOK_PATH", "/hook(.*)", "WEBHOOK_PATH must start with /"),
        ("FLOOD_CONTROL", "maybe", "FLOOD_CONTROL must be on or off"),
        ("STOP_TIMEOUT", "0", "STOP_TIMEOUT must be a positive number"),
    ],
)
def test_a_malformed_setting_is_one_clear_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value}, env_file=None)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


HOURS = "INACTIVITY_HOURS must be a positive number of hours, at most 8760 (a year), got {!r}"
STOP = "STOP_TIMEOUT must be a positive number of seconds, at most 86400 (a day), got {!r}"
PORT = "WEBHOOK_PORT must be a port number from 1 to 65535, got {!r}"
CHATS = "ADMIN_CHAT_IDS must be chat ids separated by commas, e.g. 12345,-100678, got {!r}"
RATE = ("SEND_RATE must be a positive number of messages a second, at most 1000 (above 30 only "
        "with Telegram's paid broadcasts), got {!r}")
MODE = "REPLY_MODE must be compact or separate, got {!r}"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        *[("INACTIVITY_HOURS", v, HOURS) for v in ("nan", "inf", "-inf", "1e300", "8761", "0")],
        # nan made every stop exit 3 at once; inf and 1e300 hung the stop (the watchdog's
        # timer overflowed).
        *[("STOP_TIMEOUT", v, STOP) for v in ("nan", "NaN", "inf", "1e300", "86401", "-1")],
        *[("WEBHOOK_PORT", v, PORT) for v in ("nan", "inf", "0", "8_080", "+80", "٨٠٨٠",
                                              "9" * 5000)],
        *[("ADMIN_CHAT_IDS", v, CHATS) for v in ("nan", "inf", "1e3", "0", "12,1" + "0" * 30,
                                                 "1_000", "٣")],
        *[("SEND_RATE", v, RATE) for v in ("nan", "inf", "0", "-30", "1001", "fast")],
        *[("REPLY_MODE", v, MODE) for v in ("fast", "both", "1")],
    ],
)
def test_a_number_out_of_range_is_refused_with_what_is_allowed(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value}, env_file=None)
    assert str(raised.value) == message.format(value)


def test_numbers_at_their_limits_are_accepted() -> None:
    settings = load_settings(
        {"INACTIVITY_HOURS": "8760", "STOP_TIMEOUT": "86400", "WEBHOOK_PORT": "65535",
         "ADMIN_CHAT_IDS": "1, -1001234567890", "SEND_RATE": "1000", "REPLY_MODE": "Separate"},
        env_file=None,
    )
    assert (settings.send_rate, settings.paid_broadcasts) == (1000.0, True)
    assert settings.reply_mode == "separate"
    assert (settings.inactivity_hours, settings.stop_timeout) == (8760.0, 86400.0)
    assert settings.webhook_port == 65535
    assert settings.admin_chat_ids == {1, -1001234567890}
    small = load_settings({"INACTIVITY_HOURS": "0.25", "STOP_TIMEOUT": "0.5"}, env_file=None)
    assert (small.inactivity_hours, small.stop_timeout) == (0.25, 0.5)


@pytest.mark.parametrize("value", [":memory:", "file:advisor.db", "FILE:/tmp/x.db?mode=memory"])
def test_a_database_that_is_no_file_is_refused(value: str) -> None:
    # ':memory:' passed `check`, then lost every answer the bot said it saved at exit.
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_PATH": value}, env_file=None)
    assert str(raised.value) == (
        f"DATABASE_PATH must be the path of a file (e.g. data/advisor.db), not {value!r}: "
        "SQLite reads that as an in-memory database or a URI, where saved answers can be lost"
    )


WEBHOOK = {"WEBHOOK_URL": "https://bot.example.com/tg/hook", "WEBHOOK_SECRET": SECRET}


def test_without_webhook_url_the_bot_polls_with_flood_control_on() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.webhook_url is None
    assert settings.flood_control is True
    assert settings.stop_timeout == 20.0
    assert (settings.send_rate, settings.paid_broadcasts) == (30.0, False)
    assert settings.reply_mode == "compact"


def test_webhook_settings_default_to_a_local_listener_on_the_url_path() -> None:
    settings = load_settings(WEBHOOK, env_file=None)
    assert settings.webhook_url == "https://bot.example.com/tg/hook"
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8080)
    assert settings.webhook_path == "/tg/hook"
    assert settings.webhook_secret == SECRET
    assert SECRET not in repr(settings)
    assert SECRET in settings.secrets  # redacted from logs like the token


def test_webhook_settings_can_be_set_one_by_one() -> None:
    settings = load_settings(
        {**WEBHOOK, "WEBHOOK_URL": "https://bot.example.com", "WEBHOOK_LISTEN": "0.0.0.0",
         "WEBHOOK_PORT": "8443", "WEBHOOK_PATH": "/in", "FLOOD_CONTROL": "OFF",
         "STOP_TIMEOUT": "5"},
        env_file=None,
    )
    assert (settings.webhook_listen, settings.webhook_port, settings.webhook_path) == (
        "0.0.0.0", 8443, "/in"
    )
    assert settings.flood_control is False
    assert settings.stop_timeout == 5.0
    bare = load_settings({**WEBHOOK, "WEBHOOK_URL": "https://bot.example.com"}, env_file=None)
    assert bare.webhook_path == "/"


def test_a_plain_http_webhook_is_for_a_self_hosted_bot_api_server_only() -> None:
    local = {**WEBHOOK, "WEBHOOK_URL": "http://127.0.0.1:8080/hook",
             "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}
    assert load_settings(local, env_file=None).webhook_url == "http://127.0.0.1:8080/hook"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "WEBHOOK_SECRET is required with WEBHOOK_URL"),
        ("", "WEBHOOK_SECRET is required with WEBHOOK_URL"),
        ("with spaces and $", "WEBHOOK_SECRET is malformed"),
        ("x" * 257, "WEBHOOK_SECRET is malformed"),
    ],
)
def test_a_webhook_needs_a_well_formed_secret_and_never_echoes_it(
    secret: str | None, message: str
) -> None:
    environ = {"WEBHOOK_URL": WEBHOOK["WEBHOOK_URL"]}
    if secret is not None:
        environ["WEBHOOK_SECRET"] = secret
    with pytest.raises(ConfigError) as raised:
        load_settings(environ, env_file=None)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    if secret:
        assert secret not in str(raised.value)


def test_the_longest_secret_telegram_takes_is_accepted() -> None:
    longest = "A-z_9" * 51 + "x"
    assert len(longest) == 256
    assert load_settings({**WEBHOOK, "WEBHOOK_SECRET": longest}, env_file=None).webhook_secret


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


def test_env_example_copied_as_is_runs_the_terminal_chat_with_the_defaults() -> None:
    settings = load_settings({}, env_file=PROJECT_ROOT / ".env.example")
    assert settings.token is None
    assert settings.webhook_url is None
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8080)
    assert settings.flood_control is True
    assert settings.stop_timeout == 20.0
