"""`validate`: check dialogue files and print a summary of each, or every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands
from bot.config import load_settings
from bot.engine.checks import summary
from bot.engine.loader import inspect
from bot.errors import DialogueError


def add(commands: Commands) -> None:
    """Add the `validate` command."""
    parser = commands.add_parser(
        "validate", help="check dialogue files and their translations; print a summary of "
        "each and how complete each translation is, or every problem")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders of YAML (a translation stands for its dialogue)")
    parser.set_defaults(handler=validate)


def validate(args: argparse.Namespace) -> int:
    """Print one summary line per valid dialogue, then one line per translation (how complete
    it is); DialogueError lists the problems."""
    paths: list[Path] = args.paths or [load_settings().dialogue_path]
    found = inspect(paths)
    valid = {dialogue.source: dialogue for dialogue in found.dialogues}
    for source in dict.fromkeys([*valid, *found.completeness]):
        if source in valid:
            print(summary(valid[source]))
        for complete in found.completeness.get(source, []):
            print(f"  {complete}")
    if found.problems:
        raise DialogueError(found.problems)
    return 0
