"""Hard dialogues are reported within the time budget instead of holding up a start or a reload.

Each dialogue here is built so that only the step limits would stop the checks, far later
than BUDGET: a check that ignored the budget would fail the elapsed-time assertions.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from bot.engine.checks import check
from bot.engine.loader import load_dialogue
from bot.engine.model import END, Answered, Branch, Dialogue, Option, Outcome, Question, Where
from bot.engine.routes import SearchLimitError, count_paths, witness
from bot.errors import DialogueError

BUDGET = 1.0
SLACK = 1.5
"""Seconds a check may run past its budget: the steps between looks at the clock, the rest."""


def subset_sums(questions: int, puzzles: int) -> Dialogue:
    """Return a dialogue where outcome t<j> can win only by solving a subset-sum puzzle.

    Every yes to a question gives t<j> an even number of points and b<j> twice as many; the
    last question gives a<j> an odd total K and takes K from b<j>. To beat both a<j> and b<j>,
    t<j>'s points must add up to exactly K, which even numbers never do; proving that takes
    the search through nearly every combination of answers.
    """
    pick = random.Random(7)
    even = [[2 * pick.randrange(10**5, 10**6) for _ in range(puzzles)] for _ in range(questions)]
    targets = [sum(row[j] for row in even) // 2 | 1 for j in range(puzzles)]
    chain = [
        Question(
            f"q{n}",
            f"Question {n}?",
            (
                Option("yes", "Yes", scores={
                    key: value for j, w in enumerate(row)
                    for key, value in ((f"t{j}", w), (f"b{j}", 2 * w))
                }),
                Option("no", "No"),
            ),
            next=f"q{n + 1}",
            where=Where("hard.yaml", 10 + n),
        )
        for n, row in enumerate(even)
    ]  # fmt: skip
    fixed = {f"a{j}": k for j, k in enumerate(targets)} | {
        f"b{j}": -k for j, k in enumerate(targets)
    }
    both = (Option("x", "X", scores=fixed), Option("y", "Y", scores=fixed))
    chain.append(Question(f"q{questions}", "Last?", both, where=Where("hard.yaml", 200)))
    names = [f"{kind}{j}" for kind in "tab" for j in range(puzzles)]
    return Dialogue(
        id="hard",
        version="1",
        title="Hard",
        start="q0",
        questions={question.id: question for question in chain},
        outcomes={name: Outcome(name, name, name, where=Where("hard.yaml", 300 + i))
                  for i, name in enumerate(names)},
        source="hard.yaml",
    )  # fmt: skip


def tangled(questions: int) -> str:
    """Return a dialogue file whose last question branches on every earlier answer.

    Where the routes go after it depends on all the answers before it, so following them
    means telling apart 2 ** (questions - 1) ways of reaching it.
    """
    lines = ["id: tangled", "version: 1", "title: Tangled", "start: q0", "questions:"]
    for n in range(questions):
        lines += [f"  q{n}:", f"    text: Question {n}?", f"    next: q{n + 1}"]
        if n == questions - 1:
            lines[-1] = f"    next: q{questions}"
            lines += ["    branches:"]
            lines += [f"      - {{if: {{q{k}: yes}}, next: end}}" for k in range(n)]
        lines += [
            "    options:",
            "      - {id: yes, label: Yes, scores: {one: 1}}",
            "      - {id: no, label: No, scores: {two: 1}}",
        ]
    lines += [f"  q{questions}:", "    text: Last?", "    options:"]
    lines += ["      - {id: x, label: X}", "      - {id: y, label: Y}"]
    lines += ["outcomes:", "  one: {title: One, text: First.}", "  two: {title: Two, text: Two.}"]
    return "\n".join(lines) + "\n"


def tangled_model(questions: int) -> Dialogue:
    """Return the dialogue `tangled` describes, built in code."""
    last = questions - 1
    options = (Option("yes", "Yes", scores={"one": 1}), Option("no", "No", scores={"two": 1}))
    branches = tuple(Branch(Answered(f"q{k}", frozenset({"yes"})), END) for k in range(last))
    chain = [
        Question(f"q{n}", f"Question {n}?", options, f"q{n + 1}", branches if n == last else ())
        for n in range(questions)
    ]
    chain.append(Question(f"q{questions}", "Last?", (Option("x", "X"), Option("y", "Y"))))
    return Dialogue(
        id="tangled",
        version="1",
        title="Tangled",
        start="q0",
        questions={question.id: question for question in chain},
        outcomes={"one": Outcome("one", "One", "First."), "two": Outcome("two", "Two", "Two.")},
    )


def test_outcomes_whose_winning_is_a_puzzle_are_named_within_the_budget() -> None:
    dialogue = subset_sums(questions=60, puzzles=4)
    started = time.monotonic()
    problems = check(dialogue, budget=BUDGET)
    assert time.monotonic() - started < BUDGET + SLACK
    undecided = {p.line: p.message for p in problems if "time budget" in p.message}
    assert sorted(undecided) == [300, 301, 302, 303]  # t0 to t3, and only they
    assert undecided[300] == (
        "could not tell whether outcome 't0' can ever win: the search ran out of its share of "
        "the 1 s time budget without finding answers that make it win; give it clearer points "
        "(an option that favours it strongly), or simplify the branch and ask_if conditions"
    )


def test_routes_too_tangled_to_follow_in_time_stop_a_load_at_the_question_they_pile_up_at(
    tmp_path: Path,
) -> None:
    text = tangled(questions=22)
    path = tmp_path / "tangled.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(DialogueError) as raised:  # so a reload keeps the dialogue it has
        load_dialogue(path, budget=BUDGET)
    assert time.monotonic() - started < BUDGET + SLACK
    [problem] = raised.value.problems
    assert problem.line == text.splitlines().index("  q21:") + 1
    assert problem.message.startswith(
        "the routes depend on so many answers that following them took more than the 1 s "
        "time budget, so they could not be checked (question 'q21' alone was reached in "
    )
    assert problem.message.endswith(
        " ways that routing tells apart): simplify the branch and ask_if conditions"
    )


def test_counting_and_witnesses_keep_to_a_budget_when_given_one() -> None:
    started = time.monotonic()
    assert witness(subset_sums(questions=60, puzzles=1), "t0", budget=0.2) is None
    with pytest.raises(SearchLimitError, match=re.escape("gave up after the 0.2 s time budget")):
        count_paths(tangled_model(questions=22), budget=0.2)
    assert time.monotonic() - started < 0.4 + SLACK
