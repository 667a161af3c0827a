"""Never ignored, never stuck: an update PTB cannot read, and the bot as its own process."""

from __future__ import annotations

from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.production.harness import bot_process


async def test_an_update_ptb_cannot_read_is_logged_once_and_skipped_for_everyone_else(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    ann, bob = fake_api.user(chat_id=4101), fake_api.user(chat_id=4102)
    async with bot_process(fake_api, tmp_path, tmp_path / "bot.db") as bot:
        await fake_api.wait_for(lambda call: call.method == "deleteWebhook", timeout=30)
        # A field of the wrong type, as a Bot API server newer than PTB could send.
        poison = fake_api.push_update({"message": {
            "message_id": 1, "date": "yesterday", "text": "/start",
            "chat": {"id": 4103, "type": "private", "first_name": "Cy"}}})
        await ann.send("/start")
        await ann.press("Workouts", expect="editMessageText")
        assert "Question 2 of " in ann.last_text
        await bob.send("/start")
        assert "Question 1 of " in bob.last_text
        await fake_api.wait_for(lambda call: call.method == "getUpdates"
                                and int(call.params.get("offset", 0)) > poison, timeout=30)
        assert await bot.stop() == 0
    log = bot.log
    assert log.count(f"update {poison} cannot be read") == 1, log
    assert "Error while parsing updates" not in log
    assert "Traceback" in log  # the reason, for whoever reads the log
