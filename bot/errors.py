"""The project's exceptions: one root, a few precise kinds an operator can act on."""

from __future__ import annotations

from dataclasses import dataclass


class AdvisorError(Exception):
    """Something an operator can fix: its message says what, where, and what to do."""


@dataclass(frozen=True)
class Problem:
    """One problem in a dialogue file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DialogueError(AdvisorError):
    """A dialogue file has problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the dialogue:"
        super().__init__("\n".join([heading, *(str(p) for p in self.problems)]))


class ConfigError(AdvisorError):
    """A setting is missing or malformed."""


class StorageError(AdvisorError):
    """The database cannot be used as it is (unwritable, corrupt, newer schema, locked)."""
