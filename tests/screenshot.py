"""A reply as a person sees it in Telegram, as text for the docs: bold as **...**, the folded
details as their first line, buttons as [ ... ] rows (↗: a link)."""

from __future__ import annotations

from bot.engine.model import Reply

SHOWN = 60
"""Characters of the folded details' first line that the screenshot shows."""


def screenshot(reply: Reply) -> str:
    """Return `reply` drawn as text: what is on screen before anyone taps anything."""
    text = reply.text
    folded = next((s for s in reply.spans if s.kind == "expandable_blockquote"), None)
    end = folded.start if folded else len(text)
    pieces, last = [], 0
    for span in sorted(reply.spans, key=lambda s: s.start):
        if span.kind == "bold" and span.start < end:
            pieces += [text[last : span.start], "**", text[span.start : span.start + span.length],
                       "**"]
            last = span.start + span.length
    pieces.append(text[last:end])
    lines = "".join(pieces).rstrip().split("\n")
    if folded is not None:
        first = text[folded.start : folded.start + folded.length].split("\n")[0]
        lines += ["", f"▍ {first[:SHOWN].rstrip()}… (tap to read more)"]
    for row in reply.buttons:
        lines.append(" ".join(f"[ {b.label}{' ↗' if b.share or b.url else ''} ]" for b in row))
    return "\n".join(lines)
