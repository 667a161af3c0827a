"""Every private name of a dependency the bot uses, in one place, each guarded.

Each is used for a measured reason, in exactly one module that says why, and the dependency is
pinned in pyproject.toml to the versions tested. When an upgrade changes one of these names,
the test below fails with what changed and where the name is used, instead of the bot failing
at its first message.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from telegram.ext import ExtBot

PRIVATE_NAMES: dict[str, str] = {
    "telegram.ext.ExtBot._post": (
        "bot/telegram/botapi.py: sendMessage and editMessageText through PTB's rate limiter "
        "and errors without parsing Telegram's echo of the message"
    ),
}


def _parameters(function: Callable[..., object]) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_ptb_bot_post_still_takes_an_endpoint_and_its_data() -> None:
    post = getattr(ExtBot, "_post", None)
    used_by = PRIVATE_NAMES["telegram.ext.ExtBot._post"]
    assert inspect.iscoroutinefunction(post), (
        f"python-telegram-bot no longer has an async ExtBot._post, which {used_by}: "
        "rewrite AdvisorBot with Bot.do_api_request or the public send_message"
    )
    assert _parameters(post)[:3] == ["self", "endpoint", "data"], (
        f"ExtBot._post now takes {_parameters(post)}, not (endpoint, data, ...); it is used by "
        f"{used_by}"
    )
