"""Whole-dialogue checks on the model: routes, limits, paths, and which outcomes can win."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import routes, rules
from bot.engine.checks import check, summary
from bot.engine.model import (
    END,
    Answered,
    Branch,
    CloseCall,
    Condition,
    Dialogue,
    Not,
    Option,
    Outcome,
    Question,
    Recommended,
    Tip,
    Where,
)
from bot.engine.routes import count_paths, witness
from tests.engine.sample import sample_dialogue


def every_path(dialogue: Dialogue) -> list[dict[str, str]]:
    """Return every complete set of answers, found by walking each way with no shortcuts."""

    def walk(target: str, chosen: dict[str, str]) -> Iterator[dict[str, str]]:
        current = rules.asked(dialogue, target, chosen)
        if current == END:
            yield chosen
            return
        question = dialogue.questions[current]
        for option in question.options:
            after = {**chosen, current: option.id}
            yield from walk(rules.route(question, after, option), after)

    return list(walk(dialogue.start, {}))


def winner(dialogue: Dialogue, chosen: dict[str, str]) -> str:
    return rules.ranking(rules.scores(dialogue, chosen))[0]


def make(questions: list[Question], outcomes: list[str], tips: tuple[Tip, ...] = ()) -> Dialogue:
    return Dialogue(
        id="made",
        version="1",
        title="Made",
        start=questions[0].id,
        questions={q.id: q for q in questions},
        outcomes={
            o: Outcome(o, o.title(), f"{o} text", where=Where("f", 100 + i))
            for i, o in enumerate(outcomes)
        },
        tips=tips,
        source="made.yaml",
    )


def messages(dialogue: Dialogue) -> list[str]:
    return [problem.message for problem in check(dialogue)]


# The engine's sample and a big dialogue ----------------------------------------------------


def test_the_engine_sample_has_no_problems_and_every_outcome_can_win() -> None:
    dialogue = sample_dialogue()
    assert check(dialogue) == []
    for outcome in dialogue.outcomes:
        answers = witness(dialogue, outcome)
        assert answers is not None
        assert answers in every_path(dialogue)
        assert winner(dialogue, answers) == outcome


def test_count_paths_counts_each_way_through_once() -> None:
    dialogue = sample_dialogue()
    assert count_paths(dialogue) == len(every_path(dialogue)) == 34


def test_summary_is_one_line_with_sizes_paths_and_file() -> None:
    assert summary(sample_dialogue()) == (
        "sample v1: 5 questions, 3 outcomes, 4 tips, 34 paths (<memory>)"
    )
    one = Question("a", "A?", (Option("x", "X"),))
    assert summary(make([one], ["only"])) == (
        "made v1: 1 question, 1 outcome, 0 tips, 1 path (made.yaml)"
    )


def big_dialogue(hopeless: bool) -> Dialogue:
    """Return 12 questions of 7 options: 7**12 paths, too many to walk one by one."""
    outcomes = [f"o{n}" for n in range(7)] + (["never"] if hopeless else [])
    questions = [
        Question(
            f"q{n}",
            f"Question {n}?",
            tuple(Option(f"x{k}", f"X{k}", scores={f"o{k}": 1 + (n + k) % 3}) for k in range(7)),
            next=f"q{n + 1}" if n < 11 else END,
            where=Where("big.yaml", n + 1),
        )
        for n in range(12)
    ]
    return make(questions, outcomes)


def test_paths_are_counted_without_walking_them() -> None:
    dialogue = big_dialogue(hopeless=False)
    assert count_paths(dialogue) == 7**12
    assert summary(dialogue).endswith("13,841,287,201 paths (made.yaml)")
    assert check(dialogue) == []


def test_an_outcome_no_answer_favours_can_never_win_even_among_many_paths() -> None:
    dialogue = big_dialogue(hopeless=True)
    assert witness(dialogue, "never") is None
    [problem] = check(dialogue)
    assert (problem.file, problem.line) == ("made.yaml", 107)
    assert problem.message.startswith("outcome 'never' can never win: no combination of")


# Which outcomes can win ----------------------------------------------------------------------


def test_a_tie_goes_to_the_outcome_listed_first() -> None:
    both = Question(
        "a", "A?", (Option("x", "X", scores={"first": 1, "second": 1}), Option("y", "Y"))
    )
    dialogue = make([both], ["first", "second"])
    assert witness(dialogue, "first") is not None
    assert witness(dialogue, "second") is None
    assert "outcome 'second' can never win" in messages(dialogue)[0]


def conflicting(questions: int) -> Dialogue:
    """Return a dialogue where 'middle' can beat 'left' or 'right' but never both at once."""
    options = (
        Option("l", "L", scores={"middle": 1, "left": 4}),
        Option("r", "R", scores={"middle": 1, "right": 4}),
    )
    chain = [
        Question(f"q{n}", f"Q{n}?", options, next=f"q{n + 1}" if n < questions - 1 else END)
        for n in range(questions)
    ]
    return make(chain, ["left", "middle", "right"])


def test_an_outcome_that_wins_no_combination_is_reported() -> None:
    dialogue = conflicting(6)
    assert witness(dialogue, "middle") is None
    assert messages(dialogue) == [
        "outcome 'middle' can never win: no combination of answers gives it the most points "
        "(ties go to the outcome listed first); give it more points in some options, or "
        "remove it"
    ]


def test_a_search_that_gives_up_says_so_instead_of_claiming_never(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routes, "SEARCH_LIMIT", 3)
    dialogue = conflicting(6)
    assert witness(dialogue, "middle") is None
    found = messages(dialogue)
    assert (
        "could not tell whether outcome 'middle' can ever win: the search gave up after 3 "
        "steps without finding answers that make it win; give it clearer points (an option "
        "that favours it strongly)"
    ) in found
    assert not [message for message in found if "can never win" in message]


def test_witness_refuses_an_unknown_outcome() -> None:
    with pytest.raises(ValueError, match="no outcome 'nope'"):
        witness(sample_dialogue(), "nope")


@st.composite
def dialogues(draw: st.DrawFn) -> Dialogue:
    """Draw a small dialogue with scores, option jumps, branches and skipped questions."""
    outcomes = [f"o{n}" for n in range(draw(st.integers(1, 3)))]
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=5))
    ids = [f"q{n}" for n in range(len(sizes))]

    def condition(among: list[str]) -> Condition:
        asked = draw(st.sampled_from(among))
        options = {f"x{k}" for k in range(sizes[ids.index(asked)])}
        chosen = draw(st.sets(st.sampled_from(sorted(options)), min_size=1))
        answered = Answered(asked, frozenset(chosen))
        return Not(answered) if draw(st.booleans()) else answered

    questions = []
    for n, size in enumerate(sizes):
        later = [*ids[n + 1 :], END]
        scores = st.dictionaries(st.sampled_from(outcomes), st.integers(-2, 3))
        jumps = st.none() | st.sampled_from(later)
        options = tuple(
            Option(f"x{k}", f"X{k}", scores=draw(scores), next=draw(jumps)) for k in range(size)
        )
        branches = tuple(
            Branch(condition(ids[: n + 1]), draw(st.sampled_from(later)))
            for _ in range(draw(st.integers(0, 2)))
        )
        ask_if = condition(ids[:n]) if n and draw(st.booleans()) else None
        next_id = draw(st.sampled_from(later))
        questions.append(Question(ids[n], "Q?", options, next_id, branches, ask_if))
    return make(questions, outcomes)


@settings(max_examples=300, deadline=None)
@given(dialogues())
def test_counting_and_winning_agree_with_walking_every_path(dialogue: Dialogue) -> None:
    paths = every_path(dialogue)
    assert count_paths(dialogue) == len(paths)
    winners = {winner(dialogue, path) for path in paths}
    for outcome in dialogue.outcomes:
        answers = witness(dialogue, outcome)
        assert (answers is not None) == (outcome in winners)
        if answers is not None:
            assert answers in paths
            assert winner(dialogue, answers) == outcome


# Routes and references -----------------------------------------------------------------------


def two_options(**scores: int) -> tuple[Option, ...]:
    return (Option("x", "X", scores=scores, where=Where("f", 3)), Option("y", "Y"))


def test_answer_conditions_only_in_routing_result_conditions_only_in_results() -> None:
    question = Question(
        "a",
        "A?",
        two_options(one=1),
        ask_if=CloseCall(),
        branches=(Branch(Recommended(frozenset({"one"})), END, Where("f", 9)),),
        where=Where("f", 2),
    )
    tips = (Tip("t", "T", Answered("a", frozenset({"x", "z"})), Where("f", 20)),)
    problems = check(make([question], ["one"], tips))
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "the 'ask_if' of question 'a' uses 'close_call', which only works in tips and "
            "extras (they are shown with the result)"),
        (9, "a branch of question 'a' uses 'outcome', which only works in tips and extras "
            "(they are shown with the result)"),
        (20, "tip 't' names option 'z' of question 'a', which has only"),
    ]  # fmt: skip


def test_references_to_missing_questions_and_outcomes_are_reported() -> None:
    question = Question(
        "a",
        "A?",
        two_options(ghost=1),
        next="nowhere",
        branches=(Branch(Answered("b", frozenset({"x"})), "a2", Where("f", 9)),),
        where=Where("f", 2),
    )
    tips = (Tip("t", "T", Recommended(frozenset({"phantom"})), Where("f", 20)),)
    found = [(p.line, p.message) for p in check(make([question], ["one"], tips))]
    assert found == [
        (2, "the 'next' of question 'a' is 'nowhere', which is not a question; the questions "
            "are: a (or 'end' to finish)"),
        (9, "a branch of question 'a' is 'a2', which is not a question (did you mean 'a'?) "
            "(or 'end' to finish)"),
        (9, "a branch of question 'a' names question 'b', which does not exist; the questions "
            "are: a"),
        (3, "option 'x' of question 'a' gives points to outcome 'ghost', which does not exist; "
            "the outcomes are: one"),
        (20, "tip 't' names outcome 'phantom', which does not exist; the outcomes are: one"),
    ]  # fmt: skip


def test_start_and_dialogue_level_problems_use_the_given_lines() -> None:
    dialogue = make([Question("a", "A?", two_options())], ["one"])
    moved = replace(dialogue, start="b", max_reasons=9, title="")
    problems = check(moved, lines={"": 1, "start": 4, "max_reasons": 7})
    assert [(p.line, p.message) for p in problems] == [
        (1, "the dialogue's title is empty: write one"),
        (4, "start 'b' is not a question; the questions are: a"),
        (7, "'max_reasons' must be from 1 to 5"),
    ]


def test_limits_on_buttons_and_questions() -> None:
    wide = Question("a", "A?", two_options(one=1), columns=9, where=Where("f", 2))
    assert messages(make([wide], ["one"])) == [
        "'columns' of question 'a' must be from 1 to 8: Telegram shows at most 8 buttons in a row"
    ]
    chain = [
        Question(f"q{n}", "Q?", two_options(), next=f"q{n + 1}" if n < 200 else END)
        for n in range(201)
    ]
    assert messages(make(chain, ["one"]))[0] == (
        "the dialogue has 201 questions; at most 200 are allowed: split it into several dialogues"
    )


def test_a_question_whose_only_ways_on_loop_back_is_a_dead_end() -> None:
    first = Question("a", "A?", (Option("x", "X", next="b"), Option("y", "Y")))
    loop = Question("b", "B?", (Option("x", "X", next="b"), Option("y", "Y", next="b")))
    assert messages(make([first, loop], ["one"])) == [
        "from question 'b' no path reaches the end: every way on comes back round; give an "
        "option, branch or 'next' a way out (or 'end')"
    ]
