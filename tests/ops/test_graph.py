"""`python -m bot graph`: the dialogue as Mermaid, DOT or PNG, and the diagram in the docs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT
from bot.engine.loader import load_dialogue
from bot.engine.model import Answered, Branch, Dialogue, Not, Option, Outcome, Question
from bot.errors import AdvisorError
from bot.ops import graph
from tests.ops.conftest import run_cli

SMALL = PROJECT_ROOT / "tests" / "data" / "valid" / "small.yaml"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"

# What a Mermaid flowchart line of ours may be: the header, a comment, a node, an edge.
NODE = re.compile(r'    (start|result|q_[a-z0-9_]+)(\(\["|\["|\(")(.*?)("\]\)|"\]|"\))')
EDGE = re.compile(r'    (start|q_[a-z0-9_]+) (-->|-\.->)(?:\|"(.*?)"\|)? (result|q_[a-z0-9_]+)')


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """Return node id -> label and (source, arrow, label, target); fail on any other line."""
    lines = text.splitlines()
    assert lines[0].startswith("%% ")
    assert lines[1] == "flowchart TD"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str, str]] = []
    for line in lines[2:]:
        if node := NODE.fullmatch(line):
            nodes[node.group(1)] = node.group(3)
        elif edge := EDGE.fullmatch(line):
            source, arrow, label, target = edge.groups()
            edges.append((source, arrow, label or "", target))
        else:
            pytest.fail(f"not a Mermaid node or edge line: {line!r}")
    for source, _, _, target in edges:
        assert {source, target} <= set(nodes), f"edge to an undeclared node: {source} {target}"
    return nodes, edges


def test_mermaid_shows_every_question_option_branch_and_skip_of_the_real_dialogue(
    dialogue: Dialogue,
) -> None:
    nodes, edges = parse_mermaid(graph.to_mermaid(graph.build_graph(dialogue)))

    assert nodes["q_use"] == "Where or how will you listen most?"
    assert nodes["q_work"] == "What does your work need most from what you wear?"
    assert nodes["q_leak"] == "Does it matter if people near you can hear your music?"
    assert set(nodes) == {"start", "result", *(f"q_{q}" for q in dialogue.questions)}
    for question in dialogue.questions.values():
        source = f"q_{question.id}"
        labels = [line for start, _, label, _ in edges if start == source
                  for line in label.split("<br>")]
        for option in question.options:
            assert graph.mermaid_label((option.label,)) in labels, option.label
    assert ("start", "-->", "", "q_use") in edges
    assert ("q_use", "-->", "if use: studio, dj, stage<br>Studio work<br>DJing<br>On stage",
            "q_work") in edges
    assert ("q_use", "-->", "At home<br>At the office<br>Commute #amp; travel<br>Workouts<br>"
            "Gaming<br>Not sure / a mix", "q_hours") in edges
    skips = {(source, label, target) for source, arrow, label, target in edges if arrow == "-.->"}
    assert skips == {
        ("q_leak", "skipped if use: gym, stage", "q_sound"),
        ("q_sound", "skipped if use: gym", "q_budget"),
        ("q_anc", "skipped if isolation: none or use: studio, dj, stage", "q_wireless"),
        ("q_wireless", "skipped if use: studio, stage", "q_mic"),
        ("q_mic", "skipped if use: studio, dj, stage", "result"),
    }
    assert ("q_mic", "-->", "Yes<br>No<br>Don't mind", "result") in edges
    # A result is decided by scores: one Recommendation node lists every outcome.
    result = nodes["result"].split("<br>")
    assert result[0] == "Recommendation: the highest score of"
    assert result[1:] == [f"• {o.title}" for o in dialogue.outcomes.values()]


def test_an_option_with_its_own_next_and_a_branch_get_separate_edges() -> None:
    nodes, edges = parse_mermaid(graph.to_mermaid(graph.build_graph(load_dialogue(SMALL))))
    assert [e for e in edges if e[0] == "q_where"] == [
        ("q_where", "-->", "At home<br>Commuting<br>Not sure", "q_wireless"),
        ("q_where", "-->", "if where: stage, studio<br>On stage", "q_monitor"),
        ("q_where", "-->", "In a studio", "q_monitor"),
    ]
    assert ("q_wireless", "-.->", "skipped if where: home", "result") in edges
    assert nodes["start"] == "Start"


def test_a_branch_on_an_earlier_answer_is_drawn_both_ways() -> None:
    first = Question("first", "First?", (Option("a", "A"), Option("b", "B")), next="second")
    second = Question(
        "second", "Second?", (Option("x", "X"), Option("y", "Y")), next="end",
        branches=(Branch(Answered("first", frozenset({"a"})), "third"),),
    )
    third = Question("third", "Third?", (Option("p", "P"), Option("q", "Q")))
    model = graph.build_graph(tiny({"first": first, "second": second, "third": third}))
    from_second = [(e.target, e.lines) for e in model.edges if e.source == "q_second"]
    assert from_second == [
        ("q_third", ("if first: a", "X", "Y")),
        ("result", ("otherwise", "X", "Y")),
    ]


def tiny(questions: dict[str, Question], title: str = "Tiny") -> Dialogue:
    outcome = Outcome("one", 'The "one" & <only>', "Text.")
    return Dialogue("tiny", "3", title, next(iter(questions)), questions, {"one": outcome})


def test_mermaid_escapes_quotes_pipes_hashes_html_and_keeps_emoji() -> None:
    question = Question(
        "pick", 'Say "hi" | #1 <b>now</b> & `this` 🎧',
        (Option("a", 'A "quoted" [x]'), Option("b", "B #2; & <i> 🎧")),
        ask_if=Not(Answered("pick", frozenset({"a"}))),
    )
    text = graph.to_mermaid(graph.build_graph(tiny({"pick": question}, 'T "x"')))
    nodes, edges = parse_mermaid(text)
    assert nodes["q_pick"] == (
        "Say #quot;hi#quot; #124; #35;1 #lt;b#gt;now#lt;/b#gt; #amp; #96;this#96; 🎧"
    )
    assert nodes["result"] == (
        "Recommendation: the highest score of<br>• The #quot;one#quot; #amp; #lt;only#gt;"
    )
    assert ("q_pick", "-->", "A #quot;quoted#quot; [x]<br>B #35;2; #amp; #lt;i#gt; 🎧",
            "result") in edges
    assert text.splitlines()[0] == '%% T "x" (tiny v3)'  # a comment needs no escaping


def test_long_texts_are_shortened_at_a_word() -> None:
    assert graph.shorten("What does your work need most from what you wear?", 30) == (
        "What does your work need most…"
    )
    assert graph.shorten("  two\n lines  ", 30) == "two lines"
    assert graph.shorten("Supercalifragilistic", 10) == "Supercali…"


def test_dot_output_of_the_small_dialogue() -> None:
    assert graph.to_dot(graph.build_graph(load_dialogue(SMALL))) == (
        "digraph dialogue {\n"
        '    graph [label="Headphones or IEMs? (small_advisor v2)", labelloc=t, '
        "fontname=Helvetica];\n"
        "    node [fontname=Helvetica];\n"
        "    edge [fontname=Helvetica, fontsize=10];\n"
        '    start [label="Start", shape=oval];\n'
        '    q_where [label="Where will you listen most?", shape=box, style="rounded"];\n'
        '    q_monitor [label="Do you need to hear a click track?", shape=box, '
        'style="rounded"];\n'
        '    q_wireless [label="Do you want wireless?", shape=box, style="rounded"];\n'
        '    result [label="Recommendation: the highest score of\\n• Open-back headphones\\n'
        '• Closed-back headphones\\n• In-ear monitors", shape=box, style="rounded,bold"];\n'
        "    start -> q_where;\n"
        '    q_where -> q_wireless [label="At home\\nCommuting\\nNot sure"];\n'
        '    q_where -> q_monitor [label="if where: stage, studio\\nOn stage"];\n'
        '    q_where -> q_monitor [label="In a studio"];\n'
        '    q_monitor -> result [label="Yes\\nNo"];\n'
        '    q_wireless -> result [label="Wireless\\nWired"];\n'
        '    q_wireless -> result [label="skipped if where: home", style=dashed];\n'
        "}\n"
    )


def test_dot_escapes_quotes_and_backslashes() -> None:
    question = Question("pick", 'A "b" \\n c', (Option("a", "A"), Option("b", "B")))
    dot = graph.to_dot(graph.build_graph(tiny({"pick": question})))
    assert '    q_pick [label="A \\"b\\" \\\\n c", shape=box, style="rounded"];' in dot


def test_the_cli_prints_mermaid_by_default_and_writes_dot_to_a_file(
    dialogue: Dialogue, tmp_path: Path
) -> None:
    done = run_cli("graph")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == graph.to_mermaid(graph.build_graph(dialogue))
    out = tmp_path / "small.dot"
    done = run_cli("graph", str(SMALL), "--format", "dot", "-o", str(out))
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "")
    assert out.read_text(encoding="utf-8") == graph.to_dot(graph.build_graph(load_dialogue(SMALL)))
    nowhere = tmp_path / "missing" / "d.mmd"
    done = run_cli("graph", "-o", str(nowhere))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: cannot write {nowhere}: No such file or directory\n"


def test_png_needs_graphviz_and_says_which_package(tmp_path: Path) -> None:
    out = tmp_path / "d.png"
    done = run_cli("graph", "--format", "png", "-o", str(out), env={"PATH": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr == (
        "error: PNG output needs Graphviz's `dot` program, which is not installed: install "
        "the Debian package graphviz (apt-get install graphviz), or use --format mermaid or "
        "dot\n"
    )
    assert not out.exists()


def test_png_is_drawn_by_dot_when_it_is_installed(tmp_path: Path) -> None:
    out = tmp_path / "d.png"
    done = run_cli("graph", "--format", "png", "-o", str(out))
    if shutil.which("dot") is None:
        assert done.returncode == 2
        assert "apt-get install graphviz" in done.stderr
        return
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"wrote {out}\n"
    assert out.read_bytes().startswith(PNG_HEADER)


def test_update_diagram_replaces_only_the_marked_block(dialogue: Dialogue) -> None:
    text = f"# Title\n\n{graph.DIAGRAM_START}\nold diagram\n{graph.DIAGRAM_END}\n\nMore.\n"
    updated = graph.update_diagram(text, dialogue)
    assert updated == (
        f"# Title\n\n{graph.DIAGRAM_START}\n{graph.diagram_block(dialogue)}\n"
        f"{graph.DIAGRAM_END}\n\nMore.\n"
    )
    assert graph.update_diagram(updated, dialogue) == updated
    assert graph.shown_diagram(updated) == graph.diagram_block(dialogue)
    with pytest.raises(AdvisorError, match=r"docs/dialogue-format\.md has no diagram block"):
        graph.update_diagram("# Title\n", dialogue)


def test_the_format_reference_shows_the_diagram_of_the_shipped_dialogue() -> None:
    page = PROJECT_ROOT / graph.DIAGRAM_DOC
    found = graph.shown_diagram(page.read_text(encoding="utf-8"))
    assert found is not None, (
        f"{graph.DIAGRAM_DOC} needs a line {graph.DIAGRAM_START} and below it a line"
        f" {graph.DIAGRAM_END}; add them, then run `{graph.DIAGRAM_COMMAND}`"
    )
    expected = graph.diagram_block(load_dialogue(DEFAULT_DIALOGUE))
    assert found == expected, (
        f"{graph.DIAGRAM_DOC}'s dialogue diagram is out of date: run `{graph.DIAGRAM_COMMAND}`"
    )


def test_update_docs_is_the_command_the_docs_name() -> None:
    done = run_cli("graph", "--help")
    assert done.returncode == 0
    assert "--update-docs" in done.stdout
    assert graph.DIAGRAM_COMMAND.endswith("graph --update-docs")
