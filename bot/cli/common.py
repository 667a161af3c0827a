"""What several commands share: settings with logging, where output goes, periods of time."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.config import Settings, load_settings
from bot.errors import AdvisorError
from bot.logs import setup_logging
from bot.ops.stats import parse_duration


class Commands(Protocol):
    """What `ArgumentParser.add_subparsers` returns, as the commands use it."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add a sub-command and return its parser."""
        ...


def settings() -> Settings:
    """Return the settings, with logging set up as they say."""
    found = load_settings()
    setup_logging(found.log_level, found.secrets)
    return found


@contextmanager
def output(path: Path | None) -> Iterator[TextIO]:
    """Yield the file to write to: `path`, or stdout when it is None."""
    if path is None:
        yield sys.stdout
        return
    try:
        file = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise AdvisorError(f"cannot write {path}: {error.strerror}") from None
    with file:
        yield file


def add_period_options(parser: argparse.ArgumentParser) -> None:
    """Add --since and --dialogue, for the commands that read stored sessions."""
    parser.add_argument("--since", type=_since, metavar="DURATION",
                        help="only the last 30m, 12h, 7d, 4w, ... (default: all time)")
    parser.add_argument("--dialogue", type=Path, metavar="PATH",
                        help="dialogue file the sessions belong to (default: DIALOGUE_PATH)")


def _since(text: str) -> float:
    try:
        return parse_duration(text).total_seconds()
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
