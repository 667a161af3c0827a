"""`test`: run the test stories beside dialogues and report every story that fails."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.authoring.stories import run_stories
from bot.authoring.story_format import dialogue_path, find_stories
from bot.authoring.story_reader import read_stories
from bot.authoring.story_report import failure_report, file_summary
from bot.cli.common import Commands
from bot.config import load_settings
from bot.engine.loader import load_dialogue
from bot.errors import DialogueError


def add(commands: Commands) -> None:
    """Add the `test` command."""
    parser = commands.add_parser(
        "test",
        help="run the test stories of dialogues and report each one that fails",
        description="Run the test stories (<dialogue>.stories.yaml, beside the dialogue) "
        "through the real engine. Exit 1 when a story fails or a file has problems.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="stories files, dialogue files (their stories beside them) or folders "
        "(default: the stories of DIALOGUE_PATH)",
    )
    parser.set_defaults(handler=test)


def test(args: argparse.Namespace) -> int:
    """Run every story named; print a line per file and a report per failing story."""
    files, missing = find_stories(args.paths or [load_settings().dialogue_path])
    for reason in missing:
        print(reason, file=sys.stderr)
    passed = not missing
    for stories_file in files:
        passed = _run_file(stories_file) and passed
    return 0 if passed else 1


def _run_file(stories_file: Path) -> bool:
    try:
        dialogue = load_dialogue(dialogue_path(stories_file))
        stories = read_stories(stories_file, dialogue)
    except DialogueError as error:
        print(error, file=sys.stderr)
        return False
    runs = run_stories(dialogue, stories)
    for run in runs:
        if not run.passed:
            print(failure_report(dialogue, run), end="\n\n")
    print(file_summary(dialogue, stories_file, runs))
    return all(run.passed for run in runs)
