"""Which files a list of dialogue paths names: files as given, folders' YAML files, a
translation standing for the dialogue it translates, each dialogue once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.engine.translation import SUFFIXES, translation_of
from bot.errors import Problem

STORIES = ".stories"
"""What a test-stories file's stem ends with: `x.stories.yaml` tests `x.yaml` (bot.authoring)."""


def dialogue_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """Return the dialogue files `paths` name: files as given, folders' YAML files sorted; a
    translation or a stories file stands for its dialogue (a translation is read with it),
    each dialogue once."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            inside = sorted(p for p in given.iterdir()
                            if p.suffix in SUFFIXES and not p.stem.endswith(STORIES))
            if not inside:
                problems.append(Problem(str(given), 0, "the folder has no .yaml or .yml files"))
            found += inside
        elif given.exists():
            found.append(given)
        else:
            problems.append(Problem(str(given), 0, "no such file or folder"))
    if not found and not problems:
        problems.append(Problem("<arguments>", 0, "no dialogue files were given"))
    dialogues = (_dialogue_file(path, problems) for path in found)
    return list(dict.fromkeys(path for path in dialogues if path is not None))


def _dialogue_file(path: Path, problems: list[Problem]) -> Path | None:
    """Return the dialogue a translation translates or a stories file tests, or the path
    itself for a dialogue."""
    if path.stem.endswith(STORIES):
        tested = path.with_name(path.stem.removesuffix(STORIES) + path.suffix)
        if tested.exists():
            return tested
        problems.append(Problem(str(path), 0, f"test stories need their dialogue beside them: "
                                              f"there is no {tested.name} in {path.parent}"))
        return None
    named = translation_of(path)
    if named is None or named[0].exists():
        return named[0] if named else path
    problems.append(Problem(str(path), 0, f"a translation needs its dialogue beside it: there "
                                          f"is no {named[0].name} in {path.parent}"))
    return None
