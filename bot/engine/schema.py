"""The dialogue file format, declared once: each part's keys, what they hold, which are required.

`loader` checks keys against these tables and builds the model from them; anything that
describes the format (a reference, an editor's schema) should read them too, so it cannot
drift from what the loader accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

from bot.engine.model import ROW_LIMIT, Texts
from bot.engine.vocabulary import EXTENSIBLE

REASONS_MAX = 5
"""The most reasons `max_reasons` may ask the advice to give."""

MULTIPLE_LIMIT = 8
"""The most options a multiple question may have: its sets (up to 255) are each an answer to
search and count, and its buttons carry the set being picked as a bit mask."""


class Kind(StrEnum):
    """What a key's value is in a dialogue file."""

    TEXT = "text"  # any scalar, kept as written: `label: yes` is 'yes'
    TEXTS = "list of texts"
    ID = "id"  # of the dialogue or a part, or (for `start`, `next`) of a question or `end`
    IDS = "ids"  # one id or a list of ids
    WHOLE = "whole number"  # within the field's bounds
    BOOLEAN = "boolean"  # plain true or false
    SCORES = "scores"  # outcome id -> whole number, negative allowed
    CONDITION = "condition"  # a mapping read with CONDITION
    LIST = "list"  # of the field's part
    MAP = "map"  # id -> the field's part
    RECORD = "record"  # the field's part itself
    RANGE = "range"  # [low, high]: numbers, high may be null (no upper end)
    KEYED_TEXTS = "id -> text"  # a mapping of ids to texts (a test story's answers)


@dataclass(frozen=True)
class Field:
    """One key of a part: its kind, whether it must be given, and what it holds or allows."""

    kind: Kind
    required: bool = False
    part: str = ""  # for LIST, MAP and RECORD: the name of the part in PARTS
    bounds: tuple[int, int] = (0, 0)  # for WHOLE: the lowest and highest allowed
    default: int = 0  # for WHOLE: the value when left out
    default_said: str = ""  # for WHOLE: the default in words, when it is no fixed number
    translated: bool = False  # words a translation gives in its language (or holds such)


Part = Mapping[str, Field]
"""A part's keys in the order the format lists them (and messages name them)."""

DIALOGUE: Part = {
    "id": Field(Kind.ID, required=True),
    "version": Field(Kind.TEXT, required=True),
    "title": Field(Kind.TEXT, required=True, translated=True),
    "start": Field(Kind.ID, required=True),
    "close_margin": Field(Kind.WHOLE, bounds=(0, 1000), default=1),
    "max_reasons": Field(Kind.WHOLE, bounds=(1, REASONS_MAX), default=3),
    "texts": Field(Kind.RECORD, part="texts", translated=True),
    "questions": Field(Kind.MAP, required=True, part="question", translated=True),
    "outcomes": Field(Kind.MAP, required=True, part="outcome", translated=True),
    "tips": Field(Kind.LIST, part="tip", translated=True),
    "language": Field(Kind.TEXT),
    "vocabulary": Field(Kind.RECORD, part="vocabulary", translated=True),
    "conflicts": Field(Kind.LIST, part="conflict", translated=True),
}
QUESTION: Part = {
    "text": Field(Kind.TEXT, required=True, translated=True),
    "short": Field(Kind.TEXT, translated=True),
    "columns": Field(Kind.WHOLE, bounds=(1, ROW_LIMIT), default=1),
    "ask_if": Field(Kind.CONDITION),
    "next": Field(Kind.ID),
    "branches": Field(Kind.LIST, part="branch"),
    "options": Field(Kind.LIST, required=True, part="option", translated=True),
    "unit": Field(Kind.TEXT),
    "multiple": Field(Kind.BOOLEAN),
    "min": Field(Kind.WHOLE, bounds=(1, MULTIPLE_LIMIT), default=1),
    "max": Field(Kind.WHOLE, bounds=(1, MULTIPLE_LIMIT), default_said="all of them"),
}
OPTION: Part = {
    "id": Field(Kind.ID, required=True),
    "label": Field(Kind.TEXT, required=True, translated=True),
    "synonyms": Field(Kind.TEXTS, translated=True),
    "scores": Field(Kind.SCORES),
    "reason": Field(Kind.TEXT, translated=True),
    "whatif": Field(Kind.TEXT, translated=True),
    "next": Field(Kind.ID),
    "means": Field(Kind.TEXT),
    "range": Field(Kind.RANGE),
    "short": Field(Kind.TEXT, translated=True),
    "exclusive": Field(Kind.BOOLEAN),
}
BRANCH: Part = {"if": Field(Kind.CONDITION, required=True), "next": Field(Kind.ID, required=True)}
OUTCOME: Part = {
    "title": Field(Kind.TEXT, required=True, translated=True),
    "short": Field(Kind.TEXT, translated=True),
    "summary": Field(Kind.TEXT, translated=True),
    "text": Field(Kind.TEXT, required=True, translated=True),
    "extras": Field(Kind.LIST, part="extra", translated=True),
}
EXTRA: Part = {
    "if": Field(Kind.CONDITION, required=True),
    "text": Field(Kind.TEXT, required=True, translated=True),
}
TIP: Part = {
    "id": Field(Kind.ID, required=True),
    "if": Field(Kind.CONDITION),
    "text": Field(Kind.TEXT, required=True, translated=True),
}
CONFLICT: Part = {
    "id": Field(Kind.ID, required=True),
    "if": Field(Kind.CONDITION, required=True),
    "text": Field(Kind.TEXT, required=True, translated=True),
}
TEXTS: Part = {text.name: Field(Kind.TEXT, translated=True) for text in fields(Texts)}
VOCABULARY: Part = {name: Field(Kind.TEXTS, translated=True) for name in EXTENSIBLE}
"""Words a dialogue adds to its language's shared vocabulary (bot/engine/vocabularies)."""
CONDITION: Part = {
    "all": Field(Kind.LIST, part="condition"),
    "any": Field(Kind.LIST, part="condition"),
    "not": Field(Kind.CONDITION),
    "close_call": Field(Kind.BOOLEAN),
    "outcome": Field(Kind.IDS),
}
"""A condition's own keys; every other key is a question id, holding ANSWERED."""

ANSWERED = Field(Kind.IDS)
"""The options of a question a condition names, one id or a list of them."""

PARTS: Mapping[str, Part] = {
    "dialogue": DIALOGUE,
    "question": QUESTION,
    "option": OPTION,
    "branch": BRANCH,
    "outcome": OUTCOME,
    "extra": EXTRA,
    "tip": TIP,
    "conflict": CONFLICT,
    "texts": TEXTS,
    "vocabulary": VOCABULARY,
    "condition": CONDITION,
}


# Translations ---------------------------------------------------------------------------------
# A translation (`<dialogue>.<language>.yaml` beside the dialogue) holds only the fields marked
# `translated`, at the same places: a list of parts with ids (options, tips) becomes a map from
# the id to the part, so a translation names what it translates; extras, which have no ids,
# stay a list in the dialogue's order. Nothing in a translation is required: what it leaves out
# is reported as missing by the translation checks, with the line where it belongs.


def _translated(part: Part) -> Part:
    kept: dict[str, Field] = {}
    for key, field in part.items():
        if not field.translated:
            continue
        has_ids = field.kind is Kind.LIST and "id" in PARTS[field.part]
        kind = Kind.MAP if has_ids else field.kind
        kept[key] = Field(kind, part=field.part, translated=True)
    return kept


TRANSLATION_PARTS: Mapping[str, Part] = {
    name: translated for name, part in PARTS.items()
    if name != "dialogue" and (translated := _translated(part))
} | {"dialogue": {"language": Field(Kind.TEXT), **_translated(DIALOGUE)}}
"""The parts of a translation file, by the name of the part they translate ("dialogue": the
file itself, which may say its `language`; it must be the one in the file's name)."""


def required(part: Part) -> list[str]:
    """Return the keys a part must have, in the format's order."""
    return [key for key, field in part.items() if field.required]
