"""Never ignored, never stuck, never a wrong answer after a crash or a restore: the bot as its
own process, killed or restored at the moment that matters."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from testing.fakebot.server import FakeBotApi
from tests.botprocess import environment, run_bot_command
from tests.dbfile import read_rows
from tests.production.harness import bot_process
from tests.reliability.people import Plan, is_result, sent_texts


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
        assert fake_api.confirmed_offset > poison  # the offset moved past it
        assert await bot.stop() == 0
    log = bot.log
    assert log.count(f"update {poison} cannot be read") == 1, log
    assert "Error while parsing updates" not in log
    assert "Traceback" in log  # the reason, for whoever reads the log


async def until_polling(api: FakeBotApi, mark: int) -> None:
    """Wait until a bot process started after call `mark` polls."""
    await api.wait_for(lambda call: call.method == "deleteWebhook", since=mark, timeout=30)


async def test_a_typed_answer_sent_again_after_a_crash_never_answers_an_unseen_question(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db, user = tmp_path / "bot.db", fake_api.user(chat_id=4201)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off") as bot:
        await until_polling(fake_api, 0)
        await user.send("/start")
        fake_api.delay_next("sendMessage", 60)  # question 2 never reaches the person
        user.queue_text("1")
        await fake_api.wait_held("sendMessage")  # stored, and its reply on the way
        await bot.stop(signal.SIGKILL)
    fake_api.clear_delays()
    assert read_rows(db, "SELECT option_id FROM answers") == [("home",)]

    mark = len(fake_api.calls)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off"):
        await until_polling(fake_api, mark)
        # Seeing no reply, they type their answer again: it must not answer question 2.
        await user.send("1")
        assert "Question 2 of " in user.last_text
        assert read_rows(db, "SELECT option_id FROM answers") == [("home",)]
        await user.send("3+ hours, most days")
        assert "Question 3 of " in user.last_text
    assert read_rows(db, "SELECT question_id, option_id FROM answers ORDER BY position") == [
        ("use", "home"), ("hours", "long")]


async def test_a_result_lost_in_a_crash_comes_with_the_next_press_once(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    db, user = tmp_path / "bot.db", fake_api.user(chat_id=4202)
    plan = Plan({**dict.fromkeys(dialogue.questions, "unsure"), "use": "gym",
                 "comfort": "none", "isolation": "none", "anc": "any", "wireless": "any",
                 "mic": "any", "hours": "unsure", "budget": "unsure"})
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off") as bot:
        await until_polling(fake_api, 0)
        await user.send("/start")
        while len(user.last_buttons) and not user.last_text.endswith(
                dialogue.questions["mic"].text):
            await user.press(plan.label_for(dialogue, user.keyboard_message.text),
                             expect="editMessageText")
        last_question = user.keyboard_message
        # What a press on "Don't mind" sends, kept for a second tap that races the edit.
        tap = (last_question.button("Don't mind").callback_data or "",
               fake_api.message_payload(last_question))
        fake_api.delay_next("sendMessage", 60)  # the result never reaches the person
        user.queue_press("Don't mind", message=last_question)
        await fake_api.wait_held("sendMessage")
        await bot.stop(signal.SIGKILL)
    fake_api.clear_delays()
    assert read_rows(db, "SELECT status FROM sessions") == [("finished",)]
    assert not any(is_result(dialogue, text) for text in user.texts)

    mark = len(fake_api.calls)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off"):
        await until_polling(fake_api, mark)
        await user.press("Don't mind", message=last_question, expect="sendMessage")
        assert is_result(dialogue, user.last_text)
        results = len([t for t in sent_texts(user) if is_result(dialogue, t)])
        _, query_id = user.queue_callback(*tap)
        answer = await fake_api.wait_for(lambda call: call.method == "answerCallbackQuery"
                                         and call.params.get("callback_query_id") == query_id)
        assert answer.params.get("text") == dialogue.texts.finished
    assert len([t for t in sent_texts(user) if is_result(dialogue, t)]) == results == 1


async def test_after_a_restore_buttons_and_text_from_later_show_where_the_chat_stands(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    db, backup = tmp_path / "bot.db", tmp_path / "backup.db"
    presser, typist = fake_api.user(chat_id=4203), fake_api.user(chat_id=4204)
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off") as bot:
        await until_polling(fake_api, 0)
        for user in (presser, typist):
            await user.send("/start")
            await user.press("At home", expect="editMessageText")
        code, _, err = await run_bot_command("backup", str(backup), cwd=tmp_path,
                                             env=environment(None, db))
        assert code == 0, err
        for user in (presser, typist):  # they go on after the backup
            await user.press("1 to 3 hours", expect="editMessageText")
        await user.press("Nothing in particular", expect="editMessageText")
        assert await bot.stop() == 0
    later = presser.keyboard_message  # question 3, which the backup never saw
    for leftover in (db, db.with_name("bot.db-wal"), db.with_name("bot.db-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(backup, db)  # the restore, as docs/production.md describes it

    mark = len(fake_api.calls)
    restored = dialogue.texts.restored
    async with bot_process(fake_api, tmp_path, db, FLOOD_CONTROL="off"):
        await until_polling(fake_api, mark)
        await presser.press("I wear glasses", message=later, expect="sendMessage")
        assert presser.last_text.startswith(restored)
        assert "Question 2 of " in presser.last_text
        assert presser.last_buttons  # never a dead end: the question and its buttons
        await typist.send("quiet")
        assert typist.last_text.startswith(restored)
        assert "Question 2 of " in typist.last_text
        for user in (presser, typist):  # from there on, answers count again
            await user.press("Under an hour", expect="editMessageText")
            assert "Question 3 of " in user.last_text
    for user in (presser, typist):
        assert read_rows(db, "SELECT a.question_id, a.option_id FROM answers a JOIN sessions s"
                         " ON s.id = a.session_id WHERE s.chat_id = ? ORDER BY a.position",
                         user.chat_id) == [("use", "home"), ("hours", "short")]
