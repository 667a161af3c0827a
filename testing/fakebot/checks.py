"""What Telegram refuses, with Telegram's wording: texts, HTML and entities, keyboards, send
limits."""

from __future__ import annotations

import html
import math
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_TEXT = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_ROW_BUTTONS = 8
MAX_BUTTONS = 100
MAX_ANSWER_TEXT = 200
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
MAX_COMMANDS = 100

_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)
_ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
     "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
     "code", "pre", "text_link", "text_mention", "custom_emoji"}
)
_ENTITY_NEEDS = {"text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id"}
_URL_SCHEMES = frozenset({"http", "https", "tg"})
_TAG = re.compile(r"<(/?)([^>\s/]*)[^>]*>")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2}")


class ApiError(Exception):
    """A refusal the server answers with Telegram's error envelope."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False, "error_code": self.status, "description": self.description
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Return a 400 error worded as Telegram words them."""
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return the 429 Telegram answers when a send limit is exceeded."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(frozen=True)
class Rendered:
    """A message text as the user sees it, plus what makes two formattings differ."""

    text: str
    formatting: tuple[str, ...] = ()
    entities: tuple[dict[str, Any], ...] = ()


def render_text(raw: object, parse_mode: str | None, entities: object = None) -> Rendered:
    """Parse HTML or check `entities`, and check the 1..4096 character limit."""
    if not isinstance(raw, str) or not raw:
        raise bad_request("message text is empty")
    if entities is not None and parse_mode:
        # Telegram would take the entities and ignore parse_mode; a bot that sends both has
        # lost track of how its text is formatted.
        raise bad_request("can't parse entities: parse_mode and entities are both given")
    if entities is not None:
        rendered = Rendered(raw, *_check_entities(raw, entities))
    elif (parse_mode or "").upper() == "HTML":
        rendered = _parse_html(raw)
    else:
        rendered = Rendered(raw)
    if not rendered.text.strip():
        raise bad_request("message text is empty")
    if len(rendered.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return rendered


def _parse_html(raw: str) -> Rendered:
    """Strip Telegram's HTML tags, refusing unknown or unbalanced ones (a simple check)."""
    open_tags: list[str] = []
    pieces: list[str] = []
    formatting: list[str] = []
    position = 0
    for match in _TAG.finditer(raw):
        pieces.append(raw[position : match.start()])
        position = match.end()
        offset = len(raw[: match.start()].encode())
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise bad_request(
                f'can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {offset}'
            )
        if closing and (not open_tags or open_tags[-1] != name):
            raise bad_request(f"can't parse entities: Unexpected end tag at byte offset {offset}")
        if closing:
            open_tags.pop()
        else:
            open_tags.append(name)
        formatting.append(f"{len(''.join(pieces))}:{match.group(0)}")
    if open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    pieces.append(raw[position:])
    return Rendered(html.unescape("".join(pieces)), tuple(formatting))


def utf16_length(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Return the part of `text` an entity covers (offset and length in UTF-16 units)."""
    units = text.encode("utf-16-le")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le")


def _check_entities(text: str, raw: object) -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """Check a MessageEntity list against the text as Telegram does: known types, whole
    numbers, each within the text in UTF-16 code units and never splitting a character."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    size = utf16_length(text)
    units = text.encode("utf-16-le")
    checked = []
    for entity in raw:
        if not isinstance(entity, dict) or entity.get("type") not in _ENTITY_TYPES:
            kind = entity.get("type") if isinstance(entity, dict) else entity
            raise bad_request(f"can't parse entities: unsupported entity type {kind!r}")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or isinstance(
                offset, bool) or isinstance(length, bool):
            raise bad_request("can't parse entities: offset and length must be integers")
        if offset < 0 or length < 1 or offset + length > size:
            raise bad_request(
                f"can't parse entities: entity {entity['type']} at offset {offset} with length "
                f"{length} is outside the text of {size} UTF-16 code units")
        for edge in (offset, offset + length):
            if 0 < edge < size and 0xDC00 <= int.from_bytes(units[2 * edge : 2 * edge + 2],
                                                             "little") <= 0xDFFF:
                raise bad_request(
                    f"can't parse entities: entity {entity['type']} splits a character at "
                    f"UTF-16 offset {edge}")
        needed = _ENTITY_NEEDS.get(entity["type"])
        if needed is not None and needed not in entity:
            raise bad_request(f"can't parse entities: {entity['type']} needs {needed}")
        checked.append(dict(entity))
    formatting = tuple(f"{e['type']}:{e['offset']}:{e['length']}" for e in checked)
    return formatting, tuple(checked)


@dataclass(frozen=True)
class InlineButton:
    """One inline keyboard button as the user sees it."""

    label: str
    callback_data: str | None = None
    url: str | None = None


def parse_keyboard(markup: object) -> list[list[InlineButton]]:
    """Check an inline keyboard against Telegram's limits; other markups have no buttons."""
    if markup is None:
        return []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton expected")
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(
        len(row) > MAX_ROW_BUTTONS for row in rows
    ):
        raise bad_request("reply markup is too long")
    return [[_parse_button(button) for button in row] for row in rows]


def _parse_button(button: object) -> InlineButton:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    data, url = button.get("callback_data"), button.get("url")
    if data is not None and (
        not isinstance(data, str)
        or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if data is None and url is None and len(button) == 1:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if data is not None and url is not None:
        raise bad_request("can't parse inline keyboard button: it has both url and callback_data")
    if url is not None and not _valid_url(url):
        raise bad_request("BUTTON_URL_INVALID")
    return InlineButton(button["text"], data, url if isinstance(url, str) else None)


def _valid_url(url: object) -> bool:
    """Tell whether a button's url is one Telegram opens: http(s) with a host, or tg://."""
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in _URL_SCHEMES and bool(parts.netloc or parts.scheme == "tg")


def check_commands(commands: object) -> list[dict[str, str]]:
    """Check setMyCommands' list: names of 1..32 lowercase letters, digits, underscores."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    checked: list[dict[str, str]] = []
    for item in commands:
        name = item.get("command") if isinstance(item, dict) else None
        description = item.get("description") if isinstance(item, dict) else None
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("command description is empty")
        checked.append({"command": name, "description": description})
    return checked


def check_language_code(params: dict[str, Any]) -> str:
    """Return the call's language_code ("" for everyone): empty, or two letters (ISO 639-1)."""
    code = params.get("language_code") or ""
    if not isinstance(code, str) or (code and not _LANGUAGE_CODE.fullmatch(code)):
        raise bad_request("invalid language code specified")
    return code


def check_description(text: object, limit: int, what: str) -> str:
    """Check a bot's description or short description: text of at most `limit` characters
    (empty removes it)."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise bad_request(f"can't parse {what}")
    if len(text) > limit:
        raise bad_request(f"{what} is too long")
    return text


@dataclass
class SendLimiter:
    """Telegram's send limits, simplified; a message sent and a message edited count alike.

    Overall: at most 30 in any 1 s window (up to 1,000 for a bot with paid broadcasts). Private
    chat: a bucket of 3 that refills at 1 a second. Group or channel: at most 20 in any 60 s
    window. Refused ones do not count; `retry_after` is rounded up to whole seconds as Telegram
    does.
    """

    overall_per_second: int = 30
    private_burst: int = 3
    private_per_second: float = 1.0
    group_per_minute: int = 20
    _overall: deque[float] = field(default_factory=deque)
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)

    def admit(self, chat_id: int, private: bool, now: float) -> None:
        """Count one send to `chat_id`, or raise the 429 Telegram would answer."""
        _expire(self._overall, now - 1.0)
        if len(self._overall) >= self.overall_per_second:
            raise too_many_requests(_seconds(self._overall[0] + 1.0 - now))
        if private:
            self._take_token(chat_id, now)
        else:
            window = self._groups.setdefault(chat_id, deque())
            _expire(window, now - 60.0)
            if len(window) >= self.group_per_minute:
                raise too_many_requests(_seconds(window[0] + 60.0 - now))
            window.append(now)
        self._overall.append(now)

    def _take_token(self, chat_id: int, now: float) -> None:
        tokens, since = self._buckets.get(chat_id, (float(self.private_burst), now))
        tokens = min(self.private_burst, tokens + (now - since) * self.private_per_second)
        if tokens < 1.0:
            self._buckets[chat_id] = (tokens, now)
            raise too_many_requests(_seconds((1.0 - tokens) / self.private_per_second))
        self._buckets[chat_id] = (tokens - 1.0, now)


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()


def _seconds(delay: float) -> int:
    return max(1, math.ceil(delay))
