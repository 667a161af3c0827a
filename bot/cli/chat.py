"""`chat`: talk to the advisor in this terminal (or through a pipe)."""

from __future__ import annotations

import argparse
import asyncio

from bot.advisor import opened
from bot.cli.common import Commands, settings
from bot.config import Settings
from bot.console import Console


def add(commands: Commands) -> None:
    """Add the `chat` command."""
    commands.add_parser("chat", help="talk to the advisor in this terminal").set_defaults(
        handler=chat)


def chat(_args: argparse.Namespace, found: Settings | None = None) -> int:
    """Chat on stdin and stdout until `quit` or the end of input."""
    asyncio.run(_console(found or settings()))
    return 0


async def _console(found: Settings) -> None:
    async with opened(found, offer_to_continue=False) as advisor:
        await Console(advisor).run()
