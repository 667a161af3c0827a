"""The one interface the rest of the bot uses to remember sessions; only storage knows SQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Protocol

from bot.engine import redelivery
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
    last_update_id: int | None = None
    last_update_at: float | None = None
    """When the last handled update (`last_update_id`) was recorded, by the store's clock."""
    shown: int | None = None
    """Whether what the session shows now reached the person: the number of answers it had
    when its reply was confirmed sent, NOT_SHOWN until then, RESTORED after a restore from a
    backup, None when not known (rows from before this was kept; taken as shown)."""
    chosen_language: str | None = None
    """The language the chat chose with /language, or None (its people's language decides)."""
    revises: int | None = None
    """The version of the session this one changed answers of (`SessionStore.revise`)."""
    origin: int | None = None
    """The first version's id, for a session stored in versions; None for a first version."""

    @property
    def lineage(self) -> int:
        """Return the id every version of this session shares: its first version's."""
        return self.origin or self.id


# `StoredSession.shown` of a state whose reply was not confirmed sent (yet), and of a session
# restored from a backup (people may have seen later questions); the engine reads them.
NOT_SHOWN = redelivery.NOT_SHOWN
RESTORED = redelivery.RESTORED


class SessionStore(Protocol):
    """Durable memory of every chat's sessions. Each method is one atomic transaction."""

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        ...

    async def begin(
        self, chat_id: int, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'.

        `update_id`, when given, is recorded as the chat's last handled update in the same
        transaction, with the time (see `last_update_id`): the store records what it is
        given, the Advisor decides what is new. Marks the chat active again.
        """
        ...

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store the session's new state: answers added or undone, question, outcome.

        `stored` is the chat's current session, as `current` returned it. Raises ValueError
        when it was restarted, forgotten or followed by a newer session since it was read.
        `update_id` is recorded as in `begin`.
        """
        ...

    async def revise(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store `session` as a new version of `stored`, the chat's current session, when a
        person changes an answer after the fact: every earlier version keeps its answers.

        An open `stored` is kept as 'restarted' (the new version carries on from it); a
        finished one stays finished, so reports count the session as started once and as
        finished. The new version `revises` `stored`, shares its origin and start, and reads
        back with `session.revising`: the answers and outcome of the version it changed
        (through open versions, the answers they still carried). Raises ValueError as `save`
        does; `update_id` is recorded as in `begin`.
        """
        ...

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        ...

    async def history(self, chat_id: int) -> list[StoredSession]:
        """Return every session of the chat, oldest first, restarted ones and every version
        included (without `session.revising`)."""
        ...

    async def last_update_id(self, chat_id: int) -> int | None:
        """Return the id of the last update whose effect was stored for the chat, or None.

        Telegram delivers updates at least once; an update with an id not above this one was
        already handled before a crash and must not be applied again.
        """
        ...

    async def note_update(self, chat_id: int, update_id: int) -> None:
        """Remember that the chat's update was handled, though it changed no session."""
        ...

    async def note_shown(self, chat_id: int, session_id: int, answers: int) -> None:
        """Remember that the chat's session `session_id`, with `answers` answers, has its reply
        on the person's screen (its question or result was sent).

        Does not wait for the disk: kept in memory and written when convenient (the store may
        lose it in a crash, which only makes the bot show that reply once more). Ignored when
        the session has moved on since.
        """
        ...

    async def choose_language(self, chat_id: int, language: str) -> None:
        """Remember the language the chat chose (it outlives its sessions, until /forget); the
        chat's open session is shown in it from now on (`Session.language`)."""
        ...

    async def chosen_language(self, chat_id: int) -> str | None:
        """Return the language the chat chose, or None (for chats `current` finds nothing of;
        otherwise `StoredSession.chosen_language` says it)."""
        ...

    async def mark_inactive(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to (the user blocked the bot)."""
        ...

    async def is_active(self, chat_id: int) -> bool:
        """Return False while the chat is marked inactive; unknown chats are active."""
        ...

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions were deleted."""
        ...

    async def close(self) -> None:
        """Finish pending work and close the database."""
        ...


def settled(session: Session, now: float) -> Session:
    """Give a finished session the time it finished, if the engine left it out, and an open
    one none: what every store keeps."""
    if session.finished and session.finished_at is None:
        return replace(session, finished_at=now)
    if not session.finished and session.finished_at is not None:
        return replace(session, finished_at=None)
    return session


def status_of(session: Session) -> Status:
    """Return the status a store keeps for a session as it stands."""
    return "finished" if session.finished else "active"
