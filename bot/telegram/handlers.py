"""Turn Telegram updates into advisor calls, and advisor replies into Bot API calls."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
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
from bot.engine.model import Reply, Texts
from bot.telegram.botapi import advisor_bot
from bot.telegram.flood import NotSentError, cosmetic

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# Only new messages count as answers: edits, channel posts and the like are left alone.
NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
ANSWER_TIMEOUT = 2.0
"""Seconds an answerCallbackQuery may take (each attempt; see delivery.ATTEMPTS_FOR)."""
MAX_TEXT = 4096
"""Telegram's longest message, in UTF-16 code units (plain text: no entities to parse)."""


def keyboard(reply: Reply, session_id: int | None) -> str | None:
    """Return the reply's buttons as an inline keyboard in the Bot API's JSON, or None.

    Encoded here rather than built from PTB's InlineKeyboardButton objects, which PTB then
    turns back into dicts: the objects cost more than the rest of a press's dialogue work.
    """
    if not reply.buttons:
        return None
    rows = [[{"text": b.label, "callback_data": callback_data.encode(session_id, b.data)}
             for b in row] for row in reply.buttons]
    return json.dumps({"inline_keyboard": rows})


def compacted(marked: str, reply: Reply) -> Reply | None:
    """Return the pressed question's message made into the reply, the choice on top, or None
    when the two do not fit in one message (compact mode)."""
    text = f"{marked}\n\n{reply.text}"
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        return None
    return Reply(text, reply.buttons)


class TelegramFrontEnd:
    """The advisor's Telegram handlers, installed on a PTB Application.

    `reply_mode` (REPLY_MODE): "compact" answers a press by editing its message into what
    comes next, the choice shown on top (one message); "separate" sends what comes next and
    then marks the choice on the pressed message (two, the mark cosmetic: it waits behind
    replies and is dropped when stale).
    """

    def __init__(self, advisor: Advisor, *, reply_mode: str = DEFAULT_REPLY_MODE) -> None:
        self.advisor = advisor
        self.compact = reply_mode == "compact"

    @property
    def texts(self) -> Texts:
        """Return the current dialogue's texts (a /reload may have swapped the dialogue)."""
        return self.advisor.texts

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register every handler and the error handler on `app`."""
        # Forwarded text was not typed as an answer; it gets the "text or buttons" notice.
        addressed = NEW_MESSAGE & (PRIVATE | filters.REPLY) & ~filters.FORWARDED
        app.add_handler(CommandHandler("start", self.on_start, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("back", self.on_back, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("result", self.on_result, filters=NEW_MESSAGE))
        app.add_handler(CommandHandler("help", self.on_help, filters=NEW_MESSAGE))
        app.add_handler(CallbackQueryHandler(self.on_press))
        app.add_handler(MessageHandler(addressed & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(addressed & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE, self.on_unsupported))
        app.add_error_handler(self.on_error)

    def commands(self) -> list[BotCommand]:
        """Return the command menu shown by Telegram clients."""
        return [
            BotCommand("start", self.texts.command_start),
            BotCommand("back", self.texts.command_back),
            BotCommand("result", self.texts.command_result),
            BotCommand("help", self.texts.command_help),
            BotCommand("mydata", self.texts.command_mydata),
            BotCommand("forget", self.texts.command_forget),
        ]

    async def on_start(self, update: Update, context: Context) -> None:
        """Begin a fresh session and ask the first question."""
        chat_id = chat_id_of(update)
        await self._show(context, chat_id, await self.advisor.start(chat_id, update.update_id))

    async def on_back(self, update: Update, context: Context) -> None:
        """Ask the previous question again, its answer undone."""
        chat_id = chat_id_of(update)
        await self._show(context, chat_id, await self.advisor.back(chat_id, update.update_id))

    async def on_result(self, update: Update, context: Context) -> None:
        """Repeat the last recommendation."""
        chat_id = chat_id_of(update)
        await self._send(context, chat_id, await self.advisor.result(chat_id), None)

    async def on_help(self, update: Update, context: Context) -> None:
        """Explain how to answer."""
        await self._send(context, chat_id_of(update), Reply(self.texts.help), None)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """Say which commands exist."""
        await self._send(context, chat_id_of(update), Reply(self.texts.unknown_command), None)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Answer stickers, photos and the like politely."""
        await self._send(context, chat_id_of(update), Reply(self.texts.unsupported), None)

    async def on_text(self, update: Update, context: Context) -> None:
        """Take typed text as an answer to the current question."""
        message = update.effective_message
        if message is None or message.text is None or not self._addressed(message, context):
            return
        chat_id = chat_id_of(update)
        turn = await self.advisor.type_answer(chat_id, message.text, update.update_id)
        await self._show(context, chat_id, turn)

    async def on_press(self, update: Update, context: Context) -> None:
        """Take a button press: record it, mark the choice, ask the next question."""
        query = update.callback_query
        if query is None:
            return
        message = accessible_message(query)
        if message is None:
            await _answer(query, self.texts.stale)
            return
        session_id, data = callback_data.decode(query.data or "")
        turn = await self.advisor.press(message.chat.id, session_id, data, update.update_id)
        if turn.kind not in ("question", "result", "idle"):
            # A stale or forged button: a short notice on the button, nothing in the chat.
            await _answer(query, turn.reply.text or None)
            return
        # The spinner stops as soon as the answer is stored, and a slow or hanging answer
        # never holds back the next question: the two go out side by side. Flood control
        # queues the reply and lets the chat's next update be handled meanwhile.
        answering = asyncio.ensure_future(_answer(query, None))
        try:
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
        compact = compacted(turn.marked, turn.reply) if self.compact and turn.marked else None
        if compact is not None:
            if not await self._edit_into(context, message, compact, turn.session_id):
                # Telegram will not edit that message: the same, choice on top, as a new one.
                await self._send(context, message.chat.id, compact, turn.session_id)
            return
        sent = await self._send(context, message.chat.id, turn.reply, turn.session_id)
        if sent and turn.marked:
            with cosmetic():  # after replies; dropped when stale or stopping
                await _edit(context, message, turn.marked)

    async def _edit_into(self, context: Context, message: Message, reply: Reply,
                         session_id: int | None) -> bool:
        """Make the pressed message show `reply`; False when it must be sent anew instead."""
        try:
            await advisor_bot(context.bot).edit_text(
                message.chat.id, message.message_id, reply.text, keyboard(reply, session_id))
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return True  # a double press: the message shows this already
            log.info("chat %s: message %s cannot be edited (%s); sending anew",
                     message.chat.id, message.message_id, error)
            return False
        except Forbidden as error:
            await self._blocked(message.chat.id, error)
        except NotSentError as error:
            _not_sent(message.chat.id, error)
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
                await self._apologise(context, chat_id)
            except Exception:  # the error handler must never raise itself
                log.exception("could not tell chat %s about the failure", chat_id)

    async def _apologise(self, context: Context, chat_id: int) -> None:
        """Say something went wrong, with the question the chat stands at when it can."""
        reply, session_id = Reply(self.texts.error), None
        try:
            turn = await self.advisor.resume(chat_id)
        except Exception:  # the store may be what failed; the apology goes out anyway
            log.warning("chat %s: cannot read where it stands", chat_id, exc_info=True)
            turn = None
        if turn is not None:
            # The reply that failed may have been this very question: show it again.
            question = turn.reply
            reply = Reply(f"{self.texts.error}\n\n{question.text}", question.buttons)
            session_id = turn.session_id
        await advisor_bot(context.bot).send_text(chat_id, reply.text, keyboard(reply, session_id))

    async def _show(self, context: Context, chat_id: int, turn: Turn) -> None:
        if turn.shows_something:
            await self._send(context, chat_id, turn.reply, turn.session_id)

    async def _send(
        self, context: Context, chat_id: int, reply: Reply, session_id: int | None
    ) -> bool:
        """Send `reply`; return False when the chat blocked the bot (nothing more goes there)."""
        try:
            await advisor_bot(context.bot).send_text(
                chat_id, reply.text, keyboard(reply, session_id))
        except Forbidden as error:
            await self._blocked(chat_id, error)
            return False
        except NotSentError as error:
            _not_sent(chat_id, error)
            return False
        return True

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


async def _edit(context: Context, message: Message, text: str) -> None:
    """Show the choice on the question's message and remove its buttons."""
    try:
        await advisor_bot(context.bot).edit_text(message.chat.id, message.message_id, text)
    except BadRequest as error:
        # A double press or a re-delivered update finds the message already edited.
        if "not modified" not in str(error).lower():
            raise
    except NotSentError as error:  # stale, or the bot stopping: the buttons stay, harmless
        log.debug("chat %s: choice not marked (%s)", message.chat.id, error)


def _not_sent(chat_id: int | None, error: NotSentError) -> None:
    """A reply flood control gave up on while stopping (it logs how many): the answer is
    stored, and the person's next press (or /start) shows where they stand."""
    log.debug("chat %s: reply %s", chat_id, error)
