"""Which files a list of dialogue paths names: files as given, folders' YAML files, a
translation standing for the dialogue it translates, each dialogue once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.engine.translation import SUFFIXES, translation_of
from bot.errors import Problem


def dialogue_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """Return the dialogue files `paths` name: files as given, folders' YAML files sorted; a
    translation stands for its dialogue (read with it), each dialogue once."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            # `x.stories.yaml` beside a dialogue holds its test stories (bot.authoring).
            inside = sorted(p for p in given.iterdir()
                            if p.suffix in SUFFIXES and not p.stem.endswith(".stories"))
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
    """Return the dialogue a translation translates, or the path itself for a dialogue."""
    named = translation_of(path)
    if named is None or named[0].exists():
        return named[0] if named else path
    problems.append(Problem(str(path), 0, f"a translation needs its dialogue beside it: there "
                                          f"is no {named[0].name} in {path.parent}"))
    return None
