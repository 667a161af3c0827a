"""Turn Telegram updates into advisor calls, and advisor replies into Bot API calls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from telegram import (
    BotCommand,
    CallbackQuery,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.advisor import Advisor, Turn
from bot.config import DEFAULT_REPLY_MODE
from bot.engine import callback_data
from bot.engine.model import Dialogue, Reply
from bot.telegram.botapi import advisor_bot
from bot.telegram.flood import NotSentError, cosmetic
from bot.telegram.markup import compacted, entities, keyboard

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# Only new messages count as answers: edits, channel posts and the like are left alone.
NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
ANSWER_TIMEOUT = 2.0
"""Seconds an answerCallbackQuery may take (each attempt; see delivery.ATTEMPTS_FOR)."""
SHOWN_AFTER_PRESS = frozenset({"question", "result", "idle", "language", "explanation"})
"""Turns of a press that are a message in the chat; the others are a notice on the button."""
COMPACTED = frozenset({"question", "language", "idle"})
"""Turns of a press that compact replies show on the pressed message. A result (or an
explanation of it) is a screen of its own, bold title first, to keep and share: it comes as a
new message and the pressed question is marked, as in separate replies."""
COMMANDS = ("start", "back", "result", "change", "help", "mydata", "forget", "language")
"""The command menu, in its order; each described by the text `command_<name>`."""
ASKED_CHATS = 10_000
"""Chats whose latest question message is remembered, to take its buttons away when the
person answers it by typing (the least recently asked are forgotten)."""


class TelegramFrontEnd:
    """The advisor's Telegram handlers, installed on a PTB Application.

    `reply_mode` (REPLY_MODE): "compact" answers a press by editing its message into what
    comes next, the choice shown on top (one message); "separate" sends what comes next and
    then marks the choice on the pressed message (two, the mark cosmetic: it waits behind
    replies and is dropped when stale).
    """

    def __init__(self, advisor: Advisor, *, reply_mode: str = DEFAULT_REPLY_MODE) -> None:
        self.advisor = advisor
        self._asked: OrderedDict[int, int] = OrderedDict()  # chat -> its question's message
        self.compact = reply_mode == "compact"

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register every handler and the error handler on `app`."""
        # Forwarded text was not typed as an answer; it gets the "text or buttons" notice.
        addressed = NEW_MESSAGE & (PRIVATE | filters.REPLY) & ~filters.FORWARDED
        app.add_handler(CommandHandler("start", self.on_start, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("back", self.on_back, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("result", self.on_result, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("help", self.on_help, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("language", self.on_language, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("change", self.on_change, filters=NEW_MESSAGE))
        app.add_handler(CallbackQueryHandler(self.on_press))
        app.add_handler(MessageHandler(addressed & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(addressed & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE, self.on_unsupported))
        app.add_error_handler(self.on_error)

    @staticmethod
    def commands(view: Dialogue) -> list[BotCommand]:
        """Return the command menu shown by Telegram clients, in the view's language."""
        return [BotCommand(name, getattr(view.texts, f"command_{name}")) for name in COMMANDS]

    async def on_start(self, update: Update, context: Context) -> None:
        """Begin a fresh session and ask the first question."""
        chat_id = chat_id_of(update)
        turn = await self.advisor.start(chat_id, update.update_id, language=language_of(update))
        await self._show(context, chat_id, turn)

    async def on_back(self, update: Update, context: Context) -> None:
        """Ask the previous question again, its answer undone."""
        chat_id = chat_id_of(update)
        turn = await self.advisor.back(chat_id, update.update_id, language=language_of(update))
        await self._show(context, chat_id, turn)

    async def on_result(self, update: Update, context: Context) -> None:
        """Repeat the last recommendation (or show where the chat stands)."""
        chat_id = chat_id_of(update)
        await self._show(context, chat_id,
                         await self.advisor.result(chat_id, language=language_of(update)))

    async def on_change(self, update: Update, context: Context) -> None:
        """List the answers given, to answer one of them again."""
        chat_id = chat_id_of(update)
        turn = await self.advisor.change(chat_id, update.update_id, language=language_of(update))
        await self._show(context, chat_id, turn)

    async def on_help(self, update: Update, context: Context) -> None:
        """Explain how to answer."""
        await self._say(update, context, "help")

    async def on_language(self, update: Update, context: Context) -> None:
        """Offer the languages the dialogue speaks, one button each."""
        chat_id = chat_id_of(update)
        reply = await self.advisor.language_menu(chat_id, language_of(update))
        await self._send(context, chat_id, reply, None)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """Say which commands exist."""
        await self._say(update, context, "unknown_command")

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Answer stickers, photos and the like politely."""
        await self._say(update, context, "unsupported")

    async def _say(self, update: Update, context: Context, text: str) -> None:
        """Send one of the texts, in the chat's language."""
        chat_id = chat_id_of(update)
        view = await self.advisor.speaking(chat_id, language_of(update))
        await self._send(context, chat_id, Reply(getattr(view.texts, text)), None)

    async def on_text(self, update: Update, context: Context) -> None:
        """Take typed text as an answer to the current question."""
        message = update.effective_message
        if message is None or message.text is None or not self._addressed(message, context):
            return
        chat_id = chat_id_of(update)
        asked = self._asked.pop(chat_id, None)
        turn = await self.advisor.type_answer(chat_id, message.text, update.update_id,
                                              language=language_of(update))
        sent = await self._show(context, chat_id, turn)
        if sent and turn.marked and asked is not None:
            # Answered by typing: the question's buttons go, as after a press.
            with cosmetic():  # after replies; dropped when stale or stopping
                await _edit(context, chat_id, asked, turn.marked)
        elif asked is not None and chat_id not in self._asked:
            self._asked[chat_id] = asked  # not answered: its buttons still count

    async def on_press(self, update: Update, context: Context) -> None:
        """Take a button press: record it, mark the choice, ask the next question."""
        query = update.callback_query
        if query is None:
            return
        message = accessible_message(query)
        language = language_of(update)
        if message is None:
            await _answer(query, self.advisor.dialogue.speaking(language).texts.stale)
            return
        session_id, data = callback_data.decode(query.data or "")
        turn = await self.advisor.press(message.chat.id, session_id, data, update.update_id,
                                        language=language)
        toggle = turn.kind == "toggle"
        if not toggle and turn.kind not in SHOWN_AFTER_PRESS:
            # A stale or forged button: a short notice on the button, nothing in the chat.
            await _answer(query, turn.reply.text or None)
            return
        # The spinner stops as soon as the answer is stored, and a slow or hanging answer
        # never holds back the next question (or a checked option): the two go out side by
        # side. Flood control queues the reply and lets the chat's next update be handled
        # meanwhile.
        answering = asyncio.ensure_future(_answer(query, None))
        try:
            if toggle:
                await self._toggled(context, message, turn)
            else:
                await self._reply_to_press(context, message, turn)
        finally:
            await answering

    async def _reply_to_press(self, context: Context, message: Message, turn: Turn) -> None:
        """Show what comes after a press, and the choice made, in the reply mode's way.

        Either way the pressed message has buttons until the next question has buttons too:
        compact mode swaps them in one edit; separate mode sends the next question before the
        pressed one loses its buttons. Should the bot stop in between, the person still has
        buttons to press (the Advisor's lost-reply rule then shows the question they missed).
        """
        chat_id = message.chat.id
        compact = (compacted(turn.marked, turn.reply)
                   if self.compact and turn.marked and turn.kind in COMPACTED else None)
        if compact is not None and turn.shows_something:
            if await self._edit_into(context, message, compact, turn.session_id):
                await self.advisor.delivered(chat_id, turn)
            else:
                # Telegram will not edit that message: the same, choice on top, as a new one.
                await self._show(context, chat_id, replace(turn, reply=compact))
            return
        sent = await self._show(context, chat_id, turn)
        if sent and turn.marked:
            with cosmetic():  # after replies; dropped when stale or stopping
                await _edit(context, chat_id, message.message_id, turn.marked)

    async def _toggled(self, context: Context, message: Message, turn: Turn) -> None:
        """Show an option of a multiple question checked or unchecked: the pressed message's
        buttons change, its text (perhaps an earlier choice on top, in compact mode) stays."""
        bot = advisor_bot(context.bot)
        markup = keyboard(turn.reply, turn.session_id, _username(bot))
        if markup is None:  # a toggle always leaves the options and "Done"
            raise ValueError("a toggled question has no buttons")
        try:
            await bot.edit_buttons(message.chat.id, message.message_id, markup)
        except BadRequest as error:
            if not _unchanged(error):  # a double press shows it already
                raise
        except (Forbidden, NotSentError) as error:
            await self._undelivered(message.chat.id, error)

    async def _edit_into(self, context: Context, message: Message, reply: Reply,
                         session_id: int | None) -> bool:
        """Make the pressed message show `reply`; False when it must be sent anew instead."""
        chat_id = message.chat.id
        bot = advisor_bot(context.bot)
        try:
            await bot.edit_text(chat_id, message.message_id, reply.text,
                                keyboard(reply, session_id, _username(bot)), entities(reply))
        except BadRequest as error:
            if _unchanged(error):
                return True  # a double press: the message shows this already
            log.info("chat %s: message %s cannot be edited (%s); sending anew",
                     chat_id, message.message_id, error)
            return False
        except (Forbidden, NotSentError) as error:
            await self._undelivered(chat_id, error)
            return False
        if reply.buttons:
            self._remember(chat_id, message.message_id, reply)
        return True

    async def on_error(self, update: object, context: Context) -> None:
        """Log the failure with its traceback and tell the person how to go on."""
        chat_id = update.effective_chat.id if isinstance(update, Update) and (
            update.effective_chat) else None
        if isinstance(context.error, Forbidden) and chat_id is not None:
            await self._blocked(chat_id, context.error)
            return
        if isinstance(context.error, NotSentError):
            _not_sent(chat_id, context.error)
            return
        log.error("update failed in chat %s", chat_id, exc_info=context.error)
        if isinstance(update, Update) and update.callback_query is not None:
            # Stop the spinner on the button, if the failure came before that.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        if chat_id is not None:
            try:
                await self._apologise(context, chat_id, language_of(update))
            except Exception:  # the error handler must never raise itself
                log.exception("could not tell chat %s about the failure", chat_id)

    async def _apologise(self, context: Context, chat_id: int, language: str | None) -> None:
        """Say something went wrong, with the question the chat stands at when it can."""
        texts = self.advisor.dialogue.speaking(language).texts
        reply, session_id = Reply(texts.error), None
        try:
            texts = (await self.advisor.speaking(chat_id, language)).texts
            turn = await self.advisor.resume(chat_id, language=language)
        except Exception:  # the store may be what failed; the apology goes out anyway
            log.warning("chat %s: cannot read where it stands", chat_id, exc_info=True)
            turn = None
        if turn is not None:
            # The reply that failed may have been this very question: show it again.
            question = turn.reply
            reply = Reply(f"{texts.error}\n\n{question.text}", question.buttons)
            session_id = turn.session_id
        await self._send(context, chat_id, reply, session_id)
        if turn is not None:
            await self.advisor.delivered(chat_id, turn)

    async def _show(self, context: Context, chat_id: int, turn: Turn) -> bool:
        """Send what `turn` shows and tell the Advisor it went out; False when nothing went."""
        if not turn.shows_something:
            return False
        sent = await self._send(context, chat_id, turn.reply, turn.session_id)
        if sent:
            await self.advisor.delivered(chat_id, turn)
        return sent

    async def _send(
        self, context: Context, chat_id: int, reply: Reply, session_id: int | None
    ) -> bool:
        """Send `reply`; return False when the chat blocked the bot (nothing more goes there).

        The message of a question with answer buttons is remembered, so that a typed answer
        can take them away."""
        bot = advisor_bot(context.bot)
        try:
            message_id = await bot.send_text(chat_id, reply.text,
                                             keyboard(reply, session_id, _username(bot)),
                                             entities(reply))
        except (Forbidden, NotSentError) as error:
            await self._undelivered(chat_id, error)
            return False
        if reply.buttons:
            self._remember(chat_id, message_id, reply)
        return True

    def _remember(self, chat_id: int, message_id: int | None, reply: Reply) -> None:
        """Remember the chat's latest message with answer buttons (forget it for others)."""
        self._asked.pop(chat_id, None)
        answers = (":" in b.data and not b.data.startswith("!")
                   for row in reply.buttons for b in row)
        if message_id is not None and any(answers):
            self._asked[chat_id] = message_id
            if len(self._asked) > ASKED_CHATS:
                self._asked.popitem(last=False)

    async def _undelivered(self, chat_id: int, error: Forbidden | NotSentError) -> None:
        """A reply that did not go out: the chat blocked the bot, or flood control gave up."""
        if isinstance(error, Forbidden):
            await self._blocked(chat_id, error)
        else:
            _not_sent(chat_id, error)

    async def _blocked(self, chat_id: int, error: Forbidden) -> None:
        """Stop writing to a chat that blocked the bot; its answers stay stored."""
        log.info("chat %s cannot be written to (%s): marked inactive", chat_id, error.message)
        await self.advisor.mark_blocked(chat_id)

    @staticmethod
    def _addressed(message: Message, context: Context) -> bool:
        """In groups only replies to the bot's own messages are answers."""
        if message.chat.type == "private":
            return True
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)


def accessible_message(query: CallbackQuery) -> Message | None:
    """Return the message the pressed button is on, or None when Telegram no longer lets the
    bot see (or edit) it because it is too old."""
    message = query.message
    # PTB 22.8 parses an inaccessible message (date 0) as a Message: ask, not isinstance.
    if not isinstance(message, Message) or not message.is_accessible:
        return None
    return message


def language_of(update: object) -> str | None:
    """Return the language of the person behind an update (Telegram's `language_code`)."""
    user = update.effective_user if isinstance(update, Update) else None
    return user.language_code if user is not None else None


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("an update without a chat reached a chat handler")
    return chat.id


async def _answer(query: CallbackQuery, text: str | None) -> None:
    """Answer a callback query; one Telegram already considers answered or expired is fine.

    It waits ANSWER_TIMEOUT at most: past about 15 s Telegram refuses a late answer anyway, and
    a spinner that stops on its own is better than a question that comes late.
    """
    try:
        await query.answer(text[:200] if text else None, read_timeout=ANSWER_TIMEOUT)
    except BadRequest as error:
        # A re-delivered press, or one answered after Telegram's ~15 s: nothing to stop the
        # update for, the press itself is handled.
        reason = str(error).lower()
        if "query is too old" not in reason and "query id is invalid" not in reason:
            raise
    except NetworkError as error:  # timeouts included
        log.warning("answering a button press failed (%s); its spinner stops by itself", error)


def _username(bot: Any) -> str | None:
    """Return the bot's @username as getMe gave it at start-up, or None when not known."""
    try:
        name = bot.username
    except RuntimeError:  # PTB raises until the bot was initialized (getMe)
        return None
    return name if isinstance(name, str) and name else None


async def _edit(context: Context, chat_id: int, message_id: int, text: str) -> None:
    """Show the choice on the question's message and remove its buttons."""
    try:
        await advisor_bot(context.bot).edit_text(chat_id, message_id, text)
    except BadRequest as error:
        # A double press or a re-delivered update finds the message already edited.
        if not _unchanged(error):
            raise
    except NotSentError as error:  # stale, or the bot stopping: the buttons stay, harmless
        log.debug("chat %s: choice not marked (%s)", chat_id, error)


def _unchanged(error: BadRequest) -> bool:
    """Tell whether Telegram refused an edit because the message shows that already."""
    return "not modified" in str(error).lower()


def _not_sent(chat_id: int | None, error: NotSentError) -> None:
    """A reply flood control gave up on while stopping (it logs how many): the answer is
    stored, and the person's next press (or /start) shows where they stand."""
    log.debug("chat %s: reply %s", chat_id, error)
