"""A Bot API that answers every call at once, in process: the network taken out of the timing.

Modelled on PTB's own tests/auxil/networking.py: a `BaseRequest` whose `do_request` returns a
plausible result without touching a socket, so `Application.process_update` measures only the
bot's work (dispatch, dialogue, storage) and PTB's own encoding and decoding of the calls.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from telegram.request import BaseRequest, RequestData

TOKEN = "123456:BENCHMARK"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


class StubRequest(BaseRequest):
    """Answer every Bot API call instantly; remember each chat's latest keyboard."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.keyboards: dict[int, list[list[dict[str, Any]]]] = {}
        self._message_ids: dict[int, int] = {}

    @property
    def read_timeout(self) -> float | None:
        """Return the read timeout: there is none to wait for."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(  # noqa: PLR0917 (PTB's signature)
        self,
        url: str,
        method: str,  # noqa: ARG002
        request_data: RequestData | None = None,
        read_timeout: Any = None,  # noqa: ARG002
        write_timeout: Any = None,  # noqa: ARG002
        connect_timeout: Any = None,  # noqa: ARG002
        pool_timeout: Any = None,  # noqa: ARG002
    ) -> tuple[int, bytes]:
        """Return HTTP 200 and the result Telegram would give for this call."""
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        params = request_data.parameters if request_data is not None else {}
        result = self._result(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}
        if name == "getUpdates":
            return []
        if name in {"sendMessage", "editMessageText"}:
            return self._message(name, params)
        return True

    def _message(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if name == "sendMessage":
            message_id = self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        else:
            message_id = int(params["message_id"])
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            "text": params["text"],
        }
        markup = params.get("reply_markup")
        if isinstance(markup, str):  # sent already encoded
            markup = json.loads(markup)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
            if name == "sendMessage":
                self.keyboards[chat_id] = markup["inline_keyboard"]
        return message
