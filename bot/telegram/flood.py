"""Pace outgoing messages below Telegram's send limits, so that a 429 is the exception.

Telegram allows about 30 messages a second in all, about one a second in a private chat (short
bursts pass) and 20 a minute in a group. `FloodControl` keeps a schedule for the bot as a whole
(a steady pace), one for each private chat (a token bucket: a burst, then a steady rate) and
one for each group ("at most 20 in any minute"). A request first waits its turn in its chat,
then its turn for the overall pace, first come first served, and each slot is taken when the
request really goes: a busy chat never holds up the others, a chat's messages keep their
order, and a late wake-up (a busy event loop) delays the requests after it instead of letting
them bunch up, which Telegram would count against the next second.

Only what puts a message in a chat is paced (send*, edit*, copy*, forward*). A callback query
must be answered within about 15 s whatever is queued, so answerCallbackQuery, like getMe and
setWebhook, passes at once. Every attempt takes a slot, retries included, and the wrapped
`RetryingRateLimiter` still waits out any 429 that slips through.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from telegram.ext import BaseRateLimiter

from bot.telegram.delivery import Request, RetryingRateLimiter

Kind = Literal["free", "overall", "private", "group"]
Result = bool | dict[str, Any] | list[dict[str, Any]]

_NO_LOCK = contextlib.nullcontext()
_PACED_PREFIXES = ("send", "edit", "copy", "forward", "stopPoll")


@dataclass(frozen=True)
class Window:
    """At most `count` requests in any `seconds`, as many of them at once as that allows."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"a window needs count >= 1 and seconds > 0, not {self}")

    def schedule(self, margin: float) -> _Schedule:
        """Return an empty schedule for one chat (or the bot), `margin` widening the window."""
        return _WindowSchedule(self.count, self.seconds * (1 + margin))


@dataclass(frozen=True)
class Bucket:
    """Up to `burst` requests at once, then `per_second` a second."""

    burst: int
    per_second: float

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_second <= 0:
            raise ValueError(f"a bucket needs burst >= 1 and per_second > 0, not {self}")

    def schedule(self, margin: float) -> _Schedule:
        """Return an empty schedule, `margin` stretching the time between requests."""
        return _BucketSchedule(self.burst, (1 + margin) / self.per_second)


Limit = Window | Bucket
# Overall a steady pace, not bursts: a burst of 30 reaches Telegram spread out by the network
# and the event loop, and its tail then counts in the next second. (Letting a request catch
# up half a slot after a late one drew more 429s in the 500-people test for no more speed.)
OVERALL: Limit = Bucket(burst=1, per_second=30.0)
PRIVATE: Limit = Bucket(burst=3, per_second=1.0)
GROUP: Limit = Window(20, 60.0)


class _Schedule:
    """When requests went, and so when the next one may; `turn` queues a chat's requests."""

    __slots__ = ("turn",)

    def __init__(self) -> None:
        self.turn = asyncio.Lock()

    def earliest(self, now: float) -> float:
        """Return the earliest time, `now` or later, at which the next request may go."""
        raise NotImplementedError

    def take(self, at: float) -> None:
        """Record a request going at `at`: no earlier than `earliest` and the last one."""
        raise NotImplementedError

    def idle(self, now: float) -> bool:
        """Return True when the schedule is as good as new."""
        raise NotImplementedError


class _WindowSchedule(_Schedule):
    __slots__ = ("count", "seconds", "times")

    def __init__(self, count: int, seconds: float) -> None:
        super().__init__()
        self.count, self.seconds = count, seconds
        self.times: deque[float] = deque(maxlen=count)  # the latest `count` requests

    def earliest(self, now: float) -> float:
        if len(self.times) < self.count:
            return now
        return max(now, self.times[0] + self.seconds)

    def take(self, at: float) -> None:
        self.times.append(at)

    def idle(self, now: float) -> bool:
        return not self.turn.locked() and (not self.times or self.times[-1] + self.seconds <= now)


class _BucketSchedule(_Schedule):
    """GCRA: the bucket kept as the time at which it would be full again."""

    __slots__ = ("interval", "tat", "tolerance")

    def __init__(self, burst: int, interval: float) -> None:
        super().__init__()
        self.interval, self.tolerance = interval, (burst - 1) * interval
        self.tat = -math.inf

    def earliest(self, now: float) -> float:
        return max(now, self.tat - self.tolerance)

    def take(self, at: float) -> None:
        self.tat = max(self.tat, at) + self.interval

    def idle(self, now: float) -> bool:
        return not self.turn.locked() and self.tat <= now


class FloodControl(BaseRateLimiter[None]):
    """Pace message sends per chat and overall, then retry through a `RetryingRateLimiter`."""

    def __init__(
        self,
        retrying: RetryingRateLimiter | None = None,
        *,
        overall: Limit = OVERALL,
        private: Limit = PRIVATE,
        group: Limit = GROUP,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # The margin absorbs jitter: Telegram counts requests when they arrive, not when sent.
        if margin < 0:
            raise ValueError(f"margin must not be negative, not {margin}")
        self.retrying = retrying or RetryingRateLimiter()
        self._margin = margin
        self._limits = {"private": private, "group": group}
        self._overall = overall.schedule(margin)
        self._turn = asyncio.Lock()  # first come, first served
        self._chats: dict[int | str, _Schedule] = {}
        self._prune_at = 4096
        self._clock = clock
        self._sleep = sleep
        self.delayed = 0  # requests that had to wait for a slot
        self.waited = 0.0  # seconds spent waiting, all requests together

    async def initialize(self) -> None:
        """Nothing to allocate."""
        await self.retrying.initialize()

    async def shutdown(self) -> None:
        """Nothing to free."""
        await self.retrying.shutdown()

    async def process_request(  # noqa: PLR0917 (PTB's signature)
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Wait for the request's slot (each attempt anew), then call the Bot API."""
        kind, chat = classify(endpoint, data)

        async def paced(*args: Any, **kwargs: Any) -> Result:
            await self.wait(kind, chat)
            return await callback(*args, **kwargs)

        return await self.retrying.process_request(
            callback if kind == "free" else paced, args, kwargs, endpoint, data, rate_limit_args
        )

    async def wait(self, kind: Kind, chat: int | str | None) -> None:
        """Sleep until the chat, then the bot as a whole, may send again.

        Requests queue first in their chat, then for the overall slots, first come first
        served, and each slot is taken at the moment the request really goes: a wake-up that
        came late (a busy event loop) delays the requests after it instead of bunching them.
        """
        schedule = self._schedule(kind, chat)
        slept = 0.0
        async with schedule.turn if schedule is not None else _NO_LOCK:
            if schedule is not None:
                slept += await self._until(schedule.earliest)
            async with self._turn:
                slept += await self._until(self._overall.earliest)
                now = self._clock()
                self._overall.take(now)
                if schedule is not None:
                    schedule.take(now)
        if slept:
            self.delayed += 1
            self.waited += slept

    async def _until(self, earliest: Callable[[float], float]) -> float:
        """Sleep until `earliest(now)` is now; return the seconds slept."""
        slept, now = 0.0, self._clock()
        while (free := earliest(now)) > now:
            await self._sleep(free - now)
            slept += free - now
            now = self._clock()
        return slept

    def _schedule(self, kind: Kind, chat: int | str | None) -> _Schedule | None:
        if chat is None or kind not in self._limits:
            return None
        schedule = self._chats.get(chat)
        if schedule is None:
            self._prune(self._clock())
            schedule = self._chats[chat] = self._limits[kind].schedule(self._margin)
        return schedule

    def _prune(self, now: float) -> None:
        """Forget chats whose schedule is idle: a fresh one behaves the same."""
        if len(self._chats) < self._prune_at:
            return
        self._chats = {chat: s for chat, s in self._chats.items() if not s.idle(now)}
        self._prune_at = max(4096, 2 * len(self._chats))


def classify(endpoint: str, data: dict[str, Any]) -> tuple[Kind, int | str | None]:
    """Return how a request is paced, and the chat whose bucket it takes."""
    if not endpoint.startswith(_PACED_PREFIXES):
        return "free", None
    chat = data.get("chat_id")
    if chat is None:
        return "overall", None  # an inline message: no chat to count against
    if isinstance(chat, int):
        return ("private" if chat > 0 else "group"), chat
    text = str(chat)
    if text.lstrip("-").isdecimal():
        number = int(text)
        return ("private" if number > 0 else "group"), number
    return "group", text  # "@channelname": only channels and supergroups have usernames
