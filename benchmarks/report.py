"""The results table: one row per measure, ours beside the baseline, ratios and targets."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

COLUMNS = ("Measure", "Ours", "Baseline", "Other", "Ratio", "Target", "Met")


@dataclass(frozen=True)
class Row:
    """One line of the table; empty strings where a column does not apply."""

    measure: str
    ours: str = ""
    baseline: str = ""
    other: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None

    def cells(self) -> tuple[str, ...]:
        """Return the row's cells as printed."""
        met = "" if self.met is None else ("yes" if self.met else "**no**")
        return (self.measure, self.ours, self.baseline, self.other, self.ratio, self.target,
                met)


def table(sections: list[tuple[str, list[Row]]]) -> str:
    """Return the rows as a Markdown table, a bold line heading each section."""
    lines = [_line(COLUMNS), _line(tuple("---" for _ in COLUMNS))]
    for title, rows in sections:
        lines.append(_line((f"**{title}**", *("" for _ in COLUMNS[1:]))))
        lines.extend(_line(row.cells()) for row in rows)
    return "\n".join(lines)


def as_json(sections: list[tuple[str, list[Row]]]) -> list[dict[str, Any]]:
    """Return the rows as plain data."""
    return [{"section": title, **asdict(row)} for title, rows in sections for row in rows]


def _line(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def number(value: float, digits: int = 0) -> str:
    """Return a number with thousands separators."""
    return f"{value:,.{digits}f}"


def times(value: float) -> str:
    """Return a ratio as "1.23x"."""
    return f"{value:.2f}x"
