"""Logging set-up that never lets a secret (the bot token) reach a log line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

REDACTED = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    """Format records as usual, then blank out every secret, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = _pattern(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with secrets replaced."""
        text = super().format(record)
        return text if self._secrets is None else self._secrets.sub(REDACTED, text)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with every secret in it replaced by [REDACTED], in any letter case.

    Case matters because PTB capitalises Telegram's error descriptions (str.capitalize
    lowercases the rest), so a description that quotes the token quotes it in lower case.
    """
    pattern = _pattern(secrets)
    return text if pattern is None else pattern.sub(REDACTED, text)


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """Return one case-blind pattern for every non-empty secret, longest first; None if none."""
    known = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not known:
        return None
    return re.compile("|".join(map(re.escape, known)), re.IGNORECASE)


def setup_logging(level: str, secrets: Iterable[str], stream: object = None) -> None:
    """Send logs to stderr at `level`, with secrets redacted and httpx kept quiet."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx, PTB's default transport, logs every request URL, and Bot API URLs contain the
    # token: kept quiet should anything still send through it.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
