"""People a reader of the headphones-vs-IEMs article would advise, walked through the bot.

Each persona answers only the questions it is asked, by pressing buttons, and must end with
the recommendation, reasons and tips that reader would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.engine import engine
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue, Step

DIALOGUE = Path(__file__).resolve().parents[1] / "dialogues" / "headphones_vs_iems.yaml"


@dataclass(frozen=True)
class Persona:
    """Someone with answers to every question they should be asked, and the advice they need."""

    name: str
    answers: dict[str, str]
    outcome: str
    reasons: tuple[str, ...]
    tips: frozenset[str]
    extras: tuple[str, ...] = field(default=())
    close_call: bool = False
    """Whether the result is shown as a close call between the top two (thin evidence)."""


PERSONAS = [
    Persona(
        "frequent flyer who trusts passive isolation",
        {
            "use": "commute",
            "hours": "long",
            "comfort": "none",
            "isolation": "lot",
            "leak": "yes",
            "sound": "detail",
            "budget": "high",
            "anc": "no",
            "wireless": "no",
            "mic": "no",
        },
        outcome="iem_multi_driver",
        reasons=("you can spend on a higher-end pair", "you want isolated, detailed sound"),
        tips=frozenset({"long_term", "ear_tips", "volume"}),
    ),
    Persona(
        "gym-goer",
        {
            "use": "gym",
            "hours": "short",
            "comfort": "heat",
            "isolation": "some",
            "budget": "mid",
            "anc": "any",
            "wireless": "yes",
            "mic": "yes",
        },
        outcome="iem_wireless",
        reasons=("you listen while working out", "you want to go cable-free"),
        tips=frozenset({"ear_tips"}),
        extras=("IPX4",),
    ),
    Persona(
        "home listener who wants a wide soundstage",
        {
            "use": "home",
            "hours": "long",
            "comfort": "none",
            "isolation": "none",
            "leak": "no",
            "sound": "wide",
            "budget": "high",
            "wireless": "no",
            "mic": "no",
        },
        outcome="open_back",
        reasons=("you love a wide, open soundstage", "you listen mostly at home"),
        tips=frozenset({"long_term", "shared_room"}),
    ),
    Persona(
        "office worker whose colleagues sit close",
        {
            "use": "office",
            "hours": "long",
            "comfort": "none",
            "isolation": "some",
            "leak": "yes",
            "sound": "unsure",
            "budget": "mid",
            "anc": "no",
            "wireless": "no",
            "mic": "yes",
        },
        outcome="closed_back",
        reasons=("you listen at work with people around",),
        tips=frozenset({"long_term"}),
        extras=("boom or in-cable microphone",),
    ),
    Persona(
        "gamer with long evenings at home and a team to talk to",
        {
            "use": "gaming",
            "hours": "long",
            "comfort": "none",
            "isolation": "none",
            "leak": "no",
            "sound": "wide",
            "budget": "mid",
            "wireless": "any",
            "mic": "yes",
        },
        outcome="open_back",
        reasons=("you love a wide, open soundstage", "you game for long stretches"),
        tips=frozenset({"long_term", "shared_room"}),
        extras=("boom mic", "footsteps"),
    ),
    Persona(
        "stage musician",
        {
            "use": "stage",
            "work": "fit",
            "hours": "long",
            "comfort": "none",
            "isolation": "lot",
            "sound": "detail",
            "budget": "premium",
        },
        outcome="iem_custom",
        reasons=("you perform on stage", "you need a fit that stays put while you move"),
        tips=frozenset({"long_term", "custom_fit", "volume"}),
    ),
    Persona(
        "studio engineer who mixes",
        {
            "use": "studio",
            "work": "mix",
            "hours": "long",
            "comfort": "none",
            "isolation": "none",
            "leak": "no",
            "sound": "wide",
            "budget": "high",
        },
        outcome="open_back",
        reasons=("you judge mixes and want a natural, open sound",),
        tips=frozenset({"long_term", "shared_room"}),
        extras=("neutral, flat tuning",),
    ),
    Persona(
        "commuter on a tight budget",
        {
            "use": "commute",
            "hours": "short",
            "comfort": "none",
            "isolation": "some",
            "leak": "yes",
            "sound": "unsure",
            "budget": "tight",
            "anc": "no",
            "wireless": "no",
            "mic": "yes",
        },
        outcome="iem",
        reasons=("your budget is tight",),
        tips=frozenset({"ear_tips"}),
        extras=("in-line mic", "foam tips"),
    ),
    Persona(
        "glasses wearer who listens for hours",
        {
            "use": "unsure",
            "hours": "long",
            "comfort": "glasses",
            "isolation": "some",
            "leak": "yes",
            "sound": "unsure",
            "budget": "mid",
            "anc": "any",
            "wireless": "no",
            "mic": "no",
        },
        outcome="iem",
        reasons=("you wear glasses, and ear cups press on their arms",),
        tips=frozenset({"assess_needs", "long_term", "ear_tips"}),
        extras=("Nothing presses on your glasses",),
    ),
    Persona(
        "undecided person who is not sure of anything",
        {
            "use": "unsure",
            "hours": "unsure",
            "comfort": "none",
            "isolation": "unsure",
            "leak": "unsure",
            "sound": "unsure",
            "budget": "unsure",
            "anc": "any",
            "wireless": "any",
            "mic": "any",
        },
        outcome="closed_back",
        reasons=(),
        tips=frozenset({"assess_needs", "try_both"}),
        close_call=True,
    ),
    Persona(
        "commuter who wants noise cancelling over-ears",
        {
            "use": "commute",
            "hours": "mid",
            "comfort": "ears",
            "isolation": "lot",
            "leak": "yes",
            "sound": "unsure",
            "budget": "high",
            "anc": "yes",
            "wireless": "yes",
            "mic": "yes",
        },
        outcome="closed_back_anc",
        reasons=("you want active noise cancelling", "you need to shut out a lot of noise"),
        tips=frozenset({"long_term", "volume"}),
    ),
    Persona(
        "club DJ",
        {
            "use": "dj",
            "work": "block",
            "hours": "long",
            "comfort": "none",
            "isolation": "lot",
            "leak": "no",
            "sound": "detail",
            "budget": "mid",
            "wireless": "no",
        },
        outcome="closed_back",
        reasons=(
            "you DJ and cue tracks over loud speakers",
            "you must keep loud sound out and your audio in",
        ),
        tips=frozenset({"long_term", "volume"}),
        extras=("swivelling ear cups",),
    ),
    Persona(
        "student who dislikes earbuds and listens in short bursts on little money",
        {
            "use": "unsure",
            "hours": "short",
            "comfort": "ears",
            "isolation": "some",
            "leak": "unsure",
            "sound": "unsure",
            "budget": "tight",
            "anc": "no",
            "wireless": "yes",
            "mic": "yes",
        },
        outcome="on_ear",
        reasons=("your sessions are short", "things inside your ear canals bother you"),
        tips=frozenset({"assess_needs"}),
        extras=("Bluetooth on-ears",),
    ),
]


@pytest.fixture(scope="module")
def dialogue() -> Dialogue:
    """Return the real dialogue file, loaded and validated."""
    return load_dialogue(DIALOGUE)


def button_data(step: Step, option_id: str) -> str:
    """Return the data of the button for `option_id` in this step, failing if there is none."""
    for row in step.reply.buttons:
        for button in row:
            if button.data.endswith(f":{option_id}"):
                return button.data
    labels = [button.data for row in step.reply.buttons for button in row]
    pytest.fail(f"no button for option {option_id!r} among {labels}")


def walk(dialogue: Dialogue, persona: Persona) -> tuple[Step, list[str]]:
    """Press this persona's answers from /start to the result; return it and what was asked."""
    step = engine.start(dialogue, now=0.0)
    asked: list[str] = []
    while step.kind == "question":
        question = step.session.current
        assert question is not None
        if question not in persona.answers:
            pytest.fail(f"the {persona.name} has no answer for {question!r}:\n{step.reply.text}")
        asked.append(question)
        step = engine.press(
            dialogue, step.session, button_data(step, persona.answers[question]), len(asked)
        )
    assert step.kind == "result", step.reply.text
    return step, asked


def because_line(dialogue: Dialogue, text: str) -> str:
    """Return the paragraph of the result that says "because ...", or "" if there is none.

    A close call has none: it gives each of its two outcomes the reasons for it.
    """
    prefix = dialogue.texts.because.split("{reasons}")[0]
    return next((part for part in text.split("\n\n") if part.startswith(prefix)), "")


def reasons_shown(dialogue: Dialogue, step: Step) -> str:
    """Return where the result gives its reasons: the "because" line, or a close call's
    line for its first outcome."""
    text = step.reply.text
    because = because_line(dialogue, text)
    if because:
        return because
    first = dialogue.outcomes[step.session.outcome or ""].name
    return next((line for line in text.splitlines() if line.startswith(f"• {first} — ")), "")


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.name for p in PERSONAS])
def test_persona_gets_the_advice_a_reader_would_give(dialogue: Dialogue, persona: Persona) -> None:
    step, asked = walk(dialogue, persona)
    text = step.reply.text
    outcome = dialogue.outcomes[persona.outcome]

    assert step.session.outcome == persona.outcome, text
    heading = text.split("\n", 1)[0]
    if persona.close_call:
        assert heading.startswith(f"It's a close call: {outcome.name} or "), heading
    else:
        assert heading == dialogue.texts.result_heading.format(title=outcome.title)
    assert set(asked) == set(persona.answers), "answers given for questions never asked"
    assert 7 <= len(asked) <= 10, f"{len(asked)} questions is not a short chat: {asked}"

    because = reasons_shown(dialogue, step)
    for reason in persona.reasons:
        assert reason in because, f"{reason!r} missing from {because!r}"
    for extra in persona.extras:
        assert extra in text, f"the advice does not mention {extra!r}"

    shown = {tip.id for tip in dialogue.tips if tip.text in text}
    assert shown == persona.tips


def test_undecided_person_hears_no_made_up_reasons_and_no_confident_pick(
    dialogue: Dialogue,
) -> None:
    undecided = next(p for p in PERSONAS if p.name.startswith("undecided"))
    step, _ = walk(dialogue, undecided)
    assert because_line(dialogue, step.reply.text) == ""
    assert "My pick for you" not in step.reply.text
    assert step.reply.text.count("nothing you said counts for it yet") == 2
    try_both = next(tip for tip in dialogue.tips if tip.id == "try_both")
    assert try_both.text in step.reply.text


def test_every_outcome_has_a_persona(dialogue: Dialogue) -> None:
    assert {p.outcome for p in PERSONAS} == set(dialogue.outcomes)


def test_gym_goer_is_not_asked_about_soundstage_or_leakage(dialogue: Dialogue) -> None:
    gym_goer = next(p for p in PERSONAS if p.name == "gym-goer")
    _, asked = walk(dialogue, gym_goer)
    assert "sound" not in asked
    assert "leak" not in asked


def test_professionals_are_asked_what_their_work_needs(dialogue: Dialogue) -> None:
    for persona in PERSONAS:
        _, asked = walk(dialogue, persona)
        professional = persona.answers["use"] in {"studio", "dj", "stage"}
        assert ("work" in asked) == professional, persona.name
