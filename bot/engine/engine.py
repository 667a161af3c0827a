"""The dialogue engine: pure functions from a session and an input to the next step.

Nothing here does I/O or knows about Telegram; adapters store `Step.session` when
`Step.changed` is true and then show `Step.reply`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from bot.engine import actions, ahead, counterfactual, explain, multiple, rules, screens
from bot.engine.advice import advice_for, listed
from bot.engine.asking import question_reply
from bot.engine.compose import prefaced
from bot.engine.filling import fills
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
from bot.engine.option_words import read
from bot.engine.picking import understand

SHOW_OPTIONS = "!options"
"""Button data of "show all the answers" under a "Did you mean ...?" (the Advisor acts on it)."""


def start(dialogue: Dialogue, now: float) -> Step:
    """Begin a fresh session at the dialogue's first question."""
    session = Session(dialogue=dialogue.id, version=dialogue.version, current=None, started_at=now,
                      language=dialogue.language)
    first = rules.asked(dialogue, dialogue.start, {})
    if first == END:
        return _finish(dialogue, session, now, pressed=None)
    session = replace(session, current=first)
    return Step("question", session, question_reply(dialogue, session), changed=True)


def press(dialogue: Dialogue, session: Session, data: str, now: float) -> Step:
    """Answer the current question with the button whose data is `data` ("question:option");
    at a multiple question, check or uncheck an option, or be done (see `multiple`)."""
    if session.finished:
        return _notice(session, "stale", dialogue.texts.finished)
    question_id, _, rest = data.partition(":")
    question = dialogue.questions.get(question_id)
    if question is None or question.id != session.current:
        return _notice(session, "stale", dialogue.texts.stale)
    picking = multiple.read(question, rest) if question.multiple else None
    if picking is None:
        option = question.choice(rest)
    elif picking.kind == "toggle":
        reply = question_reply(dialogue, session, selected=picking.mask)
        return Step("toggle", session, reply)
    else:
        picked = multiple.options_of(question, picking.mask)
        option = question.answer_of(picked)
        if option is None:
            notice = multiple.out_of_bounds(dialogue, question, len(picked))
            return _notice(session, "notice", notice or dialogue.texts.stale)
    if option is None:
        return _notice(session, "stale", dialogue.texts.stale)
    return _accept(dialogue, session, question, option, now)


def pressed(dialogue: Dialogue, data: str) -> Question | None:
    """Return the question an answer button's data ("question:option", or a multiple
    question's toggle or "Done") is for; None for data no such button of it carries."""
    question_id, _, rest = data.partition(":")
    question = dialogue.questions.get(question_id)
    if question is None:
        return None
    if question.choice(rest) is None and multiple.read(question, rest) is None:
        return None
    return question


def type_answer(dialogue: Dialogue, session: Session, text: str, now: float) -> Step:
    """Answer with typed text: the current question (see `matching`), and any later ones the
    message clearly answers too (see `filling`); unsure, ask back; not understood, re-prompt."""
    if session.finished:
        return finished_notice(dialogue, session)
    question = dialogue.questions[_current(session)]
    typed = read(dialogue, text)
    verdict = understand(dialogue, question, typed)
    if verdict.kind == "none":
        listing = "\n".join(f"{n}. {o.label}" for n, o in enumerate(question.options, 1))
        text = dialogue.texts.reprompt.format(options=listing)
        return Step("reprompt", session, Reply(text, multiple.buttons(dialogue, question)))
    if verdict.kind == "ask":
        return Step("did_you_mean", session, did_you_mean(dialogue, question, verdict.options))
    option = question.answer_of(verdict.options)
    if option is None:  # several options, too few or too many for a multiple question
        return _out_of_bounds(dialogue, session, question, verdict.options)
    chosen = {**session.chosen(), question.id: option.id}
    more = fills(dialogue, chosen, question.id, typed, verdict.used)
    return _accept(dialogue, session, question, option, now, more=more)


def _out_of_bounds(
    dialogue: Dialogue, session: Session, question: Question, options: tuple[Option, ...]
) -> Step:
    """Say how many a multiple question takes, above it with the typed options checked."""
    notice = multiple.out_of_bounds(dialogue, question, len(options)) or dialogue.texts.stale
    asked = question_reply(dialogue, session, selected=multiple.mask_of(question, options))
    return Step("reprompt", session, prefaced(asked, notice))


def did_you_mean(dialogue: Dialogue, question: Question, options: tuple[Option, ...]) -> Reply:
    """Return "Did you mean ...?" with those options as buttons and one to show them all; at
    a multiple question, several options that go together are asked about as one set: "Did
    you mean A and B?" above the question's buttons with them checked, "Done" to confirm."""
    texts = dialogue.texts
    quoted = [texts.quoted.format(label=o.label) for o in options]
    if len(options) > 1 and question.multiple and not any(o.exclusive for o in options):
        checked = multiple.buttons(dialogue, question, multiple.mask_of(question, options))
        return Reply(texts.did_you_mean.format(options=listed(dialogue, quoted)),
                     checked)
    named = f" {texts.or_word} ".join(quoted)
    rows = tuple((Button(o.label, f"{question.id}:{o.id}"),) for o in options)
    return Reply(
        texts.did_you_mean.format(options=named),
        (*rows, (Button(texts.all_options, SHOW_OPTIONS),)),
    )


def back(dialogue: Dialogue, session: Session) -> Step:
    """Return to the question asked before this one and undo its answer (a multiple
    question's set shows checked, to change or confirm)."""
    if not session.answers:
        # Nothing to undo: say so under the question, so that it can be answered right here.
        asked = question_reply(dialogue, session)
        return Step("question", session, prefaced(asked, dialogue.texts.nothing_to_undo))
    last = session.answers[-1]
    reopened = replace(
        session,
        current=last.question,
        answers=session.answers[:-1],
        outcome=None,
        finished_at=None,
        language=dialogue.language,
    )
    was = dialogue.questions[last.question].picks(last.option)  # a set shows checked again
    selected = multiple.mask_of(dialogue.questions[last.question], was)
    return Step("question", reopened, question_reply(dialogue, reopened, selected=selected),
                changed=True)


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
        return Step("question", session, prefaced(asked, dialogue.texts.change_none))
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
                      dialogue.language, Revision(keep, outcome))
    was = question.picks(chosen[question_id])  # a multiple question's set shows checked
    asked = question_reply(dialogue, revised, selected=multiple.mask_of(question, was))
    option = question.choice(chosen[question_id])
    preface = dialogue.texts.change_asking.format(label=option.label if option else "")
    return Step("question", revised, prefaced(asked, preface), changed=True)


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
        if question is None or question.choice(answer.option) is None:
            return None
    if session.version == dialogue.version:
        return session
    return replace(session, version=dialogue.version)


def normalize(text: str) -> str:
    """Return `text` folded for matching: no case, accents, emoji or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [
        " " if not char.isalnum() else char
        for char in decomposed
        if not unicodedata.combining(char)
    ]
    return " ".join("".join(kept).casefold().split())


def _accept(
    dialogue: Dialogue, session: Session, question: Question, option: Option, now: float,
    *, more: list[tuple[Question, Option]] | None = None,
) -> Step:
    """Record the answer (and `more`, answers to later questions from the same message)."""
    answers = (*session.answers, Answer(question.id, option.id, now),
               *(Answer(q.id, o.id, now) for q, o in more or ()))
    chosen = {**session.chosen(), question.id: option.id, **{q.id: o.id for q, o in more or ()}}
    # The first open question from the start: after an answer given ahead of its turn was
    # undone, the questions before it come first (see `ahead`).
    following = ahead.walk(dialogue, chosen).first_open
    if session.revising is not None:
        following, answers = _kept(dialogue, session.revising, following, answers, chosen)
    chosen_text = dialogue.texts.chosen.format(question=question.text, label=option.label)
    if following == END:
        step = _finish(dialogue, replace(session, answers=answers), now, option, chosen)
        step = replace(step, chosen_text=chosen_text)
    else:
        # Built directly: dataclasses.replace costs more than the rest of a press's routing.
        moved = Session(session.dialogue, session.version, following, answers,
                        session.outcome, session.started_at, session.finished_at,
                        dialogue.language, session.revising)
        step = Step("question", moved, question_reply(dialogue, moved, chosen), changed=True,
                    chosen=option, chosen_text=chosen_text)
    if not more:
        return step
    summary = ", ".join(o.short or o.label for o in (option, *(o for _, o in more)))
    said = dialogue.texts.understood.format(answers=summary)
    return replace(step, reply=prefaced(step.reply, said))


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
        option = question.choice(earlier[following].option)
        if option is None:
            break
        answers = (*answers, earlier[following])
        chosen[following] = option.id
        following = ahead.walk(dialogue, chosen).first_open
    return following, answers


def _finish(
    dialogue: Dialogue, session: Session, now: float, pressed: Option | None,
    chosen: dict[str, str] | None = None,
) -> Step:
    """Finish `session` with its advice; `chosen` is `session.chosen()`, if known already."""
    chosen = session.chosen() if chosen is None else chosen
    advice = advice_for(dialogue, chosen)
    done = replace(session, current=None, outcome=advice.outcome.id, finished_at=now,
                   language=dialogue.language)
    reply = screens.result_reply(dialogue, chosen, session.revising, advice)
    return Step("result", done, reply, changed=True, chosen=pressed)


def _notice(session: Session, kind: StepKind, text: str) -> Step:
    return Step(kind, session, Reply(text))


def _current(session: Session) -> str:
    if session.current is None:
        raise ValueError("the session is finished and has no current question")
    return session.current
