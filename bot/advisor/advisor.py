"""The Advisor: the one door front ends use to run the dialogue for many chats.

Each call loads the chat's session, asks the pure engine what happens, commits the new session
when it changed, and only then returns a Turn: what to show, composed in full from the
dialogue's texts. Nothing here knows how a reply is displayed, and front ends never reach the
store themselves.

Updates carry Telegram's `update_id`; one the chat has handled already (a re-delivery after a
crash, see bot.engine.redelivery) changes nothing and gets a "duplicate" Turn.

Every call takes the person's `language` (Telegram's `language_code`, the terminal's --lang)
and answers in the chat's language: the one it chose with /language, else the person's if the
dialogue speaks it, else the dialogue's own (`Dialogue.speaking`). The engine then runs that
language's view of the dialogue, with the same ids: a session answered in one language goes
on in another.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.advisor.mydata import describe
from bot.advisor.showing import (
    duplicate,
    notice,
    repeated,
    restored,
    showing,
    stale,
    step_for_press,
    turn_of,
)
from bot.advisor.turns import CONTINUE, LANGUAGE, RESTART, Reload, Turn
from bot.engine import actions, engine
from bot.engine.checks import summary
from bot.engine.loader import load_dialogue
from bot.engine.model import Button, Dialogue, Reply, Step, Texts
from bot.engine.redelivery import delivery, lost_reply, redelivered
from bot.errors import DialogueError
from bot.storage.base import SessionStore, StoredSession

Clock = Callable[[], float]
log = logging.getLogger(__name__)

_SHOWS_WHERE_IT_STANDS = frozenset({"question", "result", "reprompt", "did_you_mean"})
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
        """Return the current dialogue's texts, in its own language."""
        return self._dialogue.texts

    async def speaking(self, chat_id: int, language: str | None = None) -> Dialogue:
        """Return the dialogue in the chat's language (see the module's docstring)."""
        return await self._chat_view(chat_id, await self._store.current(chat_id), language)

    async def _chat_view(
        self, chat_id: int, stored: StoredSession | None, language: str | None
    ) -> Dialogue:
        """Return the dialogue in the language chosen for the chat's session `stored`, or
        with none, for the chat."""
        chosen = (stored.chosen_language if stored is not None
                  else await self._store.chosen_language(chat_id))
        return self._dialogue.speaking(chosen, language)

    def _speaking(self, stored: StoredSession | None, language: str | None) -> Dialogue:
        return self._dialogue.speaking(stored.chosen_language if stored else None, language)

    # The dialogue --------------------------------------------------------------------------

    async def start(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None,
        welcome: bool = True,
    ) -> Turn:
        """Begin a fresh session, with a welcome unless told not to; an earlier one stays in
        the history."""
        stored = await self._store.current(chat_id)
        if update_id is not None and self._seen(stored, update_id):
            return duplicate(stored)
        view = await self._chat_view(chat_id, stored, language)
        step = engine.start(view, self._clock())
        stored = await self._store.begin(chat_id, step.session, update_id=update_id)
        return turn_of(step, stored, preface=view.texts.welcome if welcome else None)

    async def resume(self, chat_id: int, *, language: str | None = None) -> Turn | None:
        """Return the chat's open question as it stands, or None when there is none."""
        stored, early = await self._open(chat_id, None, language)
        if early is not None:
            return early
        if stored is None or stored.session.finished:
            return None
        return showing(self._speaking(stored, language), stored)

    async def press(
        self, chat_id: int, session_id: int | None, data: str, update_id: int | None = None,
        *, language: str | None = None,
    ) -> Turn:
        """Answer with a button, or do what an action button asks; a button of another
        session only gets a notice. A language button (from /language) works whatever the
        session."""
        if data.startswith(LANGUAGE):
            return await self.choose_language(
                chat_id, data.removeprefix(LANGUAGE), update_id, language=language)
        stored, early = await self._open(chat_id, update_id, language)
        if early is not None:
            return early
        view = self._speaking(stored, language)
        if stored is None or session_id != stored.id:
            return await self._noted(chat_id, update_id, self._elsewhere(view, stored))
        return await self._pressed_in(view, stored, data, update_id, language)

    async def _pressed_in(
        self, view: Dialogue, stored: StoredSession, data: str, update_id: int | None,
        language: str | None,
    ) -> Turn:
        """Handle a button of the chat's own session: an action, or an answer."""
        if data in (CONTINUE, RESTART):
            return await self._after_idle(view, stored, data, update_id, language)
        now = self._clock()
        if self._idle(stored, now):
            return await self._offer_to_continue(view, stored, update_id)
        if (action := actions.parse(data)) is not None:
            return await self._act(view, stored, *action, update_id=update_id,
                                   language=language)
        return await self._pressed(view, stored, data, update_id, now)

    async def type_answer(
        self, chat_id: int, text: str, update_id: int | None = None, *,
        language: str | None = None,
    ) -> Turn:
        """Answer with typed text; a chat with no session starts one first."""
        stored, early = await self._open(chat_id, update_id, language)
        if early is not None:
            return early
        if stored is None:
            return await self.start(chat_id, update_id, language=language)
        view = self._speaking(stored, language)
        now = self._clock()
        if self._idle(stored, now):
            return await self._offer_to_continue(view, stored, update_id)
        delivered = delivery(stored.shown, len(stored.session.answers))
        if delivered in ("unsure", "restored"):
            # Typed text names no question: it may answer one the person never saw (its
            # reply lost in a crash) or one from after a restored backup. Show where the
            # chat stands first; what they type next is taken.
            turn = (restored(view, stored) if delivered == "restored"
                    else showing(view, stored))
            return await self._noted(chat_id, update_id, turn)
        step = engine.type_answer(view, stored.session, text, now)
        return await self._apply(stored, step, update_id)

    async def back(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None
    ) -> Turn:
        """Go back to the question asked before and undo its answer."""
        opened = await self._open_session(chat_id, update_id, language)
        if isinstance(opened, Turn):
            return opened
        view, stored = opened
        return await self._apply(stored, engine.back(view, stored.session), update_id)

    async def change(
        self, chat_id: int, update_id: int | None = None, *, language: str | None = None
    ) -> Turn:
        """List the answers given so far, as buttons to answer one of them again."""
        opened = await self._open_session(chat_id, update_id, language)
        if isinstance(opened, Turn):
            return opened
        view, stored = opened
        return await self._act(view, stored, actions.CHANGE, None, update_id=update_id,
                               language=language)

    async def result(self, chat_id: int, *, language: str | None = None) -> Turn:
        """Show the chat's last recommendation; with none yet, where the chat stands."""
        stored = await self._store.last_finished(chat_id)
        if stored is not None:
            view = self._speaking(stored, language)
            return Turn("result", engine.show(view, stored.session), stored.session,
                        stored.id)
        current, early = await self._open(chat_id, None, language)
        if early is not None:
            return early
        view = self._speaking(current, language)
        if current is None:
            return notice(view.texts.no_result)
        return showing(view, current, preface=view.texts.no_result_yet)

    async def delivered(self, chat_id: int, turn: Turn) -> None:
        """Note that `turn`'s reply reached the person: the front end sent or printed it.

        Until then a typed answer is not applied (it may answer a question never seen) and a
        press on the previous question's button shows the reply again (bot.engine.redelivery).
        """
        if turn.kind in _SHOWS_WHERE_IT_STANDS and turn.session_id and turn.session:
            await self._store.note_shown(chat_id, turn.session_id, len(turn.session.answers))

    # Languages -----------------------------------------------------------------------------

    async def language_menu(self, chat_id: int, language: str | None = None) -> Reply:
        """Return /language's question: one button per language the dialogue speaks, each
        named in its own language."""
        view = await self.speaking(chat_id, language)
        buttons = tuple(
            (Button(self._dialogue.speaking(code).texts.language_name, f"{LANGUAGE}{code}"),)
            for code in self._dialogue.languages
        )
        return Reply(view.texts.language_prompt, buttons)

    async def choose_language(
        self, chat_id: int, code: str, update_id: int | None = None, *,
        language: str | None = None,
    ) -> Turn:
        """Speak `code` in this chat from now on (it is remembered); the open question, if
        any, is shown again in it, every answer kept."""
        stored = await self._store.current(chat_id)
        if update_id is not None and self._seen(stored, update_id):
            return duplicate(stored)
        if code not in self._dialogue.languages:  # forged, or a language since removed
            view = self._speaking(stored, language)
            return await self._noted(chat_id, update_id, Turn("stale", Reply(view.texts.stale)))
        await self._store.choose_language(chat_id, code)
        view = self._dialogue.speaking(code)
        texts = view.texts
        marked = texts.chosen.format(question=texts.language_prompt, label=texts.language_name)
        stored, early = await self._open(chat_id, None, code)
        if early is not None:
            turn = early
        elif stored is not None and not stored.session.finished:
            turn = showing(view, stored, preface=texts.language_chosen)
        else:
            turn = Turn("language", Reply(texts.language_chosen), None, None)
        return replace(await self._noted(chat_id, update_id, turn), marked=marked)

    # Around the dialogue -------------------------------------------------------------------

    async def my_data(self, chat_id: int, *, language: str | None = None) -> Reply:
        """Return everything stored about the chat, in words, within one message."""
        view = await self.speaking(chat_id, language)
        chosen = await self._store.chosen_language(chat_id)
        named = None if chosen is None else self._dialogue.speaking(chosen).texts.language_name
        return Reply(describe(view, chat_id, await self._store.history(chat_id), named))

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

    # Inside --------------------------------------------------------------------------------

    async def _pressed(
        self, view: Dialogue, stored: StoredSession, data: str, update_id: int | None,
        now: float,
    ) -> Turn:
        """Answer the session's current question with a button, or say why not."""
        session = stored.session
        step = step_for_press(view, session, data, now)
        if step.kind != "stale":
            return await self._apply(stored, step, update_id)
        delivered = delivery(stored.shown, len(session.answers))
        if delivered == "restored":
            turn = restored(view, stored)
        elif lost_reply(view, session, data, now, delivered):
            turn = repeated(view, stored)
        else:
            turn = turn_of(step, stored)
        return await self._noted(stored.chat_id, update_id, turn)

    async def _act(
        self, view: Dialogue, stored: StoredSession, name: str, argument: str | None, *,
        update_id: int | None, language: str | None,
    ) -> Turn:
        """Do what an action button asks (bot.engine.actions) for the chat's own session."""
        session = stored.session
        if name == actions.START:
            return await self.start(stored.chat_id, update_id, language=language, welcome=False)
        if name == actions.BACK:
            if argument is None or argument != session.current:  # an older question's
                return await self._noted(stored.chat_id, update_id, stale(view, stored))
            turn = await self._apply(stored, engine.back(view, session), update_id)
            question = view.questions[argument]
            return replace(turn, marked=view.texts.back_marked.format(question=question.text))
        if name == actions.CHANGE and argument is not None:
            step = engine.revise(view, session, argument)
            if not step.changed:
                return await self._noted(stored.chat_id, update_id, turn_of(step, stored))
            return turn_of(step, await self._store.revise(stored, step.session,
                                                          update_id=update_id))
        if name == actions.CHANGE:
            step = engine.answers_to_change(view, session)
        elif name == actions.WHY_NOT:
            step = engine.why_not(view, session, argument or "")
        else:
            step = engine.what_if(view, session)
        return await self._noted(stored.chat_id, update_id, turn_of(step, stored))

    async def _open(
        self, chat_id: int, update_id: int | None, language: str | None
    ) -> tuple[StoredSession | None, Turn | None]:
        """Load the chat's session; return a finished Turn instead when nothing is left to do.

        That is a duplicate update, or an open session the current dialogue no longer fits
        (it starts again, saying why).
        """
        stored = await self._store.current(chat_id)
        if stored is None:
            return None, None
        if update_id is not None and self._seen(stored, update_id):
            return stored, duplicate(stored)
        if stored.session.finished:
            return stored, None
        adopted = engine.adopt(self._dialogue, stored.session)
        if adopted is not None:
            return replace(stored, session=adopted), None
        view = self._speaking(stored, language)
        step = engine.start(view, self._clock())
        fresh = await self._store.begin(chat_id, step.session, update_id=update_id)
        return fresh, turn_of(step, fresh, preface=view.texts.dialogue_changed)

    async def _open_session(
        self, chat_id: int, update_id: int | None, language: str | None
    ) -> tuple[Dialogue, StoredSession] | Turn:
        """Open the chat's session for a command that acts on one: return the dialogue in the
        chat's language and the session, or the Turn that answers instead (see `_open`; with
        no session, "no recommendation yet")."""
        stored, early = await self._open(chat_id, update_id, language)
        if early is not None:
            return early
        view = self._speaking(stored, language)
        if stored is None:
            return await self._noted(chat_id, update_id, notice(view.texts.no_result))
        return view, stored

    def _seen(self, stored: StoredSession | None, update_id: int) -> bool:
        return stored is not None and redelivered(
            update_id, stored.last_update_id, stored.last_update_at, self._clock())

    async def _apply(self, stored: StoredSession, step: Step, update_id: int | None) -> Turn:
        if not step.changed:
            return await self._noted(stored.chat_id, update_id, turn_of(step, stored))
        return turn_of(step, await self._store.save(stored, step.session, update_id=update_id))

    async def _noted(self, chat_id: int, update_id: int | None, turn: Turn) -> Turn:
        # Even a re-prompt is remembered, so a re-delivered update is not answered twice.
        if update_id is not None:
            await self._store.note_update(chat_id, update_id)
        return turn

    def _idle(self, stored: StoredSession, now: float) -> bool:
        return (
            self.idle_after is not None
            and not stored.session.finished
            and now - stored.updated_at > self.idle_after
        )

    async def _offer_to_continue(
        self, view: Dialogue, stored: StoredSession, update_id: int | None
    ) -> Turn:
        """Ask whether to go on after a long pause; the input that woke the session waits.

        The session is touched, so whatever the person sends next is handled as usual.
        """
        texts = view.texts
        buttons = (
            (Button(texts.idle_continue, CONTINUE),),
            (Button(texts.idle_restart, RESTART),),
        )
        touched = await self._store.save(stored, stored.session, update_id=update_id)
        return Turn("idle", Reply(texts.idle, buttons), touched.session, touched.id)

    async def _after_idle(
        self, view: Dialogue, stored: StoredSession, data: str, update_id: int | None,
        language: str | None,
    ) -> Turn:
        texts = view.texts
        label = texts.idle_continue if data == CONTINUE else texts.idle_restart
        marked = texts.chosen.format(question=texts.idle, label=label)
        if data == RESTART:
            turn = await self.start(stored.chat_id, update_id, language=language)
        else:
            turn = await self._noted(stored.chat_id, update_id, showing(view, stored))
        return replace(turn, marked=marked)

    def _elsewhere(self, view: Dialogue, stored: StoredSession | None) -> Turn:
        """Answer a button of no session, or of a session that is not the chat's latest."""
        if stored is None:
            return notice(view.texts.no_result)
        shown = delivery(stored.shown, len(stored.session.answers))
        if shown == "restored":
            # Put back from a backup: this button may be from a session or a question the
            # backup does not have.
            return restored(view, stored)
        if shown == "unsure":
            # The button that began this session ("Start over", "Change an answer") may have
            # been pressed again because its reply never arrived: show where the chat stands.
            return showing(view, stored)
        return stale(view, stored)


def _load(path: Path) -> tuple[Dialogue, str]:
    dialogue = load_dialogue(path)
    return dialogue, summary(dialogue)
