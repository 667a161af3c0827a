"""In process: `Application.process_update` over pre-built updates, the network stubbed.

People go through the whole dialogue, `workers` of them at a time, each person's updates
strictly in order. The updates are built before the clock starts: first every /start, then
(with the session numbers the bot showed) every press. Our database starts with its WAL at
its working size, as in a bot that has been running (see `settle_wal`). The baseline's flush
is timed apart, after the run, as PicklePersistence would do it within its 60 s interval.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram import Update

from benchmarks import contenders, scenario
from benchmarks.stub import TOKEN, StubRequest
from bot.engine.model import Dialogue
from bot.storage.sqlite import SqliteStore

App = contenders.App


@dataclass(frozen=True)
class Run:
    """One contender's timing over the same people."""

    kind: str
    updates: int
    seconds: float
    cpu_seconds: float
    flush_seconds: float = 0.0

    @property
    def us_per_update(self) -> float:
        """Return the wall-clock cost of one update, in microseconds."""
        return self.seconds / self.updates * 1e6


async def measure(kind: str, dialogue: Dialogue, people: Sequence[scenario.Person],
                  workers: int, workdir: Path, *, stored: Path | None = None,
                  first_update_id: int = 1) -> Run:
    """Run every person through the dialogue on a fresh bot of this kind.

    `stored` is a database (ours) or pickle file (baseline) to start from; by default a new
    one in `workdir`. Update ids count from `first_update_id` (Telegram's only ever grow).
    """
    stub = StubRequest()
    store: SqliteStore | None = None
    fresh = workdir / f"{kind}-{time.monotonic_ns()}"
    if kind in ("ours", "ours-typed"):
        database = stored or fresh.with_suffix(".db")
        store = await SqliteStore.open(database)
        await asyncio.to_thread(settle_wal, database)
        app = contenders.ours(dialogue, store, request=stub)
    elif kind == "baseline":
        app = contenders.baseline(contenders.builder(TOKEN, request=stub), dialogue,
                                  stored or fresh.with_suffix(".pickle"))
    elif kind == "floor":
        app = contenders.floor(contenders.builder(TOKEN, request=stub), dialogue)
    else:
        app = contenders.lean_floor(stub, dialogue)
    try:
        async with app:
            return await _drive(kind, app, stub, people, workers,
                                first_update_id=first_update_id, dialogue=dialogue)
    finally:
        if store is not None:
            await store.close()


def settle_wal(database: Path) -> None:
    """Grow the open database's WAL file to the size it keeps in a bot that has been running.

    A new WAL file grows with every commit until the first checkpoint, and each fsync of a
    growing file also journals the file's new size: about twice the cost of the steady state,
    where commits overwrite the WAL from its start. The store's own connection stays open, so
    the file is kept when this one closes.
    """
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE settle_wal AS SELECT randomblob(4500000) AS filler")
        conn.execute("DROP TABLE settle_wal")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()


async def _drive(kind: str, app: App, stub: StubRequest, people: Sequence[scenario.Person],
                 workers: int, *, first_update_id: int, dialogue: Dialogue) -> Run:
    update_ids = itertools.count(first_update_id)
    starts = [[Update.de_json(scenario.start_update(next(update_ids), person.chat_id), app.bot)]
              for person in people]
    seconds, cpu = await _timed(app, starts, workers)
    presses = [_presses(kind, app, stub, person, update_ids, dialogue=dialogue)
               for person in people]
    more_seconds, more_cpu = await _timed(app, presses, workers)
    flush = 0.0
    if kind == "baseline":
        began = time.perf_counter()
        await app.update_persistence()
        flush = time.perf_counter() - began
    updates = sum(person.updates for person in people)
    return Run(kind, updates, seconds + more_seconds, cpu + more_cpu, flush)


def _presses(kind: str, app: App, stub: StubRequest, person: scenario.Person,
             update_ids: Iterator[int], *, dialogue: Dialogue) -> list[Update]:
    """Return the person's answers as updates: presses, or (ours-typed) typed labels."""
    keyboard = stub.keyboards[person.chat_id]
    updates = []
    for number, (question, option) in enumerate(person.presses, start=2):
        if kind == "ours-typed":
            text = scenario.label(dialogue, question, option)
            typed = scenario.text_update(next(update_ids), person.chat_id, text, number)
            updates.append(Update.de_json(typed, app.bot))
            continue
        if kind == "ours":
            data = contenders.ours_press_data(keyboard, question, option)
        else:
            data = contenders.plain_press_data(question, option)
        payload = scenario.press_update(next(update_ids), person.chat_id, data, number)
        updates.append(Update.de_json(payload, app.bot))
    return updates


async def _timed(app: App, work: list[list[Update]], workers: int) -> tuple[float, float]:
    """Process each list in order, `workers` lists at a time; return wall and CPU seconds."""
    queue = iter(work)

    async def worker() -> None:
        for updates in queue:
            for update in updates:
                await app.process_update(update)

    gc.collect()
    began, began_cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - began, time.process_time() - began_cpu


@dataclass(frozen=True)
class Summary:
    """Every round of each contender at one concurrency, and each one's median run."""

    workers: int
    rounds: dict[str, list[Run]]

    @property
    def runs(self) -> dict[str, Run]:
        """Return each contender's median run (by wall time)."""
        return {kind: _median(runs) for kind, runs in self.rounds.items()}

    def ratio(self, kind: str, against: str) -> float:
        """Return how many times `kind`'s cost per update is `against`'s, medians compared."""
        return self.runs[kind].us_per_update / self.runs[against].us_per_update

    def spread(self, kind: str, against: str) -> tuple[float, float]:
        """Return the lowest and highest ratio of the rounds, each against its own round."""
        ratios = [mine.seconds / theirs.seconds
                  for mine, theirs in zip(self.rounds[kind], self.rounds[against], strict=True)]
        return min(ratios), max(ratios)


async def compare(users: int, workers: int, rounds: int) -> Summary:
    """Measure every contender `rounds` times, interleaved; keep each one's median."""
    dialogue = scenario.dialogue()
    people = scenario.people(dialogue, users)
    warm = scenario.people(dialogue, 20, first_chat=1)
    found: dict[str, list[Run]] = {kind: [] for kind in contenders.KINDS}
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as tmp:
        for kind in contenders.KINDS:
            await measure(kind, dialogue, warm, workers, Path(tmp))
        for _ in range(rounds):
            for kind in contenders.KINDS:
                found[kind].append(await measure(kind, dialogue, people, workers, Path(tmp)))
    return Summary(workers, found)


def _median(runs: list[Run]) -> Run:
    middle = statistics.median_low([run.seconds for run in runs])
    return next(run for run in runs if run.seconds == middle)
