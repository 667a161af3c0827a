"""The advisor in a terminal: the same engine and store, numbered options instead of buttons."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import IO, Any, TextIO

from bot.advisor import Advisor, Turn
from bot.engine.model import Button, Reply

CONSOLE_CHAT_ID = 0
"""The chat id the terminal's sessions are stored under (Telegram never uses 0)."""

COMMANDS = (
    "Type a number or an answer; `back`, `change`, `restart`, `result`, `help` or `quit`."
)
BOLD, PLAIN = "\033[1m", "\033[0m"
QUOTE = "  │ "


def pressable(reply: Reply) -> list[Button]:
    """Return the buttons the terminal numbers: all but links (sharing needs Telegram)."""
    return [b for row in reply.buttons for b in row if b.share is None and b.url is None]


def render(reply: Reply, *, ansi: bool = False) -> str:
    """Return a reply as terminal text: bold with ANSI codes when `ansi` (else plain), block
    quotes behind a bar, buttons (but links) as a numbered list."""
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
    shown = "".join(pieces).replace(f"{QUOTE}\n", f"{QUOTE.rstrip()}\n")
    labels = [button.label for button in pressable(reply)]
    options = "".join(f"\n  {number}) {label}" for number, label in enumerate(labels, 1))
    return f"{shown}{options}\n"


class Console:
    """A line-by-line conversation on text streams (a terminal or a pipe)."""

    def __init__(
        self, advisor: Advisor, stdin: IO[Any] = sys.stdin, stdout: TextIO = sys.stdout
    ) -> None:
        self.advisor = advisor
        self.stdin = stdin
        self.stdout = stdout
        self.ansi = stdout.isatty()
        self._shown: Turn | None = None  # the last turn with buttons, which numbers press

    def say(self, text: str) -> None:
        """Print one message followed by a blank line."""
        self.stdout.write(f"{text}\n")
        self.stdout.flush()

    async def run(self, chat_id: int = CONSOLE_CHAT_ID) -> None:
        """Talk until `quit` or the end of input; the session survives for next time."""
        resumed = await self.advisor.resume(chat_id)
        if resumed is not None:
            self.say(f"Welcome back: continuing where you left off. {COMMANDS}\n")
            await self.show(chat_id, resumed)
        else:
            await self.show(chat_id, await self.advisor.start(chat_id))
            self.say(f"{COMMANDS}\n")
        lines = LineReader(self.stdin)
        while (line := await lines.next()) is not END:
            if line is UNREADABLE:
                await self._unreadable(chat_id)
            elif not await self.handle(chat_id, str(line).strip()):
                break
        self.say("Bye! Your answers are saved; run the chat again to continue.")

    async def handle(self, chat_id: int, line: str) -> bool:
        """Act on one line of input; return False when the person wants to leave."""
        command = line.lower().lstrip("/")
        if command in ("quit", "exit", "q"):
            return False
        if command in ("help", "?"):
            self.say(f"{self.advisor.texts.help}\n{COMMANDS}\n")
        else:
            await self.show(chat_id, await self._turn(chat_id, command, line))
        return True

    async def show(self, chat_id: int, turn: Turn) -> None:
        """Print what `turn` shows, then tell the Advisor it reached the person."""
        if not turn.shows_something:
            return
        self.say(render(turn.reply, ansi=self.ansi))
        if pressable(turn.reply):
            self._shown = turn
        await self.advisor.delivered(chat_id, turn)

    async def _turn(self, chat_id: int, command: str, line: str) -> Turn:
        if command in ("restart", "start"):
            return await self.advisor.start(chat_id)
        if command == "back":
            return await self.advisor.back(chat_id)
        if command == "change":
            return await self.advisor.change(chat_id)
        if command == "result":
            return await self.advisor.result(chat_id)
        button = self._numbered(line)
        if button is not None and self._shown is not None:
            return await self.advisor.press(chat_id, self._shown.session_id, button.data)
        return await self.advisor.type_answer(chat_id, line)

    def _numbered(self, line: str) -> Button | None:
        """Return the button of the last message that `line` names by its number, if any."""
        buttons = pressable(self._shown.reply) if self._shown is not None else []
        number = line.strip()
        if number.isdecimal() and 1 <= int(number) <= len(buttons):
            return buttons[int(number) - 1]
        return None

    async def _unreadable(self, chat_id: int) -> None:
        """Say a line could not be read as text, and show where the chat stands."""
        self.say(self.advisor.texts.unreadable)
        resumed = await self.advisor.resume(chat_id)
        if resumed is not None:
            await self.show(chat_id, resumed)


END = object()
"""What `LineReader.next` returns when the input has ended."""
UNREADABLE = object()
"""What `LineReader.next` returns for a line that is not UTF-8 text."""


class LineReader:
    """Lines from a stream, read on a daemon thread: Ctrl-C ends the chat at once.

    A read in the event loop's thread pool would keep the process alive after Ctrl-C until
    the next Enter (the pool is joined at exit); a daemon thread is not waited for. Lines are
    decoded strictly, so bytes that are not UTF-8 come as UNREADABLE rather than as an error.
    """

    def __init__(self, stream: IO[Any]) -> None:
        self._stream: IO[Any] = getattr(stream, "buffer", stream)
        self._loop = asyncio.get_running_loop()
        self._lines: asyncio.Queue[object] = asyncio.Queue()
        threading.Thread(target=self._read, name="console-input", daemon=True).start()

    async def next(self) -> object:
        """Return the next line (str), UNREADABLE or END."""
        return await self._lines.get()

    def _read(self) -> None:
        while True:
            try:
                raw = self._stream.readline()
            except (OSError, ValueError):  # the stream was closed under us
                raw = b""
            self._loop.call_soon_threadsafe(self._lines.put_nowait, _decoded(raw))
            if not raw:
                return


def _decoded(raw: bytes | str) -> object:
    if not raw:
        return END
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return UNREADABLE
