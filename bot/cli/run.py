"""`run`: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.cli import chat
from bot.cli.common import Commands, settings
from bot.errors import AdvisorError
from bot.logs import redact


def add(commands: Commands) -> None:
    """Add the `run` command."""
    parser = commands.add_parser(
        "run", help="the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat")
    chat.add_language_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the Telegram bot until SIGTERM or SIGINT, or the terminal chat without a token."""
    found = settings()
    if found.token is None:
        print(
            "No TELEGRAM_BOT_TOKEN is set, so the advisor runs here in the terminal. "
            "Set it (see .env.example) to run the Telegram bot.",
            file=sys.stderr,
        )
        return chat.chat(args, found)
    # PTB 22 warns at every 429 unless the process opts in to timedelta periods, the
    # documented way; bot.telegram.delivery reads both forms. Set here, where the program
    # starts, not when a module is imported.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # PTB and httpx take a while to import; the terminal chat and `validate` do not need them.
    from bot.telegram.runner import serve  # noqa: PLC0415

    try:
        asyncio.run(serve(found))
    except AdvisorError as error:
        # Printed as it is, not through the log's formatter: blank the token here too (an
        # error may quote a Bot API URL in a form the transport did not recognise).
        raise AdvisorError(redact(str(error), found.secrets)) from None
    return 0
