"""Build the PTB Application and run it until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.advisor import Advisor
from bot.config import Settings
from bot.engine.loader import load_dialogue
from bot.errors import AdvisorError
from bot.storage.sqlite import SqliteStore
from bot.telegram.delivery import ChatOrderedProcessor, RetryingRateLimiter
from bot.telegram.handlers import TelegramFrontEnd

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
COMMANDS = "advisor.commands"


def build_application(settings: Settings, advisor: Advisor) -> App:
    """Return an Application wired to the advisor (not yet initialised)."""
    if settings.token is None:
        raise AdvisorError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .concurrent_updates(ChatOrderedProcessor())
        .rate_limiter(RetryingRateLimiter())
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    app = builder.build()
    front = TelegramFrontEnd(advisor)
    front.install(app)
    app.bot_data[COMMANDS] = front.commands()
    return app


@asynccontextmanager
async def polling(app: App) -> AsyncIterator[None]:
    """Initialise `app`, register its commands and poll until the block ends, then stop."""
    try:
        await app.initialize()
    except InvalidToken:
        raise AdvisorError(
            "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather"
        ) from None
    except (NetworkError, TelegramError) as error:
        raise AdvisorError(
            f"cannot reach the Bot API ({error}); check the network or TELEGRAM_BASE_URL"
        ) from None
    try:
        await app.bot.set_my_commands(app.bot_data[COMMANDS])
        await app.start()
        if app.updater is None:
            raise AdvisorError("the Application was built without an updater")
        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("polling for updates as @%s", app.bot.username)
        try:
            yield
        finally:
            log.info("stopping: finishing updates in flight")
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()


async def serve(settings: Settings) -> None:
    """Poll Telegram (or the server at TELEGRAM_BASE_URL) until SIGTERM or SIGINT."""
    dialogue = load_dialogue(settings.dialogue_path)
    store = await SqliteStore.open(settings.database_path)
    try:
        app = build_application(settings, Advisor(dialogue, store))
        stop = _stop_event()
        async with polling(app):
            await stop.wait()
    finally:
        await store.close()


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
