"""Swap in an edited dialogue without a restart, only when it is valid."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.advisor import Advisor
from bot.engine.checks import summary
from bot.engine.loader import load_dialogue
from bot.errors import DialogueError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reload:
    """What a reload did: switched (with the new summary) or kept the old dialogue (why)."""

    switched: bool
    message: str


async def reload_dialogue(advisor: Advisor, path: Path) -> Reload:
    """Load and check `path`; switch the advisor to it only when it has no problems."""
    old = advisor.dialogue
    try:
        # Loading and checking takes a few hundred milliseconds: keep the event loop free.
        dialogue = await asyncio.to_thread(load_dialogue, path)
    except DialogueError as error:
        log.error("reload refused, %s v%s stays:\n%s", old.id, old.version, error)
        return Reload(switched=False, message=str(error))
    advisor.dialogue = dialogue
    log.info("dialogue reloaded: %s", summary(dialogue))
    return Reload(switched=True, message=summary(dialogue))
