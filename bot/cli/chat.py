"""`chat`: talk to the advisor in this terminal (or through a pipe)."""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.advisor import opened
from bot.cli.common import Commands, settings
from bot.config import Settings
from bot.console import Console, locale_language
from bot.engine.model import primary_language
from bot.errors import AdvisorError


def add(commands: Commands) -> None:
    """Add the `chat` command."""
    parser = commands.add_parser("chat", help="talk to the advisor in this terminal")
    add_language_option(parser)
    parser.set_defaults(handler=chat)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """Add --lang, the language of the terminal chat (default: the locale's, LANG)."""
    parser.add_argument(
        "--lang", metavar="CODE", help="the language to chat in, one the dialogue is "
        "translated to (default: LANG's, e.g. ru_RU.UTF-8 is ru; else the dialogue's own)")


def chat(args: argparse.Namespace, found: Settings | None = None) -> int:
    """Chat on stdin and stdout until `quit` or the end of input."""
    asyncio.run(_console(found or settings(), getattr(args, "lang", None)))
    return 0


async def _console(found: Settings, asked: str | None) -> None:
    async with opened(found, offer_to_continue=False) as advisor:
        languages = advisor.dialogue.languages
        if asked is not None and primary_language(asked) not in languages:
            raise AdvisorError(f"--lang {asked}: the dialogue speaks {', '.join(languages)}")
        await Console(advisor, language=asked or locale_language(os.environ)).run()
