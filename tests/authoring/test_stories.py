"""Test stories: the shipped ones pass, and a story says readably what it expected and got."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.authoring.stories import run_story
from bot.authoring.story_reader import StoriesError, read_stories
from bot.cli import main
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogues" / "headphones_vs_iems.yaml"
SMALL = ROOT / "tests" / "data" / "valid" / "small.yaml"


@pytest.fixture(scope="module")
def small() -> Dialogue:
    return load_dialogue(SMALL)


def write_stories(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "small.stories.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def story(small: Dialogue, tmp_path: Path, body: str) -> list[str]:
    """Run one story written as YAML under `stories:` and return its failures as text."""
    path = write_stories(tmp_path, "stories:\n  - name: someone\n" + body)
    run = run_story(small, read_stories(path, small)[0])
    return [f"{failure.line}: {failure.message}" for failure in run.failures]


def test_the_shipped_stories_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    # Every outcome has a story that ends with it; otherwise a line below would say which not.
    assert out.endswith("headphones_vs_iems.stories.yaml: 18 stories, all passed\n")


def test_a_changed_score_fails_the_stories_that_depend_on_it_readably(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("headphones_vs_iems.yaml", "headphones_vs_iems.stories.yaml"):
        shutil.copy(SHIPPED.parent / name, tmp_path / name)
    copy = tmp_path / "headphones_vs_iems.yaml"
    text = copy.read_text(encoding="utf-8")
    short = "        scores: {on_ear: 3, iem: 1, iem_wireless: 1}\n"  # hours: short
    copy.write_text(text.replace(short, short.replace("on_ear: 3", "on_ear: 0")), "utf-8")

    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    stories = tmp_path / "headphones_vs_iems.stories.yaml"
    failed = [line for line in out.splitlines() if line.endswith(" failed")]
    assert failed == [
        f"{stories}:215: story “student who dislikes earbuds and listens in short bursts on "
        "little money” failed",
        f"{stories}: 18 stories, 1 failed",
    ]
    assert (
        "  line 227: expected the outcome on_ear (On-ear headphones), got closed_back "
        "(Closed-back over-ear headphones) (a tie at 5 points goes to the outcome written first)"
    ) in out
    assert "  line 231: expected 'Bluetooth on-ears' in the result, and it is not there" in out
    assert "  answers: use: unsure; hours: short; comfort: ears; " in out
    assert "  scores: closed_back 5, on_ear 5, iem_wireless 3, " in out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("    answers: {where: commute}\n    outcome: iem\n",
         "3: the dialogue asks 'wireless' (“Do you want wireless?”), and the story has no "
         "answer for it: add one (options: on, off)"),
        ("    answers: {where: home, wireless: on}\n    outcome: open_back\n",
         "3: the dialogue never asks 'wireless' on this story's route: remove its answer, or "
         "change the answers that lead past it"),
        ("    answers:\n      where: underwater basket weaving\n    outcome: iem\n",
         "4: the answer 'underwater basket weaving' to 'where' is not one of its option ids "
         "(home, commute, stage, studio, not_sure), so it was typed, and it is not understood: "
         "“Sorry, I did not catch that. Please pick one of these:”"),
        ("    answers:\n      where: comuting\n    outcome: iem\n",
         "4: the answer 'comuting' to 'where' is not one of its option ids (home, commute, "
         "stage, studio, not_sure), so it was typed, and it is asked back: “Did you mean "
         "“Commuting”?”"),
        ("    answers:\n      where: commuting, wireless\n      wireless: on\n"
         "    outcome: closed_back\n",
         "5: 'wireless' was already answered by what was typed for 'where', so it is never "
         "asked: remove its answer"),
        ("    answers: {where: home}\n    outcome: iem\n",
         "4: expected the outcome iem (In-ear monitors), got open_back (Open-back headphones)"),
        ("    answers: {where: home}\n    outcome: open_back\n    runner_up: iem\n",
         "5: expected the runner-up iem (In-ear monitors), got closed_back (Closed-back "
         "headphones)"),
        ("    answers: {where: home}\n    outcome: open_back\n    reasons: []\n",
         "5: expected no reasons, got: you listen mostly at home"),
        ("    answers: {where: home}\n    outcome: open_back\n    reasons: [monitor]\n",
         "5: a reason names 'monitor', which the story never answered"),
        ("    answers: {where: commute, wireless: 'off'}\n    outcome: iem\n"
         "    reasons: [wireless]\n",
         "5: expected the answer to 'wireless' (“Wired”) among the reasons, got: you "
         "answered “Commuting” to “Where will you listen most?”"),
        ("    answers: {where: home}\n    outcome: open_back\n    tips: [fit]\n",
         "5: expected the tip 'fit', and it is not shown"),
        ("    answers: {where: home}\n    outcome: open_back\n    no_tips: always\n",
         "5: the tip 'always' is shown, and it must not be"),
        ("    answers: {where: home}\n    outcome: open_back\n    text: [battery]\n",
         "5: expected 'battery' in the result, and it is not there"),
        ("    answers: {where: home}\n    outcome: open_back\n    no_text: [airy]\n",
         "5: 'airy' is in the result, and it must not be"),
    ],
)
def test_a_story_says_what_it_expected_and_what_came_instead(
    small: Dialogue, tmp_path: Path, body: str, expected: str
) -> None:
    assert story(small, tmp_path, body) == [expected]


def test_the_command_names_outcomes_no_story_ends_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    write_stories(tmp_path, "stories:\n  - {name: a, answers: {where: home}, outcome: open_back}")
    assert main(["test", str(tmp_path / "small.yaml")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'small.stories.yaml'}: 1 story, all passed",
        "  no story ends with closed_back, iem: add one for each",
    ]


def test_a_dialogue_without_stories_fails_saying_what_to_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    assert main(["test", str(tmp_path / "small.yaml"), str(tmp_path / "gone.stories.yaml")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'small.yaml'}: there are no stories beside it: write small.stories.yaml "
        "(`new` writes an example)",
        f"{tmp_path / 'gone.stories.yaml'}: no such file",
    ]


def test_answers_are_pressed_or_typed_and_reasons_named_by_question(
    small: Dialogue, tmp_path: Path
) -> None:
    body = (
        "    answers: {where: commuting, wireless: 'off'}\n    outcome: iem\n"
        "    runner_up: closed_back\n    reasons: [where]\n    tips: [fit, always, try_both]\n"
        "    text: [Small, sealed]\n    no_text: [battery]\n"
    )
    assert story(small, tmp_path, body) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stories:\n  - name: a\n    answers: {where: home}\n    outcome: open_back\n"
         "    runner_upp: iem\n",
         "5: unknown key 'runner_upp' in a story; allowed: name, answers, outcome, runner_up, "
         "reasons, tips, no_tips, text, no_text (did you mean 'runner_up'?)"),
        ("stories:\n  - name: a\n    answers: {wher: home}\n    outcome: open_back\n",
         "3: the dialogue has no question 'wher': did you mean 'where'?"),
        ("stories:\n  - name: a\n    answers: {where: home}\n    outcome: iems\n",
         "4: the dialogue has no outcome 'iems': did you mean 'iem'?"),
        ("stories:\n  - name: a\n    answers: {where: home}\n    outcome: iem\n"
         "    no_tips: [fits]\n",
         "5: the dialogue has no tip 'fits': did you mean 'fit'?"),
        ("stories:\n  - name: a\n    answers: {where: home}\n",
         "2: a story is missing required key 'outcome'"),
        ("stories:\n  - name: a\n    answers: [home]\n    outcome: iem\n",
         "3: 'answers' of story 'a' must be a mapping of `key: value` lines, got a list"),
        ("stories:\n  - {name: a, answers: {where: home}, outcome: iem}\n"
         "  - {name: a, answers: {where: home}, outcome: iem}\n",
         "3: story name 'a' is already used at line 2: give each story its own name"),
        ("- name: a\n", "1: a stories file must be a mapping with 'stories', got a list"),
    ],
)
def test_a_broken_stories_file_is_reported_at_its_lines(
    small: Dialogue, tmp_path: Path, text: str, expected: str
) -> None:
    path = write_stories(tmp_path, text)
    with pytest.raises(StoriesError) as raised:
        read_stories(path, small)
    assert [str(problem) for problem in raised.value.problems] == [f"{path}:{expected}"]
    assert str(raised.value).startswith("1 problem in the stories:\n")
