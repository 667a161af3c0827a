"""The counts `stats` is made of, for the sessions of one dialogue started in a period.

Every query scans the sessions of the period once, grouping a session's versions (see
`_LINEAGES`); no index beyond the schema's is needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.reports.readonly import before_versions, connect_read_only

# A session changed after the fact is stored in versions sharing its first version's id
# (`origin`) and start: each lineage counts once. It finished if any version did, and is
# counted with the outcome of its latest finished version and the time to its first result;
# an unfinished one stands where its latest version stands.
_LINEAGES = (
    "WITH versions AS (SELECT id, coalesce(origin, id) AS lineage, status, started_at,"
    " finished_at FROM sessions WHERE dialogue_id = :dialogue AND started_at >= :since),"
    " lineages AS (SELECT lineage, max(id) AS latest, max(status = 'finished') AS done,"
    " max(CASE WHEN status = 'finished' THEN id END) AS last_done,"
    " min(finished_at) AS first_finished, min(started_at) AS started_at"
    " FROM versions GROUP BY lineage)"
)
_ABANDONED = (
    "(l.status = 'restarted' OR (l.status = 'active' AND l.updated_at < :idle_before))"
)
_TOTALS = (
    f"{_LINEAGES} SELECT count(*), coalesce(sum(done), 0),"
    " coalesce(sum(NOT done AND l.status = 'restarted'), 0),"
    " coalesce(sum(NOT done AND l.status = 'active' AND l.updated_at < :idle_before), 0)"
    " FROM lineages JOIN sessions AS l ON l.id = lineages.latest"
)
_ANSWERED = (
    f"{_LINEAGES} SELECT a.question_id, count(DISTINCT v.lineage)"
    " FROM answers AS a JOIN versions AS v ON v.id = a.session_id GROUP BY a.question_id"
)
_WAITING = (
    f"{_LINEAGES} SELECT l.current_question, count(*), sum({_ABANDONED})"
    " FROM lineages JOIN sessions AS l ON l.id = lineages.latest WHERE NOT done"
    " GROUP BY l.current_question"
)
_OUTCOMES = (
    f"{_LINEAGES} SELECT s.outcome, count(*) FROM lineages"
    " JOIN sessions AS s ON s.id = lineages.last_done WHERE done GROUP BY s.outcome"
)
_LANGUAGES = (
    # A session counts in the language of its latest version; sessions stored before
    # languages were kept were in the dialogue's own.
    f"{_LINEAGES} SELECT coalesce(l.language, :language), count(*) FROM lineages"
    " JOIN sessions AS l ON l.id = lineages.latest GROUP BY 1"
)
_DURATIONS = f"{_LINEAGES} SELECT first_finished - started_at FROM lineages WHERE done"


@dataclass(frozen=True)
class UsageCounts:
    """How the sessions of a period went, as stored; bot.ops.stats makes the report of it.

    A session is idle when it is still active but unchanged since `idle_before`; abandoned
    when restarted or idle. A session stored in versions (answers changed after the fact)
    counts once: see `_LINEAGES`.
    """

    started: int
    finished: int
    restarted: int
    idle: int
    answered: dict[str, int]
    """Question id -> how many sessions answered it."""
    waiting: dict[str, tuple[int, int]]
    """Question id -> (unfinished sessions waiting on it, how many of them abandoned)."""
    outcomes: list[tuple[str, int]]
    """(outcome id, how many finished sessions it was recommended to), in no order."""
    durations: list[float]
    """Seconds from start to finish of every finished session."""
    languages: list[tuple[str, int]]
    """(language, how many sessions were last shown in it), in no order."""


def read_usage(
    db_path: Path, dialogue_id: str, since: float | None, idle_before: float,
    language: str = "en",
) -> UsageCounts:
    """Count the dialogue's sessions started at or after `since` (None: ever); `language` is
    the dialogue's own, which sessions stored before languages were kept were in.

    Blocking; from the bot's event loop call it through asyncio.to_thread.
    """
    params = {
        "language": language,
        "dialogue": dialogue_id,
        "since": float("-inf") if since is None else since,
        "idle_before": idle_before,
    }
    conn = connect_read_only(db_path)
    try:
        conn.execute("BEGIN")  # one snapshot for every query, even while the bot writes
        return _counts(conn, params)
    finally:
        conn.close()


def _counts(conn: sqlite3.Connection, params: Mapping[str, object]) -> UsageCounts:
    def rows(query: str) -> list[Any]:
        return conn.execute(before_versions(conn, query), params).fetchall()

    [(started, finished, restarted, idle)] = rows(_TOTALS)
    waiting = {question: (count, stopped) for question, count, stopped in rows(_WAITING)}
    return UsageCounts(
        started, finished, restarted, idle,
        answered=dict(rows(_ANSWERED)),
        waiting=waiting,
        outcomes=rows(_OUTCOMES),
        durations=[row[0] for row in rows(_DURATIONS)],
        languages=rows(_LANGUAGES),
    )
