"""The question a session stands at, as a message: its progress line, text and buttons."""

from __future__ import annotations

from bot.engine import actions, ahead, multiple
from bot.engine.model import Button, Dialogue, Reply, Session


def progress(
    dialogue: Dialogue, session: Session, chosen: dict[str, str] | None = None
) -> tuple[int, int]:
    """Return (this question's number, questions this path will ask) for an open session.

    `chosen` is `session.chosen()`, when the caller has it already.
    """
    if chosen is None:
        chosen = session.chosen()
    _current(session)  # a finished session has no progress: fail loudly
    left = ahead.walk(dialogue, chosen).open_count
    done = len(session.answers)
    return done + 1, done + max(left, 1)


def question_reply(
    dialogue: Dialogue, session: Session, chosen: dict[str, str] | None = None, *,
    selected: int = 0,
) -> Reply:
    """Return the current question as a message with its progress line and buttons (at a
    multiple question, a line on how to answer before its text, which ends the message as
    elsewhere, and the options of the mask `selected` checked)."""
    question = dialogue.questions[_current(session)]
    number, total = progress(dialogue, session, chosen)
    heading = dialogue.texts.progress.format(number=number, total=total)
    buttons = multiple.buttons(dialogue, question, selected)
    if session.answers:
        back = Button(dialogue.texts.button_back, actions.action(actions.BACK, question.id))
        buttons = (*buttons, (back,))
    hint = f"{dialogue.texts.pick_several}\n\n" if question.multiple else ""
    return Reply(f"{heading}\n\n{hint}{question.text}", buttons)


def _current(session: Session) -> str:
    if session.current is None:
        raise ValueError("the session is finished and has no current question")
    return session.current
