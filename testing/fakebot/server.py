"""A strict fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real PTB bot."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import itertools
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import web

from testing.fakebot.checks import (
    MAX_ANSWER_TEXT,
    MAX_DESCRIPTION,
    MAX_SHORT_DESCRIPTION,
    ApiError,
    InlineButton,
    SendLimiter,
    bad_request,
    check_commands,
    check_description,
    check_language_code,
    parse_keyboard,
    render_text,
    utf16_slice,
)
from testing.fakebot.control import add_control_routes
from testing.fakebot.user import FakeGroup, FakeUser

JSONDict = dict[str, Any]
_T = TypeVar("_T")
_Handler = Callable[[JSONDict], Awaitable[Any]]

# PTB posts string values raw and every other value JSON-encoded; these parameters are always
# strings, so a text "42" must not become the number 42.
_STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "url",
    "secret_token", "action", "language_code", "inline_message_id", "business_connection_id",
    "message_effect_id", "ip_address", "description", "short_description", "name",
})
_DEFAULT_UPDATE_KINDS = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
    "poll_answer", "my_chat_member", "chat_join_request", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "purchased_paid_media", "message_reaction_count",
})
_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_TOKEN = re.compile(r"\d+:[\w-]+")
_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made, its decoded parameters, and how it ended."""

    method: str
    params: JSONDict
    at: float  # time.monotonic() when the request arrived
    error: str | None = None
    result: Any = None
    injected: bool = False  # failed by fail_next, not by a check
    index: int = -1  # position in FakeBotApi.calls

    def succeeded(self, method: str, chat_id: int) -> bool:
        """Tell whether this is a call of `method` in that chat that went through."""
        return (self.method == method and self.error is None
                and str(self.params.get("chat_id")) == str(chat_id))


@dataclass
class Chat:
    """A chat the fake knows; sending anywhere else gives "chat not found"."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    blocked: bool = False

    def payload(self) -> JSONDict:
        """Return the Bot API `Chat` object."""
        if self.type == "private":
            return {"id": self.id, "type": self.type, "first_name": self.first_name or "User"}
        return {"id": self.id, "type": self.type, "title": self.title or f"Chat {self.id}"}


@dataclass
class BotMessage:
    """A message the bot sent, as the user now sees it (edits applied)."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[InlineButton]]
    parse_mode: str | None = None
    edited: bool = False
    deleted: bool = False
    date: int = 0
    reply_markup: JSONDict | None = None
    formatting: tuple[str, ...] = ()
    entities: tuple[JSONDict, ...] = ()

    @property
    def labels(self) -> list[str]:
        """Return every button label, row by row."""
        return [button.label for row in self.buttons for button in row]

    def formatted(self, kind: str) -> list[str]:
        """Return the parts of the text that entities of type `kind` cover, in order."""
        return [utf16_slice(self.text, e["offset"], e["length"])
                for e in self.entities if e["type"] == kind]

    def button(self, label: str) -> InlineButton:
        """Return the button with this label; LookupError when there is none."""
        for row in self.buttons:
            for button in row:
                if button.label == label:
                    return button
        raise LookupError(f"no button {label!r} on message {self.message_id}: {self.labels}")


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Query:
    opened: float
    answered: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error: tuple[int, str] | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    posting: dict[object, asyncio.Task[None]] = field(default_factory=dict, repr=False)
    """The POSTs under way, by the queue (chat) of their update: one a chat at a time."""


class FakeBotApi:
    """Speaks enough of the Bot API for PTB, refusing what Telegram refuses, recording calls."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        enforce_limits: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        callback_answer_timeout: float = 15.0,
        round_trip: float = 0.0,
        jitter: float = 0.0,
        limits: SendLimiter | None = None,
    ) -> None:
        """`round_trip`: seconds every Bot API call spends on the network, half on the way to
        Telegram and half back, each half `jitter` seconds longer or shorter at random; a
        webhook POST flies the same, half to the bot and half for its answer.
        `limits`: the send limits enforced with `enforce_limits` (default: Telegram's)."""
        if not _TOKEN.fullmatch(token):
            raise ValueError(f"token {token!r} is not shaped like a bot token: '123:ABC'")
        if round_trip < 0 or not 0 <= jitter <= round_trip / 2:
            raise ValueError(f"round_trip must be >= 0 and jitter within half of it, not "
                             f"{round_trip} and {jitter}")
        self.token = token
        self.enforce_limits = enforce_limits
        self.callback_answer_timeout = callback_answer_timeout
        self.webhook_retry_delay = 0.2
        self.limiter = limits or SendLimiter()
        self.round_trip, self.jitter = round_trip, jitter
        self.calls: list[Call] = []
        self.webhook_responses: list[tuple[int, int]] = []  # (update_id, HTTP status; 0: none)
        self.confirmed_offset = 0
        self.bot_user: JSONDict = {
            "id": int(token.split(":", maxsplit=1)[0]), "is_bot": True,
            "first_name": "Advisor Test Bot", "username": "advisor_test_bot",
        }
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._wakeup = asyncio.Event()
        self._chats: dict[int, Chat] = {}
        self._messages: dict[int, list[BotMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._queue: list[JSONDict] = []
        self._updates: dict[int, JSONDict] = {}
        self._fetched: set[int] = set()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_KINDS
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(1)
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self.held: list[Call] = []  # calls delay_next held back, as they arrived
        self._commands: dict[str, list[dict[str, str]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self._methods: dict[str, _Handler] = {
            name.lower(): handler for name, handler in self._method_table().items()
        }

    def _method_table(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "sendMessage": self._send_message, "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message, "answerCallbackQuery": self._answer_query,
            "answerInlineQuery": self._accept, "sendChatAction": self._send_chat_action,
            "close": self._accept, "logOut": self._accept,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._on_request)
        add_control_routes(app, self)
        # Cancelling the handler when PTB hangs up ends an abandoned long poll at once.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop_webhook()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        if self._runner is None:
            raise RuntimeError("the fake Bot API is not running: use `async with FakeBotApi()`")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Return what `ApplicationBuilder().base_url(...)` takes."""
        return f"{self.url}/bot"

    # -- chats and people --------------------------------------------------------------------

    def user(
        self, chat_id: int, first_name: str = "Ann", *, username: str | None = None,
        language_code: str = "en",
    ) -> FakeUser:
        """Return a person in a private chat with the bot."""
        chat = self._chats.setdefault(chat_id, Chat(chat_id, "private", first_name=first_name))
        return FakeUser(
            self, chat, user_id=chat_id, first_name=first_name, username=username,
            language_code=language_code,
        )

    def group(self, chat_id: int, *, type: str = "group", title: str = "Test group") -> FakeGroup:
        """Return a group or supergroup the bot is a member of."""
        if type not in {"group", "supergroup"}:
            raise ValueError(f"type must be 'group' or 'supergroup', not {type!r}")
        return FakeGroup(self, self._chats.setdefault(chat_id, Chat(chat_id, type, title=title)))

    def channel_post(self, chat_id: int, text: str, *, title: str = "Test channel") -> int:
        """Queue a post in a channel the bot administers; return its update_id."""
        chat = self._chats.setdefault(chat_id, Chat(chat_id, "channel", title=title))
        return self.push_update({"channel_post": {
            "message_id": self.new_message_id(chat_id), "date": int(time.time()),
            "chat": chat.payload(), "sender_chat": chat.payload(), "text": text,
        }})

    def chat(self, chat_id: int) -> Chat:
        """Return a known chat."""
        return self._chats[chat_id]

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Return the bot's messages in a chat, oldest first, deleted ones included."""
        return list(self._messages.get(chat_id, []))

    def new_message_id(self, chat_id: int) -> int:
        """Return the chat's next message id (the user's and the bot's share one sequence)."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def message_payload(self, message: BotMessage) -> JSONDict:
        """Return the Bot API `Message` object for a bot message."""
        payload: JSONDict = {
            "message_id": message.message_id, "from": self.bot_user,
            "chat": self._chats[message.chat_id].payload(), "date": message.date,
            "text": message.text,
        }
        if message.entities:
            payload["entities"] = list(message.entities)
        if message.reply_markup is not None:
            payload["reply_markup"] = message.reply_markup
        if message.edited:
            payload["edit_date"] = int(time.time())
        return payload

    def open_callback_query(self) -> str:
        """Return a new callback query id; the answer clock starts now."""
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(time.monotonic())
        return query_id

    # -- updates -----------------------------------------------------------------------------

    def push_update(self, payload: JSONDict) -> int:
        """Queue an update (any `update_id` in it is replaced); return its update_id."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **{k: v for k, v in payload.items() if k != "update_id"}}
        self._updates[update_id] = update
        self._queue.append(update)
        self._wake()
        return update_id

    def number_updates_from(self, next_id: int) -> None:
        """Number the updates from now on from `next_id`, as Telegram does after a week
        without any ("chosen randomly instead of sequentially"), lower ids included."""
        if next_id < 1:
            raise ValueError(f"update ids are positive, not {next_id}")
        self._update_ids = itertools.count(next_id)

    def redeliver(self, update: JSONDict | int) -> None:
        """Queue an already confirmed update again, as after a crash before confirmation."""
        update_id = update if isinstance(update, int) else int(update["update_id"])
        if update_id not in self._updates:
            raise KeyError(f"update {update_id} was never pushed")
        if all(queued["update_id"] != update_id for queued in self._queue):
            self._queue.append(self._updates[update_id])
            self._queue.sort(key=lambda queued: int(queued["update_id"]))
        self._fetched.discard(update_id)
        self._wake()

    def pending_updates(self) -> int:
        """Return how many updates wait for confirmation."""
        return len(self._queue)

    async def wait_fetched(self, update_id: int, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched the update (getUpdates or webhook POST)."""
        fetched = await self._wait_until(lambda: True if update_id in self._fetched else None,
                                         timeout)
        if fetched is None:
            raise TimeoutError(f"the bot did not fetch update {update_id} within {timeout} s")

    # -- fault injection and waiting ---------------------------------------------------------

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int = 1,
        description: str | None = None, times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` with `status`."""
        if description is None:
            description = (f"Too Many Requests: retry after {retry_after}" if status == 429
                           else _phrase(status))
        fault = _Fault(status, description, retry_after if status == 429 else None, times)
        self._faults.setdefault(method.lower(), []).append(fault)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the answer to the next `times` calls of `method` for `seconds`.

        The call takes effect only after the delay: if PTB gives up first, the request is
        cancelled, recorded with an error and changes nothing.
        """
        self._delays.setdefault(method.lower(), []).extend([seconds] * times)

    def clear_delays(self) -> None:
        """Forget the holds `delay_next` has not used yet (after the bot they were for died)."""
        self._delays.clear()

    async def wait_held(
        self, method: str, *, count: int = 1, timeout: float = 10.0  # noqa: ASYNC109
    ) -> Call:
        """Wait until `count` calls of `method` in all are being held by `delay_next`."""
        found = await self._wait_until(
            lambda: held[count - 1] if len(held := [
                c for c in self.held if c.method.lower() == method.lower()]) >= count else None,
            timeout)
        if found is None:
            raise TimeoutError(f"no {count} held {method} within {timeout} s")
        return found

    async def wait_for(
        self, predicate: Callable[[Call], bool], *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the documented way to bound the wait
        since: int | None = None,
    ) -> Call:
        """Return the first call from `since` (default: now) on that satisfies `predicate`."""
        start = len(self.calls) if since is None else since
        scanned = start

        def probe() -> Call | None:
            nonlocal scanned
            for call in self.calls[scanned:]:
                if predicate(call):
                    return call
            scanned = len(self.calls)
            return None

        found = await self._wait_until(probe, timeout)
        if found is None:
            raise TimeoutError(self._describe_timeout(timeout, start))
        return found

    def _describe_timeout(self, timeout: float, start: int) -> str:
        recent = self.calls[start:][-15:]
        lines = [f"  {_describe(call)}" for call in recent] or ["  (none)"]
        return "\n".join(
            [f"no matching Bot API call within {timeout} s; calls since #{start}:", *lines]
        )

    def _wake(self) -> None:
        # A fresh Event per change: waiters hold the old one, so none misses a wake-up and
        # push_update can stay synchronous.
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    async def _wait_until(self, probe: Callable[[], _T | None], seconds: float) -> _T | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (found := probe()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)
        return found

    # -- HTTP --------------------------------------------------------------------------------

    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            status = 401 if _TOKEN.fullmatch(token) else 404
            return web.json_response(ApiError(status, _phrase(status)).envelope(), status=status)
        params = await _read_params(request)
        await self._fly()  # on its way to Telegram: the call takes effect on arrival
        arrived = time.monotonic()
        injected = False
        try:
            await self._apply_delay(name, params)
            fault = self._take_fault(name)
            if fault is not None:
                injected = True
                retry = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.status, fault.description, retry)
            handler = self._methods.get(name.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            self._record(Call(name, params, arrived, exc.description, injected=injected))
            await self._fly()
            return web.json_response(exc.envelope(), status=exc.status)
        except asyncio.CancelledError:
            self._record(Call(name, params, arrived, "cancelled: the client hung up"))
            raise
        self._record(Call(name, params, arrived, result=result))
        await self._fly()  # the answer's way back
        return web.json_response({"ok": True, "result": result})

    async def _fly(self) -> None:
        """Spend one way of the round trip, as a request or its answer on a real network."""
        if self.round_trip:
            half = self.round_trip / 2
            await asyncio.sleep(half + random.uniform(-self.jitter, self.jitter))

    def _record(self, call: Call) -> None:
        self.calls.append(dataclasses.replace(call, index=len(self.calls)))
        self._wake()

    async def _apply_delay(self, name: str, params: JSONDict) -> None:
        delays = self._delays.get(name.lower())
        if delays:
            self.held.append(Call(name, params, time.monotonic()))
            self._wake()
            await asyncio.sleep(delays.pop(0))

    def _take_fault(self, name: str) -> _Fault | None:
        faults = self._faults.get(name.lower())
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        return fault

    # -- methods: the bot and polling --------------------------------------------------------

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _accept(self, params: JSONDict) -> bool:
        return True

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        self._set_allowed(params.get("allowed_updates"))
        self._confirm(_int(params, "offset", 0))
        limit = min(max(_int(params, "limit", 100), 1), 100)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting ends with 409, as on Telegram

        def probe() -> list[JSONDict] | None:
            if generation != self._poll_generation:
                raise ApiError(409, _POLL_CONFLICT)
            return self._deliverable()[:limit] or None

        batch = await self._wait_until(probe, max(0.0, float(params.get("timeout") or 0))) or []
        self._fetched.update(int(update["update_id"]) for update in batch)
        self._handed_out(batch)
        return batch

    def _handed_out(self, updates: list[JSONDict]) -> None:
        """Take note that `updates` leave for the bot, in a poll's answer or a webhook POST
        (a hook for the benchmarks: where a press's time goes)."""

    def _set_allowed(self, allowed: object) -> None:
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or _DEFAULT_UPDATE_KINDS

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._queue = self._queue[offset:]
        elif offset > 0:
            self._queue = [update for update in self._queue if update["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)

    def _deliverable(self) -> list[JSONDict]:
        return [update for update in self._queue if _kind(update) in self._allowed_updates]

    # -- methods: webhooks -------------------------------------------------------------------

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        await self._stop_webhook()
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed(params.get("allowed_updates"))
        secret = params.get("secret_token")
        self._webhook = _Webhook(url, str(secret) if secret else None,
                                 _int(params, "max_connections", 40))
        self._webhook.task = asyncio.create_task(self._deliver_webhooks(self._webhook))
        self._wake()  # a waiting getUpdates ends with 409
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        await self._stop_webhook()
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _stop_webhook(self) -> None:
        webhook, self._webhook = self._webhook, None
        if webhook is None:
            return
        tasks = [*webhook.posting.values(), *([webhook.task] if webhook.task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook.url if self._webhook else "", "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
            "allowed_updates": sorted(self._allowed_updates),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            if self._webhook.last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook.last_error
        return info

    async def _deliver_webhooks(self, webhook: _Webhook) -> None:
        """POST queued updates as Telegram's Bot API server does: up to `max_connections` at
        once, but one chat's updates one at a time and in order."""
        while True:
            update = await self._wait_until(lambda: self._next_to_post(webhook), 3600)
            if update is not None:
                queue = _queue_of(update)
                task = asyncio.create_task(self._deliver(webhook, update))
                webhook.posting[queue] = task
                task.add_done_callback(functools.partial(self._posted, webhook, queue))

    def _next_to_post(self, webhook: _Webhook) -> JSONDict | None:
        if len(webhook.posting) >= webhook.max_connections:
            return None
        return next((update for update in self._deliverable()
                     if _queue_of(update) not in webhook.posting), None)

    def _posted(self, webhook: _Webhook, queue: object, _: asyncio.Task[None]) -> None:
        webhook.posting.pop(queue, None)
        self._wake()

    async def _deliver(self, webhook: _Webhook, update: JSONDict) -> None:
        """POST one update, flying both ways as a call does; it is confirmed when the bot's
        200 is back, and after anything else tried again a little later."""
        self._handed_out([update])
        await self._fly()
        status = await self._post_update(webhook, update)
        await self._fly()
        update_id = int(update["update_id"])
        self.webhook_responses.append((update_id, status))
        self._fetched.add(update_id)
        if status == HTTPStatus.OK:
            self._queue = [queued for queued in self._queue if queued is not update]
            self.confirmed_offset = max(self.confirmed_offset, update_id + 1)
        else:
            webhook.last_error = (int(time.time()), f"Wrong response from the webhook: "
                                  f"{status or 'no answer'}")
            self._wake()
            await asyncio.sleep(self.webhook_retry_delay)  # Telegram retries with a pause

    async def _post_update(self, webhook: _Webhook, update: JSONDict) -> int:
        assert self._session is not None
        headers = {_SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            async with self._session.post(
                webhook.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    # -- methods: commands -------------------------------------------------------------------

    def commands(self, language_code: str = "") -> list[dict[str, str]]:
        """Return the default scope's command menu for a language ("": everyone else)."""
        return list(self._commands.get(_scope_key({"language_code": language_code}), []))

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """Return the bot's (short) description for a language ("": everyone else)."""
        return self._descriptions.get(("short" if short else "long", language_code), "")

    async def _set_my_commands(self, params: JSONDict) -> bool:
        check_language_code(params)
        self._commands[_scope_key(params)] = check_commands(params.get("commands"))
        return True

    async def _set_my_description(self, params: JSONDict) -> bool:
        key = ("long", check_language_code(params))
        self._descriptions[key] = check_description(
            params.get("description"), MAX_DESCRIPTION, "description")
        return True

    async def _get_my_description(self, params: JSONDict) -> JSONDict:
        return {"description": self._descriptions.get(("long", check_language_code(params)), "")}

    async def _set_my_short_description(self, params: JSONDict) -> bool:
        key = ("short", check_language_code(params))
        self._descriptions[key] = check_description(
            params.get("short_description"), MAX_SHORT_DESCRIPTION, "short description")
        return True

    async def _get_my_short_description(self, params: JSONDict) -> JSONDict:
        return {"short_description": self._descriptions.get(
            ("short", check_language_code(params)), "")}

    async def _get_my_commands(self, params: JSONDict) -> list[dict[str, str]]:
        return self._commands.get(_scope_key(params), [])

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(_scope_key(params), None)
        return True

    # -- methods: messages -------------------------------------------------------------------

    def _chat(self, params: JSONDict, *, sending: bool = True) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat = self._chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _find(self, chat: Chat, params: JSONDict, missing: str) -> BotMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = _int(params, "message_id", 0)
        for message in self._messages.get(chat.id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise bad_request(missing)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        parse_mode = params.get("parse_mode")
        rendered = render_text(params.get("text"), parse_mode, params.get("entities"))
        buttons = parse_keyboard(params.get("reply_markup"))
        self._admit(chat)
        message = BotMessage(
            self.new_message_id(chat.id), chat.id, rendered.text, buttons, parse_mode,
            date=int(time.time()), reply_markup=_inline_markup(params),
            formatting=rendered.formatting, entities=rendered.entities,
        )
        self._messages.setdefault(chat.id, []).append(message)
        return self.message_payload(message)

    def _admit(self, chat: Chat) -> None:
        """Count a message sent or edited against Telegram's limits, or refuse it with 429."""
        if self.enforce_limits:
            self.limiter.admit(chat.id, chat.type == "private", time.monotonic())

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        message = self._find(chat, params, "message to edit not found")
        parse_mode = params.get("parse_mode")
        rendered = render_text(params.get("text"), parse_mode, params.get("entities"))
        buttons = parse_keyboard(params.get("reply_markup"))
        markup = _inline_markup(params)
        if (rendered.text, rendered.formatting, markup) == (
            message.text, message.formatting, message.reply_markup
        ):
            raise bad_request(_NOT_MODIFIED)
        self._admit(chat)
        message.text, message.formatting, message.parse_mode = (
            rendered.text, rendered.formatting, parse_mode
        )
        message.entities = rendered.entities
        message.buttons, message.reply_markup, message.edited = buttons, markup, True
        return self.message_payload(message)

    async def _edit_reply_markup(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        message = self._find(chat, params, "message to edit not found")
        buttons = parse_keyboard(params.get("reply_markup"))
        markup = _inline_markup(params)
        if markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        self._admit(chat)
        message.buttons, message.reply_markup, message.edited = buttons, markup, True
        return self.message_payload(message)

    async def _delete_message(self, params: JSONDict) -> bool:
        chat = self._chat(params, sending=False)
        self._find(chat, params, "message to delete not found").deleted = True
        return True

    async def _answer_query(self, params: JSONDict) -> bool:
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_ANSWER_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        query = self._queries.get(str(params.get("callback_query_id", "")))
        if (
            query is None
            or query.answered
            or time.monotonic() - query.opened > self.callback_answer_timeout
        ):
            raise bad_request(_QUERY_TOO_OLD)
        query.answered = True
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True


async def _read_params(request: web.Request) -> JSONDict:
    """Decode query string, form (url-encoded or multipart) or JSON parameters."""
    params: JSONDict = {name: _decode(name, value) for name, value in request.query.items()}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            params.update(body)
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            params[name] = _decode(name, value) if isinstance(value, str) else "<file>"
    return params


def _decode(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _int(params: JSONDict, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"wrong parameter {name} in request") from None


def _inline_markup(params: JSONDict) -> JSONDict | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _kind(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _queue_of(update: JSONDict) -> object:
    """Return what orders an update among the others a webhook gets: its chat, else its
    sender, else nothing (the update alone)."""
    payload = update.get(_kind(update))
    if isinstance(payload, dict):
        for where in (payload, payload.get("message")):
            if isinstance(where, dict) and isinstance(where.get("chat"), dict):
                return ("chat", where["chat"].get("id"))
        if isinstance(payload.get("from"), dict):
            return ("user", payload["from"].get("id"))
    return ("update", update["update_id"])


def _scope_key(params: JSONDict) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code') or ''}"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _describe(call: Call) -> str:
    params = json.dumps(call.params, ensure_ascii=False, default=str)
    if len(params) > 160:
        params = params[:157] + "..."
    outcome = f" -> {call.error}" if call.error else ""
    return f"#{call.index} {call.method} {params}{outcome}"
