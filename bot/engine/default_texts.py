"""The sentences the bot says when a dialogue does not word them itself, per language.

One YAML file per language ships inside the package (`texts/<language>.yaml`), beside the
shared vocabularies, so that a dialogue offered in a language says everything in it even where
neither the dialogue nor its translation words a text. English is data like the others: no
sentence a person can receive is written in Python. A key a language's file lacks (a text added
since it was translated) comes from English; tests/engine/test_languages.py fails until the
file has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from bot.engine.vocabulary import DataLoader

FALLBACK = "en"
"""The language whose file has every text; the others fall back to it key by key."""


def available(language: str) -> bool:
    """Tell whether built-in texts ship for `language`."""
    return _source(language).is_file()


@cache
def own_texts(language: str) -> Mapping[str, str]:
    """Return the texts `language`'s own file words (no fallback), key -> text."""
    if not available(language):
        raise ValueError(f"no built-in texts for language {language!r}")
    data = yaml.load(_source(language).read_text(encoding="utf-8"), Loader=DataLoader)  # noqa: S506
    return {str(key): str(text).strip() for key, text in data.items()}


@cache
def builtin_texts(language: str) -> Mapping[str, str]:
    """Return the built-in texts of `language`, English where its file has no such key."""
    return {**own_texts(FALLBACK), **own_texts(language)}


def _source(language: str) -> resources.abc.Traversable:
    return resources.files("bot.engine") / "texts" / f"{language}.yaml"


@dataclass(frozen=True)
class Texts:
    """Every sentence the bot says that is not a question, option or outcome.

    The defaults are data, one file per language (bot/engine/texts/<language>.yaml, read by
    `bot.engine.default_texts`); a dialogue and its translations override them key by key.
    """

    welcome: str
    help: str
    progress: str
    chosen: str
    reprompt: str
    stale: str
    nothing_to_undo: str
    no_result: str
    result_heading: str
    because: str
    runner_up: str
    tips_heading: str
    finished: str
    unknown_command: str
    unsupported: str
    unreadable: str
    error: str
    restored: str
    dialogue_changed: str
    idle: str
    idle_continue: str
    idle_restart: str
    mydata_heading: str
    mydata_empty: str
    forget_confirm: str
    forget_yes: str
    forget_no: str
    forgotten: str
    forget_cancelled: str
    reloaded: str
    reload_failed: str
    command_start: str
    command_back: str
    command_result: str
    command_help: str
    command_mydata: str
    command_forget: str
    did_you_mean: str
    or_word: str
    all_options: str
    understood: str
    quoted: str
    answered_reason: str
    mydata_session: str
    mydata_finished: str
    mydata_open: str
    mydata_restarted: str
    mydata_answer: str
    mydata_language: str
    console_hint: str
    console_welcome_back: str
    console_bye: str
    language_name: str
    language_prompt: str
    language_chosen: str
    command_language: str
    description: str
    short_description: str
    command_change: str
    no_result_yet: str
    changed: str
    changed_same: str
    button_back: str
    back_marked: str
    button_change: str
    button_whynot: str
    button_whatif: str
    button_start: str
    button_share: str
    share: str
    close_heading: str
    thin_heading: str
    close_tie: str
    close_thin: str
    close_for: str
    close_for_none: str
    close_decide: str
    button_decide: str
    whynot_heading: str
    whynot_score: str
    whynot_against: str
    whynot_nothing: str
    whatif_heading: str
    whatif_line: str
    whatif_answer: str
    whatif_none: str
    list_and: str
    change_prompt: str
    change_item: str
    change_asking: str
    change_none: str
    mydata_revision: str
    button_done: str
    button_checked: str
    pick_at_least: str
    pick_at_most: str
    pick_several: str

    @staticmethod
    def defaults(language: str) -> Texts:
        """Return the built-in texts of `language` (what a dialogue that gives none says)."""
        return _defaults(language)


@cache
def _defaults(language: str) -> Texts:
    return Texts(**builtin_texts(language))
