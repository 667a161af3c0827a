"""The real bot (Application, engine, SQLite) against the fake Bot API, with knobs for faults.

`running_bot` builds the Application with `runner.build_application` and `runner.polling`, as
production does; the knobs only change the arguments it is built with (a shorter read timeout,
a shorter retry backoff, a clock that can be moved on, a store class that can be told to fail).
A handler in a last group records every update the bot has finished with, so a test can wait
for "the bot is done with update N" even when the right reaction is to say nothing.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.advisor import Advisor
from bot.config import DEFAULT_DIALOGUE, Settings
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from bot.storage.sqlite import SqliteStore
from bot.telegram import runner
from bot.telegram.delivery import RetryingRateLimiter
from bot.telegram.transport import DEFAULT_TIMEOUT
from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.botprocess import environment
from tests.dbfile import latest_answers, read_rows

App = Application[Any, Any, Any, Any, Any, Any]
LAST_GROUP = 1_000  # after every group the bot itself uses


class Clock:
    """Wall-clock time that a test can move forward, for the Advisor's double-press window."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` on, as if the person waited that long."""
        self.offset += seconds


@dataclass
class RunningBot:
    """A bot under test, what it has finished handling, and its database."""

    app: App
    advisor: Advisor
    store: SqliteStore
    db_path: Path
    handled: Counter[int] = field(default_factory=Counter)
    _waiters: dict[int, list[asyncio.Future[None]]] = field(default_factory=dict)

    @property
    def retrying(self) -> RetryingRateLimiter:
        """Return the rate limiter that retries failed Bot API calls."""
        return _retrying(self.app)

    @property
    def dialogue(self) -> Dialogue:
        """Return the dialogue the bot runs."""
        return self.advisor.dialogue

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the database the way an operator would, with a separate connection."""
        return read_rows(self.db_path, sql, *params)

    def answers(self, chat_id: int) -> list[tuple[str, str]]:
        """Return (question, option) of the chat's latest session, in order."""
        return latest_answers(self.db_path, chat_id)

    async def until_handled(
        self, *update_ids: int, times: int = 1, timeout: float = 10.0  # noqa: ASYNC109
    ) -> None:
        """Wait until the bot has finished each update `times` times (re-deliveries count)."""
        # One future per awaited update, not one event for all: hundreds of people waiting
        # at once must not all wake up on every update.
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                for update_id in update_ids:
                    while self.handled[update_id] < times:
                        waiter = loop.create_future()
                        self._waiters.setdefault(update_id, []).append(waiter)
                        await waiter
        except TimeoutError:
            missing = [u for u in update_ids if self.handled[u] < times]
            raise TimeoutError(
                f"the bot did not finish updates {missing} within {timeout} s"
            ) from None

    async def press(self, user: FakeUser, label: str) -> None:
        """Press the labelled button on the latest keyboard and wait until the bot is done."""
        update_id, _ = user.queue_press(label)
        await self.until_handled(update_id, timeout=user.timeout)

    async def _mark(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            self.handled[update.update_id] += 1
            for waiter in self._waiters.pop(update.update_id, []):
                if not waiter.done():
                    waiter.set_result(None)


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    db_path: Path,
    *,
    dialogue_path: Path = DEFAULT_DIALOGUE,
    clock: Clock | None = None,
    store_type: type[SqliteStore] = SqliteStore,
    busy_timeout: float = 5.0,
    read_timeout: float = DEFAULT_TIMEOUT,
    backoff: float | None = None,
    flood_control: bool = False,
    **more: Any,
) -> AsyncIterator[RunningBot]:
    """Run the bot against `api` until the block ends, then stop it before the server.

    Pacing (FLOOD_CONTROL) is off unless asked for: it spaces a chat's messages about a second
    apart, which is what Telegram wants and what these tests do not examine. `more` are
    further Settings fields (admin_chat_ids, inactivity_hours, ...).
    """
    settings = Settings(token=api.token, base_url=api.base_url, database_path=db_path,
                        dialogue_path=dialogue_path, flood_control=flood_control, **more)
    clock = clock or Clock()
    # One clock for both: the Advisor compares its time with the times the store recorded.
    store = await store_type.open(db_path, busy_timeout=busy_timeout, clock=clock)
    try:
        advisor = Advisor(load_dialogue(dialogue_path), store, clock=clock,
                          idle_after=settings.inactivity_hours * 3600)
        app = runner.build_application(settings, advisor, read_timeout=read_timeout)
        _tune_retries(app, backoff)
        bot = RunningBot(app, advisor, store, db_path)
        app.add_handler(TypeHandler(object, bot._mark), group=LAST_GROUP)
        async with runner.polling(app):
            yield bot
    finally:
        await store.close()


def _tune_retries(app: App, backoff: float | None) -> None:
    if backoff is not None:
        _retrying(app).backoff = backoff


def _retrying(app: App) -> RetryingRateLimiter:
    # With pacing on, the retrying limiter sits inside FloodControl.
    limiter = getattr(app.bot.rate_limiter, "retrying", app.bot.rate_limiter)
    assert isinstance(limiter, RetryingRateLimiter), f"unexpected rate limiter {limiter!r}"
    return limiter


# The bot as its own process ------------------------------------------------------------------


def bot_environment(api: FakeBotApi, db_path: Path, **extra: str) -> dict[str, str]:
    """Return the environment `python -m bot` needs to talk to `api` and store in `db_path`."""
    return environment(api, db_path, **{"LOG_LEVEL": "INFO", "FLOOD_CONTROL": "off", **extra})


@asynccontextmanager
async def bot_process(
    api: FakeBotApi, db_path: Path, log_path: Path, **extra: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `python -m bot` polling `api` (its log in `log_path`, where it runs: no .env there);
    kill it if still running."""
    mark = len(api.calls)
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=log_path.parent,
            env=bot_environment(api, db_path, **extra),
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
        )
    try:
        await api.wait_for(_polling, since=mark, timeout=30)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()


def _polling(call: Call) -> bool:
    # Polling starts right after deleteWebhook; getUpdates itself is only recorded when it
    # returns, after its long-poll timeout when nothing is queued.
    return call.method == "deleteWebhook"
