"""The SQL of the store's transactions, one constant each, named for what it does.

Parameters are always bound (`?` or `:name`); nothing a person typed is ever spliced in.
"""

from __future__ import annotations

CHAT_LAST_UPDATE = (
    # The chat's last handled update, id and time recorded: its latest session's when that
    # has one (every start and press writes it there, migration 2), else its row's (what
    # re-prompts recorded, and what a chat without sessions has).
    "SELECT coalesce(s.last_update_id, c.last_update_id),"
    " CASE WHEN s.last_update_id IS NOT NULL THEN coalesce(s.last_update_at, s.updated_at)"
    " ELSE coalesce(c.last_update_at, c.updated_at) END"
    " FROM (SELECT 1) LEFT JOIN chats AS c ON c.chat_id = :chat"
    " LEFT JOIN sessions AS s ON s.id = (SELECT max(id) FROM sessions WHERE chat_id = :chat)"
)
SESSION = (
    # A session row, then the chat's last handled update (StoredSession's field order).
    "SELECT listed.id, listed.chat_id, listed.dialogue_id, listed.dialogue_version,"
    " listed.current_question, listed.status, listed.outcome, listed.started_at,"
    " listed.updated_at, listed.finished_at, last.*, listed.shown, listed.language,"
    " (SELECT language FROM chats WHERE chat_id = listed.chat_id), listed.revises,"
    " listed.origin FROM sessions AS listed"
    f" JOIN ({CHAT_LAST_UPDATE}) AS last"
)
# The chat's latest session; both find the chat's few sessions through sessions_by_chat.
CURRENT = f"{SESSION} WHERE chat_id = :chat AND status != 'restarted' ORDER BY id DESC LIMIT 1"
LAST_FINISHED = f"{SESSION} WHERE chat_id = :chat AND status = 'finished' ORDER BY id DESC LIMIT 1"
HISTORY = f"{SESSION} WHERE chat_id = :chat ORDER BY id"
ANSWERS = (
    "SELECT question_id, option_id, answered_at FROM answers"
    " WHERE session_id = ? ORDER BY position"
)
HISTORY_ANSWERS = (
    "SELECT a.session_id, a.question_id, a.option_id, a.answered_at"
    " FROM answers AS a JOIN sessions AS s ON s.id = a.session_id"
    " WHERE s.chat_id = ? ORDER BY a.session_id, a.position"
)

ADD_CHAT = (
    # A chat that came back keeps its row as it is.
    "INSERT INTO chats (chat_id, active, created_at, updated_at) VALUES (?, 1, ?, ?)"
    " ON CONFLICT (chat_id) DO NOTHING"
)
REACTIVATE = (
    # A start or a press marks its chat active again, if it was not. The chat's row is not
    # written otherwise: for a chat that came back it sits on a page among the old chats (see
    # migration 2). SQLite would look the row up by its key; INDEXED BY makes it ask the small
    # index of inactive chats instead.
    "UPDATE chats INDEXED BY chats_inactive SET active = 1, updated_at = ?"
    " WHERE chat_id = ? AND active = 0"
)
RESTART_ACTIVE = (
    "UPDATE sessions SET status = 'restarted', updated_at = ?"
    " WHERE chat_id = ? AND status = 'active'"
)
ADD_SESSION = (
    "INSERT INTO sessions (chat_id, dialogue_id, dialogue_version, current_question,"
    " status, outcome, started_at, updated_at, finished_at, last_update_id,"
    " last_update_at, shown, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, -1, ?)"
)
ADD_VERSION = (
    "INSERT INTO sessions (chat_id, dialogue_id, dialogue_version, current_question,"
    " status, outcome, started_at, updated_at, finished_at, last_update_id,"
    " last_update_at, shown, language, revises, origin)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, -1, ?, ?, ?)"
)
SUPERSEDE = (
    # An open version a newer one carries on from (a finished one stays finished).
    "UPDATE sessions SET status = 'restarted', updated_at = ? WHERE id = ? AND status = 'active'"
)
REVISED = "SELECT status, outcome, revises FROM sessions WHERE id = ?"
ADD_ANSWER = (
    "INSERT INTO answers (session_id, position, question_id, option_id, answered_at)"
    " VALUES (?, ?, ?, ?, ?)"
)
SESSION_STATUS = "SELECT chat_id, status FROM sessions WHERE id = ?"
LATEST_SESSION_ID = "SELECT max(id) FROM sessions WHERE chat_id = ?"
UNDO_ANSWERS = "DELETE FROM answers WHERE session_id = ? AND position >= ?"
SAVE_SESSION = (
    "UPDATE sessions SET current_question = :current, status = :status, outcome = :outcome,"
    " updated_at = :now, finished_at = :finished_at, dialogue_version = :version,"
    " language = :language,"
    " shown = -1, last_update_id = coalesce(:update_id, last_update_id),"
    " last_update_at = CASE WHEN :update_id IS NULL THEN last_update_at ELSE :now END"
    " WHERE id = :id RETURNING last_update_id, last_update_at"
)

TOUCH_CHAT = (
    "INSERT INTO chats (chat_id, active, created_at, updated_at, last_update_id,"
    " last_update_at) VALUES (?1, ?2, ?3, ?3, ?4, CASE WHEN ?4 IS NULL THEN NULL ELSE ?3 END)"
    " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active,"
    " updated_at = excluded.updated_at,"
    " last_update_id = coalesce(excluded.last_update_id, last_update_id),"
    " last_update_at = coalesce(excluded.last_update_at, last_update_at)"
)
NOTE_ON_SESSION = (
    "UPDATE sessions SET last_update_id = ?1, last_update_at = ?3"
    " WHERE id = (SELECT max(id) FROM sessions WHERE chat_id = ?2)"
)
MARK_SHOWN = (
    # Only while the session is as it was when its reply went out (updated_at unchanged).
    "UPDATE sessions SET shown = ? WHERE id = ? AND updated_at = ?"
)
MARK_RESTORED = "UPDATE sessions SET shown = -2"
IS_ACTIVE = "SELECT active FROM chats WHERE chat_id = ?"
CHOSEN_LANGUAGE = "SELECT language FROM chats WHERE chat_id = ?"
CHOOSE_LANGUAGE = (
    "INSERT INTO chats (chat_id, active, created_at, updated_at, language) VALUES (?1, 1, ?2, ?2,"
    " ?3) ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language"
)
# The chat's open session is from now on shown in the language chosen.
SESSION_LANGUAGE = "UPDATE sessions SET language = ? WHERE chat_id = ? AND status = 'active'"
# Answers go with their sessions (ON DELETE CASCADE).
FORGET_SESSIONS = "DELETE FROM sessions WHERE chat_id = ?"
FORGET_CHAT = "DELETE FROM chats WHERE chat_id = ?"
