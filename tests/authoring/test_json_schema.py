"""The JSON Schemas: generated from the format tables, shipped current, and as strict as the
loader about keys and kinds, checked with the `jsonschema` library as an editor would."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest
import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from bot.authoring.json_schema import FORMATS, rendered, schema_file
from bot.authoring.story_reader import read_stories
from bot.cli import main
from bot.engine.loader import load_dialogue
from bot.engine.schema import PARTS, Kind
from bot.engine.translation import translation_of
from bot.engine.yaml_nodes import parse
from bot.errors import DialogueError
from tests.engine.test_loader import FULL, PLACES

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "dialogues"
SHIPPED = sorted(DIALOGUES.glob("*.yaml"))
SMALL = ROOT / "tests" / "data" / "valid" / "small.yaml"
VALID = sorted((ROOT / "tests" / "data" / "valid").glob("*.yaml"))

WRONG_TYPE: dict[Kind, object] = {
    Kind.TEXT: ["x"],
    Kind.TEXTS: "x",
    Kind.ID: ["x"],
    Kind.IDS: {"x": "y"},
    Kind.WHOLE: "x",
    Kind.BOOLEAN: "x",
    Kind.SCORES: ["x"],
    Kind.CONDITION: ["x"],
    Kind.LIST: "x",
    Kind.MAP: ["x"],
    Kind.RECORD: ["x"],
    Kind.RANGE: "x",
    Kind.KEYED_TEXTS: ["x"],
}
STORIES: Any = {
    "stories": [{
        "name": "a", "answers": {"where": "home"}, "outcome": "open_back",
        "runner_up": "closed_back", "reasons": ["where"], "tips": ["always"], "no_tips": "fit",
        "text": ["airy"], "no_text": ["battery"],
    }],
}  # fmt: skip
STORY_PLACES: dict[str, list[str | int]] = {"stories": [], "story": ["stories", 0]}


def plain(node: Node | None) -> object:
    """Return a YAML node as the data an editor's YAML 1.2 parser sees (`yes` is text)."""
    if node is None:
        return None
    if isinstance(node, MappingNode):
        return {str(key.value): plain(value) for key, value in node.value}
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    kind = str(node.tag).rsplit(":", 1)[-1]
    readers: dict[str, Callable[[str], object]] = {
        "int": int, "float": float, "bool": lambda v: v.lower() == "true", "null": lambda _: None,
    }
    return readers.get(kind, str)(node.value)


def read(text: str) -> object:
    root, fatal = parse("<test>", text.encode())
    assert fatal is None, fatal
    return plain(root)


@functools.cache
def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((DIALOGUES / schema_file(name)).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(name: str, text: str) -> list[str]:
    """Return the schema's complaints, with those inside `anyOf` alternatives."""

    def messages(found: jsonschema.ValidationError) -> list[str]:
        return [found.message] + [m for inner in found.context or () for m in messages(inner)]

    return [m for error in validator(name).iter_errors(read(text)) for m in messages(error)]


def format_of(path: Path) -> str:
    if path.stem.endswith(".stories"):
        return "stories"
    return "translation" if translation_of(path) is not None else "dialogue"


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_shipped_schema_is_what_the_command_prints(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == 0
    printed = capsys.readouterr().out
    assert printed == rendered(name)
    shipped = (DIALOGUES / schema_file(name)).read_text(encoding="utf-8")
    assert shipped == printed, "stale: run `python -m bot schema --update`"


def test_every_kind_of_value_is_used_by_a_format() -> None:
    # So generating the schemas above gives every kind its JSON form.
    used = {field.kind for found in FORMATS.values() for part in found.parts.values()
            for field in part.values()}
    assert used == set(Kind)


@pytest.mark.parametrize("path", SHIPPED + VALID, ids=lambda path: path.name)
def test_every_shipped_file_is_valid_and_names_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert errors(format_of(path), text) == []
    if path.parent == DIALOGUES:
        first = text.splitlines()[0]
        assert first == f"# yaml-language-server: $schema={schema_file(format_of(path))}"


def mutated(full: Any, places: dict[str, list[str | int]], part: str, key: str,
            value: object) -> str:
    changed = copy.deepcopy(full)
    record = functools.reduce(lambda inner, step: inner[step], places[part], changed)
    record[key] = value
    return yaml.safe_dump(changed, sort_keys=False, allow_unicode=True)


def rejected_by_loader(name: str, text: str, tmp_path: Path) -> bool:
    dialogue = tmp_path / "small.yaml"
    dialogue.write_text(text if name == "dialogue" else SMALL.read_text(), encoding="utf-8")
    stories = tmp_path / "small.stories.yaml"
    stories.write_text(text, encoding="utf-8")
    try:
        loaded = load_dialogue(dialogue)
        if name == "stories":
            read_stories(stories, loaded)
    except DialogueError:
        return True
    return False


class Case(NamedTuple):
    """One key of one format, with a whole valid file to change it in."""

    name: str
    full: Any
    places: dict[str, list[str | int]]
    part: str
    key: str

    @property
    def kind(self) -> Kind:
        return FORMATS[self.name].parts[self.part][self.key].kind


CASES = [
    Case(name, full, places, part, key)
    for name, full, places in (("dialogue", FULL, PLACES), ("stories", STORIES, STORY_PLACES))
    for part, fields in FORMATS[name].parts.items() for key in fields
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}:{c.part}.{c.key}" for c in CASES])
def test_a_value_of_the_wrong_kind_is_refused_by_both(tmp_path: Path, case: Case) -> None:
    good = yaml.safe_dump(case.full, sort_keys=False)
    assert (errors(case.name, good), rejected_by_loader(case.name, good, tmp_path)) == ([], False)
    wrong = WRONG_TYPE[case.kind]
    bad = mutated(case.full, case.places, case.part, case.key, wrong)
    assert errors(case.name, bad), f"the schema accepts {case.key}: {wrong!r}"
    assert rejected_by_loader(case.name, bad, tmp_path)


UNKNOWN = [("dialogue", FULL, PLACES, part) for part in PARTS if part != "condition"] + [
    ("stories", STORIES, STORY_PLACES, part) for part in STORY_PLACES
]


@pytest.mark.parametrize(("name", "full", "places", "part"), UNKNOWN,
                         ids=[f"{case[0]}:{case[3]}" for case in UNKNOWN])
def test_an_unknown_key_is_refused_by_both(
    tmp_path: Path, name: str, full: Any, places: dict[str, list[str | int]], part: str
) -> None:
    bad = mutated(full, places, part, "colour", "blue")
    assert any("'colour' was unexpected" in message for message in errors(name, bad))
    assert rejected_by_loader(name, bad, tmp_path)
