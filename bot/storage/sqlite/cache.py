"""The latest stored session of recently used chats, kept in memory so `current` costs no query.

Sound because the store is the file's only writer (one writer, as WAL needs anyway): what it
committed last is what a read would return. The group commit checks `PRAGMA data_version` at
every batch and empties the cache when another connection committed.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from bot.storage.base import StoredSession

CACHE_SIZE = 4096
"""How many chats' latest sessions `current` answers from memory by default."""


class SessionCache:
    """Each recently used chat's latest stored session (or None: none), least recent dropped."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[int, StoredSession | None] = OrderedDict()

    def get(self, chat_id: int) -> tuple[bool, StoredSession | None]:
        """Return (True, the chat's latest session) when it is known, else (False, None)."""
        try:
            found = self._entries[chat_id]
        except KeyError:
            return False, None
        self._entries.move_to_end(chat_id)
        return True, found

    def put(self, chat_id: int, stored: StoredSession | None) -> None:
        """Remember the chat's latest session, forgetting the least recently used chat."""
        if not self._size:
            return
        self._entries[chat_id] = stored
        self._entries.move_to_end(chat_id)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def noted(self, chat_id: int, update_id: int, at: float) -> None:
        """Record the cached session's last handled update as `note_update` did the rows'."""
        stored = self._entries.get(chat_id)
        if stored is not None:
            self._entries[chat_id] = replace(stored, last_update_id=update_id, last_update_at=at)

    def chose(self, chat_id: int, language: str) -> None:
        """Record the chat's choice of language as `choose_language` did the rows'."""
        stored = self._entries.get(chat_id)
        if stored is not None:
            session = stored.session
            if not session.finished:
                session = replace(session, language=language)
            self._entries[chat_id] = replace(stored, session=session, chosen_language=language)

    def shown(self, chat_id: int, session_id: int, answers: int) -> float | None:
        """Mark the cached session's reply as shown if it is still that state; return when
        that state was stored (to find its row), or None when it moved on or is not cached."""
        stored = self._entries.get(chat_id)
        if stored is None or stored.id != session_id or len(stored.session.answers) != answers:
            return None
        self._entries[chat_id] = replace(stored, shown=answers)
        return stored.updated_at

    def drop(self, chat_id: int) -> None:
        """Forget the chat's cached session: the next read goes to the file."""
        self._entries.pop(chat_id, None)

    def clear(self) -> None:
        """Forget every cached session."""
        self._entries.clear()
