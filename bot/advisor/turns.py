"""What the Advisor tells a front end after each input: a Turn, ready to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.engine.model import Reply, Session

TurnKind = Literal[
    "question", "result", "reprompt", "stale", "notice", "duplicate", "idle", "explanation"
]
"""What happened, as far as a front end cares:

- question: a question to answer, the reply complete (a welcome or a notice in front, if due);
- result: the recommendation;
- reprompt: typed text that names no option; the reply says so;
- stale: a button of an earlier question or session; a short notice, nothing changed;
- notice: a short message, nothing changed (nothing to undo, nothing started yet);
- duplicate: an update handled before (re-delivered after a crash): show nothing;
- idle: back after a long pause; the reply asks "continue or start over?";
- explanation: an answer about the result (why not another outcome, what would change it,
  which answers can be changed), nothing changed.
"""

CONTINUE = "!continue"
RESTART = "!restart"
"""Button data of the "continue" and "start over" offer after a long pause."""


@dataclass(frozen=True)
class Turn:
    """What an input did to a chat, and what to show for it.

    `session_id` is the stored session's number, which buttons carry so that old ones are
    recognised. `marked` is the text of the pressed question with the choice shown, for the
    message the button was on.
    """

    kind: TurnKind
    reply: Reply
    session: Session | None = None
    session_id: int | None = None
    marked: str | None = None

    @property
    def shows_something(self) -> bool:
        """Tell whether there is anything to send (a duplicate says nothing)."""
        return self.kind != "duplicate"


@dataclass(frozen=True)
class Reload:
    """What a reload did: switched (with the new summary) or kept the old dialogue (why)."""

    switched: bool
    message: str
