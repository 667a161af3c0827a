"""Replies as the Bot API's JSON: inline keyboards, formatting entities, a compact reply.

Encoded here rather than built from PTB's objects, which PTB then turns back into dicts: the
objects cost more than the rest of a press's dialogue work.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote

from bot.engine import callback_data
from bot.engine.compose import utf16_length
from bot.engine.model import Button, Reply

MAX_TEXT = 4096
"""Telegram's longest message, in UTF-16 code units."""
SHARE = "https://t.me/share/url"


def keyboard(
    reply: Reply, session_id: int | None, username: str | None = None
) -> str | None:
    """Return the reply's buttons as an inline keyboard in the Bot API's JSON, or None.

    Encoded here rather than built from PTB's InlineKeyboardButton objects, which PTB then
    turns back into dicts: the objects cost more than the rest of a press's dialogue work.
    A share button becomes a link to Telegram's share dialogue with a link to the bot
    (`username`); without one it is left out.
    """
    rows = [[cell for b in row if (cell := _button(b, session_id, username))]
            for row in reply.buttons]
    rows = [row for row in rows if row]
    return json.dumps({"inline_keyboard": rows}) if rows else None


def _button(button: Button, session_id: int | None, username: str | None) -> dict[str, str]:
    if button.share is not None:
        if not username:
            return {}
        link = quote(f"https://t.me/{username}", safe="")
        return {"text": button.label, "url": f"{SHARE}?url={link}&text={quote(button.share)}"}
    if button.url is not None:
        return {"text": button.label, "url": button.url}
    return {"text": button.label, "callback_data": callback_data.encode(session_id, button.data)}


def entities(reply: Reply) -> str | None:
    """Return the reply's formatting as Bot API entities (offsets in UTF-16 code units, as
    Telegram counts them) in JSON, or None: text is never parsed as markup."""
    if not reply.spans:
        return None
    text = reply.text
    found = [{"type": span.kind, "offset": utf16_length(text[: span.start]),
              "length": utf16_length(text[span.start : span.start + span.length])}
             for span in reply.spans]
    return json.dumps(found)


def compacted(marked: str, reply: Reply) -> Reply | None:
    """Return the pressed question's message made into the reply, the choice on top (its
    formatting moved along), or None when the two do not fit in one message (compact mode)."""
    top = f"{marked}\n\n"
    text = top + reply.text
    if utf16_length(text) > MAX_TEXT:
        return None
    spans = tuple(replace(span, start=span.start + len(top)) for span in reply.spans)
    return Reply(text, reply.buttons, spans)
