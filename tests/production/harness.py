"""`python -m bot` in its own process against the in-test fake Bot API, as a deployment runs it."""

from __future__ import annotations

import asyncio
import itertools
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser
from tests.botprocess import environment, run_bot_command

_runs = itertools.count(1)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BotProcess:
    """A running `python -m bot`; its log (stdout and stderr) goes to a file."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        """Return everything the process logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self, signum: signal.Signals = signal.SIGTERM, timeout: float = 30) -> int:  # noqa: ASYNC109
        """Send `signum` and return the exit code once the process has ended."""
        self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), timeout)


@asynccontextmanager
async def bot_process(
    api: FakeBotApi | None, tmp_path: Path, db_path: Path, *args: str, **settings: str
) -> AsyncIterator[BotProcess]:
    """Start `python -m bot *args` in `tmp_path` (no .env there); kill it if still running."""
    log_path = tmp_path / f"bot-{next(_runs)}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=tmp_path,
            env=environment(api, db_path, **settings), stdin=asyncio.subprocess.DEVNULL,
            stdout=log, stderr=asyncio.subprocess.STDOUT,
        )
    try:
        yield BotProcess(process, log_path)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def run_check(
    api: FakeBotApi | None, tmp_path: Path, db_path: Path, **settings: str
) -> tuple[int, str]:
    """Run the health check in its own process; return its exit code and output."""
    code, output, _ = await run_bot_command(
        "check", env=environment(api, db_path, **settings), cwd=tmp_path, timeout=30,
        merge_stderr=True)
    return code, output


def done(user: FakeUser, method: str) -> Callable[[Call], bool]:
    """Match a successful call of `method` in the user's chat (a refused one is not a reply)."""
    return lambda call: call.succeeded(method, user.chat_id)


async def press(user: FakeUser, label: str) -> None:
    """Press a button and wait until the bot has edited its message: compact replies edit it
    into the next question; separate ones send the next question first, then mark the choice
    on it (these tests run without flood control, which may drop a stale mark)."""
    pressed = user.keyboard_message
    mark = len(user.api.calls)
    await user.press(label, message=pressed, expect="answer")

    def edited(call: Call) -> bool:
        return (call.succeeded("editMessageText", user.chat_id)
                and call.params.get("message_id") == pressed.message_id)

    await user.api.wait_for(edited, since=mark, timeout=user.timeout)


def calls_in(api: FakeBotApi, method: str, chat_id: int, start: int = 0,
             end: int | None = None) -> list[Call]:
    """Return the successful calls of `method` in a chat, from index `start` to `end`."""
    return [call for call in api.calls[start:end] if call.succeeded(method, chat_id)]
