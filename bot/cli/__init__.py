"""The command line: `advisor-bot [COMMAND]` (or `python -m bot`), one module per command.

Each command module has `add(commands)`, which adds its sub-parser and sets its handler: a
function of the parsed arguments that returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from bot.cli import (
    backup,
    chat,
    check,
    coverage,
    export,
    graph,
    new,
    run,
    schema,
    stats,
    test,
    validate,
)
from bot.errors import AdvisorError, DialogueError

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` and return the process's exit code."""
    args = parser().parse_args(argv)
    command: Handler = args.handler
    try:
        return command(args)
    except DialogueError as error:
        print(error, file=sys.stderr)
        return 1
    except AdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`... | head`): stop quietly, as `cat` does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def parser() -> argparse.ArgumentParser:
    """Return the parser of every command; without one, `run` runs."""
    top = argparse.ArgumentParser(
        prog=program_name(),
        description="A Telegram bot that helps people choose between headphones and IEMs.",
    )
    top.set_defaults(handler=run.run)
    commands = top.add_subparsers(title="commands", metavar="COMMAND")
    commands_in_order = (
        run, chat, new, validate, test, coverage, schema, check, backup, graph, stats, export)
    for module in commands_in_order:
        module.add(commands)
    return top


def program_name() -> str:
    """Return how the program was called: `python -m bot`, or the console script's name."""
    called = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m bot" if called in ("", "__main__.py", "-m") else called
