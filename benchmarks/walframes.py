"""What one growth round writes: WAL frames per b-tree, with `stored` chats already stored.

`python -m benchmarks.walframes STORED [PEOPLE]` seeds a database as the growth benchmark does,
lets PEOPLE (default 1,000) come as one growth round does, with automatic checkpoints off, and
counts the frames the round appended to the WAL, by table or index (`dbstat`). Pages written
once per commit at the end of a table cost the same at any size; distinct pages among the old
chats are what makes a commit and a checkpoint dearer as the file grows. The round starts, as
every growth round does, with the WAL grown to its working size (`inprocess.settle_wal`), which
leaves free pages behind: commits that take them write page 1 (the header, shown as
sqlite_schema) and the free-list page ("(freed)") at any size.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sqlite3
import struct
import sys
import tempfile
from pathlib import Path
from unittest import mock

import bot.storage.sqlite.store as sqlite_store
from benchmarks import growth, scenario
from bot.storage.schema import set_up

HEADER = 32  # bytes of the WAL header
FRAME_HEADER = 24


def frames(wal: bytes) -> list[int]:
    """Return the page number of each valid frame of a WAL file, in order."""
    if len(wal) < HEADER:
        return []
    page_size: int = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    found: list[int] = []
    offset = HEADER
    # Frames after the last checkpoint's reset still carry the old salts: not this round's.
    while offset + FRAME_HEADER + page_size <= len(wal) and wal[offset + 8:offset + 16] == salts:
        found.append(struct.unpack(">I", wal[offset:offset + 4])[0])
        offset += FRAME_HEADER + page_size
    return found


def _no_checkpoints(conn: sqlite3.Connection, path: str) -> int:
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    return set_up(conn, path)


def count(stored: int, people: int, workdir: Path) -> dict[str, tuple[int, int]]:
    """Return {b-tree: (frames, distinct pages)} that one round wrote."""
    file = workdir / "walframes.db"
    dialogue = scenario.dialogue()
    growth.seed_sqlite(file, stored, dialogue)
    # Held open: the store's connection, closing last, would checkpoint and delete the WAL.
    keeper = sqlite3.connect(file)
    try:
        keeper.execute("SELECT count(*) FROM sqlite_schema").fetchall()
        # The store has no setting for this, and only this diagnostic needs one.
        with mock.patch.object(sqlite_store, "set_up", _no_checkpoints):
            asyncio.run(growth.one_round(dialogue, file, stored, people, turn=0))
        written = frames(Path(f"{file}-wal").read_bytes())
        owner = dict(keeper.execute("SELECT pageno, name FROM dbstat"))
    finally:
        keeper.close()
    per: collections.Counter[str] = collections.Counter()
    pages: dict[str, set[int]] = collections.defaultdict(set)
    for page in written:
        name = owner.get(page, "(freed)")
        per[name] += 1
        pages[name].add(page)
    return {name: (per[name], len(pages[name])) for name, _ in per.most_common()}


def main() -> None:
    """Print one round's WAL frames per b-tree as a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.walframes")
    parser.add_argument("stored", type=int)
    parser.add_argument("people", type=int, nargs="?", default=1000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-walframes-") as tmp:
        found = count(arguments.stored, arguments.people, Path(tmp))
    lines = ["| b-tree | frames | distinct pages |", "| --- | --- | --- |"]
    lines += [f"| {name} | {n:,} | {d:,} |" for name, (n, d) in found.items()]
    total = sum(n for n, _ in found.values()), sum(d for _, d in found.values())
    lines.append(f"| all | {total[0]:,} | {total[1]:,} |")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
