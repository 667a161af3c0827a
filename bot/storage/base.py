"""The one interface the rest of the bot uses to remember sessions; only storage knows SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.engine.model import Session

Status = Literal["active", "finished", "restarted"]


@dataclass(frozen=True)
class StoredSession:
    """A session as stored for one chat, with the number that identifies it."""

    id: int
    chat_id: int
    session: Session
    status: Status
    updated_at: float


class SessionStore(Protocol):
    """Durable memory of every chat's sessions. Each method is one atomic transaction."""

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        ...

    async def begin(self, chat_id: int, session: Session) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'."""
        ...

    async def save(self, stored: StoredSession, session: Session) -> StoredSession:
        """Store the session's new state: answers added or undone, question, outcome."""
        ...

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        ...

    async def close(self) -> None:
        """Finish pending work and close the database."""
        ...
