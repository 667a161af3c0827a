"""Random inputs to the pure engine on the real dialogue never leave a session in a bad state."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_DIALOGUE
from bot.engine import callback_data, engine, rules
from bot.engine.loader import load_dialogue
from bot.engine.model import TEXT_LIMIT, Session, Step

DIALOGUE = load_dialogue(DEFAULT_DIALOGUE)
NOW = 1_700_000_000.0
QUESTIONS = sorted(DIALOGUE.questions)
OPTIONS = sorted({o.id for q in DIALOGUE.questions.values() for o in q.options})
WORDS = sorted({name for q in DIALOGUE.questions.values() for o in q.options
                for name in (o.label, o.id, *o.synonyms)})


@dataclass(frozen=True)
class Start:
    """/start."""


@dataclass(frozen=True)
class Choose:
    """A press of the current question's n-th button (modulo how many it has)."""

    n: int


@dataclass(frozen=True)
class Press:
    """A press carrying any data: another question's button, a made-up one, garbage."""

    data: str


@dataclass(frozen=True)
class Type:
    """Typed text."""

    text: str


@dataclass(frozen=True)
class Back:
    """/back."""


Action = Start | Choose | Press | Type | Back

texts = st.one_of(st.sampled_from(WORDS), st.integers(-2, 15).map(str), st.text(max_size=40))
data = st.one_of(
    st.builds(lambda q, o: f"{q}:{o}", st.sampled_from(QUESTIONS), st.sampled_from(OPTIONS)),
    st.text(max_size=40),
)
actions = st.lists(
    st.one_of(
        st.just(Start()), st.integers(0, 20).map(Choose), data.map(Press), texts.map(Type),
        st.just(Back()),
    ),
    max_size=40,
)


def act(session: Session | None, action: Action) -> Step:
    """Apply one input, as the Advisor would (a chat with no session starts one first)."""
    if session is None or isinstance(action, Start):
        return engine.start(DIALOGUE, NOW)
    match action:
        case Choose(n):
            if session.current is None:
                return engine.press(DIALOGUE, session, "use:home", NOW)
            options = DIALOGUE.questions[session.current].options
            option = options[n % len(options)]
            return engine.press(DIALOGUE, session, f"{session.current}:{option.id}", NOW)
        case Press(raw):
            return engine.press(DIALOGUE, session, raw, NOW)
        case Type(text):
            return engine.type_answer(DIALOGUE, session, text, NOW)
        case Back():
            return engine.back(DIALOGUE, session)
    raise AssertionError(action)


def replayed(session: Session) -> Session:
    """Return where the session's answers lead when pressed again from the start."""
    again = engine.start(DIALOGUE, NOW).session
    for answer in session.answers:
        assert again.current == answer.question, "an answer to a question that was not asked"
        again = engine.press(DIALOGUE, again, f"{answer.question}:{answer.option}", NOW).session
    return again


def check(before: Session | None, action: Action, step: Step) -> None:
    """Assert every invariant of a session and of the step that produced it."""
    session = step.session
    assert session.current is None or session.current in DIALOGUE.questions
    for answer in session.answers:
        assert DIALOGUE.questions[answer.question].option(answer.option) is not None
    assert len({a.question for a in session.answers}) == len(session.answers)
    assert replayed(session).current == session.current
    if session.finished:
        assert session.outcome in DIALOGUE.outcomes
    else:
        number, total = engine.progress(DIALOGUE, session)
        assert 1 <= number <= total
        assert number == len(session.answers) + 1
        # The count of questions left is cached per dialogue; it must match walking the path.
        assert session.current is not None
        walked = len(list(rules.predicted_path(DIALOGUE, session.current, session.chosen())))
        assert total == len(session.answers) + max(walked, 1)
    if before is not None and not step.changed:
        assert session == before
    if before is not None and isinstance(action, Back):
        assert len(session.answers) == max(len(before.answers) - 1, 0)
        assert session.answers == before.answers[: len(session.answers)]
    if before is not None and step.changed and isinstance(action, Choose | Press | Type):
        # An accepted answer answers exactly the question that was on screen.
        assert session.answers[:-1] == before.answers
        assert session.answers[-1].question == before.current
    assert 0 < len(step.reply.text) <= TEXT_LIMIT
    for row in step.reply.buttons:
        for button in row:
            assert len(button.data.encode()) <= callback_data.ROOM


@settings(max_examples=200, deadline=None)
@given(actions)
def test_any_sequence_of_inputs_keeps_the_session_sound(sequence: list[Action]) -> None:
    session: Session | None = None
    for action in sequence:
        step = act(session, action)
        check(session, action, step)
        session = step.session
