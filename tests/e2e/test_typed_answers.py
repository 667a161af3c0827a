"""Typing to the real bot: "Did you mean ...?" with its buttons, several answers in one message."""

from __future__ import annotations

from pathlib import Path

from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot


async def test_did_you_mean_offers_the_close_options_and_the_whole_list(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=2001)
        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await user.send("1")  # the first button, or one hour?
        asking = user.last_message
        assert asking.text == "Did you mean “Under an hour” or “1 to 3 hours”?"
        assert [[b.label for b in row] for row in asking.buttons] == [
            ["Under an hour"], ["1 to 3 hours"], ["Show all the answers"]]
        assert bot.answers(2001) == [("use", "commute")]

        await user.press("Show all the answers", message=asking, expect="sendMessage")
        assert user.last_text.endswith("How long do you usually listen in one go?")
        assert user.last_buttons == ["Under an hour", "1 to 3 hours", "3+ hours, most days",
                                     "It varies", "◀ Back"]
        assert bot.answers(2001) == [("use", "commute")]

        await user.press("1 to 3 hours", message=asking, expect="editMessageText")
        # The question asked back becomes the next one, the choice on top (compact replies).
        assert asking.text.startswith(
            "How long do you usually listen in one go?\n\n✅ 1 to 3 hours\n\nQuestion 3 of ")
        assert bot.answers(2001) == [("use", "commute"), ("hours", "mid")]
        assert asking.text.endswith("Is there anything that affects your comfort?")


async def test_a_misspelling_is_asked_back_and_one_tap_answers(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=2002)
        await user.send("/start")
        await user.send("at home")
        await user.send("2 hours")
        await user.send("glases")
        assert user.last_text == "Did you mean “I wear glasses”?"
        await user.press("I wear glasses", expect="editMessageText")
        assert bot.answers(2002) == [("use", "home"), ("hours", "mid"), ("comfort", "glasses")]


async def test_one_message_answers_several_questions_and_back_undoes_each(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=2003)
        await user.send("/start")
        await user.send("Wireless earbuds for the gym, under $50")
        assert user.last_text.startswith("Got it: workouts, under $50, wireless.\n\n")
        assert "Question 4 of 8" in user.last_text
        assert user.last_text.endswith("How long do you usually listen in one go?")
        assert bot.answers(2003) == [("use", "gym"), ("budget", "tight"), ("wireless", "yes")]

        # /back goes over each filled answer, last first, and asks it again.
        await user.send("/back")
        assert user.last_text.endswith("Do you want wireless?")
        assert bot.answers(2003) == [("use", "gym"), ("budget", "tight")]
        await user.press("No, wired", expect="editMessageText")
        # The open questions before it come first.
        assert user.last_text.endswith("How long do you usually listen in one go?")

        shown = []
        while not user.last_text.startswith("My pick for you"):
            shown.append(user.last_text.rsplit("\n", 1)[-1])
            if "Done ▶" in user.last_buttons:  # a multiple question: check one, then "Done"
                await user.press(user.last_buttons[0], expect="editMessageReplyMarkup")
                await user.press("Done ▶", expect="editMessageText")
                continue
            await user.press(user.last_buttons[0], expect="editMessageText")
        assert not any("spend" in text or "wireless" in text for text in shown)
        assert [q for q, _ in bot.answers(2003)] == [
            "use", "budget", "wireless", "hours", "comfort", "isolation", "anc", "mic"]
