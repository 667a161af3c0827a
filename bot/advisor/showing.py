"""Turns that show where a chat stands, built from a session as stored: no I/O, no decisions.

The Advisor decides what happens to a chat; these put its answer into words, in the language
view of the dialogue it was given.
"""

from __future__ import annotations

from dataclasses import replace

from bot.advisor.turns import Turn, TurnKind
from bot.engine import engine
from bot.engine.compose import prefaced
from bot.engine.engine import SHOW_OPTIONS
from bot.engine.model import Dialogue, Reply, Session, Step
from bot.storage.base import StoredSession


def turn_of(step: Step, stored: StoredSession, *, preface: str | None = None) -> Turn:
    """Return the Turn of an engine step on `stored`, with `preface` in front of its text."""
    reply = step.reply if preface is None else prefaced(step.reply, preface)
    return Turn(step.kind, reply, step.session, stored.id, step.chosen_text)


def showing(view: Dialogue, stored: StoredSession, *, preface: str | None = None) -> Turn:
    """Return a Turn that shows what the stored session shows now (its question, or its
    result), changing nothing."""
    reply = engine.show(view, stored.session)
    if preface is not None:
        reply = prefaced(reply, preface)
    kind: TurnKind = "result" if stored.session.finished else "question"
    return Turn(kind, reply, stored.session, stored.id)


def restored(view: Dialogue, stored: StoredSession) -> Turn:
    """Show where the chat stands after a restore from a backup, saying so."""
    return showing(view, stored, preface=view.texts.restored)


def repeated(view: Dialogue, stored: StoredSession) -> Turn:
    """Show the current question (or result) again, marking the answer stored for the last
    question: its reply was lost."""
    last = stored.session.answers[-1]
    question = view.questions[last.question]
    option = question.choice(last.option)
    label = option.label if option else last.option
    marked = view.texts.chosen.format(question=question.text, label=label)
    return replace(showing(view, stored), marked=marked)


def stale(view: Dialogue, stored: StoredSession) -> Turn:
    """Say a button is from the past: from an earlier question, or the dialogue is over."""
    texts = view.texts
    text = texts.finished if stored.session.finished else texts.stale
    return Turn("stale", Reply(text), stored.session, stored.id)


def notice(text: str) -> Turn:
    """Return a short message that changes nothing."""
    return Turn("notice", Reply(text))


def duplicate(stored: StoredSession | None) -> Turn:
    """Return the Turn of an update handled before: nothing to show."""
    return Turn("duplicate", Reply(""), stored.session if stored else None,
                stored.id if stored else None)


def step_for_press(view: Dialogue, session: Session, data: str, now: float) -> Step:
    """Return what a button press does: "Show all the answers" (under "Did you mean ...?")
    shows the question again with every answer a button; any other goes to the engine."""
    if data == SHOW_OPTIONS and not session.finished:
        return Step("question", session, engine.show(view, session))
    return engine.press(view, session, data, now)
