"""JSON Schemas of the file formats, generated from the tables the readers use.

An editor with a YAML language server completes keys and flags mistakes from these. They are
built from `bot.engine.schema`'s tables (and `story_format`'s, in the same style), never
written by hand, so a key the loader accepts is a key the schema offers. The schema checks
shapes (keys, kinds, bounds); what needs the whole file (references, routes) stays with
`validate`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from bot.authoring import story_format
from bot.engine import schema
from bot.engine.checks import ID_PATTERN
from bot.engine.schema import Field, Kind, Part

DRAFT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest draft every YAML language server in use reads in full."""

JSON = dict[str, Any]


class Format(NamedTuple):
    """One file format: its top part, the tables of its parts, and how to call it."""

    root: str
    parts: Mapping[str, Part]
    title: str


FORMATS: Mapping[str, Format] = {
    "dialogue": Format("dialogue", schema.PARTS, "An advisor bot dialogue"),
    "translation": Format("dialogue", schema.TRANSLATION_PARTS,
                          "A translation of an advisor bot dialogue"),
    "stories": Format("stories", story_format.PARTS, "Test stories for an advisor bot dialogue"),
}
"""The formats by name: dialogues, their translations (`<dialogue>.<language>.yaml`) and their
test stories (`<dialogue>.stories.yaml`)."""


def schema_file(name: str) -> str:
    """Return the file name a format's schema is kept under: `dialogue.schema.json`."""
    return f"{name}.schema.json"


def rendered(name: str) -> str:
    """Return the JSON Schema of format `name` as the text of its file."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def json_schema(name: str) -> JSON:
    """Return the JSON Schema of format `name` (a key of FORMATS)."""
    found = FORMATS[name]
    used = _used(found.root, found.parts)
    return {
        "$schema": DRAFT,
        "title": found.title,
        **_part(found.parts[found.root]),
        "definitions": {part: _part(found.parts[part]) for part in used[1:]},
    }


def _used(root: str, parts: Mapping[str, Part]) -> list[str]:
    """Return the parts `root` refers to, itself first, each once."""
    order = [root]
    for part in order:
        for field in parts[part].values():
            inner = "condition" if field.kind is Kind.CONDITION else field.part
            if inner and inner not in order:
                order.append(inner)
    return order


def _part(part: Part) -> JSON:
    found: JSON = {
        "type": "object",
        "properties": {key: _field(field) for key, field in part.items()},
        "additionalProperties": False,
    }
    if part is schema.CONDITION:
        # Every other key of a condition is a question id, holding the options it names.
        found["additionalProperties"] = _value(schema.ANSWERED)
        found["propertyNames"] = _name()
        found["minProperties"] = 1
    if needed := schema.required(part):
        found["required"] = needed
    return found


def _field(field: Field) -> JSON:
    """Return a key's schema: its value's, with a description, and null when it is optional."""
    value = _value(field)
    if not field.required:
        # The loader takes an optional key left empty (`tips:`) as left out.
        value = (
            {**value, "type": [*_types(value), "null"]}
            if "type" in value
            else {"anyOf": [value, {"type": "null"}]}
        )
    if "$ref" in value:
        value = {"allOf": [value]}  # draft 7 ignores whatever stands beside a $ref
    return {"description": _description(field), **value}


def _types(value: JSON) -> list[str]:
    kinds = value["type"]
    return list(kinds) if isinstance(kinds, list) else [kinds]


def _value(field: Field) -> JSON:
    """Return the schema of a value of `field`'s kind."""
    return _VALUES[field.kind](field)


def _whole(field: Field) -> JSON:
    low, high = field.bounds
    return {"type": "integer", "minimum": low, "maximum": high, "default": field.default}


_VALUES: Mapping[Kind, Callable[[Field], JSON]] = {
    Kind.TEXT: lambda _: _text(),
    Kind.TEXTS: lambda _: {"type": "array", "items": _text()},
    Kind.ID: lambda _: _id(),
    Kind.IDS: lambda _: {"anyOf": [_id(), {"type": "array", "items": _id(), "minItems": 1}]},
    Kind.WHOLE: _whole,
    Kind.BOOLEAN: lambda _: {"type": "boolean"},
    Kind.SCORES: lambda _: _mapping({"type": "integer"}),
    Kind.CONDITION: lambda _: _reference("condition"),
    Kind.LIST: lambda field: {"type": "array", "items": _reference(field.part)},
    Kind.MAP: lambda field: _mapping(_reference(field.part)),
    Kind.RECORD: lambda field: _reference(field.part),
    Kind.RANGE: lambda _: {
        "type": "array",
        "items": [{"type": "number"}, {"type": ["number", "null"]}],
        "minItems": 2,
        "maxItems": 2,
    },
    Kind.KEYED_TEXTS: lambda _: _mapping(_text()),
}
"""The schema of each kind of value; tests/authoring checks every kind has one."""


def _text() -> JSON:
    # Any scalar is text to the loader: `label: yes` and `version: 3` are texts.
    return {"type": ["string", "number", "boolean"]}


def _id() -> JSON:
    return {"type": ["string", "number", "boolean"], "pattern": f"^{ID_PATTERN.pattern}$"}


def _name() -> JSON:
    return {"pattern": _id()["pattern"]}  # keys are always strings


def _mapping(values: JSON) -> JSON:
    return {"type": "object", "propertyNames": _name(), "additionalProperties": values}


def _reference(part: str) -> JSON:
    return {"$ref": f"#/definitions/{part}"}


def _description(field: Field) -> str:
    """Return what an editor shows for a key: required or not, and what it holds."""
    match field.kind:
        case Kind.WHOLE:
            low, high = field.bounds
            what = f"a whole number from {low} to {high}"
            what += "" if field.required else f" (default {field.default})"
        case Kind.LIST:
            what = f"a list, each a {field.part}"
        case Kind.MAP:
            what = f"a mapping of id -> {field.part}"
        case Kind.RECORD:
            what = f"the {field.part} (a mapping)"
        case _:
            what = _SAID.get(field.kind, field.kind.value)
    return f"{'Required' if field.required else 'Optional'}: {what}"


_SAID = {
    Kind.ID: "an id (a-z, 0-9 and _)",
    Kind.IDS: "an id, or a list of ids",
    Kind.SCORES: "outcome id -> points (whole numbers, negative allowed)",
    Kind.CONDITION: "a condition such as {use: home} (all, any, not to combine)",
    Kind.RANGE: "[low, high] in the question's unit; high may be null (no upper end)",
    Kind.KEYED_TEXTS: "question id -> an option id (pressed) or words (typed)",
}
