"""Read a test stories file into `Story` records, with a problem and its line for every mistake.

YAML is read by `yaml_nodes`, keys are checked against `story_format`'s tables, and every id a
story names is checked against its dialogue before any story runs, so a typo is a problem at
its line rather than a puzzling failure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node

from bot.authoring import story_format
from bot.engine.model import Dialogue, Where
from bot.engine.schema import Part, required
from bot.engine.yaml_nodes import Entry, NodeReader, line_of, read_file, shown
from bot.errors import DialogueError, Problem


@dataclass(frozen=True)
class Story:
    """One person: the answers they give, and what the advice must then say."""

    name: str
    answers: Mapping[str, str]
    """Question id -> an option id (pressed) or any other text (typed)."""
    outcome: str
    where: Where
    runner_up: str | None = None
    reasons: tuple[str, ...] | None = None
    """Questions whose answers the "because" line must name; () means it names none."""
    tips: tuple[str, ...] = ()
    no_tips: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    no_text: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each key, and of each answer as `answers.<question id>`, for reports."""

    def line(self, key: str) -> int:
        """Return the line of `key` (`outcome`, `answers.use`, ...), else the story's."""
        return self.lines.get(key, self.where.line)


class StoriesError(DialogueError):
    """A stories file has problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the stories:"
        self.args = ("\n".join([heading, *(str(p) for p in self.problems)]),)


def read_stories(path: Path, dialogue: Dialogue) -> list[Story]:
    """Read and check the stories in `path` for `dialogue`; raise StoriesError listing problems."""
    root, fatal = read_file(path)
    if fatal is not None:
        raise StoriesError([fatal])
    reader = _Reader(str(path), dialogue)
    stories = reader.document(root)
    if reader.problems:
        raise StoriesError(reader.problems)
    return stories


class _Reader(NodeReader):
    """Builds stories from one file's nodes and collects every problem on the way."""

    def __init__(self, file: str, dialogue: Dialogue) -> None:
        super().__init__(file)
        self.dialogue = dialogue

    def record(self, node: Node, what: str, line: int, part: Part) -> dict[str, Entry]:
        return self.fields(node, what, line, list(part), required(part))

    def document(self, root: Node | None) -> list[Story]:
        if not isinstance(root, MappingNode):
            line = 1 if root is None else line_of(root)
            got = "nothing" if root is None else shown(root)
            self.report(line, f"a stories file must be a mapping with 'stories', got {got}")
            return []
        record = self.record(root, "the stories file", line_of(root), story_format.STORIES)
        stories = [self.story(node) for node in self.each(record, "stories", "the stories file")]
        found = [story for story in stories if story is not None]
        if "stories" in record and not found and not self.problems:
            self.report(record["stories"].line, "there are no stories: write at least one")
        self.unique_names(found)
        return found

    def unique_names(self, stories: list[Story]) -> None:
        first: dict[str, int] = {}
        for story in stories:
            if story.name in first:
                self.report(
                    story.where.line,
                    f"story name {story.name!r} is already used at line {first[story.name]}: "
                    "give each story its own name",
                )
            first.setdefault(story.name, story.where.line)

    def story(self, node: Node) -> Story | None:
        line = line_of(node)
        record = self.record(node, "a story", line, story_format.STORY)
        name = self.text(record, "name", "a story")
        what = f"story {name!r}" if name else "a story"
        given = self.answers(record, what)
        outcome = self.text(record, "outcome", what)
        if name is None or given is None or outcome is None:
            return None
        answers, answer_lines = given
        runner_up = self.text(record, "runner_up", what)
        for key, named in (("outcome", outcome), ("runner_up", runner_up)):
            if named is not None:
                self.known(record, key, [named], self.dialogue.outcomes, "outcome")
        return Story(
            name=name,
            answers=answers,
            outcome=outcome,
            where=Where(self.file, line),
            runner_up=runner_up,
            reasons=self.reasons(record),
            tips=self.tip_ids(record, "tips", what),
            no_tips=self.tip_ids(record, "no_tips", what),
            text=self.texts(record, "text", what),
            no_text=self.texts(record, "no_text", what),
            lines={key: entry.line for key, entry in record.items()} | answer_lines,
        )

    def answers(
        self, record: dict[str, Entry], what: str
    ) -> tuple[dict[str, str], dict[str, int]] | None:
        """Return the answers by question id, and the line of each."""
        entry = record.get("answers")
        if entry is None:
            return None
        answers: dict[str, str] = {}
        lines: dict[str, int] = {}
        for each in self.entries(entry.value, f"'answers' of {what}", entry.line):
            value = self.scalar(each.value, each.line, f"the answer to {each.key!r}")
            if each.key not in self.dialogue.questions:
                self.report(each.line, _unknown(each.key, "question", self.dialogue.questions))
            elif value is not None:
                answers[each.key] = value
                lines[f"answers.{each.key}"] = each.line
        return answers, lines

    def reasons(self, record: dict[str, Entry]) -> tuple[str, ...] | None:
        if "reasons" not in record:
            return None
        found = self.texts(record, "reasons", "a story")
        self.known(record, "reasons", found, self.dialogue.questions, "question")
        return found

    def tip_ids(self, record: dict[str, Entry], key: str, what: str) -> tuple[str, ...]:
        entry = record.get(key)
        if entry is None:
            return ()
        ids = sorted(self.ids(entry.value, entry.line, f"{key!r} of {what}") or ())
        self.known(record, key, ids, {tip.id for tip in self.dialogue.tips}, "tip")
        return tuple(ids)

    def texts(self, record: dict[str, Entry], key: str, what: str) -> tuple[str, ...]:
        nodes = self.each(record, key, what)
        found = (self.scalar(node, line_of(node), f"an item of {key!r}") for node in nodes)
        return tuple(text for text in found if text is not None)

    def known(
        self, record: dict[str, Entry], key: str, ids: Iterable[str], known: Iterable[str],
        kind: str,
    ) -> None:
        """Report each of `ids` (given under `key`) that the dialogue has no `kind` for."""
        names = list(known)
        for each in ids:
            if each not in names:
                self.report(record[key].line, _unknown(each, kind, names))


def _unknown(name: str, kind: str, known: Iterable[str]) -> str:
    names = list(known)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"{kind}s are: {', '.join(names)}"
    return f"the dialogue has no {kind} {name!r}: {hint}"
