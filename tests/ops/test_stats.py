"""`python -m bot stats`: counts, drop-off and recommendations from a database of known usage."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.config import PROJECT_ROOT
from bot.engine.model import Dialogue
from bot.errors import StorageError
from bot.ops.stats import FunnelRow, Stats, collect_stats, parse_duration, render_stats
from bot.storage.reports import connect_read_only
from bot.storage.sqlite import SqliteStore
from tests.ops.conftest import Usage, run_cli
from tests.ops.usage import COMMUTER, DAY, Clock, walk

WEEK = 7 * DAY
SETTINGS = {"INACTIVITY_HOURS": "24"}


def funnel(stats: Stats) -> list[tuple[str, int, int]]:
    return [(row.question, row.reached, row.stopped) for row in stats.funnel]


def test_all_time_counts_funnel_recommendations_and_median(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    stats = collect_stats(usage_db.path, dialogue, None, usage_db.now, 24)
    assert (stats.started, stats.finished, stats.abandoned, stats.in_progress) == (7, 4, 2, 1)
    assert (stats.restarted, stats.idle) == (1, 1)
    assert funnel(stats) == [
        ("use", 7, 0), ("work", 1, 0), ("hours", 7, 0), ("comfort", 6, 1),
        ("isolation", 5, 1), ("leak", 3, 0), ("sound", 3, 0), ("budget", 4, 0),
        ("anc", 2, 0), ("wireless", 4, 0), ("mic", 4, 0),
    ]
    # 8 answers 15 s apart, 10 x 20 s, 9 x 30 s, 9 x 60 s: the middle two are 200 and 270 s.
    assert stats.median_seconds == 235
    lines = render_stats(stats).splitlines()
    assert lines[0] == "Headphones or IEMs? (headphones_vs_iems): all sessions so far"
    assert lines[2:7] == [
        "Sessions started: 7",
        "Finished: 4 (57.1%)",
        "Abandoned: 2 (28.6%): 1 restarted, 1 idle for over 24 h",
        "In progress: 1",
        "Languages: en 6 (85.7%), ru 1 (14.3%)",
    ]
    assert stats.languages == (("en", 6), ("ru", 1))
    assert lines[8:12] == [
        "Drop-off by question:",
        "1. Where or how will you listen most? [use]",
        "   reached by 7, stopped there: 0 (0.0%)",
        "2. What does your work need most from what you wear? [work]",
    ]
    at = lines.index("4. Is there anything that affects your comfort? [comfort]")
    assert lines[at + 1] == "   reached by 6, stopped there: 1 (16.7%)"
    assert lines[-5:] == [
        "Recommendations (4 finished):",
        "Open-back over-ear headphones: 2 (50.0%)",
        "Wireless in-ear monitors (true wireless earbuds): 2 (50.0%)",
        "",
        "Median time to finish: 3 min 55 s",
    ]


def test_the_last_week_leaves_out_the_session_of_twenty_days_ago(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    stats = collect_stats(usage_db.path, dialogue, usage_db.now - WEEK, usage_db.now, 24)
    assert (stats.started, stats.finished, stats.abandoned, stats.in_progress) == (6, 3, 2, 1)
    assert funnel(stats)[:5] == [
        ("use", 6, 0), ("work", 1, 0), ("hours", 6, 0), ("comfort", 5, 1), ("isolation", 4, 1)
    ]
    text = render_stats(stats)
    assert "\nRecommendations (3 finished):\n" in text
    assert "\nWireless in-ear monitors (true wireless earbuds): 2 (66.7%)\n" in text
    assert "\nOpen-back over-ear headphones: 1 (33.3%)\n" in text
    assert text.endswith("\nMedian time to finish: 3 min 20 s")
    assert text.splitlines()[0].startswith(
        "Headphones or IEMs? (headphones_vs_iems): sessions started since 20"
    )


def test_a_longer_inactivity_limit_counts_the_quiet_session_as_in_progress(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    stats = collect_stats(usage_db.path, dialogue, None, usage_db.now, 100)
    assert (stats.restarted, stats.idle, stats.in_progress) == (1, 0, 2)
    assert ("isolation", 5, 0) in funnel(stats)
    assert "Abandoned: 1 (14.3%): 1 restarted, 0 idle for over 100 h" in render_stats(stats)


async def test_stats_read_what_the_running_bot_just_committed(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    clock = Clock(usage_db.now)
    store = await SqliteStore.open(usage_db.path, clock=clock)
    try:
        await walk(Advisor(dialogue, store, clock=clock), clock, 77, COMMUTER, 5)
        stats = collect_stats(usage_db.path, dialogue, None, clock.now, 24)
    finally:
        await store.close()
    assert (stats.started, stats.finished) == (8, 5)


async def test_an_empty_database_says_so(tmp_path: Path, dialogue: Dialogue) -> None:
    path = tmp_path / "empty.db"
    await (await SqliteStore.open(path)).close()
    text = render_stats(collect_stats(path, dialogue, None, 1e9, 24))
    assert "Sessions started: 0\nFinished: 0\nAbandoned: 0: 0 restarted, 0 idle" in text
    first = "1. Where or how will you listen most? [use]\n   reached by 0, stopped there: 0\n"
    assert first in text
    assert text.endswith("Recommendations (0 finished):\nnone yet\n\nMedian time to finish: -")


def test_questions_of_an_older_version_are_listed_last(
    usage_db: Usage, dialogue: Dialogue
) -> None:
    conn = sqlite3.connect(usage_db.path)
    with conn:
        conn.execute("UPDATE answers SET question_id = 'budget_v0' WHERE question_id = 'budget'")
    conn.close()
    stats = collect_stats(usage_db.path, dialogue, None, usage_db.now, 24)
    assert stats.funnel[-1] == FunnelRow("budget_v0", "(not in the current dialogue file)", 4, 0)
    assert ("budget", 0, 0) in funnel(stats)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(45, "45 s"), (200, "3 min 20 s"), (120, "2 min"), (7500, "2 h 5 min"), (90000, "1 d 1 h")],
)
def test_the_median_reads_as_people_say_durations(seconds: float, shown: str) -> None:
    stats = Stats("d", "D", None, 0, 24, 1, 1, 0, 0, (), (), seconds)
    assert render_stats(stats).endswith(f"Median time to finish: {shown}")


@pytest.mark.parametrize(
    ("text", "duration"),
    [("30m", timedelta(minutes=30)), ("12h", timedelta(hours=12)), ("7d", timedelta(days=7)),
     ("4w", timedelta(weeks=4)), (" 2 D ", timedelta(days=2))],
)
def test_durations(text: str, duration: timedelta) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["7", "d", "7x", "0d", "-1d", "1.5h", "7 days"])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"write a number and a unit, m \(minutes\), h"):
        parse_duration(text)


def test_the_connection_cannot_write(usage_db: Usage) -> None:
    conn = connect_read_only(usage_db.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM sessions")
    finally:
        conn.close()


def test_a_missing_or_foreign_database_is_one_clear_line(
    tmp_path: Path, dialogue: Dialogue
) -> None:
    with pytest.raises(StorageError, match=r"^no database at .*missing\.db: the bot has not"):
        collect_stats(tmp_path / "missing.db", dialogue, None, 0, 24)
    (tmp_path / "notes.txt").write_text("not a database at all, just text " * 100)
    with pytest.raises(StorageError, match=r"^cannot read .*notes\.txt: file is not a database$"):
        collect_stats(tmp_path / "notes.txt", dialogue, None, 0, 24)
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StorageError, match=r"other\.db is not the advisor's database"):
        collect_stats(tmp_path / "other.db", dialogue, None, 0, 24)
    assert not (tmp_path / "missing.db").exists()


def test_the_cli_prints_the_stats_of_database_path(usage_db: Usage) -> None:
    done = run_cli("stats", db=usage_db.path, env=SETTINGS)
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == "Headphones or IEMs? (headphones_vs_iems): all sessions so far"
    assert "Finished: 4 (57.1%)" in lines
    assert "Abandoned: 2 (28.6%): 1 restarted, 1 idle for over 24 h" in lines
    assert lines[-1] == "Median time to finish: 3 min 55 s"
    week = run_cli("stats", "--since", "7d", db=usage_db.path, env=SETTINGS)
    assert week.returncode == 0, week.stderr
    assert "Sessions started: 6" in week.stdout.splitlines()


def test_the_cli_explains_a_missing_database_and_a_bad_duration(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "advisor.db"
    done = run_cli("stats", db=missing)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: no database at {missing}: the bot has not stored anything there yet, "
        "or DATABASE_PATH points somewhere else\n"
    )
    assert not missing.parent.exists()
    done = run_cli("stats", "--since", "7x", db=missing)
    assert done.returncode == 2
    assert "argument --since: '7x' is not a duration" in done.stderr


def test_the_operator_guide_shows_real_output(built_usage: Usage, dialogue: Dialogue) -> None:
    sample = render_stats(collect_stats(built_usage.path, dialogue, None, built_usage.now, 24))
    guide = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert f"```text\n{sample}\n```" in guide, (
        "the sample of `python -m bot stats` in docs/operations.md is stale: paste the output of "
        "`python -m tests.ops.usage /tmp/sample.db && DATABASE_PATH=/tmp/sample.db "
        "python -m bot stats`"
    )
