"""`python -m bot [command]`: run the bot, chat in a terminal, or check a dialogue."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.advisor import Advisor
from bot.config import Settings, load_settings
from bot.console import Console
from bot.engine.loader import load_dialogue, load_dialogues
from bot.engine.validate import summary
from bot.errors import AdvisorError, DialogueError
from bot.logs import setup_logging
from bot.storage.sqlite import SqliteStore

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` and return the process's exit code."""
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.handler
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A Telegram bot that helps people choose between headphones and IEMs.",
    )
    parser.set_defaults(handler=_run)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.add_parser(
        "run", help="the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat"
    ).set_defaults(handler=_run)
    commands.add_parser("chat", help="talk to the advisor in this terminal").set_defaults(
        handler=_chat
    )
    validate = commands.add_parser(
        "validate", help="check dialogue files and print a summary, or every problem"
    )
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders of YAML")
    validate.set_defaults(handler=_validate)
    return parser


def _validate(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths or [load_settings().dialogue_path]
    for dialogue in load_dialogues(paths):
        print(summary(dialogue))
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.token is None:
        print(
            "No TELEGRAM_BOT_TOKEN is set, so the advisor runs here in the terminal. "
            "Set it (see .env.example) to run the Telegram bot.",
            file=sys.stderr,
        )
        return _chat(args, settings)
    # PTB and httpx take a while to import; the terminal chat and `validate` do not need them.
    from bot.telegram.runner import serve  # noqa: PLC0415

    asyncio.run(serve(settings))
    return 0


def _chat(_args: argparse.Namespace, settings: Settings | None = None) -> int:
    settings = settings or _settings()
    asyncio.run(_console(settings))
    return 0


async def _console(settings: Settings) -> None:
    dialogue = load_dialogue(settings.dialogue_path)
    store = await SqliteStore.open(settings.database_path)
    try:
        await Console(Advisor(dialogue, store)).run()
    finally:
        await store.close()


def _settings() -> Settings:
    settings = load_settings()
    setup_logging(settings.log_level, settings.secrets)
    return settings


if __name__ == "__main__":
    sys.exit(main())
