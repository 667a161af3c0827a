"""The dialogue file changes between two runs: sessions continue where they still fit, and
start again, saying why, where they do not. Never a crash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from testing.fakebot.server import BotMessage, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.reliability.harness import running_bot

NEW_ISOLATION = "How much noise around you should they keep out?"


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once (else the real dialogue changed shape)."""
    assert text.count(old) == 1, f"expected {old!r} once in the dialogue"
    return text.replace(old, new)


def version_b(folder: Path) -> Path:
    """Write the real dialogue with a question removed, one renamed, an option renamed, a
    question reworded and the version bumped."""
    text = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    text, bumped = re.subn(r"(?m)^version: .*$", "version: changed-for-test", text)
    assert bumped == 1
    # `work` goes, with the branch that led to it.
    text = replace_once(text, "    branches:\n"
                        "      # Professionals get one more question about what their work "
                        "demands.\n      - if: {use: [studio, dj, stage]}\n        next: work\n",
                        "")
    text = text[: text.index("\n  work:\n")] + text[text.index("\n  hours:\n"):]
    # `leak` is renamed `leakage`.
    text = replace_once(text, "\n  leak:\n", "\n  leakage:\n")
    text = replace_once(text, "    next: leak\n", "    next: leakage\n")
    text = replace_once(text, "{leak: yes}", "{leakage: yes}")  # in a conflict
    # The hours question's "It varies" gets another id.
    hours, comfort = text.index("\n  hours:\n"), text.index("\n  comfort:\n")
    text = text[:hours] + replace_once(text[hours:comfort], "- id: unsure", "- id: varies") + \
        text[comfort:]
    text = replace_once(text, "How much outside noise do you need to shut out?", NEW_ISOLATION)
    path = folder / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    load_dialogue(path)  # version B must itself be a valid dialogue
    return path


@dataclass
class Person:
    """Someone who answered under version A and comes back under version B."""

    user: FakeUser
    answers: tuple[str, ...]  # labels pressed under A
    next_label: str  # pressed under B, on the question left open under A
    continues: bool  # whether the session survives the change
    waiting: BotMessage | None = None


PEOPLE = {
    "answers and question still fit": (("At home", "1 to 3 hours"), "Nothing in particular",
                                       True),
    "answered an option since renamed": (("At home", "It varies"), "Nothing in particular",
                                         False),
    "at a question since removed": (("Studio work",), "Not sure", False),
    "answered a question since removed": (("DJing", "Blocking loud sound, no bleed"),
                                          "Under an hour", False),
    "at a question since renamed": (("At home", "1 to 3 hours", "Nothing in particular",
                                     "Some: office chatter, a café"), "No, I'm mostly alone",
                                    False),
}


async def test_sessions_continue_where_they_fit_and_restart_where_they_do_not(
    fake_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "bot.db"
    people = {name: Person(fake_api.user(6000 + n), *plan)
              for n, (name, plan) in enumerate(PEOPLE.items())}
    async with running_bot(fake_api, db) as bot:
        version_a = bot.dialogue.version
        for person in people.values():
            await bot.until_handled(person.user.queue_text("/start"))
            for label in person.answers:
                await bot.press(person.user, label)
            person.waiting = person.user.keyboard_message
        finished = fake_api.user(6100)
        await bot.until_handled(finished.queue_text("/start"))
        old_button: tuple[str, dict[str, object]] | None = None
        for typed in ("home", "mid", "none", "some", "no", "wide", "mid", "no", "no", "no"):
            if "Nothing in particular" in finished.last_buttons:  # kept for a press later on
                comfort = finished.keyboard_message
                old_button = (comfort.button("Nothing in particular").callback_data or "",
                              fake_api.message_payload(comfort))
            await bot.until_handled(finished.queue_text(typed))
        assert bot.rows("SELECT status FROM sessions WHERE chat_id = 6100") == [("finished",)]

    changed = load_dialogue(version_b(tmp_path)).texts.dialogue_changed
    async with running_bot(fake_api, db, dialogue_path=tmp_path / "changed.yaml") as bot:
        for name, person in people.items():
            before = len(person.answers)
            update_id, _ = person.user.queue_press(person.next_label, message=person.waiting)
            await bot.until_handled(update_id)
            sessions = bot.rows("SELECT status, dialogue_version FROM sessions WHERE chat_id = ?"
                                " ORDER BY id", person.user.chat_id)
            if person.continues:
                assert f"Question {before + 2} of " in person.user.last_text, name
                assert NEW_ISOLATION in person.user.last_text, name
                assert len(bot.answers(person.user.chat_id)) == before + 1, name
                assert sessions == [("active", bot.dialogue.version)], name
            else:
                assert changed in person.user.last_text, name
                assert "Question 1 of " in person.user.last_text, name
                assert bot.answers(person.user.chat_id) == [], name
                assert sessions == [("restarted", version_a),
                                    ("active", bot.dialogue.version)], name
                await bot.press(person.user, "At home")  # and the new session just works
                assert "Question 2 of " in person.user.last_text, name

        # A finished session keeps its advice under the new version, and its old buttons
        # only say it is finished.
        await bot.until_handled(finished.queue_text("/result"))
        assert finished.last_text.startswith("My pick for you: ")
        assert old_button is not None
        update_id, query_id = finished.queue_callback(*old_button)
        await bot.until_handled(update_id)
        [notice] = [c for c in fake_api.calls if c.method == "answerCallbackQuery"
                    and c.params.get("callback_query_id") == query_id]
        assert notice.params.get("text") == bot.dialogue.texts.finished
    assert not [r for r in caplog.records if r.levelno >= 40]
