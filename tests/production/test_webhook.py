"""`python -m bot` in webhook mode: Telegram (the fake) posts updates, with the secret, or not."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import aiohttp
import pytest

from testing.fakebot.server import FakeBotApi
from tests.dbfile import latest_answers, read_rows
from tests.production.harness import bot_process, calls_in, free_port, press

SECRET = "webhook-secret_0123456789"


async def test_telegram_posts_updates_with_the_secret_and_forged_ones_get_403(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with bot_process(
        fake_api, tmp_path, db, WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port),
        LOG_LEVEL="DEBUG",
    ) as bot:
        registered = await fake_api.wait_for(lambda call: call.method == "setWebhook", timeout=30)
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == SECRET

        ann = fake_api.user(chat_id=3001)
        ann.timeout = 30  # the first post may find the server still starting; the fake retries
        await ann.send("/start")
        assert "Question 1 of " in ann.last_text
        await press(ann, "Commute & travel")
        assert "Question 2 of " in ann.last_text
        assert latest_answers(db, 3001) == [("use", "commute")]
        assert all(status == 200 for _, status in fake_api.webhook_responses[-2:])

        # Someone who knows the URL but not the secret posts a /start for Bob's chat.
        bob = fake_api.user(chat_id=3002, first_name="Bob")
        forged = {"update_id": 999_999, "message": {
            "message_id": 1, "date": int(time.time()), "chat": bob.chat.payload(),
            "from": bob.profile, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        async with aiohttp.ClientSession() as session:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403

        # Had the forged update been taken, its id would make Bob's real /start a duplicate.
        await bob.send("/start")
        assert "Question 1 of " in bob.last_text
        assert len(calls_in(fake_api, "sendMessage", 3002)) == 1
        recorded = read_rows(db, "SELECT last_update_id FROM chats WHERE chat_id = 3002"
                             " UNION SELECT last_update_id FROM sessions WHERE chat_id = 3002")
        assert (999_999,) not in recorded
        assert read_rows(db, "SELECT count(*) FROM sessions WHERE chat_id = 3002") == [(1,)]

        assert await bot.stop() == 0
    log = bot.log
    assert f"receiving updates for @advisor_test_bot at {url}" in log
    assert "stopped cleanly" in log
    assert SECRET not in log  # DEBUG logging, and still no secret
    assert fake_api.token not in log
    assert " ERROR " not in log


async def test_a_webhook_telegram_refuses_is_one_line_and_exit_code_2(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.fail_next("setWebhook", status=400, description="Bad Request: bad webhook: "
                       "HTTPS url must be provided for webhook")
    port = free_port()
    async with bot_process(
        fake_api, tmp_path, tmp_path / "bot.db", WEBHOOK_URL=f"http://127.0.0.1:{port}/",
        WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port),
    ) as bot:
        assert await bot.process.wait() == 2
    last_line = bot.log.splitlines()[-1]
    assert last_line.startswith("error: Telegram refused the webhook http://127.0.0.1:")
    assert "https url must be provided" in last_line.lower()
    assert last_line.endswith("check WEBHOOK_URL")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"WEBHOOK_URL": "https://bot.example.com/hook"}, "WEBHOOK_SECRET is required"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": "has space"},
         "WEBHOOK_SECRET is malformed"),
    ],
)
async def test_a_webhook_without_a_proper_secret_does_not_start(
    fake_api: FakeBotApi, tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    async with bot_process(fake_api, tmp_path, tmp_path / "bot.db", **settings) as bot:
        assert await bot.process.wait() == 2
    assert message in bot.log
    assert not [call for call in fake_api.calls if call.method == "setWebhook"]


async def test_a_webhook_port_in_use_is_one_line_and_exit_code_2(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with bot_process(
            fake_api, tmp_path, tmp_path / "bot.db", WEBHOOK_URL=f"http://127.0.0.1:{port}/",
            WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port),
        ) as bot:
            assert await bot.process.wait() == 2
    assert bot.log.splitlines()[-1] == (
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use): "
        f"choose another WEBHOOK_PORT or WEBHOOK_LISTEN")
