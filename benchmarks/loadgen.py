"""The fake Bot API and the people pressing buttons, in one process apart from the bot.

`python -m benchmarks.loadgen MODE --users N --rate R --seconds S --think T` starts
testing.fakebot's FakeBotApi (no send limits and no network delay unless `--limits`,
`--round-trip`), prints `READY <base_url>`, waits for `GO` on stdin, runs the load, prints one
JSON line of results and exits after `STOP` on stdin (so the bot can confirm its last updates
first).

- capacity: N people start at once; each presses the next button as soon as the bot's reply
  (its sendMessage) arrives. Replies are counted for S s (or until all are done), then
  nobody presses again and what is in flight is waited for.
- latency: one update every 1/R s for S s: a person whose reply came at least T s ago (time
  to read it) presses the next button, and when nobody is ready a new person sends /start.
  A bot more than BACKLOG_SECONDS of updates behind cannot sustain the rate: the offer stops
  there and the result says after how long.
- people: N people walk the dialogue at once for S s, each reading every reply for about T s
  (half to one and a half times) before pressing on, and starting again with /start after the
  result. Measured over those S s, with nothing drained afterwards: the spinner (press to
  answerCallbackQuery arriving), the next message (press or /start to the reply arriving),
  people served and dialogues finished, messages sent or edited a second, 429s, and the
  longest wait, counting a reply still awaited at the end by how long it has been awaited.

People press only buttons they have been shown, as in life, and the fake hands the press to
the bot the way Telegram does. Every reply is checked: it must be the question (or the
advice) that comes next for that person; one that is not counts as out of order. A reply is a
sendMessage, or an editMessageText that carries the next question or the advice (the bot's
compact mode); an edit that only marks the choice is cosmetic. An update with no reply at the
end counts as lost. Latency runs from the update being queued to its reply arriving at the
fake.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import scenario
from benchmarks.stub import TOKEN
from bot.engine.model import Dialogue
from testing.fakebot.checks import SendLimiter
from testing.fakebot.server import Call, FakeBotApi
from testing.fakebot.user import FakeUser

JSONDict = dict[str, Any]
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

    @property
    def waiting(self) -> bool:
        """Return True while an update of the person waits for its reply."""
        return self.answered < self.sent


@dataclass
class Tally:
    """What the load generator saw."""

    latencies: list[float] = field(default_factory=list)
    out_of_order: int = 0
    failed_calls: int = 0
    first_queued: float = 0.0
    last_reply: float = 0.0
    window: tuple[int, float] | None = None  # replies counted, over seconds (capacity)
    spinners: list[float] = field(default_factory=list)  # press to answerCallbackQuery
    unfetched: list[float] = field(default_factory=list)  # press to being handed out
    handled: list[float] = field(default_factory=list)  # handed out to answerCallbackQuery
    refused: int = 0  # 429s
    refused_by: collections.Counter[str] = field(default_factory=collections.Counter)
    late_answers: int = 0  # answerCallbackQuery refused as too old
    cosmetic: int = 0  # edits that only mark a choice
    messages: list[float] = field(default_factory=list)  # when each send or edit went through
    finished: list[float] = field(default_factory=list)  # when each dialogue's result came


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
        self.walking = False  # people mode: read each reply, press on, start again at the end
        self.overloaded_after: float | None = None
        self.presses: dict[str, tuple[float, int]] = {}  # query id -> when pressed, update id
        self.fetched: dict[int, float] = {}  # update id -> when a poll or a POST took it
        self._next_chat = scenario.FIRST_CHAT
        self._expected = {q.id: q.text for q in dialogue.questions.values()}
        # The advice: a pick, or a close call between the top two (in compact replies, under
        # the choice made).
        texts = dialogue.texts
        self._headings = tuple(heading.split("{", 1)[0] for heading in (
            texts.result_heading, texts.close_heading, texts.thin_heading))
        self._random = random.Random(7)

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
        if rider.finished:  # people mode: the same person begins again
            rider.sent = rider.answered = 0
            self._queue(rider, lambda: rider.user.queue_text("/start"))
            return
        question, option = rider.person.presses[rider.sent - 1]
        text = scenario.label(self.dialogue, question, option)

        def press() -> int:
            update_id, query_id = rider.user.queue_press(text)
            self.presses[query_id] = rider.queued_at, update_id
            return update_id

        self._queue(rider, press)

    def _queue(self, rider: Rider, push: Any) -> None:
        rider.queued_at = time.monotonic()
        if not self.tally.first_queued:
            self.tally.first_queued = rider.queued_at
        rider.sent += 1
        self.in_flight += 1
        push()

    def on_call(self, call: Call) -> None:
        """Take note of a Bot API call the bot made; a reply lets its person go on."""
        if call.method == "answerCallbackQuery":
            self._answered(call)
        if call.error is not None:
            self.tally.failed_calls += 1
            self.tally.refused += "Too Many Requests" in call.error
            if "Too Many Requests" in call.error:
                self.tally.refused_by[f"{call.method} {call.error[:60]}"] += 1
            return
        if call.method not in {"sendMessage", "editMessageText"}:
            return
        self.tally.messages.append(call.at)
        rider = self.riders.get(int(call.params["chat_id"]))
        text = str(call.params.get("text", ""))
        if call.method == "editMessageText" and not self._carries_reply(rider, call, text):
            self.tally.cosmetic += 1
            return
        if rider is None or rider.answered >= rider.sent:
            self.tally.out_of_order += 1
            return
        if not self._expected_reply(rider, text):
            self.tally.out_of_order += 1
        rider.answered += 1
        self.tally.latencies.append(call.at - rider.queued_at)
        self.tally.last_reply = call.at
        if rider.finished:
            self.tally.finished.append(call.at)
        if self.walking or not rider.finished:
            self._go_on(rider)
        self.in_flight -= 1
        if not self.in_flight:
            self.idle.set()

    def _go_on(self, rider: Rider) -> None:
        chat_id = rider.person.chat_id
        if self.closed_loop:
            self.press_next(chat_id)
        elif self.walking:  # reading takes half to one and a half times `think`
            pause = self.think * self._random.uniform(0.5, 1.5)
            asyncio.get_running_loop().call_later(pause, self._press_if_walking, chat_id)
        else:
            asyncio.get_running_loop().call_later(self.think, self.ready.append, chat_id)

    def _press_if_walking(self, chat_id: int) -> None:
        if self.walking:
            self.press_next(chat_id)

    def _answered(self, call: Call) -> None:
        found = self.presses.pop(str(call.params.get("callback_query_id")), None)
        if found is None:
            return
        pressed, update_id = found
        self.tally.spinners.append(call.at - pressed)
        fetched = self.fetched.pop(update_id, None)
        if fetched is not None:  # where the spinner's time went: before and after the fetch
            self.tally.unfetched.append(fetched - pressed)
            self.tally.handled.append(call.at - fetched)
        self.tally.late_answers += call.error is not None and "too old" in call.error

    def _carries_reply(self, rider: Rider | None, call: Call, text: str) -> bool:
        """Tell an edit that shows what comes next (compact mode) from one that marks."""
        if rider is not None and rider.waiting and self._expected_reply(rider, text):
            return True
        markup = call.params.get("reply_markup")
        return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))

    def _expected_reply(self, rider: Rider, text: str) -> bool:
        presses = rider.person.presses
        if rider.answered < len(presses):
            return self._expected[presses[rider.answered][0]] in text
        return any(heading in text for heading in self._headings)



class RecordingApi(FakeBotApi):
    """The fake, telling the load about every call as it is recorded and when each update was
    handed out (in the answer to getUpdates or a webhook POST, which then fly to the bot)."""

    load: Load | None = None

    def _record(self, call: Call) -> None:
        super()._record(call)
        if self.load is not None:
            self.load.on_call(self.calls[-1])

    def _handed_out(self, updates: list[JSONDict]) -> None:
        if self.load is not None:
            now = time.monotonic()
            self.load.fetched.update((int(update["update_id"]), now) for update in updates)


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


async def walk(load: Load, users: int, seconds: float) -> float:
    """Let `users` people walk the dialogue at once for `seconds`; return when that began."""
    load.walking = True
    began = time.monotonic()
    for _ in range(users):
        load.start_person()
    await asyncio.sleep(seconds)
    load.walking = False
    return began


async def _drain(load: Load, *, within: float) -> None:
    """Wait until every queued update has its reply, or `within` s passed (they are lost)."""
    load.idle.clear()
    if not load.in_flight:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(load.idle.wait(), within)


def percentile(values: list[float], share: float) -> float:
    """Return the `share` percentile of `values` (sorted) in milliseconds; 0 for none."""
    return values[min(len(values) - 1, int(share * len(values)))] * 1000 if values else 0.0


def _walk_results(load: Load, began: float, seconds: float) -> dict[str, Any]:
    """Return what people met over the window, with waits still open counted as they stand."""
    tally, end = load.tally, began + seconds
    latencies, spinners = sorted(tally.latencies), sorted(tally.spinners)
    still = [end - rider.queued_at for rider in load.riders.values() if rider.waiting]
    longest = max([*latencies, *still], default=0.0) * 1000
    median = percentile(latencies, 0.5)
    minutes = seconds / 60
    parts = {"spinner": spinners, "next": latencies, "unfetched": sorted(tally.unfetched),
             "handled": sorted(tally.handled)}
    spread = {f"{name}_p{share}_ms": percentile(values, share / 100)
              for name, values in parts.items() for share in (50, 95, 99)}
    return {
        "mode": "people", "people": len(load.riders), "seconds": seconds, **spread,
        "spinner_max_ms": spinners[-1] * 1000 if spinners else 0.0,
        "served": len(latencies), "served_per_minute": len(latencies) / minutes,
        "finished": len(tally.finished), "finished_per_minute": len(tally.finished) / minutes,
        "updates_per_dialogue": _mean_updates(load),
        "messages": sum(began <= at <= end for at in tally.messages),
        "messages_per_second": sum(began <= at <= end for at in tally.messages) / seconds,
        "refused": tally.refused, "refused_by": dict(tally.refused_by),
        "late_answers": tally.late_answers,
        "failed_calls": tally.failed_calls, "out_of_order": tally.out_of_order,
        "cosmetic_edits": tally.cosmetic, "waiting_at_end": len(still),
        "longest_wait_ms": longest, "fairness": longest / median if median else 0.0,
        "fake_cpu_seconds": time.process_time(), **_polls(load.api, began, end),
        "webhook_posts": len(load.api.webhook_responses),
        "webhook_failures": sum(status != 200 for _, status in load.api.webhook_responses),
    }


def _polls(api: FakeBotApi, began: float, end: float) -> dict[str, float]:
    """Return how the bot fetched updates over the window: polls a second, updates each."""
    polls = [call for call in api.calls if call.method == "getUpdates" and call.error is None
             and began <= call.at <= end]
    fetched = sum(len(call.result or []) for call in polls)
    seconds = end - began
    return {"polls_per_second": len(polls) / seconds,
            "updates_per_poll": fetched / len(polls) if polls else 0.0}


def _mean_updates(load: Load) -> float:
    """Return the updates a dialogue takes, on average over these people."""
    people = [rider.person.updates for rider in load.riders.values()]
    return sum(people) / len(people) if people else 0.0


def _results(load: Load, mode: str) -> dict[str, Any]:
    tally = load.tally
    answered = len(tally.latencies)
    latencies = sorted(tally.latencies)
    counted, elapsed = tally.window or (answered, tally.last_reply - tally.first_queued)
    return {
        "mode": mode, "people": len(load.riders), "updates": answered, "lost": load.in_flight,
        "out_of_order": tally.out_of_order, "failed_calls": tally.failed_calls,
        "seconds": elapsed, "updates_per_second": counted / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "fake_cpu_seconds": time.process_time(), "overloaded_after_s": load.overloaded_after,
    }


async def _main(arguments: argparse.Namespace) -> None:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    limits = SendLimiter(overall_per_second=arguments.overall)
    async with RecordingApi(TOKEN, enforce_limits=arguments.limits, limits=limits,
                            round_trip=arguments.round_trip, jitter=arguments.jitter) as api:
        load = Load(api, scenario.dialogue(), arguments.think)
        api.load = load
        _say(f"READY {api.base_url}")
        await reader.readline()  # GO
        if arguments.mode == "capacity":
            await capacity(load, arguments.users, arguments.seconds)
            _say(json.dumps(_results(load, arguments.mode)))
        elif arguments.mode == "latency":
            await latency(load, arguments.rate, arguments.seconds)
            _say(json.dumps(_results(load, arguments.mode)))
        else:
            began = await walk(load, arguments.users, arguments.seconds)
            _say(json.dumps(_walk_results(load, began, arguments.seconds)))
        await reader.readline()  # STOP


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    """Serve the fake and run one load."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen")
    parser.add_argument("mode", choices=("capacity", "latency", "people"))
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--limits", action="store_true", help="enforce Telegram's send limits")
    parser.add_argument("--overall", type=int, default=30, help="the overall limit a second")
    parser.add_argument("--round-trip", type=float, default=0.0, help="seconds, both ways")
    parser.add_argument("--jitter", type=float, default=0.0, help="seconds, each way")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
