"""Telegram delivers updates at least once: telling a re-delivery, or a press whose reply was
lost, from new input.

An update that was handled before a crash comes again after the restart, and must change
nothing. Telegram numbers updates in order, so one at or below the last id handled for the chat
was seen, with one exception: "If there are no new updates for at least a week, then identifier
of the next update will be chosen randomly instead of sequentially" (Bot API, Update). And
Telegram keeps an update it could not deliver for at most 24 hours. So an id at or below the
last one is a re-delivery only while that last one was recorded within REDELIVERY_WINDOW: after
that no update of the chat can still be waiting, and a lower id is Telegram counting afresh.
"""

from __future__ import annotations

from bot.engine.engine import pressed
from bot.engine.model import Dialogue, Session

REDELIVERY_WINDOW = 24 * 3600.0
"""Seconds for which Telegram may deliver an update again: it keeps them at most 24 hours."""


def redelivered(
    update_id: int, last_id: int | None, last_at: float | None, now: float
) -> bool:
    """Tell whether update `update_id` was handled already, given the chat's last handled
    update (`last_id`, recorded at `last_at`) and the time `now` (same clock)."""
    if last_id is None or update_id > last_id:
        return False
    return last_at is None or now - last_at < REDELIVERY_WINDOW


DOUBLE_PRESS_SECONDS = 5.0
"""Within this time a second press of an answered question's button is a double press."""


def lost_reply(dialogue: Dialogue, session: Session, data: str, now: float) -> bool:
    """Tell a press whose reply may have been lost from a double press.

    A button of the question answered last, pressed again long after that answer, means the
    person never saw the next question (the bot stopped between storing and replying). A quick
    second press is a double press and only gets a notice; so does data no button carries.
    """
    if session.finished or not session.answers:
        return False
    last = session.answers[-1]
    button = pressed(dialogue, data)
    return (
        button is not None
        and button[0].id == last.question
        and now - last.at > DOUBLE_PRESS_SECONDS
    )
