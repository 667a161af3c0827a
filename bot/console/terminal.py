"""The advisor in a terminal: the same engine and store, numbered options instead of buttons."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.advisor import Advisor, Turn
from bot.engine.model import Reply

CONSOLE_CHAT_ID = 0
"""The chat id the terminal's sessions are stored under (Telegram never uses 0)."""

COMMANDS = "Type a number or an answer; `back`, `restart`, `result`, `help` or `quit`."


def render(reply: Reply) -> str:
    """Return a reply as terminal text, buttons as a numbered list."""
    labels = [button.label for row in reply.buttons for button in row]
    options = "".join(f"\n  {number}) {label}" for number, label in enumerate(labels, 1))
    return f"{reply.text}{options}\n"


class Console:
    """A line-by-line conversation on text streams (a terminal or a pipe)."""

    def __init__(
        self, advisor: Advisor, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
    ) -> None:
        self.advisor = advisor
        self.stdin = stdin
        self.stdout = stdout

    def say(self, text: str) -> None:
        """Print one message followed by a blank line."""
        self.stdout.write(f"{text}\n")
        self.stdout.flush()

    async def run(self, chat_id: int = CONSOLE_CHAT_ID) -> None:
        """Talk until `quit` or the end of input; the session survives for next time."""
        resumed = await self.advisor.resume(chat_id)
        if resumed is not None:
            self.say(f"Welcome back: continuing where you left off. {COMMANDS}\n")
            self.say(render(resumed.reply))
        else:
            self.say(f"{COMMANDS}\n")
            self.say(render((await self.advisor.start(chat_id)).reply))
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            if not await self.handle(chat_id, line.strip()):
                break
        self.say("Bye! Your answers are saved; run the chat again to continue.")

    async def handle(self, chat_id: int, line: str) -> bool:
        """Act on one line of input; return False when the person wants to leave."""
        command = line.lower().lstrip("/")
        if command in ("quit", "exit", "q"):
            return False
        if command in ("help", "?"):
            self.say(f"{self.advisor.texts.help}\n{COMMANDS}\n")
        elif command == "result":
            self.say(render(await self.advisor.result(chat_id)))
        else:
            turn = await self._turn(chat_id, command, line)
            self.say(render(turn.reply))
        return True

    async def _turn(self, chat_id: int, command: str, line: str) -> Turn:
        if command in ("restart", "start"):
            return await self.advisor.start(chat_id)
        if command == "back":
            return await self.advisor.back(chat_id)
        return await self.advisor.type_answer(chat_id, line)
