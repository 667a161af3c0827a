"""The test stories file format, declared in the tables of `bot.engine.schema`.

A stories file sits beside its dialogue: `<stem>.stories.yaml` tests `<stem>.yaml`. Each story
is a person: the answers they give and what the advice must then say. The reader and the JSON
Schema both read these tables, so they cannot disagree about the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.engine.schema import Field, Kind, Part

SUFFIX = ".stories"
"""What a stories file's stem ends with: `headphones_vs_iems.stories.yaml`."""

YAML = frozenset({".yaml", ".yml"})

STORIES: Part = {"stories": Field(Kind.LIST, required=True, part="story")}
STORY: Part = {
    "name": Field(Kind.TEXT, required=True),
    # question id -> an option id of it (pressed) or anything else (typed, read by the matcher)
    "answers": Field(Kind.KEYED_TEXTS, required=True),
    "outcome": Field(Kind.ID, required=True),
    "runner_up": Field(Kind.ID),
    "reasons": Field(Kind.TEXTS),  # question ids whose answers the "because" line names
    "tips": Field(Kind.IDS),  # tips that must be shown
    "no_tips": Field(Kind.IDS),  # tips that must not be shown
    "text": Field(Kind.TEXTS),  # must appear in the result message
    "no_text": Field(Kind.TEXTS),  # must not appear in it
}

PARTS: Mapping[str, Part] = {"stories": STORIES, "story": STORY}


def stories_path(dialogue: Path) -> Path:
    """Return where the stories of the dialogue file `dialogue` are."""
    return dialogue.with_name(f"{dialogue.stem}{SUFFIX}{dialogue.suffix}")


def is_stories(path: Path) -> bool:
    """Return whether `path` names a stories file rather than a dialogue."""
    return path.stem.endswith(SUFFIX)


def dialogue_path(stories: Path) -> Path:
    """Return the dialogue file a stories file tests."""
    return stories.with_name(f"{stories.stem.removesuffix(SUFFIX)}{stories.suffix}")


def find_stories(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Return the stories files `paths` name, and why any path names none.

    A stories file is taken as given; a dialogue file stands for the stories beside it; a
    folder for every stories file in it.
    """
    found: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if is_stories(p) and p.suffix in YAML)
            found += inside
            if not inside:
                missing.append(f"{path}: the folder has no stories files (*{SUFFIX}.yaml)")
        elif is_stories(path) and path.exists():
            found.append(path)
        elif is_stories(path):
            missing.append(f"{path}: no such file")
        elif not path.exists():
            missing.append(f"{path}: no such file or folder")
        elif stories_path(path).exists():
            found.append(stories_path(path))
        else:
            missing.append(
                f"{path}: there are no stories beside it: write {stories_path(path).name} "
                "(`new` writes an example)"
            )
    return found, missing
