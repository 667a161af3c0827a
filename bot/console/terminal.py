"""The advisor in a terminal: the same engine and store, numbered options instead of buttons."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import IO, Any, TextIO

from bot.advisor import Advisor, Turn
from bot.console.render import OPTIONS, pressable, render
from bot.engine.engine import SHOW_OPTIONS
from bot.engine.folding import fold
from bot.engine.model import Button, Texts
from bot.engine.multiple import is_done

DONE = "done"
"""What to type, besides the button's number or label, for "Done" at a multiple question."""

CONSOLE_CHAT_ID = 0
"""The chat id the terminal's sessions are stored under (Telegram never uses 0)."""


class Console:
    """A line-by-line conversation on text streams (a terminal or a pipe)."""

    def __init__(
        self, advisor: Advisor, stdin: IO[Any] = sys.stdin, stdout: TextIO = sys.stdout,
        language: str | None = None,
    ) -> None:
        """`language`: the person's (--lang, or the locale's); the dialogue's own without."""
        self.advisor = advisor
        self.stdin = stdin
        self.stdout = stdout
        self.language = language
        self.ansi = stdout.isatty()
        self._shown: Turn | None = None  # the last turn with buttons, which numbers press

    def say(self, text: str) -> None:
        """Print one message followed by a blank line."""
        self.stdout.write(f"{text}\n")
        self.stdout.flush()

    async def run(self, chat_id: int = CONSOLE_CHAT_ID) -> None:
        """Talk until `quit` or the end of input; the session survives for next time."""
        texts = await self.texts(chat_id)
        resumed = await self.advisor.resume(chat_id, language=self.language)
        if resumed is not None:
            self.say(f"{texts.console_welcome_back} {texts.console_hint}\n")
            await self.show(chat_id, resumed)
        else:
            await self.show(chat_id, await self.advisor.start(chat_id, language=self.language))
            self.say(f"{texts.console_hint}\n")
        lines = LineReader(self.stdin)
        while (line := await lines.next()) is not END:
            if line is UNREADABLE:
                await self._unreadable(chat_id)
            elif not await self.handle(chat_id, str(line).strip()):
                break
        self.say((await self.texts(chat_id)).console_bye)

    async def texts(self, chat_id: int) -> Texts:
        """Return the texts in the chat's language."""
        return (await self.advisor.speaking(chat_id, self.language)).texts

    async def handle(self, chat_id: int, line: str) -> bool:
        """Act on one line of input; return False when the person wants to leave."""
        command = line.lower().lstrip("/")
        if command in ("quit", "exit", "q"):
            return False
        if command in ("help", "?"):
            texts = await self.texts(chat_id)
            self.say(f"{texts.help}\n{texts.console_hint}\n")
        else:
            await self.show(chat_id, await self._turn(chat_id, command, line))
        return True

    async def show(self, chat_id: int, turn: Turn) -> None:
        """Print what `turn` shows, then tell the Advisor it reached the person.

        Its buttons are remembered: a number typed next presses the one with that number.
        """
        if not turn.shows_something:
            return
        self.say(render(turn.reply, ansi=self.ansi))
        if pressable(turn.reply):
            self._shown = turn
        await self.advisor.delivered(chat_id, turn)

    async def _turn(self, chat_id: int, command: str, line: str) -> Turn:
        language = self.language
        if command in ("restart", "start"):
            return await self.advisor.start(chat_id, language=language)
        if command == "back":
            return await self.advisor.back(chat_id, language=language)
        if command == "change":
            return await self.advisor.change(chat_id, language=language)
        if command == "result":
            return await self.advisor.result(chat_id, language=language)
        button = self._button(command)
        if button is not None and self._shown is not None:
            # The number of a button on screen is that button, as a tap would be: under
            # "Did you mean ...?" the list is short and its numbers are not the question's.
            return await self.advisor.press(chat_id, self._shown.session_id, button.data,
                                            language=language)
        return await self.advisor.type_answer(chat_id, line, language=language)

    def _button(self, command: str) -> Button | None:
        """Return the button on screen that `command` names by its number (or its word)."""
        buttons = pressable(self._shown.reply) if self._shown is not None else []
        if command == OPTIONS:
            return next((b for b in buttons if b.data == SHOW_OPTIONS), None)
        done = next((b for b in buttons if is_done(b.data)), None)
        if done is not None and _letters(command) in (DONE, _letters(done.label)):
            return done  # a multiple question's checked options, answered
        if command.isdecimal() and 1 <= int(command) <= len(buttons):
            return buttons[int(command) - 1]
        return None

    async def _unreadable(self, chat_id: int) -> None:
        """Say a line could not be read as text, and show where the chat stands."""
        self.say((await self.texts(chat_id)).unreadable)
        resumed = await self.advisor.resume(chat_id, language=self.language)
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


def _letters(text: str) -> str:
    """Return `text` folded to its letters and digits ("Done ▶" is "done")."""
    return "".join(char for char in fold(text) if char.isalnum())
