"""`SessionStore` in memory: the same rules as the SQLite store, for tests and experiments.

Nothing survives the process. It keeps what the port promises (the chat's latest session,
restarted ones kept as history, the last handled update and when, whether its reply was shown,
inactive chats, refusing to save over a session that was replaced), so the Advisor's rules can
be tested without a file.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.engine.model import Session
from bot.storage.base import NOT_SHOWN, RESTORED, StoredSession, settled, status_of

Clock = Callable[[], float]


@dataclass
class _Chat:
    sessions: list[StoredSession] = field(default_factory=list)
    active: bool = True
    last_update_id: int | None = None
    last_update_at: float | None = None
    language: str | None = None


class MemoryStore:
    """Every chat's sessions in a dict; one event loop, so each method is atomic."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._chats: dict[int, _Chat] = {}
        self._ids = itertools.count(1)
        self.closed = False

    async def current(self, chat_id: int) -> StoredSession | None:
        """Return the chat's latest session, active or finished, or None."""
        chat = self._chats.get(chat_id)
        return self._with_last(chat, chat.sessions[-1]) if chat and chat.sessions else None

    async def begin(
        self, chat_id: int, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Start a new session; an unfinished earlier one is kept as 'restarted'."""
        now = self._clock()
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.active = True
        chat.sessions = [replace(s, status="restarted", updated_at=now)
                         if s.status == "active" else s for s in chat.sessions]
        self._record(chat, update_id, now)
        stored = StoredSession(next(self._ids), chat_id, settled(session, now),
                               status_of(session), now, shown=NOT_SHOWN)
        chat.sessions.append(stored)
        return self._with_last(chat, stored)

    async def save(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store the session's new state; refuse a session replaced since it was read."""
        chat, latest = self._latest(stored)
        now = self._clock()
        chat.active = True
        self._record(chat, update_id, now)
        saved = replace(latest, session=settled(session, now), status=status_of(session),
                        updated_at=now, shown=NOT_SHOWN)
        chat.sessions[-1] = saved
        return self._with_last(chat, saved)

    async def revise(
        self, stored: StoredSession, session: Session, *, update_id: int | None = None
    ) -> StoredSession:
        """Store `session` as a new version of `stored`; an open `stored` is kept as
        'restarted', a finished one stays finished."""
        chat, latest = self._latest(stored)
        now = self._clock()
        chat.active = True
        if latest.status == "active":
            chat.sessions[-1] = replace(latest, status="restarted", updated_at=now)
        self._record(chat, update_id, now)
        version = StoredSession(next(self._ids), stored.chat_id, settled(session, now),
                                status_of(session), now, shown=NOT_SHOWN, revises=latest.id,
                                origin=latest.lineage)
        chat.sessions.append(version)
        return self._with_last(chat, version)

    def _latest(self, stored: StoredSession) -> tuple[_Chat, StoredSession]:
        """Return the chat and its latest session, which must be `stored`; else ValueError."""
        chat = self._chats.get(stored.chat_id)
        latest = chat.sessions[-1] if chat and chat.sessions else None
        if chat is None or latest is None or latest.id != stored.id:
            raise ValueError(
                f"session {stored.id} of chat {stored.chat_id} was restarted or forgotten"
                " since it was read, or a newer one began; read the chat's current session again"
            )
        return chat, latest

    async def last_finished(self, chat_id: int) -> StoredSession | None:
        """Return the chat's most recently finished session, or None."""
        chat = self._chats.get(chat_id)
        finished = [s for s in chat.sessions if s.status == "finished"] if chat else []
        return self._with_last(chat, finished[-1]) if chat and finished else None

    async def history(self, chat_id: int) -> list[StoredSession]:
        """Return every session of the chat, oldest first, restarted ones included."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [self._with_last(chat, replace(s, session=replace(s.session, revising=None)))
                for s in chat.sessions]

    async def last_update_id(self, chat_id: int) -> int | None:
        """Return the id of the last update whose effect was stored for the chat, or None."""
        chat = self._chats.get(chat_id)
        return chat.last_update_id if chat else None

    async def note_update(self, chat_id: int, update_id: int) -> None:
        """Remember that the chat's update was handled, though it changed no session."""
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.active = True
        self._record(chat, update_id, self._clock())

    async def note_shown(self, chat_id: int, session_id: int, answers: int) -> None:
        """Remember that the session's current reply reached the person."""
        chat = self._chats.get(chat_id)
        latest = chat.sessions[-1] if chat and chat.sessions else None
        if chat and latest and latest.id == session_id and len(latest.session.answers) == answers:
            chat.sessions[-1] = replace(latest, shown=answers)

    async def choose_language(self, chat_id: int, language: str) -> None:
        """Remember the language the chat chose; its open session is shown in it from now on."""
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.language = language
        chat.sessions = [replace(s, session=replace(s.session, language=language))
                         if s.status == "active" else s for s in chat.sessions]

    async def chosen_language(self, chat_id: int) -> str | None:
        """Return the language the chat chose, or None."""
        chat = self._chats.get(chat_id)
        return chat.language if chat else None

    async def mark_inactive(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to (the user blocked the bot)."""
        self._chats.setdefault(chat_id, _Chat()).active = False

    async def is_active(self, chat_id: int) -> bool:
        """Return False while the chat is marked inactive; unknown chats are active."""
        chat = self._chats.get(chat_id)
        return chat is None or chat.active

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions were deleted."""
        chat = self._chats.pop(chat_id, None)
        return len(chat.sessions) if chat else 0

    async def close(self) -> None:
        """Nothing to write; remember that it was closed."""
        self.closed = True

    def restore(self) -> None:
        """Mark every session restored, as a backup put back in place would have them."""
        for chat in self._chats.values():
            chat.sessions = [replace(s, shown=RESTORED) for s in chat.sessions]

    def forget_delivery(self, chat_id: int) -> None:
        """Make the chat's sessions look stored before delivery was kept (shown unknown)."""
        chat = self._chats[chat_id]
        chat.sessions = [replace(s, shown=None) for s in chat.sessions]

    @staticmethod
    def _record(chat: _Chat, update_id: int | None, now: float) -> None:
        if update_id is not None:
            chat.last_update_id, chat.last_update_at = update_id, now

    @staticmethod
    def _with_last(chat: _Chat, stored: StoredSession) -> StoredSession:
        return replace(stored, last_update_id=chat.last_update_id,
                       last_update_at=chat.last_update_at, chosen_language=chat.language)
