"""`schema`: print the JSON Schema of a file format, for an editor's YAML language server."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.authoring.json_schema import FORMATS, rendered, schema_file
from bot.cli.common import Commands, output
from bot.config import DIALOGUES


def add(commands: Commands) -> None:
    """Add the `schema` command."""
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of the dialogue, translation or stories format, for an editor",
        description="Print the JSON Schema of a file format, generated from the tables the "
        "loader reads. Editors with a YAML language server use it when a file begins with "
        "`# yaml-language-server: $schema=<path to the schema>`.",
    )
    parser.add_argument("format", nargs="?", choices=list(FORMATS), default="dialogue",
                        help="which file format (default: dialogue)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH",
                        help="file to write (default: stdout)")
    parser.add_argument("--update", action="store_true",
                        help=f"rewrite every format's schema file in {DIALOGUES}")
    parser.set_defaults(handler=schema)


def schema(args: argparse.Namespace) -> int:
    """Write the schema where asked, or every shipped schema file with --update."""
    if args.update:
        for name in FORMATS:
            target = DIALOGUES / schema_file(name)
            text = rendered(name)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                target.write_text(text, encoding="utf-8")
            print(f"{target}: {'current' if current == text else 'updated'}")
        return 0
    with output(args.output) as out:
        out.write(rendered(args.format))
    return 0
