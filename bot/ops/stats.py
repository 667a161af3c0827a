"""How the dialogue is used, read from the bot's database without writing to it.

Definitions (over the sessions of one dialogue id, any version, started in the period):

- finished: the session reached its recommendation;
- abandoned: not finished, and either restarted (/start again, or a dialogue change) or idle,
  that is unchanged for more than `inactivity_hours`;
- in progress: the rest, still open and recently active;
- a question was reached by a session that answered it or is (or was left) waiting on it, and
  an abandoned session stopped at the question it was left waiting on.

The counts come from bot.storage.reports.usage, which reads them through a read-only
connection of its own, so `stats` can run beside the bot; this module turns them into the
report.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.engine.model import Dialogue
from bot.storage.reports.usage import UsageCounts, read_usage

_DURATION = re.compile(r"(\d+)\s*(m|h|d|w)")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Return a duration written like 30m, 12h, 7d or 4w."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None or int(found.group(1)) == 0:
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit, m (minutes), h (hours), "
            "d (days) or w (weeks), e.g. 30m, 12h, 7d, 4w"
        )
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@dataclass(frozen=True)
class FunnelRow:
    """How many sessions reached one question and how many were abandoned there."""

    question: str
    text: str
    reached: int
    stopped: int


@dataclass(frozen=True)
class OutcomeCount:
    """How often one outcome was recommended, and its share of finished sessions."""

    outcome: str
    title: str
    count: int
    percent: float


@dataclass(frozen=True)
class Stats:
    """Usage of one dialogue over a period; see the module docstring for the definitions."""

    dialogue: str
    title: str
    since: float | None
    now: float
    inactivity_hours: float
    started: int
    finished: int
    restarted: int
    idle: int
    funnel: tuple[FunnelRow, ...]
    outcomes: tuple[OutcomeCount, ...]
    median_seconds: float | None
    languages: tuple[tuple[str, int], ...] = ()
    """(language, sessions last shown in it), most first."""

    @property
    def abandoned(self) -> int:
        """Return the sessions given up: restarted, or idle for too long."""
        return self.restarted + self.idle

    @property
    def in_progress(self) -> int:
        """Return the open sessions that are neither finished nor abandoned."""
        return self.started - self.finished - self.abandoned


def collect_stats(
    db_path: Path, dialogue: Dialogue, since: float | None, now: float, inactivity_hours: float
) -> Stats:
    """Read the usage of `dialogue` from sessions started at or after `since` (None: ever).

    Blocking; from the bot's event loop call it through asyncio.to_thread.
    """
    counts = read_usage(db_path, dialogue.id, since, idle_before=now - inactivity_hours * 3600,
                        language=dialogue.language)
    durations = counts.durations
    return Stats(
        dialogue.id, dialogue.title, since, now, inactivity_hours,
        counts.started, counts.finished, counts.restarted, counts.idle,
        _funnel(dialogue, counts), _outcomes(dialogue, counts),
        statistics.median(durations) if durations else None,
        tuple(sorted(counts.languages, key=lambda row: (-row[1], row[0]))),
    )


def _funnel(dialogue: Dialogue, counts: UsageCounts) -> tuple[FunnelRow, ...]:
    answered, waiting = counts.answered, counts.waiting
    # Questions of older versions that sessions still name come last, by id.
    extra = sorted((set(answered) | set(waiting)) - set(dialogue.questions))
    rows = []
    for question_id in [*dialogue.questions, *extra]:
        known = dialogue.questions.get(question_id)
        open_count, stopped = waiting.get(question_id, (0, 0))
        rows.append(FunnelRow(
            question_id,
            known.text if known else "(not in the current dialogue file)",
            answered.get(question_id, 0) + open_count,
            stopped,
        ))
    return tuple(rows)


def _outcomes(dialogue: Dialogue, counts: UsageCounts) -> tuple[OutcomeCount, ...]:
    order = {outcome: index for index, outcome in enumerate(dialogue.outcomes)}
    ranked = sorted(counts.outcomes, key=lambda row: (-row[1], order.get(row[0], len(order)),
                                                      row[0]))
    return tuple(
        OutcomeCount(
            outcome,
            known.title if (known := dialogue.outcomes.get(outcome)) else outcome,
            count,
            100 * count / counts.finished,
        )
        for outcome, count in ranked
    )


# Rendering -----------------------------------------------------------------------------------


def render_stats(stats: Stats) -> str:
    """Return the statistics as plain text that reads well in a terminal and in Telegram."""
    lines = [f"{stats.title} ({stats.dialogue}): {_period(stats)}", ""]
    lines += [
        f"Sessions started: {stats.started}",
        f"Finished: {stats.finished}{_share(stats.finished, stats.started)}",
        f"Abandoned: {stats.abandoned}{_share(stats.abandoned, stats.started)}: "
        f"{stats.restarted} restarted, {stats.idle} idle for over {stats.inactivity_hours:g} h",
        f"In progress: {stats.in_progress}",
        "Languages: " + (", ".join(
            f"{language} {count}{_share(count, stats.started)}"
            for language, count in stats.languages) or "-"),
        "",
        "Drop-off by question:",
    ]
    for number, row in enumerate(stats.funnel, start=1):
        lines.append(f"{number}. {row.text} [{row.question}]")
        lines.append(
            f"   reached by {row.reached}, stopped there: {row.stopped}"
            f"{_share(row.stopped, row.reached)}"
        )
    lines += ["", f"Recommendations ({stats.finished} finished):"]
    lines += [f"{o.title}: {o.count} ({o.percent:.1f}%)" for o in stats.outcomes] or ["none yet"]
    median = stats.median_seconds
    lines += ["", f"Median time to finish: {_duration(median) if median is not None else '-'}"]
    return "\n".join(lines)


def _period(stats: Stats) -> str:
    if stats.since is None:
        return "all sessions so far"
    since = datetime.fromtimestamp(stats.since, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"sessions started since {since}"


def _share(part: int, whole: int) -> str:
    return f" ({100 * part / whole:.1f}%)" if whole else ""


def _duration(seconds: float) -> str:
    """Return a duration as people say it: 45 s, 3 min 20 s, 2 h 5 min, 3 d 4 h."""
    total = round(seconds)
    for unit, size, smaller, small_size in (
        ("d", 86400, "h", 3600), ("h", 3600, "min", 60), ("min", 60, "s", 1)
    ):
        if total >= size:
            rest = (total % size) // small_size
            return f"{total // size} {unit}" + (f" {rest} {smaller}" if rest else "")
    return f"{total} s"
