"""Build the PTB Application and run it, by polling or by webhook, until SIGTERM or SIGINT.

Stopping is graceful and bounded: no new updates are taken, the ones in flight are finished,
polling confirms its offset with one last getUpdates, the database is closed, and the process
exits 0. Flood control drops its cosmetic edits at once and gives up on replies still waiting
at half of STOP_TIMEOUT (their answers are stored: the next press shows them), so that pacing
cannot hold the stop past it. A `Watchdog` ends the process with `EXIT_STOP_TIMEOUT` if it
takes longer than STOP_TIMEOUT seconds all the same (a send stuck on the network, say);
Telegram then re-delivers whatever was not confirmed, and the advisor's update ids keep it
from being handled twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, Updater
from telegram.request import BaseRequest

from bot.advisor import Advisor, Reload, opened
from bot.config import Settings
from bot.engine.model import Dialogue
from bot.errors import AdvisorError
from bot.telegram.botapi import AdvisorBot
from bot.telegram.delivery import ChatOrderedProcessor, RetryingRateLimiter
from bot.telegram.flood import FloodControl
from bot.telegram.handlers import TelegramFrontEnd
from bot.telegram.limits import overall_pace
from bot.telegram.operator import OperatorCommands
from bot.telegram.transport import DEFAULT_TIMEOUT, AiohttpRequest

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
PROFILES = "advisor.profiles"
EXIT_STOP_TIMEOUT = 3
WORKERS = 1024
"""Updates worked on at once. A handler whose replies are queued for Telegram's pace gives its
worker back (delivery.release_turn), and a button press is answered (within Telegram's 15 s)
only once its handler runs, so this must cover a burst of handlers before they queue."""
CONNECTIONS = 256
"""Bot API connections open at once (PTB's default); more requests than this wait their turn."""


def build_application(settings: Settings, advisor: Advisor, *,
                      read_timeout: float = DEFAULT_TIMEOUT,
                      request: BaseRequest | None = None) -> App:
    """Return an Application wired to the advisor (not yet initialised).

    `read_timeout` bounds the wait for each Bot API answer (getUpdates adds its long poll).
    `request`, when given, carries every Bot API call instead of the bot's own transport (the
    benchmarks answer in process through it).
    """
    if settings.token is None:
        raise AdvisorError("TELEGRAM_BOT_TOKEN is not set")
    limiter: BaseRateLimiter[None] = (
        FloodControl(RetryingRateLimiter(), overall=overall_pace(settings.send_rate))
        if settings.flood_control else RetryingRateLimiter()
    )
    sends = request or AiohttpRequest(connection_pool_size=CONNECTIONS, read_timeout=read_timeout)
    # On stop, PTB cancels the long poll and at once confirms the offset with one more
    # getUpdates; with a single connection that call can wait for the cancelled one to let go,
    # time out, and leave the updates to be fetched again after a restart.
    polls = request or AiohttpRequest(
        connection_pool_size=2, read_timeout=read_timeout, pool_timeout=5.0)
    processor = ChatOrderedProcessor(workers=WORKERS)
    bot = AdvisorBot(settings.token, base_url=settings.api_url, request=sends,
                     get_updates_request=polls, rate_limiter=limiter,
                     paid_broadcasts=settings.paid_broadcasts,
                     chat_waiting=processor.waiting, backlog=processor.backlog)
    builder = ApplicationBuilder().bot(bot).concurrent_updates(processor)
    app = builder.build()
    updater = app.updater
    bot.poll_ahead_while(lambda: updater is not None and updater.running)
    front = TelegramFrontEnd(advisor, reply_mode=settings.reply_mode)
    front.install(app)
    OperatorCommands(advisor, settings).install(app)
    app.bot_data[PROFILES] = profiles(advisor.dialogue)
    return app


@dataclass(frozen=True)
class Profile:
    """What Telegram shows about the bot in one language: its commands and descriptions."""

    commands: list[BotCommand]
    description: str
    short_description: str


def profiles(dialogue: Dialogue) -> dict[str | None, Profile]:
    """Return the bot's profile for each language the dialogue speaks, and (None) the one
    Telegram shows everyone else: the dialogue's own language."""
    def profile(view: Dialogue) -> Profile:
        texts = view.texts
        return Profile(TelegramFrontEnd.commands(view), texts.description,
                       texts.short_description)

    found: dict[str | None, Profile] = {None: profile(dialogue)}
    found |= {code: profile(dialogue.speaking(code)) for code in dialogue.languages}
    return found


async def introduce(app: App) -> None:
    """Register the commands and descriptions, once per language and once for everyone."""
    for language, profile in app.bot_data[PROFILES].items():
        await app.bot.set_my_commands(profile.commands, language_code=language)
        await app.bot.set_my_description(profile.description, language_code=language)
        await app.bot.set_my_short_description(profile.short_description,
                                               language_code=language)


@asynccontextmanager
async def polling(app: App) -> AsyncIterator[None]:
    """Initialise `app`, register its commands and poll until the block ends, then stop."""
    logging.getLogger("telegram.ext.Updater").addFilter(_no_alarm_on_stop)
    async with _running(app) as updater:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("polling for updates as @%s", app.bot.username)
        try:
            yield
        finally:
            log.info("stopping: no new updates; confirming the ones fetched to Telegram")
            await updater.stop()


def _no_alarm_on_stop(record: logging.LogRecord) -> bool:
    """Log PTB's "Updater stopped unexpectedly" at INFO: it is how a stop meets a long poll.

    The updates that poll brought are neither handled nor confirmed, so Telegram sends them
    again at the next start; nothing is lost, and a CRITICAL on every restart would train
    operators to ignore CRITICAL.
    """
    if record.levelno == logging.CRITICAL and str(record.msg).startswith("Updater stopped un"):
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True


@asynccontextmanager
async def webhook(app: App, settings: Settings) -> AsyncIterator[None]:
    """Like `polling`, but Telegram posts updates to WEBHOOK_URL, checked by their secret."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise AdvisorError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    where = f"{settings.webhook_listen}:{settings.webhook_port}"
    async with _running(app) as updater:
        try:
            # PTB checks X-Telegram-Bot-Api-Secret-Token on every request and answers 403
            # without it; the path goes into a Tornado URL pattern, hence the escaping.
            await updater.start_webhook(
                listen=settings.webhook_listen, port=settings.webhook_port,
                url_path=re.escape(settings.webhook_path), webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES,
            )
        except OSError as error:
            raise AdvisorError(
                f"cannot listen on {where} ({error.strerror or error}): "
                f"choose another WEBHOOK_PORT or WEBHOOK_LISTEN"
            ) from None
        except TelegramError as error:
            raise AdvisorError(
                f"Telegram refused the webhook {settings.webhook_url} ({error.message}); "
                f"check WEBHOOK_URL"
            ) from None
        log.info("receiving updates for @%s at %s (listening on http://%s%s)",
                 app.bot.username, settings.webhook_url, where, settings.webhook_path)
        try:
            yield
        finally:
            log.info("stopping: no new updates; the webhook stays set for the next start")
            await updater.stop()


@asynccontextmanager
async def _running(app: App) -> AsyncIterator[Updater]:
    """Initialise and start `app`; on leaving, finish updates in flight and shut it down."""
    try:
        await _initialize(app)
    except InvalidToken:
        raise AdvisorError(
            "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather"
        ) from None
    except (NetworkError, TelegramError) as error:
        raise AdvisorError(
            f"cannot reach the Bot API ({error}); check the network or TELEGRAM_BASE_URL"
        ) from None
    try:
        if app.updater is None:
            raise AdvisorError("the Application was built without an updater")
        await introduce(app)
        await app.start()
        try:
            yield app.updater
        finally:
            log.info("finishing updates in flight")
            await app.stop()
    finally:
        await app.shutdown()


async def _initialize(app: App) -> None:
    """Initialise `app`; when that fails, close the connections it opened (PTB does not)."""
    try:
        await app.initialize()
    except BaseException:
        await app.bot.shutdown()
        raise


async def serve(settings: Settings) -> None:
    """Run the bot until SIGTERM or SIGINT: by webhook when WEBHOOK_URL is set, else polling."""
    watchdog = Watchdog(settings.stop_timeout)
    try:
        async with opened(settings, offer_to_continue=True) as advisor:
            app = build_application(settings, advisor)
            stop = _stop_event(watchdog)
            updates: AbstractAsyncContextManager[None] = (
                webhook(app, settings) if settings.webhook_url else polling(app)
            )
            async with _reload_on_hangup(advisor, settings), updates:
                await stop.wait()
                stopping(app, settings.stop_timeout)
    finally:
        watchdog.disarm()
    log.info("stopped cleanly")


def stopping(app: App, stop_timeout: float) -> None:
    """Tell flood control the bot is stopping: nothing paced may hold the stop past its time.

    Replies still waiting at half of `stop_timeout` are given up, which leaves the other half
    for the last requests on their way, confirming the offset and closing the database.
    """
    limiter = app.bot.rate_limiter
    if isinstance(limiter, FloodControl):
        limiter.give_up_after(stop_timeout / 2)


@asynccontextmanager
async def _reload_on_hangup(advisor: Advisor, settings: Settings) -> AsyncIterator[None]:
    """Reload the dialogue on SIGHUP, as `/reload` does, while the block runs."""
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[Reload]] = set()

    def reload() -> None:
        task = loop.create_task(advisor.reload(settings.dialogue_path))
        reloads.add(task)  # keep a reference until it is done
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
        await asyncio.gather(*reloads, return_exceptions=True)


class Watchdog:
    """End the process when stopping takes longer than `seconds` once armed."""

    def __init__(self, seconds: float, exit: Callable[[int], object] = os._exit) -> None:
        self.seconds = seconds
        self._exit = exit
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        """Start counting; arming twice keeps the first deadline."""
        if self._timer is None:
            # A thread, not the event loop: the loop may be what is stuck.
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        """Stop counting: everything was stopped in time."""
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self) -> None:
        log.critical(
            "did not stop within %g s (STOP_TIMEOUT): exiting with code %d; updates not "
            "confirmed yet come again on the next start", self.seconds, EXIT_STOP_TIMEOUT,
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(EXIT_STOP_TIMEOUT)


def _stop_event(watchdog: Watchdog) -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        if stop.is_set():
            log.warning("%s again: already stopping, within %g s", signum.name, watchdog.seconds)
            return
        log.info("%s: stopping within %g s", signum.name, watchdog.seconds)
        stop.set()
        watchdog.arm()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    return stop
