"""The dialogue engine: pure functions from a session and an input to the next step.

Nothing here does I/O or knows about Telegram; adapters store `Step.session` when
`Step.changed` is true and then show `Step.reply`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from bot.engine import actions, counterfactual, explain, rules, screens
from bot.engine.advice import advice_for
from bot.engine.model import (
    END,
    Answer,
    Button,
    Dialogue,
    Option,
    Question,
    Reply,
    Revision,
    Session,
    Step,
    StepKind,
)


def start(dialogue: Dialogue, now: float) -> Step:
    """Begin a fresh session at the dialogue's first question."""
    session = Session(dialogue=dialogue.id, version=dialogue.version, current=None, started_at=now)
    first = rules.asked(dialogue, dialogue.start, {})
    if first == END:
        return _finish(dialogue, session, now, pressed=None)
    session = replace(session, current=first)
    return Step("question", session, question_reply(dialogue, session), changed=True)


def press(dialogue: Dialogue, session: Session, data: str, now: float) -> Step:
    """Answer the current question with the button whose data is `data` ("question:option")."""
    if session.finished:
        return _notice(session, "stale", dialogue.texts.finished)
    button = pressed(dialogue, data)
    if button is None or button[0].id != session.current:
        return _notice(session, "stale", dialogue.texts.stale)
    return _accept(dialogue, session, *button, now)


def pressed(dialogue: Dialogue, data: str) -> tuple[Question, Option] | None:
    """Return the question and option a button's data ("question:option") names, or None."""
    question_id, _, option_id = data.partition(":")
    question = dialogue.questions.get(question_id)
    option = question.option(option_id) if question else None
    return None if question is None or option is None else (question, option)


def type_answer(dialogue: Dialogue, session: Session, text: str, now: float) -> Step:
    """Answer the current question with typed text: a label, a synonym or an option number."""
    if session.finished:
        return finished_notice(dialogue, session)
    question = dialogue.questions[_current(session)]
    option = match_option(question, text)
    if option is None:
        listing = "\n".join(f"{n}. {o.label}" for n, o in enumerate(question.options, 1))
        return _notice(session, "reprompt", dialogue.texts.reprompt.format(options=listing))
    return _accept(dialogue, session, question, option, now)


def back(dialogue: Dialogue, session: Session) -> Step:
    """Return to the question asked before this one and undo its answer."""
    if not session.answers:
        # Nothing to undo: say so under the question, so that it can be answered right here.
        asked = question_reply(dialogue, session)
        reply = Reply(f"{dialogue.texts.nothing_to_undo}\n\n{asked.text}", asked.buttons)
        return Step("question", session, reply)
    last = session.answers[-1]
    reopened = replace(
        session,
        current=last.question,
        answers=session.answers[:-1],
        outcome=None,
        finished_at=None,
    )
    return Step("question", reopened, question_reply(dialogue, reopened), changed=True)


def show(dialogue: Dialogue, session: Session) -> Reply:
    """Return what the session shows now: its question, or its recommendation."""
    if session.finished:
        return screens.result_reply(dialogue, session.chosen())
    return question_reply(dialogue, session)


def finished_notice(dialogue: Dialogue, session: Session) -> Step:
    """Say the dialogue is over, with buttons to start over or change an answer."""
    texts = dialogue.texts
    buttons = ((Button(texts.button_start, actions.START),
                Button(texts.button_change, actions.CHANGE)),)
    return Step("notice", session, Reply(texts.finished, buttons))


# Around the result: explanations and changing an answer --------------------------------------


def why_not(dialogue: Dialogue, session: Session, outcome: str) -> Step:
    """Explain why `outcome` is not the recommendation; changes nothing."""
    chosen = session.chosen()
    why = explain.why_not(dialogue, chosen, outcome) if session.finished else None
    if why is None:
        return _notice(session, "stale", dialogue.texts.stale)
    return Step("explanation", session, screens.why_not_reply(dialogue, chosen, why))


def what_if(dialogue: Dialogue, session: Session) -> Step:
    """Say which smallest changes of answers would change the recommendation."""
    if not session.finished:
        return _notice(session, "stale", dialogue.texts.stale)
    chosen = session.chosen()
    changes = counterfactual.smallest_changes(dialogue, chosen)
    return Step("explanation", session, screens.what_if_reply(dialogue, chosen, changes))


def answers_to_change(dialogue: Dialogue, session: Session) -> Step:
    """List the answers given, as buttons to answer one of them again."""
    if not session.answers:
        asked = question_reply(dialogue, session)
        reply = Reply(f"{dialogue.texts.change_none}\n\n{asked.text}", asked.buttons)
        return Step("question", session, reply)
    return Step("explanation", session, screens.change_list(dialogue, session))


def revise(dialogue: Dialogue, session: Session, question_id: str) -> Step:
    """Ask `question_id` again, as a new version of the session: the answers before it stay,
    and those after it fill in the questions that are still asked (see `_accept`)."""
    chosen = session.chosen()
    if question_id not in chosen:
        return _notice(session, "stale", dialogue.texts.stale)
    question = dialogue.questions[question_id]
    position = next(i for i, a in enumerate(session.answers) if a.question == question_id)
    keep = session.answers
    if session.revising is not None and not session.finished:
        # Changing again before the last change reached the end: its answers still count.
        keep += tuple(a for a in session.revising.answers if a.question not in chosen)
    outcome = session.outcome or (session.revising.outcome if session.revising else None)
    revised = Session(session.dialogue, session.version, question_id,
                      session.answers[:position], None, session.started_at, None,
                      Revision(keep, outcome))
    asked = question_reply(dialogue, revised)
    option = question.option(chosen[question_id])
    preface = dialogue.texts.change_asking.format(label=option.label if option else "")
    return Step("question", revised, Reply(f"{preface}\n\n{asked.text}", asked.buttons),
                changed=True)


def adopt(dialogue: Dialogue, session: Session) -> Session | None:
    """Return the session carried over to this version of its dialogue, or None when the
    questions or options it relies on are gone (it must then start again)."""
    if session.dialogue != dialogue.id:
        return None
    # Checked whatever the version says: an edited file whose version was not bumped must not
    # leave a session pointing at a question that is gone.
    if session.current is not None and session.current not in dialogue.questions:
        return None
    for answer in session.answers:
        question = dialogue.questions.get(answer.question)
        if question is None or question.option(answer.option) is None:
            return None
    if session.version == dialogue.version:
        return session
    return replace(session, version=dialogue.version)


def progress(
    dialogue: Dialogue, session: Session, chosen: dict[str, str] | None = None
) -> tuple[int, int]:
    """Return (this question's number, questions this path will ask) for an open session.

    `chosen` is `session.chosen()`, when the caller has it already.
    """
    if chosen is None:
        chosen = session.chosen()
    ahead = rules.questions_ahead(dialogue, _current(session), chosen)
    done = len(session.answers)
    return done + 1, done + max(ahead, 1)


def question_reply(
    dialogue: Dialogue, session: Session, chosen: dict[str, str] | None = None
) -> Reply:
    """Return the current question as a message with its progress line and buttons."""
    question = dialogue.questions[_current(session)]
    number, total = progress(dialogue, session, chosen)
    heading = dialogue.texts.progress.format(number=number, total=total)
    buttons = question.buttons
    if session.answers:
        back = Button(dialogue.texts.button_back, actions.action(actions.BACK, question.id))
        buttons = (*buttons, (back,))
    return Reply(f"{heading}\n\n{question.text}", buttons)


def normalize(text: str) -> str:
    """Return `text` folded for matching: no case, accents, emoji or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [
        " " if not char.isalnum() else char
        for char in decomposed
        if not unicodedata.combining(char)
    ]
    return " ".join("".join(kept).casefold().split())


def match_option(question: Question, text: str) -> Option | None:
    """Return the option `text` names by number, label, synonym or id, or None."""
    wanted = normalize(text)
    if not wanted:
        return None
    if wanted.isdecimal() and len(wanted) <= 3:
        number = int(wanted)
        return question.options[number - 1] if 1 <= number <= len(question.options) else None
    for option in question.options:
        if wanted in _names(option):
            return option
    # A few words of one label ("detailed" for "Close, isolated and detailed") are enough
    # when no other option has them.
    padded = f" {wanted} "
    partial = [o for o in question.options if any(padded in f" {n} " for n in _names(o))]
    if len(wanted) >= 3 and len(partial) == 1:
        return partial[0]
    return None


def _names(option: Option) -> tuple[str, ...]:
    return tuple(
        normalize(name) for name in (option.label, option.id.replace("_", " "), *option.synonyms)
    )


def _accept(
    dialogue: Dialogue, session: Session, question: Question, option: Option, now: float
) -> Step:
    answers = (*session.answers, Answer(question.id, option.id, now))
    chosen = {**session.chosen(), question.id: option.id}
    following = rules.asked(dialogue, rules.route(question, chosen, option), chosen)
    if session.revising is not None:
        following, answers = _kept(dialogue, session.revising, following, answers, chosen)
    chosen_text = dialogue.texts.chosen.format(question=question.text, label=option.label)
    if following == END:
        step = _finish(dialogue, replace(session, answers=answers), now, option, chosen)
        return replace(step, chosen_text=chosen_text)
    # Built directly: dataclasses.replace costs more than the rest of a press's routing.
    moved = Session(session.dialogue, session.version, following, answers, session.outcome,
                    session.started_at, session.finished_at, session.revising)
    return Step(
        "question",
        moved,
        question_reply(dialogue, moved, chosen),
        changed=True,
        chosen=option,
        chosen_text=chosen_text,
    )


def _kept(
    dialogue: Dialogue, revising: Revision, following: str, answers: tuple[Answer, ...],
    chosen: dict[str, str],
) -> tuple[str, tuple[Answer, ...]]:
    """Answer the questions from `following` on with the answers of the version being
    changed, as long as it has one; return where that stops and the answers then.

    `chosen` is updated with them. Questions the route no longer asks are left behind."""
    earlier = {answer.question: answer for answer in revising.answers}
    while following != END and following in earlier and following not in chosen:
        question = dialogue.questions[following]
        option = question.option(earlier[following].option)
        if option is None:
            break
        answers = (*answers, earlier[following])
        chosen[following] = option.id
        following = rules.asked(dialogue, rules.route(question, chosen, option), chosen)
    return following, answers


def _finish(
    dialogue: Dialogue, session: Session, now: float, pressed: Option | None,
    chosen: dict[str, str] | None = None,
) -> Step:
    """Finish `session` with its advice; `chosen` is `session.chosen()`, if known already."""
    chosen = session.chosen() if chosen is None else chosen
    advice = advice_for(dialogue, chosen)
    done = replace(session, current=None, outcome=advice.outcome.id, finished_at=now)
    reply = screens.result_reply(dialogue, chosen, session.revising, advice)
    return Step("result", done, reply, changed=True, chosen=pressed)


def _notice(session: Session, kind: StepKind, text: str) -> Step:
    return Step(kind, session, Reply(text))


def _current(session: Session) -> str:
    if session.current is None:
        raise ValueError("the session is finished and has no current question")
    return session.current
