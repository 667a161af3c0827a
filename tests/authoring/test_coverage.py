"""Coverage: its figures equal a brute-force count over every answer set, and sampling agrees."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from bot.authoring import coverage
from bot.authoring.answer_space import AnswerSpace, Tally
from bot.authoring.exact_walk import ExactWalk
from bot.cli import main
from bot.engine import rules
from bot.engine.loader import load_dialogue
from bot.engine.model import END, Dialogue, Option
from bot.engine.routes import count_paths

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "valid" / "small.yaml"

# Asked in another order than written, a skip that depends on an earlier answer, a question
# two routes share, options with no points, and outcomes that tie.
SHUFFLED = """\
id: shuffled
version: 1
title: Shuffled
start: first
close_margin: 1
questions:
  last:
    text: Last?
    ask_if: {first: [x, y]}
    options:
      - {id: p, label: P, scores: {one: 1, two: 1}}
      - {id: q, label: Q, scores: {three: 2}}
      - {id: r, label: R}
  middle:
    text: Middle?
    next: last
    options:
      - {id: m, label: M, scores: {two: 2}}
      - {id: n, label: N, scores: {one: 1}}
  first:
    text: First?
    next: last
    branches:
      - if: {first: y}
        next: middle
    options:
      - {id: x, label: X, scores: {one: 1}}
      - {id: y, label: Y, scores: {two: 1, three: 1}}
      - {id: z, label: Z, scores: {three: 1}}
outcomes:
  one: {title: One, text: "1."}
  two: {title: Two, text: "2."}
  three: {title: Three, text: "3."}
"""


def follow(dialogue: Dialogue, answers: dict[str, Option]) -> dict[str, str]:
    """Return the answers a route takes (question -> option id), as the engine routes them."""
    chosen: dict[str, str] = {}
    target = rules.asked(dialogue, dialogue.start, chosen)
    while target != END:
        chosen[target] = answers[target].id
        after = rules.route(dialogue.questions[target], chosen, answers[target])
        target = rules.asked(dialogue, after, chosen)
    return chosen


def brute_force(dialogue: Dialogue) -> Tally:
    """Count every figure the slow way: each answer set on its own, through `rules`."""
    outcomes = list(dialogue.outcomes)
    questions = list(dialogue.questions.values())
    total = math.prod(len(question.options) for question in questions)
    tally = Tally([0] * len(outcomes), [0] * len(outcomes), [0] * len(outcomes), Counter(),
                  [0] * len(questions), [0] * len(questions), {}, total)
    ways: set[tuple[tuple[str, str], ...]] = set()

    def result(chosen: dict[str, str], without: Option | None = None) -> tuple[int, int, int]:
        totals = rules.scores(dialogue, chosen)
        for outcome, points in (without.scores if without else {}).items():
            totals[outcome] -= points
        order = rules.ranking(totals)
        best, second = order[0], order[1]
        return outcomes.index(best), outcomes.index(second), totals[best] - totals[second]

    for picked in itertools.product(*(question.options for question in questions)):
        answers = {q.id: option for q, option in zip(questions, picked, strict=True)}
        chosen = follow(dialogue, answers)
        best, second, margin = result(chosen)
        tally.wins[best] += 1
        tally.tie_wins[best] += margin == 0
        if margin <= dialogue.close_margin:
            tally.close[best, second] += 1
        if tuple(chosen.items()) not in ways:
            ways.add(tuple(chosen.items()))
            tally.ways[best] += 1
        for position, question in enumerate(questions):
            if question.id not in chosen:
                continue
            tally.asked[position] += 1
            tally.swings[position] += any(
                result(follow(dialogue, {**answers, question.id: other}))[0] != best
                for other in question.options
            )
            option = answers[question.id]
            if any(option.scores.values()):
                key = (question.id, option.id)
                changed = result(chosen, without=option)[0] != best
                tally.points[key] = tally.points.get(key, 0) + changed
    return tally


def in_file_order(dialogue: Dialogue, space: AnswerSpace, tally: Tally) -> Tally:
    """Return the walk's tally with its per-question counts in the file's order of questions."""
    walked = [axis.question.id for axis in space.axes]
    index = [walked.index(qid) for qid in dialogue.questions]
    return Tally(tally.wins, tally.tie_wins, tally.ways, tally.close,
                 [tally.asked[i] for i in index], [tally.swings[i] for i in index],
                 tally.points, tally.total)


@pytest.fixture(params=["small", "shuffled"])
def dialogue(request: pytest.FixtureRequest, tmp_path: Path) -> Dialogue:
    if request.param == "small":
        return load_dialogue(SMALL)
    path = tmp_path / "shuffled.yaml"
    path.write_text(SHUFFLED, encoding="utf-8")
    return load_dialogue(path)


def test_the_exact_walk_counts_what_brute_force_counts(dialogue: Dialogue) -> None:
    space = AnswerSpace(dialogue)
    walked = in_file_order(dialogue, space, ExactWalk(space).run())
    assert walked == brute_force(dialogue)
    assert sum(walked.ways) == count_paths(dialogue)
    assert min(walked.swings) < max(walked.swings)  # the counts tell questions apart
    assert 0 in walked.points.values() or len(set(walked.points.values())) > 1


def test_sampling_estimates_what_the_walk_counts(
    dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked = coverage.coverage(dialogue)
    monkeypatch.setattr(coverage, "CELL_LIMIT", 1)
    sampled = coverage.coverage(dialogue, samples=3000, seed=7)
    assert (walked.exact, sampled.exact) == (True, False)

    def shares(found: coverage.Coverage) -> dict[str, float]:
        tally = found.tally
        figures = {f"wins {i}": found.share(n) for i, n in enumerate(tally.wins)}
        for index, qid in enumerate(found.questions):
            figures[f"asked {qid}"] = found.share(tally.asked[index])
            figures[f"swings {qid}"] = found.share(tally.swings[index])
        return figures

    exact, estimated = shares(walked), shares(sampled)
    assert exact.keys() == estimated.keys()
    for name, share in exact.items():
        assert abs(share - estimated[name]) < 0.04, name


def test_the_command_prints_the_distribution_and_how_it_was_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["coverage", str(SMALL)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(
        "Every answer set counted (20, each option of every question equally likely; "
        "9 ways through), in ")
    assert lines[3:7] == [
        "outcome                 wins   ways through  on a tie  stories",
        "open_back              30.0%              2     10.0%        1",
        "closed_back            40.0%              4     20.0%        1",
        "iem                    30.0%              3      0.0%        1",
    ]
    never = "Options whose points never change the outcome: monitor: yes, monitor: no, where: home"
    assert never in lines
    monitor = "  monitor                        0.0% of answer sets, 0.0% of those that ask it"
    assert monitor in lines


def test_a_dialogue_too_big_to_walk_is_sampled_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(coverage, "CELL_LIMIT", 10)
    assert main(["coverage", str(SMALL), "--samples", "500", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["method"], data["samples"], data["ways_through"]) == ("sampled", 500, None)
    assert main(["coverage", str(SMALL), "--samples", "500"]) == 0
    assert "SAMPLED: 500 of 20 answer sets drawn at random" in capsys.readouterr().out


def test_the_shipped_dialogue_is_counted_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--json", str(ROOT / "dialogues" / "headphones_vs_iems.yaml")]) == 0
    data = json.loads(capsys.readouterr().out)
    # comfort takes 8 answers: each of its 3 options that go together alone, the 3 pairs, all
    # three, and the exclusive "Nothing in particular".
    assert (data["method"], data["answer_sets"], data["ways_through"]) == (
        "exact", 5_598_720, 762_240)
    assert sum(outcome["wins"] for outcome in data["outcomes"]) == pytest.approx(1)
    assert all(outcome["stories"] for outcome in data["outcomes"])  # a story ends with each
