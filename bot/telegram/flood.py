"""Pace outgoing messages below Telegram's send limits, what a person needs next first.

Telegram allows about 30 messages a second in all (up to 1,000 with paid broadcasts), about one
a second in a private chat (short bursts pass) and 20 a minute in a group, edits included.
`FloodControl` keeps a schedule for the bot as a whole (a steady pace), one for each private
chat (a token bucket) and one for each group ("at most 20 in any minute"), and one pacer hands
out the slots:

- a reply (the next question, the result, any message) goes before cosmetic work (the edit
  that marks a pressed question), in its chat and overall; otherwise first come, first served;
- a chat has one message on its way at a time, retries included, so its messages arrive in
  the order they were queued and no chat holds up another;
- a slot is taken when the request really goes, so a late wake-up (a busy event loop) delays
  the requests after it instead of bunching them up, which Telegram would count against the
  next second;
- a cosmetic edit still waiting is dropped (`NotSentError`) when a newer edit of the same
  message is queued, when it has waited COSMETIC_PATIENCE, or when the bot stops;
- once a request has its place in its chat's queue, the chat's next update may be handled
  (`delivery.release_turn`): a button press is answered while replies before it still wait.

Only what puts a message in a chat is paced (send*, edit*, copy*, forward*). A callback query
must be answered within about 15 s whatever is queued, so answerCallbackQuery, like getMe and
setWebhook, passes at once. Every attempt takes a slot, retries included, and the wrapped
`RetryingRateLimiter` still waits out any 429 that slips through. When the bot stops
(`give_up_after`), cosmetic edits go at once and whatever still waits at the deadline is not
sent, so that stopping ends within STOP_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from enum import IntEnum
from typing import Any

from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter

from bot.telegram.delivery import Request, RetryingRateLimiter, release_turn
from bot.telegram.limits import (
    GROUP,
    OVERALL,
    PRIVATE,
    Kind,
    Limit,
    Schedule,
    classify,
    edited,
)

Result = bool | dict[str, Any] | list[dict[str, Any]]

log = logging.getLogger(__name__)

COSMETIC_PATIENCE = 10.0
"""Seconds a cosmetic edit may wait for a slot before it is dropped as stale."""


class Priority(IntEnum):
    """What a message is for; lower goes first."""

    REPLY = 0
    COSMETIC = 1


_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "send_priority", default=Priority.REPLY)


@contextlib.contextmanager
def cosmetic() -> Iterator[None]:
    """Send what the block sends as cosmetic work: after replies, dropped when stale."""
    token = _priority.set(Priority.COSMETIC)
    try:
        yield
    finally:
        _priority.reset(token)


class NotSentError(TelegramError):
    """A message flood control did not send: a stale cosmetic edit, or the bot stopping."""


class _Ticket:
    """One request's place: in its chat's queue until it first goes, then its chat's holder
    until it has finished, retries included."""

    __slots__ = ("chat", "done", "edits", "future", "planned", "priority", "seq", "since")

    def __init__(self, seq: int, priority: Priority, chat: _Chat | None,
                 edits: tuple[int | str, int] | None) -> None:
        self.seq, self.priority, self.chat, self.edits = seq, priority, chat, edits
        self.future: asyncio.Future[None] | None = None  # set while it waits for a slot
        self.planned = False  # in the pacer's ready or timed heap
        self.done = False  # finished, or dropped: it keeps no place any more
        self.since = 0.0

    @property
    def waiting(self) -> bool:
        return self.future is not None and not self.future.done()

    def __lt__(self, other: _Ticket) -> bool:
        return (self.priority, self.seq) < (other.priority, other.seq)


class _Chat:
    """A chat's schedule, its queue, and the request on its way, if any."""

    __slots__ = ("holder", "queue", "schedule")

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.queue: list[_Ticket] = []  # a heap: priority, then first come
        self.holder: _Ticket | None = None

    def candidate(self) -> _Ticket | None:
        """Return the request that may go next in this chat, if it waits for its slot."""
        if self.holder is not None:
            return self.holder if self.holder.waiting else None
        queue = self.queue
        while queue and queue[0].done:
            heapq.heappop(queue)
        return queue[0] if queue and queue[0].waiting else None

    def idle(self, now: float) -> bool:
        return self.holder is None and not self.queue and self.schedule.idle(now)


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
        patience: float = COSMETIC_PATIENCE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # The margin absorbs jitter: Telegram counts requests when they arrive, not when sent.
        if margin < 0:
            raise ValueError(f"margin must not be negative, not {margin}")
        self.retrying = retrying or RetryingRateLimiter()
        self._margin, self._patience = margin, patience
        self._limits = {"private": private, "group": group}
        self._overall = overall.schedule(margin)
        self._chats: dict[int | str, _Chat] = {}
        self._prune_at = 4096
        self._clock, self._sleep = clock, sleep
        self._seqs = itertools.count()
        self._ready: list[tuple[Priority, int, _Ticket]] = []  # may go when the pace allows
        self._timed: list[tuple[float, int, _Ticket]] = []  # wait for their chat's schedule
        self._waiting: set[_Ticket] = set()
        self._patient: list[tuple[float, int, _Ticket]] = []  # cosmetic edits, by patience
        self._cosmetic: dict[tuple[int | str, int], _Ticket] = {}  # by the message it edits
        self._pacer: asyncio.Task[None] | None = None
        self._kick: asyncio.Future[None] | None = None
        self._deadline: float | None = None  # stopping: nothing waits past it
        self.delayed = 0  # requests that had to wait for a slot
        self.waited = 0.0  # seconds spent waiting, all requests together
        self.dropped = 0  # cosmetic edits dropped: stale, superseded, or stopping
        self.given_up = 0  # replies not sent because the bot stopped first

    async def initialize(self) -> None:
        """Nothing to allocate."""
        await self.retrying.initialize()

    async def shutdown(self) -> None:
        """Stop the pacer; every request has finished by now."""
        if self._pacer is not None:
            self._pacer.cancel()
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
        """Queue the request in its chat, then wait for a slot for each attempt and send it."""
        kind, chat = classify(endpoint, data)
        if kind == "free":
            return await self.retrying.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args)
        ticket = self._enqueue(kind, chat, edited(endpoint, chat, data))
        release_turn()  # the chat's next update may be handled: this request has its place

        async def paced(*args: Any, **kwargs: Any) -> Result:
            await self._slot(ticket)
            return await callback(*args, **kwargs)

        try:
            return await self.retrying.process_request(
                paced, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            self._finish(ticket)

    def give_up_after(self, seconds: float) -> None:
        """Stop: drop cosmetic edits now, and whatever still waits `seconds` from now."""
        now = self._clock()
        self._deadline = now + seconds
        self.retrying.give_up_at(self._deadline, self._clock)
        marks = [t for t in self._waiting if t.priority is Priority.COSMETIC]
        for ticket in marks:
            self._drop(ticket, "the bot is stopping")
        log.info("stopping: %d cosmetic edit(s) dropped; replies still waiting in %g s will "
                 "not be sent", len(marks), seconds)
        self._wake()

    # Queueing ------------------------------------------------------------------------------

    def _enqueue(self, kind: Kind, key: int | str | None,
                 edits: tuple[int | str, int] | None) -> _Ticket:
        priority = _priority.get()
        if self._deadline is not None and (
                priority is Priority.COSMETIC or self._clock() >= self._deadline):
            self._count_unsent(priority)
            raise NotSentError("not sent: the bot is stopping")
        chat = self._chat(kind, key)
        ticket = _Ticket(next(self._seqs), priority, chat, edits)
        if edits is not None:
            self._supersede(ticket, edits)
        if chat is not None:
            heapq.heappush(chat.queue, ticket)
        return ticket

    def _supersede(self, ticket: _Ticket, edits: tuple[int | str, int]) -> None:
        """Drop a waiting cosmetic edit of the same message: this newer edit replaces it."""
        older = self._cosmetic.pop(edits, None)
        if older is not None and older.waiting and older.chat and older.chat.holder is not older:
            self._drop(older, "a newer edit of the message replaces it")
        if ticket.priority is Priority.COSMETIC:
            self._cosmetic[edits] = ticket

    def _chat(self, kind: Kind, key: int | str | None) -> _Chat | None:
        if key is None or kind not in self._limits:
            return None
        chat = self._chats.get(key)
        if chat is None:
            self._prune(self._clock())
            chat = self._chats[key] = _Chat(self._limits[kind].schedule(self._margin))
        return chat

    def _prune(self, now: float) -> None:
        """Forget chats whose schedule is idle: a fresh one behaves the same."""
        if len(self._chats) < self._prune_at:
            return
        self._chats = {key: chat for key, chat in self._chats.items() if not chat.idle(now)}
        self._prune_at = max(4096, 2 * len(self._chats))

    async def _slot(self, ticket: _Ticket) -> None:
        """Wait until the ticket may go: its chat's turn, its chat's pace, the overall pace."""
        if self._deadline is not None and self._clock() >= self._deadline:
            self._count_unsent(ticket.priority)
            raise NotSentError("not sent: the bot is stopping")
        ticket.future = asyncio.get_running_loop().create_future()
        ticket.since = self._clock()
        if ticket.priority is Priority.COSMETIC:
            heapq.heappush(self._patient, (ticket.since + self._patience, ticket.seq, ticket))
        self._waiting.add(ticket)
        self._plan(ticket.chat, ticket, ticket.since)
        self._wake()
        await ticket.future

    def _finish(self, ticket: _Ticket) -> None:
        """The request has finished: its chat's next one may go."""
        ticket.done = True
        self._waiting.discard(ticket)
        if ticket.edits is not None and self._cosmetic.get(ticket.edits) is ticket:
            del self._cosmetic[ticket.edits]
        if ticket.future is not None and not ticket.future.done():
            ticket.future.cancel()  # the caller went away (cancelled) before its slot
        chat = ticket.chat
        if chat is None:
            return
        if chat.holder is ticket:
            chat.holder = None
        if (following := chat.candidate()) is not None:
            self._plan(chat, following, self._clock())
            self._wake()

    # The pacer -----------------------------------------------------------------------------

    def _plan(self, chat: _Chat | None, ticket: _Ticket, now: float) -> None:
        """Put the chat's candidate where the pacer finds it: ready now, or at a time."""
        if ticket.planned or (chat is not None and chat.candidate() is not ticket):
            return
        ticket.planned = True
        at = chat.schedule.earliest(now) if chat is not None else now
        if at <= now:
            heapq.heappush(self._ready, (ticket.priority, ticket.seq, ticket))
        else:
            heapq.heappush(self._timed, (at, ticket.seq, ticket))

    def _wake(self) -> None:
        if self._pacer is None:
            if self._waiting:
                self._pacer = asyncio.get_running_loop().create_task(self._pace())
        elif self._kick is not None and not self._kick.done():
            self._kick.set_result(None)

    async def _pace(self) -> None:
        """Hand out slots while requests wait; fail them all rather than let them hang."""
        try:
            while self._waiting:
                now = self._clock()
                self._expire(now)
                self._promote(now)
                self._grant(now)
                if self._waiting:
                    await self._nap(self._clock())
        except Exception as error:  # a bug here would silence the bot: say so, loudly
            log.critical("flood control failed; messages waiting are not sent", exc_info=True)
            for ticket in list(self._waiting):
                if ticket.future is not None and not ticket.future.done():
                    ticket.future.set_exception(NotSentError(f"not sent: flood control failed: "
                                                       f"{error!r}"))
            raise
        finally:
            self._pacer = None
            if self._waiting:  # something came while it was ending
                self._wake()

    def _expire(self, now: float) -> None:
        """Drop what waited too long: stale cosmetic edits, and everything at the deadline."""
        if self._deadline is not None and now >= self._deadline:
            late = list(self._waiting)
            for ticket in late:
                self._drop(ticket, "the bot is stopping")
            if late:
                log.info("stopping: %d message(s) not sent: the bot is stopping; their answers "
                         "are stored and each person's next press shows where they stand",
                         len(late))
            return
        patient = self._patient
        while patient and patient[0][0] <= now:
            _, _, ticket = heapq.heappop(patient)
            self._drop(ticket, f"waited over {self._patience:g} s, stale")

    def _promote(self, now: float) -> None:
        """Move tickets whose chat's schedule now allows them to the ready heap."""
        timed = self._timed
        while timed and timed[0][0] <= now:
            _, _, ticket = heapq.heappop(timed)
            ticket.planned = False
            if ticket.waiting:
                self._plan(ticket.chat, ticket, now)

    def _grant(self, now: float) -> None:
        """Let ready tickets go, best first, while the overall pace allows."""
        ready = self._ready
        while ready and self._overall.earliest(now) <= now:
            _, _, ticket = heapq.heappop(ready)
            ticket.planned = False
            chat = ticket.chat
            if not ticket.waiting or (chat is not None and chat.candidate() is not ticket):
                continue  # gone, or overtaken in its chat: planned again when its turn comes
            if chat is not None and chat.schedule.earliest(now) > now:
                self._plan(chat, ticket, now)  # the chat's schedule moved on meanwhile
                continue
            self._go(ticket, now)

    def _go(self, ticket: _Ticket, now: float) -> None:
        self._overall.take(now)
        chat = ticket.chat
        if chat is not None:
            chat.schedule.take(now)
            if chat.holder is None:
                head = heapq.heappop(chat.queue)
                assert head is ticket, "only a chat's candidate goes"
                chat.holder = ticket
        self._waiting.discard(ticket)
        if now > ticket.since:
            self.delayed += 1
            self.waited += now - ticket.since
        assert ticket.future is not None
        ticket.future.set_result(None)

    async def _nap(self, now: float) -> None:
        """Sleep until the next slot, or until something may go earlier than planned."""
        if self._ready:
            # Nothing can go before the overall pace allows: no need to listen for news.
            await self._sleep(max(0.0, self._overall.earliest(now) - now))
            return
        until = min(self._timed[0][0] if self._timed else math.inf,
                    self._patient[0][0] if self._patient else math.inf,
                    math.inf if self._deadline is None else self._deadline)
        self._kick = asyncio.get_running_loop().create_future()
        if math.isinf(until):
            await self._kick
            return
        timer = asyncio.ensure_future(self._sleep(max(0.0, until - now)))
        try:
            await asyncio.wait((timer, self._kick), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()

    def _drop(self, ticket: _Ticket, why: str) -> None:
        if not ticket.waiting:
            return
        ticket.done = True
        self._waiting.discard(ticket)
        self._count_unsent(ticket.priority)
        assert ticket.future is not None
        ticket.future.set_exception(NotSentError(f"not sent: {why}"))

    def _count_unsent(self, priority: Priority) -> None:
        if priority is Priority.COSMETIC:
            self.dropped += 1
        else:
            self.given_up += 1
