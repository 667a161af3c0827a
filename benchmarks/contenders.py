"""The three bots measured side by side: ours, the usual ConversationHandler way, and the floor.

- ours: the real handlers, advisor and SQLite store (every answer committed before the reply).
- baseline: what a PTB tutorial builds: one ConversationHandler state per question, a
  CallbackQueryHandler per state, answers in `context.user_data`, PicklePersistence at its
  defaults; our rules and advice decide the next question and the result, so the dialogue
  work matches ours.
- floor: bare PTB dispatch making the same Bot API calls and storing nothing.
- ours typed ("ours-typed"): ours, the same people typing each answer (the option's label)
  instead of pressing it: what understanding typed text costs.
- lean floor ("lean"): the floor making its calls the way ours does (AdvisorBot, which does not
  parse Telegram's answer, and a keyboard already encoded as JSON).

Each sends the same calls per update: /start -> sendMessage; a press -> answerCallbackQuery,
editMessageText (the choice), sendMessage (the next question or the advice).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    PicklePersistence,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from benchmarks.stub import TOKEN
from bot.advisor import Advisor
from bot.config import Settings
from bot.engine import callback_data, rules
from bot.engine.model import END, Dialogue, Question, Reply
from bot.engine.screens import result_reply
from bot.storage.sqlite import SqliteStore
from bot.telegram.botapi import AdvisorBot
from bot.telegram.handlers import accessible_message
from bot.telegram.markup import keyboard
from bot.telegram.runner import build_application

App = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE
KINDS = ("ours", "ours-typed", "baseline", "floor", "lean")
"""ours-typed: ours again, every answer typed as the option's words instead of pressed."""


def builder(token: str, *, request: BaseRequest | None = None,
            base_url: str | None = None) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """Return an ApplicationBuilder talking to the stub `request` or the server at `base_url`."""
    built = ApplicationBuilder().token(token)
    if request is not None:
        built = built.request(request).get_updates_request(request)
    if base_url is not None:
        built = built.base_url(base_url)
    return built


def ours(dialogue: Dialogue, store: SqliteStore, *, request: BaseRequest | None = None,
         base_url: str | None = None, **settings: Any) -> App:
    """Return our bot as bot.telegram.runner builds it: on `request` (the stub), or on its own
    transport to the Bot API at `base_url`.

    Unless `settings` say otherwise, pacing is off and replies are separate, so that ours makes
    the same calls as every other contender (compact replies save one call a press).
    """
    chosen = {"flood_control": False, "reply_mode": "separate", **settings}
    return build_application(Settings(token=TOKEN, base_url=base_url, **chosen),
                             Advisor(dialogue, store), request=request)


def ours_press_data(keyboard: list[list[dict[str, Any]]], question: str, option: str) -> str:
    """Return our button data for a press, its session number read from the shown keyboard."""
    session_id, _ = callback_data.decode(str(keyboard[0][0]["callback_data"]))
    return callback_data.encode(session_id, f"{question}:{option}")


def plain_press_data(question: str, option: str) -> str:
    """Return the baseline's and the floor's button data."""
    return f"{question}:{option}"


def baseline(built: ApplicationBuilder[Any, Any, Any, Any, Any, Any], dialogue: Dialogue,
             pickle_path: Path) -> App:
    """Return the usual way: a persistent ConversationHandler, PicklePersistence defaults."""
    app = built.persistence(PicklePersistence(pickle_path)).build()
    flow = _Conversation(dialogue)
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {
        question: [CallbackQueryHandler(flow.answer, pattern=f"^{re.escape(question)}:")]
        for question in dialogue.questions
    }
    with warnings.catch_warnings():
        # per_message=False is what a chat-per-person dialogue wants; PTB warns regardless.
        warnings.simplefilter("ignore", PTBUserWarning)
        handler = ConversationHandler(
            entry_points=[CommandHandler("start", flow.start)], states=states,
            fallbacks=[], allow_reentry=True, name="advisor", persistent=True,
        )
    app.add_handler(handler)
    return app


class _Conversation:
    """The baseline's callbacks: one per state, as the PTB examples write them."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue

    async def start(self, update: Update, context: Context) -> str:
        answers: dict[str, str] = {}
        assert context.user_data is not None
        assert update.effective_chat is not None
        context.user_data["answers"] = answers
        first = rules.asked(self.dialogue, self.dialogue.start, answers)
        text, markup = self._question(first, answers)
        await context.bot.send_message(
            update.effective_chat.id, f"{self.dialogue.texts.welcome}\n\n{text}",
            reply_markup=markup,
        )
        return first

    async def answer(self, update: Update, context: Context) -> str | int:
        query = update.callback_query
        assert query is not None
        assert query.data
        assert context.user_data is not None
        await query.answer()
        question_id, _, option_id = query.data.partition(":")
        question = self.dialogue.questions[question_id]
        option = question.option(option_id)
        assert option is not None
        answers: dict[str, str] = context.user_data.setdefault("answers", {})
        answers[question_id] = option_id
        await query.edit_message_text(
            self.dialogue.texts.chosen.format(question=question.text, label=option.label)
        )
        chat_id = query.message.chat.id if query.message else query.from_user.id
        following = rules.asked(self.dialogue, rules.route(question, answers, option), answers)
        if following == END:
            # The same words as ours, unformatted and without its buttons.
            advice = result_reply(self.dialogue, answers).text
            await context.bot.send_message(chat_id, advice)
            return ConversationHandler.END
        text, markup = self._question(following, answers)
        await context.bot.send_message(chat_id, text, reply_markup=markup)
        return following

    def _question(self, question_id: str, answers: dict[str, str]) -> tuple[str, Any]:
        question = self.dialogue.questions[question_id]
        ahead = sum(1 for _ in rules.predicted_path(self.dialogue, question_id, answers))
        heading = self.dialogue.texts.progress.format(
            number=len(answers) + 1, total=len(answers) + max(ahead, 1))
        buttons = [InlineKeyboardButton(option.label, callback_data=f"{question_id}:{option.id}")
                   for option in question.options]
        rows = [buttons[i:i + question.columns]
                for i in range(0, len(buttons), question.columns)]
        return f"{heading}\n\n{question.text}", InlineKeyboardMarkup(rows)


def floor(built: ApplicationBuilder[Any, Any, Any, Any, Any, Any], dialogue: Dialogue) -> App:
    """Return bare PTB dispatch: the same calls with fixed texts, nothing stored."""
    app = built.build()
    text, first = _first_question(dialogue)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(option.label, callback_data=f"{first.id}:{option.id}")]
         for option in first.options])

    async def start(update: Update, context: Context) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)

    async def press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        assert update.effective_chat is not None
        await query.answer()
        await query.edit_message_text(first.text)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    return app


def lean_floor(request: BaseRequest, dialogue: Dialogue) -> App:
    """Return the floor making its calls the way ours makes them: through AdvisorBot, which
    does not parse Telegram's answer, with the keyboard already encoded.

    ours / lean floor is what our dialogue and storage add per update.
    """
    bot = AdvisorBot(TOKEN, request=request, get_updates_request=request)
    app = ApplicationBuilder().bot(bot).build()
    text, first = _first_question(dialogue)
    markup = keyboard(Reply(text, first.buttons), None)

    async def start(update: Update, _: Context) -> None:
        assert update.effective_chat is not None
        await bot.send_text(update.effective_chat.id, text, markup)

    async def press(update: Update, _: Context) -> None:
        query = update.callback_query
        assert query is not None
        message = accessible_message(query)
        assert message is not None
        await query.answer()
        await bot.edit_text(message.chat.id, message.message_id, first.text)
        await bot.send_text(message.chat.id, text, markup)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    return app


def _first_question(dialogue: Dialogue) -> tuple[str, Question]:
    first = dialogue.questions[dialogue.start]
    return f"{dialogue.texts.welcome}\n\n{first.text}", first
