"""The environment and the command for `python -m bot` as its own process in a test."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from testing.fakebot.server import FakeBotApi

_SETTINGS = ("DATABASE_PATH", "DIALOGUE_PATH", "LOG_LEVEL", "ADMIN_CHAT_IDS",
             "INACTIVITY_HOURS", "FLOOD_CONTROL", "STOP_TIMEOUT", "SEND_RATE", "REPLY_MODE")


def environment(api: FakeBotApi | None, db_path: Path, **settings: str) -> dict[str, str]:
    """Return the process environment: none of the developer's settings, these instead."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("TELEGRAM_", "WEBHOOK_")) and name not in _SETTINGS}
    env["DATABASE_PATH"] = str(db_path)
    if api is not None:
        env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url)
    env.update(settings)
    return env


async def run_bot_command(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 30,  # noqa: ASYNC109
    merge_stderr: bool = False,
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` in `cwd` (give one with no .env) to its end; return (exit
    code, stdout, stderr). With `merge_stderr`, stderr goes into stdout and comes back empty."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), (err or b"").decode()
