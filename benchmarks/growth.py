"""Growth: the same run of people with thousands to a million chats already stored.

The stored chats are generated straight into the file (SQL for ours, one pickle.dump for the
baseline), each a finished dialogue with its answers. Each measurement runs in a fresh process
(`python -m benchmarks.growth KIND FILE STORED PEOPLE [--turn N]`) so its peak RSS is its
own. Half the people are returning chats, half new ones. Start-up is measured there too:
loading and checking the dialogue and opening the database (ours), or loading the pickle
(baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import random
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import contenders, inprocess, scenario
from benchmarks.stub import TOKEN, StubRequest
from bot.config import PROJECT_ROOT
from bot.engine.advice import advice_for
from bot.engine.model import Dialogue
from bot.storage.sqlite import SqliteStore

PATHS = 200  # distinct ways through the dialogue the stored chats took
FIRST_UPDATE_ID = 800_000_000  # of the stored chats
WORKERS = 64


async def _create_schema(path: Path) -> None:
    store = await SqliteStore.open(path)
    await store.close()


def seed_sqlite(path: Path, chats: int, dialogue: Dialogue) -> None:
    """Store `chats` finished chats (chat ids 1..chats) with their answers, in SQL."""
    asyncio.run(_create_schema(path))
    ways = scenario.people(dialogue, PATHS, first_chat=1)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("CREATE TEMP TABLE paths (path INTEGER, position INTEGER, question TEXT,"
                     " option TEXT, PRIMARY KEY (path, position))")
        conn.execute("CREATE TEMP TABLE outcomes (path INTEGER PRIMARY KEY, outcome TEXT)")
        conn.executemany("INSERT INTO paths VALUES (?, ?, ?, ?)", [
            (number, position, question, option) for number, way in enumerate(ways)
            for position, (question, option) in enumerate(way.presses)])
        conn.executemany("INSERT INTO outcomes VALUES (?, ?)", [
            (number, advice_for(dialogue, dict(way.presses)).outcome.id)
            for number, way in enumerate(ways)])
        conn.execute("BEGIN")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            # Update ids as large as Telegram's (nine digits): a press's id then takes the
            # same room in the row as the one it replaces, as it would in a bot's own file.
            " INSERT INTO chats SELECT i, 1, 1000.0 + i, 2000.0 + i, ? + i, 2000.0 + i FROM n",
            (chats, FIRST_UPDATE_ID))
        conn.execute(
            "INSERT INTO sessions (id, chat_id, dialogue_id, dialogue_version, current_question,"
            " status, outcome, started_at, updated_at, finished_at, last_update_id,"
            " last_update_at) SELECT chat_id, chat_id, ?, ?, NULL, 'finished',"
            f" (SELECT outcome FROM outcomes WHERE path = chat_id % {PATHS}),"
            " created_at, updated_at, updated_at, last_update_id, last_update_at FROM chats",
            (dialogue.id, dialogue.version))
        conn.execute(
            "INSERT INTO answers SELECT s.id, p.position, p.question, p.option,"
            f" s.started_at + p.position FROM sessions AS s JOIN paths AS p"
            f" ON p.path = s.id % {PATHS} ORDER BY s.id, p.position")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    # Written without syncs: put it on disk now, or the kernel writes hundreds of megabytes back
    # while the first rounds measure.
    with path.open("rb") as file:
        os.fsync(file.fileno())


def seed_pickle(path: Path, chats: int, dialogue: Dialogue) -> None:
    """Write what PicklePersistence would hold after `chats` finished conversations."""
    ways = scenario.people(dialogue, PATHS, first_chat=1)
    data = {
        "conversations": {"advisor": {(chat, chat): None for chat in range(1, chats + 1)}},
        "user_data": {chat: {"answers": dict(ways[chat % PATHS].presses)}
                      for chat in range(1, chats + 1)},
        "chat_data": {chat: {} for chat in range(1, chats + 1)},
        "bot_data": {},
        "callback_data": None,
    }
    with path.open("wb") as file:
        pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)


def visitors(
    dialogue: Dialogue, stored: int, count: int, turn: int = 0
) -> list[scenario.Person]:
    """Return `count` people: half of them back in stored chats, half in new chats.

    Each `turn` brings other people: other stored chats, other new ones.
    """
    rng = random.Random(stored * 1000 + turn)
    returning = rng.sample(range(1, stored + 1), min(stored, count // 2))
    first_new = stored + 1 + turn * count
    new = range(first_new, first_new + count - len(returning))
    return [scenario.person(dialogue, chat) for chat in [*returning, *new]]


# In the measuring process ---------------------------------------------------------------------


async def _ours(file: Path, stored: int, count: int, turn: int) -> dict[str, Any]:
    began = time.perf_counter()
    dialogue = scenario.dialogue()
    loaded = time.perf_counter()
    store = await SqliteStore.open(file)
    opened = time.perf_counter()
    await store.close()
    run = await one_round(dialogue, file, stored, count, turn)
    return {"load_dialogue_s": loaded - began, "open_database_s": opened - loaded,
            "us_per_update": run.us_per_update}


async def one_round(
    dialogue: Dialogue, file: Path, stored: int, count: int, turn: int
) -> inprocess.Run:
    """Let round `turn`'s people come to our database `file` with `stored` chats seeded."""
    # Update ids follow the seeded ones and each earlier round's: a reused one would look like
    # a re-delivery. A person sends at most /start and one press per question.
    most = count * (1 + len(dialogue.questions))
    first_update_id = FIRST_UPDATE_ID + stored + 1 + turn * most
    return await inprocess.measure("ours", dialogue, visitors(dialogue, stored, count, turn),
                                   WORKERS, file.parent, stored=file,
                                   first_update_id=first_update_id)


async def _baseline(file: Path, stored: int, count: int) -> dict[str, Any]:
    size = file.stat().st_size  # noqa: ASYNC240 - before any work, nothing else to wait for
    dialogue = scenario.dialogue()
    app = contenders.baseline(contenders.builder(TOKEN, request=StubRequest()), dialogue, file)
    began = time.perf_counter()
    await app.initialize()  # PicklePersistence reads the whole file here
    loaded = time.perf_counter() - began
    await app.shutdown()
    people = visitors(dialogue, stored, count)
    run = await inprocess.measure("baseline", dialogue, people, WORKERS, file.parent,
                                  stored=file)
    return {"load_pickle_s": loaded, "us_per_update": run.us_per_update, "updates": run.updates,
            "flush_s": run.flush_seconds, "changed_chats": len(people),
            "file_mb": size / 1e6}


def main() -> None:
    """Measure one kind at one size and print the result as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth")
    parser.add_argument("kind", choices=("ours", "baseline"))
    parser.add_argument("file", type=Path)
    parser.add_argument("stored", type=int)
    parser.add_argument("people", type=int)
    parser.add_argument("--turn", type=int, default=0, help="which round's people (ours)")
    arguments = parser.parse_args()
    if arguments.kind == "ours":
        work = _ours(arguments.file, arguments.stored, arguments.people, arguments.turn)
    else:
        work = _baseline(arguments.file, arguments.stored, arguments.people)
    result = asyncio.run(work)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(json.dumps(result) + "\n")


# In the orchestrating process -----------------------------------------------------------------


async def measure_ours(
    sizes: tuple[int, ...], people: int, workdir: Path, rounds: int
) -> list[dict[str, Any]]:
    """Seed a database of each size, then measure `people` on each, `rounds` times.

    The rounds take turns between the sizes (1k, 100k, 1M, 1k, ...), each in a fresh process,
    so that a noisy minute on a shared machine falls on every size alike rather than on one;
    each size reports the median of its rounds and the largest peak RSS of its processes.
    """
    dialogue = scenario.dialogue()
    files = {stored: workdir / f"ours-{stored}.db" for stored in sizes}
    seeded: dict[int, float] = {}
    for stored, file in files.items():
        began = time.perf_counter()
        await asyncio.to_thread(seed_sqlite, file, stored, dialogue)
        seeded[stored] = time.perf_counter() - began
    runs: dict[int, list[dict[str, Any]]] = {stored: [] for stored in sizes}
    for turn in range(rounds):
        for stored, file in files.items():
            runs[stored].append(await _child("ours", file, stored, people, turn=turn))
    for file in files.values():
        await asyncio.to_thread(_remove, workdir, file.name)
    return [_rounds_of(stored, found, seeded[stored]) for stored, found in runs.items()]


def _rounds_of(stored: int, found: list[dict[str, Any]], seeded: float) -> dict[str, Any]:
    """Return one size's result from its rounds: medians, and the largest peak RSS."""
    costs = [run["us_per_update"] for run in found]
    return {
        "kind": "ours", "stored": stored, "seed_s": seeded,
        "us_per_update": statistics.median(costs), "rounds_us_per_update": costs,
        "peak_rss_mb": max(run["peak_rss_mb"] for run in found),
        "load_dialogue_s": statistics.median(run["load_dialogue_s"] for run in found),
        "open_database_s": statistics.median(run["open_database_s"] for run in found),
    }


async def _child(
    kind: str, file: Path, stored: int, people: int, *, turn: int = 0
) -> dict[str, Any]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.growth", kind, str(file), str(stored), str(people),
        "--turn", str(turn), cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode:
        raise RuntimeError(f"the growth measurement of {kind} at {stored} chats failed")
    result: dict[str, Any] = json.loads(out)
    return result


async def measure_baseline(stored: int, people: int, workdir: Path) -> dict[str, Any]:
    """Seed a pickle with `stored` chats, then measure `people` on it in a fresh process."""
    file = workdir / f"baseline-{stored}.pickle"
    began = time.perf_counter()
    await asyncio.to_thread(seed_pickle, file, stored, scenario.dialogue())
    seeded = time.perf_counter() - began
    result = await _child("baseline", file, stored, people)
    result.update(kind="baseline", stored=stored, seed_s=seeded)
    await asyncio.to_thread(_remove, workdir, file.name)
    return result


def _remove(workdir: Path, name: str) -> None:
    for leftover in workdir.glob(f"{name}*"):
        leftover.unlink()


if __name__ == "__main__":
    main()
