"""The person on the other side: sends messages, presses buttons, reads what the bot shows."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testing.fakebot.checks import InlineButton
    from testing.fakebot.server import BotMessage, Call, Chat, FakeBotApi

JSONDict = dict[str, Any]
# What to wait for after an action: a method name ("sendMessage", "editMessageText", ...),
# "reply" (sendMessage or editMessageText), "answer" (answerCallbackQuery), a predicate on the
# call, or None (only until the bot has fetched the update).
Expect = str | Callable[["Call"], bool] | None

_file_ids = itertools.count(1)


def _file(kind: str) -> JSONDict:
    number = next(_file_ids)
    return {"file_id": f"{kind}-{number}", "file_unique_id": f"u{kind}{number}"}


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeUser:
    """A person writing to the bot in one chat; each action returns after the bot reacted."""

    def __init__(
        self, api: FakeBotApi, chat: Chat, *, user_id: int, first_name: str,
        username: str | None = None, language_code: str = "en",
    ) -> None:
        self.api = api
        self.chat = chat
        self.user_id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.sent_message_ids: list[int] = []
        self.last_answer: JSONDict | None = None  # params of the latest answerCallbackQuery
        self.timeout = 10.0  # seconds each action waits for the bot's reaction

    @property
    def chat_id(self) -> int:
        """Return the id of the chat this person writes in."""
        return self.chat.id

    @property
    def profile(self) -> JSONDict:
        """Return the Bot API `User` object for this person."""
        profile: JSONDict = {
            "id": self.user_id, "is_bot": False, "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            profile["username"] = self.username
        return profile

    # -- what the user sees ------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """Return the bot's messages in this chat that were not deleted."""
        return [message for message in self.api.messages(self.chat_id) if not message.deleted]

    @property
    def texts(self) -> list[str]:
        """Return the text of every visible bot message in order, edits applied."""
        return [message.text for message in self.messages]

    @property
    def last_message(self) -> BotMessage:
        """Return the bot's latest visible message."""
        if not self.messages:
            raise LookupError(f"the bot has shown nothing in chat {self.chat_id}")
        return self.messages[-1]

    @property
    def last_text(self) -> str:
        """Return the text of the bot's latest visible message."""
        return self.last_message.text

    @property
    def keyboard_message(self) -> BotMessage:
        """Return the latest visible bot message that has inline buttons."""
        for message in reversed(self.messages):
            if message.buttons:
                return message
        raise LookupError(f"no bot message in chat {self.chat_id} has buttons")

    @property
    def last_buttons(self) -> list[str]:
        """Return the labels of the latest keyboard, row by row."""
        return self.keyboard_message.labels

    @property
    def last_rows(self) -> list[list[str]]:
        """Return the labels of the latest keyboard as rows."""
        return [[button.label for button in row] for row in self.keyboard_message.buttons]

    # -- queueing updates without waiting ----------------------------------------------------

    def queue_message(self, fields: JSONDict, *, reply_to: int | None = None) -> int:
        """Queue a message with these content fields; return its update_id."""
        message_id = self.api.new_message_id(self.chat_id)
        self.sent_message_ids.append(message_id)
        message = self._message(message_id, fields)
        if reply_to is not None:
            message["reply_to_message"] = self.api.message_payload(self._bot_message(reply_to))
        return self.api.push_update({"message": message})

    def queue_text(self, text: str, *, reply_to: int | None = None) -> int:
        """Queue a text message; a leading /command gets its bot_command entity."""
        fields: JSONDict = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_length(command)}
            ]
        return self.queue_message(fields, reply_to=reply_to)

    def queue_press(self, label: str, *, message: BotMessage | None = None) -> tuple[int, str]:
        """Queue a press of the labelled button; return the update_id and the query id."""
        target = message or self.keyboard_message
        return self.queue_callback(self._callback_data(target, label),
                                   self.api.message_payload(target))

    def queue_callback(self, data: str, message: JSONDict | None) -> tuple[int, str]:
        """Queue a callback query with any data; return the update_id and the query id."""
        query_id = self.api.open_callback_query()
        query: JSONDict = {
            "id": query_id, "from": self.profile, "data": data,
            "chat_instance": str(7_000_000_000 + abs(self.chat_id)),
        }
        if message is not None:
            query["message"] = message
        return self.api.push_update({"callback_query": query}), query_id

    # -- acting and waiting for the bot ------------------------------------------------------

    async def send(
        self, text: str, *, reply_to: int | None = None, expect: Expect = "sendMessage",
    ) -> Call | None:
        """Send a text message and wait for the bot's reaction."""
        mark = len(self.api.calls)
        return await self._reaction(mark, self.queue_text(text, reply_to=reply_to), expect)

    async def send_fields(
        self, fields: JSONDict, *, expect: Expect = "sendMessage"
    ) -> Call | None:
        """Send a message with these content fields and wait for the bot's reaction."""
        mark = len(self.api.calls)
        return await self._reaction(mark, self.queue_message(fields), expect)

    async def send_sticker(
        self, emoji: str = "👍", *, expect: Expect = "sendMessage"
    ) -> Call | None:
        """Send a regular sticker."""
        sticker = {**_file("sticker"), "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "type": "regular", "emoji": emoji}
        return await self.send_fields({"sticker": sticker}, expect=expect)

    async def send_photo(
        self, caption: str | None = None, *, expect: Expect = "sendMessage"
    ) -> Call | None:
        """Send a photo (two sizes, as Telegram delivers it), optionally captioned."""
        sizes = [{**_file("photo"), "width": side, "height": side} for side in (90, 800)]
        fields: JSONDict = {"photo": sizes}
        if caption is not None:
            fields["caption"] = caption
        return await self.send_fields(fields, expect=expect)

    async def send_voice(self, seconds: int = 3, *, expect: Expect = "sendMessage") -> Call | None:
        """Send a voice message."""
        voice = {**_file("voice"), "duration": seconds, "mime_type": "audio/ogg"}
        return await self.send_fields({"voice": voice}, expect=expect)

    async def send_document(
        self, file_name: str = "notes.pdf", *, expect: Expect = "sendMessage"
    ) -> Call | None:
        """Send a file."""
        document = {**_file("document"), "file_name": file_name, "mime_type": "application/pdf"}
        return await self.send_fields({"document": document}, expect=expect)

    async def send_location(
        self, latitude: float = 52.52, longitude: float = 13.405, *,
        expect: Expect = "sendMessage",
    ) -> Call | None:
        """Send a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self.send_fields({"location": location}, expect=expect)

    async def send_contact(
        self, phone_number: str = "+491701234567", *, expect: Expect = "sendMessage"
    ) -> Call | None:
        """Send this person's own contact card."""
        contact = {"phone_number": phone_number, "first_name": self.first_name,
                   "user_id": self.user_id}
        return await self.send_fields({"contact": contact}, expect=expect)

    async def forward(
        self, text: str, *, from_name: str = "Bob", expect: Expect = "sendMessage"
    ) -> Call | None:
        """Forward someone else's text message into the chat."""
        origin = {"type": "user", "date": int(time.time()) - 60,
                  "sender_user": {"id": 4242, "is_bot": False, "first_name": from_name}}
        return await self.send_fields({"text": text, "forward_origin": origin}, expect=expect)

    async def edit(
        self, message_id: int, text: str, *, expect: Expect = "sendMessage",
    ) -> Call | None:
        """Edit a message this person sent earlier."""
        if message_id not in self.sent_message_ids:
            raise ValueError(f"message {message_id} was not sent by {self.first_name}; "
                             f"their messages are {self.sent_message_ids}")
        now = int(time.time())
        edited = {**self._message(message_id, {"text": text}), "edit_date": now}
        mark = len(self.api.calls)
        update_id = self.api.push_update({"edited_message": edited})
        return await self._reaction(mark, update_id, expect)

    async def press(
        self, label: str, *, message: BotMessage | None = None, expect: Expect = "reply",
    ) -> Call | None:
        """Press the labelled button on the latest keyboard (or on `message`)."""
        mark = len(self.api.calls)
        update_id, query_id = self.queue_press(label, message=message)
        return await self._reaction(mark, update_id, expect, query_id=query_id)

    async def press_data(
        self, data: str, *, message_id: int | None = None, expect: Expect = "reply",
    ) -> Call | None:
        """Press a button carrying any `data`, as a forged or outdated client would."""
        mark = len(self.api.calls)
        update_id, query_id = self.queue_callback(data, self._pressed_message(message_id))
        return await self._reaction(mark, update_id, expect, query_id=query_id)

    async def inline_query(
        self, text: str, *, expect: Expect = "answerInlineQuery"
    ) -> Call | None:
        """Type `@bot text` in any chat."""
        query = {"id": f"iq{next(_file_ids)}", "from": self.profile, "query": text,
                 "offset": "", "chat_type": "sender"}
        mark = len(self.api.calls)
        return await self._reaction(mark, self.api.push_update({"inline_query": query}), expect)

    def block(self) -> None:
        """Block the bot: every send to this chat fails with 403."""
        self.chat.blocked = True

    def unblock(self) -> None:
        """Unblock the bot."""
        self.chat.blocked = False

    # -- helpers -----------------------------------------------------------------------------

    def _message(self, message_id: int, fields: JSONDict) -> JSONDict:
        return {"message_id": message_id, "date": int(time.time()),
                "chat": self.chat.payload(), "from": self.profile, **fields}

    def _bot_message(self, message_id: int) -> BotMessage:
        for message in self.api.messages(self.chat_id):
            if message.message_id == message_id:
                return message
        raise LookupError(f"the bot sent no message {message_id} in chat {self.chat_id}")

    def _pressed_message(self, message_id: int | None) -> JSONDict | None:
        if message_id is None:
            return self.api.message_payload(self.last_message) if self.messages else None
        try:
            return self.api.message_payload(self._bot_message(message_id))
        except LookupError:
            # Telegram sends an InaccessibleMessage (date 0) for a message the bot can't see.
            return {"chat": self.chat.payload(), "message_id": message_id, "date": 0}

    def _callback_data(self, message: BotMessage, label: str) -> str:
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted; nothing to press")
        button = _button(message, label)
        if button is None:
            raise LookupError(f"no button {label!r} on message {message.message_id}; "
                              f"its buttons are {message.labels}")
        if button.callback_data is None:
            raise LookupError(f"button {label!r} opens {button.url}; it sends no callback")
        return button.callback_data

    async def _reaction(
        self, mark: int, update_id: int, expect: Expect, query_id: str | None = None
    ) -> Call | None:
        timeout = self.timeout
        if expect is None:
            await self.api.wait_fetched(update_id, timeout=timeout)
            return None
        if query_id is not None:
            answer = await self.api.wait_for(
                lambda call: call.method == "answerCallbackQuery"
                and call.params.get("callback_query_id") == query_id,
                since=mark, timeout=timeout,
            )
            self.last_answer = answer.params
            if expect == "answer":
                return answer
        return await self.api.wait_for(self._matcher(expect), since=mark, timeout=timeout)

    def _matcher(self, expect: str | Callable[[Call], bool]) -> Callable[[Call], bool]:
        if callable(expect):
            return expect
        aliases = {"reply": {"sendMessage", "editMessageText"}, "answer": {"answerCallbackQuery"}}
        methods = aliases.get(expect, {expect})

        def matches(call: Call) -> bool:
            chat_id = call.params.get("chat_id")
            in_chat = chat_id is None or str(chat_id) == str(self.chat_id)
            return call.method in methods and in_chat

        return matches


def _button(message: BotMessage, label: str) -> InlineButton | None:
    return next((button for row in message.buttons for button in row if button.label == label),
                None)


class FakeGroup:
    """A group chat with the bot; its members write in it."""

    def __init__(self, api: FakeBotApi, chat: Chat) -> None:
        self.api = api
        self.chat = chat

    @property
    def chat_id(self) -> int:
        """Return the group's chat id."""
        return self.chat.id

    def member(self, user_id: int, name: str) -> FakeUser:
        """Return a member who writes in this group."""
        return FakeUser(self.api, self.chat, user_id=user_id, first_name=name)
