"""A question that takes several answers, over the fake Bot API: the comfort question checked
and unchecked by buttons, answered by typing, gone back over, and named in the result."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.ops import export
from bot.storage.reports.finished import finished_sessions
from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot

COMFORT = "Is there anything that affects your comfort?"
BOTH = ("you wear glasses, and ear cups press on their arms and closed cups make your ears "
        "hot")
AFTER_COMFORT = ("Some: office chatter, a café", "Yes, people sit close", "Not sure",
                 "Mid ($50–150)", "No", "Yes", "No")


async def test_checked_by_buttons_typed_gone_back_over_and_both_named_in_the_result(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(chat_id=8001)
        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await user.press("Under an hour", expect="editMessageText")
        asking = user.keyboard_message
        assert asking.text.endswith(COMFORT)
        assert "Several answers may apply: check each, then press Done." in asking.text
        text_before = asking.text

        # "Done" with nothing checked says what to do, on the button only.
        await user.press("Done ▶", expect="answer")
        assert user.last_answer is not None
        assert user.last_answer.get("text") == "Pick at least 1, then press Done."

        # Each press checks or unchecks in place: the keyboard changes, the text and the
        # database do not.
        await user.press("I wear glasses", expect="editMessageReplyMarkup")
        await user.press("In-ear tips bother me", expect="editMessageReplyMarkup")
        assert asking.labels[:4] == ["✅ I wear glasses", "✅ In-ear tips bother me",
                                     "My ears get hot", "Nothing in particular"]
        await user.press("✅ In-ear tips bother me", expect="editMessageReplyMarkup")
        assert asking.labels[:3] == ["✅ I wear glasses", "In-ear tips bother me",
                                     "My ears get hot"]
        assert asking.text == text_before
        assert bot.answers(8001) == [("use", "commute"), ("hours", "short")]

        # Typing names two options: both are taken, and the question's buttons go.
        await user.send("I wear glasses and my ears get hot", expect="editMessageText")
        assert bot.answers(8001)[-1] == ("comfort", "glasses+heat")
        assert user.last_text.endswith("How much outside noise do you need to shut out?")
        assert asking.text == f"{COMFORT}\n\n✅ I wear glasses, My ears get hot"
        assert asking.buttons == []

        # Back over it: the question again, the two options checked, nothing stored for it.
        await user.press("◀ Back", expect="editMessageText")
        again = user.keyboard_message
        assert again.text.endswith(COMFORT)
        assert again.labels[:4] == ["✅ I wear glasses", "In-ear tips bother me",
                                    "✅ My ears get hot", "Nothing in particular"]
        assert bot.answers(8001) == [("use", "commute"), ("hours", "short")]
        await user.press("Done ▶", expect="editMessageText")
        assert bot.answers(8001)[-1] == ("comfort", "glasses+heat")
        assert "✅ I wear glasses, My ears get hot" in again.text

        for label in AFTER_COMFORT:
            await user.press(label, expect="reply")
        result = user.last_message
        assert result.text.startswith("My pick for you: Wireless in-ear monitors")
        assert BOTH in result.text

        # What is stored names both, as one answer: /mydata, and the export after.
        await user.send("/mydata")
        assert f"{COMFORT} → I wear glasses, My ears get hot" in user.last_text
    sessions = finished_sessions(tmp_path / "bot.db", bot.dialogue.id, None)
    out = io.StringIO()
    export.write_csv(sessions, bot.dialogue, out, None)
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["comfort"] == "glasses+heat"
