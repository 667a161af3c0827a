"""`new`: a starter that validates, whose stories pass, that names its schemas and overwrites
nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.authoring.json_schema import rendered
from bot.cli import main
from tests.authoring.test_json_schema import errors


def test_new_writes_a_dialogue_that_validates_and_stories_that_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["__main__.py"])  # as `python -m bot` sets it
    assert main(["new", "demo"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == (
        "wrote demo.yaml, demo.stories.yaml, dialogue.schema.json, translation.schema.json,"
        " stories.schema.json")
    assert said[1:] == [
        "next:",
        "  python -m bot validate demo.yaml",
        "  python -m bot test demo.yaml",
        "  DIALOGUE_PATH=demo.yaml python -m bot chat",
    ]
    assert main(["validate", "demo.yaml"]) == 0
    assert capsys.readouterr().out.startswith("demo v1: 3 questions, 3 outcomes, 2 tips, ")
    # `validate demo*` names the stories file too: it stands for its dialogue, checked once.
    assert main(["validate", "demo.stories.yaml", "demo.yaml"]) == 0
    assert capsys.readouterr().out.startswith("demo v1: 3 questions, 3 outcomes, 2 tips, ")
    (tmp_path / "lone.stories.yaml").write_text("stories: []\n", encoding="utf-8")
    assert main(["validate", "lone.stories.yaml"]) == 1
    assert "test stories need their dialogue beside them: there is no lone.yaml in ." in (
        capsys.readouterr().err)
    assert main(["test", "demo.yaml"]) == 0
    # Every outcome has a story; otherwise a second line would name the ones without.
    assert capsys.readouterr().out == "demo.stories.yaml: 3 stories, all passed\n"
    for name in ("dialogue", "stories"):
        assert (tmp_path / f"{name}.schema.json").read_text(encoding="utf-8") == rendered(name)
    for file, name in (("demo.yaml", "dialogue"), ("demo.stories.yaml", "stories")):
        text = (tmp_path / file).read_text(encoding="utf-8")
        assert text.startswith(f"# yaml-language-server: $schema={name}.schema.json\n")
        assert errors(name, text) == []


def test_new_overwrites_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "demo.stories.yaml").write_text("mine\n", encoding="utf-8")
    assert main(["new", "demo", "--dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'demo.stories.yaml'} already exists: choose another name or "
        "folder (nothing was written)\n"
    )
    assert [path.name for path in tmp_path.iterdir()] == ["demo.stories.yaml"]
    assert main(["new", "other", "--dir", str(tmp_path / "sub")]) == 0
    assert main(["new", "third", "--dir", str(tmp_path / "sub")]) == 0  # the same schemas stay
