"""docs/performance.md: the fixed prose of a template with one run's results put in its place.

The prose (how to run, what each row measures, durability, noise) lives in
`benchmarks/performance.md.in`, edited by hand; the table, the machine and the command come
from the run, so no number on the page is typed in.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.report import Row, table

TEMPLATE = Path(__file__).with_name("performance.md.in")
PLACEHOLDER = "<!-- results of the run -->"
WIDTH = 99
"""The prose's line width, as in the rest of the docs."""


@dataclass(frozen=True)
class Run:
    """What the page says about the run it shows."""

    quick: bool
    seconds: float
    command: str
    machine: str
    sizes: str
    """The run's sizes in a phrase ("50 people end to end, 100,000 chats stored at most")."""
    day: str


def sections_of(rows: list[dict[str, Any]]) -> list[tuple[str, list[Row]]]:
    """Return the sections of a run from the rows its --json wrote, in their order."""
    sections: list[tuple[str, list[Row]]] = []
    for row in rows:
        fields = {key: value for key, value in row.items() if key != "section"}
        if not sections or sections[-1][0] != row["section"]:
            sections.append((row["section"], []))
        sections[-1][1].append(Row(**fields))
    return sections


def check(template: str) -> None:
    """Fail unless `template` has the placeholder exactly once (before a long run, not after)."""
    if template.count(PLACEHOLDER) != 1:
        raise ValueError(
            f"{TEMPLATE.name} must contain the line {PLACEHOLDER} exactly once:"
            " the run's results go there"
        )


def render(template: str, sections: list[tuple[str, list[Row]]], run: Run) -> str:
    """Return the page: `template` with the run's results in place of the placeholder."""
    check(template)
    return template.replace(PLACEHOLDER, results(sections, run).rstrip("\n"))


def results(sections: list[tuple[str, list[Row]]], run: Run) -> str:
    """Return the generated part: which run, on what, the table and the targets."""
    kind = (
        f"A quick run (`--quick`: {run.sizes}). Its ratios are rough: it shows that everything"
        " measures, not whether the targets are met. Until a full run replaces it, quote the"
        " figures of the full runs [below](#what-full-runs-found)."
        if run.quick else f"A full run ({run.sizes})."
    )
    prose = [f"{kind} It took {run.seconds:.0f} s on {run.day}.", f"Machine: {run.machine}.",
             f"Command: `{run.command}`"]
    wrapped = [textwrap.fill(paragraph, WIDTH, break_on_hyphens=False) for paragraph in prose]
    return "\n\n".join([*wrapped, table(sections), targets(sections)]) + "\n"


def targets(sections: list[tuple[str, list[Row]]]) -> str:
    """Return a sentence or a list saying which targets the run met."""
    judged = [row for _, rows in sections for row in rows if row.met is not None]
    missed = [row for row in judged if not row.met]
    if not missed:
        return f"Every target is met in this run ({len(judged)} of {len(judged)})."
    lines = [f"{len(judged) - len(missed)} of {len(judged)} targets met in this run; missed:",
             ""]
    lines += [f"- {row.measure}: {row.ratio or row.ours} (target {row.target})"
              for row in missed]
    return "\n".join(lines)


def machine(where: Path) -> str:
    """Return what the timings depend on: system, cores, file system, versions."""
    parts = [f"{platform.system()} {platform.release()} ({platform.machine()}) on"
             f" {os.cpu_count()} CPUs"]
    if (kind := filesystem(where)) is not None:
        parts.append(f"{kind} under {where}")
    parts += [f"Python {platform.python_version()}",
              f"python-telegram-bot {version('python-telegram-bot')}",
              f"aiohttp {version('aiohttp')}", f"aiosqlite {version('aiosqlite')}",
              f"SQLite {sqlite3.sqlite_version}"]
    return ", ".join(parts)


def filesystem(where: Path) -> str | None:
    """Return the type of the file system holding `where` (Linux only), else None."""
    mounts = Path("/proc/mounts")
    if not mounts.exists():
        return None
    best, kind = "", None
    resolved = str(where.resolve())
    for line in mounts.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1]
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def today() -> str:
    """Return today's date in UTC, as the page states it."""
    return datetime.now(UTC).strftime("%Y-%m-%d")
