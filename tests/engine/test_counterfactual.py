"""The smallest change that makes another outcome win, checked against trying every way
through small dialogues; and what it says on the shipped one."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine import counterfactual, rules
from bot.engine.loader import load_dialogue
from bot.engine.model import END, Dialogue

DATA = Path(__file__).resolve().parents[1] / "data" / "valid"


def every_path(dialogue: Dialogue) -> list[dict[str, str]]:
    """Return every complete set of answers the dialogue can collect, in the order asked."""
    found: list[dict[str, str]] = []

    def walk(target: str, chosen: dict[str, str]) -> None:
        target = rules.asked(dialogue, target, chosen)
        if target == END:
            found.append(chosen)
            return
        question = dialogue.questions[target]
        for option in question.options:
            after = {**chosen, target: option.id}
            walk(rules.route(question, after, option), after)

    walk(dialogue.start, {})
    return found


def winner(dialogue: Dialogue, chosen: dict[str, str]) -> str:
    return rules.ranking(rules.scores(dialogue, chosen))[0]


def differences(person: dict[str, str], other: dict[str, str]) -> int:
    """The measure: questions of `other` answered differently from `person`, or not asked."""
    return sum(1 for question, option in other.items() if person.get(question) != option)


def brute_force(dialogue: Dialogue, paths: list[dict[str, str]],
                person: dict[str, str]) -> dict[str, int]:
    """Return, for each outcome but the person's, the fewest differences that make it win."""
    theirs = winner(dialogue, person)
    best: dict[str, int] = {}
    for path in paths:
        won = winner(dialogue, path)
        if won != theirs:
            best[won] = min(best.get(won, len(path) + 1), differences(person, path))
    return best


def assert_sound(dialogue: Dialogue, person: dict[str, str],
                 change: counterfactual.Change) -> None:
    """The change is a real way through the dialogue, that outcome wins, and it is measured
    as the definition says."""
    followed: dict[str, str] = {}
    target = rules.asked(dialogue, dialogue.start, followed)
    while target != END:
        question = dialogue.questions[target]
        option = question.option(change.answers[target])
        assert option is not None
        followed[target] = option.id
        target = rules.asked(dialogue, rules.route(question, followed, option), followed)
    assert followed == change.answers
    assert list(followed) == list(change.answers)  # in the order the route asks them
    assert winner(dialogue, followed) == change.outcome
    assert change.size == differences(person, followed)
    assert change.changed == tuple(
        (q, o) for q, o in followed.items() if person.get(q) != o)


def check_against_brute_force(dialogue: Dialogue, people: list[dict[str, str]],
                              paths: list[dict[str, str]]) -> int:
    compared = 0
    for person in people:
        expected = brute_force(dialogue, paths, person)
        for outcome in dialogue.outcomes:
            change = counterfactual.smallest_change(dialogue, person, outcome)
            if outcome not in expected:
                assert change is None, (person, outcome)
                continue
            assert change is not None, (person, outcome)
            assert change.size == expected[outcome], (person, outcome, change)
            assert_sound(dialogue, person, change)
            compared += 1
        two = counterfactual.smallest_changes(dialogue, person)
        ranking = rules.ranking(rules.scores(dialogue, person))
        wanted = sorted(expected, key=lambda o: (expected[o], ranking.index(o)))[:2]
        assert [change.outcome for change in two] == wanted, person
        for change in two:
            assert_sound(dialogue, person, change)
    return compared


@pytest.mark.parametrize("name", ["small.yaml", "routes.yaml"])
def test_the_search_finds_exactly_the_smallest_change_for_every_person_and_outcome(
    name: str,
) -> None:
    dialogue = load_dialogue(DATA / name)
    paths = every_path(dialogue)
    compared = check_against_brute_force(dialogue, paths, paths)
    assert compared > len(paths)  # most people can be led to more than one other outcome


@pytest.mark.parametrize("seed", range(12))
def test_the_search_stays_exact_whatever_the_points(seed: int) -> None:
    # The routes of routes.yaml with random points (negative too, and many ties): winners,
    # ties broken by the file's order and routing changes all move around.
    dialogue = load_dialogue(DATA / "routes.yaml")
    rng = random.Random(seed)
    outcomes = list(dialogue.outcomes)
    questions = {
        qid: replace(question, options=tuple(
            replace(option, scores={o: rng.randint(-3, 3) for o in rng.sample(outcomes, 2)})
            for option in question.options))
        for qid, question in dialogue.questions.items()
    }
    varied = replace(dialogue, questions=questions)
    paths = every_path(varied)
    check_against_brute_force(varied, paths[seed::7], paths)


def test_a_person_who_already_has_the_outcome_needs_no_change() -> None:
    dialogue = load_dialogue(DATA / "routes.yaml")
    person = every_path(dialogue)[0]
    assert counterfactual.smallest_change(dialogue, person, winner(dialogue, person)) is None
    with pytest.raises(ValueError, match="no outcome 'nope'"):
        counterfactual.smallest_change(dialogue, person, "nope")


def test_a_change_of_route_counts_the_questions_it_newly_asks() -> None:
    dialogue = load_dialogue(DATA / "routes.yaml")
    person = {"use": "home", "time": "long", "quiet": "none", "budget": "high"}
    assert winner(dialogue, person) == "open"
    change = counterfactual.smallest_change(dialogue, person, "custom")
    assert change is not None
    # "For work" then "On stage" jumps to the budget: two answers, time and quiet dropped.
    assert change.changed == (("use", "pro"), ("work", "stage"))
    assert change.answers == {"use": "pro", "work": "stage", "budget": "high"}


def test_the_shipped_dialogue_names_the_smallest_changes_for_a_flyer() -> None:
    dialogue = load_dialogue(DEFAULT_DIALOGUE)
    flyer = {"use": "commute", "hours": "long", "comfort": "none", "isolation": "lot",
             "leak": "yes", "sound": "detail", "budget": "high", "anc": "no",
             "wireless": "no", "mic": "no"}
    changes = counterfactual.smallest_changes(dialogue, flyer)
    assert [c.size for c in changes] == [1, 1]
    for change in changes:
        assert_sound(dialogue, flyer, change)
        assert change.outcome != "iem_multi_driver"
