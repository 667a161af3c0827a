"""One bot under test in its own process, taking updates from a Bot API server until SIGTERM.

`python -m benchmarks.botproc KIND BASE_URL WORKDIR [SETTING=VALUE...]` runs `ours` (the real
Application from bot.telegram.runner, polling, send pacing off unless a setting such as
`FLOOD_CONTROL=on` says otherwise: by default the benchmark measures the bot's own capacity),
`ours-webhook` (the same, but the server posts updates to its webhook on a free local port, as
bot.telegram.runner.webhook sets it up) or
`baseline` (ConversationHandler with PicklePersistence, on PTB's default transport, httpx);
`baseline-aiohttp` is the baseline on our transport (bot/telegram/transport.py), put in by
patching the HTTPXRequest that ApplicationBuilder builds, so the two bots compare like for like;
`baseline-paced` is the baseline with PTB's own AIORateLimiter, as PTB's documentation sets a
bot up for Telegram's limits.
It prints `READY` once polling, and on SIGTERM stops the way the bot stops, then prints one
JSON line: CPU seconds from READY to SIGTERM, how long stopping took (for the baseline that
includes PicklePersistence's final flush), peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import secrets
import signal
import socket
import sys
import time
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, _applicationbuilder

from benchmarks import contenders, scenario
from benchmarks.stub import TOKEN
from bot.config import Settings, load_settings
from bot.storage.sqlite import SqliteStore
from bot.telegram.runner import polling, stopping, webhook
from bot.telegram.transport import AiohttpRequest

KINDS = ("ours", "ours-webhook", "baseline", "baseline-aiohttp", "baseline-paced")


def _use_aiohttp() -> None:
    """Make ApplicationBuilder build AiohttpRequest (our transport) for HTTPXRequest.

    The builder passes it the pool sizes and timeouts it would give HTTPXRequest.
    """
    setattr(_applicationbuilder, "HTTPXRequest", AiohttpRequest)  # noqa: B010 - a patch


class _Meter:
    """CPU used while the load ran, and what stopping took."""

    def __init__(self) -> None:
        self.ready_cpu = self.stop_cpu = self.stop_began = 0.0

    def ready(self) -> None:
        self.ready_cpu = time.process_time()
        sys.stdout.write("READY\n")
        sys.stdout.flush()

    def stopping(self) -> None:
        self.stop_cpu = time.process_time()
        self.stop_began = time.perf_counter()

    def report(self) -> dict[str, float]:
        return {"cpu_seconds": self.stop_cpu - self.ready_cpu,
                "stop_seconds": time.perf_counter() - self.stop_began,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _settings(pairs: list[str]) -> dict[str, Any]:
    """Return the Settings fields that SETTING=VALUE pairs name, read as the bot reads them."""
    environ = dict(pair.split("=", 1) for pair in pairs)
    read = load_settings(environ, env_file=None)
    fields = {"FLOOD_CONTROL": "flood_control", "REPLY_MODE": "reply_mode",
              "SEND_RATE": "send_rate", "STOP_TIMEOUT": "stop_timeout"}
    return {fields[name]: getattr(read, fields[name]) for name in environ}


def _local_webhook() -> Settings:
    """Return the settings of a webhook on a free port of 127.0.0.1, with a fresh secret."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return Settings(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_port=port,
                    webhook_path="/hook", webhook_secret=secrets.token_hex(16))


async def _ours(base_url: str, workdir: Path, stop: asyncio.Event, meter: _Meter,
                settings: dict[str, Any], *, by_webhook: bool) -> None:
    store = await SqliteStore.open(workdir / "ours.db")
    try:
        app = contenders.ours(scenario.dialogue(), store, base_url=base_url, **settings)
        updates: AbstractAsyncContextManager[None] = (
            webhook(app, _local_webhook()) if by_webhook else polling(app))
        async with updates:
            meter.ready()
            await stop.wait()
            meter.stopping()
            stopping(app, settings.get("stop_timeout", Settings.stop_timeout))  # as serve does
    finally:
        await store.close()


async def _baseline(base_url: str, workdir: Path, stop: asyncio.Event, meter: _Meter,
                    paced: bool) -> None:
    built = contenders.builder(TOKEN, base_url=base_url)
    if paced:
        built = built.rate_limiter(AIORateLimiter())
    app = contenders.baseline(built, scenario.dialogue(), workdir / "baseline.pickle")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling()
        meter.ready()
        await stop.wait()
        meter.stopping()
        await app.updater.stop()
        await app.stop()  # PicklePersistence writes everything changed since its last flush


async def _main(kind: str, base_url: str, workdir: Path, settings: list[str]) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if kind == "baseline-aiohttp":
        _use_aiohttp()
    meter = _Meter()
    if kind.startswith("baseline"):
        await _baseline(base_url, workdir, stop, meter, paced=kind == "baseline-paced")
    else:
        await _ours(base_url, workdir, stop, meter, _settings(settings),
                    by_webhook=kind == "ours-webhook")
    sys.stdout.write(json.dumps(meter.report()) + "\n")
    sys.stdout.flush()


def main() -> None:
    """Run one bot until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.botproc")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("base_url")
    parser.add_argument("workdir", type=Path)
    parser.add_argument("settings", nargs="*", metavar="SETTING=VALUE")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_main(arguments.kind, arguments.base_url, arguments.workdir,
                      arguments.settings))


if __name__ == "__main__":
    main()
