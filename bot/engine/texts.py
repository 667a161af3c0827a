"""Every sentence the bot says that is not a question, option or outcome, with its default.

A dialogue file sets any of them under `texts:`; the model (bot.engine.model) re-exports the
class, and the checks read the placeholders each may use from these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    """Every sentence the bot says that is not a question, option or outcome."""

    welcome: str = "Hi! I will help you choose between headphones and in-ear monitors."
    help: str = (
        "Answer each question with the buttons or by typing an option. /back goes one "
        "question back, /change changes one answer, /start begins again, /result repeats the "
        "advice, /mydata shows what is kept about you and /forget deletes it."
    )
    progress: str = "Question {number} of {total}"
    chosen: str = "{question}\n\n✅ {label}"
    reprompt: str = "Sorry, I did not catch that. Please pick one of:\n{options}"
    stale: str = "That button belongs to an earlier question; please use the latest one."
    nothing_to_undo: str = "This is the first question; there is nothing to go back to."
    no_result: str = "There is no recommendation yet. Send /start to begin."
    result_heading: str = "My recommendation: {title}"
    because: str = "Why: because {reasons}."
    runner_up: str = "Close runner-up: {title}."
    tips_heading: str = "Tips:"
    finished: str = "This dialogue is finished. Send /start to begin again or /result to see it."
    unknown_command: str = "I do not know that command. Try /start, /back, /result or /help."
    unsupported: str = "I can only read text and button presses. Please answer with a button."
    unreadable: str = "I could not read that line: it is not text. Please type it again."
    error: str = (
        "Sorry, something went wrong on my side. Your answers so far are saved: "
        "press the latest button again, or send /start to begin again."
    )
    restored: str = (
        "I went back to an earlier save of our conversation, so your latest answers may be "
        "gone. Here is where we are:"
    )
    dialogue_changed: str = (
        "The questions have changed since you started, so let's begin again from the top."
    )
    idle: str = (
        "Welcome back! You stopped in the middle of the questions. Continue where you left "
        "off, or start over?"
    )
    idle_continue: str = "Continue where I left off"
    idle_restart: str = "Start over"
    mydata_heading: str = "This is everything I keep about this chat (id {chat_id}):"
    mydata_empty: str = "I keep nothing about this chat."
    forget_confirm: str = (
        "This deletes every answer and recommendation stored for this chat, for good. Sure?"
    )
    forget_yes: str = "Yes, delete everything"
    forget_no: str = "No, keep it"
    forgotten: str = "Done: everything stored about this chat is deleted."
    forget_cancelled: str = "Nothing was deleted."
    reloaded: str = "Dialogue reloaded: {summary}"
    reload_failed: str = "The new dialogue has problems, so the old one stays:\n{problems}"
    command_start: str = "Begin the advice again"
    command_back: str = "Go back one question"
    command_result: str = "Show my last recommendation"
    command_help: str = "How this works"
    command_mydata: str = "What you keep about me"
    command_forget: str = "Delete everything you keep about me"
    command_change: str = "Change one of my answers"
    no_result_yet: str = "There is no recommendation yet; here is where we are:"
    changed: str = "{question}: {old} → {new}: now {title} instead of {before}."
    changed_same: str = "{question}: {old} → {new}: still {title}."
    button_back: str = "◀ Back"
    back_marked: str = "{question}\n\n◀ Back"
    button_change: str = "Change an answer"
    button_whynot: str = "Why not {title}?"
    button_whatif: str = "What would change this?"
    button_start: str = "Start over"
    button_share: str = "Share"
    share: str = "My pick: {title}. Ask the advisor too:"
    close_heading: str = "It is a close call: {first} or {second}"
    thin_heading: str = "Not much to go on yet: {first} or {second}"
    close_tie: str = "Your answers leave {count} kinds level, so none of them wins."
    close_thin: str = "Most of your answers ({weightless} of {answered}) did not lean either way."
    close_for: str = "for it: {reasons}."
    close_for_none: str = "nothing you said counts for it yet."
    close_decide: str = "These would decide it: {questions}. Tap one to answer it again."
    button_decide: str = "Answer again: {question}"
    whynot_heading: str = "Why not {title}?"
    whynot_score: str = "It scored {score} points, {winner} {winner_score}."
    whynot_against: str = "What counted against it: {reasons}."
    whynot_nothing: str = "None of your answers counted against it; {winner} simply scored more."
    whatif_heading: str = "What would change my pick"
    whatif_line: str = "If {changes}, I would pick {title}."
    whatif_answer: str = "your answer to “{question}” were “{label}”"
    whatif_none: str = "No change to your answers would change my pick."
    list_and: str = "{rest} and {last}"
    change_prompt: str = "Which answer would you like to change? The others stay as they are."
    change_item: str = "{question}: {label}"
    change_asking: str = "Your answer was “{label}”. Pick the new one:"
    change_none: str = "There is no answer to change yet; here is the first question:"
    mydata_open: str = "open at “{question}”"
    mydata_revision: str = "a new version of session {session}"
