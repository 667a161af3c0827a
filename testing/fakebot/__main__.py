"""Run the fake Bot API in its own process: `python -m testing.fakebot --port 0 --token T`.

Prints `READY http://127.0.0.1:PORT/bot` once listening, then serves until SIGTERM or SIGINT.
The /_control/ routes (see testing/fakebot/control.py) drive it from the outside.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from testing.fakebot.checks import SendLimiter
from testing.fakebot.server import FakeBotApi


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m testing.fakebot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--enforce-limits", action="store_true",
                        help="answer 429 past Telegram's send limits")
    parser.add_argument("--overall-per-second", type=int, default=30, metavar="N",
                        help="the overall limit with --enforce-limits (1000: paid broadcasts)")
    parser.add_argument("--round-trip", type=float, default=0.0, metavar="SECONDS",
                        help="network time of every Bot API call and webhook POST, half"
                        " each way")
    parser.add_argument("--jitter", type=float, default=0.0, metavar="SECONDS",
                        help="each half of the round trip this much longer or shorter at random")
    return parser.parse_args(argv)


async def _serve(arguments: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with FakeBotApi(
        arguments.token, enforce_limits=arguments.enforce_limits, host=arguments.host,
        port=arguments.port, round_trip=arguments.round_trip, jitter=arguments.jitter,
        limits=SendLimiter(overall_per_second=arguments.overall_per_second),
    ) as api:
        sys.stdout.write(f"READY {api.base_url}\n")
        sys.stdout.flush()
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until stopped."""
    asyncio.run(_serve(_arguments(argv)))


if __name__ == "__main__":
    main()
