"""Telling a re-delivered update from a new one, Telegram's id restarts included."""

from __future__ import annotations

from bot.engine.redelivery import REDELIVERY_WINDOW, redelivered

DAY = 24 * 3600.0


def test_an_id_above_the_last_one_is_new_whenever_it_comes() -> None:
    assert not redelivered(11, 10, 1000.0, 1000.5)
    assert not redelivered(11, 10, 1000.0, 1000.0 + 30 * DAY)


def test_an_id_at_or_below_the_last_one_within_a_day_was_handled_already() -> None:
    assert redelivered(10, 10, 1000.0, 1001.0)
    assert redelivered(3, 10, 1000.0, 1000.0 + REDELIVERY_WINDOW - 1)


def test_a_lower_id_after_a_quiet_week_is_telegram_counting_afresh() -> None:
    # Telegram keeps an update at most a day and restarts ids only after a week without any.
    assert not redelivered(3, 10, 1000.0, 1000.0 + REDELIVERY_WINDOW)
    assert not redelivered(3, 10, 1000.0, 1000.0 + 8 * DAY)


def test_a_chat_with_nothing_recorded_has_seen_nothing() -> None:
    assert not redelivered(1, None, None, 1000.0)
    # An id without a time (a file from before times were kept) stays a re-delivery.
    assert redelivered(1, 10, None, 1000.0 + 8 * DAY)
