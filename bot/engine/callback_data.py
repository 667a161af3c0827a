"""Button data as Telegram carries it: the session's number, a colon, then the engine's data.

The engine's data is "question:option" for an answer, or "!action" for what the Advisor does
around the questions. The session's number lets an old button be told from a current one.
Telegram allows 64 bytes of UTF-8 here; the checks keep every button's engine data within
what is left once the number is in front (PTB does not check before sending).
"""

from __future__ import annotations

LIMIT = 64
"""Telegram's limit on an inline button's callback data, in UTF-8 bytes."""

RESERVED = 21
"""Bytes kept in front of the engine's data: a session number (up to 20 digits) and a colon."""

ROOM = LIMIT - RESERVED
"""Bytes left for the engine's data."""


def encode(session_id: int | None, data: str) -> str:
    """Return a button's callback data: the session's number (0 for none), then `data`."""
    return f"{session_id or 0}:{data}"


def decode(raw: str) -> tuple[int | None, str]:
    """Split callback data into (session number, engine data); (None, "") when it is not ours."""
    number, sep, data = raw.partition(":")
    if not sep or not number.isdecimal() or len(number) > RESERVED - 2:
        return None, ""
    return int(number), data
