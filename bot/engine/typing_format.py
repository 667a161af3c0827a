"""Reading the keys of the format that are about typed answers: ranges, language, vocabulary.

Kept apart from `loader` (which uses it as its base) so each stays one job of a readable size.
"""

from __future__ import annotations

import math
import re

from yaml.nodes import Node, ScalarNode, SequenceNode

from bot.engine import schema
from bot.engine.vocabulary import EXTENSIBLE, Vocabulary, available, builtin
from bot.engine.yaml_nodes import Entry, NodeReader, is_null, line_of, shown

_DECIMAL = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,6})?")


class TypingReader(NodeReader):
    """Reads `range`, `language` and `vocabulary`, reporting what cannot be read."""

    def record(self, node: Node, what: str, line: int, part: schema.Part) -> dict[str, Entry]:
        """Return a part's fields by key, reporting unknown and missing keys."""
        return self.fields(node, what, line, list(part), schema.required(part))

    def range(self, record: dict[str, Entry], what: str) -> tuple[float, float] | None:
        """Return `range: [low, high]` (high may be null: no upper end), else None."""
        entry = record.get("range")
        if entry is None:
            return None
        items = entry.value.value if isinstance(entry.value, SequenceNode) else []
        values = [_decimal(item) for item in items]
        if len(values) == 2 and values[0] is not None and (
            values[1] is not None or is_null(items[1])
        ):
            low, high = values[0], math.inf if values[1] is None else values[1]
            if low < high:
                return low, high
        self.report(
            entry.line,
            f"'range' in {what} must be [low, high] with low below high, numbers "
            f"(high may be null: no upper end), got {shown(entry.value)}",
        )
        return None

    def language(self, record: dict[str, Entry]) -> str:
        language = self.text(record, "language", "the dialogue") or "en"
        if not available(language):
            self.report(
                record["language"].line,
                f"there is no vocabulary for language {language!r} (bot/engine/vocabularies): "
                "use en, or add the language's file",
            )
            return "en"
        return language

    def vocabulary(self, record: dict[str, Entry]) -> Vocabulary | None:
        """Return the language's vocabulary with the dialogue's words added, if it adds any."""
        entry = record.get("vocabulary")
        if entry is None:
            return None
        given = self.record(entry.value, "'vocabulary'", entry.line, schema.VOCABULARY)
        more = {
            key: tuple(
                text
                for item in self.each(given, key, "'vocabulary'")
                if (text := self.scalar(item, line_of(item), f"a word in vocabulary.{key}"))
            )
            for key in EXTENSIBLE
        }
        # An unknown language is reported by `language`; the words extend English then.
        entry = record.get("language")
        language = str(entry.value.value) if entry and isinstance(entry.value, ScalarNode) else ""
        return builtin(language if available(language) else "en").extended(more)



def _decimal(node: Node) -> float | None:
    """Return a plain number (whole or with a decimal point), else None."""
    if isinstance(node, ScalarNode) and node.style is None and _DECIMAL.fullmatch(node.value):
        return float(node.value)
    return None
