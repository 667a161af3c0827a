"""The advisor as front ends use it: engine steps for one chat, stored before they are shown.

Telegram and the terminal both go through `Advisor`; each call loads the chat's session, asks
the pure engine what happens, commits the new session when it changed, and only then returns
what to show. Nothing here knows how a reply is displayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import engine
from bot.engine.model import Dialogue, Reply, Session, Step
from bot.storage.base import SessionStore, StoredSession

Clock = Callable[[], float]


@dataclass(frozen=True)
class Turn:
    """A step the engine took for a chat, and the stored session it left behind."""

    step: Step
    stored: StoredSession | None

    @property
    def session_id(self) -> int | None:
        """Return the number of the stored session, used to recognise old buttons."""
        return self.stored.id if self.stored else None


class Advisor:
    """Run one dialogue for many chats, remembering every answer in a store."""

    def __init__(self, dialogue: Dialogue, store: SessionStore, clock: Clock = time.time) -> None:
        self.dialogue = dialogue
        self.store = store
        self._clock = clock

    async def start(self, chat_id: int) -> Turn:
        """Begin a fresh session; an earlier one stays in the history."""
        step = engine.start(self.dialogue, self._clock())
        stored = await self.store.begin(chat_id, step.session)
        return Turn(step, stored)

    async def resume(self, chat_id: int) -> Turn | None:
        """Return the chat's open session as it stands, or None when there is none."""
        stored = await self.store.current(chat_id)
        if stored is None or stored.session.finished:
            return None
        return Turn(self._shown(stored.session), stored)

    async def press(self, chat_id: int, session_id: int | None, data: str) -> Turn:
        """Answer with a button; a button of another session only gets a notice."""
        stored = await self.store.current(chat_id)
        if stored is None:
            return Turn(self._notice(self.dialogue.texts.no_result), None)
        if session_id is not None and session_id != stored.id:
            text = self.dialogue.texts.stale
            if stored.session.finished:
                text = self.dialogue.texts.finished
            return Turn(Step("stale", stored.session, Reply(text)), stored)
        return await self._apply(stored, engine.press(self.dialogue, stored.session, data,
                                                      self._clock()))

    async def type_answer(self, chat_id: int, text: str) -> Turn:
        """Answer with typed text; a chat with no session starts one first."""
        stored = await self.store.current(chat_id)
        if stored is None:
            return await self.start(chat_id)
        step = engine.type_answer(self.dialogue, stored.session, text, self._clock())
        return await self._apply(stored, step)

    async def back(self, chat_id: int) -> Turn:
        """Go back to the question asked before and undo its answer."""
        stored = await self.store.current(chat_id)
        if stored is None:
            return Turn(self._notice(self.dialogue.texts.no_result), None)
        return await self._apply(stored, engine.back(self.dialogue, stored.session))

    async def result(self, chat_id: int) -> Reply:
        """Return the chat's last recommendation, or say there is none yet."""
        stored = await self.store.last_finished(chat_id)
        if stored is None:
            return Reply(self.dialogue.texts.no_result)
        return engine.show(self.dialogue, stored.session)

    async def _apply(self, stored: StoredSession, step: Step) -> Turn:
        if not step.changed:
            return Turn(step, stored)
        return Turn(step, await self.store.save(stored, step.session))

    def _shown(self, session: Session) -> Step:
        return Step("question", session, engine.show(self.dialogue, session))

    def _notice(self, text: str) -> Step:
        empty = Session(self.dialogue.id, self.dialogue.version, current=None)
        return Step("notice", empty, Reply(text))
