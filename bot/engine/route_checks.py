"""Problems found by following the routes, looked for once every part makes sense on its own.

Questions never asked or never finished, routes that loop or are too many to follow, and
outcomes no answers make win. A broken reference (`checks`) would make routes look wrong in
confusing ways, so `check` runs these only when there is none.
"""

from __future__ import annotations

from bot.engine.model import END, Dialogue, Outcome
from bot.engine.routes import (
    Deadline,
    Routes,
    SearchLimitError,
    reach,
    successors,
)
from bot.errors import Problem


def graph_problems(dialogue: Dialogue) -> list[Problem]:
    """Return questions never asked, and those from which no way leads to the end.

    Every edge counts here, whatever the conditions; each problem makes following the routes
    themselves meaningless.
    """
    questions = dialogue.questions
    edges = {qid: successors(question) for qid, question in questions.items()}
    reached = reach(dialogue.start, edges)
    backwards: dict[str, set[str]] = {qid: set() for qid in [*questions, END]}
    for source, targets in edges.items():
        for target in targets & backwards.keys():
            backwards[target].add(source)
    finishing = reach(END, backwards)
    problems: list[Problem] = []
    for qid, question in questions.items():
        if qid not in reached:
            message = (
                f"question {qid!r} is never asked: no option, branch or 'next' leads to it "
                f"from start {dialogue.start!r}; lead to it, or remove it"
            )
        elif qid not in finishing:
            message = (
                f"from question {qid!r} no path reaches the end: every way on comes back "
                "round; give an option, branch or 'next' a way out (or 'end')"
            )
        else:
            continue
        problems.append(Problem(dialogue.source, question.where.line, message))
    return problems


def route_problems(dialogue: Dialogue, *, line: int, budget: float | None) -> list[Problem]:
    """Return where the routes go wrong, else every outcome that no answers make win.

    `line` is where a problem with the routes as a whole is reported (the `questions` key).
    Counting the routes may take the whole `budget`; the outcomes share what is left, so one
    hard outcome does not leave the others unchecked.
    """
    deadline = Deadline.after(budget)
    routes = Routes(dialogue, deadline)
    try:
        routes.count()
    except SearchLimitError as error:
        return [_untraceable(routes, error, line)]
    if routes.issues:
        return [
            Problem(dialogue.source, dialogue.questions[qid].where.line, message)
            for qid, message in routes.issues.items()
        ]
    outcomes = list(dialogue.outcomes.values())
    found = (
        (outcome, _unwinnable(routes, outcome, deadline.share(len(outcomes) - n)))
        for n, outcome in enumerate(outcomes)
    )
    return [Problem(dialogue.source, o.where.line, message) for o, message in found if message]


def _untraceable(routes: Routes, error: SearchLimitError, line: int) -> Problem:
    """Return the problem for routes too many to follow, where they multiply most if known."""
    source = routes.dialogue.source
    if error.budget is None:
        return Problem(
            source,
            line,
            f"the routes depend on so many answers that following them took more than "
            f"{error.steps:,} steps, so they could not be checked: simplify the branch "
            "and ask_if conditions",
        )
    busiest, ways = routes.busiest()
    return Problem(
        source,
        routes.dialogue.questions[busiest].where.line,
        f"the routes depend on so many answers that following them took more than the "
        f"{error.budget:g} s time budget, so they could not be checked (question {busiest!r} "
        f"alone was reached in {ways:,} ways that routing tells apart): simplify the branch "
        "and ask_if conditions",
    )


def _unwinnable(routes: Routes, outcome: Outcome, deadline: Deadline) -> str:
    """Return why `outcome` may never win, or "" when answers that make it win were found."""
    try:
        if routes.witness(outcome.id, deadline) is not None:
            return ""
    except SearchLimitError as error:
        if error.budget is not None:
            return (
                f"could not tell whether outcome {outcome.id!r} can ever win: the search ran "
                f"out of its share of the {error.budget:g} s time budget without finding "
                "answers that make it win; give it clearer points (an option that favours it "
                "strongly), or simplify the branch and ask_if conditions"
            )
        return (
            f"could not tell whether outcome {outcome.id!r} can ever win: the search gave "
            f"up after {error.steps:,} steps without finding answers that make it win; "
            "give it clearer points (an option that favours it strongly)"
        )
    return (
        f"outcome {outcome.id!r} can never win: no combination of answers gives it the "
        "most points (ties go to the outcome listed first); give it more points in some "
        "options, or remove it"
    )
