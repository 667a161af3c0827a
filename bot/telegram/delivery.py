"""How updates come in and replies go out: per-chat order, fair concurrency, retries.

PTB either processes updates one at a time or concurrently without keeping a chat's updates in
order. `ChatOrderedProcessor` runs different chats concurrently and each chat strictly in order,
and a chat waiting for its turn holds no worker, so one flooding user cannot starve others.
A handler whose replies have their places in the chat's queue for sending (flood control calls
`release_turn`) lets the chat's next update be handled before they have gone: a button press is
answered at once even while the replies before it wait for Telegram's limits.
`RetryingRateLimiter` waits out 429s and retries 5xx and timeouts a bounded number of times.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

log = logging.getLogger(__name__)

# PTB's own semaphore then never blocks: the real limit is `workers` below, taken only when a
# chat's turn has come.
_UNBOUNDED = 1 << 30
_turn: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "chat_turn", default=None)


def release_turn() -> None:
    """Let the current update's chat go on to its next update before this one has finished.

    Called once the update's replies have their places in the chat's queue for sending, so
    they still go out in order; the update gives its worker back too (waiting for Telegram's
    pace is no work) and counts in the chat's backlog until it has finished. Outside a chat's
    update it does nothing.
    """
    release = _turn.get()
    if release is not None:
        release()


def chat_key(update: object) -> int | None:
    """Return the chat an update belongs to, or None for updates with no chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    user = update.effective_user
    return user.id if user is not None else None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Process chats concurrently, each chat's updates strictly one after another."""

    def __init__(self, workers: int = 64, backlog: int = 100) -> None:
        super().__init__(_UNBOUNDED)
        if workers < 1 or backlog < 1:
            raise ValueError("workers and backlog must be positive")
        self.workers = workers
        self.backlog = backlog
        self._slots = asyncio.Semaphore(workers)
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._waiting: dict[int, int] = {}
        self._dropping: set[int] = set()  # chats told about since their backlog last emptied
        self.dropped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then for a free worker, then process."""
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        if self._waiting.get(key, 0) >= self.backlog:
            self._drop(key, coroutine)
            return
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            if previous is not None:
                await previous
            await self._slots.acquire()
            worker = _Worker(self._slots, mine)
            _turn.set(worker.release)
            try:
                await coroutine
            finally:
                worker.release()
        finally:
            _resolve(mine)
            self._release(key, mine)

    def waiting(self, key: int) -> int:
        """Return how many updates of the chat are waiting or being handled."""
        return self._waiting.get(key, 0)

    def _release(self, key: int, mine: asyncio.Future[None]) -> None:
        self._waiting[key] -= 1
        if not self._waiting[key]:
            del self._waiting[key]
            self._dropping.discard(key)
        if self._tails.get(key) is mine:
            del self._tails[key]

    def _drop(self, key: int, coroutine: Awaitable[Any]) -> None:
        self.dropped += 1
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        if key not in self._dropping:  # once a burst: a flood must not flood the log too
            self._dropping.add(key)
            log.warning("chat %s sends faster than it can be answered: its updates beyond %d "
                        "waiting are dropped", key, self.backlog)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for updates in flight before calling this."""


class _Worker:
    """An update's worker and its chat's turn, both given back once its replies are queued
    (a handler waiting for Telegram's pace does no work) or when it ends, whichever is first.
    It still counts in its chat's backlog until it ends."""

    __slots__ = ("slots", "turn")

    def __init__(self, slots: asyncio.Semaphore, turn: asyncio.Future[None]) -> None:
        self.slots: asyncio.Semaphore | None = slots
        self.turn = turn

    def release(self) -> None:
        _resolve(self.turn)
        if self.slots is not None:
            self.slots.release()
            self.slots = None


def _resolve(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)


Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]

ATTEMPTS_FOR = {"answerCallbackQuery": 2}
"""Methods tried fewer times than the rest: a callback query answered after about 15 s is
refused anyway, so a hanging one gets one more short try, not a long series."""


class RetryingRateLimiter(BaseRateLimiter[None]):
    """Wait out Telegram's 429s and retry server errors and timeouts, a bounded number of times.

    A request that Telegram refused for what it is (400, 403) is never retried.
    """

    def __init__(
        self,
        attempts: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if attempts < 1 or backoff < 0:
            raise ValueError("attempts must be at least 1 and backoff not negative")
        self.attempts = attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._deadline: tuple[float, Callable[[], float]] | None = None
        self.retries = 0

    def give_up_at(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Retry nothing whose wait would end after `deadline` (the bot is stopping)."""
        self._deadline = deadline, clock

    def _too_late(self, seconds: float) -> bool:
        if self._deadline is None:
            return False
        deadline, clock = self._deadline
        return clock() + seconds > deadline

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(  # noqa: PLR0917 (PTB's signature)
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],  # noqa: ARG002
        rate_limit_args: None,  # noqa: ARG002
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Call the Bot API, retrying what is worth retrying."""
        attempts = min(self.attempts, ATTEMPTS_FOR.get(endpoint, self.attempts))
        for attempt in range(1, attempts + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                if attempt == attempts or seconds > self.max_retry_after or (
                        self._too_late(seconds)):
                    raise
                log.warning("%s: Telegram asks to wait %.1f s; waiting", endpoint, seconds)
                await self._sleep(seconds)
            except BadRequest:
                raise
            except NetworkError as error:
                delay = self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 4)
                if attempt == attempts or self._too_late(delay):
                    raise
                log.warning("%s failed (%s); retry %d in %.2f s", endpoint, error, attempt, delay)
                await self._sleep(delay)
            self.retries += 1
        raise AssertionError("unreachable: the last attempt returns or raises")
