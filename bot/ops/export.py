"""Finished sessions as CSV or JSON Lines, optionally with chat ids replaced by pseudonyms.

A session whose answers were changed after the fact is one record: its latest finished
version (numbered by its first version's id), with the versions it replaced under `earlier`.

A pseudonym is HMAC-SHA256(key, chat id) cut to 16 hex characters (64 bits). Chat ids are few
enough to try them all, so a plain hash would be reversible; with a secret key it is not, yet
the same chat gets the same pseudonym in every export made with that key. The key is 32 random
bytes in `<database>.export-key` (mode 0600), made at the first anonymized export. Anyone who
can read that folder can read the chat ids in the database anyway; deleting the key gives every
chat a new pseudonym from the next export on.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.engine.model import Answer, Dialogue
from bot.errors import StorageError
from bot.storage.reports.finished import FinishedSession

KEY_BYTES = 32
PSEUDONYM_CHARS = 16
FIXED_COLUMNS = (
    "session_id", "dialogue_id", "dialogue_version", "language", "started_at", "finished_at",
    "outcome", "outcome_title",
)


# Pseudonyms ----------------------------------------------------------------------------------


def key_path(db_path: Path) -> Path:
    """Return where the pseudonym key of this database is kept."""
    return db_path.with_name(db_path.name + ".export-key")


def export_key(db_path: Path) -> bytes:
    """Return the database's pseudonym key, making it (mode 0600) the first time."""
    path = key_path(db_path)
    try:
        # O_EXCL: two exports started together cannot both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < 16:
            raise StorageError(
                f"the pseudonym key {path} is damaged ({len(key)} bytes); delete it to make a "
                "new one (every chat then gets a new pseudonym)"
            ) from None
        return key
    except OSError as error:
        raise StorageError(f"cannot create the pseudonym key {path}: {error.strerror}") from None
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as file:
        file.write(key)
    return key


def pseudonym(chat_id: int, key: bytes) -> str:
    """Return the chat's stable pseudonym under `key`."""
    digest = hmac.new(key, str(chat_id).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_CHARS]


# Records and writers -------------------------------------------------------------------------


def record(session: FinishedSession, dialogue: Dialogue, key: bytes | None) -> dict[str, object]:
    """Return the session as one export record; `key` given, the chat is a pseudonym."""
    chat: dict[str, object] = (
        {"chat_id": session.chat_id}
        if key is None
        else {"chat_pseudonym": pseudonym(session.chat_id, key)}
    )
    outcome = dialogue.outcomes.get(session.outcome or "")
    return chat | {
        "session_id": session.session_id,
        "dialogue_id": session.dialogue_id,
        "dialogue_version": session.dialogue_version,
        "language": session.language or dialogue.language,
        "started_at": iso_utc(session.started_at),
        "finished_at": iso_utc(session.finished_at),
        "outcome": session.outcome,
        "outcome_title": outcome.title if outcome else None,
        "answers": _answers(session.answers),
        "earlier": [
            {"session_id": version.session_id, "finished_at": iso_utc(version.finished_at),
             "outcome": version.outcome, "answers": _answers(version.answers)}
            for version in session.earlier
        ],
    }


def _answers(answers: tuple[Answer, ...]) -> list[dict[str, object]]:
    return [{"question": a.question, "option": a.option, "at": iso_utc(a.at)} for a in answers]


def iso_utc(timestamp: float) -> str:
    """Return a UNIX time as ISO 8601 in UTC, to the second: 2024-05-01T12:00:00Z."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")[:-6] + "Z"


def write_jsonl(
    sessions: Iterable[FinishedSession], dialogue: Dialogue, out: TextIO, key: bytes | None
) -> int:
    """Write one JSON object a line; return how many."""
    count = 0
    for session in sessions:
        out.write(json.dumps(record(session, dialogue, key), ensure_ascii=False) + "\n")
        count += 1
    return count


def question_columns(dialogue: Dialogue) -> dict[str, str]:
    """Return question id -> CSV column; an id that is also a fixed column gets `_answer`."""
    taken = {*FIXED_COLUMNS, "chat_id", "chat_pseudonym", "answers", "earlier"}
    return {q: f"{q}_answer" if q in taken else q for q in dialogue.questions}


def write_csv(
    sessions: Iterable[FinishedSession], dialogue: Dialogue, out: TextIO, key: bytes | None
) -> int:
    """Write a header and one row a session: a column per question, and all answers as JSON."""
    columns = question_columns(dialogue)
    chat_column = "chat_id" if key is None else "chat_pseudonym"
    writer = csv.DictWriter(
        out, [chat_column, *FIXED_COLUMNS, *columns.values(), "answers", "earlier"],
        lineterminator="\n",
    )
    writer.writeheader()
    count = 0
    for row in _csv_rows(sessions, dialogue, key, columns):
        writer.writerow(row)
        count += 1
    return count


def _csv_rows(
    sessions: Iterable[FinishedSession],
    dialogue: Dialogue,
    key: bytes | None,
    columns: dict[str, str],
) -> Iterator[dict[str, object]]:
    for session in sessions:
        row = record(session, dialogue, key)
        answers, earlier = row.pop("answers"), row.pop("earlier")
        chosen = {a.question: a.option for a in session.answers}
        row |= {column: chosen.get(q, "") for q, column in columns.items()}
        row["answers"] = json.dumps(answers, ensure_ascii=False)
        row["earlier"] = json.dumps(earlier, ensure_ascii=False)
        yield row
