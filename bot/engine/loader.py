"""Read dialogue files (YAML) into the model, reporting every problem with its file and line.

The format is declared once, in `schema`: each part's keys, what they hold, which are
required. This module checks keys against those tables and builds the model from them; reading
YAML is `yaml_nodes`' job, and checking the result is `checks`'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, TypeVar

from yaml.nodes import MappingNode, Node

from bot.engine import schema
from bot.engine.checks import check
from bot.engine.condition_format import ConditionReader
from bot.engine.files import dialogue_files
from bot.engine.model import (
    END,
    ROW_LIMIT,
    Branch,
    Conflict,
    Dialogue,
    Extra,
    Option,
    Outcome,
    Question,
    Texts,
    Tip,
    Where,
)
from bot.engine.routes import TIME_BUDGET
from bot.engine.translation import Completeness, with_translations
from bot.engine.yaml_nodes import (
    Entry,
    line_of,
    read_file,
    shown,
    whole_number,
)
from bot.errors import DialogueError, Problem


def _listing(keys: list[str]) -> str:
    return f"{', '.join(keys[:-1])} and {keys[-1]}"


_NEEDED = _listing(schema.required(schema.DIALOGUE))
"""What every dialogue must have, for messages about a file that has none of it."""


_T = TypeVar("_T")


class _Reader(ConditionReader):
    """Builds the model from one file's nodes and collects every problem on the way."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.lines: dict[str, int] = {}

    def where(self, line: int) -> Where:
        return Where(self.file, line)

    def record(self, node: Node, what: str, line: int, part: schema.Part) -> dict[str, Entry]:
        """Return a part's fields by key, reporting unknown and missing keys."""
        return self.fields(node, what, line, list(part), schema.required(part))

    def number(self, record: dict[str, Entry], key: str, part: schema.Part, why: str = "") -> int:
        """Return a whole-number field within its bounds, or its default."""
        low, high = part[key].bounds
        value = self.whole(record, key, low, high, why)
        return part[key].default if value is None else value

    # The parts -------------------------------------------------------------------------------

    def dialogue(self, root: Node) -> Dialogue | None:
        if not isinstance(root, MappingNode):
            self.report(
                line_of(root),
                f"a dialogue file must be a mapping with {_NEEDED}; got {shown(root)}",
            )
            return None
        record = self.record(root, "the dialogue", line_of(root), schema.DIALOGUE)
        self.lines = {"": line_of(root)} | {key: entry.line for key, entry in record.items()}
        questions = self.keyed(record, "questions", self.question)
        outcomes = self.keyed(record, "outcomes", self.outcome)
        # Without a usable start, the checks go on from the first question.
        start = self.text(record, "start", "the dialogue") or next(
            (question.id for question in questions), END
        )
        language = self.language(record)
        return Dialogue(
            id=self.text(record, "id", "the dialogue") or "",
            version=self.text(record, "version", "the dialogue") or "",
            title=self.text(record, "title", "the dialogue") or "",
            start=start,
            questions={question.id: question for question in questions},
            outcomes={outcome.id: outcome for outcome in outcomes},
            tips=tuple(self.tip(node) for node in self.each(record, "tips", "the dialogue")),
            close_margin=self.number(record, "close_margin", schema.DIALOGUE),
            max_reasons=self.number(record, "max_reasons", schema.DIALOGUE),
            texts=self.texts(record, language),
            source=self.file,
            language=language,
            vocabulary=self.vocabulary(record),
            conflicts=tuple(
                conflict
                for node in self.each(record, "conflicts", "the dialogue")
                if (conflict := self.conflict(node)) is not None
            ),
        )

    def keyed(
        self, record: dict[str, Entry], key: str, build: Callable[[Entry], _T]
    ) -> list[_T]:
        """Read a mapping of id -> part (questions, outcomes) in file order."""
        entry = record.get(key)
        if entry is None:
            return []
        entries = self.entries(entry.value, f"{key!r}", entry.line, item=schema.DIALOGUE[key].part)
        return [build(each) for each in entries]

    def question(self, entry: Entry) -> Question:
        what = f"question {entry.key!r}"
        record = self.record(entry.value, what, entry.line, schema.QUESTION)
        return Question(
            id=entry.key,
            text=self.text(record, "text", what) or "",
            options=tuple(
                self.option(node, f"option of {what}")
                for node in self.each(record, "options", what)
            ),
            next=self.text(record, "next", what) or END,
            branches=tuple(
                branch
                for node in self.each(record, "branches", what)
                if (branch := self.branch(node, what)) is not None
            ),
            ask_if=self.optional_condition(record, "ask_if"),
            short=self.text(record, "short", what),
            columns=self.number(
                record,
                "columns",
                schema.QUESTION,
                f"; Telegram shows at most {ROW_LIMIT} buttons in a row"
            ),
            where=self.where(entry.line),
            unit=self.text(record, "unit", what),
            multiple=self.flag(record, "multiple"),
            min_chosen=self.number(record, "min", schema.QUESTION),
            max_chosen=self.whole(record, "max", *schema.QUESTION["max"].bounds),
        )

    def option(self, node: Node, what: str) -> Option:
        line = line_of(node)
        record = self.record(node, "option", line, schema.OPTION)
        return Option(
            id=self.text(record, "id", what) or "",
            label=self.text(record, "label", what) or "",
            synonyms=tuple(
                text
                for item in self.each(record, "synonyms", what)
                if (text := self.scalar(item, line_of(item), f"a synonym in {what}")) is not None
            ),
            scores=self.scores(record, what),
            reason=self.text(record, "reason", what),
            next=self.text(record, "next", what),
            whatif=self.text(record, "whatif", what),
            where=self.where(line),
            means=self.text(record, "means", what),
            range=self.range(record, what),
            short=self.text(record, "short", what),
            exclusive=self.flag(record, "exclusive"),
        )

    def scores(self, record: dict[str, Entry], what: str) -> dict[str, int]:
        entry = record.get("scores")
        if entry is None:
            return {}
        points = (
            (each.key, self.score(each, what))
            for each in self.entries(entry.value, f"'scores' in {what}", entry.line)
        )
        return {outcome: value for outcome, value in points if value is not None}

    def score(self, entry: Entry, what: str) -> int | None:
        value = whole_number(entry.value)
        if value is None:
            self.report(
                entry.line,
                f"the score for {entry.key!r} in {what} must be a whole number "
                f"(negative is fine), got {shown(entry.value)}",
            )
        return value

    def branch(self, node: Node, what: str) -> Branch | None:
        line = line_of(node)
        record = self.record(node, "branch", line, schema.BRANCH)
        when = self.optional_condition(record, "if")
        target = self.text(record, "next", f"a branch of {what}")
        if when is None or target is None:
            return None
        return Branch(when, target, self.where(line))

    def outcome(self, entry: Entry) -> Outcome:
        what = f"outcome {entry.key!r}"
        record = self.record(entry.value, what, entry.line, schema.OUTCOME)
        return Outcome(
            id=entry.key,
            title=self.text(record, "title", what) or "",
            text=self.text(record, "text", what) or "",
            extras=tuple(
                extra
                for node in self.each(record, "extras", what)
                if (extra := self.outcome_extra(node, what)) is not None
            ),
            summary=self.text(record, "summary", what),
            short=self.text(record, "short", what),
            where=self.where(entry.line),
        )

    def outcome_extra(self, node: Node, what: str) -> Extra | None:
        line = line_of(node)
        record = self.record(node, "extra", line, schema.EXTRA)
        when = self.optional_condition(record, "if")
        text = self.text(record, "text", f"an extra of {what}")
        if when is None or text is None:
            return None
        return Extra(when, text, self.where(line))

    def tip(self, node: Node) -> Tip:
        line = line_of(node)
        record = self.record(node, "tip", line, schema.TIP)
        return Tip(
            id=self.text(record, "id", "tip") or "",
            text=self.text(record, "text", "tip") or "",
            when=self.optional_condition(record, "if"),
            where=self.where(line),
        )

    def conflict(self, node: Node) -> Conflict | None:
        line = line_of(node)
        record = self.record(node, "conflict", line, schema.CONFLICT)
        when = self.optional_condition(record, "if")
        text = self.text(record, "text", "a conflict")
        if when is None or text is None:
            return None
        return Conflict(self.text(record, "id", "conflict") or "", when, text, self.where(line))

    def texts(self, record: dict[str, Entry], language: str) -> Texts:
        """Return the language's built-in texts with those the file words instead."""
        entry = record.get("texts")
        if entry is None:
            return Texts.defaults(language)
        chosen = self.record(entry.value, "'texts'", entry.line, schema.TEXTS)
        self.lines |= {f"texts.{key}": each.line for key, each in chosen.items()}
        given = {key: self.text(chosen, key, "'texts'") for key in chosen}
        worded = {key: text for key, text in given.items() if text is not None}
        return replace(Texts.defaults(language), **worded)


# Loading -------------------------------------------------------------------------------------


class _Loaded(NamedTuple):
    dialogue: Dialogue | None
    problems: list[Problem]
    id_line: int
    completeness: tuple[Completeness, ...] = ()


class Inspection(NamedTuple):
    """What checking dialogue files found: the dialogues without problems (with their
    translations), every problem, and how complete each translation is, by dialogue file."""

    dialogues: list[Dialogue]
    problems: list[Problem]
    completeness: dict[str, list[Completeness]]


def _load(path: Path, budget: float | None) -> _Loaded:
    file = str(path)
    root, fatal = read_file(path)
    if fatal is not None:
        return _Loaded(None, [fatal], 0)
    if root is None:
        message = f"the file is empty: a dialogue needs {_NEEDED}"
        return _Loaded(None, [Problem(file, 1, message)], 0)
    reader = _Reader(file)
    dialogue = reader.dialogue(root)
    if dialogue is None:
        return _Loaded(None, reader.problems, 0)
    problems = reader.problems
    if problems:
        # Checks that follow routes would trip over what could not be read; only the
        # local checks run, and none at a line that already has a problem.
        flagged = {problem.line for problem in problems}
        local = check(dialogue, lines=reader.lines, local_only=True)
        problems = problems + [problem for problem in local if problem.line not in flagged]
    else:
        problems = check(dialogue, lines=reader.lines, budget=budget)
    if problems:
        return _Loaded(dialogue, problems, reader.lines.get("id", 0))
    # Translations are compared with a dialogue that reads and checks clean.
    dialogue, more, complete = with_translations(dialogue, reader.lines, path)
    return _Loaded(dialogue, more, reader.lines.get("id", 0), tuple(complete))


def load_dialogue(path: str | Path, *, budget: float | None = TIME_BUDGET) -> Dialogue:
    """Read and check one dialogue file; raise DialogueError listing every problem.

    Following the routes may take `budget` seconds; what it cannot decide by then is a problem.
    """
    loaded = _load(Path(path), budget)
    if loaded.problems or loaded.dialogue is None:
        raise DialogueError(loaded.problems)
    return loaded.dialogue


def load_dialogues(
    paths: Iterable[str | Path], *, budget: float | None = TIME_BUDGET
) -> list[Dialogue]:
    """Read and check dialogue files and folders of them; raise one DialogueError for all.

    Each file's routes may take `budget` seconds to follow, as in `load_dialogue`.
    """
    found = inspect(paths, budget=budget)
    if found.problems:
        raise DialogueError(found.problems)
    return found.dialogues


def inspect(paths: Iterable[str | Path], *, budget: float | None = TIME_BUDGET) -> Inspection:
    """Read and check dialogue files and folders of them (a translation's path stands for its
    dialogue); return what was found, problems included."""
    problems: list[Problem] = []
    dialogues: list[Dialogue] = []
    complete: dict[str, list[Completeness]] = {}
    first_file: dict[str, str] = {}
    for file in dialogue_files(paths, problems):
        loaded = _load(file, budget)
        problems += loaded.problems
        dialogue = loaded.dialogue
        if loaded.completeness:
            complete[str(file)] = list(loaded.completeness)
        if dialogue is None or loaded.problems:
            continue
        if dialogue.id in first_file:
            problems.append(
                Problem(
                    str(file),
                    loaded.id_line,
                    f"dialogue id {dialogue.id!r} is already used by {first_file[dialogue.id]}: "
                    "give each dialogue its own id",
                )
            )
            continue
        first_file[dialogue.id] = str(file)
        dialogues.append(dialogue)
    return Inspection(dialogues, problems, complete)
