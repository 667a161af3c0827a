"""The token never reaches a log, SQL is never built from input, dialogue YAML cannot run code
or blow up, and every message goes out as plain text."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import re
import signal
import time
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT
from bot.engine.loader import load_dialogue
from bot.errors import DialogueError
from testing.fakebot.server import Call, FakeBotApi
from tests.botprocess import environment, run_bot_command
from tests.reliability.harness import bot_process, running_bot
from tests.reliability.people import Plan, is_result, press_through

TOKEN = "5550123:AAH-s3cretTokenValue_xyz"
SECRET = TOKEN.split(":", 1)[1]
PLAN = Plan({"use": "commute", "hours": "long", "comfort": "none", "isolation": "lot",
             "leak": "yes", "sound": "detail", "budget": "high", "anc": "no",
             "wireless": "no", "mic": "no", "work": "fit"})


async def test_the_token_never_reaches_the_log_even_at_debug_through_faults(
    tmp_path: Path
) -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    log = tmp_path / "bot.log"
    # Separate replies: the faults hit the next question's sendMessage, and a mark follows.
    async with FakeBotApi(TOKEN) as api, bot_process(
        api, tmp_path / "bot.db", log, LOG_LEVEL="DEBUG", REPLY_MODE="separate"
    ) as process:
        user = api.user(8001)
        await user.send("/start")
        api.fail_next("sendMessage", status=429, retry_after=1)
        await user.press("Commute & travel", expect=delivered)
        api.fail_next("sendMessage", status=502)
        await user.press("3+ hours, most days", expect=delivered)
        # A refusal that is not retried: the error handler logs it with its traceback.
        api.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
        await user.press("Nothing in particular", expect=delivered)
        await press_through(user, dialogue, PLAN)
        assert is_result(dialogue, user.last_text)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0

    text = log.read_text()
    assert SECRET not in text, "the token leaked into the log"
    # ...though the log went through the faults, a traceback and PTB's debug output.
    for expected in ("Telegram asks to wait", "sendMessage failed", "update failed in chat 8001",
                     "Traceback", "Calling Bot API endpoint", "/bot[REDACTED]"):
        assert expected in text, expected


def delivered(call: Call) -> bool:
    """Tell a message that reached the chat from a refused attempt."""
    return call.method == "sendMessage" and call.error is None


INJECTIONS = [
    "'); DROP TABLE answers;--",
    "1; DELETE FROM sessions WHERE 1=1; --",
    "\" OR \"\"=\"",
    "x' UNION SELECT * FROM chats --",
]


async def test_input_shaped_like_sql_is_only_ever_data(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with running_bot(fake_api, tmp_path / "bot.db") as bot:
        user = fake_api.user(8002)
        tables = bot.rows("SELECT name FROM sqlite_master ORDER BY name")
        await bot.until_handled(user.queue_text("/start '); DROP TABLE sessions;--"))
        await bot.press(user, "Commute & travel")
        session = bot.rows("SELECT max(id) FROM sessions")[0][0]
        message = fake_api.message_payload(user.keyboard_message)
        for text in INJECTIONS:
            await bot.until_handled(user.queue_text(text))
            for data in (text, f"{session}:{text}", f"{session}:hours:{text}",
                         f"{session} OR 1=1:hours:long"):
                await bot.until_handled(user.queue_callback(data[:64], message)[0])
        await bot.press(user, "3+ hours, most days")

        assert bot.rows("SELECT name FROM sqlite_master ORDER BY name") == tables
        assert bot.answers(8002) == [("use", "commute"), ("hours", "long")]
        assert bot.rows("SELECT count(*) FROM sessions") == [(1,)]
        dump = "\n".join(bot.rows("SELECT group_concat(x, ' ') FROM (SELECT question_id || "
                                  "option_id AS x FROM answers)")[0][0] or "")
        assert "DROP" not in dump
        assert "SELECT" not in dump
    assert bot.rows("PRAGMA integrity_check") == [("ok",)]


# Besides module constants (UPPER_CASE), what SQL text may splice in, and why it is safe:
# none of it comes from a person.
FIXED_SPLICES = {
    "version": "a migration number from enumerate (bot/storage/schema.py)",
    "table": "a name from a fixed tuple of table names (bot/storage/reports/backup.py)",
}
CONSTANT = re.compile(r"_?[A-Z][A-Z0-9_]*")


def sql_splices(source: str) -> list[str]:
    """Return what the SQL of each execute call in `source` splices in (f-string, %, format)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"execute", "executemany", "executescript"}
                and node.args):
            continue
        sql = node.args[0]
        if isinstance(sql, ast.JoinedStr):
            found += [ast.unparse(part.value) for part in sql.values
                      if isinstance(part, ast.FormattedValue)]
        elif isinstance(sql, ast.BinOp) or (
            isinstance(sql, ast.Call) and isinstance(sql.func, ast.Attribute)
            and sql.func.attr == "format"
        ):
            found.append(ast.unparse(sql))
    return found


def test_sql_is_only_ever_built_from_fixed_text() -> None:
    assert sql_splices('c.execute(f"SELECT * FROM t WHERE id = {chat_id}")') == ["chat_id"]
    assert sql_splices('c.execute("SELECT %s" % text)') == ["'SELECT %s' % text"]
    for path in sorted((PROJECT_ROOT / "bot").rglob("*.py")):
        unexpected = [s for s in sql_splices(path.read_text(encoding="utf-8"))
                      if s not in FIXED_SPLICES and not CONSTANT.fullmatch(s)]
        assert not unexpected, f"{path}: SQL built from {unexpected}; use ? parameters"


PYTHON_TAGS = {
    "object/apply on a list": 'title: !!python/object/apply:os.system ["touch {marker}"]',
    "object on a text": "title: !!python/object:builtins.str Headphones or IEMs?",
}


def tagged(tmp_path: Path, line: str) -> tuple[Path, Path]:
    marker = tmp_path / "code-ran"
    text = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    assert text.count("title: Headphones or IEMs?\n") == 1
    path = tmp_path / "tagged.yaml"
    path.write_text(text.replace("title: Headphones or IEMs?",
                                 line.format(marker=marker)), encoding="utf-8")
    return path, marker


@pytest.mark.parametrize("line", PYTHON_TAGS.values(), ids=PYTHON_TAGS.keys())
def test_python_tags_in_a_dialogue_never_run_code(tmp_path: Path, line: str) -> None:
    path, marker = tagged(tmp_path, line)
    with contextlib.suppress(DialogueError):
        load_dialogue(path)
    assert not marker.exists()


@pytest.mark.parametrize("line", PYTHON_TAGS.values(), ids=PYTHON_TAGS.keys())
def test_python_tags_in_a_dialogue_are_refused_naming_the_tag(tmp_path: Path, line: str) -> None:
    path, _ = tagged(tmp_path, line)
    with pytest.raises(DialogueError) as refused:
        load_dialogue(path)
    [problem] = refused.value.problems
    assert "!!python" in path.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert "!!python/object" in problem.message


async def test_a_billion_laughs_is_refused_at_once_with_its_line(tmp_path: Path) -> None:
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(laughs) + "\n" + DEFAULT_DIALOGUE.read_text(encoding="utf-8"),
                    encoding="utf-8")
    started = time.monotonic()
    env = environment(None, tmp_path / "bot.db")
    code, out, err = await run_bot_command("validate", str(path), env=env, cwd=tmp_path)
    assert code == 1
    assert f"{path}:2: aliases (*a0) are not supported in dialogue files" in err
    assert "Traceback" not in err + out
    assert time.monotonic() - started < 10


MARKUP_LABEL = "<b>At home</b> *on the sofa* _&amp;_ [x](http://x)"
MARKUP_QUESTION = "Where or how will you <i>listen</i> most? <not-a-tag> & *stars*"


async def test_every_message_is_plain_text_and_markup_shows_as_typed(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    text = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    for old, new in (("label: At home\n", f"label: {MARKUP_LABEL!r}\n".replace("'", '"')),
                     ("text: Where or how will you listen most?\n",
                      f'text: "{MARKUP_QUESTION}"\n')):
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "markup.yaml"
    path.write_text(text, encoding="utf-8")

    async with running_bot(fake_api, tmp_path / "bot.db", dialogue_path=path) as bot:
        user = fake_api.user(8003)
        await bot.until_handled(user.queue_text("/start"))
        assert user.last_text.endswith(MARKUP_QUESTION)
        assert MARKUP_LABEL in user.last_buttons
        # Markup that shares no word with the (marked-up) labels, so it is not an answer.
        typed = "<b>hi</b> *bold* _it_ `code` <a href='ftp://evil'>y</a>"
        await bot.until_handled(user.queue_text(typed))
        assert "didn't catch that" in user.last_text
        assert MARKUP_LABEL in user.last_buttons  # the re-prompt's button shows it literally
        question = user.keyboard_message
        await bot.press(user, MARKUP_LABEL)
        assert question.text.startswith(f"{MARKUP_QUESTION}\n\n✅ {MARKUP_LABEL}")

    shown = [c for c in fake_api.calls if c.method in {"sendMessage", "editMessageText"}]
    assert len(shown) == 3  # the question, the re-prompt, the press's edit (compact replies)
    for call in shown:
        assert "parse_mode" not in call.params
        assert "entities" not in call.params
        assert typed not in call.params["text"]  # what people type is never echoed
    assert all(message.formatting == () for message in user.messages)
