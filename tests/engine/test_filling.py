"""Several answers in one message: clear answers to later questions fill them, in turn."""

from __future__ import annotations

from bot.engine import engine
from bot.engine.model import Step
from tests.engine.test_matching import DIALOGUE, NOW, at, typed


def answered(step: Step) -> list[tuple[str, str]]:
    return [(a.question, a.option) for a in step.session.answers]


def test_one_message_fills_every_question_it_clearly_answers_in_asking_order() -> None:
    step = typed("use", "Wireless earbuds for the gym, under $50")
    assert answered(step) == [("use", "gym"), ("budget", "tight"), ("wireless", "yes")]
    assert step.reply.text.startswith("Got it: workouts, under $50, wireless.\n\n")
    # The filled questions are skipped: next comes the first one still open.
    assert step.session.current == "hours"
    assert "Question 4 of 8" in step.reply.text
    assert step.chosen_text == "Where or how will you listen most?\n\n✅ Workouts"


def test_filled_questions_are_never_asked_and_the_rest_come_in_order() -> None:
    session = typed("use", "Wireless earbuds for the gym, under $50").session
    asked = []
    while session.current is not None:
        asked.append(session.current)
        question = DIALOGUE.questions[session.current]
        data = f"{question.id}:{question.options[-1].id}"
        session = engine.press(DIALOGUE, session, data, NOW).session
    assert asked == ["hours", "comfort", "isolation", "anc", "mic"]
    assert session.chosen()["budget"] == "tight"


def test_back_undoes_each_filled_answer_and_the_open_questions_still_come_first() -> None:
    session = typed("use", "Wireless earbuds for the gym, under $50").session
    back = engine.back(DIALOGUE, session)
    assert back.session.current == "wireless"
    assert [a.question for a in back.session.answers] == ["use", "budget"]
    again = engine.press(DIALOGUE, back.session, "wireless:no", NOW)
    assert again.session.current == "hours"  # not mic: hours was never answered
    assert [a.question for a in again.session.answers] == ["use", "budget", "wireless"]
    assert engine.back(DIALOGUE, engine.back(DIALOGUE, back.session).session).session.current \
        == "use"


def test_only_clear_answers_fill_other_questions() -> None:
    # "a lot" is too vague out of its question; "no" answers only the question asked;
    # a number without a unit is no amount of anything in particular.
    for text in ("at home a lot", "at home, no", "at home, 100"):
        assert answered(typed("use", text)) == [("use", "home")], text


def test_a_question_the_route_may_skip_is_not_filled() -> None:
    # ANC is asked only when the noise question is not answered "hardly any": not known yet.
    assert answered(typed("use", "commuting, with noise cancelling")) == [("use", "commute")]


def test_a_word_two_questions_could_take_fills_neither() -> None:
    # "open" is a synonym at the studio question and the sound question alike.
    step = typed("use", "studio, open sound")
    assert answered(step) == [("use", "studio")]


def test_nothing_is_filled_when_the_current_question_is_asked_back() -> None:
    step = typed("use", "I work from home, under $50")
    assert step.kind == "did_you_mean"
    assert not step.changed
    assert step.session == at("use")
