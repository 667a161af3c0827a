"""`coverage`: how often each outcome wins, and which answers change it, over every answer set."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from bot.authoring.coverage import coverage as measure
from bot.authoring.coverage_report import figures, table
from bot.authoring.stories import run_stories
from bot.authoring.story_format import stories_path
from bot.authoring.story_reader import read_stories
from bot.cli.common import Commands
from bot.config import load_settings
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from bot.errors import DialogueError


def add(commands: Commands) -> None:
    """Add the `coverage` command."""
    parser = commands.add_parser(
        "coverage",
        help="how often each outcome wins and which answers change it, over every answer set",
        description="Count, over every set of answers (each option equally likely), how often "
        "each outcome wins, which questions and options change it, the outcomes that win only "
        "on ties and the closest calls; and the outcomes the test stories beside the dialogue "
        "end with. A dialogue with too many answer sets is sampled, and the report says so.",
    )
    parser.add_argument("path", nargs="?", type=Path,
                        help="dialogue file (default: DIALOGUE_PATH)")
    parser.add_argument("--json", action="store_true", help="print JSON for tools")
    parser.add_argument("--samples", type=int, default=2000, metavar="N",
                        help="answer sets to draw when there are too many to count "
                        "(default: 2000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the draw (default: 1)")
    parser.set_defaults(handler=coverage)


def coverage(args: argparse.Namespace) -> int:
    """Print the coverage of one dialogue."""
    path: Path = args.path or load_settings().dialogue_path
    dialogue = load_dialogue(path)
    data = figures(measure(dialogue, samples=max(1, args.samples), seed=args.seed),
                   _story_outcomes(dialogue, stories_path(path)))
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(table(data), end="")
    return 0


def _story_outcomes(dialogue: Dialogue, path: Path) -> Counter[str] | None:
    """Return the outcomes the stories beside the dialogue end with, or None without stories."""
    if not path.exists():
        return None
    try:
        stories = read_stories(path, dialogue)
    except DialogueError as error:
        print(f"the stories are left out: {error}", file=sys.stderr)
        return None
    return Counter(run.advice.outcome.id for run in run_stories(dialogue, stories) if run.advice)
