"""The neutral model of a dialogue and of one person's way through it.

Everything here is plain, frozen data: the loader builds it from YAML, the engine reads it,
and adapters (Telegram, terminal, storage) only ever see these types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations
from typing import Literal

from bot.engine.conditions import AllOf as AllOf  # noqa: PLC0414 (part of the model)
from bot.engine.conditions import Answered as Answered  # noqa: PLC0414
from bot.engine.conditions import AnyOf as AnyOf  # noqa: PLC0414
from bot.engine.conditions import CloseCall as CloseCall  # noqa: PLC0414
from bot.engine.conditions import Condition as Condition  # noqa: PLC0414
from bot.engine.conditions import Not as Not  # noqa: PLC0414
from bot.engine.conditions import Recommended as Recommended  # noqa: PLC0414
from bot.engine.conditions import leaves as leaves  # noqa: PLC0414
from bot.engine.default_texts import Texts as Texts  # noqa: PLC0414 (part of the model)
from bot.engine.replies import Button as Button  # noqa: PLC0414
from bot.engine.replies import Reply as Reply  # noqa: PLC0414
from bot.engine.replies import Span as Span  # noqa: PLC0414
from bot.engine.replies import SpanKind as SpanKind  # noqa: PLC0414
from bot.engine.vocabulary import Vocabulary, builtin

END = "end"
"""The `next` value that ends the dialogue and shows the recommendation."""

TEXT_LIMIT = 4096
"""Telegram's limit on a message's text, in characters."""

ROW_LIMIT = 8
"""The most buttons Telegram shows in one row of an inline keyboard."""

SEPARATOR = "+"
"""Joins the option ids of a set chosen at a multiple question into one answer: "glasses+heat"
(ids are a-z, 0-9 and _, so it cannot be part of one)."""


@dataclass(frozen=True)
class Where:
    """A place in a dialogue file."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


NOWHERE = Where("<built-in>", 0)


# The dialogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer to a question: a button, the words that pick it, and what it weighs."""

    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    scores: Mapping[str, int] = field(default_factory=dict)
    reason: str | None = None
    next: str | None = None
    where: Where = NOWHERE
    means: str | None = None
    """yes, no or unsure: the option also answers to the vocabulary's words for it."""
    range: tuple[float, float] | None = None
    """[low, high) in the question's `unit`: typed amounts in it pick this option."""
    short: str | None = None
    """How the "Got it: ..." line names this answer out of its question (default: label)."""
    whatif: str | None = None
    """How "what would change this" says that this answer was given ("X didn't matter")."""
    exclusive: bool = False
    """At a multiple question: an answer on its own ("Nothing in particular"), never with
    others; its button answers at once."""


@dataclass(frozen=True)
class Branch:
    """Go to `next` instead of the question's default when `when` holds."""

    when: Condition
    next: str
    where: Where = NOWHERE


@dataclass(frozen=True)
class Question:
    """One question, its options and where the dialogue goes after it."""

    id: str
    text: str
    options: tuple[Option, ...]
    next: str = END
    branches: tuple[Branch, ...] = ()
    ask_if: Condition | None = None
    columns: int = 1
    where: Where = NOWHERE
    unit: str | None = None
    """The unit of its options' `range`s (a unit of the vocabulary: currency, hours)."""
    short: str | None = None
    """A few words naming the question on buttons and in "what changed" ("Budget")."""
    multiple: bool = False
    """Whether several options may be chosen together (see `choices`)."""
    min_chosen: int = 1
    max_chosen: int | None = None
    """How many options a multiple question takes at least and at most (None: every one)."""

    @property
    def name(self) -> str:
        """Return what buttons and short lines call the question: `short`, else its text."""
        return self.short or self.text

    def option(self, option_id: str) -> Option | None:
        """Return the option with this id, or None."""
        for option in self.options:
            if option.id == option_id:
                return option
        return None

    def choice(self, answer: str) -> Option | None:
        """Return what an answer (`Answer.option`, a value of `Session.chosen()`) stands for:
        the option itself, or at a multiple question the set it names as one Option whose
        id is the answer, labels joined and points added (see `choices`); None if neither."""
        if not self.multiple:
            return self.option(answer)
        return self._choices_by_id.get(answer)

    @cached_property
    def choices(self) -> tuple[Option, ...]:
        """Return every answer the question can take: its options, or at a multiple question
        every set within `min_chosen` and `max_chosen` (an exclusive option alone), smaller
        sets first, each as one Option (a single option is itself)."""
        if not self.multiple:
            return self.options
        together = [option for option in self.options if not option.exclusive]
        most = min(len(together), self.max_chosen or len(together))
        found = [option for option in self.options if option.exclusive or self.min_chosen <= 1]
        for size in range(max(2, self.min_chosen), most + 1):
            found += [_joined(self, picked) for picked in combinations(together, size)]
        return tuple(found)

    @cached_property
    def _choices_by_id(self) -> dict[str, Option]:
        return {choice.id: choice for choice in self.choices}

    def picks(self, answer: str) -> tuple[Option, ...]:
        """Return the options an answer chose, in the question's order (one, unless the
        question is multiple); () for an answer the question does not have."""
        if not self.multiple:
            option = self.option(answer)
            return () if option is None else (option,)
        if self.choice(answer) is None:
            return ()
        ids = answer.split(SEPARATOR)
        return tuple(option for option in self.options if option.id in ids)

    def answer_of(self, options: Iterable[Option]) -> Option | None:
        """Return the choice of exactly these options (see `choice`), or None when the
        question cannot take them together."""
        wanted = {option.id for option in options}
        ids = [option.id for option in self.options if option.id in wanted]
        if len(ids) != len(wanted) or not ids:
            return None
        return self.choice(SEPARATOR.join(ids)) if self.multiple or len(ids) == 1 else None

    @property
    def routing_conditions(self) -> tuple[Condition, ...]:
        """Return the conditions that decide the route here: the branches', then `ask_if`."""
        whens = tuple(branch.when for branch in self.branches)
        return whens if self.ask_if is None else (*whens, self.ask_if)

    @cached_property
    def buttons(self) -> tuple[tuple[Button, ...], ...]:
        """Return the options as rows of answer buttons, `columns` to a row."""
        buttons = tuple(Button(option.label, f"{self.id}:{option.id}") for option in self.options)
        return tuple(
            buttons[i : i + self.columns] for i in range(0, len(buttons), self.columns)
        )


def _joined(question: Question, picked: tuple[Option, ...]) -> Option:
    """Return several options of a multiple question as one answer."""
    scores: dict[str, int] = {}
    for option in picked:
        for outcome, points in option.scores.items():
            scores[outcome] = scores.get(outcome, 0) + points
    return Option(
        id=SEPARATOR.join(option.id for option in picked),
        label=", ".join(option.label for option in picked),
        short=", ".join(option.short or option.label for option in picked),
        scores=scores,
        where=question.where,
    )


@dataclass(frozen=True)
class Extra:
    """A line added to an outcome's advice when `when` holds (for example "go wireless")."""

    when: Condition
    text: str
    where: Where = NOWHERE


@dataclass(frozen=True)
class Outcome:
    """A recommendation the dialogue can end with."""

    id: str
    title: str
    text: str
    extras: tuple[Extra, ...] = ()
    where: Where = NOWHERE
    summary: str | None = None
    """One sentence on what it is, for the first screen of the result."""
    short: str | None = None
    """A few words naming it on buttons ("Why not open-backs?")."""

    @property
    def name(self) -> str:
        """Return what buttons call the outcome: `short`, else its title."""
        return self.short or self.title


@dataclass(frozen=True)
class Tip:
    """Practical advice shown with the result when `when` holds (always when it is None)."""

    id: str
    text: str
    when: Condition | None = None
    where: Where = NOWHERE


@dataclass(frozen=True)
class Conflict:
    """A line of its own on the result when `when` holds: an answer that pulls against the
    recommendation (`{runner_up}` in `text` names the runner-up)."""

    id: str
    when: Condition
    text: str
    where: Where = NOWHERE


@dataclass(frozen=True)
class Dialogue:
    """A whole dialogue file: questions, outcomes, tips and the words around them."""

    id: str
    version: str
    title: str
    start: str
    questions: Mapping[str, Question]
    outcomes: Mapping[str, Outcome]
    tips: tuple[Tip, ...] = ()
    close_margin: int = 1
    max_reasons: int = 3
    texts: Texts = field(default_factory=lambda: Texts.defaults("en"))
    source: str = "<memory>"
    language: str = "en"
    vocabulary: Vocabulary | None = None
    """The shared words typed answers may use; None: the language's built-in ones."""
    translations: Mapping[str, Dialogue] = field(default_factory=dict, repr=False)
    """The dialogue in each language it is translated to, by language: the same ids and
    structure, that language's texts, labels, synonyms, reasons and vocabulary (and so its word
    forms). Built once when the files are loaded; empty in a translation itself."""
    conflicts: tuple[Conflict, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages the dialogue speaks: its own first, then its translations'."""
        return (self.language, *self.translations)

    def speaking(self, *preferred: str | None) -> Dialogue:
        """Return the dialogue in the first of the `preferred` languages it speaks, else as
        written. Each is a language code or an IETF tag (`es-MX` is read as `es`)."""
        for tag in preferred:
            if not tag:
                continue
            language = primary_language(tag)
            if language == self.language:
                return self
            if (translated := self.translations.get(language)) is not None:
                return translated
        return self

    @cached_property
    def words(self) -> Vocabulary:
        """Return the vocabulary in use: the dialogue's own, else its language's built-in."""
        return self.vocabulary if self.vocabulary is not None else builtin(self.language)

    @cached_property
    def memo(self) -> dict[str, object]:
        """Where engine modules keep what they worked out from the dialogue (it never changes)."""
        return {}

    @cached_property
    def routing_questions(self) -> tuple[str, ...]:
        """Return the questions whose answers can change the route (branches, `ask_if`)."""
        return tuple(sorted({
            leaf.question
            for question in self.questions.values()
            for condition in question.routing_conditions
            for leaf in leaves(condition)
            if isinstance(leaf, Answered)
        }))

    @cached_property
    def ahead_cache(self) -> dict[tuple[str, tuple[str | None, ...]], int]:
        """Where `rules.questions_ahead` keeps what it worked out (a dialogue never changes)."""
        return {}


@lru_cache(maxsize=1024)
def primary_language(tag: str) -> str:
    """Return the language of an IETF tag or a locale name: `pt-BR`, `pt_BR.UTF-8` -> `pt`."""
    return tag.replace("_", "-").split("-", 1)[0].split(".", 1)[0].lower()


# A person's way through a dialogue -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer given, in the order it was given.

    `option` is the option's id; at a multiple question, the ids of the set chosen in the
    question's order, joined by SEPARATOR ("glasses+heat"): `Question.choice` reads both.
    """

    question: str
    option: str
    at: float


@dataclass(frozen=True)
class Revision:
    """The version of a session that a person is changing one answer of: its answers fill in
    the questions still to come, and its outcome is what the new result is compared with."""

    answers: tuple[Answer, ...]
    outcome: str | None = None


@dataclass(frozen=True)
class Session:
    """Where one chat stands in one dialogue."""

    dialogue: str
    version: str
    current: str | None
    answers: tuple[Answer, ...] = ()
    outcome: str | None = None
    started_at: float = 0.0
    finished_at: float | None = None
    language: str = ""
    """The language of the dialogue that took its latest step ("": not known, in sessions
    stored before languages were kept: the dialogue's own)."""
    revising: Revision | None = None

    @property
    def finished(self) -> bool:
        """Return True once the dialogue has produced its recommendation."""
        return self.current is None

    def chosen(self) -> dict[str, str]:
        """Return question id -> answer (`Answer.option`) for every answer given."""
        return {answer.question: answer.option for answer in self.answers}


# What the engine tells an adapter to say -----------------------------------------------------


StepKind = Literal[
    "question", "result", "reprompt", "did_you_mean", "stale", "notice", "explanation",
    "toggle",
]
"""toggle: an option of a multiple question checked or unchecked; nothing stored, the reply is
the question with its new check marks (to replace the buttons it was pressed on)."""


@dataclass(frozen=True)
class Step:
    """What happened after an input: the new session and what to say.

    `changed` tells an adapter whether the session must be stored before `reply` is sent.
    `chosen` is the option just accepted, so an adapter can mark it on the question's message
    (`chosen_text`).
    """

    kind: StepKind
    session: Session
    reply: Reply
    changed: bool = False
    chosen: Option | None = None
    chosen_text: str | None = None
