"""A message built paragraph by paragraph, with its formatting kept as spans beside the text.

Nothing a person or an author wrote is ever parsed as markup: formatting is data (kind,
start, length in Python characters over the text), which each front end shows its own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.engine.model import Button, Reply, Span, SpanKind

Piece = str | tuple[str, SpanKind]
"""Plain text, or text with one kind of formatting."""


class Composer:
    """Collects paragraphs (separated by a blank line) and their spans."""

    def __init__(self) -> None:
        self._text = ""
        self._spans: list[Span] = []

    @property
    def text(self) -> str:
        """Return the text so far."""
        return self._text

    def paragraph(self, *pieces: Piece) -> None:
        """Add a paragraph made of `pieces`; nothing when they are all empty."""
        if not any(piece if isinstance(piece, str) else piece[0] for piece in pieces):
            return
        self._separate()
        for piece in pieces:
            text, kind = (piece, None) if isinstance(piece, str) else piece
            if kind is not None and text:
                self._spans.append(Span(kind, len(self._text), len(text)))
            self._text += text

    def lines(self, heading: str, items: Iterable[str], bullet: str = "• ") -> None:
        """Add a paragraph: `heading` (if any), then one line per item."""
        rows = [f"{bullet}{item}" for item in items]
        if rows:
            self.paragraph("\n".join([heading, *rows] if heading else rows))

    def quote(self, paragraphs: Iterable[str], kind: SpanKind = "expandable_blockquote") -> None:
        """Add `paragraphs` as one block quote (collapsed until tapped, by default)."""
        kept = [paragraph for paragraph in paragraphs if paragraph]
        if not kept:
            return
        self._separate()
        start = len(self._text)
        self._text += "\n\n".join(kept)
        self._spans.append(Span(kind, start, len(self._text) - start))

    def reply(self, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
        """Return the message with `buttons`."""
        return Reply(self._text, buttons, tuple(self._spans))

    def _separate(self) -> None:
        if self._text:
            self._text += "\n\n"


def utf16_length(text: str) -> int:
    """Return how many UTF-16 code units `text` takes: how Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


def first_screen(reply: Reply) -> str:
    """Return the part of a message shown before any collapsed block quote."""
    quotes = [span.start for span in reply.spans if span.kind == "expandable_blockquote"]
    return reply.text[: min(quotes)].rstrip() if quotes else reply.text


def prefaced(reply: Reply, preface: str) -> Reply:
    """Return `reply` with a paragraph in front, its formatting moved along."""
    shift = len(preface) + 2
    spans = tuple(replace(span, start=span.start + shift) for span in reply.spans)
    return replace(reply, text=f"{preface}\n\n{reply.text}", spans=spans)
