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
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

STARTUP_TIMEOUT = 60.0


async def run(kind: str, mode: str, options: list[str], *, within: float) -> dict[str, Any]:
    """Run one load (`mode`, with loadgen `options`) on a fresh bot; give up after `within` s."""
    with tempfile.TemporaryDirectory(prefix=f"bench-e2e-{kind}-") as tmp:
        workdir = Path(tmp)
        loadgen = await _spawn(["benchmarks.loadgen", mode, *options], workdir / "loadgen.log",
                               stdin=True)
        try:
            base_url = (await _line(loadgen, STARTUP_TIMEOUT)).removeprefix("READY ")
            bot = await _spawn(["benchmarks.botproc", kind, base_url, str(workdir)],
                               workdir / "bot.log")
            try:
                await _line(bot, STARTUP_TIMEOUT)  # READY
                _tell(loadgen, "GO")
                result: dict[str, Any] = json.loads(await _line(loadgen, within))
                bot.terminate()
                result.update(json.loads(await _line(bot, within)))
                await bot.wait()
            finally:
                await _end(bot, workdir / "bot.log")
            _tell(loadgen, "STOP")
            await asyncio.wait_for(loadgen.wait(), STARTUP_TIMEOUT)
        finally:
            await _end(loadgen, workdir / "loadgen.log")
    result["kind"] = kind
    return result


async def _spawn(
    module: list[str], log: Path, *, stdin: bool = False
) -> asyncio.subprocess.Process:
    with log.open("wb") as errors:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", *module, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=errors, stdin=asyncio.subprocess.PIPE if stdin else None,
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


async def _end(process: asyncio.subprocess.Process, log: Path) -> None:
    """Make sure the process is gone; show its errors when it did not end cleanly."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    if process.returncode:
        sys.stderr.write(f"--- {log.name} (exit {process.returncode}):\n")
        sys.stderr.write(log.read_text(errors="replace")[-3000:])  # noqa: ASYNC240
