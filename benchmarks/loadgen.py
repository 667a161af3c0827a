"""The fake Bot API and the people pressing buttons, in one process apart from the bot.

`python -m benchmarks.loadgen MODE KIND --users N --rate R --seconds S --think T` starts
testing.fakebot's FakeBotApi (no send limits), prints `READY <base_url>`, waits for `GO` on
stdin, runs the load, prints one JSON line of results and exits after `STOP` on stdin (so the
bot can confirm its last updates first).

- capacity: N people start at once; each presses the next button as soon as the bot's reply
  (its sendMessage) arrives. Replies are counted for S s (or until all are done), then
  nobody presses again and what is in flight is waited for.
- latency: one update every 1/R s for S s: a person whose reply came at least T s ago (time
  to read it) presses the next button, and when nobody is ready a new person sends /start.
  A bot more than BACKLOG_SECONDS of updates behind cannot sustain the rate: the offer stops
  there and the result says after how long.

People press only buttons they have been shown, as in life, and the fake hands the press to
the bot the way Telegram does. Every reply is checked: it must be the question (or the
advice) that comes next for that person; one that is not counts as out of order. An update
with no reply at the end counts as lost. Latency runs from the update being queued to its
reply arriving at the fake.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import scenario
from benchmarks.stub import TOKEN
from bot.engine.model import Dialogue
from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser

DRAIN_SECONDS = 120.0
BACKLOG_SECONDS = 5.0  # a bot this many seconds of updates behind cannot keep up: stop


@dataclass
class Rider:
    """A person going through the dialogue, one update in flight at most."""

    person: scenario.Person
    user: FakeUser
    sent: int = 0  # updates queued so far
    answered: int = 0  # replies received so far
    queued_at: float = 0.0

    @property
    def finished(self) -> bool:
        """Return True once every update of the person was answered."""
        return self.answered == self.person.updates


@dataclass
class Tally:
    """What the load generator saw."""

    latencies: list[float] = field(default_factory=list)
    out_of_order: int = 0
    failed_calls: int = 0
    first_queued: float = 0.0
    last_reply: float = 0.0
    window: tuple[int, float] | None = None  # replies counted, over seconds (capacity)


class Load:
    """Drive people through the dialogue against the fake and check every reply."""

    def __init__(self, api: FakeBotApi, dialogue: Dialogue, think: float) -> None:
        self.api = api
        self.dialogue = dialogue
        self.think = think
        self.riders: dict[int, Rider] = {}
        self.ready: collections.deque[int] = collections.deque()
        self.tally = Tally()
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.closed_loop = False
        self.overloaded_after: float | None = None
        self._next_chat = scenario.FIRST_CHAT
        self._expected = {q.id: q.text for q in dialogue.questions.values()}

    def start_person(self) -> None:
        """Queue /start for a new person."""
        person = scenario.person(self.dialogue, self._next_chat)
        self._next_chat += 1
        rider = Rider(person, self.api.user(person.chat_id))
        self.riders[person.chat_id] = rider
        self._queue(rider, lambda: rider.user.queue_text("/start"))

    def press_next(self, chat_id: int) -> None:
        """Queue the person's next press, on the keyboard they were shown last."""
        rider = self.riders[chat_id]
        question, option = rider.person.presses[rider.sent - 1]
        text = scenario.label(self.dialogue, question, option)
        self._queue(rider, lambda: rider.user.queue_press(text)[0])

    def _queue(self, rider: Rider, push: Any) -> None:
        rider.queued_at = time.monotonic()
        if not self.tally.first_queued:
            self.tally.first_queued = rider.queued_at
        rider.sent += 1
        self.in_flight += 1
        push()

    def on_call(self, call: Call) -> None:
        """Take note of a Bot API call the bot made; a reply lets its person go on."""
        if call.error is not None:
            self.tally.failed_calls += 1
            return
        if call.method != "sendMessage":
            return
        rider = self.riders.get(int(call.params["chat_id"]))
        if rider is None or rider.answered >= rider.sent:
            self.tally.out_of_order += 1
            return
        if not self._expected_reply(rider, str(call.params.get("text", ""))):
            self.tally.out_of_order += 1
        rider.answered += 1
        self.tally.latencies.append(call.at - rider.queued_at)
        self.tally.last_reply = call.at
        if not rider.finished and self.closed_loop:
            self.press_next(rider.person.chat_id)
        elif not rider.finished:
            asyncio.get_running_loop().call_later(self.think, self.ready.append,
                                                  rider.person.chat_id)
        self.in_flight -= 1
        if not self.in_flight:
            self.idle.set()

    def _expected_reply(self, rider: Rider, text: str) -> bool:
        presses = rider.person.presses
        if rider.answered < len(presses):
            return self._expected[presses[rider.answered][0]] in text
        texts = self.dialogue.texts
        # The advice: a pick, or a close call between the top two.
        return text.startswith((texts.result_heading.split("{", 1)[0],
                                texts.close_heading.split("{", 1)[0],
                                texts.thin_heading.split("{", 1)[0]))



class RecordingApi(FakeBotApi):
    """The fake, telling the load about every call as it is recorded."""

    load: Load | None = None

    def _record(self, call: Call) -> None:
        super()._record(call)
        if self.load is not None:
            self.load.on_call(self.calls[-1])


async def capacity(load: Load, users: int, seconds: float) -> None:
    """Start `users` people at once, each pressing on as soon as a reply arrives.

    The rate is counted over `seconds` (or until everyone is done, if sooner); then nobody
    presses again and the updates still in flight are waited for.
    """
    load.closed_loop = True
    began = time.monotonic()
    for _ in range(users):
        load.start_person()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(load.idle.wait(), seconds)
    load.closed_loop = False
    load.tally.window = (len(load.tally.latencies), time.monotonic() - began)
    await _drain(load, within=DRAIN_SECONDS)


async def latency(load: Load, rate: float, seconds: float) -> None:
    """Offer `rate` updates a second for `seconds`, then wait for the replies."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    due = began
    while due < began + seconds:
        if load.in_flight > rate * BACKLOG_SECONDS:
            load.overloaded_after = loop.time() - began
            break
        if load.ready:
            load.press_next(load.ready.popleft())
        else:
            load.start_person()
        due += 1 / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
    await _drain(load, within=DRAIN_SECONDS)


async def _drain(load: Load, *, within: float) -> None:
    """Wait until every queued update has its reply, or `within` s passed (they are lost)."""
    load.idle.clear()
    if not load.in_flight:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(load.idle.wait(), within)


def _results(load: Load, mode: str) -> dict[str, Any]:
    tally = load.tally
    answered = len(tally.latencies)
    latencies = sorted(tally.latencies)
    counted, elapsed = tally.window or (answered, tally.last_reply - tally.first_queued)

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return {
        "mode": mode, "people": len(load.riders), "updates": answered, "lost": load.in_flight,
        "out_of_order": tally.out_of_order, "failed_calls": tally.failed_calls,
        "seconds": elapsed, "updates_per_second": counted / elapsed if elapsed else 0.0,
        "p50_ms": percentile(0.50), "p95_ms": percentile(0.95), "p99_ms": percentile(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "fake_cpu_seconds": time.process_time(), "overloaded_after_s": load.overloaded_after,
    }


async def _main(arguments: argparse.Namespace) -> None:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with RecordingApi(TOKEN) as api:
        load = Load(api, scenario.dialogue(), arguments.think)
        api.load = load
        _say(f"READY {api.base_url}")
        await reader.readline()  # GO
        if arguments.mode == "capacity":
            await capacity(load, arguments.users, arguments.seconds)
        else:
            await latency(load, arguments.rate, arguments.seconds)
        _say(json.dumps(_results(load, arguments.mode)))
        await reader.readline()  # STOP


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    """Serve the fake and run one load."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen")
    parser.add_argument("mode", choices=("capacity", "latency"))
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
