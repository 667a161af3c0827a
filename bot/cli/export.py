"""`export`: finished sessions from DATABASE_PATH as CSV or JSON Lines rows."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.cli.common import Commands, add_period_options, output
from bot.config import load_settings
from bot.engine.loader import load_dialogue
from bot.ops import export as rows
from bot.storage.reports.finished import finished_sessions


def add(commands: Commands) -> None:
    """Add the `export` command."""
    dump = commands.add_parser("export", help="finished sessions from DATABASE_PATH as rows")
    dump.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    add_period_options(dump)
    dump.add_argument("--anonymize", action="store_true",
                      help="replace chat ids with stable pseudonyms (keyed HMAC)")
    dump.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    dump.set_defaults(handler=export)


def export(args: argparse.Namespace) -> int:
    """Write the rows; say on stderr how many."""
    found = load_settings()
    dialogue = load_dialogue(args.dialogue or found.dialogue_path)
    since = None if args.since is None else time.time() - args.since
    sessions = finished_sessions(found.database_path, dialogue.id, since)
    key = rows.export_key(found.database_path) if args.anonymize else None
    write = rows.write_csv if args.format == "csv" else rows.write_jsonl
    with output(args.output) as out:
        count = write(sessions, dialogue, out, key)
    print(f"exported {count} finished session{'' if count == 1 else 's'}", file=sys.stderr)
    return 0
