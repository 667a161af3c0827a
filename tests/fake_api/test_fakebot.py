"""The fake Bot API speaks to the real PTB as Telegram would, errors and all."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from testing.fakebot.server import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("Headphones", callback_data="hp"),
      InlineKeyboardButton("IEMs", callback_data="iem")]]
)


@contextlib.asynccontextmanager
async def raw_bot(api: FakeBotApi, **request: Any) -> AsyncIterator[Bot]:
    """Yield an initialised PTB Bot talking to the fake."""
    async with Bot(api.token, base_url=api.base_url, request=HTTPXRequest(**request)) as bot:
        yield bot


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    assert update.effective_user
    await update.effective_message.reply_text(
        f"Hello, {update.effective_user.first_name}! Pick one:", reply_markup=KEYBOARD
    )


async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You picked {query.data}")


@contextlib.asynccontextmanager
async def polling_app(api: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a real Application with updater polling, stopped in reverse order."""
    app = Application.builder().token(api.token).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(picked))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=10))
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_get_me_describes_the_bot_and_a_wrong_token_is_refused(fake_api: FakeBotApi) -> None:
    async with raw_bot(fake_api) as bot:
        assert (bot.username, bot.id) == ("advisor_test_bot", 123)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with Bot("999:WRONG", base_url=fake_api.base_url):
            pass


async def test_a_user_talks_to_a_polling_application(fake_api: FakeBotApi) -> None:
    user = fake_api.user(1001, "Ann")
    user.timeout = 3.0  # well under the 10 s long poll: a poll that did not wake would fail
    async with polling_app(fake_api):
        await user.send("/start")
        assert user.last_text == "Hello, Ann! Pick one:"
        assert user.last_rows == [["Headphones", "IEMs"]]

        reply = await user.press("IEMs")

        assert reply is not None
        assert reply.method == "editMessageText"
        assert user.last_answer is not None
        assert user.last_answer["text"] == "Noted"
        assert user.texts == ["You picked iem"]
    assert fake_api.pending_updates() == 0  # stopping confirmed every handled update


async def test_confirmed_updates_are_dropped_and_can_be_redelivered(
    fake_api: FakeBotApi,
) -> None:
    user = fake_api.user(1001)
    ids = [user.queue_text(text) for text in ("one", "two", "three")]
    async with raw_bot(fake_api) as bot:
        assert [u.update_id for u in await bot.get_updates()] == ids
        remaining = await bot.get_updates(offset=ids[1] + 1)
        assert [u.message.text for u in remaining if u.message] == ["three"]
        assert (fake_api.pending_updates(), fake_api.confirmed_offset) == (1, ids[1] + 1)

        await bot.get_updates(offset=ids[2] + 1)
        fake_api.redeliver(ids[0])
        assert [u.update_id for u in await bot.get_updates()] == [ids[0]]


async def test_every_kind_of_user_input_is_an_update_ptb_understands(
    fake_api: FakeBotApi,
) -> None:
    user = fake_api.user(1001, "Ann")
    group = fake_api.group(-100500, type="supergroup")
    async with raw_bot(fake_api) as bot:
        pick = await bot.send_message(1001, "Pick one:", reply_markup=KEYBOARD)
        hello = await bot.send_message(-100500, "Hello, group")
        fake_api.channel_post(-100900, "news")
        first = user.queue_text("hello")
        actions = asyncio.gather(
            user.send_sticker(expect=None), user.send_photo("look", expect=None),
            user.send_voice(expect=None), user.send_document(expect=None),
            user.send_location(expect=None), user.send_contact(expect=None),
            user.forward("rumour", expect=None),
            user.edit(user.sent_message_ids[0], "hello again", expect=None),
            user.press("IEMs", expect=None), user.press_data("forged", message_id=99, expect=None),
            user.inline_query("iem", expect=None),
            group.member(7, "Bob").send("/start@advisor_test_bot", reply_to=hello.message_id,
                                        expect=None),
        )
        updates: list[Update] = []
        while len(updates) < 14:
            offset = updates[-1].update_id + 1 if updates else 0
            updates += await bot.get_updates(offset=offset, timeout=5)
        await actions
    expected: list[tuple[Callable[[Any], object], object]] = [
        (lambda u: (u.channel_post.chat.type, u.channel_post.text), ("channel", "news")),
        (lambda u: (u.update_id, u.message.from_user.first_name), (first, "Ann")),
        (lambda u: u.message.sticker.emoji, "👍"),
        (lambda u: (u.message.photo[-1].width, u.message.caption), (800, "look")),
        (lambda u: u.message.voice.duration, dtm.timedelta(seconds=3)),
        (lambda u: u.message.document.file_name, "notes.pdf"),
        (lambda u: u.message.location.latitude, 52.52),
        (lambda u: u.message.contact.user_id, 1001),
        (lambda u: u.message.forward_origin.sender_user.first_name, "Bob"),
        (lambda u: u.edited_message.text, "hello again"),
        (lambda u: (u.callback_query.data, u.callback_query.message.text), ("iem", "Pick one:")),
        (lambda u: (u.callback_query.data, u.callback_query.message.is_accessible),
         ("forged", False)),
        (lambda u: u.inline_query.query, "iem"),
        (lambda u: (u.message.chat.type, u.message.entities[0].type,
                    u.message.reply_to_message.text),
         ("supergroup", "bot_command", "Hello, group")),
    ]
    assert [check(update) for (check, _), update in zip(expected, updates, strict=True)] == [
        value for _, value in expected
    ]
    pressed: Any = updates[10].callback_query
    assert pressed.message.message_id == pick.message_id


@pytest.mark.parametrize(
    ("send", "message"),
    [
        ({"text": "x" * 4097}, "Message is too long"),
        ({"text": ""}, "Message text is empty"),
        ({"text": "<b>bold", "parse_mode": ParseMode.HTML}, "Can't parse entities"),
        ({"text": "hi", "reply_markup": InlineKeyboardMarkup(
            [[InlineKeyboardButton("Long", callback_data="я" * 32 + "x")]])},
         "Button_data_invalid"),
        ({"text": "hi", "reply_markup": InlineKeyboardMarkup(
            [[InlineKeyboardButton(str(n), callback_data=str(n)) for n in range(9)]])},
         "Reply markup is too long"),
        ({"text": "hi", "chat_id": 555}, "Chat not found"),
    ],
)
async def test_telegram_refusals_reach_ptb_as_bad_request(
    fake_api: FakeBotApi, send: dict[str, Any], message: str
) -> None:
    fake_api.user(1001)
    async with raw_bot(fake_api) as bot:
        with pytest.raises(BadRequest, match=message):
            await bot.send_message(**{"chat_id": 1001, **send})
    assert fake_api.messages(1001) == []
    assert fake_api.calls[-1].error is not None


async def test_edits_must_change_something_and_target_a_real_message(
    fake_api: FakeBotApi,
) -> None:
    fake_api.user(1001)
    async with raw_bot(fake_api) as bot:
        sent = await bot.send_message(1001, "Pick one:", reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("Pick one:", 1001, sent.message_id, reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("Other", 1001, sent.message_id + 5)
        await bot.edit_message_text("Picked", 1001, sent.message_id)
    [message] = fake_api.messages(1001)
    assert (message.text, message.buttons, message.edited) == ("Picked", [], True)


async def test_a_callback_query_is_answered_once_and_in_time(fake_api: FakeBotApi) -> None:
    user = fake_api.user(1001)
    async with raw_bot(fake_api) as bot:
        await bot.send_message(1001, "Pick one:", reply_markup=KEYBOARD)
        _, query_id = user.queue_press("Headphones")
        assert await bot.answer_callback_query(query_id, "Noted")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)

        fake_api.callback_answer_timeout = 0.0
        _, late_id = user.queue_press("IEMs")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(late_id)


async def test_injected_faults_and_a_block_map_to_ptb_errors(fake_api: FakeBotApi) -> None:
    user = fake_api.user(1001)
    fake_api.fail_next("sendMessage", status=429, retry_after=7)
    async with raw_bot(fake_api, read_timeout=0.3) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1001, "hi")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
        assert fake_api.calls[-1].injected

        fake_api.delay_next("sendMessage", 2.0)
        mark = len(fake_api.calls)
        with pytest.raises(TimedOut):
            await bot.send_message(1001, "slow")
        abandoned = await fake_api.wait_for(lambda call: True, since=mark, timeout=2.0)
        assert abandoned.error == "cancelled: the client hung up"

        user.block()
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(1001, "hi")
    assert fake_api.messages(1001) == []


async def test_send_limits_allow_a_short_burst_per_private_chat(limited_api: FakeBotApi) -> None:
    limited_api.user(1001)
    async with raw_bot(limited_api) as bot:
        for number in range(3):
            await bot.send_message(1001, f"burst {number}")
        with pytest.raises(RetryAfter):
            await bot.send_message(1001, "one too many")
    assert [m.text for m in limited_api.messages(1001)] == ["burst 0", "burst 1", "burst 2"]


async def test_edits_count_against_the_send_limits_and_a_429_says_when_to_retry(
    limited_api: FakeBotApi,
) -> None:
    limited_api.user(1001)
    async with raw_bot(limited_api) as bot:
        sent = await bot.send_message(1001, "question")
        for number in range(2):
            await bot.edit_message_text(f"edit {number}", 1001, sent.message_id)
        with pytest.raises(RetryAfter) as refused:
            await bot.edit_message_text("one too many", 1001, sent.message_id)
    assert refused.value.retry_after == dtm.timedelta(seconds=1)
    assert [m.text for m in limited_api.messages(1001)] == ["edit 1"]


async def test_a_round_trip_delays_each_call_both_ways() -> None:
    async with FakeBotApi(round_trip=0.2, jitter=0.02) as api, raw_bot(api) as bot:
        api.user(1001)
        began = asyncio.get_running_loop().time()
        await bot.send_message(1001, "hi")
        took = asyncio.get_running_loop().time() - began
        [call] = [call for call in api.calls if call.method == "sendMessage"]
    # Half the trip (less the jitter) before it takes effect, all of it before the answer.
    assert call.at - began >= 0.08 - 0.001
    assert took >= 0.16 - 0.001
    with pytest.raises(ValueError, match="jitter within half"):
        FakeBotApi(round_trip=0.02, jitter=0.02)


@contextlib.asynccontextmanager
async def webhook_server(
    receive: Callable[[web.Request], Awaitable[web.Response]],
) -> AsyncIterator[str]:
    """Serve `receive` on 127.0.0.1 as the bot's webhook; yield its URL."""
    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def test_webhook_mode_posts_updates_with_the_secret(fake_api: FakeBotApi) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
    answers = iter([500, 200])

    async def receive(request: web.Request) -> web.Response:
        await received.put((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                            await request.json()))
        return web.Response(status=next(answers, 200))

    fake_api.webhook_retry_delay = 0.01
    async with webhook_server(receive) as url, raw_bot(fake_api) as bot:
        assert await bot.set_webhook(url, secret_token="s3cret")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        update_id = fake_api.user(1001).queue_text("/start")
        first = await asyncio.wait_for(received.get(), 5)
        second = await asyncio.wait_for(received.get(), 5)
        info = await bot.get_webhook_info()
    assert first == second
    assert first[0] == "s3cret"
    assert first[1]["message"]["text"] == "/start"
    assert fake_api.webhook_responses == [(update_id, 500), (update_id, 200)]
    assert (info.url, info.pending_update_count) == (url, 0)


async def test_a_webhook_post_flies_half_the_round_trip_each_way() -> None:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[float] = loop.create_future()

    async def receive(request: web.Request) -> web.Response:
        arrived.set_result(loop.time())
        return web.Response()

    async with (FakeBotApi(round_trip=0.2, jitter=0.02) as api,
                webhook_server(receive) as url, raw_bot(api) as bot):
        await bot.set_webhook(url)
        pushed = loop.time()
        update_id = api.user(1001).queue_text("/start")
        reached = await asyncio.wait_for(arrived, 5)
        await api.wait_fetched(update_id)  # the bot's 200 is back at "Telegram"
        confirmed = loop.time()
        assert api.pending_updates() == 0
    # As a call's: half the trip (less the jitter) to the bot, the other half back.
    assert reached - pushed >= 0.08 - 0.001
    assert confirmed - pushed >= 0.16 - 0.001


async def test_a_webhook_posts_chats_at_once_but_each_chat_in_order(
    fake_api: FakeBotApi,
) -> None:
    arrivals: list[tuple[int, str]] = []
    second_chat_in, release = asyncio.Event(), asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        message = (await request.json())["message"]
        arrivals.append((message["chat"]["id"], message["text"]))
        if message["chat"]["id"] == 1002:
            second_chat_in.set()
        elif message["text"] == "first":
            await release.wait()  # the bot is slow with this one
        return web.Response()

    async with webhook_server(receive) as url, raw_bot(fake_api) as bot:
        await bot.set_webhook(url)
        ann, bob = fake_api.user(1001), fake_api.user(1002, "Bob")
        ann.queue_text("first")
        last = ann.queue_text("second")
        bob.queue_text("/start")
        await asyncio.wait_for(second_chat_in.wait(), 5)
        waiting = list(arrivals)
        release.set()
        await fake_api.wait_fetched(last)
    assert waiting == [(1001, "first"), (1002, "/start")]  # Ann's second waits for her first
    assert arrivals[-1] == (1001, "second")


async def test_the_standalone_process_prints_ready_and_serves() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "testing.fakebot", "--port", "0", "--token", "42:XYZ",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        assert line.startswith("READY http://127.0.0.1:")
        base_url = line.split()[1]
        async with Bot("42:XYZ", base_url=base_url) as bot, aiohttp.ClientSession() as http:
            assert bot.id == 42
            control = base_url.removesuffix("/bot") + "/_control"
            async with http.post(f"{control}/send", json={"chat_id": 7, "text": "hi"}) as sent:
                queued = await sent.json()
            [update] = await bot.get_updates()
            async with http.post(f"{control}/wait", json={
                "method": "getUpdates", "since": queued["since"], "timeout": 5,
            }) as waited:
                call = (await waited.json())["call"]
    finally:
        process.terminate()
        await process.wait()
    assert update.message is not None
    assert (update.update_id, update.message.text) == (queued["update_id"], "hi")
    assert call["result"][0]["update_id"] == queued["update_id"]
    assert process.returncode == 0


async def test_the_bots_profile_is_kept_per_language_and_held_to_telegrams_limits(
    fake_api: FakeBotApi,
) -> None:
    async with raw_bot(fake_api) as bot:
        await bot.set_my_commands([("start", "Начать заново")], language_code="ru")
        await bot.set_my_commands([("start", "Begin again")])
        await bot.set_my_description("Ёмко и по делу.", language_code="ru")
        await bot.set_my_short_description("Corto.", language_code="es")
        refused = [
            bot.set_my_commands([("start", "x" * 257)]),
            bot.set_my_commands([("Start", "Begin")]),
            bot.set_my_commands([("start", "Begin")], language_code="rus"),
            bot.set_my_description("x" * 513),
            bot.set_my_short_description("x" * 121, language_code="es"),
        ]
        for call in refused:
            with pytest.raises(BadRequest):
                await call
    assert fake_api.commands("ru") == [{"command": "start", "description": "Начать заново"}]
    assert fake_api.commands() == [{"command": "start", "description": "Begin again"}]
    assert fake_api.description("ru") == "Ёмко и по делу."
    assert fake_api.description("es", short=True) == "Corto."
    assert fake_api.description() == ""


async def test_entities_are_checked_against_the_text_in_utf16_code_units(
    fake_api: FakeBotApi,
) -> None:
    fake_api.user(1201, "Ann")
    text = "🎧 Pick: IEMs"  # the emoji takes two UTF-16 code units: "Pick" starts at 3
    async with raw_bot(fake_api) as bot:
        sent = await bot.send_message(1201, text, entities=[
            MessageEntity("bold", 3, 4), MessageEntity("expandable_blockquote", 9, 4)])
        assert [(e.type, e.offset, e.length) for e in sent.entities] == [
            ("bold", 3, 4), ("expandable_blockquote", 9, 4)]
        assert fake_api.messages(1201)[-1].formatted("bold") == ["Pick"]
        refused = {
            "past the end": [MessageEntity("bold", 9, 5)],
            "counted in Python characters, splitting the emoji": [MessageEntity("bold", 1, 3)],
            "of no known type": [MessageEntity("shouting", 0, 2)],
            "empty": [MessageEntity("bold", 3, 0)],
            "a text link without its url": [MessageEntity("text_link", 3, 4)],
        }
        for entities in refused.values():
            with pytest.raises(BadRequest, match="parse entities"):
                await bot.send_message(1201, text, entities=entities)
        with pytest.raises(BadRequest, match="parse_mode and entities"):
            await bot.send_message(1201, text, parse_mode=ParseMode.HTML,
                                   entities=[MessageEntity("bold", 3, 4)])
    assert len(fake_api.messages(1201)) == 1


async def test_link_buttons_must_carry_a_url_telegram_opens(fake_api: FakeBotApi) -> None:
    fake_api.user(1202, "Ann")
    async with raw_bot(fake_api) as bot:
        share = "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fbot&text=My%20pick"
        await bot.send_message(1202, "Share?", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Share", url=share)]]))
        assert fake_api.messages(1202)[-1].button("Share").url == share
        for url in ("javascript:alert(1)", "https://", "t.me/share", "https://t.me/a b"):
            with pytest.raises(BadRequest, match="Button_url_invalid"):  # PTB recases it
                await bot.send_message(1202, "Share?", reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("Share", url=url)]]))
    assert len(fake_api.messages(1202)) == 1
