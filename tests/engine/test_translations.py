"""Translations: found beside their dialogue, compared with it, checked, run as views."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine import engine
from bot.engine.loader import inspect, load_dialogue
from bot.engine.model import Dialogue, Texts, primary_language

DATA = Path(__file__).parent.parent / "data"
TINY = DATA / "translated" / "tiny.yaml"
BROKEN = sorted((DATA / "invalid" / "translations").glob("*.ru.yaml"))
EXPECT = re.compile(r"# expect: (\d+): (.+)")


@pytest.fixture(scope="module")
def tiny() -> Dialogue:
    return load_dialogue(TINY)


def expectations(path: Path) -> list[tuple[int, str]]:
    found = [m.groups() for line in path.read_text("utf-8").splitlines()
             if (m := EXPECT.fullmatch(line))]
    return [(int(number), text) for number, text in found]


def test_translations_beside_a_dialogue_are_its_languages(tiny: Dialogue) -> None:
    assert tiny.languages == ("en", "es", "ru")
    assert tiny.speaking("ru").texts.welcome == "Привет!"
    assert tiny.speaking("es-MX").texts.welcome == "¡Hola!"
    assert tiny.speaking("fr") is tiny
    assert tiny.speaking(None, "ru") is tiny.speaking("ru")  # the first one it speaks


@pytest.mark.parametrize(("tag", "language"), [
    ("pt-br", "pt"), ("es-MX", "es"), ("ru_RU.UTF-8", "ru"), ("EN", "en"), ("C", "c")])
def test_the_region_is_stripped_from_a_language_tag(tag: str, language: str) -> None:
    assert primary_language(tag) == language


def test_a_view_keeps_ids_structure_and_button_data(tiny: Dialogue) -> None:
    for language in ("ru", "es"):
        view = tiny.speaking(language)
        assert list(view.questions) == list(tiny.questions)
        for question in tiny.questions.values():
            ours = view.questions[question.id]
            data = [[b.data for b in row] for row in ours.buttons]
            assert data == [[b.data for b in row] for row in question.buttons]
            assert [o.scores for o in ours.options] == [o.scores for o in question.options]
        assert view.language == language
        assert view.source.endswith(f"tiny.{language}.yaml")


def test_a_text_the_dialogue_leaves_out_is_the_languages_built_in_one(tiny: Dialogue) -> None:
    assert tiny.speaking("ru").texts.help == Texts.defaults("ru").help
    assert tiny.speaking("es").texts.progress == "Pregunta {number} de {total}"


def test_a_session_records_the_language_of_each_step(tiny: Dialogue) -> None:
    step = engine.start(tiny.speaking("ru"), 0.0)
    assert step.session.language == "ru"
    step = engine.type_answer(tiny.speaking("es"), step.session, "en el tren", 1.0)
    assert (step.kind, step.session.language) == ("result", "es")
    assert step.reply.text.startswith("Te recomiendo: Monitores in-ear (IEM)")


def test_typed_answers_use_the_translations_words_and_forms(tiny: Dialogue) -> None:
    start = engine.start(tiny.speaking("ru"), 0.0).session
    step = engine.type_answer(tiny.speaking("ru"), start, "в основном в поездах", 1.0)
    assert step.session.chosen() == {"where": "commute"}


@pytest.mark.parametrize("path", BROKEN, ids=[p.name.split(".")[0] for p in BROKEN])
def test_a_broken_translation_names_its_file_and_line(path: Path) -> None:
    found = inspect([path])  # a translation's path stands for its dialogue
    assert found.dialogues == []
    shown = "\n".join(map(str, found.problems))
    for line, text in expectations(path):
        assert any(p.file == str(path) and p.line == line and text in p.message
                   for p in found.problems), f"no problem at {line} with {text!r}:\n{shown}"
    assert len(found.problems) == len(expectations(path)), shown


def test_there_is_a_broken_translation_for_every_rule() -> None:
    assert {p.name.split(".")[0] for p in BROKEN} >= {
        "missing_id", "extra_id", "wrong_placeholder", "too_long"}


def test_validate_prints_how_complete_each_translation_is() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "validate", str(TINY)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"  es: 16 of 16 texts (100%) ({TINY.with_name('tiny.es.yaml')})",
        f"  ru: 16 of 16 texts (100%) ({TINY.with_name('tiny.ru.yaml')})",
    ]


def test_validate_names_the_broken_translations_file_and_line() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "validate", *map(str, BROKEN)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1
    for path in BROKEN:
        for line, text in expectations(path):
            assert f"{path}:{line}: {text}" in result.stderr
    assert "ru: 13 of 16 texts (81%)" in result.stdout  # missing_id: an option's 3 texts


def test_a_translation_in_a_language_without_words_or_texts_is_refused(tmp_path: Path) -> None:
    main = tmp_path / "tiny.yaml"
    main.write_text(TINY.read_text("utf-8"), "utf-8")
    (tmp_path / "tiny.fr.yaml").write_text("title: Casque ou IEM ?\n", "utf-8")
    found = inspect([main])
    assert [(p.line, p.message.split(":")[0]) for p in found.problems] == [
        (1, "there is no vocabulary or built-in texts for language 'fr' (bot/engine/vocabularies, "
            "bot/engine/texts)")]


def test_a_translation_without_its_dialogue_is_reported(tmp_path: Path) -> None:
    orphan = tmp_path / "gone.ru.yaml"
    orphan.write_text("title: Нет\n", "utf-8")
    found = inspect([orphan])
    assert "needs its dialogue beside it" in found.problems[0].message
