"""`graph`: the dialogue as a Mermaid or Graphviz diagram, or a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands, output
from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT, load_settings
from bot.engine.loader import load_dialogue
from bot.ops import graph as diagrams


def add(commands: Commands) -> None:
    """Add the `graph` command."""
    draw = commands.add_parser(
        "graph", help="draw the dialogue as a Mermaid or Graphviz diagram, or a PNG")
    draw.add_argument("path", nargs="?", type=Path, help="dialogue file (default: DIALOGUE_PATH)")
    draw.add_argument("--format", choices=("mermaid", "dot", "png"), default="mermaid")
    draw.add_argument("-o", "--output", type=Path, help="file to write (default: stdout; PNG: "
                      "<dialogue id>.png)")
    draw.add_argument("--update-docs", action="store_true",
                      help=f"rewrite the diagram in {diagrams.DIAGRAM_DOC} (default dialogue: the"
                      " shipped one)")
    draw.set_defaults(handler=graph)


def graph(args: argparse.Namespace) -> int:
    """Write the diagram where asked."""
    if args.update_docs:
        return _update_docs(args.path or DEFAULT_DIALOGUE)
    dialogue = load_dialogue(args.path or load_settings().dialogue_path)
    model = diagrams.build_graph(dialogue)
    if args.format == "png":
        target: Path = args.output or Path(f"{dialogue.id}.png")
        diagrams.write_png(diagrams.to_dot(model), target)
        print(f"wrote {target}")
        return 0
    text = diagrams.to_mermaid(model) if args.format == "mermaid" else diagrams.to_dot(model)
    with output(args.output) as out:
        out.write(text)
    return 0


def _update_docs(path: Path) -> int:
    page = PROJECT_ROOT / diagrams.DIAGRAM_DOC
    before = page.read_text(encoding="utf-8")
    after = diagrams.update_diagram(before, load_dialogue(path))
    if after != before:
        page.write_text(after, encoding="utf-8")
    print(f"{page}: the dialogue diagram is {'updated' if after != before else 'current'}")
    return 0
