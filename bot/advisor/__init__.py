"""The Advisor, the one service front ends call, and what it answers with."""

from bot.advisor.advisor import Advisor
from bot.advisor.opening import opened
from bot.advisor.turns import CONTINUE, LANGUAGE, RESTART, Reload, Turn, TurnKind

__all__ = ["CONTINUE", "LANGUAGE", "RESTART", "Advisor", "Reload", "Turn", "TurnKind", "opened"]
