"""Privacy and operator commands through the real bot: /mydata, /forget, /stats, /reload."""

from __future__ import annotations

from pathlib import Path

from bot.config import DEFAULT_DIALOGUE
from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot

ADMIN = 7001


async def test_mydata_shows_what_is_stored_and_forget_deletes_it_after_confirmation(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=3001)
        other = fake_api.user(chat_id=3002)
        await user.send("/mydata")
        assert user.last_text == "I don't keep anything about this chat. Send /start to begin."

        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await other.send("/start")
        await user.send("/mydata")
        shown = user.last_text
        assert shown.startswith("Here's everything I keep about this chat (id 3001):")
        assert "• Where or how will you listen most? → Commute & travel (" in shown
        # Where it stands, in the dialogue's words rather than its ids.
        assert "open at “How long do you usually listen in one go?”" in shown
        assert "'hours'" not in shown

        await user.send("/forget")
        assert "deletes every answer and recommendation" in user.last_text
        assert user.last_buttons == ["Yes, delete it all", "No, keep it"]
        await user.press("No, keep it", expect="editMessageText")
        assert user.last_text == "Nothing was deleted. Carry on where you were, or send /help."
        assert bot.answers(3001) == [("use", "commute")]

        await user.send("/forget")
        await user.press("Yes, delete it all", expect="editMessageText")
        assert user.last_text == (
            "Done. Everything I kept about this chat is deleted. Send /start to begin again.")
        for table in ("chats", "sessions"):
            assert bot.rows(f"SELECT count(*) FROM {table} WHERE chat_id = 3001") == [(0,)]
        assert bot.rows("SELECT count(*) FROM answers") == [(0,)]
        # Nothing of anyone else went with it.
        assert bot.rows("SELECT count(*) FROM sessions WHERE chat_id = 3002") == [(1,)]

        await user.send("/mydata")
        assert user.last_text == "I don't keep anything about this chat. Send /start to begin."


async def test_stats_and_reload_answer_admins_only(fake_api: FakeBotApi, tmp_path: Path) -> None:
    edited = tmp_path / "dialogue.yaml"
    original = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    edited.write_text(original, encoding="utf-8")
    async with running_bot(
        fake_api, tmp_path / "bot.db", dialogue_path=edited, admin_chat_ids=frozenset({ADMIN})
    ):
        admin = fake_api.user(chat_id=ADMIN)
        someone = fake_api.user(chat_id=3003)
        await someone.send("/start")

        await someone.send("/stats")
        assert "don't know that command" in someone.last_text
        await someone.send("/reload")
        assert "don't know that command" in someone.last_text

        await admin.send("/stats")
        assert "started" in admin.last_text.lower()

        edited.write_text(original.replace("questions:\n", "questions:\n  broken: {}\n", 1),
                          encoding="utf-8")
        await admin.send("/reload")
        assert admin.last_text.startswith("The new dialogue has problems, so the old one stays:")
        assert f"{edited}:" in admin.last_text
        await someone.press("Workouts", expect="editMessageText")
        assert "Question 2 of " in someone.keyboard_message.text

        edited.write_text(original.replace("Hi! 🎧", "Hello again! 🎧", 1), encoding="utf-8")
        await admin.send("/reload")
        assert admin.last_text.startswith("Dialogue reloaded: headphones_vs_iems v")
        await someone.send("/start")
        assert someone.last_text.startswith("Hello again! 🎧")
