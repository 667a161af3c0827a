"""Read dialogue files (YAML) into the model, reporting every problem with its file and line.

The YAML is composed into PyYAML's node graph (never constructed into Python objects), so
every key and list item keeps its line, duplicate keys are caught, and each value is read
with the type its place in the format calls for: ids and texts stay strings whatever they look
like (`yes`, `no`, `on`, `off`), only plain `true`/`false` are booleans.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.engine import validate
from bot.engine.model import (
    END,
    ROW_LIMIT,
    AllOf,
    Answered,
    AnyOf,
    Branch,
    CloseCall,
    Condition,
    Dialogue,
    Extra,
    Not,
    Option,
    Outcome,
    Question,
    Recommended,
    Texts,
    Tip,
    Where,
)
from bot.errors import DialogueError, Problem

MAX_BYTES = 1024 * 1024
"""The largest dialogue file read; anything bigger is refused before parsing."""

MAX_DEPTH = 20
"""The deepest nesting of mappings and lists accepted (conditions are the only deep part)."""

DIALOGUE_KEYS = (
    "id",
    "version",
    "title",
    "start",
    "close_margin",
    "max_reasons",
    "texts",
    "questions",
    "outcomes",
    "tips",
)
QUESTION_KEYS = ("text", "columns", "ask_if", "next", "branches", "options")
OPTION_KEYS = ("id", "label", "synonyms", "scores", "reason", "next")
BRANCH_KEYS = ("if", "next")
OUTCOME_KEYS = ("title", "text", "extras")
EXTRA_KEYS = ("if", "text")
TIP_KEYS = ("id", "if", "text")
TEXT_KEYS = tuple(field.name for field in fields(Texts))

_T = TypeVar("_T")
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_WHOLE = re.compile(r"[-+]?[0-9]{1,9}")  # longer would be a mistake (and int() limits)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


# Parsing -------------------------------------------------------------------------------------


_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset({"str", "int", "float", "bool", "null", "seq", "map"})


class _Refused(yaml.YAMLError):
    """A document PyYAML would accept but a dialogue must not use."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _DialogueYaml(yaml.SafeLoader):
    """A SafeLoader that only composes nodes, without aliases and with bounded nesting."""

    # YAML 1.1 reads yes/no/on/off/y/n as booleans; only true/false are (as in YAML 1.2).
    # PyYAML reads this table per class, as a plain class attribute.
    yaml_implicit_resolvers = {  # noqa: RUF012
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL or first in "tTfF"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            # Aliases share nodes, and walking shared nodes can multiply without bound.
            raise _Refused(
                line,
                f"aliases (*{event.anchor}) are not supported in dialogue files: "
                "write the value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag.removeprefix(_YAML_TAG) not in _PLAIN_TAGS:
            # Safe loading would refuse a python/* tag later with a less helpful message.
            shown = f"!!{tag.removeprefix(_YAML_TAG)}" if tag.startswith(_YAML_TAG) else tag
            raise _Refused(line, f"the tag {shown} is not allowed in dialogue files: remove it")
        nests = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
        self._depth += nests
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    line,
                    f"nesting is deeper than {MAX_DEPTH} levels: "
                    "flatten the conditions (one `all:` can list many conditions)",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= nests


def _parse(file: str, data: bytes) -> tuple[Node | None, Problem | None]:
    """Return the document's root node, or the one problem that stops parsing."""
    if len(data) > MAX_BYTES:
        return None, Problem(
            file,
            1,
            f"the file is more than {MAX_BYTES:,} bytes; a dialogue may be at most "
            f"{MAX_BYTES:,} bytes (1 MiB): split it or shorten its texts",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(file, line, "the file is not UTF-8 text: save it as UTF-8")
    try:
        return _compose(text), None
    except _Refused as error:
        return None, Problem(file, error.line, error.message)
    except yaml.MarkedYAMLError as error:
        return None, _syntax_problem(file, error)
    except yaml.YAMLError as error:
        position = getattr(error, "position", 0)
        line = text[:position].count("\n") + 1
        reason = str(error).splitlines()[0]
        return None, Problem(file, line, f"the file cannot be read as YAML: {reason}; remove it")


def _compose(text: str) -> Node | None:
    loader = _DialogueYaml(text)  # checks for unprintable characters right away
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_problem(file: str, error: yaml.MarkedYAMLError) -> Problem:
    """Return a syntax error at the line PyYAML stopped, naming where the construct began."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    context = error.context or ""
    if context and error.context_mark is not None and error.context_mark.line + 1 != line:
        context += f" (begun at line {error.context_mark.line + 1})"
    what = ", ".join(part for part in (context, error.problem) if part)
    return Problem(file, line, f"YAML syntax error: {what}; fix the syntax here or above")


# Reading nodes -------------------------------------------------------------------------------


class _Entry(NamedTuple):
    """One `key: value` of a mapping, with the key's line."""

    key: str
    line: int
    value: Node


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _shown(node: Node) -> str:
    """Describe a value for a message: the text itself, or what kind of thing it is."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if _is_null(node):
        return "nothing"
    value = str(node.value)
    return repr(value if len(value) <= 40 else value[:37] + "...")


class _Reader:
    """Builds the model from one file's nodes and collects every problem on the way."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def where(self, line: int) -> Where:
        return Where(self.file, line)

    # Shapes ----------------------------------------------------------------------------------

    def entries(self, node: Node, what: str, line: int, item: str | None = None) -> list[_Entry]:
        """Return a mapping's entries, reporting a non-mapping and duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(
                line, f"{what} must be a mapping of `key: value` lines, got {_shown(node)}"
            )
            return []
        seen: dict[str, int] = {}
        found: list[_Entry] = []
        for key_node, value in node.value:
            key_line = _line(key_node)
            if not isinstance(key_node, ScalarNode) or _is_null(key_node):
                self.report(key_line, f"a key in {what} must be a word, got {_shown(key_node)}")
                continue
            key = str(key_node.value)
            if key in seen:
                name = f"{item} id" if item else "key"
                self.report(
                    key_line,
                    f"duplicate {name} {key!r} in {what} (first at line {seen[key]}): "
                    f"keep one, or rename this one",
                )
                continue
            seen[key] = key_line
            found.append(_Entry(key, key_line, value))
        return found

    def fields(
        self,
        node: Node,
        what: str,
        line: int,
        allowed: Sequence[str],
        required: Sequence[str] = (),
    ) -> dict[str, _Entry]:
        """Return a record's fields by key; optional keys left empty count as absent."""
        record: dict[str, _Entry] = {}
        for entry in self.entries(node, what, line):
            if entry.key not in allowed:
                self.report(entry.line, _unknown_key(entry.key, what, allowed))
            elif not (_is_null(entry.value) and entry.key not in required):
                record[entry.key] = entry
        if isinstance(node, MappingNode):
            for key in required:
                if key not in record:
                    self.report(line, f"{what} is missing required key {key!r}")
        return record

    def items(self, entry: _Entry, what: str) -> list[Node]:
        if isinstance(entry.value, SequenceNode):
            return list(entry.value.value)
        self.report(
            entry.line,
            f"{entry.key!r} in {what} must be a list (lines starting with '- '), "
            f"got {_shown(entry.value)}",
        )
        return []

    # Scalars ---------------------------------------------------------------------------------

    def text(self, record: dict[str, _Entry], key: str, what: str) -> str | None:
        """Return a text field, stripped; any scalar counts, so `label: yes` is 'yes'."""
        entry = record.get(key)
        if entry is None:
            return None
        return self.scalar(entry.value, entry.line, f"{key!r} in {what}")

    def scalar(self, node: Node, line: int, what: str) -> str | None:
        if isinstance(node, ScalarNode) and not _is_null(node):
            return str(node.value).strip()
        if _is_null(node):
            self.report(line, f"{what} is empty: write the text after the colon")
        else:
            self.report(line, f"{what} must be text, got {_shown(node)}")
        return None

    def whole(
        self, record: dict[str, _Entry], key: str, low: int, high: int, why: str = ""
    ) -> int | None:
        entry = record.get(key)
        if entry is None:
            return None
        node = entry.value
        value = str(node.value) if isinstance(node, ScalarNode) else ""
        plain = isinstance(node, ScalarNode) and node.style is None
        if plain and _WHOLE.fullmatch(value) and low <= int(value) <= high:
            return int(value)
        self.report(
            entry.line,
            f"{key!r} must be a whole number from {low} to {high}, got {_shown(node)}{why}",
        )
        return None

    def score(self, entry: _Entry, what: str) -> int | None:
        node = entry.value
        if isinstance(node, ScalarNode) and node.style is None and _WHOLE.fullmatch(node.value):
            return int(node.value)
        self.report(
            entry.line,
            f"the score for {entry.key!r} in {what} must be a whole number "
            f"(negative is fine), got {_shown(node)}",
        )
        return None

    def ids(self, node: Node, line: int, what: str) -> frozenset[str] | None:
        """Return one id or a list of ids as a set; ids are taken as written."""
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        found: list[str] = []
        for item in nodes:
            if isinstance(item, ScalarNode) and not _is_null(item):
                found.append(str(item.value))
            else:
                self.report(
                    _line(item) if item is not node else line,
                    f"{what} must be an id or a list of ids, got {_shown(item)}",
                )
                return None
        if not found:
            self.report(line, f"{what} names nothing: list at least one id")
            return None
        return frozenset(found)

    # Conditions ------------------------------------------------------------------------------

    def condition(self, node: Node, line: int) -> Condition | None:
        """Return the condition a mapping describes; several keys must all hold."""
        entries = self.entries(node, "a condition", line)
        if isinstance(node, MappingNode) and not node.value:
            self.report(line, "the condition is empty: write one such as {usage: home}")
        parts = [self.condition_part(entry) for entry in entries]
        if not parts or None in parts:
            return None
        conditions = [part for part in parts if part is not None]
        return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))

    def condition_part(self, entry: _Entry) -> Condition | None:
        match entry.key:
            case "all" | "any":
                return self.combined(entry)
            case "not":
                inner = self.condition(entry.value, entry.line)
                return Not(inner) if inner is not None else None
            case "close_call":
                return self.close_call(entry)
            case "outcome":
                outcomes = self.ids(entry.value, entry.line, "'outcome' in a condition")
                return Recommended(outcomes) if outcomes is not None else None
        options = self.ids(entry.value, entry.line, f"the options for {entry.key!r}")
        return Answered(entry.key, options) if options is not None else None

    def close_call(self, entry: _Entry) -> Condition | None:
        node = entry.value
        flag = str(node.value) if isinstance(node, ScalarNode) and node.tag == _BOOL else ""
        if flag in _TRUE:
            return CloseCall()
        if flag in _FALSE:
            return Not(CloseCall())
        self.report(entry.line, f"'close_call' must be true or false, got {_shown(node)}")
        return None

    def combined(self, entry: _Entry) -> Condition | None:
        nodes = self.items(entry, "a condition")
        if isinstance(entry.value, SequenceNode) and not nodes:
            self.report(entry.line, f"{entry.key!r} lists no conditions: list at least one")
        parts = [self.condition(node, _line(node)) for node in nodes]
        if not parts or None in parts:
            return None
        conditions = tuple(part for part in parts if part is not None)
        return AllOf(conditions) if entry.key == "all" else AnyOf(conditions)

    def optional_condition(self, record: dict[str, _Entry], key: str) -> Condition | None:
        entry = record.get(key)
        return self.condition(entry.value, entry.line) if entry is not None else None

    # The dialogue ----------------------------------------------------------------------------

    def dialogue(self, root: Node) -> Dialogue | None:
        if not isinstance(root, MappingNode):
            self.report(
                _line(root),
                f"a dialogue file must be a mapping with {', '.join(DIALOGUE_KEYS[:4])}, "
                f"questions and outcomes; got {_shown(root)}",
            )
            return None
        record = self.fields(
            root,
            "the dialogue",
            _line(root),
            DIALOGUE_KEYS,
            ("id", "version", "title", "start", "questions", "outcomes"),
        )
        self.lines = {"": _line(root)} | {key: entry.line for key, entry in record.items()}
        questions = self.keyed(record, "questions", self.question)
        outcomes = self.keyed(record, "outcomes", self.outcome)
        # Without a usable start, the checks go on from the first question.
        start = self.text(record, "start", "the dialogue") or next(
            (question.id for question in questions), END
        )
        return Dialogue(
            id=self.text(record, "id", "the dialogue") or "",
            version=self.text(record, "version", "the dialogue") or "",
            title=self.text(record, "title", "the dialogue") or "",
            start=start,
            questions={question.id: question for question in questions},
            outcomes={outcome.id: outcome for outcome in outcomes},
            tips=self.tips(record),
            close_margin=_default(self.whole(record, "close_margin", 0, 1000), 1),
            max_reasons=_default(self.whole(record, "max_reasons", 1, validate.REASONS_MAX), 3),
            texts=self.texts(record),
            source=self.file,
        )

    def keyed(
        self, record: dict[str, _Entry], key: str, build: Callable[[_Entry], _T]
    ) -> list[_T]:
        """Read a mapping of id -> record (questions, outcomes) in file order."""
        entry = record.get(key)
        if entry is None:
            return []
        item = key.removesuffix("s")
        entries = self.entries(entry.value, f"{key!r}", entry.line, item=item)
        return [build(each) for each in entries]

    def question(self, entry: _Entry) -> Question:
        what = f"question {entry.key!r}"
        record = self.fields(entry.value, what, entry.line, QUESTION_KEYS, ("text", "options"))
        options = record.get("options")
        return Question(
            id=entry.key,
            text=self.text(record, "text", what) or "",
            options=tuple(
                self.option(node, f"option of {what}")
                for node in (self.items(options, what) if options else [])
            ),
            next=self.text(record, "next", what) or END,
            branches=self.branches(record, what),
            ask_if=self.optional_condition(record, "ask_if"),
            columns=_default(
                self.whole(
                    record,
                    "columns",
                    1,
                    ROW_LIMIT,
                    f"; Telegram shows at most {ROW_LIMIT} buttons in a row",
                ),
                1,
            ),
            where=self.where(entry.line),
        )

    def option(self, node: Node, what: str) -> Option:
        line = _line(node)
        record = self.fields(node, "option", line, OPTION_KEYS, ("id", "label"))
        synonyms = record.get("synonyms")
        return Option(
            id=self.text(record, "id", what) or "",
            label=self.text(record, "label", what) or "",
            synonyms=tuple(
                text
                for item in (self.items(synonyms, what) if synonyms else [])
                if (text := self.scalar(item, _line(item), f"a synonym in {what}")) is not None
            ),
            scores=self.scores(record, what),
            reason=self.text(record, "reason", what),
            next=self.text(record, "next", what),
            where=self.where(line),
        )

    def scores(self, record: dict[str, _Entry], what: str) -> dict[str, int]:
        entry = record.get("scores")
        if entry is None:
            return {}
        points = (
            (each.key, self.score(each, what))
            for each in self.entries(entry.value, f"'scores' in {what}", entry.line)
        )
        return {outcome: value for outcome, value in points if value is not None}

    def branches(self, record: dict[str, _Entry], what: str) -> tuple[Branch, ...]:
        entry = record.get("branches")
        found: list[Branch] = []
        for node in self.items(entry, what) if entry else []:
            line = _line(node)
            branch = self.fields(node, "branch", line, BRANCH_KEYS, BRANCH_KEYS)
            when = self.optional_condition(branch, "if")
            target = self.text(branch, "next", f"a branch of {what}")
            if when is not None and target is not None:
                found.append(Branch(when, target, self.where(line)))
        return tuple(found)

    def outcome(self, entry: _Entry) -> Outcome:
        what = f"outcome {entry.key!r}"
        record = self.fields(entry.value, what, entry.line, OUTCOME_KEYS, ("title", "text"))
        extras = record.get("extras")
        return Outcome(
            id=entry.key,
            title=self.text(record, "title", what) or "",
            text=self.text(record, "text", what) or "",
            extras=tuple(
                extra
                for node in (self.items(extras, what) if extras else [])
                if (extra := self.outcome_extra(node, what)) is not None
            ),
            where=self.where(entry.line),
        )

    def outcome_extra(self, node: Node, what: str) -> Extra | None:
        line = _line(node)
        record = self.fields(node, "extra", line, EXTRA_KEYS, EXTRA_KEYS)
        when = self.optional_condition(record, "if")
        text = self.text(record, "text", f"an extra of {what}")
        if when is None or text is None:
            return None
        return Extra(when, text, self.where(line))

    def tips(self, record: dict[str, _Entry]) -> tuple[Tip, ...]:
        entry = record.get("tips")
        found: list[Tip] = []
        for node in self.items(entry, "the dialogue") if entry else []:
            line = _line(node)
            tip = self.fields(node, "tip", line, TIP_KEYS, ("id", "text"))
            found.append(
                Tip(
                    id=self.text(tip, "id", "tip") or "",
                    text=self.text(tip, "text", "tip") or "",
                    when=self.optional_condition(tip, "if"),
                    where=self.where(line),
                )
            )
        return tuple(found)

    def texts(self, record: dict[str, _Entry]) -> Texts:
        entry = record.get("texts")
        if entry is None:
            return Texts()
        chosen = self.fields(entry.value, "'texts'", entry.line, TEXT_KEYS)
        self.lines |= {f"texts.{key}": each.line for key, each in chosen.items()}
        given = {key: self.text(chosen, key, "'texts'") for key in chosen}
        return Texts(**{key: text for key, text in given.items() if text is not None})


def _default(value: int | None, default: int) -> int:
    return default if value is None else value


def _unknown_key(key: str, what: str, allowed: Sequence[str]) -> str:
    message = f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}"
    close = difflib.get_close_matches(key, allowed, n=1)
    return f"{message} (did you mean {close[0]!r}?)" if close else message


# Loading -------------------------------------------------------------------------------------


class _Loaded(NamedTuple):
    dialogue: Dialogue | None
    problems: list[Problem]
    id_line: int


def _load(path: Path) -> _Loaded:
    file = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return _Loaded(None, [Problem(file, 0, f"cannot read the file: {error.strerror}")], 0)
    root, fatal = _parse(file, data)
    if fatal is not None:
        return _Loaded(None, [fatal], 0)
    if root is None:
        message = "the file is empty: a dialogue needs id, version, title, start, questions"
        return _Loaded(None, [Problem(file, 1, message + " and outcomes")], 0)
    reader = _Reader(file)
    dialogue = reader.dialogue(root)
    if dialogue is None:
        return _Loaded(None, reader.problems, 0)
    problems = reader.problems
    if problems:
        # Checks that follow routes would trip over what could not be read; only the
        # local checks run, and none at a line that already has a problem.
        flagged = {problem.line for problem in problems}
        local = validate.check(dialogue, lines=reader.lines, local_only=True)
        problems = problems + [problem for problem in local if problem.line not in flagged]
    else:
        problems = validate.check(dialogue, lines=reader.lines)
    return _Loaded(dialogue, problems, reader.lines.get("id", 0))


def load_dialogue(path: str | Path) -> Dialogue:
    """Read and check one dialogue file; raise DialogueError listing every problem."""
    loaded = _load(Path(path))
    if loaded.problems or loaded.dialogue is None:
        raise DialogueError(loaded.problems)
    return loaded.dialogue


def load_dialogues(paths: Iterable[str | Path]) -> list[Dialogue]:
    """Read and check dialogue files and folders of them; raise one DialogueError for all."""
    problems: list[Problem] = []
    dialogues: list[Dialogue] = []
    first_file: dict[str, str] = {}
    for file in _files(paths, problems):
        loaded = _load(file)
        problems += loaded.problems
        dialogue = loaded.dialogue
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
    if problems:
        raise DialogueError(problems)
    return dialogues


def _files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """Return the dialogue files `paths` name: files as given, folders' YAML files sorted."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            inside = sorted(p for p in given.iterdir() if p.suffix in {".yaml", ".yml"})
            if not inside:
                problems.append(Problem(str(given), 0, "the folder has no .yaml or .yml files"))
            found += inside
        elif given.exists():
            found.append(given)
        else:
            problems.append(Problem(str(given), 0, "no such file or folder"))
    if not found and not problems:
        problems.append(Problem("<arguments>", 0, "no dialogue files were given"))
    return found
