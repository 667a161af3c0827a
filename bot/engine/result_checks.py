"""Checks on what the result screen adds: its action buttons' data, the conflicts, and the
explanations ("why not", "what would change this") at their longest.

Conditions of conflicts are checked with every other condition (`checks`).
"""

from __future__ import annotations

import re

from bot.engine import actions, callback_data
from bot.engine.model import TEXT_LIMIT, Dialogue
from bot.engine.wording import explanations_too_long, placeholder_problems
from bot.errors import Problem

_ID = re.compile(r"[a-z0-9_]+")


def result_problems(dialogue: Dialogue, line: int, *, explain: bool) -> list[Problem]:
    """Return the problems of the result screen's parts; with `explain` (every part makes
    sense so far), also whether the explanations can be too long (reported at `line`)."""
    problems = _room(dialogue) + _conflicts(dialogue)
    if explain and not problems and (too_long := explanations_too_long(dialogue)):
        problems.append(Problem(dialogue.source, line, too_long))
    return problems


def _room(dialogue: Dialogue) -> list[Problem]:
    """Report ids too long for the action buttons that carry them ("!whynot:<id>")."""
    carried = [(q.id, q.where.line, f"question {q.id!r}", "its “Change” and “Back” buttons")
               for q in dialogue.questions.values()]
    carried += [(o.id, o.where.line, f"outcome {o.id!r}", "its “Why not” buttons")
                for o in dialogue.outcomes.values()]
    problems = []
    for ident, line, what, buttons in carried:
        size = actions.LONGEST + len(ident.encode())
        if size > callback_data.ROOM:
            problems.append(Problem(
                dialogue.source, line,
                f"{what}: {buttons} carry its id in {size} bytes of callback data, over the "
                f"{callback_data.ROOM} left beside the session number; shorten the id to "
                f"{callback_data.ROOM - actions.LONGEST} bytes",
            ))
    return problems


def _conflicts(dialogue: Dialogue) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for conflict in dialogue.conflicts:
        line, what = conflict.where.line, f"conflict {conflict.id!r}"

        def report(message: str, line: int = line) -> None:
            problems.append(Problem(dialogue.source, line, message))

        if not _ID.fullmatch(conflict.id):
            report(f"conflict id {conflict.id!r} may only use a-z, 0-9 and _")
        if conflict.id in seen:
            report(f"duplicate conflict id {conflict.id!r} (first at line "
                   f"{seen[conflict.id]}): give each conflict its own id")
        seen.setdefault(conflict.id, line)
        if not conflict.text:
            report(f"the text of {what} is empty: write it")
        elif len(conflict.text) > TEXT_LIMIT:
            report(f"the text of {what} is {len(conflict.text):,} characters; Telegram allows "
                   f"{TEXT_LIMIT:,} in a message: shorten it")
        for message in placeholder_problems("conflict", conflict.text):
            report(message.replace("texts.conflict", f"the text of {what}"))
    return problems
