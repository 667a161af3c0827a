"""Reading conditions (`if`, `ask_if`) and the format's booleans, reporting what cannot be read.

Kept apart from `loader` (which uses it as its base) so each stays one job of a readable size.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from bot.engine.model import AllOf, Answered, AnyOf, CloseCall, Condition, Not, Recommended
from bot.engine.typing_format import TypingReader
from bot.engine.yaml_nodes import Entry, boolean, line_of, shown


class ConditionReader(TypingReader):
    """Reads conditions and `true`/`false` flags; every problem is reported with its line."""

    def flag(self, record: dict[str, Entry], key: str) -> bool:
        """Return a boolean field (`multiple: true`); false when left out or not a boolean."""
        entry = record.get(key)
        if entry is None:
            return False
        value = boolean(entry.value)
        if value is None:
            self.report(entry.line, f"{key!r} must be true or false, got {shown(entry.value)}")
        return bool(value)

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

    def condition_part(self, entry: Entry) -> Condition | None:
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

    def close_call(self, entry: Entry) -> Condition | None:
        flag = boolean(entry.value)
        if flag is None:
            message = f"'close_call' must be true or false, got {shown(entry.value)}"
            self.report(entry.line, message)
            return None
        return CloseCall() if flag else Not(CloseCall())

    def combined(self, entry: Entry) -> Condition | None:
        nodes = self.items(entry, "a condition")
        if isinstance(entry.value, SequenceNode) and not nodes:
            self.report(entry.line, f"{entry.key!r} lists no conditions: list at least one")
        parts = [self.condition(node, line_of(node)) for node in nodes]
        if not parts or None in parts:
            return None
        conditions = tuple(part for part in parts if part is not None)
        return AllOf(conditions) if entry.key == "all" else AnyOf(conditions)

    def optional_condition(self, record: dict[str, Entry], key: str) -> Condition | None:
        entry = record.get(key)
        return self.condition(entry.value, entry.line) if entry is not None else None
