"""A strict fake Telegram Bot API server and the user on the other side, for end-to-end tests."""

from tests.fakebot.checks import ApiError, InlineButton
from tests.fakebot.server import BotMessage, Call, Chat, FakeBotApi
from tests.fakebot.user import FakeGroup, FakeUser

__all__ = [
    "ApiError", "BotMessage", "Call", "Chat", "FakeBotApi", "FakeGroup", "FakeUser",
    "InlineButton",
]
