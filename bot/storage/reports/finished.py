"""The finished sessions `export` writes out, with their answers in the order given.

A session whose answers were changed after the fact is stored in versions (bot.storage.base,
`SessionStore.revise`); it is exported once, as its latest finished version, numbered by its
first version's id, with its earlier finished versions beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bot.engine.model import Answer
from bot.storage.reports.readonly import before_versions, connect_read_only

_KEPT = (
    "WITH finished AS (SELECT id, coalesce(origin, id) AS lineage FROM sessions"
    " WHERE dialogue_id = :dialogue AND status = 'finished'),"
    " latest AS (SELECT lineage, max(id) AS id FROM finished GROUP BY lineage),"
    " kept AS (SELECT latest.lineage FROM latest JOIN sessions AS s ON s.id = latest.id"
    " WHERE s.finished_at >= :since)"
)
_ANSWERS = (
    f"{_KEPT} SELECT a.session_id, a.question_id, a.option_id, a.answered_at"
    " FROM answers AS a JOIN finished AS f ON f.id = a.session_id"
    " JOIN kept ON kept.lineage = f.lineage ORDER BY a.session_id, a.position"
)
_VERSIONS = (
    f"{_KEPT} SELECT s.chat_id, f.lineage, s.id, s.dialogue_id, s.dialogue_version,"
    " s.started_at, s.finished_at, s.outcome, s.language FROM finished AS f"
    " JOIN kept ON kept.lineage = f.lineage JOIN sessions AS s ON s.id = f.id ORDER BY s.id"
)


@dataclass(frozen=True)
class Version:
    """An earlier finished version of a session: its row, when it finished, with what."""

    session_id: int
    finished_at: float
    outcome: str | None
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class FinishedSession:
    """One finished session as stored (its latest finished version), with its answers in the
    order given; `earlier` holds the versions it replaced, oldest first."""

    chat_id: int
    session_id: int
    dialogue_id: str
    dialogue_version: str
    started_at: float
    finished_at: float
    outcome: str | None
    answers: tuple[Answer, ...]
    earlier: tuple[Version, ...] = ()
    language: str | None = None
    """The language the session was last shown in (None: stored before languages were kept,
    so the dialogue's own)."""


def finished_sessions(
    db_path: Path, dialogue_id: str, since: float | None = None
) -> list[FinishedSession]:
    """Return the dialogue's sessions finished at or after `since` (None: ever), oldest first
    (by when their latest version finished)."""
    params = {"dialogue": dialogue_id, "since": float("-inf") if since is None else since}
    conn = connect_read_only(db_path)
    try:
        conn.execute("BEGIN")  # sessions and answers from one snapshot
        answers: dict[int, list[Answer]] = {}
        for session_id, *answer in conn.execute(before_versions(conn, _ANSWERS), params):
            answers.setdefault(session_id, []).append(Answer(*answer))
        rows = conn.execute(before_versions(conn, _VERSIONS), params).fetchall()
    finally:
        conn.close()
    lineages: dict[int, list[_Row]] = {}
    for row in map(_Row._make, rows):
        lineages.setdefault(row.lineage, []).append(row)
    sessions = []
    for *earlier, latest in lineages.values():  # each ordered by id: the latest version last
        sessions.append(FinishedSession(
            latest.chat_id, latest.lineage, latest.dialogue_id, latest.dialogue_version,
            latest.started_at, latest.finished_at, latest.outcome,
            tuple(answers.get(latest.id, ())),
            tuple(Version(row.id, row.finished_at, row.outcome, tuple(answers.get(row.id, ())))
                  for row in earlier),
            latest.language))
    sessions.sort(key=lambda s: (s.finished_at, s.session_id))
    return sessions


class _Row(NamedTuple):
    chat_id: int
    lineage: int
    id: int
    dialogue_id: str
    dialogue_version: str
    started_at: float
    finished_at: float
    outcome: str | None
    language: str | None
