"""The finished sessions `export` writes out, with their answers in the order given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.engine.model import Answer
from bot.storage.reports.readonly import connect_read_only

_FINISHED = "s.dialogue_id = :dialogue AND s.status = 'finished' AND s.finished_at >= :since"
_ANSWERS = (
    "SELECT a.session_id, a.question_id, a.option_id, a.answered_at"
    f" FROM answers AS a JOIN sessions AS s ON s.id = a.session_id WHERE {_FINISHED}"
    " ORDER BY a.session_id, a.position"
)
_SESSIONS = (
    "SELECT s.chat_id, s.id, s.dialogue_id, s.dialogue_version, s.started_at,"
    f" s.finished_at, s.outcome, s.language FROM sessions AS s WHERE {_FINISHED}"
    " ORDER BY s.finished_at, s.id"
)


@dataclass(frozen=True)
class FinishedSession:
    """One finished session as stored, with its answers in the order given."""

    chat_id: int
    session_id: int
    dialogue_id: str
    dialogue_version: str
    started_at: float
    finished_at: float
    outcome: str | None
    answers: tuple[Answer, ...]
    language: str | None = None
    """The language the session was last shown in (None: stored before languages were kept,
    so the dialogue's own)."""


def finished_sessions(
    db_path: Path, dialogue_id: str, since: float | None = None
) -> list[FinishedSession]:
    """Return the dialogue's sessions finished at or after `since` (None: ever), oldest first."""
    params = {"dialogue": dialogue_id, "since": float("-inf") if since is None else since}
    conn = connect_read_only(db_path)
    try:
        conn.execute("BEGIN")  # sessions and answers from one snapshot
        answers: dict[int, list[Answer]] = {}
        for session_id, *answer in conn.execute(_ANSWERS, params):
            answers.setdefault(session_id, []).append(Answer(*answer))
        rows = conn.execute(_SESSIONS, params).fetchall()
    finally:
        conn.close()
    return [
        FinishedSession(chat, number, dialogue, version, started, finished, outcome,
                        tuple(answers.get(number, ())), language)
        for chat, number, dialogue, version, started, finished, outcome, language in rows
    ]
