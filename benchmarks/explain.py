"""The engine explaining a result, in process: "what would change this" (the two smallest
changes of answers), "why not X" (the smallest change to one outcome) and the result screen,
timed call by call over people who answered at random (benchmarks.scenario).

Each call is timed alone (the best of a few repeats, so that the shared machine's hiccups do
not pass for the engine's cost); the figures are the middle, the 99th percentile and the worst
over the people.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from benchmarks import scenario
from bot.engine import counterfactual, rules, screens

REPEATS = 3


@dataclass(frozen=True)
class Timing:
    """Microseconds per call: median, 99th percentile and worst, over `calls` calls."""

    calls: int
    p50_us: float
    p99_us: float
    max_us: float


def measure(people: int) -> dict[str, Timing]:
    """Time each explanation for `people` random people of the shipped dialogue."""
    dialogue = scenario.dialogue()
    answers = [dict(person.presses) for person in scenario.people(dialogue, people)]
    counterfactual.available(dialogue)  # the per-dialogue preparation, done once at start
    what_if: list[float] = []
    why_not: list[float] = []
    screen: list[float] = []
    for chosen in answers:
        what_if.append(_best(partial(counterfactual.smallest_changes, dialogue, chosen)))
        screen.append(_best(partial(screens.result_reply, dialogue, chosen)))
        winner = rules.ranking(rules.scores(dialogue, chosen))[0]
        others = [outcome for outcome in dialogue.outcomes if outcome != winner]
        why_not.extend(_best(partial(counterfactual.smallest_change, dialogue, chosen, outcome))
                       for outcome in others)
    return {"what_if": _timing(what_if), "why_not": _timing(why_not),
            "result_screen": _timing(screen)}


def _best(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best * 1e6


def _timing(samples: list[float]) -> Timing:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return Timing(len(ordered), statistics.median(ordered), p99, ordered[-1])
