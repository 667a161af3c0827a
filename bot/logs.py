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
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with secrets replaced."""
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with every secret in it replaced by [REDACTED], in any letter case.

    Case matters because PTB capitalises Telegram's error descriptions (str.capitalize
    lowercases the rest), so a description that quotes the token quotes it in lower case.
    """
    for secret in secrets:
        if secret:
            text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
    return text


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
    # httpx logs every request URL, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
