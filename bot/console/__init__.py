"""The terminal front end: the same Advisor, numbered options instead of buttons."""

from bot.console.terminal import CONSOLE_CHAT_ID, Console, locale_language, render

__all__ = ["CONSOLE_CHAT_ID", "Console", "locale_language", "render"]
