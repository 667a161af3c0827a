"""The messages around a recommendation, as plain data: the result screen (confident, or a
close call side by side), why not another outcome, what would change it, and the answers a
person can change.

The result's first screen holds the outcome in bold, one sentence on what it is and the
reasons; the longer description, the extras and the tips follow in a block quote that stays
collapsed until tapped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.engine import actions, counterfactual, rules
from bot.engine.advice import Advice, advice_for, listed, reasons_for
from bot.engine.compose import Composer, Piece, first_screen
from bot.engine.counterfactual import Change
from bot.engine.explain import Thin, WhyNot, conflicts, thin_evidence
from bot.engine.model import Button, Dialogue, Outcome, Reply, Revision, Session

Rows = tuple[tuple[Button, ...], ...]

FIRST_SCREEN = 600
"""The most characters a result shows before its details (about one phone screen)."""
SIDE_REASONS = 2
"""The most reasons a close call gives for each of its two outcomes."""


def result_reply(
    dialogue: Dialogue, chosen: Mapping[str, str], before: Revision | None = None,
    advice: Advice | None = None,
) -> Reply:
    """Return the result screen for these answers (`advice`: theirs, if known already);
    after a change of answers (`before`), led by a line saying what changed."""
    advice = advice_for(dialogue, chosen) if advice is None else advice
    changed = changed_line(dialogue, before, chosen, advice.outcome) if before else ""
    lines = conflicts(dialogue, chosen, advice)
    thin = thin_evidence(dialogue, chosen, advice)
    if thin is None:
        return confident_reply(dialogue, advice, lines, changed)
    sides = (reasons_for(dialogue, chosen, thin.first.id)[:SIDE_REASONS],
             reasons_for(dialogue, chosen, thin.second.id)[:SIDE_REASONS])
    return close_call_reply(dialogue, advice, thin, sides, lines, changed=changed)


def summary(outcome: Outcome) -> str:
    """Return one sentence on what the outcome is: its `summary`, else its text's first."""
    return outcome.summary or _split(outcome.text)[0]


def details(outcome: Outcome) -> str:
    """Return the outcome's text as the details show it: whole after a `summary`, else
    without the first sentence, which the first screen shows already."""
    return outcome.text if outcome.summary else _split(outcome.text)[1]


def _split(text: str) -> tuple[str, str]:
    """Return a text's first sentence and the rest."""
    head, stop, rest = text.partition(". ")
    return (head + ".", rest) if stop else (text, "")


def confident_reply(
    dialogue: Dialogue, advice: Advice, lines: tuple[str, ...], changed: str = ""
) -> Reply:
    """Return the result screen of a clear recommendation: `lines` are the conflicts that
    hold, `changed` what a change of answers did (if any)."""
    texts = dialogue.texts
    because = texts.because.format(reasons="; ".join(advice.reasons)) if advice.reasons else ""
    runner_up = advice.runner_up
    second = texts.runner_up.format(title=runner_up.title) if runner_up else ""

    def build(demoted: int) -> Reply:
        # What does not fit on the first screen leads the details: the runner-up first, then
        # the conflict (one on the first screen; any more lead the details anyway).
        composer = Composer()
        composer.paragraph(changed)
        composer.paragraph((texts.result_heading.format(title=advice.outcome.title), "bold"),
                           "\n", summary(advice.outcome))
        composer.paragraph("\n".join(line for line in (
            because, second if demoted < 1 else "") if line))
        shown = 1 if demoted < 2 else 0
        composer.paragraph(*lines[:shown])
        composer.quote([*(() if demoted < 1 else (second,)), *lines[shown:],
                        details(advice.outcome), _bullets(advice.extras),
                        _tips(dialogue, advice)])
        return composer.reply(_result_buttons(dialogue, advice))

    return _fitted(build, 2)


def _fitted(build: Callable[[int], Reply], most: int) -> Reply:
    """Return `build(n)` for the least n (up to `most`) whose first screen is short enough:
    each n moves one more part of the first screen into the details."""
    for demoted in range(most):
        reply = build(demoted)
        if len(first_screen(reply)) < FIRST_SCREEN:
            return reply
    return build(most)


def close_call_reply(
    dialogue: Dialogue, advice: Advice, thin: Thin, sides: tuple[tuple[str, ...], ...],
    lines: tuple[str, ...], *, changed: str = "",
) -> Reply:
    """Return the result screen of a close call: the top two side by side, each with the
    reasons for it (`sides`), and the questions that would decide between them."""
    texts = dialogue.texts
    heading = texts.close_heading if thin.level > 1 else texts.thin_heading
    if thin.level > 1:
        why_close = texts.close_tie.format(count=thin.level)
    else:
        why_close = texts.close_thin.format(weightless=thin.weightless, answered=thin.answered)
    pieces: list[Piece] = []
    for outcome, reasons in zip((thin.first, thin.second), sides, strict=True):
        for_it = (texts.close_for.format(reasons="; ".join(reasons)) if reasons
                  else texts.close_for_none)
        pieces += ["\n• " if pieces else "• ", (outcome.name, "bold"), f" — {for_it}"]
    deciding = ""
    if thin.deciding:
        named = listed(dialogue, [f"“{question.name}”" for question in thin.deciding])
        deciding = texts.close_decide.format(questions=named)

    def build(demoted: int) -> Reply:
        # What does not fit on the first screen leads the details: why it is close, then
        # the conflict, then the questions that decide (their buttons stay below).
        composer = Composer()
        composer.paragraph(changed)
        composer.paragraph((heading.format(first=thin.first.name, second=thin.second.name),
                            "bold"))
        composer.paragraph(why_close if demoted < 1 else "")
        composer.paragraph(*pieces)
        shown = 1 if demoted < 2 else 0
        composer.paragraph(*lines[:shown])
        composer.paragraph(deciding if demoted < 3 else "")
        composer.quote([*(() if demoted < 1 else (why_close,)), *lines[shown:],
                        *(() if demoted < 3 else (deciding,)),
                        *(f"{o.title}: {o.text}" for o in (thin.first, thin.second)),
                        _tips(dialogue, advice)])
        return composer.reply(_close_call_buttons(dialogue, advice, thin))

    return _fitted(build, 3)


def _bullets(lines: tuple[str, ...]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def _tips(dialogue: Dialogue, advice: Advice) -> str:
    if not advice.tips:
        return ""
    return f"{dialogue.texts.tips_heading}\n{_bullets(tuple(t.text for t in advice.tips))}"


# Buttons -------------------------------------------------------------------------------------


def _result_buttons(dialogue: Dialogue, advice: Advice) -> Rows:
    texts = dialogue.texts
    rows: list[tuple[Button, ...]] = [(Button(texts.button_change, actions.CHANGE),)]
    if advice.runner_up is not None:
        rows.append((_why_not_button(dialogue, advice.runner_up),))
    if counterfactual.available(dialogue):
        rows.append((Button(texts.button_whatif, actions.WHAT_IF),))
    rows.append(_last_row(dialogue, advice.outcome))
    return tuple(rows)


def _close_call_buttons(dialogue: Dialogue, advice: Advice, thin: Thin) -> Rows:
    texts = dialogue.texts
    rows: list[tuple[Button, ...]] = [
        (Button(texts.button_decide.format(question=question.name),
                actions.action(actions.CHANGE, question.id)),)
        for question in thin.deciding
    ]
    rows.append((Button(texts.button_change, actions.CHANGE),))
    rows.append(_last_row(dialogue, advice.outcome))
    return tuple(rows)


def _last_row(dialogue: Dialogue, outcome: Outcome) -> tuple[Button, ...]:
    texts = dialogue.texts
    return (Button(texts.button_start, actions.START),
            Button(texts.button_share, share=texts.share.format(title=outcome.title)))


def _why_not_button(dialogue: Dialogue, outcome: Outcome) -> Button:
    return Button(dialogue.texts.button_whynot.format(title=outcome.name),
                  actions.action(actions.WHY_NOT, outcome.id))


# Explanations --------------------------------------------------------------------------------


def why_not_reply(dialogue: Dialogue, chosen: Mapping[str, str], why: WhyNot) -> Reply:
    """Return why `why.outcome` is not the pick: its score, what counted against it, and
    the smallest change that would make it win; buttons lead on down the ranking."""
    texts = dialogue.texts
    composer = Composer()
    composer.paragraph((texts.whynot_heading.format(title=why.outcome.title), "bold"))
    against = (texts.whynot_against.format(reasons="; ".join(why.against)) if why.against
               else texts.whynot_nothing.format(winner=why.winner.title))
    score = texts.whynot_score.format(score=why.score, winner=why.winner.title,
                                      winner_score=why.winner_score)
    composer.paragraph(f"{score}\n{against}")
    if why.change is not None:
        composer.paragraph(whatif_line(dialogue, why.change))
    ranking = rules.ranking(rules.scores(dialogue, chosen))
    rows: list[tuple[Button, ...]] = []
    following = ranking.index(why.outcome.id) + 1
    if following < len(ranking):
        rows.append((_why_not_button(dialogue, dialogue.outcomes[ranking[following]]),))
    if counterfactual.available(dialogue):
        rows.append((Button(texts.button_whatif, actions.WHAT_IF),))
    rows.append((Button(texts.button_change, actions.CHANGE),))
    return composer.reply(tuple(rows))


def what_if_reply(
    dialogue: Dialogue, chosen: Mapping[str, str], changes: tuple[Change, ...]
) -> Reply:
    """Return what would change the pick: at most two lines, each naming the answers to
    change and the outcome they lead to, with buttons to answer those questions again."""
    texts = dialogue.texts
    composer = Composer()
    composer.paragraph((texts.whatif_heading, "bold"))
    if changes:
        composer.lines("", [whatif_line(dialogue, change) for change in changes])
    else:
        composer.paragraph(texts.whatif_none)
    asked = []
    for change in changes:
        asked += [q for q, _ in change.changed if q in chosen and q not in asked]
    rows: list[tuple[Button, ...]] = [
        (Button(texts.button_decide.format(question=dialogue.questions[q].name),
                actions.action(actions.CHANGE, q)),)
        for q in asked[:3]
    ]
    advice = advice_for(dialogue, chosen)
    if advice.runner_up is not None:
        rows.append((_why_not_button(dialogue, advice.runner_up),))
    rows.append((Button(texts.button_change, actions.CHANGE),))
    return composer.reply(tuple(rows))


def whatif_line(dialogue: Dialogue, change: Change) -> str:
    """Return "If <the answers changed>, I would pick <outcome>." in the dialogue's words."""
    texts = dialogue.texts
    phrases = []
    for question_id, option_id in change.changed:
        question = dialogue.questions[question_id]
        option = question.choice(option_id)
        assert option is not None  # the search only gives answers the question takes
        picks = question.picks(option_id)
        if len(picks) > 1 and all(pick.whatif for pick in picks):
            # A set at a multiple question: "you wore glasses and your ears got hot".
            phrases.append(listed(dialogue, [pick.whatif or "" for pick in picks]))
            continue
        phrases.append(option.whatif or texts.whatif_answer.format(question=question.name,
                                                                   label=option.label))
    return texts.whatif_line.format(changes=listed(dialogue, phrases),
                                    title=dialogue.outcomes[change.outcome].title)


def changed_line(
    dialogue: Dialogue, before: Revision, chosen: Mapping[str, str], outcome: Outcome
) -> str:
    """Return what a change of answers did: the answer changed, and the outcome now and
    before; "" when no answer differs or there was no outcome before."""
    old = {answer.question: answer.option for answer in before.answers}
    previous = dialogue.outcomes.get(before.outcome or "")
    for question_id, option_id in chosen.items():
        was = old.get(question_id)
        if previous is None or was is None or was == option_id:
            continue
        question = dialogue.questions[question_id]
        then, now = question.choice(was), question.choice(option_id)
        template = dialogue.texts.changed if previous != outcome else dialogue.texts.changed_same
        return template.format(
            question=question.name, old=then.label if then else was,
            new=now.label if now else option_id, title=outcome.name, before=previous.name)
    return ""


def change_list(dialogue: Dialogue, session: Session) -> Reply:
    """Return the answers given, in the order asked, as buttons to answer one again."""
    texts = dialogue.texts
    rows = []
    for answer in session.answers:
        question = dialogue.questions[answer.question]
        option = question.choice(answer.option)
        label = option.label if option else answer.option
        rows.append((Button(texts.change_item.format(question=question.name, label=label),
                            actions.action(actions.CHANGE, question.id)),))
    return Reply(texts.change_prompt, tuple(rows))
