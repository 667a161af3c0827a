"""PTB's ExtBot with the Bot API calls the bot makes its own way.

This is the one module that uses a private name of python-telegram-bot, `Bot._post` (listed and
guarded in tests/test_private_apis.py; PTB is pinned to the releases tested):

- `send_text` and `edit_text`: every question the bot sends and every choice it marks comes
  back from Telegram as the whole message, keyboard included, which PTB turns into a
  `Message` the bot never reads. These make the same calls, through the same rate limiter,
  retries and errors, and drop the answer. (The public `do_api_request` does the same but
  warns for every method PTB has a name for.)
- `get_updates`: PTB parses a batch of updates all at once, and one update it cannot parse (a
  field of an unexpected type, say from a newer Bot API server) fails the whole batch; the
  offset never moves past it and nobody is answered again. Here each update is parsed alone;
  one that fails is logged once with its id and handed on as an empty Update, so the offset
  moves past it and everyone else is answered.
"""

from __future__ import annotations

import datetime as dtm
import logging
from collections.abc import Sequence
from typing import Any, cast

from telegram import Update
from telegram.ext import ExtBot
from telegram.request import BaseRequest

DEFAULT = BaseRequest.DEFAULT_NONE
JSONDict = dict[str, Any]

log = logging.getLogger(__name__)


class AdvisorBot(ExtBot[None]):
    """The bot the Application runs; see the module's docstring for why."""

    def __init__(self, token: str, *, paid_broadcasts: bool = False, **kwargs: Any) -> None:
        """Take ExtBot's arguments; `get_updates_request` sets how long a poll may read.

        `paid_broadcasts`: send messages with `allow_paid_broadcast`, which lets a bot that
        qualifies send up to 1,000 a second, for Stars (SEND_RATE above 30).
        """
        super().__init__(token, **kwargs)
        polls: BaseRequest | None = kwargs.get("get_updates_request")
        self._poll_read_timeout = (polls.read_timeout if polls is not None else None) or 5.0
        self._paid = True if paid_broadcasts else None  # None: left out of the request

    async def send_text(self, chat_id: int, text: str, markup: str | None = None) -> None:
        """Send a plain-text message, with an inline keyboard (the Bot API's JSON) when given."""
        await self._post("sendMessage", {"chat_id": chat_id, "text": text,
                                         "reply_markup": markup,
                                         "allow_paid_broadcast": self._paid})

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        markup: str | None = None) -> None:
        """Replace a message's text and its buttons (none unless `markup` gives them)."""
        await self._post("editMessageText", {"chat_id": chat_id, "message_id": message_id,
                                             "text": text, "reply_markup": markup})

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
        result = cast("list[JSONDict]", await self._post(
            "getUpdates",
            {"timeout": timeout, "offset": offset, "limit": limit,
             "allowed_updates": allowed_updates},
            read_timeout=base + (seconds or 0), write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs,
        ))
        updates = tuple(self._parse(data) for data in result)
        for update in updates:
            self.insert_callback_data(update)
        return updates

    def _parse(self, data: JSONDict) -> Update:
        try:
            return Update.de_json(data, self)
        except Exception:
            update_id = _update_id(data)
            log.exception("update %s cannot be read (%s), so it is skipped",
                          update_id, ", ".join(sorted(k for k in data if k != "update_id")))
            return Update(update_id)


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
