"""The engine as a person meets it: questions, buttons, typed answers, back, the result."""

from __future__ import annotations

import dataclasses

import pytest

from bot.engine import asking, engine
from bot.engine.model import Button, Session, Span, Step
from tests.engine.sample import sample_dialogue

NOW = 1_700_000_000.0
DIALOGUE = sample_dialogue()


def labels(step: Step) -> list[str]:
    return [button.label for row in step.reply.buttons for button in row]


def press(session: Session, label: str) -> Step:
    for row in asking.question_reply(DIALOGUE, session).buttons:
        for button in row:
            if button.label == label:
                return engine.press(DIALOGUE, session, button.data, NOW)
    raise AssertionError(f"no button {label!r}")


def test_start_asks_the_first_question_with_progress_and_buttons() -> None:
    step = engine.start(DIALOGUE, NOW)
    assert step.kind == "question"
    assert step.changed
    assert step.reply.text == "Question 1 of 4\n\nWhere do you listen?"
    assert labels(step) == ["At home", "At the gym", "On stage", "Not sure"]
    assert [len(row) for row in step.reply.buttons] == [2, 2]
    assert step.session.current == "where"
    assert step.session.started_at == NOW


def test_progress_counts_the_questions_this_path_will_ask() -> None:
    session = engine.start(DIALOGUE, NOW).session
    gym = press(session, "At the gym")
    # The gym path skips the leak question and the sound branch goes straight to budget.
    assert gym.reply.text.startswith("Question 2 of 3\n\n")
    stage = press(session, "On stage")
    assert stage.session.current == "fit"
    assert stage.reply.text.startswith("Question 2 of 3\n\n")


def test_pressing_a_button_records_the_answer_and_marks_the_choice() -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = press(session, "At home")
    assert step.session.current == "sound"
    assert step.session.chosen() == {"where": "home"}
    assert step.session.answers[0].at == NOW
    assert step.chosen_text == "Where do you listen?\n\n✅ At home"


@pytest.mark.parametrize(
    "typed",
    ["At home", "at HOME", "  at   home!! ", "1", "sofa", "House", "🏠 at home"],
)
def test_typed_answers_match_label_synonym_or_number(typed: str) -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = engine.type_answer(DIALOGUE, session, typed, NOW)
    assert step.kind == "question"
    assert step.session.chosen() == {"where": "home"}


def test_typed_answers_ignore_accents() -> None:
    session = engine.start(DIALOGUE, NOW).session
    for label in ("At the gym",):
        session = engine.type_answer(DIALOGUE, session, label, NOW).session
    assert session.current == "sound"
    session = engine.type_answer(DIALOGUE, session, "isolated", NOW).session
    assert session.current == "budget"
    step = engine.type_answer(DIALOGUE, session, "eleve", NOW)
    assert step.kind == "result"
    assert step.session.chosen()["budget"] == "high"


@pytest.mark.parametrize("typed", ["banana", "", "7", "0", "x" * 4096, "\u202eemoh ta"])
def test_anything_else_gets_a_reprompt_with_the_questions_buttons(typed: str) -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = engine.type_answer(DIALOGUE, session, typed, NOW)
    assert step.kind == "reprompt"
    assert not step.changed
    assert step.session == session
    assert "did not catch that" in step.reply.text
    # The buttons come again, so nobody is stuck with a question they cannot answer.
    assert labels(step) == ["At home", "At the gym", "On stage", "Not sure"]


def test_a_reprompt_may_still_list_the_options_in_its_text() -> None:
    listing = dataclasses.replace(
        DIALOGUE, texts=dataclasses.replace(DIALOGUE.texts, reprompt="Pick one:\n{options}"))
    step = engine.type_answer(listing, engine.start(listing, NOW).session, "banana", NOW)
    assert step.reply.text == "Pick one:\n1. At home\n2. At the gym\n3. On stage\n4. Not sure"


def test_a_button_from_another_question_changes_nothing() -> None:
    session = engine.start(DIALOGUE, NOW).session
    moved = press(session, "At home").session
    step = engine.press(DIALOGUE, moved, "where:gym", NOW)
    assert step.kind == "stale"
    assert not step.changed
    assert step.session == moved
    assert "earlier question" in step.reply.text


@pytest.mark.parametrize("data", ["where:nope", "nope:home", "garbage", "", "where"])
def test_forged_button_data_changes_nothing(data: str) -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = engine.press(DIALOGUE, session, data, NOW)
    assert step.kind == "stale"
    assert step.session == session


def test_back_returns_to_the_question_actually_asked_before() -> None:
    session = engine.start(DIALOGUE, NOW).session
    session = press(session, "On stage").session  # jumps to "fit", not the next in the file
    session = press(session, "Yes").session
    assert session.current == "budget"
    step = engine.back(DIALOGUE, session)
    assert step.session.current == "fit"
    assert step.session.chosen() == {"where": "stage"}
    assert step.reply.text.startswith("Question 2 of 3\n\nWould you get custom molds?")
    step = engine.back(DIALOGUE, step.session)
    assert step.session.current == "where"
    assert step.session.answers == ()


def test_back_on_the_first_question_says_there_is_nothing_to_undo_under_it() -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = engine.back(DIALOGUE, session)
    assert step.kind == "question"
    assert not step.changed
    assert step.reply.text.startswith("This is the first question; there is nothing to go")
    assert step.reply.text.endswith("Question 1 of 4\n\nWhere do you listen?")
    assert labels(step) == ["At home", "At the gym", "On stage", "Not sure"]


def test_every_question_after_the_first_has_a_back_button_that_names_it() -> None:
    session = engine.start(DIALOGUE, NOW).session
    assert "◀ Back" not in labels(engine.start(DIALOGUE, NOW))
    step = press(session, "At home")
    assert step.reply.buttons[-1] == (Button("◀ Back", "!back:sound"),)


def test_the_result_names_outcome_reasons_runner_up_and_tips() -> None:
    session = engine.start(DIALOGUE, NOW).session
    for label in ("At home", "Wide and open", "No", "Premium"):
        step = press(session, label)
        session = step.session
    assert step.kind == "result"
    assert session.finished
    assert session.outcome == "open"
    text = step.reply.text
    assert text.startswith("My recommendation: Open-back headphones\nBig, airy sound.\n\n")
    assert step.reply.spans[0] == Span("bold", 0, len("My recommendation: Open-back headphones"))
    assert "because you listen at home; you like a wide stage" in text
    assert "Close runner-up: Custom IEMs." in text
    assert "• Think about where you listen." in text
    assert "• Think long term." in text
    assert "Try both" not in text  # 7 points against 1 is no close call


def test_a_close_call_adds_try_both_and_extras_follow_their_conditions() -> None:
    session = engine.start(DIALOGUE, NOW).session
    for label in ("At the gym", "Wide and open", "Tight"):
        session = press(session, label).session
    # iem: 3 + 1 = 4, open: 2: a margin of two is a close call only with close_margin 2.
    assert session.outcome == "iem"
    narrow = engine.show(DIALOGUE, session).text
    assert "Try both" not in narrow
    assert "• Pick sweat-proof ones." in narrow
    assert "• Try several ear tip sizes." in narrow
    wide = engine.show(sample_dialogue(close_margin=2), session).text
    assert "• Try both before buying." in wide


def test_not_sure_everywhere_still_ends_with_advice_and_try_both() -> None:
    session = engine.start(DIALOGUE, NOW).session
    for label in ("Not sure", "Not sure", "No", "Tight"):
        session = press(session, label).session
    assert session.outcome is not None
    assert "Try both before buying." in engine.show(DIALOGUE, session).text


def test_a_finished_session_refuses_more_answers() -> None:
    session = engine.start(DIALOGUE, NOW).session
    for label in ("At the gym", "Isolated", "Tight"):
        session = press(session, label).session
    assert session.finished
    assert engine.press(DIALOGUE, session, "budget:low", NOW).kind == "stale"
    assert engine.type_answer(DIALOGUE, session, "Tight", NOW).kind == "notice"
    reopened = engine.back(DIALOGUE, session)
    assert reopened.session.current == "budget"
    assert reopened.session.outcome is None


@pytest.mark.parametrize(("typed", "expected"), [("gym", "gym"), ("stage", "stage")])
def test_a_word_of_one_label_is_enough_when_no_other_option_has_it(
    typed: str, expected: str
) -> None:
    session = engine.start(DIALOGUE, NOW).session
    step = engine.type_answer(DIALOGUE, session, typed, NOW)
    assert step.session.chosen() == {"where": expected}


@pytest.mark.parametrize("typed", ["at", "a", "on the"])
def test_a_word_shared_by_several_labels_or_too_short_is_not_a_guess(typed: str) -> None:
    session = engine.start(DIALOGUE, NOW).session
    assert engine.type_answer(DIALOGUE, session, typed, NOW).kind == "reprompt"


def test_a_session_carries_over_to_a_new_version_where_its_answers_still_fit() -> None:
    session = engine.start(DIALOGUE, NOW).session
    session = press(session, "At home").session
    newer = dataclasses.replace(DIALOGUE, version="2")
    adopted = engine.adopt(newer, session)
    assert adopted is not None
    assert adopted.version == "2"
    assert adopted.chosen() == {"where": "home"}


def test_a_session_whose_question_or_answer_is_gone_must_start_again() -> None:
    session = press(engine.start(DIALOGUE, NOW).session, "At home").session
    assert session.current == "sound"
    without_sound = {k: v for k, v in DIALOGUE.questions.items() if k != "sound"}
    # Same version on purpose: an edit without a version bump is caught too.
    assert engine.adopt(dataclasses.replace(DIALOGUE, questions=without_sound), session) is None
    where = DIALOGUE.questions["where"]
    fewer = dataclasses.replace(where, options=where.options[1:])
    changed = {**DIALOGUE.questions, "where": fewer}
    assert engine.adopt(dataclasses.replace(DIALOGUE, questions=changed), session) is None
    other = dataclasses.replace(DIALOGUE, id="other")
    assert engine.adopt(other, session) is None
