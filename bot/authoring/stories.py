"""Run test stories through the real engine and say what each one got that it did not expect.

A story answers only the questions its route asks, in the order the engine asks them: an
option id is pressed as its button, any other text is typed and read by the real matcher
(which may answer later questions too, as it does for people). There are no defaults: a
question asked without an answer, or an answer to a question never asked, fails the story,
because a story that silently skips part of the dialogue tests less than it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.authoring.story_reader import Story
from bot.engine import engine
from bot.engine.advice import Advice, advice_for
from bot.engine.model import Dialogue, Option, Question, Step

How = Literal["pressed", "typed", "filled"]


@dataclass(frozen=True)
class Given:
    """One answer the story gave: pressed, typed, or filled in by a typed message before it."""

    question: str
    option: str
    how: How


@dataclass(frozen=True)
class Failure:
    """Something the story expected and did not get, at its line of the stories file."""

    line: int
    message: str


@dataclass(frozen=True)
class StoryRun:
    """What happened to one story: the answers given, the advice, and every failure."""

    story: Story
    given: tuple[Given, ...]
    failures: tuple[Failure, ...]
    advice: Advice | None
    """None when the story could not reach the result."""

    @property
    def passed(self) -> bool:
        """Return whether the story got everything it expected."""
        return not self.failures


def run_stories(dialogue: Dialogue, stories: list[Story]) -> list[StoryRun]:
    """Run every story, each from a fresh start."""
    return [run_story(dialogue, story) for story in stories]


def run_story(dialogue: Dialogue, story: Story) -> StoryRun:
    """Answer as the story says until the result, then check what it expects of the advice."""
    walk = _Walk(dialogue, story)
    step = walk.answer_all()
    if walk.failures or step.kind != "result":
        if not walk.failures:
            walk.fail(story.where.line, f"the dialogue stopped before a result: {step.reply.text}")
        return StoryRun(story, tuple(walk.given), tuple(walk.failures), None)
    advice = advice_for(dialogue, step.session.chosen())
    failures = walk.failures + walk.unused() + _expectations(dialogue, story, advice, step)
    return StoryRun(story, tuple(walk.given), tuple(failures), advice)


class _Walk:
    """One story's way through the dialogue, answer by answer."""

    def __init__(self, dialogue: Dialogue, story: Story) -> None:
        self.dialogue = dialogue
        self.story = story
        self.given: list[Given] = []
        self.failures: list[Failure] = []
        self.filled_by: dict[str, str] = {}

    def fail(self, line: int, message: str) -> None:
        self.failures.append(Failure(line, message))

    def answer_all(self) -> Step:
        step = engine.start(self.dialogue, now=0.0)
        while step.kind == "question" and step.session.current is not None:
            question = self.dialogue.questions[step.session.current]
            answer = self.story.answers.get(question.id)
            if answer is None:
                self.fail(
                    self.story.line("answers"),
                    f"the dialogue asks {question.id!r} (“{question.text}”), and the story has "
                    f"no answer for it: add one (options: {_ids(question)})",
                )
                break
            after = self.answer(step, question, answer)
            if after is None:
                break
            step = after
        return step

    def answer(self, step: Step, question: Question, answer: str) -> Step | None:
        """Press or type `answer`; return the next step, or None (noted) when it was not taken."""
        before = len(step.session.answers)
        now = float(before + 1)
        line = self.story.line(f"answers.{question.id}")
        pressed = question.choice(answer) is not None  # several ids "a+b" at a multiple one
        if pressed:
            after = engine.press(self.dialogue, step.session, f"{question.id}:{answer}", now)
        else:
            after = engine.type_answer(self.dialogue, step.session, answer, now)
            if after.kind in ("reprompt", "did_you_mean"):
                said = after.reply.text.splitlines()[0]
                why = "is not understood" if after.kind == "reprompt" else "is asked back"
                self.fail(
                    line,
                    f"the answer {answer!r} to {question.id!r} is not one of its option ids "
                    f"({_ids(question)}), so it was typed, and it {why}: “{said}”",
                )
                return None
        for number, new in enumerate(after.session.answers[before:]):
            how: How = "filled" if number else ("pressed" if pressed else "typed")
            self.given.append(Given(new.question, new.option, how))
            if number:
                self.filled_by[new.question] = question.id
        return after

    def unused(self) -> list[Failure]:
        """Return a failure for each answer the story gives to a question it was never asked."""
        asked = {given.question for given in self.given if given.how != "filled"}
        failures = []
        for question_id in self.story.answers:
            if question_id in asked:
                continue
            line = self.story.line(f"answers.{question_id}")
            if question_id in self.filled_by:
                message = (
                    f"{question_id!r} was already answered by what was typed for "
                    f"{self.filled_by[question_id]!r}, so it is never asked: remove its answer"
                )
            else:
                message = (
                    f"the dialogue never asks {question_id!r} on this story's route: "
                    "remove its answer, or change the answers that lead past it"
                )
            failures.append(Failure(line, message))
        return failures


def _expectations(dialogue: Dialogue, story: Story, advice: Advice, step: Step) -> list[Failure]:
    failures: list[Failure] = []

    def expect(key: str, holds: bool, message: str) -> None:
        if not holds:
            failures.append(Failure(story.line(key), message))

    def title(outcome_id: str | None) -> str:
        return "none" if outcome_id is None else (
            f"{outcome_id} ({dialogue.outcomes[outcome_id].title})")

    got = advice.outcome.id
    tie = advice.scores[got] == advice.scores[story.outcome]
    why = f" (a tie at {advice.scores[got]} points goes to the outcome written first)" * tie
    expect("outcome", got == story.outcome,
           f"expected the outcome {title(story.outcome)}, got {title(got)}{why}")
    second = advice.runner_up.id if advice.runner_up else None
    if story.runner_up is not None:
        expect("runner_up", second == story.runner_up,
               f"expected the runner-up {title(story.runner_up)}, got {title(second)}")
    failures += _reasons(dialogue, story, advice, step)
    shown = {tip.id for tip in advice.tips}
    for tip in story.tips:
        expect("tips", tip in shown, f"expected the tip {tip!r}, and it is not shown")
    for tip in story.no_tips:
        expect("no_tips", tip not in shown, f"the tip {tip!r} is shown, and it must not be")
    text = step.reply.text
    for part in story.text:
        expect("text", part in text, f"expected {part!r} in the result, and it is not there")
    for part in story.no_text:
        expect("no_text", part not in text, f"{part!r} is in the result, and it must not be")
    return failures


def _reasons(dialogue: Dialogue, story: Story, advice: Advice, step: Step) -> list[Failure]:
    if story.reasons is None:
        return []
    line = story.line("reasons")
    listed = "; ".join(advice.reasons) or "none"
    if not story.reasons and advice.reasons:
        return [Failure(line, f"expected no reasons, got: {listed}")]
    chosen = step.session.chosen()
    failures = []
    for question_id in story.reasons:
        question = dialogue.questions[question_id]
        picks = question.picks(chosen.get(question_id, ""))
        if not picks:
            failures.append(Failure(line, f"a reason names {question_id!r}, which the story "
                                          "never answered"))
        if len(picks) > 1:  # a multiple question's set: each option that gave points
            picks = tuple(o for o in picks if o.scores.get(advice.outcome.id, 0) > 0) or picks
        failures += [
            Failure(line, f"expected the answer to {question_id!r} (“{option.label}”) among "
                          f"the reasons, got: {listed}")
            for option in picks
            if not any(reason_phrase(question, option) in said for said in advice.reasons)
        ]
    return failures


def reason_phrase(question: Question, option: Option) -> str:
    """Return how the advice's "because ..." names an answer (as `bot.engine.advice` does)."""
    return option.reason or f"you answered “{option.label}” to “{question.text}”"


def _ids(question: Question) -> str:
    ids = ", ".join(option.id for option in question.options)
    return f"{ids}; several joined by '+'" if question.multiple else ids
