"""A question that takes several options: the shipped dialogue's comfort question, by buttons
and by typing, and what the set then does to scores, reasons, conditions, back and changes."""

from __future__ import annotations

import pytest

from bot.engine import callback_data, engine, multiple, rules
from bot.engine.advice import advice_for
from bot.engine.model import Session, Step
from tests.engine.test_matching import DIALOGUE, NOW, at, typed

COMFORT = DIALOGUE.questions["comfort"]


def labels(step: Step) -> list[str]:
    return [button.label for row in step.reply.buttons for button in row]


def tap(session: Session, label: str, shown: Step | None = None) -> Step:
    """Press the button labelled `label` on `shown` (else on the question as first asked)."""
    reply = shown.reply if shown is not None else engine.show(DIALOGUE, session)
    for row in reply.buttons:
        for button in row:
            if button.label == label:
                return engine.press(DIALOGUE, session, button.data, NOW)
    raise AssertionError(f"no button {label!r} among {labels(shown) if shown else reply}")


def test_the_question_says_to_pick_several_and_has_a_done_button() -> None:
    reply = engine.show(DIALOGUE, at("comfort"))
    assert "Several answers may apply: check each, then press Done." in reply.text
    assert [b.label for row in reply.buttons for b in row][:5] == [
        "I wear glasses", "In-ear tips bother me", "My ears get hot", "Nothing in particular",
        "Done ▶"]


def test_a_press_checks_an_option_in_place_and_stores_nothing() -> None:
    session = at("comfort")
    step = tap(session, "I wear glasses")
    assert step.kind == "toggle"
    assert not step.changed
    assert step.session == session
    assert "✅ I wear glasses" in labels(step)
    again = tap(session, "✅ I wear glasses", step)  # unchecked again
    assert "I wear glasses" in labels(again)
    assert not any("✅" in b for b in labels(again))


def test_done_answers_with_every_option_checked_and_goes_on() -> None:
    session = at("comfort")
    step = tap(session, "I wear glasses")
    step = tap(session, "My ears get hot", step)
    done = tap(session, "Done ▶", step)
    assert done.changed
    assert done.session.chosen()["comfort"] == "glasses+heat"
    assert done.session.current == "isolation"


def test_done_with_nothing_checked_says_to_pick_one_and_changes_nothing() -> None:
    session = at("comfort")
    step = tap(session, "Done ▶")
    assert step.kind == "notice"
    assert not step.changed
    assert step.reply.text == "Pick at least 1, then press Done."


def test_the_exclusive_option_answers_at_once_alone() -> None:
    session = at("comfort")
    step = tap(session, "I wear glasses")
    done = tap(session, "Nothing in particular", step)
    assert done.session.chosen()["comfort"] == "none"
    assert done.session.current == "isolation"


def test_a_toggle_from_before_the_options_changed_is_stale() -> None:
    session = at("comfort")
    forged = f"comfort:{multiple.TOGGLE}1.fff"  # a fingerprint of other option ids
    assert engine.press(DIALOGUE, session, forged, NOW).kind == "stale"


def test_every_button_of_it_fits_telegrams_callback_data() -> None:
    size = len(multiple.longest_data(COMFORT).encode())
    assert size + callback_data.RESERVED <= callback_data.LIMIT


@pytest.mark.parametrize("text", [
    "glasses and hot ears", "I wear glasses, and my ears get hot", "1 3", "1, 3",
])
def test_typing_several_options_takes_them_all(text: str) -> None:
    step = typed("comfort", text)
    assert step.session.chosen().get("comfort") == "glasses+heat"
    assert step.session.current == "isolation"


def test_a_misspelt_option_beside_a_clear_one_is_asked_back_checked() -> None:
    step = typed("comfort", "glases and hot ears")
    assert step.kind == "did_you_mean"
    assert not step.changed
    assert step.reply.text.startswith("Did you mean “I wear glasses” and “My ears get hot”")
    assert {"✅ I wear glasses", "✅ My ears get hot", "Done ▶"} <= set(labels(step))
    done = tap(step.session, "Done ▶", step)
    assert done.session.chosen()["comfort"] == "glasses+heat"


def test_nothing_beside_an_option_is_asked_back_never_stored() -> None:
    step = typed("comfort", "glasses and nothing else")
    assert step.kind == "did_you_mean"
    assert "comfort" not in step.session.chosen()


def test_one_option_typed_is_one_answer() -> None:
    assert typed("comfort", "my ears get hot").session.chosen()["comfort"] == "heat"


def test_scores_add_up_and_one_reason_names_each_option_that_gave_points() -> None:
    chosen = {"use": "commute", "hours": "short", "comfort": "glasses+heat"}
    both = rules.scores(DIALOGUE, chosen)
    alone = [rules.scores(DIALOGUE, {**chosen, "comfort": o}) for o in ("glasses", "heat")]
    zero = rules.scores(DIALOGUE, {k: v for k, v in chosen.items() if k != "comfort"})
    for outcome in both:
        assert both[outcome] - zero[outcome] == sum(a[outcome] - zero[outcome] for a in alone)
    reasons = advice_for(DIALOGUE, {**chosen, "isolation": "none"}).reasons
    assert ("you wear glasses, and ear cups press on their arms and closed cups make your "
            "ears hot") in reasons


def test_a_condition_on_one_option_holds_when_it_is_among_those_chosen() -> None:
    tips_bother = next(c for c in DIALOGUE.conflicts if c.id == "tips_bother")
    with_ears = {"comfort": "ears+heat"}
    assert rules.holds(tips_bother.when, with_ears, outcome="iem")
    assert not rules.holds(tips_bother.when, {"comfort": "glasses+heat"}, outcome="iem")


def test_back_to_it_shows_the_set_checked() -> None:
    session = at("comfort")
    step = tap(session, "I wear glasses")
    answered = tap(session, "Done ▶", tap(session, "My ears get hot", step)).session
    back = engine.back(DIALOGUE, answered)
    assert back.session.current == "comfort"
    assert "comfort" not in back.session.chosen()
    assert {"✅ I wear glasses", "✅ My ears get hot"} <= set(labels(back))
    done = tap(back.session, "Done ▶", back)
    assert done.session.chosen()["comfort"] == "glasses+heat"


def finished(comfort: str) -> Session:
    """Return the commuter's finished session, with `comfort` pressed as one answer."""
    plan = {"use": "commute", "hours": "short", "comfort": comfort, "isolation": "some",
            "leak": "yes", "sound": "unsure", "budget": "mid", "anc": "no", "wireless": "yes",
            "mic": "no"}
    session = engine.start(DIALOGUE, NOW).session
    while session.current is not None:
        data = f"{session.current}:{plan[session.current]}"
        session = engine.press(DIALOGUE, session, data, NOW).session
    return session


def test_changing_it_from_the_result_shows_the_set_checked_and_lists_it_as_one() -> None:
    session = finished("glasses+heat")
    listing = engine.answers_to_change(DIALOGUE, session)
    assert "Comfort: I wear glasses, My ears get hot" in labels(listing)
    step = engine.revise(DIALOGUE, session, "comfort")
    assert step.reply.text.startswith(
        "Your answer was “I wear glasses, My ears get hot”. Pick the new one:")
    assert {"✅ I wear glasses", "✅ My ears get hot"} <= set(labels(step))
    changed = tap(step.session, "Done ▶", tap(step.session, "✅ My ears get hot", step))
    assert changed.session.finished
    assert changed.session.chosen()["comfort"] == "glasses"


def test_what_would_change_it_counts_another_set_as_one_change() -> None:
    step = engine.what_if(DIALOGUE, finished("glasses+heat"))
    assert ("• If in-ear tips bothered you and you wanted a cable, I'd pick Closed-back "
            "over-ear headphones.") in step.reply.text
