"""Read a translation file into what it gives, with lines, by the format in `schema`.

A translation holds only the fields `schema.TRANSLATION_PARTS` lists (texts, labels, synonyms,
reasons, vocabulary words), at the places the dialogue has them, keyed by the same ids. This
module only reads: keys, types and duplicates are reported here, as for any dialogue file;
what the translation leaves out or adds compared with its dialogue is `translation`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from yaml.nodes import Node

from bot.engine import schema
from bot.engine.schema import Kind
from bot.engine.yaml_nodes import NodeReader, line_of


class Text(NamedTuple):
    """A text (or a list of words) a translation gives, and its line."""

    value: str | tuple[str, ...]
    line: int


@dataclass
class Given:
    """One part of a translation as read: its texts, and the parts inside it, with lines."""

    line: int
    texts: dict[str, Text] = field(default_factory=dict)
    records: dict[str, Given] = field(default_factory=dict)
    keyed: dict[str, dict[str, Given]] = field(default_factory=dict)
    listed: dict[str, list[Given]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    """The line of each key given, containers included (where a missing item belongs)."""

    def text(self, key: str) -> str | None:
        """Return a text field's value, or None when it is not given."""
        given = self.texts.get(key)
        return given.value if given is not None and isinstance(given.value, str) else None

    def words(self, key: str) -> tuple[str, ...] | None:
        """Return a list-of-texts field's value, or None when it is not given."""
        given = self.texts.get(key)
        return given.value if given is not None and isinstance(given.value, tuple) else None


class TranslationReader(NodeReader):
    """Reads a translation's parts, reporting unknown keys, wrong types and duplicate ids."""

    def part(self, node: Node, what: str, line: int, name: str) -> Given:
        """Return the part of kind `name` (a key of TRANSLATION_PARTS) that `node` holds."""
        table = schema.TRANSLATION_PARTS[name]
        given = Given(line)
        for key, entry in self.fields(node, what, line, list(table)).items():
            given.lines[key] = entry.line
            kind, inner = table[key].kind, table[key].part
            where = f"{key!r} in {what}"
            if kind is Kind.TEXT:
                text = self.scalar(entry.value, entry.line, where)
                if text is not None:
                    given.texts[key] = Text(text, entry.line)
            elif kind is Kind.TEXTS:
                words = (self.scalar(item, line_of(item), f"a word in {where}")
                         for item in self.items(entry, what))
                given.texts[key] = Text(tuple(word for word in words if word), entry.line)
            elif kind is Kind.RECORD:
                given.records[key] = self.part(entry.value, where, entry.line, inner)
            elif kind is Kind.MAP:
                given.keyed[key] = {
                    each.key: self.part(each.value, f"{inner} {each.key!r}", each.line, inner)
                    for each in self.entries(entry.value, where, entry.line, item=inner)
                }
            else:
                given.listed[key] = [self.part(item, f"an item of {where}", line_of(item), inner)
                                     for item in self.items(entry, what)]
        return given
