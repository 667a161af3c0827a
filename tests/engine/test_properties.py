"""Random inputs to the pure engine on the real dialogue never leave a session in a bad state."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_DIALOGUE
from bot.engine import ahead, asking, callback_data, engine, rules
from bot.engine.loader import load_dialogue
from bot.engine.model import END, TEXT_LIMIT, Session, Step

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


def replayed(session: Session) -> str:
    """Return the first open question on the route from the start, given the answers.

    Every answer must be to a question the route asks: in turn, or (several answers typed in
    one message) ahead of its turn but certainly asked.
    """
    chosen: dict[str, str] = {}
    for answer in session.answers:
        open_now = ahead.certainly_asked(DIALOGUE, chosen)
        assert answer.question in open_now, "an answer to a question the route does not ask"
        chosen[answer.question] = answer.option
    return ahead.walk(DIALOGUE, chosen).first_open


def still_asked(chosen: dict[str, str]) -> int:
    """Return how many open questions the route from the start asks (none getting an option)."""
    passed: dict[str, str] = {}
    count, target = 0, rules.asked(DIALOGUE, DIALOGUE.start, passed)
    while target != END:
        question = DIALOGUE.questions[target]
        option = question.choice(chosen[target]) if target in chosen else None
        if option is None:
            count += 1
        else:
            passed[target] = option.id
        target = rules.asked(DIALOGUE, rules.route(question, passed, option), passed)
    return count


def check(before: Session | None, action: Action, step: Step) -> None:
    """Assert every invariant of a session and of the step that produced it."""
    session = step.session
    assert session.current is None or session.current in DIALOGUE.questions
    for answer in session.answers:
        assert DIALOGUE.questions[answer.question].choice(answer.option) is not None
    assert len({a.question for a in session.answers}) == len(session.answers)
    first_open = replayed(session)
    if session.finished:
        assert first_open == END
    elif isinstance(action, Back) or (before is not None and not step.changed):
        # Back may reopen an answer given ahead of its turn, and a step that changes nothing
        # (a stale press, a toggle) leaves the session standing there.
        assert session.current not in session.chosen()
    else:
        assert session.current == first_open
    if session.finished:
        assert session.outcome in DIALOGUE.outcomes
    else:
        number, total = asking.progress(DIALOGUE, session)
        assert 1 <= number <= total
        assert number == len(session.answers) + 1
        # The count of questions left is cached per dialogue; it must match walking the path.
        assert session.current is not None
        assert total == len(session.answers) + max(still_asked(session.chosen()), 1)
    if before is not None and not step.changed:
        assert session == before
    if before is not None and isinstance(action, Back):
        assert len(session.answers) == max(len(before.answers) - 1, 0)
        assert session.answers == before.answers[: len(session.answers)]
    if before is not None and step.changed and isinstance(action, Choose | Press | Type):
        # An accepted answer answers the question that was on screen first; a typed one may
        # answer later questions too, after it.
        kept = len(before.answers)
        assert session.answers[:kept] == before.answers
        assert session.answers[kept].question == before.current
        assert isinstance(action, Type) or len(session.answers) == kept + 1
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


# Typed names in everyday frames -------------------------------------------------------------

FRAMES = ["{}", "{}!", "i'd say {}", "{} please", "mostly {}", "hmm, {} i guess", "{} tbh",
          "well... {}", "{} for sure", "I think {}", "{}, mainly"]
NAMED = [(question.id, option.id, name)
         for question in DIALOGUE.questions.values()
         for option in question.options
         for name in (option.label, *option.synonyms)]


def test_a_typed_name_is_never_stored_as_another_option() -> None:
    """Typing an option's label or synonym in a sentence stores that option, asks back with
    it among the choices, or asks again; it is never stored as an option it does not name
    while the one it names is closer. Every name in every frame: a few thousand, quickly."""
    wrong = []
    for question_id, option_id, name in NAMED:
        session = at_question(question_id)
        for frame in FRAMES:
            text = frame.format(name)
            step = engine.type_answer(DIALOGUE, session, text, NOW)
            stored = step.session.chosen().get(question_id)
            offered = [b.data for row in step.reply.buttons for b in row]
            if stored not in (None, option_id):
                wrong.append(f"{text!r} stored as {stored!r}, not {option_id!r}")
            elif step.kind == "did_you_mean" and f"{question_id}:{option_id}" not in offered:
                wrong.append(f"{text!r} asked back without {option_id!r}: {offered}")
    assert wrong == []


def at_question(question_id: str) -> Session:
    """Return a session standing at the question, with the first path that asks it."""
    for plan in ({}, {"use": "studio"}, {"use": "home", "isolation": "some"}):
        session = engine.start(DIALOGUE, NOW).session
        while session.current not in (None, question_id):
            question = DIALOGUE.questions[session.current]
            option = plan.get(question.id, question.options[0].id)
            session = engine.press(DIALOGUE, session, f"{question.id}:{option}", NOW).session
        if session.current == question_id:
            return session
    raise AssertionError(f"no path asks {question_id!r}")
