"""A database of known usage, written by the real Advisor walking the real dialogue.

`python -m tests.ops.usage PATH` builds it at PATH (for trying `python -m bot stats` by hand).

Seven sessions of six chats, times relative to `now` (all but the oldest in the last 7 days):

- chat 1 commutes: 10 answers, 20 s apart, finished 2 days ago;
- chat 2 listens at home: 9 answers (ANC skipped), 30 s apart, in Russian, finished;
- chat 3 works out: answers `use` and `hours`, sends /start (that session is restarted while
  waiting on `comfort`), then finishes a fresh session: 8 answers, 15 s apart;
- chat 4 answers three questions and stops at `isolation` three days ago (idle);
- chat 5 does studio work: answered `use` and `work` and is at `hours`, ten minutes in
  (in progress);
- chat 6 listened at home 20 days ago: 9 answers, 60 s apart, finished.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.advisor import Advisor, Turn
from bot.config import DEFAULT_DIALOGUE
from bot.engine.loader import load_dialogue
from bot.storage.sqlite import SqliteStore

HOUR = 3600.0
DAY = 24 * HOUR

COMMUTER = {
    "use": "commute", "hours": "mid", "comfort": "none", "isolation": "lot", "leak": "yes",
    "sound": "detail", "budget": "mid", "anc": "yes", "wireless": "yes", "mic": "yes",
}
HOME = {
    "use": "home", "hours": "long", "comfort": "none", "isolation": "none", "leak": "no",
    "sound": "wide", "budget": "high", "wireless": "no", "mic": "no",
}
GYM = {
    "use": "gym", "hours": "short", "comfort": "heat", "isolation": "some", "budget": "tight",
    "anc": "no", "wireless": "yes", "mic": "no",
}
STUDIO = {"use": "studio", "work": "mix"}


@dataclass
class Clock:
    """A clock the test moves by hand; the store and the advisor both read it."""

    now: float

    def __call__(self) -> float:
        return self.now


async def walk(
    advisor: Advisor, clock: Clock, chat: int, plan: dict[str, str], step: float,
    *, stop_at: str | None = None, language: str | None = None,
) -> Turn:
    """Start a session and press the plan's option for each question asked, `step` s apart,
    as a person whose Telegram speaks `language`."""
    turn = await advisor.start(chat, language=language)
    while turn.session and (current := turn.session.current) and current != stop_at:
        clock.now += step
        turn = await advisor.press(chat, turn.session_id, f"{current}:{plan[current]}",
                                   language=language)
    return turn


async def build(path: Path, now: float) -> None:
    """Write the sessions described in the module docstring to a new database at `path`."""
    clock = Clock(now)
    store = await SqliteStore.open(path, clock=clock)
    advisor = Advisor(load_dialogue(DEFAULT_DIALOGUE), store, clock=clock)
    try:
        clock.now = now - 20 * DAY
        await walk(advisor, clock, 6, HOME, 60)
        clock.now = now - 3 * DAY
        await walk(advisor, clock, 4, COMMUTER, 10, stop_at="isolation")
        clock.now = now - 2 * DAY
        await walk(advisor, clock, 1, COMMUTER, 20)
        clock.now = now - 2 * DAY + HOUR
        await walk(advisor, clock, 2, HOME, 30, language="ru")
        clock.now = now - DAY + HOUR
        await walk(advisor, clock, 3, GYM, 15, stop_at="comfort")
        clock.now += 60
        await walk(advisor, clock, 3, GYM, 15)
        clock.now = now - 600
        await walk(advisor, clock, 5, STUDIO, 30, stop_at="hours")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(build(Path(sys.argv[1]), float(int(time.time()))))
