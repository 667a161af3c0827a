"""Reading dialogue files: the model they give, and every problem with its file and line."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.loader import load_dialogue, load_dialogues
from bot.engine.model import (
    AllOf,
    Answered,
    AnyOf,
    Branch,
    CloseCall,
    Extra,
    Not,
    Option,
    Question,
    Recommended,
    Texts,
    Tip,
    Where,
)
from bot.engine.schema import PARTS, Kind
from bot.engine.yaml_nodes import MAX_BYTES
from bot.errors import DialogueError, Problem

DATA = Path(__file__).parent.parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
SMALL = DATA / "valid" / "small.yaml"
EXPECT = re.compile(r"# expect: (\d+): (.+)")

MINIMAL = """\
id: minimal
version: 1
title: Minimal
start: a
questions:
  a:
    text: Which?
    options:
      - {id: x, label: X, scores: {one: 1}}
      - {id: y, label: Y, scores: {two: 1}}
outcomes:
  one: {title: One, text: First.}
  two: {title: Two, text: Second.}
"""


def problems_in(path: Path) -> list[Problem]:
    with pytest.raises(DialogueError) as raised:
        load_dialogue(path)
    return raised.value.problems


def write(tmp_path: Path, text: str, name: str = "dialogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def expectations(path: Path) -> list[tuple[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [match.groups() for line in lines if (match := EXPECT.fullmatch(line))]
    return [(int(number), text) for number, text in found]


def test_there_is_a_broken_sample_for_every_rule() -> None:
    names = {path.stem for path in INVALID}
    assert {
        "unknown_key", "wrong_type", "duplicate_question_id", "duplicate_option_id",
        "duplicate_yaml_key", "missing_question", "missing_outcome", "unreachable_question",
        "dead_end_question", "impossible_outcome", "callback_too_long", "text_too_long",
        "too_many_columns", "reserved_id", "yaml_syntax", "bad_condition",
    } <= names  # fmt: skip
    assert all(expectations(path) for path in INVALID)


@pytest.mark.parametrize("path", INVALID, ids=[path.stem for path in INVALID])
def test_each_broken_sample_reports_exactly_its_problems(path: Path) -> None:
    problems = problems_in(path)
    shown = "\n".join(map(str, problems))
    for line, text in expectations(path):
        assert any(
            p.file == str(path) and p.line == line and text in p.message for p in problems
        ), f"no problem at line {line} with {text!r} in:\n{shown}"
    assert len(problems) == len(expectations(path)), shown


def test_the_error_message_lists_every_problem_with_file_and_line() -> None:
    path = DATA / "invalid" / "dead_end_question.yaml"
    with pytest.raises(DialogueError) as raised:
        load_dialogue(path)
    lines = str(raised.value).splitlines()
    assert lines[0] == "2 problems in the dialogue:"
    assert lines[1].startswith(f"{path}:13: from question 'b' no path reaches the end")
    assert lines[2].startswith(f"{path}:19: from question 'c' no path reaches the end")


def test_all_problems_come_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("text: Which?", "text: Which?\n    colums: 2")
        .replace("{one: 1}}", "{one: 1}, next: nowhere}")
        .replace("label: Y,", 'label: "",')
    )
    path = write(tmp_path, text)
    found = {(p.line, p.message.split(":")[0].split(";")[0]) for p in problems_in(path)}
    assert found == {
        (8, "unknown key 'colums' in question 'a'"),
        (10, "the 'next' of option 'x' of question 'a' is 'nowhere', which is not a question"),
        (11, "option 'y' of question 'a' has an empty label"),
    }


def test_the_valid_sample_reads_into_the_model() -> None:
    dialogue = load_dialogue(SMALL)
    file = str(SMALL)
    assert (dialogue.id, dialogue.version, dialogue.title) == (
        "small_advisor", "2", "Headphones or IEMs?",
    )  # fmt: skip
    assert (dialogue.start, dialogue.close_margin, dialogue.max_reasons) == ("where", 2, 2)
    assert dialogue.source == file
    assert list(dialogue.questions) == ["where", "monitor", "wireless"]
    assert list(dialogue.outcomes) == ["open_back", "closed_back", "iem"]
    where = dialogue.questions["where"]
    assert where.text == "Where will you listen most?"
    assert (where.columns, where.next, where.ask_if) == (2, "wireless", None)
    assert where.branches == (
        Branch(Answered("where", frozenset({"stage", "studio"})), "monitor", Where(file, 17)),
    )
    assert where.options[0] == Option(
        "home",
        "At home",
        ("house", "sofa"),
        {"open_back": 3, "closed_back": 1},
        "you listen mostly at home",
        None,
        Where(file, 20),
    )
    assert where.options[3].next == "monitor"
    assert where.options[4] == Option("not_sure", "Not sure", where=Where(file, 35))
    assert dialogue.questions["monitor"] == Question(
        "monitor",
        "Do you need to hear a click track?",
        (
            Option("yes", "Yes", scores={"iem": 2}, where=Where(file, 41)),
            Option("no", "No", scores={"closed_back": 1}, where=Where(file, 42)),
        ),
        next="end",
        where=Where(file, 37),
    )
    wireless = dialogue.questions["wireless"]
    assert wireless.ask_if == Not(Answered("where", frozenset({"home"})))
    assert wireless.options[0].scores == {"iem": -1, "closed_back": 1}


def test_outcomes_extras_tips_and_texts_are_read() -> None:
    dialogue = load_dialogue(SMALL)
    file = str(SMALL)
    closed = dialogue.outcomes["closed_back"]
    assert (closed.title, closed.text) == (
        "Closed-back headphones", "Isolation without anything in your ears.",
    )  # fmt: skip
    assert closed.extras == (
        Extra(
            AllOf(
                (
                    Answered("wireless", frozenset({"on"})),
                    AnyOf(
                        (
                            Answered("where", frozenset({"commute"})),
                            Not(Answered("where", frozenset({"studio"}))),
                        )
                    ),
                )
            ),
            "Look for good battery life.",
            Where(file, 61),
        ),
    )
    assert dialogue.tips == (
        Tip("try_both", "Try both before you buy.", CloseCall(), Where(file, 67)),
        Tip("fit", "Try several ear tip sizes.", Recommended(frozenset({"iem"})), Where(file, 70)),
        Tip("always", "Keep the volume moderate.", None, Where(file, 73)),
    )
    assert dialogue.texts.welcome == "Hello there!"
    assert dialogue.texts.progress == "Step {number}/{total}"
    assert dialogue.texts.help == Texts.defaults("en").help


def test_yes_no_on_off_stay_strings_as_ids_keys_and_in_conditions(tmp_path: Path) -> None:
    text = """\
id: words
version: "1.10"
title: Words
start: on
questions:
  on:
    text: Answer?
    branches:
      - if: {on: [yes, n]}
        next: off
    options:
      - {id: yes, label: yes}
      - {id: no, label: no}
      - {id: y, label: On}
      - {id: n, label: Off}
  off:
    text: Again?
    ask_if: {any: [{on: y}, {on: n}]}
    options:
      - {id: on, label: true, scores: {no: 1}}
      - {id: off, label: false, scores: {yes: 1}}
outcomes:
  yes: {title: Yes, text: Affirmative.}
  no: {title: No, text: Negative.}
tips:
  - {id: tip, if: {off: on, close_call: false}, text: Tip.}
"""
    dialogue = load_dialogue(write(tmp_path, text))
    assert dialogue.version == "1.10"
    assert dialogue.start == "on"
    assert list(dialogue.questions) == ["on", "off"]
    assert [o.id for o in dialogue.questions["on"].options] == ["yes", "no", "y", "n"]
    assert [o.label for o in dialogue.questions["on"].options] == ["yes", "no", "On", "Off"]
    off = dialogue.questions["off"]
    assert [(o.id, o.label, dict(o.scores)) for o in off.options] == [
        ("on", "true", {"no": 1}),
        ("off", "false", {"yes": 1}),
    ]
    assert list(dialogue.outcomes) == ["yes", "no"]
    assert dialogue.questions["on"].branches[0].when == Answered("on", frozenset({"yes", "n"}))
    assert dialogue.tips[0].when == AllOf((Answered("off", frozenset({"on"})), Not(CloseCall())))
    assert off.ask_if == AnyOf(
        (Answered("on", frozenset({"y"})), Answered("on", frozenset({"n"})))
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "the file is empty"),
        ("- just\n- a list\n", 1, "a dialogue file must be a mapping"),
        ("# comment\nid: x\n", 2, "the dialogue is missing required key 'questions'"),
        ("a: 1\n---\nb: 2\n", 2, "YAML syntax error: expected a single document"),
        (MINIMAL.replace("version: 1", "version: [1]"), 2, "'version' in the dialogue must be"),
        (MINIMAL.replace("{one: 1}}", "{one: 1.5}}"), 9, "the score for 'one' in option"),
        (MINIMAL.replace("{one: 1}}", "{one: '1'}}"), 9, "must be a whole number"),
        (MINIMAL.replace("{one: 1}}", "{one: " + "9" * 5000 + "}}"), 9, "must be a whole"),
        (MINIMAL + "max_reasons: 9\n", 14, "'max_reasons' must be a whole number from 1 to 5"),
        (MINIMAL + "tips:\n  - {id: t, text: T, if: {}}\n", 15, "the condition is empty"),
        (MINIMAL + "tips:\n  - {id: t, text: T, if: {all: []}}\n", 15, "'all' lists no"),
        (MINIMAL + "tips:\n  - {id: t, text: T, if: [a]}\n", 15, "a condition must be a map"),
        (MINIMAL + "tips:\n  - {id: t, text: T, if: {a: []}}\n", 15, "names nothing"),
        (MINIMAL + "tips:\n  - {id: t, text: T, if: {outcome: {a: b}}}\n", 15, "an id or"),
        (MINIMAL + "texts:\n  welcom: Hi\n", 15, "unknown key 'welcom' in 'texts'"),
        (MINIMAL + "texts:\n  help: ''\n", 15, "texts.help is empty"),
        (MINIMAL + "texts:\n  because: 'so {reasons'\n", 15, "unmatched { or }"),
        (MINIMAL + "? [a]\n: b\n", 14, "a key in the dialogue must be a word"),
        (MINIMAL.replace("First.", "Bell\x07"), 12, "special characters are not allowed"),
        (MINIMAL.replace("id: minimal", "id: Mini Mal"), 1, "write it as 'mini_mal'"),
        (MINIMAL.replace("start: a", "start: b"), 4, "start 'b' is not a question"),
    ],
)
def test_shape_and_type_problems_name_their_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    problems = problems_in(path)
    assert any(p.line == line and message in p.message for p in problems), problems


def test_a_file_over_one_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "#" * MAX_BYTES)
    assert problems_in(path) == [
        Problem(
            str(path),
            1,
            f"the file is more than {MAX_BYTES:,} bytes; a dialogue may be at most "
            f"{MAX_BYTES:,} bytes (1 MiB): split it or shorten its texts",
        )
    ]


def test_deep_nesting_is_refused_without_exhausting_the_stack(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "tips: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems_in(path) == [
        Problem(
            str(path),
            14,
            "nesting is deeper than 20 levels: flatten the conditions "
            "(one `all:` can list many conditions)",
        )
    ]


def test_a_billion_laughs_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    path = write(tmp_path, "\n".join(laughs) + "\n" + MINIMAL)
    problems = problems_in(path)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "aliases (*a0) are not supported in dialogue files")
    ]


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("Which?", "Quelle qualité?").encode("latin-1"))
    assert problems_in(path) == [
        Problem(str(path), 7, "the file is not UTF-8 text: save it as UTF-8")
    ]


def test_block_texts_keep_their_lines_and_lose_outer_blank_space(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "one: {title: One, text: First.}",
        "one:\n    title: One\n    text: |\n      First line.\n      Second line.\n",
    )
    dialogue = load_dialogue(write(tmp_path, text))
    assert dialogue.outcomes["one"].text == "First line.\nSecond line."


def test_empty_optional_keys_count_as_left_out(tmp_path: Path) -> None:
    text = MINIMAL.replace("text: Which?", "text: Which?\n    next:\n    branches:") + "tips:\n"
    question = load_dialogue(write(tmp_path, text)).questions["a"]
    assert (question.next, question.branches) == ("end", ())


def test_load_dialogues_reads_folders_sorted_and_files_as_given(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL.replace("id: minimal", "id: second"), "b.yml")
    write(tmp_path, MINIMAL.replace("id: minimal", "id: first"), "a.yaml")
    write(tmp_path, "not: a dialogue\n", "notes.txt")
    dialogues = load_dialogues([tmp_path, SMALL])
    assert [d.id for d in dialogues] == ["first", "second", "small_advisor"]
    assert dialogues[0].source == str(tmp_path / "a.yaml")


def test_load_dialogues_collects_problems_from_every_file(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "a.yaml")
    write(tmp_path, MINIMAL.replace("title: Minimal", "title: Again"), "b.yaml")
    write(tmp_path, MINIMAL.replace("columns", "x").replace("version: 1", "version:"), "c.yaml")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DialogueError) as raised:
        load_dialogues([tmp_path, missing])
    assert [(Path(p.file).name, p.line, p.message) for p in raised.value.problems] == [
        (
            "b.yaml",
            1,
            f"dialogue id 'minimal' is already used by {tmp_path / 'a.yaml'}: "
            "give each dialogue its own id",
        ),
        ("c.yaml", 2, "'version' in the dialogue is empty: write the text after the colon"),
        ("missing.yaml", 0, "no such file or folder"),
    ]


def test_load_dialogues_refuses_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DialogueError, match=re.escape("the folder has no .yaml or .yml files")):
        load_dialogues([tmp_path])


# The format's tables and the reader agree --------------------------------------------------

FULL: Any = {
    "id": "full",
    "version": "1",
    "title": "Full",
    "start": "a",
    "close_margin": 1,
    "max_reasons": 2,
    "texts": {"welcome": "Hi"},
    "language": "en",
    "vocabulary": {"yes": ["aye"], "no": ["nay"], "unsure": ["dunno mate"], "fillers": ["mate"]},
    "questions": {
        "a": {
            "text": "A?",
            "columns": 2,
            "unit": "hours",
            "next": "end",
            "branches": [{"if": {"a": "x"}, "next": "end"}],
            "options": [
                {"id": "x", "label": "X", "synonyms": ["ex"], "scores": {"one": 1},
                 "reason": "x", "next": "end", "means": "yes", "range": [0, 1.5],
                 "short": "ex"},
                {"id": "y", "label": "Y", "scores": {"two": 1}, "range": [1.5, None]},
            ],
        },
    },
    "outcomes": {
        "one": {"title": "One", "text": "1.", "extras": [{"if": {"a": "x"}, "text": "E."}]},
        "two": {"title": "Two", "text": "2."},
    },
    "tips": [{"id": "t", "if": {"all": [{"a": "x"}], "not": {"a": "y"}}, "text": "T."}],
    "conflicts": [{"id": "c", "if": {"outcome": "one"}, "text": "C."}],
}  # fmt: skip
PLACES: dict[str, list[str | int]] = {
    "dialogue": [],
    "question": ["questions", "a"],
    "option": ["questions", "a", "options", 0],
    "branch": ["questions", "a", "branches", 0],
    "outcome": ["outcomes", "one"],
    "extra": ["outcomes", "one", "extras", 0],
    "tip": ["tips", 0],
    "conflict": ["conflicts", 0],
    "texts": ["texts"],
    "vocabulary": ["vocabulary"],
    "condition": ["tips", 0, "if"],
}
WRONG: dict[Kind, tuple[object, str]] = {
    Kind.TEXT: (["x"], "must be text, got a list"),
    Kind.ID: (["x"], "must be text, got a list"),
    Kind.TEXTS: ("x", "must be a list"),
    Kind.LIST: ("x", "must be a list"),
    Kind.WHOLE: ("x", "must be a whole number"),
    Kind.BOOLEAN: ("x", "must be true or false"),
    Kind.IDS: ({"x": "y"}, "must be an id or a list of ids"),
    Kind.SCORES: (["x"], "must be a mapping"),
    Kind.MAP: (["x"], "must be a mapping"),
    Kind.RECORD: (["x"], "must be a mapping"),
    Kind.CONDITION: (["x"], "a condition must be a mapping"),
    Kind.RANGE: ([2, 1], "must be [low, high] with low below high"),
}
FIELDS = [(part, key) for part, fields in PARTS.items() for key in fields]


@pytest.mark.parametrize(("part", "key"), FIELDS, ids=[f"{p}.{k}" for p, k in FIELDS])
def test_each_key_in_the_format_tables_is_read_as_the_kind_they_declare(
    tmp_path: Path, part: str, key: str
) -> None:
    text = yaml.safe_dump(FULL, sort_keys=False)
    assert load_dialogue(write(tmp_path, text)).id == "full"
    dialogue = copy.deepcopy(FULL)
    record = functools.reduce(lambda inner, step: inner[step], PLACES[part], dialogue)
    kind = PARTS[part][key].kind
    record[key], expected = WRONG[kind]
    problems = problems_in(write(tmp_path, yaml.safe_dump(dialogue, sort_keys=False)))
    name = "" if kind is Kind.CONDITION else repr(key)  # a condition's message names no key
    assert any(name in p.message and expected in p.message for p in problems), problems


def test_the_result_screens_keys_are_read_into_the_model(tmp_path: Path) -> None:
    text = """\
id: words
version: 1
title: Words
start: a
questions:
  a:
    text: Which one do you like?
    short: Liking
    options:
      - {id: x, label: X, scores: {one: 1}, whatif: you liked x}
      - {id: y, label: Y, scores: {two: 1}}
outcomes:
  one: {title: The first one, short: first, summary: It is first., text: First. More.}
  two: {title: Two, text: Second.}
conflicts:
  - id: mind
    if: {all: [{a: x}, {outcome: one}]}
    text: "Mind it, or take {runner_up}."
"""
    dialogue = load_dialogue(write(tmp_path, text))
    question = dialogue.questions["a"]
    assert (question.short, question.name) == ("Liking", "Liking")
    assert [o.whatif for o in question.options] == ["you liked x", None]
    one, two = dialogue.outcomes.values()
    assert (one.short, one.name, one.summary) == ("first", "first", "It is first.")
    assert (two.short, two.name, two.summary) == (None, "Two", None)
    [conflict] = dialogue.conflicts
    assert (conflict.id, conflict.text) == ("mind", "Mind it, or take {runner_up}.")
    assert conflict.when == AllOf((Answered("a", frozenset({"x"})),
                                   Recommended(frozenset({"one"}))))
