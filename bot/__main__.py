"""`python -m bot [command]`: run the bot, chat, check or draw a dialogue, read stats, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.advisor import Advisor
from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT, Settings, load_settings
from bot.console import Console
from bot.engine.loader import load_dialogue, load_dialogues
from bot.engine.validate import summary
from bot.errors import AdvisorError, DialogueError
from bot.logs import redact, setup_logging
from bot.ops import export, graph
from bot.ops.stats import collect_stats, parse_duration, render_stats
from bot.storage.sqlite import SqliteStore

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` and return the process's exit code."""
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.handler
    try:
        return command(args)
    except DialogueError as error:
        print(error, file=sys.stderr)
        return 1
    except AdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`... | head`): stop quietly, as `cat` does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A Telegram bot that helps people choose between headphones and IEMs.",
    )
    parser.set_defaults(handler=_run)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.add_parser(
        "run", help="the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat"
    ).set_defaults(handler=_run)
    commands.add_parser("chat", help="talk to the advisor in this terminal").set_defaults(
        handler=_chat
    )
    validate = commands.add_parser(
        "validate", help="check dialogue files and print a summary, or every problem"
    )
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders of YAML")
    validate.set_defaults(handler=_validate)
    commands.add_parser(
        "check", help="check settings, dialogue, database and the Bot API; exit 0 when all pass"
    ).set_defaults(handler=_check)
    backup = commands.add_parser(
        "backup", help="copy the live database to FILE with SQLite's online backup"
    )
    backup.add_argument("file", type=Path, help="the new backup file (never overwritten)")
    backup.set_defaults(handler=_backup)
    _add_ops_commands(commands)
    return parser


def _check(_args: argparse.Namespace) -> int:
    # health.main reads the settings itself, so a malformed one is a failed check (exit 2).
    from bot.health import main as check  # noqa: PLC0415

    return check()


def _backup(args: argparse.Namespace) -> int:
    from bot.backup import backup_command  # noqa: PLC0415

    return backup_command(_settings(), args.file)


def _add_ops_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draw = commands.add_parser(
        "graph", help="draw the dialogue as a Mermaid or Graphviz diagram, or a PNG"
    )
    draw.add_argument("path", nargs="?", type=Path, help="dialogue file (default: DIALOGUE_PATH)")
    draw.add_argument("--format", choices=("mermaid", "dot", "png"), default="mermaid")
    draw.add_argument("-o", "--output", type=Path, help="file to write (default: stdout; PNG: "
                      "<dialogue id>.png)")
    draw.add_argument("--update-readme", action="store_true",
                      help="rewrite the diagram in README.md (default dialogue: the shipped one)")
    draw.set_defaults(handler=_graph)
    stats = commands.add_parser(
        "stats", help="sessions, drop-off per question and recommendations from DATABASE_PATH"
    )
    _add_period_options(stats)
    stats.set_defaults(handler=_stats)
    dump = commands.add_parser("export", help="finished sessions from DATABASE_PATH as rows")
    dump.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    _add_period_options(dump)
    dump.add_argument("--anonymize", action="store_true",
                      help="replace chat ids with stable pseudonyms (keyed HMAC)")
    dump.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    dump.set_defaults(handler=_export)


def _add_period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_since, metavar="DURATION",
                        help="only the last 30m, 12h, 7d, 4w, ... (default: all time)")
    parser.add_argument("--dialogue", type=Path, metavar="PATH",
                        help="dialogue file the sessions belong to (default: DIALOGUE_PATH)")


def _since(text: str) -> float:
    try:
        return parse_duration(text).total_seconds()
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _validate(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths or [load_settings().dialogue_path]
    for dialogue in load_dialogues(paths):
        print(summary(dialogue))
    return 0


def _graph(args: argparse.Namespace) -> int:
    if args.update_readme:
        readme = PROJECT_ROOT / "README.md"
        before = readme.read_text(encoding="utf-8")
        after = graph.update_readme(before, load_dialogue(args.path or DEFAULT_DIALOGUE))
        if after != before:
            readme.write_text(after, encoding="utf-8")
        print(f"{readme}: the dialogue diagram is {'updated' if after != before else 'current'}")
        return 0
    dialogue = load_dialogue(args.path or load_settings().dialogue_path)
    model = graph.build_graph(dialogue)
    if args.format == "png":
        output: Path = args.output or Path(f"{dialogue.id}.png")
        graph.write_png(graph.to_dot(model), output)
        print(f"wrote {output}")
        return 0
    text = graph.to_mermaid(model) if args.format == "mermaid" else graph.to_dot(model)
    with _output(args.output) as out:
        out.write(text)
    return 0


def _stats(args: argparse.Namespace) -> int:
    settings = load_settings()
    dialogue = load_dialogue(args.dialogue or settings.dialogue_path)
    now = time.time()
    since = None if args.since is None else now - args.since
    stats = collect_stats(
        settings.database_path, dialogue, since, now, settings.inactivity_hours
    )
    print(render_stats(stats))
    return 0


def _export(args: argparse.Namespace) -> int:
    settings = load_settings()
    dialogue = load_dialogue(args.dialogue or settings.dialogue_path)
    since = None if args.since is None else time.time() - args.since
    sessions = export.finished_sessions(settings.database_path, dialogue.id, since)
    key = export.export_key(settings.database_path) if args.anonymize else None
    write = export.write_csv if args.format == "csv" else export.write_jsonl
    with _output(args.output) as out:
        count = write(sessions, dialogue, out, key)
    print(f"exported {count} finished session{'' if count == 1 else 's'}", file=sys.stderr)
    return 0


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """Yield the file to write to: `path`, or stdout when it is None."""
    if path is None:
        yield sys.stdout
        return
    try:
        file = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise AdvisorError(f"cannot write {path}: {error.strerror}") from None
    with file:
        yield file


def _run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.token is None:
        print(
            "No TELEGRAM_BOT_TOKEN is set, so the advisor runs here in the terminal. "
            "Set it (see .env.example) to run the Telegram bot.",
            file=sys.stderr,
        )
        return _chat(args, settings)
    # PTB and httpx take a while to import; the terminal chat and `validate` do not need them.
    from bot.telegram.runner import serve  # noqa: PLC0415

    try:
        asyncio.run(serve(settings))
    except AdvisorError as error:
        # Printed as it is, not through the log's formatter: blank the token here too (an
        # error may quote a Bot API URL in a form the transport did not recognise).
        raise AdvisorError(redact(str(error), settings.secrets)) from None
    return 0


def _chat(_args: argparse.Namespace, settings: Settings | None = None) -> int:
    settings = settings or _settings()
    asyncio.run(_console(settings))
    return 0


async def _console(settings: Settings) -> None:
    dialogue = load_dialogue(settings.dialogue_path)
    store = await SqliteStore.open(settings.database_path)
    try:
        await Console(Advisor(dialogue, store)).run()
    finally:
        await store.close()


def _settings() -> Settings:
    settings = load_settings()
    setup_logging(settings.log_level, settings.secrets)
    return settings


if __name__ == "__main__":
    sys.exit(main())
