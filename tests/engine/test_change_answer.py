"""Changing one answer after the fact: only what the new answer requires is asked, every later
answer that still applies is kept, and the new result says what changed."""

from __future__ import annotations

from bot.config import DEFAULT_DIALOGUE
from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.engine.model import Reply, Revision, Session, Step

DIALOGUE = load_dialogue(DEFAULT_DIALOGUE)
FLYER = {"use": "commute", "hours": "long", "comfort": "none", "isolation": "lot",
         "leak": "yes", "sound": "detail", "budget": "high", "anc": "no", "wireless": "no",
         "mic": "no"}


def finished(chosen: dict[str, str]) -> Session:
    session = engine.start(DIALOGUE, 0).session
    while not session.finished:
        assert session.current is not None
        session = press(session, chosen[session.current]).session
    return session


def press(session: Session, option: str, now: float = 100.0) -> Step:
    return engine.press(DIALOGUE, session, f"{session.current}:{option}", now)


def labels(reply: Reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


def test_the_answers_to_change_are_listed_in_the_order_asked_with_the_answer_given() -> None:
    step = engine.answers_to_change(DIALOGUE, finished(FLYER))
    assert step.kind == "explanation"
    assert not step.changed
    assert labels(step.reply)[:3] == ["Where you listen: Commute & travel",
                                      "How long you listen: 3+ hours, most days",
                                      "Comfort: Nothing in particular"]
    assert len(labels(step.reply)) == len(FLYER)
    assert step.reply.buttons[6][0].data == "!change:budget"


def test_a_new_budget_keeps_every_later_answer_and_says_what_changed() -> None:
    done = finished(FLYER)
    asked = engine.revise(DIALOGUE, done, "budget")
    assert asked.kind == "question"
    assert asked.changed
    revised = asked.session
    assert revised.current == "budget"
    assert revised.chosen() == {q: FLYER[q] for q in list(FLYER)[:6]}
    assert revised.revising == Revision(done.answers, "iem_multi_driver")
    assert asked.reply.text.startswith("Your answer was “High ($150–400)”. Pick the new one:")
    assert "Question 7 of 10" in asked.reply.text

    result = press(revised, "tight", now=500.0)

    assert result.kind == "result"
    assert result.session.chosen() == {**FLYER, "budget": "tight"}
    kept = {a.question: a.at for a in result.session.answers}
    assert kept["anc"] == kept["mic"] == 100.0  # kept as answered then, not asked again
    assert kept["budget"] == 500.0
    assert result.reply.text.startswith(
        "Budget: High ($150–400) → Tight (under $50): now entry-level IEMs instead of "
        "multi-driver IEMs.\n\n")


def test_a_new_answer_asks_only_the_questions_it_now_requires_and_drops_skipped_ones() -> None:
    done = finished(FLYER)
    revised = engine.revise(DIALOGUE, done, "use").session
    assert revised.answers == ()
    step = press(revised, "studio")
    # Studio work asks what the work needs: a question this person was never asked.
    assert step.session.current == "work"
    assert step.session.chosen() == {"use": "studio"}
    result = press(step.session, "mix")
    assert result.kind == "result"
    # Studio work skips noise cancelling, wireless and the microphone: those answers go.
    assert result.session.chosen() == {
        "use": "studio", "work": "mix", "hours": "long", "comfort": "none",
        "isolation": "lot", "leak": "yes", "sound": "detail", "budget": "high"}
    assert result.reply.text.startswith("Where you listen: Commute & travel → Studio work: ")


def test_picking_the_same_answer_again_changes_nothing_and_says_nothing_changed() -> None:
    done = finished(FLYER)
    result = press(engine.revise(DIALOGUE, done, "mic").session, "no")
    assert result.session.chosen() == FLYER
    assert result.reply.text.startswith("My pick for you: ")


def test_an_answer_can_be_changed_before_the_end_and_the_open_question_comes_back() -> None:
    session = engine.start(DIALOGUE, 0).session
    for option in ("commute", "long", "none"):
        session = press(session, option).session
    assert session.current == "isolation"
    revised = engine.revise(DIALOGUE, session, "hours").session
    step = press(revised, "short")
    assert step.session.current == "isolation"
    assert step.session.chosen() == {"use": "commute", "hours": "short", "comfort": "none"}


def test_a_question_never_answered_cannot_be_changed() -> None:
    step = engine.revise(DIALOGUE, finished(FLYER), "work")
    assert step.kind == "stale"
    assert not step.changed
