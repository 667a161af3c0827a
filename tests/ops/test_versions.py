"""Stats and export count a session whose answers were changed once, with where it ended."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from bot.advisor import Advisor, Turn
from bot.engine.model import Dialogue
from bot.ops import export
from bot.ops.stats import collect_stats
from bot.storage import schema
from bot.storage.reports.finished import finished_sessions
from bot.storage.sqlite import SqliteStore
from tests.ops.usage import COMMUTER, DAY, HOME, Clock, walk


async def change(advisor: Advisor, clock: Clock, chat: int, done: Turn, *, question: str,
                 option: str | None) -> Turn:
    """Press "change" on the result, pick the question, and answer it (None: leave it)."""
    clock.now += 30
    asked = await advisor.press(chat, done.session_id, f"!change:{question}")
    if option is None:
        return asked
    clock.now += 30
    return await advisor.press(chat, asked.session_id, f"{question}:{option}")


def outcome_of(turn: Turn) -> str | None:
    return turn.session.outcome if turn.session else None


async def build(path: Path, now: float, dialogue: Dialogue) -> dict[str, Turn]:
    clock = Clock(now - DAY)
    store = await SqliteStore.open(path, clock=clock)
    advisor = Advisor(dialogue, store, clock=clock)
    try:
        first = await walk(advisor, clock, 1, COMMUTER, 20)
        revised = await change(advisor, clock, 1, first, question="budget", option="premium")
        home = await walk(advisor, clock, 2, HOME, 30)
        await change(advisor, clock, 2, home, question="sound", option=None)  # then gone
        clock.now = now - 60
        await advisor.start(3)
    finally:
        await store.close()
    return {"first": first, "revised": revised, "home": home}


async def test_a_changed_answer_counts_as_one_session_that_finished_as_it_ends_now(
    tmp_path: Path, dialogue: Dialogue
) -> None:
    now = 1_800_000_000.0
    turns = await build(tmp_path / "advisor.db", now, dialogue)
    before, after = (outcome_of(turns[name]) for name in ("first", "revised"))
    assert (before, after) == ("iem_wireless", "closed_back_anc")

    stats = collect_stats(tmp_path / "advisor.db", dialogue, None, now, 24)

    # Chats 1 and 2 each started once and finished once, however their answers changed;
    # chat 2 leaving a change unfinished is not a session given up.
    assert (stats.started, stats.finished, stats.abandoned, stats.in_progress) == (3, 2, 0, 1)
    reached = {row.question: row.reached for row in stats.funnel}
    assert (reached["use"], reached["budget"]) == (3, 2)
    assert {o.outcome: o.count for o in stats.outcomes} == {after: 1, "open_back": 1}
    # Each to its first recommendation: 10 answers 20 s apart, and 9 answers 30 s apart.
    assert stats.median_seconds == 235


async def test_export_gives_the_latest_answers_with_the_versions_they_replaced(
    tmp_path: Path, dialogue: Dialogue
) -> None:
    turns = await build(tmp_path / "advisor.db", 1_800_000_000.0, dialogue)
    sessions = finished_sessions(tmp_path / "advisor.db", dialogue.id)
    assert [s.chat_id for s in sessions] == [1, 2]
    out = io.StringIO()
    export.write_jsonl(sessions, dialogue, out, None)
    commuter = json.loads(out.getvalue().splitlines()[0])
    assert commuter["session_id"] == turns["first"].session_id  # the session's own number
    assert {a["question"]: a["option"] for a in commuter["answers"]} == {
        **COMMUTER, "budget": "premium"}
    assert commuter["outcome"] == outcome_of(turns["revised"])
    [earlier] = commuter["earlier"]
    assert earlier["session_id"] == turns["first"].session_id
    assert earlier["outcome"] == outcome_of(turns["first"])
    assert {a["question"]: a["option"] for a in earlier["answers"]} == COMMUTER


def test_a_database_from_before_versions_is_read_as_it_was(
    tmp_path: Path, dialogue: Dialogue
) -> None:
    # Schema 4: written by the bot before sessions had versions, not opened since.
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in schema.MIGRATIONS[:4]:
        for statement in schema.statements(script):
            conn.execute(statement)
    conn.execute("INSERT INTO chats VALUES (1, 1, 0, 0, NULL, NULL)")
    conn.execute("INSERT INTO sessions (id, chat_id, dialogue_id, dialogue_version,"
                 " current_question, status, outcome, started_at, updated_at, finished_at)"
                 " VALUES (1, 1, ?, '1', NULL, 'finished', 'open_back', 10, 70, 70)",
                 (dialogue.id,))
    conn.execute("INSERT INTO answers VALUES (1, 0, 'use', 'home', 20)")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()

    stats = collect_stats(path, dialogue, None, 1_000.0, 24)
    assert (stats.started, stats.finished, stats.median_seconds) == (1, 1, 60)
    [session] = finished_sessions(path, dialogue.id)
    assert (session.session_id, session.outcome, session.earlier) == (1, "open_back", ())
