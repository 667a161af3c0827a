"""What /mydata shows: everything stored about a chat, in words, within one message."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine.model import TEXT_LIMIT, Dialogue
from bot.storage.base import StoredSession


def describe(
    dialogue: Dialogue, chat_id: int, history: list[StoredSession], chosen: str | None = None
) -> str:
    """Return what is stored about a chat, in words, within one message.

    `dialogue` is the view in the chat's language; `chosen` the language the chat chose with
    /language, if it did (that is stored too).
    """
    texts = dialogue.texts
    if not history and chosen is None:
        return texts.mydata_empty
    parts = [texts.mydata_heading.format(chat_id=chat_id)]
    if chosen is not None:
        parts.append(texts.mydata_language.format(language=chosen))
    parts.extend(_describe_session(dialogue, stored) for stored in reversed(history))
    text = "\n\n".join(parts)
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    return text


def _describe_session(dialogue: Dialogue, stored: StoredSession) -> str:
    texts = dialogue.texts
    session = stored.session
    outcome = dialogue.outcomes.get(session.outcome or "")
    current = dialogue.questions.get(session.current or "")
    state = {
        "finished": lambda: texts.mydata_finished.format(
            title=outcome.title if outcome else session.outcome),
        "active": lambda: texts.mydata_open.format(
            question=current.text if current else session.current),
        "restarted": lambda: texts.mydata_restarted,
    }[stored.status]()
    if stored.revises is not None:
        state += f", {texts.mydata_revision.format(session=stored.revises)}"
    lines = [texts.mydata_session.format(
        number=stored.id, started=_when(session.started_at), state=state)]
    for answer in session.answers:
        question = dialogue.questions.get(answer.question)
        option = question.choice(answer.option) if question else None
        lines.append(texts.mydata_answer.format(
            question=question.text if question else answer.question,
            label=option.label if option else answer.option,
            at=_when(answer.at),
        ))
    return "\n".join(lines)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
