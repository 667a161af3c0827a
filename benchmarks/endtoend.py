"""End to end: the real bot polling the fake Bot API, each in its own process.

For each run a fresh fake (benchmarks.loadgen, which also plays the people) and a fresh bot
(benchmarks.botproc) with an empty database start; the load runs; the bot is stopped with
SIGTERM as in production (the baseline's PicklePersistence flushes then) and reports what
stopping cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

STARTUP_TIMEOUT = 60.0


async def run(kind: str, mode: str, options: list[str], *, within: float,
              settings: tuple[str, ...] = (), stop_within: float | None = None) -> dict[str, Any]:
    """Run one load (`mode`, with loadgen `options`) on a fresh bot; give up after `within` s.

    `settings` are the bot's (SETTING=VALUE, ours only). `stop_within`: seconds the bot may
    take to stop after the load before it is killed (the result then says so); None waits
    as long as `within`.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-e2e-{kind}-") as tmp:
        workdir = Path(tmp)
        loadgen = await _spawn(["benchmarks.loadgen", mode, *options], workdir / "loadgen.log",
                               stdin=True)
        try:
            base_url = (await _line(loadgen, STARTUP_TIMEOUT)).removeprefix("READY ")
            bot = await _spawn(["benchmarks.botproc", kind, base_url, str(workdir), *settings],
                               workdir / "bot.log")
            try:
                await _line(bot, STARTUP_TIMEOUT)  # READY
                _tell(loadgen, "GO")
                result: dict[str, Any] = json.loads(await _line(loadgen, within))
                bot.terminate()
                result.update(await _stopped(bot, stop_within or within))
            finally:
                await _end(bot, workdir / "bot.log", killed_is_fine=stop_within is not None)
            _tell(loadgen, "STOP")
            await asyncio.wait_for(loadgen.wait(), STARTUP_TIMEOUT)
        finally:
            await _end(loadgen, workdir / "loadgen.log")
    result["kind"] = kind
    return result


async def _stopped(bot: asyncio.subprocess.Process, within: float) -> dict[str, Any]:
    """Return what the bot reports once stopped, or that it did not stop within `within` s."""
    try:
        report: dict[str, Any] = json.loads(await _line(bot, within))
    except TimeoutError:
        bot.kill()
        await bot.wait()
        return {"stop_seconds": None, "stopped_within": within}
    await bot.wait()
    return report


async def _spawn(
    module: list[str], log: Path, *, stdin: bool = False
) -> asyncio.subprocess.Process:
    # PTB warns at every 429 unless told to give retry_after as a timedelta, as the bot does.
    environment = {**os.environ, "PTB_TIMEDELTA": "1"}
    with log.open("wb") as errors:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", *module, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=errors, stdin=asyncio.subprocess.PIPE if stdin else None, env=environment,
        )


async def _line(process: asyncio.subprocess.Process, within: float) -> str:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), within)
    if not line:
        raise RuntimeError(f"process {process.pid} ended without answering")
    return line.decode().strip()


def _tell(process: asyncio.subprocess.Process, line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(f"{line}\n".encode())


async def _end(process: asyncio.subprocess.Process, log: Path, *,
               killed_is_fine: bool = False) -> None:
    """Make sure the process is gone; show its errors when it did not end cleanly."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    if process.returncode and not (killed_is_fine and process.returncode < 0):
        sys.stderr.write(f"--- {log.name} (exit {process.returncode}):\n")
        sys.stderr.write(log.read_text(errors="replace")[-3000:])  # noqa: ASYNC240
