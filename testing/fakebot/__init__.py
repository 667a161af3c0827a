"""A strict fake Telegram Bot API server and the user on the other side, for end-to-end tests."""

from testing.fakebot.checks import ApiError, InlineButton
from testing.fakebot.server import BotMessage, Call, Chat, FakeBotApi
from testing.fakebot.user import FakeGroup, FakeUser

__all__ = [
    "ApiError", "BotMessage", "Call", "Chat", "FakeBotApi", "FakeGroup", "FakeUser",
    "InlineButton",
]
