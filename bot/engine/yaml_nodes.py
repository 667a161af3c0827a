"""Read YAML as line-tracking nodes, and read values out of them with a problem for every mistake.

The text is composed into PyYAML's node graph, never constructed into Python objects, so every
key and list item keeps its line and duplicate keys can be caught. Only plain `true`/`false`
are booleans (as in YAML 1.2): `yes`, `no`, `on` and `off` stay text. Reading knows nothing
of dialogues (`schema` says which keys each part of one has); only the messages refusing what
YAML allows but a dialogue file must not use speak of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.errors import Problem

MAX_BYTES = 1024 * 1024
"""The largest file read; anything bigger is refused before parsing."""

MAX_DEPTH = 20
"""The deepest nesting of mappings and lists accepted (conditions are the only deep part)."""

_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset({"str", "int", "float", "bool", "null", "seq", "map"})
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_WHOLE = re.compile(r"[-+]?[0-9]{1,9}")  # longer would be a mistake (and int() limits)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class Entry(NamedTuple):
    """One `key: value` of a mapping, with the key's line."""

    key: str
    line: int
    value: Node


# Parsing -------------------------------------------------------------------------------------


class _Refused(yaml.YAMLError):
    """A document PyYAML would accept but a file read here must not use."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _RestrictedLoader(yaml.SafeLoader):
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


def read_file(path: Path) -> tuple[Node | None, Problem | None]:
    """Read and parse the YAML file at `path` (at most MAX_BYTES, see `parse`): return its
    root node (None when empty), or the one problem that stops reading it."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return None, Problem(file, 0, f"cannot read the file: {error.strerror}")
    return parse(file, data)


def parse(file: str, data: bytes) -> tuple[Node | None, Problem | None]:
    """Return the document's root node (None when empty), or the one problem that stops parsing."""
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
    loader = _RestrictedLoader(text)  # checks for unprintable characters right away
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


# Single nodes --------------------------------------------------------------------------------


def line_of(node: Node) -> int:
    """Return the 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def is_null(node: Node) -> bool:
    """Return whether a node is empty (`key:` with nothing after it, or `null`)."""
    return isinstance(node, ScalarNode) and node.tag == _NULL


def shown(node: Node) -> str:
    """Describe a value for a message: the text itself, or what kind of thing it is."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_null(node):
        return "nothing"
    value = str(node.value)
    return repr(value if len(value) <= 40 else value[:37] + "...")


def whole_number(node: Node) -> int | None:
    """Return a plain (unquoted) whole number of at most 9 digits, else None."""
    if isinstance(node, ScalarNode) and node.style is None and _WHOLE.fullmatch(node.value):
        return int(node.value)
    return None


def boolean(node: Node) -> bool | None:
    """Return a plain `true` or `false`, else None."""
    if isinstance(node, ScalarNode) and node.tag == _BOOL:
        if node.value in _TRUE:
            return True
        if node.value in _FALSE:
            return False
    return None


def unknown_key(key: str, what: str, allowed: Sequence[str]) -> str:
    """Return the message for a key that is not allowed, suggesting the closest allowed one."""
    message = f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}"
    close = difflib.get_close_matches(key, allowed, n=1)
    return f"{message} (did you mean {close[0]!r}?)" if close else message


# Reading values with problems ----------------------------------------------------------------


class NodeReader:
    """Reads values of the kinds a format asks for, collecting a problem for each that is not.

    Every method reports what it could not read and returns None (or nothing), so one pass over
    a file finds every problem in it.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def report(self, line: int, message: str) -> None:
        """Note a problem at `line` of the file."""
        self.problems.append(Problem(self.file, line, message))

    def entries(self, node: Node, what: str, line: int, item: str | None = None) -> list[Entry]:
        """Return a mapping's entries, reporting a non-mapping and duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(line, f"{what} must be a mapping of `key: value` lines, got {shown(node)}")
            return []
        seen: dict[str, int] = {}
        found: list[Entry] = []
        for key_node, value in node.value:
            key_line = line_of(key_node)
            if not isinstance(key_node, ScalarNode) or is_null(key_node):
                self.report(key_line, f"a key in {what} must be a word, got {shown(key_node)}")
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
            found.append(Entry(key, key_line, value))
        return found

    def fields(
        self,
        node: Node,
        what: str,
        line: int,
        allowed: Sequence[str],
        required: Sequence[str] = (),
    ) -> dict[str, Entry]:
        """Return a record's fields by key; optional keys left empty count as absent."""
        record: dict[str, Entry] = {}
        for entry in self.entries(node, what, line):
            if entry.key not in allowed:
                self.report(entry.line, unknown_key(entry.key, what, allowed))
            elif not (is_null(entry.value) and entry.key not in required):
                record[entry.key] = entry
        if isinstance(node, MappingNode):
            for key in required:
                if key not in record:
                    self.report(line, f"{what} is missing required key {key!r}")
        return record

    def items(self, entry: Entry, what: str) -> list[Node]:
        """Return the items of a list value, reporting any other value."""
        if isinstance(entry.value, SequenceNode):
            return list(entry.value.value)
        self.report(
            entry.line,
            f"{entry.key!r} in {what} must be a list (lines starting with '- '), "
            f"got {shown(entry.value)}",
        )
        return []

    def each(self, record: dict[str, Entry], key: str, what: str) -> list[Node]:
        """Return the items of an optional list field (none when it is left out)."""
        entry = record.get(key)
        return self.items(entry, what) if entry is not None else []

    def text(self, record: dict[str, Entry], key: str, what: str) -> str | None:
        """Return a text field, stripped; any scalar counts, so `label: yes` is 'yes'."""
        entry = record.get(key)
        if entry is None:
            return None
        return self.scalar(entry.value, entry.line, f"{key!r} in {what}")

    def scalar(self, node: Node, line: int, what: str) -> str | None:
        """Return a scalar as stripped text, reporting an empty value or a mapping or list."""
        if isinstance(node, ScalarNode) and not is_null(node):
            return str(node.value).strip()
        if is_null(node):
            self.report(line, f"{what} is empty: write the text after the colon")
        else:
            self.report(line, f"{what} must be text, got {shown(node)}")
        return None

    def whole(
        self, record: dict[str, Entry], key: str, low: int, high: int, why: str = ""
    ) -> int | None:
        """Return a whole-number field from `low` to `high`; `why` explains the range."""
        entry = record.get(key)
        if entry is None:
            return None
        value = whole_number(entry.value)
        if value is not None and low <= value <= high:
            return value
        self.report(
            entry.line,
            f"{key!r} must be a whole number from {low} to {high}, got {shown(entry.value)}{why}",
        )
        return None

    def ids(self, node: Node, line: int, what: str) -> frozenset[str] | None:
        """Return one id or a list of ids as a set; ids are taken as written."""
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        found: list[str] = []
        for item in nodes:
            if isinstance(item, ScalarNode) and not is_null(item):
                found.append(str(item.value))
            else:
                self.report(
                    line_of(item) if item is not node else line,
                    f"{what} must be an id or a list of ids, got {shown(item)}",
                )
                return None
        if not found:
            self.report(line, f"{what} names nothing: list at least one id")
            return None
        return frozenset(found)
