"""`validate`: check dialogue files and print a summary of each, or every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands
from bot.config import load_settings
from bot.engine.checks import summary
from bot.engine.loader import load_dialogues


def add(commands: Commands) -> None:
    """Add the `validate` command."""
    parser = commands.add_parser(
        "validate", help="check dialogue files and print a summary, or every problem")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders of YAML")
    parser.set_defaults(handler=validate)


def validate(args: argparse.Namespace) -> int:
    """Print one summary line per valid dialogue; DialogueError lists the problems."""
    paths: list[Path] = args.paths or [load_settings().dialogue_path]
    for dialogue in load_dialogues(paths):
        print(summary(dialogue))
    return 0
