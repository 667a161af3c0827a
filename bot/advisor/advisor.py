"""The Advisor: the one door front ends use to run the dialogue for many chats.

Each call loads the chat's session, asks the pure engine what happens, commits the new session
when it changed, and only then returns a Turn: what to show, composed in full from the
dialogue's texts. Nothing here knows how a reply is displayed, and front ends never reach the
store themselves.

Updates carry Telegram's `update_id`; one the chat has handled already (a re-delivery after a
crash, see bot.engine.redelivery) changes nothing and gets a "duplicate" Turn.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.advisor.mydata import describe
from bot.advisor.turns import CONTINUE, RESTART, Reload, Turn, TurnKind
from bot.engine import actions, engine
from bot.engine.checks import summary
from bot.engine.loader import load_dialogue
from bot.engine.model import Button, Dialogue, Reply, Step, Texts
from bot.engine.redelivery import delivery, lost_reply, redelivered
from bot.errors import DialogueError
from bot.storage.base import SessionStore, StoredSession

Clock = Callable[[], float]
log = logging.getLogger(__name__)

_SHOWS_WHERE_IT_STANDS = frozenset({"question", "result", "reprompt"})
"""Turns whose reply shows the session's current question or result."""


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
        self._dialogue = dialogue
        self._store = store
        self._clock = clock
        self.idle_after = idle_after

    @property
    def dialogue(self) -> Dialogue:
        """Return the dialogue in use (a reload may swap it)."""
        return self._dialogue

    @property
    def texts(self) -> Texts:
        """Return the current dialogue's texts."""
        return self._dialogue.texts

    # The dialogue --------------------------------------------------------------------------

    async def start(
        self, chat_id: int, update_id: int | None = None, *, welcome: bool = True
    ) -> Turn:
        """Begin a fresh session, with a welcome unless told not to; an earlier one stays in
        the history."""
        if update_id is not None:
            stored = await self._store.current(chat_id)
            if self._seen(stored, update_id):
                return _duplicate(stored)
        step = engine.start(self._dialogue, self._clock())
        stored = await self._store.begin(chat_id, step.session, update_id=update_id)
        return self._turn(step, stored, preface=self.texts.welcome if welcome else None)

    async def resume(self, chat_id: int) -> Turn | None:
        """Return the chat's open question as it stands, or None when there is none."""
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
        if stored is None or session_id != stored.id:
            return await self._noted(chat_id, update_id, self._elsewhere(stored))
        if data in (CONTINUE, RESTART):
            return await self._after_idle(stored, data, update_id)
        now = self._clock()
        if self._idle(stored, now):
            return await self._offer_to_continue(stored, update_id)
        action = actions.parse(data)
        if action is not None:
            return await self._act(stored, *action, update_id)
        return await self._pressed(stored, data, update_id, now)

    async def change(self, chat_id: int, update_id: int | None = None) -> Turn:
        """List the answers given so far, as buttons to answer one of them again."""
        stored, early = await self._open(chat_id, update_id)
        if early is not None:
            return early
        if stored is None:
            return await self._noted(chat_id, update_id, self._notice(self.texts.no_result))
        return await self._act(stored, actions.CHANGE, None, update_id)

    async def _pressed(
        self, stored: StoredSession, data: str, update_id: int | None, now: float
    ) -> Turn:
        """Answer the session's current question with a button, or say why not."""
        session = stored.session
        step = engine.press(self._dialogue, session, data, now)
        if step.kind != "stale":
            return await self._apply(stored, step, update_id)
        delivered = delivery(stored.shown, len(session.answers))
        if delivered == "restored":
            turn = self._restored(stored)
        elif lost_reply(self._dialogue, session, data, now, delivered):
            turn = self._repeat(stored)
        else:
            turn = self._turn(step, stored)
        return await self._noted(stored.chat_id, update_id, turn)

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
        delivered = delivery(stored.shown, len(stored.session.answers))
        if delivered in ("unsure", "restored"):
            # Typed text names no question: it may answer one the person never saw (its
            # reply lost in a crash) or one from after a restored backup. Show where the
            # chat stands first; what they type next is taken.
            turn = self._restored(stored) if delivered == "restored" else self._showing(stored)
            return await self._noted(chat_id, update_id, turn)
        step = engine.type_answer(self._dialogue, stored.session, text, now)
        return await self._apply(stored, step, update_id)

    async def back(self, chat_id: int, update_id: int | None = None) -> Turn:
        """Go back to the question asked before and undo its answer."""
        stored, early = await self._open(chat_id, update_id)
        if early is not None:
            return early
        if stored is None:
            return await self._noted(chat_id, update_id, self._notice(self.texts.no_result))
        return await self._apply(stored, engine.back(self._dialogue, stored.session), update_id)

    async def result(self, chat_id: int) -> Turn:
        """Show the chat's last recommendation; with none yet, where the chat stands."""
        stored = await self._store.last_finished(chat_id)
        if stored is not None:
            return Turn("result", engine.show(self._dialogue, stored.session), stored.session,
                        stored.id)
        current, early = await self._open(chat_id, None)
        if early is not None:
            return early
        if current is None:
            return self._notice(self.texts.no_result)
        return self._showing(current, preface=self.texts.no_result_yet)

    async def delivered(self, chat_id: int, turn: Turn) -> None:
        """Note that `turn`'s reply reached the person: the front end sent or printed it.

        Until then a typed answer is not applied (it may answer a question never seen) and a
        press on the previous question's button shows the reply again (bot.engine.redelivery).
        """
        if turn.kind in _SHOWS_WHERE_IT_STANDS and turn.session_id and turn.session:
            await self._store.note_shown(chat_id, turn.session_id, len(turn.session.answers))

    # Around the dialogue -------------------------------------------------------------------

    async def my_data(self, chat_id: int) -> Reply:
        """Return everything stored about the chat, in words, within one message."""
        return Reply(describe(self._dialogue, chat_id, await self._store.history(chat_id)))

    async def forget(self, chat_id: int) -> int:
        """Delete everything stored about the chat; return how many sessions went."""
        return await self._store.forget(chat_id)

    async def mark_blocked(self, chat_id: int) -> None:
        """Remember that the chat cannot be written to; its answers stay stored."""
        await self._store.mark_inactive(chat_id)

    async def reload(self, path: Path) -> Reload:
        """Load and check `path`; switch to it only when it has no problems."""
        old = self._dialogue
        try:
            # Loading and checking (within its time budget) is CPU work, and so is counting
            # the paths for the summary: both off the event loop, which serves the chats.
            dialogue, described = await asyncio.to_thread(_load, path)
        except DialogueError as error:
            log.error("reload refused, %s v%s stays:\n%s", old.id, old.version, error)
            return Reload(switched=False, message=str(error))
        self._dialogue = dialogue
        log.info("dialogue reloaded: %s", described)
        return Reload(switched=True, message=described)

    # Actions around the questions ----------------------------------------------------------

    async def _act(
        self, stored: StoredSession, name: str, argument: str | None, update_id: int | None
    ) -> Turn:
        """Do what an action button asks (bot.engine.actions) for the chat's own session."""
        dialogue, session = self._dialogue, stored.session
        if name == actions.START:
            return await self.start(stored.chat_id, update_id, welcome=False)
        if name == actions.BACK:
            if argument is None or argument != session.current:  # an older question's
                return await self._noted(stored.chat_id, update_id, self._stale(stored))
            turn = await self._apply(stored, engine.back(dialogue, session), update_id)
            question = dialogue.questions[argument]
            return replace(turn, marked=self.texts.back_marked.format(question=question.text))
        if name == actions.CHANGE and argument is not None:
            step = engine.revise(dialogue, session, argument)
            if not step.changed:
                return await self._noted(stored.chat_id, update_id, self._turn(step, stored))
            revised = await self._store.revise(stored, step.session, update_id=update_id)
            return self._turn(step, revised)
        if name == actions.CHANGE:
            step = engine.answers_to_change(dialogue, session)
        elif name == actions.WHY_NOT:
            step = engine.why_not(dialogue, session, argument or "")
        else:
            step = engine.what_if(dialogue, session)
        return await self._noted(stored.chat_id, update_id, self._turn(step, stored))

    # Inside --------------------------------------------------------------------------------

    async def _open(
        self, chat_id: int, update_id: int | None
    ) -> tuple[StoredSession | None, Turn | None]:
        """Load the chat's session; return a finished Turn instead when nothing is left to do.

        That is a duplicate update, or an open session the current dialogue no longer fits
        (it starts again, saying why).
        """
        stored = await self._store.current(chat_id)
        if stored is None:
            return None, None
        if update_id is not None and self._seen(stored, update_id):
            return stored, _duplicate(stored)
        if stored.session.finished:
            return stored, None
        adopted = engine.adopt(self._dialogue, stored.session)
        if adopted is not None:
            return replace(stored, session=adopted), None
        step = engine.start(self._dialogue, self._clock())
        fresh = await self._store.begin(chat_id, step.session, update_id=update_id)
        return fresh, self._turn(step, fresh, preface=self.texts.dialogue_changed)

    def _seen(self, stored: StoredSession | None, update_id: int) -> bool:
        return stored is not None and redelivered(
            update_id, stored.last_update_id, stored.last_update_at, self._clock())

    async def _apply(self, stored: StoredSession, step: Step, update_id: int | None) -> Turn:
        if not step.changed:
            return await self._noted(stored.chat_id, update_id, self._turn(step, stored))
        return self._turn(step, await self._store.save(stored, step.session, update_id=update_id))

    async def _noted(self, chat_id: int, update_id: int | None, turn: Turn) -> Turn:
        # Even a re-prompt is remembered, so a re-delivered update is not answered twice.
        if update_id is not None:
            await self._store.note_update(chat_id, update_id)
        return turn

    def _turn(self, step: Step, stored: StoredSession, *, preface: str | None = None) -> Turn:
        reply = step.reply
        if preface is not None:
            reply = Reply(f"{preface}\n\n{reply.text}", reply.buttons)
        return Turn(step.kind, reply, step.session, stored.id, step.chosen_text)

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
        buttons = (
            (Button(self.texts.idle_continue, CONTINUE),),
            (Button(self.texts.idle_restart, RESTART),),
        )
        touched = await self._store.save(stored, stored.session, update_id=update_id)
        return Turn("idle", Reply(self.texts.idle, buttons), touched.session, touched.id)

    async def _after_idle(self, stored: StoredSession, data: str, update_id: int | None) -> Turn:
        texts = self.texts
        label = texts.idle_continue if data == CONTINUE else texts.idle_restart
        marked = texts.chosen.format(question=texts.idle, label=label)
        if data == RESTART:
            turn = await self.start(stored.chat_id, update_id)
        else:
            turn = await self._noted(stored.chat_id, update_id, self._showing(stored))
        return replace(turn, marked=marked)

    def _showing(self, stored: StoredSession, *, preface: str | None = None) -> Turn:
        """Return a Turn that shows what the stored session shows now (its question, or its
        result), changing nothing."""
        reply = engine.show(self._dialogue, stored.session)
        if preface is not None:
            reply = Reply(f"{preface}\n\n{reply.text}", reply.buttons)
        kind: TurnKind = "result" if stored.session.finished else "question"
        return Turn(kind, reply, stored.session, stored.id)

    def _restored(self, stored: StoredSession) -> Turn:
        """Show where the chat stands after a restore from a backup, saying so."""
        return self._showing(stored, preface=self.texts.restored)

    def _repeat(self, stored: StoredSession) -> Turn:
        """Show the current question again, marking the answer stored for the last one."""
        session = stored.session
        last = session.answers[-1]
        question = self._dialogue.questions[last.question]
        option = question.option(last.option)
        label = option.label if option else last.option
        marked = self.texts.chosen.format(question=question.text, label=label)
        return replace(self._showing(stored), marked=marked)

    def _elsewhere(self, stored: StoredSession | None) -> Turn:
        """Answer a button of no session, or of a session that is not the chat's latest."""
        if stored is None:
            return self._notice(self.texts.no_result)
        shown = delivery(stored.shown, len(stored.session.answers))
        if shown == "restored":
            # Put back from a backup: this button may be from a session or a question the
            # backup does not have.
            return self._restored(stored)
        if shown == "unsure":
            # The button that began this session ("Start over", "Change an answer") may have
            # been pressed again because its reply never arrived: show where the chat stands.
            return self._showing(stored)
        return self._stale(stored)

    def _stale(self, stored: StoredSession) -> Turn:
        """Say a button is from the past: from an earlier question, or the dialogue is over."""
        text = self.texts.finished if stored.session.finished else self.texts.stale
        return Turn("stale", Reply(text), stored.session, stored.id)

    def _notice(self, text: str) -> Turn:
        return Turn("notice", Reply(text))


def _load(path: Path) -> tuple[Dialogue, str]:
    dialogue = load_dialogue(path)
    return dialogue, summary(dialogue)


def _duplicate(stored: StoredSession | None) -> Turn:
    return Turn("duplicate", Reply(""), stored.session if stored else None,
                stored.id if stored else None)

