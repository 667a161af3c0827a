"""End to end at Telegram's limit: a round trip on every call, and the fake enforcing the limits.

Each run is a fresh bot polling a fresh fake (benchmarks.endtoend) that adds ROUND_TRIP (with
JITTER each way) to every Bot API call and answers 429 past Telegram's send limits, while
people walk the dialogue (benchmarks.loadgen's `people` mode). Ours runs as deployed, flood
control on; the baseline is the ConversationHandler bot with PTB's own AIORateLimiter. Ours
also runs by webhook, the fake posting each update with a call's one-way flight (half the
round trip, the same jitter), so that the spinner's wait for a poll can be told from the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks import endtoend
from benchmarks.report import Row, number, times

ROUND_TRIP = 0.060
JITTER = 0.010
THINK = 1.0
BUDGET = 30
PAID_BUDGET = 1000
STOP_WITHIN = 30.0
TODAY_NEXT_P50_MS = 3140.0
"""Next-message p50 with 60 people before the flood-control rules of this branch (separate
replies, flood control on, the same set-up; the median of three runs): see "At Telegram's
limit" on the performance page."""


@dataclass(frozen=True)
class Contender:
    """One bot in these rows: which kind botproc runs, with which settings."""

    name: str
    kind: str
    settings: tuple[str, ...] = ()


async def run(contender: Contender, people: int, seconds: float, *, think: float = THINK,
              budget: int = BUDGET) -> dict[str, Any]:
    """Let `people` walk the dialogue for `seconds` against `contender`; return the results."""
    options = ["--users", str(people), "--seconds", str(seconds), "--think", str(think),
               "--limits", "--overall", str(budget), "--round-trip", str(ROUND_TRIP),
               "--jitter", str(JITTER)]
    result = await endtoend.run(contender.kind, "people", options, within=seconds + 120,
                                settings=contender.settings, stop_within=STOP_WITHIN)
    result["contender"] = contender.name
    return result


def rows(people: int, runs: dict[str, dict[str, Any]], *, overload: bool) -> list[Row]:
    """Return the rows of one size: ours, the baseline, and ours in the other mode.

    `overload`: the size that asks more than the budget gives, where the targets of overload
    apply (and stopping is measured).
    """
    ours, base, other = runs["ours"], runs["baseline"], runs.get("other")
    label = _label(people)

    def cells(show: Any) -> tuple[str, str, str]:
        return show(ours), show(base), show(other) if other else ""

    def spinner(run: dict[str, Any]) -> str:
        return _spread(run, "spinner")

    def following(run: dict[str, Any]) -> str:
        return _spread(run, "next")

    def fairness(run: dict[str, Any]) -> str:
        return f"{number(run['longest_wait_ms'])} ms ({run['fairness']:.1f}x)"

    result = [
        Row(f"{label}: spinner, press to answerCallbackQuery, p50 / p95 / p99 ms",
            *cells(spinner), **_spinner_target(ours)),
        Row(f"{label}: the spinner split: waiting at Telegram for a poll / from its answer"
            " to answerCallbackQuery arriving, p50+p95 ms", *cells(_split)),
        _next_row(label, people, ours, cells(following)),
        Row(f"{label}: people served / dialogues finished, a minute", *cells(_served),
            ratio=f"{times(_ratio(ours, base, 'served_per_minute'))} baseline",
            **_served_target(overload, ours, base)),
        Row(f"{label}: messages a second (of the {BUDGET} budget) / 429s received",
            *cells(_sent), **_sent_target(overload, ours)),
        Row(f"{label}: longest wait (x the median next message)", *cells(fairness),
            **_fairness_target(overload, ours)),
    ]
    if overload:
        result.append(Row(f"stopping after {label} (SIGTERM to exit)", *cells(_stop)))
    return result


def webhook_rows(people: int, runs: dict[str, dict[str, Any]]) -> list[Row]:
    """Return the rows of one size for ours by webhook, ours polling beside it (other)."""
    pushed, polled = runs["webhook"], runs["ours"]
    label = f"{_label(people)}, webhook"

    def row(measure: str, show: Any, **verdict: Any) -> Row:
        return Row(f"{label}: {measure}", show(pushed), other=f"polling: {show(polled)}",
                   **verdict)

    return [
        row("spinner, press to answerCallbackQuery, p50 / p95 / p99 ms",
            lambda run: _spread(run, "spinner"),
            ratio=f"{times(_ratio(pushed, polled, 'spinner_p95_ms'))} polling (p95)",
            **_spinner_target(pushed)),
        row("the spinner split: waiting at Telegram to be posted / from the POST leaving to"
            " answerCallbackQuery arriving, p50+p95 ms", _split),
        row("next message, press to the next question or result, p50 / p95 / p99 ms",
            lambda run: _spread(run, "next")),
        row("people served / dialogues finished, a minute", _served),
        row(f"messages a second (of the {BUDGET} budget) / 429s received", _sent),
    ]


def paid_rows(people: int, run: dict[str, Any]) -> list[Row]:
    """Return the row of the paid-broadcast budget: what the bot sustains and its CPU."""
    rate = run["messages_per_second"]
    cpu = run["cpu_seconds"] / run["messages"] * 1e6 if run["messages"] else 0.0
    return [
        Row(f"{PAID_BUDGET:,} a second budget (SEND_RATE), {people:,} people: messages a"
            " second sustained / 429s", f"{number(rate)} / {run['refused']}",
            other=f"spinner p95 {number(run['spinner_p95_ms'])} ms, next p50"
            f" {number(run['next_p50_ms'])} ms", target="≥ 600 a second", met=rate >= 600),
        Row("the same: bot CPU µs per message (whole process) / fake's CPU s",
            f"{number(cpu)} / {run['fake_cpu_seconds']:.0f} s"),
    ]


def _label(people: int) -> str:
    return f"{people:,} {'person' if people == 1 else 'people'}"


def _spinner_target(run: dict[str, Any]) -> dict[str, Any]:
    """Return the issue's spinner target, judged on `run`: p95 at most the round trip + 50 ms."""
    limit = ROUND_TRIP * 1000 + 50
    return {"target": f"p95 ≤ {limit:.0f} ms", "met": run["spinner_p95_ms"] <= limit}


def _split(run: dict[str, Any]) -> str:
    """Return where the spinner's time went: waiting to be handed out, then the rest."""
    return " / ".join(f"{number(run[f'{name}_p50_ms'])}+{number(run[f'{name}_p95_ms'])}"
                      for name in ("unfetched", "handled"))


def _served(run: dict[str, Any]) -> str:
    return f"{number(run['served_per_minute'])} / {number(run['finished_per_minute'])}"


def _sent(run: dict[str, Any]) -> str:
    rate = run["messages_per_second"]
    return f"{rate:.1f} ({rate / BUDGET:.0%}) / {run['refused']}"


def _spread(run: dict[str, Any], name: str) -> str:
    return " / ".join(number(run[f"{name}_p{share}_ms"]) for share in (50, 95, 99))


def _next_row(label: str, people: int, ours: dict[str, Any],
              cells: tuple[str, str, str]) -> Row:
    measure = f"{label}: next message, press to the next question or result, p50 / p95 / p99 ms"
    if people != 60:
        return Row(measure, *cells)
    ratio = ours["next_p50_ms"] / TODAY_NEXT_P50_MS
    calm = ours["refused"] == 0
    return Row(measure, *cells, ratio=f"{times(ratio)} before ({number(TODAY_NEXT_P50_MS)})",
               target="p50 ≤ 0.6x before, no 429", met=ratio <= 0.6 and calm)


def _ratio(ours: dict[str, Any], base: dict[str, Any], key: str) -> float:
    return ours[key] / base[key] if base[key] else float("inf")


def _served_target(overload: bool, ours: dict[str, Any], base: dict[str, Any]
                   ) -> dict[str, Any]:
    if not overload:
        return {}
    return {"target": "≥ 1.8x baseline",
            "met": _ratio(ours, base, "served_per_minute") >= 1.8}


def _sent_target(overload: bool, ours: dict[str, Any]) -> dict[str, Any]:
    if not overload:
        return {}
    return {"target": f"≥ 90% ({0.9 * BUDGET:g} a second)",
            "met": ours["messages_per_second"] >= 0.9 * BUDGET}


def _fairness_target(overload: bool, ours: dict[str, Any]) -> dict[str, Any]:
    if not overload:
        return {}
    return {"target": "≤ 3x", "met": ours["fairness"] <= 3}


def _stop(run: dict[str, Any]) -> str:
    seconds = run.get("stop_seconds")
    return f"{seconds:.1f} s" if seconds is not None else f"over {STOP_WITHIN:g} s (killed)"
