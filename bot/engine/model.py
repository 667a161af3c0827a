"""The neutral model of a dialogue and of one person's way through it.

Everything here is plain, frozen data: the loader builds it from YAML, the engine reads it,
and adapters (Telegram, terminal, storage) only ever see these types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

END = "end"
"""The `next` value that ends the dialogue and shows the recommendation."""

TEXT_LIMIT = 4096
"""Telegram's limit on a message's text, in characters."""

ROW_LIMIT = 8
"""The most buttons Telegram shows in one row of an inline keyboard."""


@dataclass(frozen=True)
class Where:
    """A place in a dialogue file."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


NOWHERE = Where("<built-in>", 0)


# Conditions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """Holds when `question` was answered with one of `options`."""

    question: str
    options: frozenset[str]


@dataclass(frozen=True)
class AllOf:
    """Holds when every one of `conditions` holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one of `conditions` holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when `condition` does not."""

    condition: Condition


@dataclass(frozen=True)
class CloseCall:
    """Holds when the top two outcomes are within `close_margin` (tips and extras only)."""


@dataclass(frozen=True)
class Recommended:
    """Holds when the recommended outcome is one of `outcomes` (tips and extras only)."""

    outcomes: frozenset[str]


Condition = Answered | AllOf | AnyOf | Not | CloseCall | Recommended


def leaves(condition: Condition) -> Iterator[Condition]:
    """Yield the conditions inside `condition` that test something (not AllOf, AnyOf, Not)."""
    match condition:
        case AllOf(conditions) | AnyOf(conditions):
            for inner in conditions:
                yield from leaves(inner)
        case Not(inner):
            yield from leaves(inner)
        case _:
            yield condition


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

    def option(self, option_id: str) -> Option | None:
        """Return the option with this id, or None."""
        for option in self.options:
            if option.id == option_id:
                return option
        return None

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


@dataclass(frozen=True)
class Tip:
    """Practical advice shown with the result when `when` holds (always when it is None)."""

    id: str
    text: str
    when: Condition | None = None
    where: Where = NOWHERE


@dataclass(frozen=True)
class Texts:
    """Every sentence the bot says that is not a question, option or outcome."""

    welcome: str = "Hi! I will help you choose between headphones and in-ear monitors."
    help: str = (
        "Answer each question with the buttons or by typing an option. "
        "/back goes one question back, /start begins again, /result repeats the advice."
    )
    progress: str = "Question {number} of {total}"
    chosen: str = "{question}\n\n✅ {label}"
    reprompt: str = "Sorry, I did not catch that. Please pick one of:\n{options}"
    stale: str = "That button belongs to an earlier question; please use the latest one."
    nothing_to_undo: str = "This is the first question; there is nothing to go back to."
    no_result: str = "There is no recommendation yet. Send /start to begin."
    result_heading: str = "My recommendation: {title}"
    because: str = "Why: because {reasons}."
    runner_up: str = "Close runner-up: {title}."
    tips_heading: str = "Tips:"
    finished: str = "This dialogue is finished. Send /start to begin again or /result to see it."
    unknown_command: str = "I do not know that command. Try /start, /back, /result or /help."
    unsupported: str = "I can only read text and button presses. Please answer with a button."
    unreadable: str = "I could not read that line: it is not text. Please type it again."
    error: str = (
        "Sorry, something went wrong on my side. Your answers so far are saved: "
        "press the latest button again, or send /start to begin again."
    )
    restored: str = (
        "I went back to an earlier save of our conversation, so your latest answers may be "
        "gone. Here is where we are:"
    )
    dialogue_changed: str = (
        "The questions have changed since you started, so let's begin again from the top."
    )
    idle: str = (
        "Welcome back! You stopped in the middle of the questions. Continue where you left "
        "off, or start over?"
    )
    idle_continue: str = "Continue where I left off"
    idle_restart: str = "Start over"
    mydata_heading: str = "This is everything I keep about this chat (id {chat_id}):"
    mydata_empty: str = "I keep nothing about this chat."
    forget_confirm: str = (
        "This deletes every answer and recommendation stored for this chat, for good. Sure?"
    )
    forget_yes: str = "Yes, delete everything"
    forget_no: str = "No, keep it"
    forgotten: str = "Done: everything stored about this chat is deleted."
    forget_cancelled: str = "Nothing was deleted."
    reloaded: str = "Dialogue reloaded: {summary}"
    reload_failed: str = "The new dialogue has problems, so the old one stays:\n{problems}"
    command_start: str = "Begin the advice again"
    command_back: str = "Go back one question"
    command_result: str = "Show my last recommendation"
    command_help: str = "How this works"
    command_mydata: str = "What you keep about me"
    command_forget: str = "Delete everything you keep about me"


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
    texts: Texts = field(default_factory=Texts)
    source: str = "<memory>"

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

    @cached_property
    def derived(self) -> dict[str, object]:
        """Where engine modules keep what they work out once per dialogue, by module name."""
        return {}


# A person's way through a dialogue -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer given, in the order it was given."""

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
    revising: Revision | None = None

    @property
    def finished(self) -> bool:
        """Return True once the dialogue has produced its recommendation."""
        return self.current is None

    def chosen(self) -> dict[str, str]:
        """Return question id -> option id for every answer given."""
        return {answer.question: answer.option for answer in self.answers}


# What the engine tells an adapter to say -----------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An answer button: the label a person sees and the data it sends back."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """A message to show: text and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


StepKind = Literal["question", "result", "reprompt", "stale", "notice"]


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
