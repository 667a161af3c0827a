"""`python -m bot export`: finished sessions as CSV or JSON Lines, chat ids optionally hidden."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from pathlib import Path

import pytest

from bot.engine.model import Dialogue, Option, Question
from bot.errors import StorageError
from bot.ops import export
from bot.ops.export import iso_utc
from bot.storage.reports.finished import finished_sessions
from tests.ops.conftest import Usage, run_cli
from tests.ops.usage import COMMUTER, DAY, GYM, HOME

WEEK = 7 * DAY
QUESTIONS = ["use", "work", "hours", "comfort", "isolation", "leak", "sound", "budget", "anc",
             "wireless", "mic"]


def csv_rows(usage: Usage, dialogue: Dialogue, key: bytes | None = None,
             since: float | None = None) -> list[dict[str, str]]:
    out = io.StringIO()
    sessions = finished_sessions(usage.path, dialogue.id, since)
    assert export.write_csv(sessions, dialogue, out, key) == len(sessions)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_csv_has_a_row_per_finished_session_with_a_column_per_question(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    rows = csv_rows(usage_db, dialogue)
    assert list(rows[0]) == [
        "chat_id", "session_id", "dialogue_id", "dialogue_version", "language", "started_at",
        "finished_at", "outcome", "outcome_title", *QUESTIONS, "answers", "earlier",
    ]
    # Oldest finish first: chat 6 (20 days ago), 1, 2 and 3's second session.
    assert [row["chat_id"] for row in rows] == ["6", "1", "2", "3"]
    commuter = rows[1]
    started = usage_db.now - 2 * DAY
    assert {k: commuter[k] for k in ("dialogue_id", "dialogue_version", "started_at",
                                     "finished_at", "outcome", "outcome_title")} == {
        "dialogue_id": "headphones_vs_iems",
        "dialogue_version": "1",
        "started_at": iso_utc(started),
        "finished_at": iso_utc(started + 200),
        "outcome": "iem_wireless",
        "outcome_title": "Wireless in-ear monitors (true wireless earbuds)",
    }
    assert {q: commuter[q] for q in QUESTIONS} == {"work": ""} | COMMUTER
    answers = json.loads(commuter["answers"])
    assert [(a["question"], a["option"]) for a in answers] == list(COMMUTER.items())
    assert answers[0]["at"] == iso_utc(started + 20)
    gym = rows[3]
    assert {q: gym[q] for q in QUESTIONS if gym[q]} == GYM
    assert (gym["leak"], gym["sound"]) == ("", "")  # skipped for a workout


def test_times_are_iso_8601_in_utc() -> None:
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
    assert iso_utc(1_700_000_000.7) == "2023-11-14T22:13:20Z"


def test_jsonl_keeps_the_answers_in_order_and_since_counts_finishing_time(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    out = io.StringIO()
    sessions = finished_sessions(usage_db.path, dialogue.id, usage_db.now - WEEK)
    assert export.write_jsonl(sessions, dialogue, out, None) == 3
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["chat_id"] for r in records] == [1, 2, 3]
    home = records[1]
    assert list(home) == [
        "chat_id", "session_id", "dialogue_id", "dialogue_version", "language", "started_at",
        "finished_at", "outcome", "outcome_title", "answers", "earlier",
    ]
    assert home["language"] == "ru"  # chat 2 answered in Russian
    assert home["outcome"] == "open_back"
    assert [(a["question"], a["option"]) for a in home["answers"]] == list(HOME.items())
    assert home["answers"][-1]["at"] == home["finished_at"]


def test_since_keeps_a_session_that_began_before_it_and_finished_after(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    commuter_started = usage_db.now - 2 * DAY  # finished 200 s later
    sessions = finished_sessions(usage_db.path, dialogue.id, commuter_started + 100)
    assert [s.chat_id for s in sessions] == [1, 2, 3]
    sessions = finished_sessions(usage_db.path, dialogue.id, commuter_started + 201)
    assert [s.chat_id for s in sessions] == [2, 3]


def test_anonymized_exports_use_stable_keyed_pseudonyms(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    key_file = usage_db.path.with_name("advisor.db.export-key")
    assert not key_file.exists()
    key = export.export_key(usage_db.path)
    assert key_file.read_bytes() == key
    assert len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert export.export_key(usage_db.path) == key  # made once, then reused

    first = csv_rows(usage_db, dialogue, key)
    again = csv_rows(usage_db, dialogue, export.export_key(usage_db.path))
    assert "chat_id" not in first[0]
    names = [row["chat_pseudonym"] for row in first]
    assert names == [row["chat_pseudonym"] for row in again]
    assert len(set(names)) == 4
    for chat, name in zip((6, 1, 2, 3), names, strict=True):
        assert len(name) == 16
        assert int(name, 16) >= 0  # hex
        assert name != str(chat)
        # Without the key it cannot be recomputed from a guessed chat id.
        assert name != hashlib.sha256(str(chat).encode()).hexdigest()[:16]
        assert name == export.pseudonym(chat, key)
        assert name != export.pseudonym(chat, b"another key of thirty-two bytes!")

    key_file.unlink()
    fresh = csv_rows(usage_db, dialogue, export.export_key(usage_db.path))
    assert not {row["chat_pseudonym"] for row in fresh} & set(names)


def test_a_damaged_key_is_refused(usage_db: Usage) -> None:
    usage_db.path.with_name("advisor.db.export-key").write_bytes(b"short")
    with pytest.raises(StorageError, match=r"advisor.db.export-key is damaged \(5 bytes\)"):
        export.export_key(usage_db.path)


def test_a_question_named_like_a_fixed_column_gets_its_own_name() -> None:
    options = (Option("a", "A"), Option("b", "B"))
    questions = {q: Question(q, "?", options) for q in ("answers", "outcome_title", "plain")}
    dialogue = Dialogue("d", "1", "D", "answers", questions, {})
    assert export.question_columns(dialogue) == {
        "answers": "answers_answer", "outcome_title": "outcome_title_answer", "plain": "plain"
    }


def test_the_cli_exports_to_a_file_and_stdout(usage_db: Usage, tmp_path: Path) -> None:
    out = tmp_path / "week.jsonl"
    done = run_cli("export", "--format", "jsonl", "--since", "1w", "--anonymize", "-o", str(out),
                   db=usage_db.path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "exported 3 finished sessions\n"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    key = usage_db.path.with_name("advisor.db.export-key").read_bytes()
    assert [r["chat_pseudonym"] for r in records] == [export.pseudonym(c, key) for c in (1, 2, 3)]

    done = run_cli("export", db=usage_db.path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("chat_id,session_id,dialogue_id,")
    assert len(done.stdout.splitlines()) == 5


def test_the_cli_explains_a_missing_database(tmp_path: Path) -> None:
    done = run_cli("export", "--anonymize", db=tmp_path / "none.db")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: no database at {tmp_path / 'none.db'}: ")
    assert list(tmp_path.iterdir()) == []  # no key is made for a database that is not there
