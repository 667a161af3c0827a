"""The terminal chat, driven through a pipe the way a script or a new user would."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.console import locale_language
from tests.dbfile import read_rows

# Numbers of the frequent flyer's options, in the order the questions come.
FLYER = ["3", "3", "4", "1", "1", "2", "3", "2", "2", "2"]


def run_bot(
    args: list[str], lines: list[str], db: Path, locale: str = "C.UTF-8"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TELEGRAM_") and k not in ("LC_ALL", "LC_MESSAGES")}
    env.update(DATABASE_PATH=str(db), LOG_LEVEL="WARNING", LANG=locale)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_without_a_token_the_run_command_chats_in_the_terminal_to_a_result(
    tmp_path: Path,
) -> None:
    done = run_bot([], FLYER, tmp_path / "chat.db")
    assert done.returncode == 0, done.stderr
    assert "No TELEGRAM_BOT_TOKEN is set" in done.stderr
    out = done.stdout
    assert "Question 1 of " in out
    assert "  3) Commute & travel" in out
    assert "My pick for you: " in out
    assert "Why: because" in out
    assert "Before you buy:" in out
    assert "Start from your routine" not in out  # they just told us their routine
    assert "Think long term" in out
    assert "\033[" not in out  # a pipe gets plain text: bold only on a terminal
    assert "  │ Before you buy:" in out  # the details, set off as Telegram's quote is
    assert out.rstrip().endswith("Your answers are saved; run the chat again to continue.")


def test_an_answer_is_changed_from_the_result_by_number_in_three_lines(
    tmp_path: Path,
) -> None:
    # 1: "Change an answer"; 7: the budget (seventh asked); 1: "Tight (under $50)".
    done = run_bot(["chat"], [*FLYER, "1", "7", "1"], tmp_path / "change.db")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "  1) ✏️ Change an answer" in out
    assert "  7) Budget: High ($150–400)" in out
    assert "Your answer was “High ($150–400)”. Pick the new one:" in out
    assert ("Budget: High ($150–400) → Tight (under $50): now entry-level IEMs instead of "
            "multi-driver IEMs.") in out
    assert "Share" not in out  # sharing needs Telegram: no button here
    rows = read_rows(tmp_path / "change.db", "SELECT id, status, revises FROM sessions")
    assert rows == [(1, "finished", None), (2, "finished", 1)]


def test_back_restart_and_gibberish_in_the_terminal(tmp_path: Path) -> None:
    done = run_bot(["chat"], ["3", "blorp", "back", "1", "restart", "quit"], tmp_path / "c.db")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "didn't catch that" in out
    assert "  1) Under an hour" in out  # the re-prompt lists the options
    assert out.count("Question 1 of ") == 3  # start, back, restart


def test_the_terminal_chat_speaks_lang_and_the_locales_language(tmp_path: Path) -> None:
    russian = run_bot(["chat", "--lang", "ru"], ["в метро", "quit"], tmp_path / "ru.db")
    assert russian.returncode == 0, russian.stderr
    assert "Вопрос 1 из " in russian.stdout
    assert "  3) В дороге" in russian.stdout
    assert "Вопрос 2 из " in russian.stdout  # "in the metro" answered the first question
    assert russian.stdout.rstrip().endswith("запустите чат снова, чтобы продолжить.")
    spanish = run_bot(["chat"], ["quit"], tmp_path / "es.db", locale="es_MX.UTF-8")
    assert "Pregunta 1 de " in spanish.stdout
    unknown = run_bot(["chat", "--lang", "fr"], ["quit"], tmp_path / "fr.db")
    assert unknown.returncode == 2
    assert "--lang fr: the dialogue speaks en, es, ru" in unknown.stderr


def test_the_terminal_chat_continues_where_it_stopped(tmp_path: Path) -> None:
    db = tmp_path / "resume.db"
    first = run_bot(["chat"], FLYER[:3], db)
    assert first.returncode == 0, first.stderr
    assert "Question 4 of " in first.stdout
    second = run_bot(["chat"], FLYER[3:], db)
    assert second.returncode == 0, second.stderr
    assert "Welcome back: continuing where you left off." in second.stdout
    assert "Question 4 of " in second.stdout
    assert "My pick for you: " in second.stdout


def test_bytes_that_are_not_text_get_asked_again_and_the_chat_goes_on(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(DATABASE_PATH=str(tmp_path / "bytes.db"), LOG_LEVEL="WARNING",
               PYTHONIOENCODING="utf-8:strict")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input=b"3\n\xff\xfe caf\xe9\n3\n",
        capture_output=True, cwd=PROJECT_ROOT, env=env, timeout=60, check=False)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert "I couldn't read that line: it isn't text I know. Please type it again." in out
    assert out.count("Question 2 of ") == 2  # asked again after the unreadable line
    assert "Question 3 of " in out  # and the next answer was taken


def test_ctrl_c_ends_the_terminal_chat_at_once_with_answers_kept(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(DATABASE_PATH=str(tmp_path / "interrupted.db"), LOG_LEVEL="WARNING")
    keyboard, terminal = pty.openpty()  # a real terminal: a pipe would not show the hang
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"], stdin=terminal, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=PROJECT_ROOT, env=env,
        ) as chat:
            assert chat.stdout is not None
            os.write(keyboard, b"3\n")
            seen = b""
            while b"Question 2 of " not in seen:
                chunk = os.read(chat.stdout.fileno(), 4096)
                assert chunk, seen
                seen += chunk
            chat.send_signal(signal.SIGINT)  # and nobody presses Enter
            code = chat.wait(timeout=10)
    finally:
        os.close(keyboard)
        os.close(terminal)
    assert code == 130
    rows = read_rows(tmp_path / "interrupted.db", "SELECT option_id FROM answers")
    assert rows == [("commute",)]


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "ru_RU.UTF-8"}, "ru"), ({"LANG": "C"}, None), ({"LANG": "POSIX"}, None), ({}, None),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "es_ES.UTF-8"}, "es"), ({"LANG": "C.UTF-8"}, None)])
def test_the_locales_language_is_read_as_posix_does(
    environ: dict[str, str], language: str | None
) -> None:
    assert locale_language(environ) == language


def test_a_multiple_question_is_checked_by_number_and_done_or_typed_as_numbers(
    tmp_path: Path,
) -> None:
    # Commute, long hours; at comfort check 1 and 3, then "done"; back; type "2 3" instead.
    lines = ["3", "3", "1", "3", "done", "back", "2 3", "quit"]
    done = run_bot(["chat"], lines, tmp_path / "multi.db")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Several answers may apply: check each, then press Done." in out
    assert "  1) ✅ I wear glasses" in out
    assert "  3) ✅ My ears get hot" in out
    assert "  5) Done ▶" in out
    rows = read_rows(tmp_path / "multi.db",
                     "SELECT option_id FROM answers WHERE question_id = 'comfort'")
    assert rows == [("ears+heat",)]
