"""A reply as terminal text: bold through ANSI codes on a terminal, block quotes behind a bar,
buttons as a numbered list (the one that shows a question's full list by its word)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.engine import SHOW_OPTIONS
from bot.engine.model import Button, Reply, primary_language

OPTIONS = "options"
"""What to type for the button that shows a question's full list (under "Did you mean")."""

BOLD, PLAIN = "\033[1m", "\033[0m"
QUOTE = "  │ "


def locale_language(environ: Mapping[str, str]) -> str | None:
    """Return the language of the terminal's locale, as POSIX finds it (LC_ALL, then
    LC_MESSAGES, then LANG: `ru_RU.UTF-8` is ru), or None for C, POSIX or none set."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            language = primary_language(value)
            return None if language in ("c", "posix") else language
    return None


def pressable(reply: Reply) -> list[Button]:
    """Return the buttons the terminal numbers: all but links (sharing needs Telegram)."""
    return [b for row in reply.buttons for b in row if b.share is None and b.url is None]


def render(reply: Reply, *, ansi: bool = False) -> str:
    """Return a reply as terminal text: bold with ANSI codes when `ansi` (else plain), block
    quotes behind a bar, buttons (but links) as a numbered list."""
    numbered = enumerate(pressable(reply), 1)
    options = "".join(
        f"\n  {OPTIONS if button.data == SHOW_OPTIONS else number}) {button.label}"
        for number, button in numbered
    )
    return f"{_formatted(reply, ansi=ansi)}{options}\n"


def _formatted(reply: Reply, *, ansi: bool) -> str:
    text = reply.text
    inserts: dict[int, str] = {}
    for span in reply.spans:
        end = span.start + span.length
        if span.kind == "bold" and ansi:
            inserts[span.start] = inserts.get(span.start, "") + BOLD
            inserts[end] = PLAIN + inserts.get(end, "")
        elif span.kind in ("blockquote", "expandable_blockquote"):
            starts = [span.start] + [i + 1 for i in range(span.start, end) if text[i] == "\n"]
            for at in starts:
                inserts[at] = inserts.get(at, "") + QUOTE
    pieces, last = [], 0
    for at in sorted(inserts):
        pieces += [text[last:at], inserts[at]]
        last = at
    pieces.append(text[last:])
    return "".join(pieces).replace(f"{QUOTE}\n", f"{QUOTE.rstrip()}\n")
