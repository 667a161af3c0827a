"""Sessions, chat ids and a clock for the SqliteStore tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from bot.engine.model import Answer, Session

CHAT = 42
OTHER = 7


def ticking(start: float = 1000.0) -> Callable[[], float]:
    """Return a clock that moves one second each time it is read."""
    ticks = itertools.count(start)
    return lambda: float(next(ticks))


def session(*answers: tuple[str, str, float], current: str | None = "usage",
            outcome: str | None = None, finished_at: float | None = None) -> Session:
    return Session(
        dialogue="headphones_vs_iems",
        version="3",
        current=current,
        answers=tuple(Answer(q, o, at) for q, o, at in answers),
        outcome=outcome,
        started_at=500.0,
        finished_at=finished_at,
    )
