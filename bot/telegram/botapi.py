"""PTB's ExtBot with the Bot API calls the bot makes its own way.

This is the one module that uses a private name of python-telegram-bot, `Bot._post` (listed and
guarded in tests/test_private_apis.py; PTB is pinned to the releases tested):

- `send_text`, `edit_text` and `edit_buttons`: every question the bot sends and every choice
  it marks (or option it checks) comes back from Telegram as the whole message, keyboard
  included, which PTB turns into a `Message` the bot never reads. These make the same calls,
  through the same rate limiter, retries and errors, and drop the answer. (The public
  `do_api_request` does the same but warns for every method PTB has a name for.)
- `get_updates`: PTB parses a batch of updates all at once, and one update it cannot parse (a
  field of an unexpected type, say from a newer Bot API server) fails the whole batch; the
  offset never moves past it and nobody is answered again. Here each update is parsed alone;
  one that fails is logged once with its id and handed on as an empty Update, so the offset
  moves past it and everyone else is answered. And an update from a chat that already has
  `backlog` updates waiting is dropped before it is parsed at all (`chat_waiting` says how many
  wait): a chat sending thousands of updates costs everyone else a dictionary look-up each,
  not the parsing and scheduling of each (PTB's Update.de_json alone is most of that).
  And while PTB's Updater polls, the next long poll is sent as soon as a batch arrives, so its
  round trip overlaps the parsing and queueing of the batch: Telegram hands out at most 100
  updates a poll, and at a paid-broadcast rate with a round trip of tens of milliseconds the
  poll loop, one poll after another, was what held the bot back.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, cast

from telegram import Update
from telegram.ext import ExtBot
from telegram.request import BaseRequest

DEFAULT = BaseRequest.DEFAULT_NONE
JSONDict = dict[str, Any]
DROPPED_LOG_EVERY = 60.0
"""Seconds between two log lines about one chat's dropped updates."""

log = logging.getLogger(__name__)


class AdvisorBot(ExtBot[None]):
    """The bot the Application runs; see the module's docstring for why."""

    def __init__(self, token: str, *, paid_broadcasts: bool = False,
                 chat_waiting: Callable[[int], int] | None = None, backlog: int = 100,
                 **kwargs: Any) -> None:
        """Take ExtBot's arguments; `get_updates_request` sets how long a poll may read.

        `paid_broadcasts`: send messages with `allow_paid_broadcast`, which lets a bot that
        qualifies send up to 1,000 a second, for Stars (SEND_RATE above 30).
        `chat_waiting`: how many updates of a chat wait or are being handled; a chat's update
        beyond `backlog` of them is dropped unread.
        """
        super().__init__(token, **kwargs)
        polls: BaseRequest | None = kwargs.get("get_updates_request")
        self._poll_read_timeout = (polls.read_timeout if polls is not None else None) or 5.0
        self._paid = True if paid_broadcasts else None  # None: left out of the request
        self._chat_waiting, self._backlog = chat_waiting, backlog
        self._still_polling: Callable[[], bool] = lambda: False
        self._ahead: tuple[tuple[int, tuple[Any, ...]], asyncio.Future[Any]] | None = None
        self._dropped = 0  # PTB freezes a Bot's public attributes
        self._told: dict[int, tuple[float, int]] = {}  # chat: when last logged, dropped since

    @property
    def dropped(self) -> int:
        """Return how many updates were dropped unread: their chat had too many waiting."""
        return self._dropped

    async def send_text(
        self, chat_id: int, text: str, markup: str | None = None, entities: str | None = None
    ) -> int | None:
        """Send a message, with an inline keyboard and formatting entities (each the Bot API's
        JSON) when given; return the new message's id (None if Telegram gave none)."""
        sent = await self._post("sendMessage", {"chat_id": chat_id, "text": text,
                                                "reply_markup": markup, "entities": entities,
                                                "allow_paid_broadcast": self._paid})
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return message_id if isinstance(message_id, int) else None

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        markup: str | None = None, entities: str | None = None) -> None:
        """Replace a message's text, formatting and buttons (none unless `markup` gives
        them)."""
        await self._post("editMessageText", {"chat_id": chat_id, "message_id": message_id,
                                             "text": text, "reply_markup": markup,
                                             "entities": entities})

    async def edit_buttons(self, chat_id: int, message_id: int, markup: str) -> None:
        """Replace a message's buttons only, its text and formatting kept."""
        await self._post("editMessageReplyMarkup", {"chat_id": chat_id,
                                                    "message_id": message_id,
                                                    "reply_markup": markup})

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | float | dtm.timedelta | None = None,  # noqa: ASYNC109 (PTB's)
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: Any = DEFAULT,
        write_timeout: Any = DEFAULT,
        connect_timeout: Any = DEFAULT,
        pool_timeout: Any = DEFAULT,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Fetch updates as PTB does, parsing each alone (see the module's docstring)."""
        seconds = timeout.total_seconds() if isinstance(timeout, dtm.timedelta) else timeout
        # As PTB: the long poll's own time comes on top of the read timeout.
        base = (self._poll_read_timeout if read_timeout is DEFAULT else read_timeout) or 0

        def poll(at: int | None) -> Coroutine[Any, Any, Any]:
            return self._post(
                "getUpdates",
                {"timeout": timeout, "offset": at, "limit": limit,
                 "allowed_updates": allowed_updates},
                read_timeout=base + (seconds or 0), write_timeout=write_timeout,
                connect_timeout=connect_timeout, pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )

        asked = (limit, seconds, tuple(allowed_updates or ()))
        result = cast("list[JSONDict]", await self._polled(offset, asked, poll))
        if result and seconds and self._still_polling():
            # The next long poll goes now, its round trip overlapping the handling of this
            # batch. Only while PTB's Updater runs: it then takes this batch, which the next
            # poll's offset confirms to Telegram, as PTB's own next poll would.
            following = _update_id(result[-1]) + 1
            ahead = asyncio.ensure_future(poll(following))
            ahead.add_done_callback(_seen)
            self._ahead = (following, asked), ahead
        updates = tuple(self._parse(data) for data in self._admitted(result))
        for update in updates:
            self.insert_callback_data(update)
        return updates

    async def _polled(self, offset: int | None, asked: tuple[Any, ...],
                      poll: Callable[[int | None], Coroutine[Any, Any, Any]]) -> Any:
        """Return the poll sent ahead when it is the one asked for now; else poll now (the
        one ahead, if any, is cancelled: PTB's last poll when stopping asks for other things).
        """
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            (following, before), task = ahead
            if (following, before) == (offset, asked):
                return await task
            task.cancel()
        return await poll(offset)

    async def shutdown(self) -> None:
        """Cancel a poll sent ahead, then shut down as PTB does."""
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None
        await super().shutdown()

    def poll_ahead_while(self, polling: Callable[[], bool]) -> None:
        """Send each next long poll as soon as a batch arrives, while `polling()` is true."""
        self._still_polling = polling

    def _admitted(self, result: list[JSONDict]) -> list[JSONDict]:
        """Return the updates worth reading: none beyond a chat's backlog.

        When the batch's last update is dropped, an empty one with its id stands in for it:
        PTB moves the offset past the last update it is given.
        """
        if self._chat_waiting is None or not result:
            return result
        taken: Counter[int] = Counter()
        dropped: Counter[int] = Counter()
        kept: list[JSONDict] = []
        for data in result:
            chat = chat_of(data)
            if chat is not None and self._chat_waiting(chat) + taken[chat] >= self._backlog:
                dropped[chat] += 1
                continue
            if chat is not None:
                taken[chat] += 1
            kept.append(data)
        for chat, count in dropped.items():
            self._tell_dropped(chat, count)
        self._dropped += sum(dropped.values())
        if not kept or kept[-1] is not result[-1]:
            kept.append({"update_id": _update_id(result[-1])})
        return kept

    def _parse(self, data: JSONDict) -> Update:
        _forget_pressed_keyboard(data)
        try:
            return Update.de_json(data, self)
        except Exception:
            update_id = _update_id(data)
            log.exception("update %s cannot be read (%s), so it is skipped",
                          update_id, ", ".join(sorted(k for k in data if k != "update_id")))
            return Update(update_id)


    def _tell_dropped(self, chat: int, count: int) -> None:
        """Log a chat's dropped updates at most once a minute: a flood must not flood the log."""
        now = time.monotonic()
        told, untold = self._told.get(chat, (-math.inf, 0))
        if now - told < DROPPED_LOG_EVERY:
            self._told[chat] = told, untold + count
            return
        if len(self._told) > 4096:  # forget chats told about long ago
            self._told = {c: t for c, t in self._told.items() if now - t[0] < DROPPED_LOG_EVERY}
        self._told[chat] = now, 0
        log.warning("chat %s sends faster than it can be answered: %d more update(s) dropped "
                    "unread", chat, untold + count)


def _seen(task: asyncio.Future[Any]) -> None:
    """Retrieve the outcome of a poll sent ahead that nobody awaited (cancelled, or failing
    after PTB moved on): asyncio would otherwise log it as never retrieved."""
    if not task.cancelled():
        task.exception()


def _forget_pressed_keyboard(data: JSONDict) -> None:
    """Leave out the keyboard of the message a button was pressed on: the bot never reads it
    (it knows its buttons), and turning it into PTB objects was the largest part of parsing a
    press (see docs/performance.md, paid broadcasts)."""
    query = data.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        message.pop("reply_markup", None)


def chat_of(data: JSONDict) -> int | None:
    """Return the chat an update belongs to, read off the Bot API's JSON without parsing it:
    the chat of its message (a callback query's: the message pressed on), else its sender."""
    for kind, payload in data.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message")
        chat = payload.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        source = chat if isinstance(chat, dict) else payload.get("from") or payload.get("user")
        found = source.get("id") if isinstance(source, dict) else None
        return found if isinstance(found, int) else None
    return None


def _update_id(data: Any) -> int:
    """Return the update's id; without a usable one there is nothing to move the offset by."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int):
        raise TypeError(f"an update without a numeric update_id came from the Bot API: {data!r}")
    return update_id


def advisor_bot(bot: object) -> AdvisorBot:
    """Return `bot` as the AdvisorBot it must be (the runner builds every Application with one)."""
    if not isinstance(bot, AdvisorBot):
        raise TypeError(f"expected an AdvisorBot (see build_application), not {type(bot)}")
    return bot
