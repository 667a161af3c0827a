"""The bot stopped mid-dialogue and started again on the same database, in process and as
the `python -m bot` a deployment runs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from testing.fakebot.server import FakeBotApi
from tests.reliability.harness import running_bot


async def test_after_a_restart_the_next_press_continues_at_the_same_question(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    user = fake_api.user(chat_id=2001)
    async with running_bot(fake_api, db) as bot:
        await user.send("/start")
        await user.press("Commute & travel", expect="editMessageText")
        await user.press("3+ hours, most days", expect="editMessageText")
        assert "Question 3 of " in user.last_text
        waiting = user.last_message
        assert bot.answers(2001) == [("use", "commute"), ("hours", "long")]

    async with running_bot(fake_api, db) as bot:
        await user.press("Nothing in particular", message=waiting, expect="editMessageText")
        assert "Question 4 of " in user.last_text
        assert bot.answers(2001) == [("use", "commute"), ("hours", "long"), ("comfort", "none")]


async def test_python_m_bot_in_its_own_process_talks_to_the_server_at_the_base_url(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        TELEGRAM_BOT_TOKEN=fake_api.token,
        TELEGRAM_BASE_URL=fake_api.base_url,
        DATABASE_PATH=str(tmp_path / "proc.db"),
        LOG_LEVEL="DEBUG",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot",
        cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # deleteWebhook comes just before polling starts; a getUpdates is only recorded when its
        # long poll ends.
        await fake_api.wait_for(lambda call: call.method == "deleteWebhook", timeout=30)
        user = fake_api.user(chat_id=2002)
        await user.send("/start")
        assert "Question 1 of " in user.last_text
        await user.press("Workouts", expect="editMessageText")
        assert "Question 2 of " in user.last_text
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "polling for updates" in log
    assert fake_api.token not in log  # DEBUG logging, and still no token
    assert "Set Bot API URL: http://127.0.0.1:" in log  # PTB logs the URL at DEBUG...
    assert "/bot[REDACTED]" in log  # ...and the token in it is blanked
