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

from typing import Literal

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
"""Within this time a second press of an answered question's button is a double press, when
whether the reply reached the person is not known (sessions stored before that was kept)."""

Delivery = Literal["shown", "unsure", "restored", "unknown"]
"""Whether what a session shows now reached the person:

- shown: its reply was confirmed sent;
- unsure: it was stored, but the bot may have stopped before its reply went out;
- restored: the session came back from a backup; people may have seen later questions;
- unknown: stored before the bot kept track (taken as shown, with the double-press window).
"""

NOT_SHOWN = -1
RESTORED = -2
"""The values a store keeps for "not confirmed yet" and "restored" (bot.storage.base)."""


def delivery(shown: int | None, answers: int) -> Delivery:
    """Tell whether a session with `answers` answers had its reply shown, from what the store
    keeps: the number of answers when its reply was confirmed sent."""
    if shown is None:
        return "unknown"
    if shown == RESTORED:
        return "restored"
    return "shown" if shown == answers else "unsure"


def lost_reply(
    dialogue: Dialogue, session: Session, data: str, now: float, delivered: Delivery
) -> bool:
    """Tell a press whose reply may have been lost from a double press.

    A button of the question answered last, pressed again while its reply (the next question,
    or the result) is not known to have reached the person, means they never saw it: the bot
    stopped between storing and replying. Once it was shown, such a press is a double press
    and only gets a notice; so does data no button carries.
    """
    if not session.answers or delivered == "shown":
        return False
    last = session.answers[-1]
    question = pressed(dialogue, data)
    if question is None or question.id != last.question:
        return False
    return delivered == "unsure" or now - last.at > DOUBLE_PRESS_SECONDS
