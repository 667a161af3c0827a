"""`new`: write a small dialogue, its stories and its schemas to start from."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.authoring.starter import dialogue_id, starter_files
from bot.cli.common import Commands
from bot.errors import AdvisorError


def add(commands: Commands) -> None:
    """Add the `new` command."""
    parser = commands.add_parser(
        "new",
        help="write a small dialogue and its test stories to start from",
        description="Write NAME.yaml (a small, valid dialogue), NAME.stories.yaml (its test "
        "stories) and the JSON Schemas their first lines name, for an editor. Nothing that "
        "exists is overwritten.",
    )
    parser.add_argument("name", help="the dialogue's file name, without .yaml")
    parser.add_argument("--dir", type=Path, default=Path(), metavar="FOLDER",
                        help="where to write (default: this folder)")
    parser.set_defaults(handler=new)


def new(args: argparse.Namespace) -> int:
    """Write the starter files, refusing to overwrite anything different, then say what next."""
    name: str = args.name
    if not dialogue_id(name) or Path(name).name != name:
        raise AdvisorError(f"{name!r} cannot name a dialogue: use letters, digits and _ "
                           "(for example: my_advisor)")
    folder: Path = args.dir
    files = {folder / file: text for file, text in starter_files(name).items()}
    # A schema the same as ours may stay (another dialogue in the folder wrote it).
    clashes = [path for path, text in files.items() if path.exists() and (
        not path.name.endswith(".schema.json") or path.read_text(encoding="utf-8") != text)]
    if clashes:
        listed = ", ".join(map(str, clashes))
        raise AdvisorError(f"{listed} already exist{'s' * (len(clashes) == 1)}: choose another "
                           "name or folder (nothing was written)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    dialogue = folder / f"{name}.yaml"
    program = _program()
    print(f"wrote {', '.join(str(path) for path in files)}")
    print("next:")
    print(f"  {program} validate {dialogue}")
    print(f"  {program} test {dialogue}")
    print(f"  DIALOGUE_PATH={dialogue} {program} chat")
    return 0


def _program() -> str:
    from bot.cli import program_name  # noqa: PLC0415 (bot.cli imports this module first)

    return program_name()
