"""`check`: is everything in place for the bot to run? One line per check.

Nothing is left changed: the database is tried rather than asked about, and what the try made
is rolled back or removed (bot.storage.reports.health). Run it as the user the bot runs as,
since that user's permissions are what count. The exit code is 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Commands
from bot.config import Settings, load_settings
from bot.engine.checks import summary
from bot.engine.loader import load_dialogue
from bot.errors import ConfigError, DialogueError
from bot.logs import redact, setup_logging
from bot.storage.reports.health import check_database

if TYPE_CHECKING:
    from telegram import Bot

TIMEOUT = 5.0
"""Seconds the Bot API has to answer getMe."""

RECENT_WEBHOOK_ERROR = 600.0
"""A webhook delivery error younger than this many seconds fails the check."""

MARKS = {True: "✓", False: "✗", None: "-"}


@dataclass(frozen=True)
class Check:
    """The outcome of one check: passed (True), failed (False) or skipped (None)."""

    name: str
    passed: bool | None
    detail: str

    def __str__(self) -> str:
        return f"{MARKS[self.passed]} {self.name}: {self.detail}"


def add(commands: Commands) -> None:
    """Add the `check` command."""
    commands.add_parser(
        "check", help="check settings, dialogue, database and the Bot API; exit 0 when all pass"
    ).set_defaults(handler=check)


def check(_args: argparse.Namespace) -> int:
    """Load the settings (a malformed one is a failed check, exit 2) and run every check."""
    return main()


def check_command(settings: Settings) -> int:
    """Run every check, print one line each, and return 0 when none failed, else 1."""
    checks = asyncio.run(run_checks(settings))
    for check in checks:
        print(check)
    return 1 if any(check.passed is False for check in checks) else 0


def main() -> int:
    """Load the settings (a malformed one is a failed check, exit 2) and run every check."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(Check("settings", passed=False, detail=str(error)))
        return 2
    # Only warnings, on stderr, secrets redacted: the check's own lines go to stdout.
    setup_logging("WARNING", settings.secrets)
    return check_command(settings)


async def run_checks(settings: Settings) -> list[Check]:
    """Check settings, dialogue, database and (with a token) the Bot API, in that order."""
    checks = [_settings(settings), _dialogue(settings.dialogue_path),
              await asyncio.to_thread(_database, settings.database_path)]
    checks += await _bot_api(settings)
    return checks


def _settings(settings: Settings) -> Check:
    if settings.token is None:
        mode = "no TELEGRAM_BOT_TOKEN: `python -m bot` runs the terminal chat"
    elif settings.webhook_url:
        mode = (f"webhook at {settings.webhook_url}, listening on {settings.webhook_listen}:"
                f"{settings.webhook_port}{settings.webhook_path}")
    else:
        mode = "polling"
    flood = (f"on, {settings.send_rate:g} messages a second" if settings.flood_control
             else "OFF (for benchmarks only)")
    return Check("settings", passed=True, detail=(
        f"{mode}; flood control {flood}; {settings.reply_mode} replies; stops within "
        f"{settings.stop_timeout:g} s; log level {settings.log_level}"))


def _dialogue(path: Path) -> Check:
    try:
        dialogue = load_dialogue(path)
    except DialogueError as error:
        first = error.problems[0] if error.problems else "no details"
        return Check("dialogue", passed=False, detail=(
            f"{len(error.problems)} problem(s), first {first}; "
            f"run `python -m bot validate {path}` for all of them"))
    return Check("dialogue", passed=True, detail=summary(dialogue))


def _database(path: Path) -> Check:
    verdict = check_database(path)
    return Check("database", passed=verdict.passed, detail=verdict.detail)


async def _bot_api(settings: Settings) -> list[Check]:
    if settings.token is None:
        return [Check("Bot API", passed=None, detail="skipped: no TELEGRAM_BOT_TOKEN")]
    # PTB takes a while to import; only this check needs it.
    from telegram import Bot  # noqa: PLC0415
    from telegram.error import InvalidToken, TelegramError  # noqa: PLC0415

    from bot.telegram.transport import AiohttpRequest  # noqa: PLC0415

    request = AiohttpRequest(connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    bot = Bot(settings.token, base_url=settings.api_url, request=request,
              get_updates_request=request)
    where = settings.base_url or "api.telegram.org"
    try:
        async with asyncio.timeout(2 * TIMEOUT):
            await bot.initialize()  # calls getMe
            checks = [Check("Bot API", passed=True,
                            detail=f"{where} answers getMe as @{bot.username}")]
            if settings.webhook_url:
                checks.append(await _webhook(bot, settings.webhook_url))
            return checks
    except InvalidToken:
        return [Check("Bot API", passed=False,
                      detail="Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather")]
    except (TelegramError, TimeoutError) as error:
        reason = redact(str(error), settings.secrets) or "no answer"
        return [Check("Bot API", passed=False, detail=(
            f"cannot reach {where} within {TIMEOUT:g} s ({reason}); check the network, "
            f"a proxy or TELEGRAM_BASE_URL"))]
    finally:
        await bot.shutdown()


async def _webhook(bot: Bot, url: str) -> Check:
    info = await bot.get_webhook_info()
    if info.url != url:
        return Check("webhook", passed=True, detail=(
            f"Telegram has {info.url or 'no webhook'} set; the bot sets {url} when it starts"))
    error_at = info.last_error_date
    if error_at is not None and time.time() - error_at.timestamp() < RECENT_WEBHOOK_ERROR:
        return Check("webhook", passed=False, detail=(
            f"Telegram could not deliver to {url} at {error_at:%H:%M:%S} UTC: "
            f"{info.last_error_message}; check the reverse proxy, its TLS certificate and that "
            f"the bot runs"))
    return Check("webhook", passed=True, detail=(
        f"Telegram delivers to {url}; {info.pending_update_count} update(s) waiting"))

