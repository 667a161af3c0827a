"""The conditions a dialogue file sets (`if`, `ask_if`), as plain frozen data.

Part of the model (`bot.engine.model` re-exports them); `rules.holds` says when one holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Answered:
    """Holds when `question` was answered with one of `options` (at a multiple question:
    when one of them is among those chosen)."""

    question: str
    options: frozenset[str]


@dataclass(frozen=True)
class AllOf:
    """Holds when every one of `conditions` holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one of `conditions` holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when `condition` does not."""

    condition: Condition


@dataclass(frozen=True)
class CloseCall:
    """Holds when the top two outcomes are within `close_margin` (tips and extras only)."""


@dataclass(frozen=True)
class Recommended:
    """Holds when the recommended outcome is one of `outcomes` (tips and extras only)."""

    outcomes: frozenset[str]


Condition = Answered | AllOf | AnyOf | Not | CloseCall | Recommended


def leaves(condition: Condition) -> Iterator[Condition]:
    """Yield the conditions inside `condition` that test something (not AllOf, AnyOf, Not)."""
    match condition:
        case AllOf(conditions) | AnyOf(conditions):
            for inner in conditions:
                yield from leaves(inner)
        case Not(inner):
            yield from leaves(inner)
        case _:
            yield condition
