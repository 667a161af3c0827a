"""Telegram's send limits as schedules, and which limit a request counts against.

A `Window` is "at most N in any T seconds" (a group's 20 a minute); a `Bucket` a steady pace
with a short burst (a private chat's one a second, the bot's 30 a second overall), kept as GCRA.
`FloodControl` (flood.py) holds one schedule per chat and one for the bot, and decides the
order; this module only says when the next request may go.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["free", "overall", "private", "group"]

_PACED_PREFIXES = ("send", "edit", "copy", "forward", "stopPoll")
CATCH_UP = 0.02
"""Seconds of the overall pace that may go at once after a late wake-up: none at 30 a second
(a burst reaches Telegram spread out by the network and its tail counts in the next second),
20 messages at a paid 1,000 a second, where one busy turn of the event loop is several slots."""


@dataclass(frozen=True)
class Window:
    """At most `count` requests in any `seconds`, as many of them at once as that allows."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"a window needs count >= 1 and seconds > 0, not {self}")

    def schedule(self, margin: float) -> Schedule:
        """Return an empty schedule for one chat (or the bot), `margin` widening the window."""
        return WindowSchedule(self.count, self.seconds * (1 + margin))


@dataclass(frozen=True)
class Bucket:
    """Up to `burst` requests at once, then `per_second` a second."""

    burst: int
    per_second: float

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_second <= 0:
            raise ValueError(f"a bucket needs burst >= 1 and per_second > 0, not {self}")

    def schedule(self, margin: float) -> Schedule:
        """Return an empty schedule, `margin` stretching the time between requests."""
        return BucketSchedule(self.burst, (1 + margin) / self.per_second)


Limit = Window | Bucket


def overall_pace(per_second: float) -> Bucket:
    """Return the pace for the bot as a whole at `per_second` messages (see CATCH_UP)."""
    return Bucket(burst=max(1, int(per_second * CATCH_UP)), per_second=per_second)


OVERALL: Limit = overall_pace(30.0)
PRIVATE: Limit = Bucket(burst=3, per_second=1.0)
GROUP: Limit = Window(20, 60.0)


class Schedule:
    """When requests went, and so when the next one may."""

    __slots__ = ()

    def earliest(self, now: float) -> float:
        """Return the earliest time, `now` or later, at which the next request may go."""
        raise NotImplementedError

    def take(self, at: float) -> None:
        """Record a request going at `at`: no earlier than `earliest` and the last one."""
        raise NotImplementedError

    def idle(self, now: float) -> bool:
        """Return True when the schedule is as good as new."""
        raise NotImplementedError


class WindowSchedule(Schedule):
    __slots__ = ("count", "seconds", "times")

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self.times: deque[float] = deque(maxlen=count)  # the latest `count` requests

    def earliest(self, now: float) -> float:
        if len(self.times) < self.count:
            return now
        return max(now, self.times[0] + self.seconds)

    def take(self, at: float) -> None:
        self.times.append(at)

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] + self.seconds <= now


class BucketSchedule(Schedule):
    """GCRA: the bucket kept as the time at which it would be full again."""

    __slots__ = ("interval", "tat", "tolerance")

    def __init__(self, burst: int, interval: float) -> None:
        self.interval, self.tolerance = interval, (burst - 1) * interval
        self.tat = -math.inf

    def earliest(self, now: float) -> float:
        return max(now, self.tat - self.tolerance)

    def take(self, at: float) -> None:
        self.tat = max(self.tat, at) + self.interval

    def idle(self, now: float) -> bool:
        return self.tat <= now


def edited(endpoint: str, chat: int | str | None,
            data: dict[str, Any]) -> tuple[int | str, int] | None:
    """Return the message an edit changes (chat, message id), or None for anything else."""
    message_id = data.get("message_id")
    if chat is None or not endpoint.startswith("edit") or not isinstance(message_id, int):
        return None
    return chat, message_id


def classify(endpoint: str, data: dict[str, Any]) -> tuple[Kind, int | str | None]:
    """Return how a request is paced, and the chat whose bucket it takes."""
    if not endpoint.startswith(_PACED_PREFIXES):
        return "free", None
    chat = data.get("chat_id")
    if chat is None:
        return "overall", None  # an inline message: no chat to count against
    if isinstance(chat, int):
        return ("private" if chat > 0 else "group"), chat
    text = str(chat)
    if text.lstrip("-").isdecimal():
        number = int(text)
        return ("private" if number > 0 else "group"), number
    return "group", text  # "@channelname": only channels and supergroups have usernames
