"""What the Advisor tells a front end after each input: a Turn, ready to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.engine.model import Reply, Session

TurnKind = Literal[
    "question", "result", "reprompt", "did_you_mean", "stale", "notice", "duplicate", "idle",
    "language", "explanation", "toggle",
]
"""What happened, as far as a front end cares:

- question: a question to answer, the reply complete (a welcome or a notice in front, if due);
- result: the recommendation;
- reprompt: typed text that names no option; the reply says so, with the question's buttons;
- did_you_mean: typed text that could mean two or three options (or is misspelt): the reply
  asks which, with those options' buttons and one that shows the question's full list;
- stale: a button of an earlier question or session; a short notice, nothing changed;
- notice: a short message, nothing changed (nothing to undo, nothing started yet);
- duplicate: an update handled before (re-delivered after a crash): show nothing;
- idle: back after a long pause; the reply asks "continue or start over?";
- language: a language was chosen and no question is open; the reply says so, in it (with a
  question open, the Turn is that question, shown again in the new language).
- explanation: an answer about the result (why not another outcome, what would change it,
  which answers can be changed), nothing changed;
- toggle: an option of a multiple question checked or unchecked; nothing stored, the reply is
  the same question with its new check marks, to replace the message the button was on.
"""

CONTINUE = "!continue"
RESTART = "!restart"
"""Button data of the "continue" and "start over" offer after a long pause."""
LANGUAGE = "!lang:"
"""Button data of /language's buttons: this, then the language's code ("!lang:ru")."""


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
