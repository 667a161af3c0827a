"""The smallest change to a person's answers that would make another outcome win.

The smallest change, exactly: among every complete set of answers the dialogue can collect
(answers to the questions its routes ask, in order) under which `outcome` wins (highest score,
ties to the outcome written first), the one with the fewest questions answered differently
from the person. A question asked both times with another option counts one; a question the
new answers lead to that the person was never asked counts one (it needs an answer); a
question they no longer lead to counts nothing. Among sets of the same size the first found
is given: the person's own route first, then answers changed late before answers changed early.
At a multiple question each set of options within its bounds is one answer, so choosing
another set counts one change, however many options it adds or drops.

How it is fast: a route depends only on the answers to routing questions (those named in a
branch or an `ask_if`, and those with an option that has its own `next`). Each combination
of routing answers a route can meet is a route class, worked out once per dialogue; within a
class the questions asked are fixed and each adds its points on its own. The search tries
1, 2, ... changes in turn: every class whose routing answers and new questions fit in the
budget, then every way to spend the rest on the person's other answers, cutting a branch as
soon as even its best changes could not lift the outcome far enough.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bot.engine import rules
from bot.engine.ahead import steering
from bot.engine.model import END, Dialogue

CLASS_LIMIT = 20_000
"""Route classes followed before giving up: a dialogue with more (or with routes that loop,
which `check` refuses) gets no "what would change this"."""

Vector = tuple[int, ...]
"""Points per outcome, in the dialogue's order of outcomes."""


@dataclass(frozen=True)
class Change:
    """A set of answers under which `outcome` wins, and how it differs from the person's."""

    outcome: str
    answers: dict[str, str]
    """Every answer of the new set, question -> option, in the order the route asks them."""
    changed: tuple[tuple[str, str], ...]
    """(question, option) of each answer given differently or newly, in route order."""

    @property
    def size(self) -> int:
        """Return how many answers change: the measure the search keeps smallest."""
        return len(self.changed)


@dataclass(frozen=True)
class _RouteClass:
    routing: dict[str, str]  # routing question -> option on this class's routes
    asked: tuple[str, ...]  # every question the route asks, in order
    free: tuple[str, ...]  # the asked questions whose answers do not route
    points: Vector  # the routing answers' points


@dataclass
class _Prepared:
    """What the search needs of a dialogue, worked out once."""

    outcomes: tuple[str, ...]
    points: dict[tuple[str, str], Vector]
    options: dict[str, tuple[str, ...]]
    classes: tuple[_RouteClass, ...] | None  # None: too many to follow


def _prepare(dialogue: Dialogue) -> _Prepared:
    outcomes = tuple(dialogue.outcomes)
    points = {
        (question.id, option.id): tuple(option.scores.get(o, 0) for o in outcomes)
        for question in dialogue.questions.values()
        for option in question.choices
    }
    options = {q.id: tuple(o.id for o in q.choices) for q in dialogue.questions.values()}
    try:
        classes: tuple[_RouteClass, ...] | None = tuple(_route_classes(dialogue, points))
    except (OverflowError, ValueError):  # too many, or routes that loop (ValueError: rules)
        classes = None
    return _Prepared(outcomes, points, options, classes)


def _route_classes(
    dialogue: Dialogue, points: Mapping[tuple[str, str], Vector]
) -> Iterator[_RouteClass]:
    routing = frozenset(steering(dialogue))
    zero = (0,) * len(dialogue.outcomes)
    count = 0

    def walk(target: str, chosen: dict[str, str], asked: tuple[str, ...]) -> Iterator[_RouteClass]:
        nonlocal count
        target = rules.asked(dialogue, target, chosen)
        if target in asked:  # a route that asks a question twice: `check` refuses the file
            raise OverflowError(target)
        if target == END:
            count += 1
            if count > CLASS_LIMIT:
                raise OverflowError(CLASS_LIMIT)
            free = tuple(q for q in asked if q not in chosen)
            total = _sum([points[q, o] for q, o in chosen.items()], zero)
            yield _RouteClass(dict(chosen), asked, free, total)
            return
        question = dialogue.questions[target]
        if target not in routing:
            yield from walk(rules.route(question, chosen, None), chosen, (*asked, target))
            return
        for option in question.choices:
            after = {**chosen, target: option.id}
            yield from walk(rules.route(question, after, option), after, (*asked, target))

    yield from walk(dialogue.start, {}, ())


def _prepared(dialogue: Dialogue) -> _Prepared:
    found = dialogue.memo.get(__name__)
    if not isinstance(found, _Prepared):
        found = dialogue.memo[__name__] = _prepare(dialogue)
    return found


def available(dialogue: Dialogue) -> bool:
    """Tell whether the dialogue's routes are few enough to search (see CLASS_LIMIT)."""
    return _prepared(dialogue).classes is not None


def smallest_changes(
    dialogue: Dialogue, chosen: Mapping[str, str], *, most: int = 2
) -> tuple[Change, ...]:
    """Return the smallest changes that make other outcomes win, one per outcome, for the
    `most` outcomes that need the fewest (equal sizes: the higher score now comes first)."""
    search = _Search(_prepared(dialogue), chosen, dialogue)
    return search.run(None, most)


def smallest_change(
    dialogue: Dialogue, chosen: Mapping[str, str], outcome: str
) -> Change | None:
    """Return the smallest change that makes `outcome` win; None when no answers can (or it
    wins already)."""
    prepared = _prepared(dialogue)
    if outcome not in prepared.outcomes:
        raise ValueError(f"the dialogue has no outcome {outcome!r}")
    found = _Search(prepared, chosen, dialogue).run(prepared.outcomes.index(outcome), 1)
    return found[0] if found else None


def _sum(vectors: list[Vector], start: Vector) -> Vector:
    total = list(start)
    for vector in vectors:
        for i, value in enumerate(vector):
            total[i] += value
    return tuple(total)


def _leader(totals: list[int]) -> int:
    """Return the index of the winning outcome: the highest, the first of equals."""
    best, top = 0, totals[0]
    for index in range(1, len(totals)):
        if totals[index] > top:
            best, top = index, totals[index]
    return best


@dataclass
class _Candidate:
    cost: int
    route: _RouteClass
    kept: tuple[str, ...]  # free questions the person answered: kept unless changed
    new: tuple[str, ...]  # free questions the person was not asked: each needs an answer
    base: list[int]


@dataclass
class _Search:
    """One person's search, for one outcome (`target`) or for any other than theirs."""

    prepared: _Prepared
    chosen: Mapping[str, str]
    dialogue: Dialogue
    found: dict[int, tuple[int, Change]] = field(default_factory=dict)
    ceilings: dict[tuple[str, ...], list[list[list[int]]]] = field(default_factory=dict)

    def run(self, target: int | None, most: int) -> tuple[Change, ...]:
        classes = self.prepared.classes
        if classes is None or most < 1:
            return ()
        totals = rules.scores(self.dialogue, self.chosen)
        ranking = rules.ranking(totals)
        winner = self.prepared.outcomes.index(ranking[0])
        if target == winner:
            return ()
        candidates = self.candidates(classes)
        limit = max((len(route.asked) for route in classes), default=0)
        for size in range(1, limit + 1):
            level: dict[int, Change] = {}
            for candidate in candidates:
                if candidate.cost > size or (target is not None and target in level):
                    break
                self.level(candidate, size - candidate.cost, winner, target, level)
            for index, change in level.items():
                self.found[index] = (size, change)
            if len(self.found) >= most:
                break
        order = {outcome: place for place, outcome in enumerate(ranking)}
        best = sorted(self.found.values(), key=lambda f: (f[0], order[f[1].outcome]))
        return tuple(change for _, change in best[:most])

    def candidates(self, classes: tuple[_RouteClass, ...]) -> list[_Candidate]:
        chosen, points = self.chosen, self.prepared.points
        zero = (0,) * len(self.prepared.outcomes)
        sums: dict[tuple[str, ...], Vector] = {}  # the kept answers' points, by kept questions
        found = []
        for route in classes:
            cost = sum(1 for q, o in route.routing.items() if chosen.get(q) != o)
            kept = tuple(q for q in route.free if q in chosen)
            new = tuple(q for q in route.free if q not in chosen)
            if kept not in sums:
                sums[kept] = _sum([points[q, chosen[q]] for q in kept], zero)
            base = [a + b for a, b in zip(route.points, sums[kept], strict=True)]
            found.append(_Candidate(cost + len(new), route, kept, new, base))
        found.sort(key=lambda c: c.cost)  # stable: the person's own route class comes first
        return found

    def level(
        self, candidate: _Candidate, budget: int, winner: int, target: int | None,
        level: dict[int, Change],
    ) -> None:
        """Find the outcomes `candidate` makes win with exactly `budget` more changes."""
        walk = _Walk(self, candidate, winner, target, level)
        walk.new(0, candidate.base, budget)


@dataclass
class _Walk:
    """Every way to answer one candidate's new questions and change `budget` kept ones."""

    search: _Search
    candidate: _Candidate
    winner: int
    target: int | None
    level: dict[int, Change]
    changes: list[tuple[str, str]] = field(default_factory=list)

    def done(self) -> bool:
        return self.target is not None and self.target in self.level

    def new(self, index: int, totals: list[int], budget: int) -> None:
        prepared = self.search.prepared
        if index == len(self.candidate.new):
            self.kept(0, totals, budget)
            return
        question = self.candidate.new[index]
        for option in prepared.options[question]:
            vector = prepared.points[question, option]
            self.changes.append((question, option))
            self.new(index + 1, [t + v for t, v in zip(totals, vector, strict=True)], budget)
            self.changes.pop()
            if self.done():
                return

    def kept(self, index: int, totals: list[int], budget: int) -> None:
        kept = self.candidate.kept
        if budget == 0:
            self.leaf(totals)
            return
        if len(kept) - index < budget or not self.hopeful(index, totals, budget):
            return
        prepared, chosen = self.search.prepared, self.search.chosen
        # Later questions first: a change at the end of the route reads as the smaller one.
        for place in range(len(kept) - budget, index - 1, -1):
            question = kept[place]
            old = prepared.points[question, chosen[question]]
            for option in prepared.options[question]:
                if option == chosen[question]:
                    continue
                vector = prepared.points[question, option]
                self.changes.append((question, option))
                moved = [t + v - o for t, v, o in zip(totals, vector, old, strict=True)]
                self.kept(place + 1, moved, budget - 1)
                self.changes.pop()
                if self.done():
                    return

    def leaf(self, totals: list[int]) -> None:
        leader = _leader(totals)
        if leader == self.winner or leader in self.level or leader in self.search.found:
            return
        if self.target is not None and leader != self.target:
            return
        self.level[leader] = self.change(leader)

    def change(self, leader: int) -> Change:
        route, chosen = self.candidate.route, self.search.chosen
        given = dict(self.changes)
        answers = {
            q: route.routing.get(q) or given.get(q) or chosen[q] for q in route.asked
        }
        changed = tuple((q, o) for q, o in answers.items() if chosen.get(q) != o)
        return Change(self.search.prepared.outcomes[leader], answers, changed)

    def hopeful(self, index: int, totals: list[int], budget: int) -> bool:
        """Tell whether `budget` changes from `index` on could still make an outcome win
        that is wanted here (the target, or any not found yet): each needs to beat at least
        the person's winner, and the target every other outcome."""
        ceiling = self.ceiling()[index]
        if self.target is None:
            return any(self.within(totals, other, self.winner, ceiling[other], budget)
                       for other in range(len(totals))
                       if other != self.winner and other not in self.level
                       and other not in self.search.found)
        return all(self.within(totals, self.target, other, ceiling[other], budget)
                   for other in range(len(totals)) if other != self.target)

    @staticmethod
    def within(
        totals: list[int], ahead: int, behind: int, gains: list[int], budget: int
    ) -> bool:
        """Tell whether outcome `ahead` can end above `behind` (level, when listed first),
        given the most `gains[n]` that n changes can gain it."""
        short = (1 if behind < ahead else 0) - (totals[ahead] - totals[behind])
        return short <= 0 or gains[min(budget, len(gains) - 1)] >= short

    def ceiling(self) -> list[list[list[int]]]:
        """Return, per kept position and per outcome, the most n changes from there on can
        gain (n = 0, 1, ...): the target over that outcome, or (searching for any) that
        outcome over the winner. Each question changes once, so it is the n best questions."""
        kept, known = self.candidate.kept, self.search.ceilings
        if kept not in known:
            known[kept] = self._ceilings()
        return known[kept]

    def _ceilings(self) -> list[list[list[int]]]:
        prepared, chosen = self.search.prepared, self.search.chosen
        kept = self.candidate.kept
        width = len(prepared.outcomes)
        pairs = (
            [(self.target, other) for other in range(width)] if self.target is not None
            else [(other, self.winner) for other in range(width)]
        )
        best: list[list[int]] = [[] for _ in range(width)]  # per pair: best gain per question
        rows = [[[0] for _ in range(width)]]
        for place in range(len(kept) - 1, -1, -1):
            question = kept[place]
            old = prepared.points[question, chosen[question]]
            vectors = [prepared.points[question, o] for o in prepared.options[question]]
            for slot, (ahead, behind) in enumerate(pairs):
                gain = max(
                    (vector[ahead] - vector[behind]) - (old[ahead] - old[behind])
                    for vector in vectors
                )
                if gain > 0:
                    best[slot] = sorted([*best[slot], gain], reverse=True)
            rows.append([_running(gains) for gains in best])
        rows.reverse()
        return rows


def _running(gains: list[int]) -> list[int]:
    """Return [0, g1, g1 + g2, ...]: the most 0, 1, 2, ... changes can add."""
    sums = [0]
    for gain in gains:
        sums.append(sums[-1] + gain)
    return sums
