"""What `test` says about stories: a line per file, and for each failing story why."""

from __future__ import annotations

from pathlib import Path

from bot.authoring.stories import StoryRun
from bot.engine.model import Dialogue


def file_summary(dialogue: Dialogue, path: Path, runs: list[StoryRun]) -> str:
    """Return a line saying how the stories of one file did, and one naming the outcomes
    no story ends with, if any."""
    failed = sum(not run.passed for run in runs)
    count = f"{len(runs)} stor{'y' if len(runs) == 1 else 'ies'}"
    verdict = "all passed" if not failed else f"{failed} failed"
    lines = [f"{path}: {count}, {verdict}"]
    untold = [outcome for outcome in dialogue.outcomes if outcome not in told(runs)]
    if untold:
        lines.append(f"  no story ends with {', '.join(untold)}: add one for each")
    return "\n".join(lines)


def told(runs: list[StoryRun]) -> set[str]:
    """Return the outcomes the stories expect (as written, whether they passed or not)."""
    return {run.story.outcome for run in runs}


def failure_report(dialogue: Dialogue, run: StoryRun) -> str:
    """Return what a failing story expected and got, the answers it gave and the scores."""
    story = run.story
    lines = [f"{story.where}: story “{story.name}” failed"]
    lines += [f"  line {failure.line}: {failure.message}" for failure in run.failures]
    lines.append(f"  answers: {answers(dialogue, run) or 'none'}")
    if run.advice is not None:
        ranked = sorted(run.advice.scores.items(), key=lambda item: -item[1])
        lines.append("  scores: " + ", ".join(f"{outcome} {points}" for outcome, points in ranked))
    return "\n".join(lines)


def answers(dialogue: Dialogue, run: StoryRun) -> str:
    """Return the answers a story gave, in asking order, saying which were typed or filled."""
    shown = []
    for given in run.given:
        question = dialogue.questions[given.question]
        option = question.option(given.option)
        label = option.label if option is not None else given.option
        if given.how == "pressed":
            shown.append(f"{given.question}: {given.option}")
        elif given.how == "typed":
            typed = run.story.answers[given.question]
            shown.append(f"{given.question}: {typed!r} read as {given.option} (“{label}”)")
        else:
            shown.append(f"{given.question}: {given.option} (“{label}”, from the same message)")
    return "; ".join(shown)
