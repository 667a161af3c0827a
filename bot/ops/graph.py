"""The dialogue as a diagram: a neutral graph model first, then small Mermaid and DOT renderers.

A recommendation is decided by scores, not by an edge, so every `end` leads to one
"Recommendation" node whose label lists the outcomes' titles; no edge points at one outcome.

Edges: an answer edge per target a question's options lead to, labelled with those options
(and with the branch condition that sends them there); a dashed skip edge where `ask_if` can
pass a question over, labelled with when that happens. A branch whose condition depends on other
questions' answers gets its own edge ("if ...") next to the "otherwise" one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.engine.model import (
    END,
    AllOf,
    Answered,
    AnyOf,
    CloseCall,
    Condition,
    Dialogue,
    Not,
    Question,
    Recommended,
)
from bot.errors import AdvisorError

DIAGRAM_DOC = "docs/dialogue-format.md"
"""The page that shows the shipped dialogue's diagram, relative to the project's root."""
DIAGRAM_START = "<!-- dialogue-diagram:start -->"
DIAGRAM_END = "<!-- dialogue-diagram:end -->"
DIAGRAM_COMMAND = "python -m bot graph --update-docs"

QUESTION_WIDTH = 56
"""The most characters of a question's text shown in its box."""

LABEL_WIDTH = 40
"""The most characters of an option's label shown on an edge."""

TITLE_WIDTH = 64
"""The most characters of an outcome's title shown (they tell similar outcomes apart)."""

CONDITION_WIDTH = 48
"""The most characters of a condition shown on an edge."""

NodeKind = Literal["start", "question", "result"]
EdgeKind = Literal["start", "answer", "skip"]


class GraphvizMissingError(AdvisorError):
    """Graphviz's `dot` program is needed for PNG output and is not installed."""


@dataclass(frozen=True)
class Node:
    """A box in the diagram; `lines` are already shortened, renderers only escape them."""

    id: str
    kind: NodeKind
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """An arrow; `lines` is its label, one entry a line."""

    source: str
    target: str
    kind: EdgeKind
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    """A dialogue's questions and where each answer (or skip) leads."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


# The model -----------------------------------------------------------------------------------


def build_graph(dialogue: Dialogue) -> Graph:
    """Return the dialogue's diagram as nodes and edges, in the file's order of questions."""
    titles = tuple(f"• {shorten(o.title, TITLE_WIDTH)}" for o in dialogue.outcomes.values())
    nodes = [
        Node("start", "start", ("Start",)),
        *(
            Node(_node_id(q.id), "question", _question_lines(q))
            for q in dialogue.questions.values()
        ),
        Node("result", "result", ("Recommendation: the highest score of", *titles)),
    ]
    edges = [Edge("start", _node_id(dialogue.start), "start")]
    for question in dialogue.questions.values():
        edges += _answer_edges(dialogue, question)
        edges += _skip_edges(dialogue, question)
    version = f" v{dialogue.version}" if dialogue.version else ""
    return Graph(f"{dialogue.title} ({dialogue.id}{version})", tuple(nodes), tuple(edges))


def _question_lines(question: Question) -> tuple[str, ...]:
    """Return a question's box: its text, and how many it takes when it takes several."""
    text = shorten(question.text, QUESTION_WIDTH)
    if not question.multiple:
        return (text,)
    most = question.max_chosen or sum(not option.exclusive for option in question.options)
    return text, f"(pick {question.min_chosen} to {most})"


def _answer_edges(dialogue: Dialogue, question: Question) -> list[Edge]:
    """Return one edge per (target, reason) the options lead to, labelled with the options."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for option in question.options:
        label = shorten(option.label, LABEL_WIDTH)
        if option.next is not None:
            groups.setdefault((option.next, None), []).append(label)
            continue
        for target, reason in _routes(dialogue, question, option.id, together=question.multiple
                                      and not option.exclusive):
            groups.setdefault((target, reason), []).append(label)
    source = _node_id(question.id)
    return [
        Edge(source, _node_id(target), "answer", (*([reason] if reason else []), *labels))
        for (target, reason), labels in groups.items()
    ]


def _skip_edges(dialogue: Dialogue, question: Question) -> list[Edge]:
    """Return where the dialogue goes when `ask_if` passes the question over."""
    if question.ask_if is None:
        return []
    match question.ask_if:
        case Not(inner):
            when = condition_text(dialogue, inner)
        case other:
            when = f"not {_grouped(dialogue, other)}"
    skipped = f"skipped if {shorten(when, CONDITION_WIDTH)}"
    source = _node_id(question.id)
    return [
        Edge(source, _node_id(target), "skip", (skipped, *([reason] if reason else [])))
        for target, reason in _routes(dialogue, question, None)
    ]


def _routes(
    dialogue: Dialogue, question: Question, own: str | None, *, together: bool = False
) -> list[tuple[str, str | None]]:
    """Return (target, why) for each place the question's branches may send answer `own`.

    `own` is None for a skipped question. A branch decided by this answer alone is followed or
    not; one that depends on other answers may go either way, so both ways are returned.
    `together`: `own` is an option of a multiple question that others may join, so a test
    for another of its options may hold too.
    """
    found: list[tuple[str, str | None]] = []
    for branch in question.branches:
        decided = _decide(branch.when, question.id, own, together)
        if decided is False:
            continue
        when = shorten(condition_text(dialogue, branch.when), CONDITION_WIDTH)
        found.append((branch.next, f"if {when}"))
        if decided:
            return found
    found.append((question.next, "otherwise" if found else None))
    return found


def _decide(
    condition: Condition, question_id: str, own: str | None, together: bool = False
) -> bool | None:
    """Return the condition's value knowing only this question's answer, or None if unknown
    (see `_routes` for `together`)."""
    match condition:
        case Answered(asked, options):
            if asked != question_id:
                return None
            return True if own in options else (None if together else False)
        case AllOf(conditions):
            values = [_decide(c, question_id, own, together) for c in conditions]
            return False if False in values else (True if all(values) else None)
        case AnyOf(conditions):
            values = [_decide(c, question_id, own, together) for c in conditions]
            return True if True in values else (False if all(v is False for v in values) else None)
        case Not(inner):
            value = _decide(inner, question_id, own, together)
            return None if value is None else not value
    return None


def _node_id(target: str) -> str:
    # A prefix keeps ids clear of words the diagram languages reserve ("end", "graph", "node").
    return "result" if target == END else f"q_{target}"


def condition_text(dialogue: Dialogue, condition: Condition) -> str:
    """Return a condition as a short phrase: `use: studio, dj and not hours: long`."""
    match condition:
        case Answered(question, options):
            return f"{question}: {', '.join(_in_file_order(dialogue, question, options))}"
        case AllOf(conditions):
            return " and ".join(_grouped(dialogue, c) for c in conditions)
        case AnyOf(conditions):
            return " or ".join(_grouped(dialogue, c) for c in conditions)
        case Not(inner):
            return f"not {_grouped(dialogue, inner)}"
        case CloseCall():
            return "close call"
        case Recommended(outcomes):
            return f"outcome: {', '.join(sorted(outcomes))}"
    raise TypeError(f"not a condition: {condition!r}")


def _grouped(dialogue: Dialogue, condition: Condition) -> str:
    text = condition_text(dialogue, condition)
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


def _in_file_order(dialogue: Dialogue, question_id: str, options: frozenset[str]) -> list[str]:
    """Return option ids in the order the file lists them (a frozenset has no stable order)."""
    question = dialogue.questions.get(question_id)
    order = {o.id: i for i, o in enumerate(question.options)} if question else {}
    return sorted(options, key=lambda option: (order.get(option, len(order)), option))


def shorten(text: str, width: int) -> str:
    """Return `text` on one line, cut at a word to at most `width` characters, with "…"."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    cut = line[: width - 1]
    word_end = cut.rfind(" ")
    if line[width - 1] != " " and word_end >= width // 2:
        cut = cut[:word_end]
    return cut.rstrip(" ,.;:") + "…"


# Mermaid -------------------------------------------------------------------------------------

_MERMAID_SHAPES: dict[NodeKind, tuple[str, str]] = {
    "start": ('(["', '"])'),
    "question": ('["', '"]'),
    "result": ('("', '")'),
}
# Mermaid decodes `#name;` and `#123;` entities in quoted labels; `#` goes first so the
# entities added after it are not escaped again. `|` ends an edge label, `<` `>` would be
# read as HTML, a backtick would start a Markdown string.
_MERMAID_ESCAPES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("&", "#amp;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("|", "#124;"),
    ("`", "#96;"),
)


def mermaid_label(lines: tuple[str, ...]) -> str:
    """Return `lines` as the inside of a quoted Mermaid label, one line each."""
    return "<br>".join(_mermaid_escape(line) for line in lines)


def _mermaid_escape(text: str) -> str:
    for char, entity in _MERMAID_ESCAPES:
        text = text.replace(char, entity)
    return text


def to_mermaid(graph: Graph) -> str:
    """Return the graph as a Mermaid flowchart, top to bottom."""
    out = [f"%% {' '.join(graph.title.split())}", "flowchart TD"]
    for node in graph.nodes:
        opening, closing = _MERMAID_SHAPES[node.kind]
        out.append(f"    {node.id}{opening}{mermaid_label(node.lines)}{closing}")
    for edge in graph.edges:
        arrow = "-.->" if edge.kind == "skip" else "-->"
        label = f'|"{mermaid_label(edge.lines)}"|' if edge.lines else ""
        out.append(f"    {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(out) + "\n"


def diagram_block(dialogue: Dialogue) -> str:
    """Return the fenced Mermaid block the docs show between their diagram markers."""
    note = f"%% Generated by `{DIAGRAM_COMMAND}`; edit the dialogue file, not this block."
    return f"```mermaid\n{note}\n{to_mermaid(build_graph(dialogue))}```"


def update_diagram(text: str, dialogue: Dialogue) -> str:
    """Return the page `text` with the block between the diagram markers regenerated."""
    start, end = text.find(DIAGRAM_START), text.find(DIAGRAM_END)
    if start < 0 or end < start:
        raise AdvisorError(
            f"{DIAGRAM_DOC} has no diagram block: add a line {DIAGRAM_START} and, below it, a "
            f"line {DIAGRAM_END}, then run `{DIAGRAM_COMMAND}` again"
        )
    head = text[: start + len(DIAGRAM_START)]
    return f"{head}\n{diagram_block(dialogue)}\n{text[end:]}"


def shown_diagram(text: str) -> str | None:
    """Return what stands between the page's diagram markers, or None without them."""
    found = re.search(
        f"{re.escape(DIAGRAM_START)}\n?(.*?)\n?{re.escape(DIAGRAM_END)}", text, re.DOTALL
    )
    return found.group(1) if found else None


# Graphviz ------------------------------------------------------------------------------------

_DOT_SHAPES: dict[NodeKind, str] = {
    "start": "shape=oval",
    "question": 'shape=box, style="rounded"',
    "result": 'shape=box, style="rounded,bold"',
}


def _dot_string(lines: tuple[str, ...]) -> str:
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def to_dot(graph: Graph) -> str:
    """Return the graph in Graphviz's DOT language."""
    out = [
        "digraph dialogue {",
        f"    graph [label={_dot_string((graph.title,))}, labelloc=t, fontname=Helvetica];",
        "    node [fontname=Helvetica];",
        "    edge [fontname=Helvetica, fontsize=10];",
    ]
    out += [
        f"    {node.id} [label={_dot_string(node.lines)}, {_DOT_SHAPES[node.kind]}];"
        for node in graph.nodes
    ]
    for edge in graph.edges:
        attributes = [f"label={_dot_string(edge.lines)}"] if edge.lines else []
        attributes += ["style=dashed"] if edge.kind == "skip" else []
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        out.append(f"    {edge.source} -> {edge.target}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"


def write_png(dot_source: str, output: Path, *, dot: str = "dot") -> None:
    """Render DOT source to a PNG file with Graphviz's `dot` program."""
    program = shutil.which(dot)
    if program is None:
        raise GraphvizMissingError(
            "PNG output needs Graphviz's `dot` program, which is not installed: install the "
            "Debian package graphviz (apt-get install graphviz), or use --format mermaid or dot"
        )
    done = subprocess.run(  # noqa: S603  (a program found on PATH, arguments from this code)
        [program, "-Tpng", "-o", str(output)],
        input=dot_source.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip()
        raise AdvisorError(f"Graphviz's dot could not draw {output}: {problem}")
