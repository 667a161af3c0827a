"""Odd and hostile input: each answered politely or ignored on purpose, nothing stored wrongly.

Every test runs the real bot on the real dialogue and ends by checking that no ERROR was
logged: an input that reached the error handler would be a bug even if the person got a reply.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import Clock, RunningBot, running_bot

CHAT = 4001
FIRST_ANSWER = [("use", "commute")]


@dataclass
class Scene:
    """A bot and a person who has answered the first question."""

    bot: RunningBot
    api: FakeBotApi
    user: FakeUser
    clock: Clock

    def calls_since(self, mark: int, chat_id: int = CHAT) -> list[Call]:
        """Return the calls that put something in the chat since `mark`."""
        return [c for c in self.api.calls[mark:]
                if c.method in {"sendMessage", "editMessageText"}
                and str(c.params.get("chat_id")) == str(chat_id)]

    @property
    def texts(self) -> Any:
        """Return the dialogue's texts."""
        return self.bot.dialogue.texts


@pytest.fixture
async def scene(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Scene]:
    clock = Clock()
    async with running_bot(fake_api, tmp_path / "bot.db", clock=clock) as bot:
        user = fake_api.user(CHAT)
        await bot.until_handled(user.queue_text("/start"))
        await bot.press(user, "Commute & travel")
        assert bot.answers(CHAT) == FIRST_ANSWER
        yield Scene(bot, fake_api, user, clock)
    errors = [r for r in caplog.records if r.levelno >= 40 or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


def file(kind: str) -> dict[str, str]:
    return {"file_id": f"{kind}-1", "file_unique_id": f"u-{kind}-1"}


MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {**file("sticker"), "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular"}},
    "photo with a caption that is an answer": {
        "photo": [{**file("photo"), "width": 90, "height": 90}],
        "caption": "3+ hours, most days"},
    "voice": {"voice": {**file("voice"), "duration": 3}},
    "document": {"document": {**file("document"), "file_name": "x.pdf"}},
    "location": {"location": {"latitude": 52.52, "longitude": 13.405}},
    "contact": {"contact": {"phone_number": "+491701234567", "first_name": "Ann"}},
    "forwarded text that is an answer": {
        "text": "3+ hours, most days",
        "forward_origin": {"type": "user", "date": 1_700_000_000,
                           "sender_user": {"id": 4242, "is_bot": False, "first_name": "Bob"}}},
}


@pytest.mark.parametrize("fields", MEDIA.values(), ids=MEDIA.keys())
async def test_what_is_not_typed_text_gets_a_polite_notice_and_stores_nothing(
    scene: Scene, fields: dict[str, Any]
) -> None:
    mark = len(scene.api.calls)
    await scene.bot.until_handled(scene.user.queue_message(fields))
    assert [c.params["text"] for c in scene.calls_since(mark)] == [scene.texts.unsupported]
    assert scene.bot.answers(CHAT) == FIRST_ANSWER


ODD_TEXT = {
    "4096 characters": "ab🎧 " * 1024,
    "only emoji": "🎧🔥👍🏽‍",
    "right-to-left": "مرحبا، أي سماعة؟ שלום",
    "control characters": "\x01\x02\x1b[31m\u202e\u200b\x7f\t",
    "markup and sql": "<b>x</b> *y* '); DROP TABLE answers;--",
}


@pytest.mark.parametrize("text", ODD_TEXT.values(), ids=ODD_TEXT.keys())
async def test_odd_text_is_asked_again_with_the_options(scene: Scene, text: str) -> None:
    mark = len(scene.api.calls)
    await scene.bot.until_handled(scene.user.queue_text(text))
    [reply] = scene.calls_since(mark)
    assert reply.params["text"].startswith(scene.texts.reprompt.partition("{")[0])
    assert "Under an hour" in str(reply.params["reply_markup"])  # the buttons come again
    assert scene.bot.answers(CHAT) == FIRST_ANSWER


async def test_text_wrapped_in_invisible_characters_still_answers(scene: Scene) -> None:
    await scene.bot.until_handled(scene.user.queue_text("\u200b\u202e 3+ HOURS, most days!! \x01"))
    assert scene.bot.answers(CHAT) == [*FIRST_ANSWER, ("hours", "long")]


async def test_unknown_commands_are_named_and_a_deep_link_start_begins_again(
    scene: Scene
) -> None:
    mark = len(scene.api.calls)
    await scene.bot.until_handled(scene.user.queue_text("/frobnicate now"))
    assert [c.params["text"] for c in scene.calls_since(mark)] == [scene.texts.unknown_command]
    assert scene.bot.answers(CHAT) == FIRST_ANSWER

    await scene.bot.until_handled(scene.user.queue_text("/start ref-campaign_42"))
    assert scene.user.last_text.startswith(scene.texts.welcome)
    assert "Question 1 of " in scene.user.last_text
    assert scene.bot.rows("SELECT status FROM sessions WHERE chat_id = ? ORDER BY id", CHAT) == [
        ("restarted",), ("active",)]


async def test_edits_channel_posts_and_inline_queries_are_ignored(scene: Scene) -> None:
    user, api = scene.user, scene.api
    mark = len(api.calls)
    typed = user.queue_text("Under an hour")
    now = int(time.time())
    edited = api.push_update({"edited_message": {
        "message_id": user.sent_message_ids[-1], "date": now, "edit_date": now,
        "chat": user.chat.payload(), "from": user.profile, "text": "3+ hours, most days"}})
    channel = api.channel_post(-100_777, "/start")
    inline = api.push_update({"inline_query": {
        "id": "iq-1", "from": user.profile, "query": "headphones", "offset": ""}})
    await scene.bot.until_handled(typed, edited, channel, inline)

    # Only the typed answer got a reply (and its question lost its buttons, as after a
    # press); its later edit changed nothing.
    assert [c.method for c in scene.calls_since(mark)] == ["sendMessage", "editMessageText"]
    assert scene.bot.answers(CHAT) == [*FIRST_ANSWER, ("hours", "short")]
    assert [c for c in api.calls[mark:]
            if c.method not in {"sendMessage", "editMessageText", "getUpdates"}] == []


def forged(scene: Scene) -> dict[str, str]:
    """Return callback data that was never on a button of this chat's current question."""
    session = scene.bot.rows("SELECT max(id) FROM sessions WHERE chat_id = ?", CHAT)[0][0]
    return {
        "garbage": "garbage",
        "empty": "",
        "only colons": ":::",
        "negative session": "-1:hours:long",
        "20-digit session": "99999999999999999999:hours:long",
        "another chat's session": f"{session + 1}:hours:long",
        "a question that does not exist": f"{session}:gone:away",
        "an option that does not exist": f"{session}:hours:loud",
        "no option": f"{session}:hours",
        "the answered question, a made-up option": f"{session}:use:bogus",
    }


async def test_forged_callback_data_only_gets_a_notice_on_the_button(scene: Scene) -> None:
    other = scene.api.user(4002)
    await scene.bot.until_handled(other.queue_text("/start"))
    scene.clock.advance(60)  # long after the last answer: not even a lost reply looks likely
    for name, data in forged(scene).items():
        mark = len(scene.api.calls)
        update_id, query_id = scene.user.queue_callback(
            data, scene.api.message_payload(scene.user.keyboard_message))
        await scene.bot.until_handled(update_id)
        assert scene.calls_since(mark) == [], name
        [answer] = [c for c in scene.api.calls[mark:] if c.method == "answerCallbackQuery"]
        assert answer.params["callback_query_id"] == query_id
        assert answer.error is None, name
        assert answer.params.get("text") == scene.texts.stale, name
    assert scene.bot.answers(CHAT) == FIRST_ANSWER
    assert scene.bot.answers(4002) == []


async def test_a_press_on_a_message_the_bot_can_no_longer_see_gets_a_notice(
    scene: Scene
) -> None:
    mark = len(scene.api.calls)
    session = scene.bot.rows("SELECT max(id) FROM sessions WHERE chat_id = ?", CHAT)[0][0]
    update_id, _ = scene.user.queue_callback(
        f"{session}:hours:long", {"chat": scene.user.chat.payload(), "message_id": 1, "date": 0})
    await scene.bot.until_handled(update_id)
    assert scene.calls_since(mark) == []
    [answer] = [c for c in scene.api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert answer.params.get("text") == scene.texts.stale
    assert scene.bot.answers(CHAT) == FIRST_ANSWER


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_in_groups_commands_work_and_only_replies_to_the_bot_are_answers(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    chat = -5001 if kind == "group" else -100_5001
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        group = fake_api.group(chat, type=kind)
        ann, bob = group.member(71, "Ann"), group.member(72, "Bob")
        await bot.until_handled(ann.queue_text("/start@advisor_test_bot"))
        assert "Question 1 of " in ann.last_text
        question = ann.last_message.message_id

        mark = len(fake_api.calls)
        ignored = [
            bob.queue_text("Commute & travel"),  # chatter, not addressed to the bot
            bob.queue_text("/start@some_other_bot"),
            bob.queue_text("/frobnicate"),
            bob.queue_message(MEDIA["sticker"]),
        ]
        await bot.until_handled(*ignored)
        assert [c for c in fake_api.calls[mark:] if c.method == "sendMessage"] == []
        assert bot.answers(chat) == []

        await bot.until_handled(bob.queue_text("commute", reply_to=question))
        assert bot.answers(chat) == [("use", "commute")]
        assert "Question 2 of " in ann.last_text
        await bot.press(ann, "3+ hours, most days")
        assert bot.answers(chat) == [("use", "commute"), ("hours", "long")]
        await bot.until_handled(ann.queue_text("/back"))
        assert bot.answers(chat) == [("use", "commute")]
        await bot.until_handled(ann.queue_text("/help"))
        assert ann.last_text == bot.dialogue.texts.help
    errors = [r for r in caplog.records if r.levelno >= 40 or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]
