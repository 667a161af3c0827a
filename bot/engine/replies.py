"""What the engine tells an adapter to say: text, formatting spans and buttons, as plain data.

Part of the model (`bot.engine.model` re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Button:
    """A button: the label a person sees and the data it sends back, or a link instead.

    `share` is a text to share with a link to the bot: the front end that knows the bot's
    address makes it a link button (Telegram's share dialogue), others may leave it out.
    """

    label: str
    data: str = ""
    url: str | None = None
    share: str | None = None


SpanKind = Literal["bold", "italic", "blockquote", "expandable_blockquote"]


@dataclass(frozen=True)
class Span:
    """Formatting over `Reply.text`: `length` characters (Python's) from `start`."""

    kind: SpanKind
    start: int
    length: int


@dataclass(frozen=True)
class Reply:
    """A message to show: text, rows of buttons, and formatting over the text."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    spans: tuple[Span, ...] = ()
