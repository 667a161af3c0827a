"""`stats`: sessions, drop-off per question and recommendations from DATABASE_PATH."""

from __future__ import annotations

import argparse
import time

from bot.cli.common import Commands, add_period_options
from bot.config import load_settings
from bot.engine.loader import load_dialogue
from bot.ops.stats import collect_stats, render_stats


def add(commands: Commands) -> None:
    """Add the `stats` command."""
    parser = commands.add_parser(
        "stats", help="sessions, drop-off per question and recommendations from DATABASE_PATH")
    add_period_options(parser)
    parser.set_defaults(handler=stats)


def stats(args: argparse.Namespace) -> int:
    """Print the funnel and the recommendations of the period."""
    found = load_settings()
    dialogue = load_dialogue(args.dialogue or found.dialogue_path)
    now = time.time()
    since = None if args.since is None else now - args.since
    print(render_stats(collect_stats(
        found.database_path, dialogue, since, now, found.inactivity_hours)))
    return 0
