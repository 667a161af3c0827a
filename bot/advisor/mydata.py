"""What /mydata shows: everything stored about a chat, in words, within one message."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine.model import TEXT_LIMIT, Dialogue
from bot.storage.base import StoredSession


def describe(dialogue: Dialogue, chat_id: int, history: list[StoredSession]) -> str:
    """Return what is stored about a chat, in words, within one message."""
    texts = dialogue.texts
    if not history:
        return texts.mydata_empty
    parts = [texts.mydata_heading.format(chat_id=chat_id)]
    parts.extend(_describe_session(dialogue, stored) for stored in reversed(history))
    text = "\n\n".join(parts)
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    return text


def _describe_session(dialogue: Dialogue, stored: StoredSession) -> str:
    session = stored.session
    started = _when(session.started_at)
    outcome = dialogue.outcomes.get(session.outcome or "")
    waiting = dialogue.questions.get(session.current or "")
    state = {
        "finished": f"finished: {outcome.title if outcome else session.outcome}",
        "active": dialogue.texts.mydata_open.format(
            question=waiting.text if waiting else session.current),
        "restarted": "left unfinished (started again)",
    }[stored.status]
    if stored.revises is not None:
        state += f", {dialogue.texts.mydata_revision.format(session=stored.revises)}"
    lines = [f"Session {stored.id}, started {started}, {state}"]
    for answer in session.answers:
        question = dialogue.questions.get(answer.question)
        option = question.option(answer.option) if question else None
        asked = question.text if question else answer.question
        label = option.label if option else answer.option
        lines.append(f"• {asked} → {label} ({_when(answer.at)})")
    return "\n".join(lines)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
