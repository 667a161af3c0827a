"""The advisor as front ends use it: engine steps for one chat, stored before they are shown.

Telegram and the terminal both go through `Advisor`; each call loads the chat's session, asks
the pure engine what happens, commits the new session when it changed, and only then returns
what to show. Nothing here knows how a reply is displayed.

Updates carry Telegram's `update_id`; one the chat has handled already (a re-delivery after a
crash, see bot.engine.redelivery) changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.engine import engine
from bot.engine.model import Button, Dialogue, Reply, Session, Step
from bot.engine.redelivery import redelivered
from bot.storage.base import SessionStore, StoredSession

Clock = Callable[[], float]

CONTINUE = "!continue"
RESTART = "!restart"
"""Button data of the "continue" and "start over" offer after a long pause."""

DOUBLE_PRESS_SECONDS = 5.0
"""Within this time a second press of an answered question's button is a double press."""


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

    def __init__(
        self,
        dialogue: Dialogue,
        store: SessionStore,
        clock: Clock = time.time,
        idle_after: float | None = None,
    ) -> None:
        """`idle_after`: seconds after which an open session is offered "continue" or "start
        over" at the person's next message (None: never, as in the terminal)."""
        self.dialogue = dialogue
        self.store = store
        self._clock = clock
        self.idle_after = idle_after

    async def start(self, chat_id: int, update_id: int | None = None) -> Turn:
        """Begin a fresh session; an earlier one stays in the history."""
        if update_id is not None:
            stored = await self.store.current(chat_id)
            if self._seen(stored, update_id):
                return _duplicate(stored)
        step = engine.start(self.dialogue, self._clock())
        return Turn(step, await self.store.begin(chat_id, step.session, update_id=update_id))

    async def resume(self, chat_id: int) -> Turn | None:
        """Return the chat's open session as it stands, or None when there is none."""
        stored, early = await self._open(chat_id, None)
        if early is not None:
            return early
        if stored is None or stored.session.finished:
            return None
        return self._showing(stored)

    async def press(
        self, chat_id: int, session_id: int | None, data: str, update_id: int | None = None
    ) -> Turn:
        """Answer with a button; a button of another session only gets a notice."""
        stored, early = await self._open(chat_id, update_id)
        if early is not None:
            return early
        if stored is None:
            return await self._nothing_yet(chat_id, update_id)
        if session_id == stored.id and data in (CONTINUE, RESTART):
            return await self._after_idle(stored, data, update_id)
        if session_id != stored.id:
            texts = self.dialogue.texts
            text = texts.finished if stored.session.finished else texts.stale
            return await self._unchanged(chat_id, update_id, Turn(
                Step("stale", stored.session, Reply(text)), stored))
        now = self._clock()
        if self._idle(stored, now):
            return await self._offer_to_continue(stored, update_id)
        step = engine.press(self.dialogue, stored.session, data, now)
        if step.kind == "stale" and _lost_reply(self.dialogue, stored.session, data, now):
            step = self._repeat(stored.session)
        return await self._apply(stored, step, update_id)

    async def type_answer(self, chat_id: int, text: str, update_id: int | None = None) -> Turn:
        """Answer with typed text; a chat with no session starts one first."""
        stored, early = await self._open(chat_id, update_id)
        if early is not None:
            return early
        if stored is None:
            return await self.start(chat_id, update_id)
        now = self._clock()
        if self._idle(stored, now):
            return await self._offer_to_continue(stored, update_id)
        step = engine.type_answer(self.dialogue, stored.session, text, now)
        return await self._apply(stored, step, update_id)

    async def back(self, chat_id: int, update_id: int | None = None) -> Turn:
        """Go back to the question asked before and undo its answer."""
        stored, early = await self._open(chat_id, update_id)
        if early is not None:
            return early
        if stored is None:
            return await self._nothing_yet(chat_id, update_id)
        return await self._apply(stored, engine.back(self.dialogue, stored.session), update_id)

    async def result(self, chat_id: int) -> Reply:
        """Return the chat's last recommendation, or say there is none yet."""
        stored = await self.store.last_finished(chat_id)
        if stored is None:
            return Reply(self.dialogue.texts.no_result)
        return engine.show(self.dialogue, stored.session)

    async def _open(
        self, chat_id: int, update_id: int | None
    ) -> tuple[StoredSession | None, Turn | None]:
        """Load the chat's session; return a finished Turn instead when nothing is left to do.

        That is a duplicate update, or an open session the current dialogue no longer fits
        (it starts again, saying why).
        """
        stored = await self.store.current(chat_id)
        if stored is None:
            return None, None
        if update_id is not None and self._seen(stored, update_id):
            return stored, _duplicate(stored)
        if stored.session.finished:
            return stored, None
        adopted = engine.adopt(self.dialogue, stored.session)
        if adopted is not None:
            return replace(stored, session=adopted), None
        step = engine.start(self.dialogue, self._clock())
        fresh = await self.store.begin(chat_id, step.session, update_id=update_id)
        changed = self.dialogue.texts.dialogue_changed
        reply = Reply(f"{changed}\n\n{step.reply.text}", step.reply.buttons)
        return fresh, Turn(replace(step, reply=reply), fresh)

    def _seen(self, stored: StoredSession | None, update_id: int) -> bool:
        return stored is not None and redelivered(
            update_id, stored.last_update_id, stored.last_update_at, self._clock())

    async def _apply(self, stored: StoredSession, step: Step, update_id: int | None) -> Turn:
        if not step.changed:
            return await self._unchanged(stored.chat_id, update_id, Turn(step, stored))
        return Turn(step, await self.store.save(stored, step.session, update_id=update_id))

    async def _unchanged(self, chat_id: int, update_id: int | None, turn: Turn) -> Turn:
        # Even a re-prompt is remembered, so a re-delivered update is not answered twice.
        if update_id is not None:
            await self.store.note_update(chat_id, update_id)
        return turn

    def _idle(self, stored: StoredSession, now: float) -> bool:
        return (
            self.idle_after is not None
            and not stored.session.finished
            and now - stored.updated_at > self.idle_after
        )

    async def _offer_to_continue(self, stored: StoredSession, update_id: int | None) -> Turn:
        """Ask whether to go on after a long pause; the input that woke the session waits.

        The session is touched, so whatever the person sends next is handled as usual.
        """
        texts = self.dialogue.texts
        buttons = (
            (Button(texts.idle_continue, CONTINUE),),
            (Button(texts.idle_restart, RESTART),),
        )
        touched = await self.store.save(stored, stored.session, update_id=update_id)
        return Turn(Step("idle", stored.session, Reply(texts.idle, buttons)), touched)

    async def _after_idle(self, stored: StoredSession, data: str, update_id: int | None) -> Turn:
        texts = self.dialogue.texts
        label = texts.idle_continue if data == CONTINUE else texts.idle_restart
        marked = texts.chosen.format(question=texts.idle, label=label)
        if data == RESTART:
            turn = await self.start(stored.chat_id, update_id)
        else:
            turn = await self._unchanged(stored.chat_id, update_id, self._showing(stored))
        return replace(turn, step=replace(turn.step, chosen_text=marked))

    def _showing(self, stored: StoredSession) -> Turn:
        """Return a Turn that shows the stored session's current question, changing nothing."""
        return Turn(Step("question", stored.session, engine.show(self.dialogue, stored.session)),
                    stored)

    def _repeat(self, session: Session) -> Step:
        """Show the current question again, marking the answer stored for the last one."""
        last = session.answers[-1]
        question = self.dialogue.questions[last.question]
        option = question.option(last.option)
        label = option.label if option else last.option
        return Step(
            "question", session, engine.show(self.dialogue, session),
            chosen_text=self.dialogue.texts.chosen.format(question=question.text, label=label),
        )

    async def _nothing_yet(self, chat_id: int, update_id: int | None) -> Turn:
        """Say there is nothing to act on: the chat has no session."""
        return await self._unchanged(chat_id, update_id, self._notice(
            self.dialogue.texts.no_result))

    def _notice(self, text: str) -> Turn:
        empty = Session(self.dialogue.id, self.dialogue.version, current=None)
        return Turn(Step("notice", empty, Reply(text)), None)


def _lost_reply(dialogue: Dialogue, session: Session, data: str, now: float) -> bool:
    """Tell a press whose reply may have been lost from a double press.

    A button of the question answered last, pressed again long after that answer, means the
    person never saw the next question (the bot stopped between storing and replying). A quick
    second press is a double press and only gets a notice; so does data no button carries.
    """
    if session.finished or not session.answers:
        return False
    last = session.answers[-1]
    button = engine.pressed(dialogue, data)
    return (
        button is not None
        and button[0].id == last.question
        and now - last.at > DOUBLE_PRESS_SECONDS
    )


def _duplicate(stored: StoredSession | None) -> Turn:
    session = stored.session if stored else Session("", "", current=None)
    return Turn(Step("duplicate", session, Reply("")), stored)
