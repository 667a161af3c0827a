"""Follow every route through a dialogue: where it can go, how many ways through, who can win.

Routes are followed with `rules` (the same functions the engine uses), never re-derived, and
remembered by what routing can tell apart, so a dialogue with far too many answer sets to walk
one by one is still followed quickly. Searches that could run away stop at a step limit and,
for `check`, at a time budget, so a hard dialogue is reported promptly instead of holding up a
start or a reload.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.engine import rules
from bot.engine.model import END, Answered, Dialogue, Option, Question, leaves

SEARCH_LIMIT = 200_000
"""Steps the search for answers that make one outcome win may take before it gives up."""

ROUTE_LIMIT = 1_000_000
"""Distinct places (question and the answers routing depends on) followed before giving up."""

TIME_BUDGET = 5.0
"""Seconds `check` gives following the routes and searching for winners, all together."""

CLOCK_EVERY = 256
"""Steps between looks at the clock, so that keeping to the time budget costs next to nothing."""

Place = tuple[str, tuple[tuple[bool, ...] | None, ...]]
"""A question, and for each question that matters from there on which option sets hold."""


class SearchLimitError(Exception):
    """Following a dialogue's routes took more steps than allowed, or (`budget` set) more time."""

    def __init__(self, steps: int, budget: float | None = None) -> None:
        spent = f"{steps:,} steps" if budget is None else f"the {budget:g} s time budget"
        super().__init__(f"the search gave up after {spent}")
        self.steps = steps
        self.budget = budget


@dataclass(frozen=True)
class Deadline:
    """When a search must stop on the monotonic clock, and the budget (seconds) that set it."""

    budget: float | None = None
    at: float = math.inf

    @classmethod
    def after(cls, budget: float | None) -> Deadline:
        """Return the deadline `budget` seconds from now (never, for None)."""
        return cls(budget, math.inf if budget is None else time.monotonic() + budget)

    def share(self, searches: int) -> Deadline:
        """Return the deadline for the next of `searches`: an equal part of the time left."""
        now = time.monotonic()
        return replace(self, at=now + max(0.0, self.at - now) / searches)

    def check(self, steps: int) -> None:
        """Raise SearchLimitError when time is up, looking at the clock every CLOCK_EVERY steps."""
        if steps % CLOCK_EVERY == 0 and time.monotonic() >= self.at:
            raise SearchLimitError(steps, self.budget)


def count_paths(dialogue: Dialogue, *, budget: float | None = None) -> int:
    """Return how many different complete sets of answers lead through `dialogue` to the end.

    Raises SearchLimitError when the routes depend on so many answers that counting them would
    take more than ROUTE_LIMIT steps, or more than `budget` seconds.
    """
    return Routes(dialogue, Deadline.after(budget)).count()


def witness(
    dialogue: Dialogue, outcome_id: str, *, budget: float | None = None
) -> dict[str, str] | None:
    """Return answers (question -> option) that make `outcome_id` win, or None if none is found.

    None also when the search gives up after SEARCH_LIMIT steps or `budget` seconds; `check`
    tells the two apart.
    """
    if outcome_id not in dialogue.outcomes:
        raise ValueError(f"the dialogue has no outcome {outcome_id!r}")
    deadline = Deadline.after(budget)
    try:
        return Routes(dialogue, deadline).witness(outcome_id, deadline)
    except SearchLimitError:
        return None


def successors(question: Question) -> set[str]:
    """Return where the dialogue can go after `question`: answered with any option, or skipped."""
    targets = {option.next for option in question.options if option.next is not None}
    if question.ask_if is not None or any(option.next is None for option in question.options):
        targets |= {branch.next for branch in question.branches} | {question.next}
    return targets


def reach(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    """Return `start` and everything reachable from it along `edges`."""
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _shown(chosen: Mapping[str, str]) -> str:
    return ", ".join(f"{q}: {o}" for q, o in chosen.items()) or "none yet"


def routing_sets(dialogue: Dialogue) -> dict[str, list[frozenset[str]]]:
    """Return, per question, the option sets that routing conditions test its answer against."""
    sets: dict[str, list[frozenset[str]]] = {}
    for question in dialogue.questions.values():
        for condition in question.routing_conditions:
            for leaf in leaves(condition):
                if isinstance(leaf, Answered):
                    sets.setdefault(leaf.question, []).append(leaf.options)
    return sets


class Routes:
    """Follows every way through a dialogue, remembering places by what routing can tell apart.

    A place is a question plus, for every question still reachable from it or named by a
    later routing condition, which of the condition's option sets its answer falls in. Two
    answer histories with the same place go on the same way, so the walk counts each once.
    Counting and searching stop with SearchLimitError at their step limits or at `deadline`.
    """

    def __init__(self, dialogue: Dialogue, deadline: Deadline) -> None:
        self.dialogue = dialogue
        self.deadline = deadline
        self.counted: dict[Place, int] = {}
        questions = dialogue.questions
        edges = {qid: successors(question) for qid, question in questions.items()}
        self.edges = edges
        self.reach = {qid: reach(qid, edges) - {END} for qid in questions}
        self.sets = routing_sets(dialogue)
        named = {
            qid: {leaf.question for c in question.routing_conditions for leaf in leaves(c)
                  if isinstance(leaf, Answered)}
            for qid, question in questions.items()
        }
        self.relevant = {
            qid: tuple(sorted(ahead | {n for r in ahead for n in named[r]}))
            for qid, ahead in self.reach.items()
        }
        self.issues: dict[str, str] = {}

    def place(self, target: str, chosen: Mapping[str, str]) -> Place:
        return target, tuple(
            None
            if (answer := chosen.get(qid)) is None
            else tuple(rules.among(answer, options) for options in self.sets.get(qid, ()))
            for qid in self.relevant[target]
        )

    def asked(self, target: str, chosen: Mapping[str, str]) -> str | None:
        """Return the question asked from `target` on (or END); None, noted, when it loops."""
        try:
            current = rules.asked(self.dialogue, target, chosen)
        except ValueError:
            self.skip_loop(target, chosen)
            return None
        if current != END and current in chosen:
            self.issues.setdefault(
                current,
                f"question {current!r} can be asked again after it was answered (answers "
                f"so far: {_shown(chosen)}): routes must go on to questions not yet answered",
            )
            return None
        return current

    def skip_loop(self, target: str, chosen: Mapping[str, str]) -> None:
        seen: list[str] = []
        while target not in seen:
            seen.append(target)
            target = rules.route(self.dialogue.questions[target], chosen, None)
        loop = [*seen[seen.index(target) :], target]
        self.issues.setdefault(
            target,
            f"questions {' -> '.join(loop)} skip each other in a loop (answers so far: "
            f"{_shown(chosen)}): every 'ask_if' on the way is false, so none is asked; "
            "let one of them lead elsewhere",
        )

    def count(self) -> int:
        counted = self.counted
        steps = 0

        def walk(target: str, chosen: dict[str, str]) -> int:
            nonlocal steps
            if target == END:
                return 1
            place = self.place(target, chosen)
            if place in counted:
                return counted[place]
            if len(counted) >= ROUTE_LIMIT:
                raise SearchLimitError(ROUTE_LIMIT)
            steps += 1
            self.deadline.check(steps)
            current = self.asked(target, chosen)
            total = 0
            if current == END:
                total = 1
            elif current is not None:
                question = self.dialogue.questions[current]
                for option in question.choices:
                    after = {**chosen, current: option.id}
                    total += walk(rules.route(question, after, option), after)
            counted[place] = total
            return total

        return walk(self.dialogue.start, {})

    def busiest(self) -> tuple[str, int]:
        """Return the question counted in the most places so far, and how many."""
        ways = Counter(target for target, _ in self.counted)
        return ways.most_common(1)[0] if ways else (self.dialogue.start, 0)

    def witness(self, outcome: str, deadline: Deadline) -> dict[str, str] | None:
        """Return answers that make `outcome` win, searching the likeliest options first."""
        return _WinSearch(self, outcome, SEARCH_LIMIT, deadline).run()


class _WinSearch:
    """Depth-first search for answers that make one outcome win, with branch and bound.

    It tracks the outcome's margin over every other outcome and drops a place as soon as even
    the most favourable answers still to come could not lift every margin far enough.
    """

    def __init__(self, routes: Routes, outcome: str, limit: int, deadline: Deadline) -> None:
        deadline.check(0)  # time may be up already: then not even the bounds are worked out
        self.deadline = deadline
        self.routes = routes
        self.dialogue = routes.dialogue
        self.outcome = outcome
        self.limit = limit
        self.steps = 0
        self.failed: set[tuple[Place, tuple[int, ...]]] = set()
        order = list(self.dialogue.outcomes)
        self.others = [o for o in order if o != outcome]
        # Ties go to the outcome listed first, so beating a later one only needs a tie.
        self.need = tuple(0 if order.index(outcome) < order.index(o) else 1 for o in self.others)
        self.bounds = self.optimistic_bounds()

    def gains(self, option: Option) -> tuple[int, ...]:
        mine = option.scores.get(self.outcome, 0)
        return tuple(mine - option.scores.get(other, 0) for other in self.others)

    def preference(self, option: Option) -> int:
        gains = self.gains(option)
        return min(gains) if gains else 0

    def best(self, question: Question) -> tuple[int, ...]:
        """Return the most each margin can grow at `question` (0 when it may be skipped)."""
        best = [max(column) for column in zip(*map(self.gains, question.choices), strict=True)]
        if not question.options:
            best = [0] * len(self.others)
        if question.ask_if is not None:
            best = [max(0, each) for each in best]
        return tuple(best)

    def optimistic_bounds(self) -> dict[str, tuple[int, ...]]:
        """Return, per question, the most each margin can still grow from there on."""
        questions = self.dialogue.questions
        best = {qid: self.best(question) for qid, question in questions.items()}
        acyclic = all(
            qid
            not in set().union(*(self.routes.reach.get(s, set()) for s in self.routes.edges[qid]))
            for qid in questions
        )
        if not acyclic:
            # With loops, each question still counts once: add up everything reachable.
            return {
                qid: tuple(sum(max(0, best[r][i]) for r in reach) for i in range(len(self.others)))
                for qid, reach in self.routes.reach.items()
            }
        bounds: dict[str, tuple[int, ...]] = {END: (0,) * len(self.others)}

        def bound(qid: str) -> tuple[int, ...]:
            if qid not in bounds:
                after = [bound(s) for s in self.routes.edges[qid]] or [bounds[END]]
                bounds[qid] = tuple(
                    own + max(column)
                    for own, column in zip(best[qid], zip(*after, strict=True), strict=True)
                )
            return bounds[qid]

        for qid in questions:
            bound(qid)
        return bounds

    def run(self) -> dict[str, str] | None:
        return self.search(self.dialogue.start, {}, (0,) * len(self.others))

    def search(
        self, target: str, chosen: dict[str, str], margins: tuple[int, ...]
    ) -> dict[str, str] | None:
        if target == END:
            totals = rules.scores(self.dialogue, chosen)
            return chosen if rules.ranking(totals)[0] == self.outcome else None
        bound = self.bounds[target]
        if any(m + b < n for m, b, n in zip(margins, bound, self.need, strict=True)):
            return None
        place = (self.routes.place(target, chosen), margins)
        if place in self.failed:
            return None
        self.steps += 1
        if self.steps > self.limit:
            raise SearchLimitError(self.limit)
        self.deadline.check(self.steps)
        found = self.answer(target, chosen, margins)
        if found is None:
            self.failed.add(place)
        return found

    def answer(
        self, target: str, chosen: dict[str, str], margins: tuple[int, ...]
    ) -> dict[str, str] | None:
        current = self.routes.asked(target, chosen)
        if current is None or current == END:
            return None if current is None else self.search(END, chosen, margins)
        question = self.dialogue.questions[current]
        for option in sorted(question.choices, key=self.preference, reverse=True):
            after = {**chosen, current: option.id}
            grown = tuple(m + g for m, g in zip(margins, self.gains(option), strict=True))
            found = self.search(rules.route(question, after, option), after, grown)
            if found is not None:
                return found
        return None
