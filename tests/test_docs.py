"""Every reference in README.md and docs/*.md leads somewhere real, and the docs keep up.

Checked, outside fenced code blocks (commands, samples and the layout map are not references):
- relative links `[text](path#anchor)`: the file exists, and the anchor is a heading of it
  (GitHub's slugs); links with a scheme (https:, mailto:) are not followed;
- `path` in backticks whose first folder is one of the repository's: the file or folder exists;
- `path/to/test_file.py::name`, and `::name` after such a path: the function is defined there;
- dotted names such as `bot.ops.stats.collect_stats`: the module exists and defines the name.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.model import Texts

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
FOLDERS = ("bot", "tests", "testing", "benchmarks", "deploy", "dialogues", "docs", ".ci")
PACKAGES = ("bot", "testing", "tests", "benchmarks")

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
CODE = re.compile(r"(`+)(.+?)\1")
PATH = re.compile(r"[\w.-]+(?:/[\w.-]*)+")
TEST = re.compile(r"((?:[\w.-]+/)*[\w.-]+\.py)?::(\w+)")
DOTTED = re.compile(rf"(?:{'|'.join(PACKAGES)})(?:\.\w+)+")
HOST = re.compile(r"\.(?:com|org|net|io)$")  # bot.example.com is a host, not a module


@dataclass(frozen=True)
class Problem:
    """A reference that leads nowhere."""

    where: str
    reference: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reference}: {self.why}"


def prose(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield number, line


def slug(heading: str) -> str:
    """Return GitHub's anchor for a heading's text."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Return the anchors of a Markdown file's headings, numbered on repeats as GitHub does."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose(path):
        if heading := re.match(r"#{1,6} (.+)", line):
            base = slug(heading.group(1))
            found.add(f"{base}-{seen[base]}" if base in seen else base)
            seen[base] = seen.get(base, 0) + 1
    return frozenset(found)


@cache
def defined(path: Path) -> frozenset[str]:
    """Return every function, class and top-level assigned or imported name in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.name for node in ast.walk(tree)
             if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name for alias in node.names}
    return frozenset(names)


def check_link(doc: Path, target: str) -> str | None:
    """Return why a Markdown link leads nowhere, or None."""
    if SCHEME.match(target):
        return None
    file_part, _, anchor = target.partition("#")
    file = (doc.parent / file_part).resolve() if file_part else doc
    if not file.exists():
        return "no such file"
    if anchor and file.suffix == ".md" and anchor not in anchors(file):
        return f"no heading with the anchor #{anchor} in {file.name}"
    return None


def check_test(file: str | None, name: str) -> str | None:
    """Return why `file::name` names no function, or None."""
    if file is None:
        return "`::name` with no `path.py` before it in this document"
    path = PROJECT_ROOT / file
    if not path.is_file():
        return f"no such file {file}"
    return None if name in defined(path) else f"{file} defines no {name}"


def check_dotted(name: str) -> str | None:
    """Return why a dotted Python name resolves to nothing, or None."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        base = PROJECT_ROOT.joinpath(*parts[:cut])
        module = base.with_suffix(".py") if base.with_suffix(".py").is_file() else (
            base / "__init__.py")
        if module.is_file():
            rest = parts[cut:]
            if rest and rest[0] not in defined(module):
                return f"{'.'.join(parts[:cut])} defines no {rest[0]}"
            return None
    return "no such module"


def _keep_local(link: re.Match[str]) -> str:
    """Drop a link to another site, whose text may name its files (PTB's tests/...)."""
    return "" if SCHEME.match(link.group(1)) else link.group(0)


def problems_in(doc: Path) -> Iterator[Problem]:
    """Yield every reference in `doc` that leads nowhere."""
    name = doc.relative_to(PROJECT_ROOT).as_posix()
    last_file: str | None = None
    for number, line in prose(doc):
        where = f"{name}:{number}"
        for target in LINK.findall(CODE.sub("", line)):
            if why := check_link(doc, target):
                yield Problem(where, target, why)
        for _, span in CODE.findall(LINK.sub(_keep_local, line)):
            text = span.strip()
            if test := TEST.fullmatch(text):
                last_file = test.group(1) or last_file
                if why := check_test(last_file, test.group(2)):
                    yield Problem(where, text, why)
            elif PATH.fullmatch(text) and text.split("/")[0] in FOLDERS:
                if text.endswith(".py"):
                    last_file = text
                if not (PROJECT_ROOT / text).exists():
                    yield Problem(where, text, "no such file or folder")
            elif DOTTED.fullmatch(dotted := text.split("(")[0]) and not HOST.search(dotted) and (
                    why := check_dotted(dotted)):
                yield Problem(where, text, why)


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(PROJECT_ROOT).as_posix())
def test_every_reference_in_the_docs_leads_somewhere(doc: Path) -> None:
    problems = [str(problem) for problem in problems_in(doc)]
    assert problems == []


def test_the_docs_the_readme_promises_exist() -> None:
    names = {"dialogue-format", "operations", "production", "reliability", "performance"}
    assert {doc.stem for doc in DOCS} >= names


def test_the_checker_finds_what_leads_nowhere() -> None:
    doc = PROJECT_ROOT / "docs" / "dialogue-format.md"
    assert check_link(doc, "../README.md") is None
    assert check_link(doc, "operations.md#nowhere") is not None
    assert check_link(doc, "gone.md") == "no such file"
    assert check_link(doc, "https://core.telegram.org/bots/api") is None
    assert check_test("tests/test_docs.py", "test_the_checker_finds_what_leads_nowhere") is None
    assert check_test("tests/test_docs.py", "test_that_does_not_exist") is not None
    assert check_test(None, "anything") is not None
    assert check_dotted("bot.engine.model.Texts") is None
    assert check_dotted("bot.engine.model.Nothing") is not None
    assert check_dotted("bot.nowhere") is not None
    assert slug("`python -m bot graph`: the dialogue as a diagram") == (
        "python--m-bot-graph-the-dialogue-as-a-diagram")


def test_no_file_a_newcomer_reads_points_outside_the_repository() -> None:
    readable = [*DOCS, PROJECT_ROOT / ".env.example",
                *sorted((PROJECT_ROOT / "dialogues").glob("*.yaml"))]
    outside = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in readable
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "/work/" in line or "shared/seed" in line
    ]
    assert outside == []


def test_the_docs_that_env_example_names_exist() -> None:
    named = re.findall(r"docs/[\w.-]+\.md", (PROJECT_ROOT / ".env.example").read_text("utf-8"))
    assert named, ".env.example should point at the production guide"
    assert [name for name in named if not (PROJECT_ROOT / name).is_file()] == []


def test_the_format_reference_documents_every_text_key() -> None:
    page = (PROJECT_ROOT / "docs" / "dialogue-format.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Texts) if f"| `{f.name}` |" not in page]
    assert missing == [], f"add these texts keys to the Texts table of the format: {missing}"
