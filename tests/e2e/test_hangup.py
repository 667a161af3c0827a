"""`kill -HUP` reloads the dialogue of a running bot, switching only to a valid one."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT
from testing.fakebot.server import FakeBotApi


async def line_with(stream: asyncio.StreamReader, text: str) -> str:
    """Read log lines until one contains `text`."""
    while line := (await stream.readline()).decode():
        if text in line:
            return line
    raise AssertionError(f"the log ended without {text!r}")


async def test_sighup_keeps_a_broken_dialogue_out_and_switches_to_a_valid_one(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    original = DEFAULT_DIALOGUE.read_text(encoding="utf-8")
    dialogue = tmp_path / "dialogue.yaml"
    dialogue.write_text(original, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake_api.token, TELEGRAM_BASE_URL=fake_api.base_url,
        DATABASE_PATH=str(tmp_path / "bot.db"), DIALOGUE_PATH=str(dialogue),
        LOG_LEVEL="INFO", FLOOD_CONTROL="off",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        await asyncio.wait_for(line_with(process.stderr, "polling for updates"), 30)
        user = fake_api.user(chat_id=5001)

        dialogue.write_text(original.replace("start: use", "start: nowhere"), encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        refused = await asyncio.wait_for(line_with(process.stderr, "reload refused"), 30)
        assert "headphones_vs_iems v1 stays" in refused
        await user.send("/start")
        assert user.last_text.startswith("Hi! 🎧")

        dialogue.write_text(original.replace("Hi! 🎧", "Hello again! 🎧"), encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        await asyncio.wait_for(line_with(process.stderr, "dialogue reloaded"), 30)
        await user.send("/start")
        assert user.last_text.startswith("Hello again! 🎧")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
