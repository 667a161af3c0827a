"""Checks on a whole dialogue: references, limits, reachability, and whether each outcome can win.

Everything works on the model, so dialogues built in code are checked the same way as files.
Routes are followed with `rules` (the same functions the engine uses), never re-derived.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Hashable, Mapping

from bot.engine import rules
from bot.engine.advice import Advice, render_advice
from bot.engine.engine import normalize
from bot.engine.model import (
    CALLBACK_DATA_LIMIT,
    CALLBACK_RESERVED,
    END,
    ROW_LIMIT,
    TEXT_LIMIT,
    Answered,
    CloseCall,
    Condition,
    Dialogue,
    Option,
    Outcome,
    Question,
    Recommended,
    Texts,
    leaves,
)
from bot.engine.schema import REASONS_MAX
from bot.errors import Problem

QUESTION_LIMIT = 200
"""The most questions a dialogue may have (nobody answers more; it also bounds the search)."""

OPTION_LIMIT = 100
"""The most options (buttons) one question may have."""

SEARCH_LIMIT = 200_000
"""Steps the search for answers that make one outcome win may take before it gives up."""

ROUTE_LIMIT = 1_000_000
"""Distinct places (question and the answers routing depends on) followed before giving up."""

ID_PATTERN = re.compile(r"[a-z0-9_]+")
RESERVED_IDS = frozenset({"all", "any", "not", "close_call", "outcome", END})

# The texts the engine fills in with str.format, and the names each may use.
_PLACEHOLDERS = {
    name: fields
    for name, text in vars(Texts()).items()
    if (fields := {field for _, field, _, _ in string.Formatter().parse(text) if field})
}


class SearchLimitError(Exception):
    """Following a dialogue's routes took more steps than allowed."""


def check(
    dialogue: Dialogue, *, lines: Mapping[str, int] | None = None, local_only: bool = False
) -> list[Problem]:
    """Return every problem in `dialogue`.

    `lines` gives the file lines of dialogue-level keys (`start`, `texts.progress`, and ""
    for the top of the file); problems inside questions, outcomes and tips use their `where`.
    With `local_only`, only checks that look at one part at a time run: the loader asks for
    that when parts of the file could not be read, so routes would be guesses.
    """
    checks = _Checks(dialogue, lines or {})
    checks.local()
    # A broken reference would make parts look unreachable or endless; report it alone first.
    if not local_only and not checks.blocked:
        checks.graph()
        if not checks.blocked:
            checks.routes()
    return checks.problems


def count_paths(dialogue: Dialogue) -> int:
    """Return how many different complete sets of answers lead through `dialogue` to the end.

    Raises SearchLimitError when the routes depend on so many answers that counting them would
    take more than ROUTE_LIMIT steps.
    """
    return _Routes(dialogue).count()


def witness(dialogue: Dialogue, outcome_id: str) -> dict[str, str] | None:
    """Return answers (question -> option) that make `outcome_id` win, or None if none is found.

    None also when the search gives up after SEARCH_LIMIT steps; `check` tells the two apart.
    """
    if outcome_id not in dialogue.outcomes:
        raise ValueError(f"the dialogue has no outcome {outcome_id!r}")
    try:
        return _Routes(dialogue).witness(outcome_id, SEARCH_LIMIT)
    except SearchLimitError:
        return None


def summary(dialogue: Dialogue) -> str:
    """Return one line describing a valid dialogue: its size, its paths and its file."""
    parts = (
        _plural(len(dialogue.questions), "question"),
        _plural(len(dialogue.outcomes), "outcome"),
        _plural(len(dialogue.tips), "tip"),
        _plural(count_paths(dialogue), "path"),
    )
    return f"{dialogue.id} v{dialogue.version}: {', '.join(parts)} ({dialogue.source})"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# Local checks: one part at a time ----------------------------------------------------------


class _Checks:
    """Collects problems; `blocked` is set by those that make following routes meaningless."""

    def __init__(self, dialogue: Dialogue, lines: Mapping[str, int]) -> None:
        self.dialogue = dialogue
        self.lines = lines
        self.problems: list[Problem] = []
        self.blocked = False

    def report(self, line: int, message: str, *, blocks: bool = False) -> None:
        self.problems.append(Problem(self.dialogue.source, line, message))
        self.blocked = self.blocked or blocks

    def line(self, key: str) -> int:
        return self.lines.get(key, self.lines.get("", 1))

    def local(self) -> None:
        self.top()
        self.texts()
        for question in self.dialogue.questions.values():
            self.question(question)
        for outcome in self.dialogue.outcomes.values():
            self.outcome(outcome)
        self.tips()

    def top(self) -> None:
        dialogue = self.dialogue
        self.identifier(dialogue.id, self.line("id"), "the dialogue id")
        if not dialogue.title:
            self.report(self.line("title"), "the dialogue's title is empty: write one")
        if not dialogue.questions:
            self.report(self.line("questions"), "the dialogue has no questions", blocks=True)
        elif len(dialogue.questions) > QUESTION_LIMIT:
            self.report(
                self.line("questions"),
                f"the dialogue has {len(dialogue.questions)} questions; at most "
                f"{QUESTION_LIMIT} are allowed: split it into several dialogues",
                blocks=True,
            )
        elif dialogue.start not in dialogue.questions:
            self.report(
                self.line("start"),
                f"start {dialogue.start!r} is not a question"
                f"{_suggest(dialogue.start, dialogue.questions, 'questions')}",
                blocks=True,
            )
        if not dialogue.outcomes:
            self.report(self.line("outcomes"), "the dialogue has no outcomes", blocks=True)
        if dialogue.close_margin < 0:
            self.report(self.line("close_margin"), "'close_margin' cannot be negative")
        if not 1 <= dialogue.max_reasons <= REASONS_MAX:
            self.report(self.line("max_reasons"), f"'max_reasons' must be from 1 to {REASONS_MAX}")

    def texts(self) -> None:
        for name, text in vars(self.dialogue.texts).items():
            line = self.line(f"texts.{name}")
            if not text.strip():
                self.report(line, f"texts.{name} is empty: write it, or leave it out")
            elif name in _PLACEHOLDERS:
                self.placeholders(name, text, line)

    def placeholders(self, name: str, text: str, line: int) -> None:
        allowed = _PLACEHOLDERS[name]
        listed = ", ".join(f"{{{each}}}" for each in sorted(allowed))
        try:
            used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        except ValueError:
            self.report(
                line,
                f"texts.{name} has an unmatched {{ or }}: write {{{{ or }}}} for a brace; "
                f"it can use {listed}",
            )
            return
        for unknown in sorted(used - allowed):
            self.report(
                line, f"texts.{name} uses {{{unknown}}}, which it cannot fill; it can use {listed}"
            )

    def identifier(self, value: str, line: int, what: str) -> None:
        if not ID_PATTERN.fullmatch(value):
            fixed = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_") or "a_name"
            self.report(
                line, f"{what} {value!r} may only use a-z, 0-9 and _: write it as {fixed!r}"
            )

    def question(self, question: Question) -> None:
        line = question.where.line
        what = f"question {question.id!r}"
        self.identifier(question.id, line, "question id")
        if question.id in RESERVED_IDS:
            self.report(
                line,
                f"{question.id!r} cannot be a question id: all, any, not, close_call, outcome "
                "and end have a meaning in conditions and `next`; rename the question",
            )
        if not question.text:
            self.report(line, f"{what} has an empty text: write the question")
        self.question_limits(question)
        self.question_lengths(question)
        self.target(question.next, line, f"the 'next' of {what}")
        if question.ask_if is not None:
            self.condition(question.ask_if, line, f"the 'ask_if' of {what}", results=False)
        for branch in question.branches:
            where = f"a branch of {what}"
            self.target(branch.next, branch.where.line, where)
            self.condition(branch.when, branch.where.line, where, results=False)
        seen: dict[str, int] = {}
        for option in question.options:
            self.option(question, option, seen)
        self.typing(question)

    def question_limits(self, question: Question) -> None:
        line, count = question.where.line, len(question.options)
        if count < 2:
            self.report(
                line,
                f"question {question.id!r} has {_plural(count, 'option')}; "
                "a question needs at least 2 to be a choice",
                blocks=count == 0,
            )
        if count > OPTION_LIMIT:
            self.report(
                line,
                f"question {question.id!r} has {count} options; at most {OPTION_LIMIT} "
                "buttons fit: split the question",
            )
        if not 1 <= question.columns <= ROW_LIMIT:
            self.report(
                line,
                f"'columns' of question {question.id!r} must be from 1 to {ROW_LIMIT}: "
                f"Telegram shows at most {ROW_LIMIT} buttons in a row",
            )

    def question_lengths(self, question: Question) -> None:
        """Check the question's messages as the engine renders them, at their longest."""
        texts, total = self.dialogue.texts, len(self.dialogue.questions)
        longest = max((option.label for option in question.options), key=len, default="")
        listing = "\n".join(f"{n}. {option.label}" for n, option in enumerate(question.options, 1))
        rendered = {
            "with its progress line": lambda: (
                texts.progress.format(number=total, total=total) + "\n\n" + question.text
            ),
            "with its longest answer marked": lambda: texts.chosen.format(
                question=question.text, label=longest
            ),
            "as the list of options shown when typing is not understood": lambda: (
                texts.reprompt.format(options=listing)
            ),
        }
        for how, render in rendered.items():
            size = _size(render)
            if size > TEXT_LIMIT:
                self.report(
                    question.where.line,
                    f"question {question.id!r} {how} is {size:,} characters; Telegram "
                    f"allows {TEXT_LIMIT:,} in a message: shorten it",
                )
                return

    def option(self, question: Question, option: Option, seen: dict[str, int]) -> None:
        line = option.where.line
        what = f"option {option.id!r} of question {question.id!r}"
        self.identifier(option.id, line, "option id")
        if option.id in seen:
            self.report(
                line,
                f"duplicate option id {option.id!r} in question {question.id!r} "
                f"(first at line {seen[option.id]}): give each option its own id",
                blocks=True,
            )
        seen.setdefault(option.id, line)
        if not option.label:
            self.report(line, f"{what} has an empty label: write the button's text")
        data = f"{question.id}:{option.id}"
        size = len(data.encode())
        if size + CALLBACK_RESERVED > CALLBACK_DATA_LIMIT:
            self.report(
                line,
                f"callback data {data!r} is {size} bytes; with the {CALLBACK_RESERVED} kept "
                f"for the session it is over Telegram's {CALLBACK_DATA_LIMIT}: shorten the "
                f"question and option ids to {CALLBACK_DATA_LIMIT - CALLBACK_RESERVED} bytes "
                "together, colon included",
            )
        if option.next is not None:
            self.target(option.next, line, f"the 'next' of {what}")
        for outcome in option.scores:
            if outcome not in self.dialogue.outcomes:
                self.report(
                    line,
                    f"{what} gives points to outcome {outcome!r}, which does not exist"
                    f"{_suggest(outcome, self.dialogue.outcomes, 'outcomes')}",
                    blocks=True,
                )

    def typing(self, question: Question) -> None:
        """Report names that typing could not tell apart (the engine matches them folded)."""
        owners: dict[str, str] = {}
        for number, option in enumerate(question.options, 1):
            if option.id in owners.values():
                continue  # a duplicate id, reported as such
            names = [option.label, option.id.replace("_", " "), *option.synonyms]
            mine: set[str] = set()
            for name, folded in ((name, normalize(name)) for name in names):
                if name in option.synonyms and not folded:
                    self.report(
                        option.where.line,
                        f"synonym {name!r} of option {option.id!r} has no letters or digits, "
                        "so typing it matches nothing: remove it",
                    )
                elif folded.isdecimal() and len(folded) <= 3 and int(folded) != number:
                    self.report(
                        option.where.line,
                        f"typing {name!r} picks option number {int(folded)} of question "
                        f"{question.id!r}, not option {option.id!r}: reword it",
                    )
                elif folded in owners and folded not in mine:
                    self.report(
                        option.where.line,
                        f"typing {name!r} would be ambiguous in question {question.id!r}: "
                        f"options {owners[folded]!r} and {option.id!r} both answer to it "
                        "(case and accents are ignored); make labels and synonyms distinct",
                    )
                if folded:
                    mine.add(folded)
            for folded in mine:
                owners.setdefault(folded, option.id)

    def target(self, target: str, line: int, what: str) -> None:
        questions = self.dialogue.questions
        if target != END and target not in questions:
            self.report(
                line,
                f"{what} is {target!r}, which is not a question"
                f"{_suggest(target, questions, 'questions')} (or 'end' to finish)",
                blocks=True,
            )

    def condition(self, condition: Condition, line: int, what: str, *, results: bool) -> None:
        """Check one condition; `results` tells whether the recommendation is known there."""
        for leaf in leaves(condition):
            match leaf:
                case Answered(question_id, options):
                    self.answered(question_id, options, line, what)
                case Recommended(outcomes):
                    self.only_in_results(results, line, what, "outcome")
                    for outcome in sorted(outcomes - set(self.dialogue.outcomes)):
                        self.report(
                            line,
                            f"{what} names outcome {outcome!r}, which does not exist"
                            f"{_suggest(outcome, self.dialogue.outcomes, 'outcomes')}",
                            blocks=True,
                        )
                case CloseCall():
                    self.only_in_results(results, line, what, "close_call")

    def answered(self, question_id: str, options: frozenset[str], line: int, what: str) -> None:
        question = self.dialogue.questions.get(question_id)
        if question is None:
            self.report(
                line,
                f"{what} names question {question_id!r}, which does not exist"
                f"{_suggest(question_id, self.dialogue.questions, 'questions')}",
                blocks=True,
            )
            return
        known = [option.id for option in question.options]
        for option in sorted(options - set(known)):
            self.report(
                line,
                f"{what} names option {option!r} of question {question_id!r}, which has "
                f"only: {', '.join(known)}",
                blocks=True,
            )

    def only_in_results(self, results: bool, line: int, what: str, key: str) -> None:
        if not results:
            self.report(
                line,
                f"{what} uses {key!r}, which only works in tips and extras (they are shown "
                "with the result): use conditions on answers here",
                blocks=True,
            )

    def outcome(self, outcome: Outcome) -> None:
        line, what = outcome.where.line, f"outcome {outcome.id!r}"
        self.identifier(outcome.id, line, "outcome id")
        fits = True
        for name, text in (("title", outcome.title), ("text", outcome.text)):
            fits &= self.text(text, line, f"the {name} of {what}")
        for extra in outcome.extras:
            where = f"an extra of {what}"
            fits &= self.text(extra.text, extra.where.line, where)
            self.condition(extra.when, extra.where.line, where, results=True)
        fits &= all(len(tip.text) <= TEXT_LIMIT for tip in self.dialogue.tips)
        size = _size(lambda: render_advice(self.dialogue, self.worst_advice(outcome)))
        if fits and size > TEXT_LIMIT:
            self.report(
                line,
                f"{what} can come to {size:,} characters as a result message with every "
                "extra, every tip, its longest reasons and runner-up, over Telegram's "
                f"{TEXT_LIMIT:,} (this is the worst case; the real message depends on the "
                "answers): shorten its text, its extras or the tips",
            )

    def worst_advice(self, outcome: Outcome) -> Advice:
        """Return advice for `outcome` with everything that could be said at its longest."""
        others = [o for o in self.dialogue.outcomes.values() if o.id != outcome.id]
        reasons: list[str] = []
        for question in self.dialogue.questions.values():
            phrases = [
                option.reason or f"you answered “{option.label}” to “{question.text}”"
                for option in question.options
                if option.scores.get(outcome.id, 0) > 0
            ]
            reasons += [max(phrases, key=len)] if phrases else []
        reasons.sort(key=len, reverse=True)
        return Advice(
            outcome=outcome,
            runner_up=max(others, key=lambda o: len(o.title), default=None),
            scores={},
            reasons=tuple(reasons[: self.dialogue.max_reasons]),
            extras=tuple(extra.text for extra in outcome.extras),
            tips=self.dialogue.tips,
            close_call=True,
        )

    def text(self, text: str, line: int, what: str) -> bool:
        """Report an empty or over-long text; return whether it fits in a message."""
        if not text:
            self.report(line, f"{what} is empty: write it")
        elif len(text) > TEXT_LIMIT:
            self.report(
                line,
                f"{what} is {len(text):,} characters; Telegram allows {TEXT_LIMIT:,} in a "
                "message: shorten it",
            )
        return len(text) <= TEXT_LIMIT

    def tips(self) -> None:
        seen: dict[str, int] = {}
        for tip in self.dialogue.tips:
            line, what = tip.where.line, f"tip {tip.id!r}"
            self.identifier(tip.id, line, "tip id")
            if tip.id in seen:
                self.report(
                    line,
                    f"duplicate tip id {tip.id!r} (first at line {seen[tip.id]}): "
                    "give each tip its own id",
                )
            seen.setdefault(tip.id, line)
            self.text(tip.text, line, f"the text of {what}")
            if tip.when is not None:
                self.condition(tip.when, line, what, results=True)

    # The graph: every edge counts, whatever the conditions ----------------------------------

    def graph(self) -> None:
        questions = self.dialogue.questions
        edges = {qid: _successors(question) for qid, question in questions.items()}
        reached = _reach(self.dialogue.start, edges)
        backwards: dict[str, set[str]] = {qid: set() for qid in [*questions, END]}
        for source, targets in edges.items():
            for target in targets & backwards.keys():
                backwards[target].add(source)
        finishing = _reach(END, backwards)
        for qid, question in questions.items():
            if qid not in reached:
                self.report(
                    question.where.line,
                    f"question {qid!r} is never asked: no option, branch or 'next' leads to it "
                    f"from start {self.dialogue.start!r}; lead to it, or remove it",
                    blocks=True,
                )
            elif qid not in finishing:
                self.report(
                    question.where.line,
                    f"from question {qid!r} no path reaches the end: every way on comes back "
                    "round; give an option, branch or 'next' a way out (or 'end')",
                    blocks=True,
                )

    # Routes: followed exactly, with the answers they depend on ------------------------------

    def routes(self) -> None:
        routes = _Routes(self.dialogue)
        try:
            routes.count()
        except SearchLimitError:
            self.report(
                self.line("questions"),
                f"the routes depend on so many answers that following them took more than "
                f"{ROUTE_LIMIT:,} steps, so they could not be checked: simplify the branch "
                "and ask_if conditions",
            )
            return
        for qid, message in routes.issues.items():
            self.report(self.dialogue.questions[qid].where.line, message)
        if routes.issues:
            return
        for outcome in self.dialogue.outcomes.values():
            self.winnable(routes, outcome)

    def winnable(self, routes: _Routes, outcome: Outcome) -> None:
        try:
            if routes.witness(outcome.id, SEARCH_LIMIT) is not None:
                return
        except SearchLimitError:
            self.report(
                outcome.where.line,
                f"could not tell whether outcome {outcome.id!r} can ever win: the search gave "
                f"up after {SEARCH_LIMIT:,} steps without finding answers that make it win; "
                "give it clearer points (an option that favours it strongly)",
            )
            return
        self.report(
            outcome.where.line,
            f"outcome {outcome.id!r} can never win: no combination of answers gives it the "
            "most points (ties go to the outcome listed first); give it more points in some "
            "options, or remove it",
        )


def _size(render: Callable[[], str]) -> int:
    """Return the length of a rendered text; 0 when the texts cannot render (reported apart)."""
    try:
        return len(render())
    except (KeyError, IndexError, ValueError, AttributeError):
        return 0


def _suggest(name: str, known: Mapping[str, object], kind: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    listed = ", ".join(list(known)[:12]) + (", ..." if len(known) > 12 else "")
    return f"; the {kind} are: {listed}" if known else f"; there are no {kind}"


def _successors(question: Question) -> set[str]:
    """Return where the dialogue can go after `question`: answered with any option, or skipped."""
    targets = {option.next for option in question.options if option.next is not None}
    if question.ask_if is not None or any(option.next is None for option in question.options):
        targets |= {branch.next for branch in question.branches} | {question.next}
    return targets


def _reach(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _shown(chosen: Mapping[str, str]) -> str:
    return ", ".join(f"{q}: {o}" for q, o in chosen.items()) or "none yet"


class _Routes:
    """Follows every way through a dialogue, remembering places by what routing can tell apart.

    A place is a question plus, for every question still reachable from it or named by a
    later routing condition, which of the condition's option sets its answer falls in. Two
    answer histories with the same place go on the same way, so the walk counts each once.
    """

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue
        questions = dialogue.questions
        edges = {qid: _successors(question) for qid, question in questions.items()}
        self.edges = edges
        self.reach = {qid: _reach(qid, edges) - {END} for qid in questions}
        self.sets: dict[str, list[frozenset[str]]] = {}
        named: dict[str, set[str]] = {qid: set() for qid in questions}
        for qid, question in questions.items():
            for leaf in (leaf for c in question.routing_conditions for leaf in leaves(c)):
                if isinstance(leaf, Answered):
                    named[qid].add(leaf.question)
                    self.sets.setdefault(leaf.question, []).append(leaf.options)
        self.relevant = {
            qid: tuple(sorted(reach | {n for r in reach for n in named[r]}))
            for qid, reach in self.reach.items()
        }
        self.issues: dict[str, str] = {}

    def place(self, target: str, chosen: Mapping[str, str]) -> Hashable:
        return target, tuple(
            None
            if (answer := chosen.get(qid)) is None
            else tuple(answer in options for options in self.sets.get(qid, ()))
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
        counted: dict[Hashable, int] = {}

        def walk(target: str, chosen: dict[str, str]) -> int:
            if target == END:
                return 1
            place = self.place(target, chosen)
            if place in counted:
                return counted[place]
            if len(counted) >= ROUTE_LIMIT:
                raise SearchLimitError
            current = self.asked(target, chosen)
            total = 0
            if current == END:
                total = 1
            elif current is not None:
                question = self.dialogue.questions[current]
                for option in question.options:
                    after = {**chosen, current: option.id}
                    total += walk(rules.route(question, after, option), after)
            counted[place] = total
            return total

        return walk(self.dialogue.start, {})

    def witness(self, outcome: str, limit: int) -> dict[str, str] | None:
        """Return answers that make `outcome` win, searching the likeliest options first."""
        return _WinSearch(self, outcome, limit).run()


class _WinSearch:
    """Depth-first search for answers that make one outcome win, with branch and bound.

    It tracks the outcome's margin over every other outcome and drops a place as soon as even
    the most favourable answers still to come could not lift every margin far enough.
    """

    def __init__(self, routes: _Routes, outcome: str, limit: int) -> None:
        self.routes = routes
        self.dialogue = routes.dialogue
        self.outcome = outcome
        self.limit = limit
        self.steps = 0
        self.failed: set[Hashable] = set()
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
        best = [max(column) for column in zip(*map(self.gains, question.options), strict=True)]
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
            raise SearchLimitError
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
        for option in sorted(question.options, key=self.preference, reverse=True):
            after = {**chosen, current: option.id}
            grown = tuple(m + g for m, g in zip(margins, self.gains(option), strict=True))
            found = self.search(rules.route(question, after, option), after, grown)
            if found is not None:
                return found
        return None
