"""Checks on a dialogue's parts, one at a time: ids, references, limits and texts.

Everything works on the model, so dialogues built in code are checked the same way as files.
`check` runs these first and, when every part makes sense, follows the routes (`routes`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from bot.engine import callback_data
from bot.engine.engine import normalize
from bot.engine.model import (
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
from bot.engine.multiple_checks import multiple_problems
from bot.engine.result_checks import result_problems
from bot.engine.route_checks import graph_problems, route_problems
from bot.engine.routes import TIME_BUDGET, count_paths
from bot.engine.schema import REASONS_MAX
from bot.engine.typing_checks import typing_problems
from bot.engine.wording import placeholder_problems, question_too_long, result_too_long
from bot.errors import Problem

QUESTION_LIMIT = 200
"""The most questions a dialogue may have (nobody answers more; it also bounds the search)."""

OPTION_LIMIT = 100
"""The most options (buttons) one question may have."""

SHORT_TEXTS = {
    "stale": 200,  # shown as the answer to a button press (answerCallbackQuery)
    "description": 512,  # setMyDescription
    "short_description": 120,  # setMyShortDescription
    "pick_at_least": 200, "pick_at_most": 200,  # a notice on "Done" (answerCallbackQuery)
    **{name: 256 for name in vars(Texts.defaults("en")) if name.startswith("command_")},
}
"""Texts Telegram shows somewhere smaller than a message, and its limit there (characters)."""

ID_PATTERN = re.compile(r"[a-z0-9_]+")
RESERVED_IDS = frozenset({"all", "any", "not", "close_call", "outcome", END})


def check(
    dialogue: Dialogue,
    *,
    lines: Mapping[str, int] | None = None,
    local_only: bool = False,
    budget: float | None = TIME_BUDGET,
) -> list[Problem]:
    """Return every problem in `dialogue`.

    `lines` gives the file lines of dialogue-level keys (`start`, `texts.progress`, and ""
    for the top of the file); problems inside questions, outcomes and tips use their `where`.
    With `local_only`, only checks that look at one part at a time run: the loader asks for
    that when parts of the file could not be read, so routes would be guesses. Following
    the routes stops after `budget` seconds (None: only the step limits apply), reporting
    what it could not decide.
    """
    checks = _Checks(dialogue, lines or {})
    checks.local()
    problems = checks.problems
    # A broken reference would make parts look unreachable or endless; report it alone first.
    if not local_only and not checks.blocked:
        problems += graph_problems(dialogue) or route_problems(
            dialogue, line=checks.line("questions"), budget=budget
        )
    return problems


def check_translation(view: Dialogue, lines: Mapping[str, int]) -> list[Problem]:
    """Return what is wrong with a translation's view of its (valid) dialogue: its texts, the
    lengths of its messages and how its labels and synonyms read when typed. Ids, references
    and routes are the dialogue's, checked with it."""
    checks = _Checks(view, lines)
    checks.translated()
    return checks.problems


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
        for conflict in self.dialogue.conflicts:
            where = f"conflict {conflict.id!r}"
            self.condition(conflict.when, conflict.where.line, where, results=True)
        self.problems += result_problems(self.dialogue, self.line("questions"),
                                         explain=not self.problems)

    def translated(self) -> None:
        """Check what a translation words: texts, message lengths, typed names."""
        self.texts()
        for question in self.dialogue.questions.values():
            if (too_long := question_too_long(self.dialogue, question)) is not None:
                self.report(question.where.line, too_long)
            self.typing(question)
            for line, message in typing_problems(self.dialogue, question):
                self.report(line, message)
        for outcome in self.dialogue.outcomes.values():
            self.outcome_texts(outcome)
        for tip in self.dialogue.tips:
            self.text(tip.text, tip.where.line, f"the text of tip {tip.id!r}")

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
            elif len(text) > (limit := SHORT_TEXTS.get(name, TEXT_LIMIT)):
                self.report(line, f"texts.{name} is {len(text):,} characters; Telegram allows "
                                  f"{limit:,} there: shorten it")
            for message in placeholder_problems(name, text):
                self.report(line, message)

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
        for found in multiple_problems(question):
            self.report(found.line, found.message, blocks=found.blocks)
        if (too_long := question_too_long(self.dialogue, question)) is not None:
            self.report(line, too_long)
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
        for line, message in typing_problems(self.dialogue, question):
            self.report(line, message)

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
        if size + callback_data.RESERVED > callback_data.LIMIT:
            self.report(
                line,
                f"callback data {data!r} is {size} bytes; with the {callback_data.RESERVED} kept "
                f"for the session it is over Telegram's {callback_data.LIMIT}: shorten the "
                f"question and option ids to {callback_data.LIMIT - callback_data.RESERVED} bytes "
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
        self.identifier(outcome.id, outcome.where.line, "outcome id")
        for extra in outcome.extras:
            where = f"an extra of outcome {outcome.id!r}"
            self.condition(extra.when, extra.where.line, where, results=True)
        self.outcome_texts(outcome)

    def outcome_texts(self, outcome: Outcome) -> None:
        line, what = outcome.where.line, f"outcome {outcome.id!r}"
        fits = True
        for name, text in (("title", outcome.title), ("text", outcome.text)):
            fits &= self.text(text, line, f"the {name} of {what}")
        for extra in outcome.extras:
            fits &= self.text(extra.text, extra.where.line, f"an extra of {what}")
        # The result also shows the tips, and a close call another outcome and question
        # names: each must fit on its own (each is reported apart) before they are added up.
        dialogue = self.dialogue
        fits &= all(len(tip.text) <= TEXT_LIMIT for tip in dialogue.tips)
        fits &= all(len(o.text) <= TEXT_LIMIT and len(o.title) <= TEXT_LIMIT
                    for o in dialogue.outcomes.values())
        fits &= all(question_too_long(dialogue, q) is None for q in dialogue.questions.values())
        if fits and (too_long := result_too_long(self.dialogue, outcome)) is not None:
            self.report(line, too_long)

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



def _suggest(name: str, known: Mapping[str, object], kind: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    listed = ", ".join(list(known)[:12]) + (", ..." if len(known) > 12 else "")
    return f"; the {kind} are: {listed}" if known else f"; there are no {kind}"

