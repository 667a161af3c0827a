"""Typed answers to the shipped dialogue, as a person types them, straight to the engine."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DIALOGUE
from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.engine.model import Session, Step

DIALOGUE = load_dialogue(DEFAULT_DIALOGUE)
NOW = 1_700_000_000.0
ON_THE_WAY = {"use": "home", "work": "fit", "hours": "mid", "comfort": "none",
              "isolation": "some", "leak": "yes", "sound": "wide", "budget": "mid",
              "anc": "no", "wireless": "no", "mic": "no"}


def at(question: str, **answers: str) -> Session:
    """Return a session standing at `question`, pressed there with these answers on the way."""
    session = engine.start(DIALOGUE, NOW).session
    while session.current != question:
        assert session.current is not None, f"the route never asks {question!r}"
        option = answers.get(session.current, ON_THE_WAY[session.current])
        session = engine.press(DIALOGUE, session, f"{session.current}:{option}", NOW).session
    return session


def typed(question: str, text: str, **answers: str) -> Step:
    return engine.type_answer(DIALOGUE, at(question, **answers), text, NOW)


def taken(question: str, text: str, **answers: str) -> str | None:
    """Return the option stored for `question` after typing `text` there, or None."""
    return typed(question, text, **answers).session.chosen().get(question)


def offered(step: Step) -> list[str]:
    """Return the data of the answer buttons of a reply (not the "show all" one)."""
    return [b.data for row in step.reply.buttons for b in row if not b.data.startswith("!")]


@pytest.mark.parametrize(("question", "text", "option"), [
    ("use", "mostly on the train", "commute"),
    ("use", "I play drums in a band", "stage"),
    ("use", "when I travel for work, on planes", "commute"),
    ("comfort", "yes, I have specs", "glasses"),
    ("sound", "I want to hear every detail", "detail"),
])
def test_a_name_inside_a_sentence_counts(question: str, text: str, option: str) -> None:
    assert taken(question, text) == option


@pytest.mark.parametrize(("question", "text", "option"), [
    ("use", "trains", "commute"),
    ("use", "commuting", "commute"),
    ("use", "gamers", "gaming"),
    ("use", "gigs", "stage"),
    ("comfort", "sweating", "heat"),
])
def test_word_forms_are_folded(question: str, text: str, option: str) -> None:
    assert taken(question, text) == option


@pytest.mark.parametrize("text", ["I", "a", "mostly", "please", "I mostly, please", "the"])
def test_small_words_never_decide(text: str) -> None:
    assert typed("use", text).kind == "reprompt"


@pytest.mark.parametrize(("question", "text", "option"), [
    ("comfort", "glases", "glasses"),
    ("wireless", "wirless", "yes"),
    ("use", "comute", "commute"),
    ("sound", "detial", "detail"),
])
def test_a_typo_is_asked_back_with_only_the_option_it_is_close_to(
    question: str, text: str, option: str
) -> None:
    step = typed(question, text)
    assert step.kind == "did_you_mean"
    assert offered(step) == [f"{question}:{option}"]
    assert not step.changed


def test_a_real_word_is_never_taken_for_a_typo_of_another() -> None:
    # "home" is one letter from "some", but it is a word the dialogue knows.
    assert typed("isolation", "home").kind == "reprompt"


@pytest.mark.parametrize(("question", "text", "option"), [
    ("anc", "sure", "yes"),
    ("anc", "yeah", "yes"),
    ("anc", "👍", "yes"),
    ("anc", "of course", "yes"),
    ("anc", "nope", "no"),
    ("anc", "no thanks", "no"),
    ("anc", "👎", "no"),
    ("anc", "not sure", "any"),
    ("anc", "dunno", "any"),
    ("anc", "idk", "any"),
    ("anc", "doesn't matter", "any"),
    ("mic", "I don't need a mic", "no"),
    ("wireless", "not wireless", "no"),
    ("comfort", "nope", "none"),
    ("leak", "doesn't matter", "no"),  # its own synonym: here it answers the question with no
])
def test_the_shared_yes_no_and_not_sure_words(question: str, text: str, option: str) -> None:
    assert taken(question, text) == option


def test_saying_yes_and_no_at_once_is_asked_back() -> None:
    step = typed("leak", "yeah, I don't want to annoy people")
    assert step.kind == "did_you_mean"
    assert offered(step) == ["leak:yes", "leak:no"]


@pytest.mark.parametrize(("question", "text", "option"), [
    ("budget", "about 100 dollars", "mid"),
    ("budget", "$200", "high"),
    ("budget", "300 euros", "high"),
    ("budget", "£40", "tight"),
    ("budget", "1000", "premium"),
    ("budget", "under 30", "tight"),
    ("budget", "fifty dollars", "mid"),
    ("budget", "under 100 dollars", "mid"),
    ("budget", "1k", "premium"),
    ("hours", "2 hours", "mid"),
    ("hours", "an hour", "mid"),
    ("hours", "half an hour", "short"),
    ("hours", "30 minutes", "short"),
    ("hours", "8 hours a day", "long"),
    ("hours", "3+ hours", "long"),
    ("hours", "two hours", "mid"),
])
def test_amounts_land_in_the_option_whose_range_holds_them(
    question: str, text: str, option: str
) -> None:
    assert taken(question, text) == option


@pytest.mark.parametrize(("text", "options"), [
    ("around 150", ["budget:mid", "budget:high"]),  # a guess across a boundary
    ("100 to 200", ["budget:mid", "budget:high"]),
])
def test_an_amount_that_spans_options_is_asked_back(text: str, options: list[str]) -> None:
    step = typed("budget", text)
    assert step.kind == "did_you_mean"
    assert offered(step) == options


@pytest.mark.parametrize(("question", "text", "expected"), [
    ("hours", "3", "long"),  # the third button, and 3 hours: both say 3+ hours
    ("hours", "2", "mid"),
    ("use", "3", "commute"),  # no ranges: a position
    ("budget", "1000", "premium"),  # no position that high: an amount
])
def test_a_bare_number_that_means_one_thing_is_taken(
    question: str, text: str, expected: str
) -> None:
    assert taken(question, text) == expected


@pytest.mark.parametrize(("question", "text", "options"), [
    ("hours", "1", ["hours:short", "hours:mid"]),  # the first button, or one hour?
    ("budget", "3", ["budget:tight", "budget:high"]),  # the third button, or $3?
])
def test_a_bare_number_that_is_a_position_and_another_amount_is_asked_back(
    question: str, text: str, options: list[str]
) -> None:
    step = typed(question, text)
    assert step.kind == "did_you_mean"
    assert offered(step) == options


def test_did_you_mean_offers_the_close_options_and_the_whole_list() -> None:
    step = typed("use", "I work from home")
    assert step.reply.text == "Did you mean “At home” or “At the office”?"
    rows = [[(b.label, b.data) for b in row] for row in step.reply.buttons]
    assert rows == [[("At home", "use:home")], [("At the office", "use:office")],
                    [("Show all the answers", "!options")]]
    assert step.session == at("use")


def test_a_reprompt_carries_the_questions_buttons() -> None:
    step = typed("isolation", "blorp")
    assert step.kind == "reprompt"
    options = DIALOGUE.questions["isolation"].options
    assert offered(step) == [f"isolation:{o.id}" for o in options]


def test_a_reprompt_at_a_multiple_question_carries_its_check_buttons_and_done() -> None:
    step = typed("comfort", "blorp")
    assert step.kind == "reprompt"
    labels = [button.label for row in step.reply.buttons for button in row]
    assert labels == [*(o.label for o in DIALOGUE.questions["comfort"].options), "Done ▶"]


def test_weak_evidence_amid_other_words_is_not_an_answer() -> None:
    assert typed("hours", "1; DELETE FROM sessions WHERE 1=1; --").kind == "reprompt"


@pytest.mark.parametrize(("question", "text", "option"), [
    ("hours", "one to three hours", "mid"),  # a span that starts in words
    ("isolation", "hardly", "none"),  # not "hard (to say)": a name keeps its inner words
    ("budget", "money no object", "premium"),  # but loses them when most of it stays
])
def test_names_and_spans_read_as_written(question: str, text: str, option: str) -> None:
    assert taken(question, text) == option


def test_words_inside_a_longer_name_of_the_same_option_count_once() -> None:
    # "for sure" and the "sure" inside it are one yes, against one "don't mind": asked back.
    step = typed("mic", "Don't mind for sure")
    assert step.kind == "did_you_mean"
    assert offered(step) == ["mic:yes", "mic:any"]
    assert taken("mic", "Don't mind for sure") is None
