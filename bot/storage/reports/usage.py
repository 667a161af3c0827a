"""The counts `stats` is made of, for the sessions of one dialogue started in a period.

Every query scans the sessions of the period once; no index beyond the schema's is needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.storage.reports.readonly import connect_read_only

_PERIOD = "dialogue_id = :dialogue AND started_at >= :since"
_ABANDONED = "(status = 'restarted' OR (status = 'active' AND updated_at < :idle_before))"
_TOTALS = (
    "SELECT count(*), coalesce(sum(status = 'finished'), 0),"
    " coalesce(sum(status = 'restarted'), 0),"
    " coalesce(sum(status = 'active' AND updated_at < :idle_before), 0)"
    f" FROM sessions WHERE {_PERIOD}"
)
_ANSWERED = (
    "SELECT a.question_id, count(DISTINCT a.session_id)"
    " FROM answers AS a JOIN sessions AS s ON s.id = a.session_id"
    " WHERE s.dialogue_id = :dialogue AND s.started_at >= :since GROUP BY a.question_id"
)
_WAITING = (
    f"SELECT current_question, count(*), sum({_ABANDONED}) FROM sessions"
    f" WHERE {_PERIOD} AND status != 'finished' GROUP BY current_question"
)
_OUTCOMES = (
    f"SELECT outcome, count(*) FROM sessions WHERE {_PERIOD} AND status = 'finished'"
    " GROUP BY outcome"
)
_LANGUAGES = (
    # Sessions stored before languages were kept were in the dialogue's own language.
    f"SELECT coalesce(language, :language), count(*) FROM sessions WHERE {_PERIOD} GROUP BY 1"
)
_DURATIONS = (
    f"SELECT finished_at - started_at FROM sessions WHERE {_PERIOD} AND status = 'finished'"
)


@dataclass(frozen=True)
class UsageCounts:
    """How the sessions of a period went, as stored; bot.ops.stats makes the report of it.

    A session is idle when it is still active but unchanged since `idle_before`; abandoned
    when restarted or idle.
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
    started, finished, restarted, idle = conn.execute(_TOTALS, params).fetchone()
    waiting = {
        question: (count, stopped)
        for question, count, stopped in conn.execute(_WAITING, params)
    }
    return UsageCounts(
        started, finished, restarted, idle,
        answered=dict(conn.execute(_ANSWERED, params).fetchall()),
        waiting=waiting,
        outcomes=conn.execute(_OUTCOMES, params).fetchall(),
        durations=[row[0] for row in conn.execute(_DURATIONS, params)],
        languages=conn.execute(_LANGUAGES, params).fetchall(),
    )
