"""Commands around the dialogue: /mydata and /forget for everyone, /stats and /reload for admins.

They run in handler group -1, before the dialogue's handlers, and stop the update there. For a
chat that is not an admin, /stats and /reload match nothing here and fall through to the
"unknown command" reply, so they are not advertised to anyone else.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.advisor import Advisor
from bot.config import Settings
from bot.engine.model import TEXT_LIMIT
from bot.ops.stats import collect_stats, parse_duration, render_stats
from bot.telegram.handlers import accessible_message, chat_id_of, language_of

Context = ContextTypes.DEFAULT_TYPE
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
NEW_MESSAGE = filters.UpdateType.MESSAGE


class OperatorCommands:
    """Privacy commands for every user and operator commands for the admins."""

    def __init__(self, advisor: Advisor, settings: Settings) -> None:
        self.advisor = advisor
        self.settings = settings

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the handlers in group -1 of `app`."""
        app.add_handler(CommandHandler("mydata", self.on_mydata, filters=NEW_MESSAGE), -1)
        app.add_handler(CommandHandler("forget", self.on_forget, filters=NEW_MESSAGE), -1)
        app.add_handler(
            CallbackQueryHandler(self.on_forget_answer, pattern=f"^({FORGET_YES}|{FORGET_NO})$"),
            -1,
        )
        if self.settings.admin_chat_ids:
            admins = NEW_MESSAGE & filters.Chat(chat_id=sorted(self.settings.admin_chat_ids))
            app.add_handler(CommandHandler("stats", self.on_stats, filters=admins), -1)
            app.add_handler(CommandHandler("reload", self.on_reload, filters=admins), -1)

    async def on_mydata(self, update: Update, context: Context) -> None:
        """Show the person everything stored about their chat."""
        chat_id = chat_id_of(update)
        shown = await self.advisor.my_data(chat_id, language=language_of(update))
        await context.bot.send_message(chat_id, shown.text)
        raise ApplicationHandlerStop

    async def on_forget(self, update: Update, context: Context) -> None:
        """Ask before deleting everything stored about the chat."""
        texts = (await self.advisor.speaking(chat_id_of(update), language_of(update))).texts
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(texts.forget_yes, callback_data=FORGET_YES),
            InlineKeyboardButton(texts.forget_no, callback_data=FORGET_NO),
        ]])
        await context.bot.send_message(chat_id_of(update), texts.forget_confirm,
                                       reply_markup=buttons)
        raise ApplicationHandlerStop

    async def on_forget_answer(self, update: Update, _context: Context) -> None:
        """Delete the chat's rows when confirmed, and say what happened."""
        query = update.callback_query
        # PTB lets a query with no data through any pattern: leave it to the dialogue's handler.
        if query is None or query.data not in (FORGET_YES, FORGET_NO):
            return
        message = accessible_message(query)
        language = language_of(update)
        if message is None:
            await query.answer(self.advisor.dialogue.speaking(language).texts.stale)
            raise ApplicationHandlerStop
        texts = (await self.advisor.speaking(message.chat.id, language)).texts
        await query.answer()
        if query.data == FORGET_YES:
            await self.advisor.forget(message.chat.id)
            await message.edit_text(texts.forgotten)
        else:
            await message.edit_text(texts.forget_cancelled)
        raise ApplicationHandlerStop

    async def on_stats(self, update: Update, context: Context) -> None:
        """Show an admin the funnel and the recommendations."""
        now = time.time()
        try:
            since = now - parse_duration(context.args[0]).total_seconds() if context.args else None
        except ValueError as error:
            await context.bot.send_message(chat_id_of(update), str(error))
            raise ApplicationHandlerStop from None
        # Plain sqlite3 reads over every session: off the event loop.
        stats = await asyncio.to_thread(
            collect_stats,
            Path(self.settings.database_path),
            self.advisor.dialogue,
            since=since,
            now=now,
            inactivity_hours=self.settings.inactivity_hours,
        )
        await context.bot.send_message(chat_id_of(update), render_stats(stats)[:TEXT_LIMIT])
        raise ApplicationHandlerStop

    async def on_reload(self, update: Update, context: Context) -> None:
        """Reload the dialogue file; keep the old one when the new one has problems."""
        texts = (await self.advisor.speaking(chat_id_of(update), language_of(update))).texts
        result = await self.advisor.reload(self.settings.dialogue_path)
        template = texts.reloaded if result.switched else texts.reload_failed
        key = "summary" if result.switched else "problems"
        await context.bot.send_message(
            chat_id_of(update), template.format(**{key: result.message})[:TEXT_LIMIT]
        )
        raise ApplicationHandlerStop
