"""The terminal front end: the same Advisor, numbered options instead of buttons."""

from bot.console.render import locale_language, render
from bot.console.terminal import CONSOLE_CHAT_ID, Console

__all__ = ["CONSOLE_CHAT_ID", "Console", "locale_language", "render"]
