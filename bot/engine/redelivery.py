"""Telegram delivers updates at least once: telling a re-delivery from new input.

An update that was handled before a crash comes again after the restart, and must change
nothing. Telegram numbers updates in order, so one at or below the last id handled for the chat
was seen, with one exception: "If there are no new updates for at least a week, then identifier
of the next update will be chosen randomly instead of sequentially" (Bot API, Update). And
Telegram keeps an update it could not deliver for at most 24 hours. So an id at or below the
last one is a re-delivery only while that last one was recorded within REDELIVERY_WINDOW: after
that no update of the chat can still be waiting, and a lower id is Telegram counting afresh.
"""

from __future__ import annotations

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
