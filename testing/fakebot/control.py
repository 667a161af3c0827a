"""A JSON control API under /_control/ for driving the fake from another process.

POST /_control/updates    an Update payload            -> {"update_id", "since"}
POST /_control/send       {"chat_id", "text"}          -> {"update_id", "since"}
POST /_control/press      {"chat_id", "label"}         -> {"update_id", "since"}
GET  /_control/calls?since=N                           -> {"calls": [...], "next": N}
GET  /_control/messages?chat_id=N                      -> {"messages": [...]}
POST /_control/wait       {"method", "chat_id"?, "since"?, "timeout"?} -> {"call"} or 408
POST /_control/fail_next  {"method", "status"?, "retry_after"?, "description"?, "times"?}

"since" is the number of calls recorded when the update was queued: pass it to /wait so a
reply that came before the wait request still counts.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from testing.fakebot.server import BotMessage, Call, FakeBotApi

JSONDict = dict[str, Any]
_dumps = partial(json.dumps, ensure_ascii=False, default=str)


def add_control_routes(app: web.Application, api: FakeBotApi) -> None:
    """Add the /_control/ routes for `api` to `app`."""
    control = _Control(api)
    app.router.add_post("/_control/updates", control.push)
    app.router.add_post("/_control/send", control.send)
    app.router.add_post("/_control/press", control.press)
    app.router.add_get("/_control/calls", control.calls)
    app.router.add_get("/_control/messages", control.messages)
    app.router.add_post("/_control/wait", control.wait)
    app.router.add_post("/_control/fail_next", control.fail_next)


def call_json(call: Call) -> JSONDict:
    """Return a call as plain JSON data."""
    return dataclasses.asdict(call)


def message_json(message: BotMessage) -> JSONDict:
    """Return a bot message as plain JSON data."""
    return {
        "message_id": message.message_id, "text": message.text, "edited": message.edited,
        "deleted": message.deleted,
        "buttons": [[button.label for button in row] for row in message.buttons],
    }


class _Control:
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def push(self, request: web.Request) -> web.Response:
        since = len(self.api.calls)
        update_id = self.api.push_update(await _body(request))
        return _reply({"update_id": update_id, "since": since})

    async def send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.api.user(int(_field(body, "chat_id")), str(body.get("first_name", "Ann")))
        since = len(self.api.calls)
        return _reply({"update_id": user.queue_text(str(_field(body, "text"))), "since": since})

    async def press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.api.user(int(_field(body, "chat_id")))
        since = len(self.api.calls)
        try:
            update_id, _ = user.queue_press(str(_field(body, "label")))
        except LookupError as exc:
            return _reply({"error": str(exc)}, status=404)
        return _reply({"update_id": update_id, "since": since})

    async def calls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        calls = [call_json(call) for call in self.api.calls[since:]]
        return _reply({"calls": calls, "next": len(self.api.calls)})

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        return _reply({"messages": [message_json(m) for m in self.api.messages(chat_id)]})

    async def wait(self, request: web.Request) -> web.Response:
        body = await _body(request)
        method, chat_id = body.get("method"), body.get("chat_id")

        def matches(call: Call) -> bool:
            return (method is None or call.method == method) and (
                chat_id is None or str(call.params.get("chat_id")) == str(chat_id)
            )

        since = body.get("since")
        try:
            call = await self.api.wait_for(
                matches, timeout=float(body.get("timeout", 10.0)),
                since=None if since is None else int(since),
            )
        except TimeoutError as exc:
            return _reply({"error": str(exc)}, status=408)
        return _reply({"call": call_json(call)})

    async def fail_next(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self.api.fail_next(
            str(_field(body, "method")), status=int(body.get("status", 429)),
            retry_after=int(body.get("retry_after", 1)), description=body.get("description"),
            times=int(body.get("times", 1)),
        )
        return _reply({"ok": True})


async def _body(request: web.Request) -> JSONDict:
    body = await request.json()
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


def _field(body: JSONDict, name: str) -> Any:
    if name not in body:
        raise web.HTTPBadRequest(text=f"the body needs {name!r}; it has {sorted(body)}")
    return body[name]


def _reply(data: JSONDict, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)
