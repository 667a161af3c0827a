"""Translations of a dialogue: found beside it, compared with it, and made into its views.

`dialogues/advice.ru.yaml` translates `dialogues/advice.yaml` into Russian: the same question,
option, outcome and tip ids, holding only words (`translation_format`). Structure, scores and
conditions stay in the dialogue. A translation is complete when it words everything its
dialogue words; a text the dialogue leaves to the built-in defaults may be left out (that
language's built-in text is used). Each translation becomes a *view*: a Dialogue with the same
ids and structure and that language's words, vocabulary and word forms, built once here, so
the engine runs a view exactly as it runs the dialogue and a button press costs the same.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.engine.checks import check_translation
from bot.engine.default_texts import available as texts_available
from bot.engine.model import (
    Conflict,
    Dialogue,
    Extra,
    Option,
    Outcome,
    Question,
    Texts,
    Tip,
    Where,
)
from bot.engine.translation_format import Given, TranslationReader
from bot.engine.vocabulary import EXTENSIBLE, Vocabulary, builtin
from bot.engine.vocabulary import available as vocabulary_available
from bot.engine.wording import OPTIONAL_PLACEHOLDERS
from bot.engine.yaml_nodes import line_of, read_file
from bot.errors import Problem

_TRANSLATION = re.compile(r"(?P<stem>.+)\.(?P<language>[a-z]{2})")
"""`<dialogue's stem>.<language>`: a translation's file name without its suffix (the language
as Telegram's `language_code` has it: two letters, ISO 639-1)."""

SUFFIXES = (".yaml", ".yml")


def translation_of(path: Path) -> tuple[Path, str] | None:
    """Return (its dialogue's file, its language) when `path` names a translation file."""
    found = _TRANSLATION.fullmatch(path.stem) if path.suffix in SUFFIXES else None
    if found is None:
        return None
    return path.with_name(found["stem"] + path.suffix), found["language"]


def translations_beside(path: Path) -> dict[str, Path]:
    """Return the translation files beside a dialogue file, by language."""
    if not path.parent.is_dir():
        return {}
    found = {}
    for candidate in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        named = translation_of(candidate)
        if named is not None and named[0] == path:
            found[named[1]] = candidate
    return found


@dataclass(frozen=True)
class Completeness:
    """How much of what its dialogue words a translation words."""

    language: str
    given: int
    expected: int
    file: str = ""

    def __str__(self) -> str:
        share = 100 * self.given // self.expected if self.expected else 100
        where = f" ({self.file})" if self.file else ""
        return f"{self.language}: {self.given} of {self.expected} texts ({share}%){where}"


@dataclass(frozen=True)
class Translated:
    """A translation read and checked: its view (None when it cannot be read), its problems
    (each at its line in the translation file) and how complete it is."""

    view: Dialogue | None
    problems: list[Problem]
    completeness: Completeness


def translate(main: Dialogue, main_lines: Mapping[str, int], path: Path,
              language: str) -> Translated:
    """Read the translation at `path` of the (valid) dialogue `main` into `language`.

    `main_lines` are the dialogue's key lines as the loader read them; `texts.<key>` among
    them tells which texts the dialogue words itself (those a translation must word too).
    """
    file = str(path)
    nothing = Completeness(language, 0, 0, file)
    root, fatal = read_file(path)
    if fatal is not None:
        return Translated(None, [fatal], nothing)
    reader = TranslationReader(file)
    given = Given(1) if root is None else reader.part(root, "the translation", line_of(root),
                                                      "dialogue")
    problems = reader.problems + _language_problems(main, given, file, language)
    if problems[len(reader.problems):]:
        return Translated(None, problems, nothing)
    translator = _Translator(main, main_lines, given, file, language)
    view = translator.view()
    problems += translator.problems
    if not problems:
        problems = check_translation(view, translator.lines)
    return Translated(view, problems, translator.completeness())


def with_translations(
    main: Dialogue, main_lines: Mapping[str, int], path: Path
) -> tuple[Dialogue, list[Problem], list[Completeness]]:
    """Return the dialogue at `path` with the translations beside it, their problems and how
    complete each is."""
    problems: list[Problem] = []
    views: dict[str, Dialogue] = {}
    complete: list[Completeness] = []
    for language, file in translations_beside(path).items():
        translated = translate(main, main_lines, file, language)
        problems += translated.problems
        complete.append(translated.completeness)
        if translated.view is not None and not translated.problems:
            views[language] = translated.view
    return replace(main, translations=views), problems, complete


def _language_problems(main: Dialogue, given: Given, file: str, language: str) -> list[Problem]:
    said = given.text("language")
    if said is not None and said != language:
        return [Problem(file, given.lines["language"],
                        f"the file's name says it is the {language!r} translation, but it says "
                        f"language: {said}; rename the file or fix the language")]
    if language == main.language:
        return [Problem(file, 1, f"{main.source} is written in {language!r} already: a "
                                 "translation must be into another language")]
    if not (vocabulary_available(language) and texts_available(language)):
        return [Problem(file, 1, f"there is no vocabulary or built-in texts for language "
                                 f"{language!r} (bot/engine/vocabularies, bot/engine/texts): "
                                 "add the language's files, or remove this translation")]
    return []


class _Translator:
    """Compares a translation with its dialogue while building the view from it."""

    def __init__(self, main: Dialogue, main_lines: Mapping[str, int], given: Given, file: str,
                 language: str) -> None:
        self.main = main
        self.main_lines = main_lines
        self.given = given
        self.file = file
        self.language = language
        self.problems: list[Problem] = []
        self.expected = 0
        self.found = 0
        self.lines: dict[str, int] = {"": given.line, **given.lines}

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def completeness(self) -> Completeness:
        return Completeness(self.language, self.found, self.expected, self.file)

    def where(self, part: Given | None, fallback: Where) -> Where:
        return Where(self.file, part.line) if part is not None else fallback

    # Single texts ----------------------------------------------------------------------------

    def text(self, part: Given | None, key: str, original: str | None) -> str | None:
        """Return the translation of `original`, counting it; `original` itself when missing
        (reported by `missing`, once for a whole missing part)."""
        value = part.text(key) if part is not None else None
        if original:
            self.expected += 1
            self.found += value is not None
        return value if value is not None else original

    def words(self, part: Given | None, key: str, original: tuple[str, ...]) -> tuple[str, ...]:
        value = part.words(key) if part is not None else None
        if original:
            self.expected += 1
            self.found += value is not None
        return value if value is not None else original

    def missing(self, part: Given | None, keys: Mapping[str, object], what: str) -> None:
        """Report the keys whose original is worded but which `part` (given) leaves out."""
        if part is None:
            return
        left = [key for key, original in keys.items() if original and key not in part.texts]
        if left:
            self.report(part.line, f"{what} has no {_listing(left)} in this translation: "
                                   "translate them")

    def items(self, parent: Given, key: str, ids: list[str], kind: str, *, main_line: int,
              owner: str = "") -> dict[str, Given]:
        """Return the given parts of a map by id; report ids missing and ids not in the main.

        `kind` names the parts ("option"), `owner` what they belong to (" of question 'use'").
        """
        given = parent.keyed.get(key, {})
        absent = [each for each in ids if each not in given]
        if absent:
            them = "it" if len(absent) == 1 else "them"
            self.report(parent.lines.get(key, parent.line),
                        f"this translation has no {kind} {_listing(absent)}{owner} (the dialogue "
                        f"has {them}: {self.main.source}:{main_line}): translate {them}")
        for each, part in given.items():
            if each not in ids:
                close = difflib.get_close_matches(each, ids, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.report(part.line, f"{kind} {each!r}{owner} is not in the dialogue "
                                       f"{self.main.source}{hint}: ids are never translated; "
                                       "use the dialogue's id, or remove it")
        return given

    # The view --------------------------------------------------------------------------------

    def view(self) -> Dialogue:
        main, given = self.main, self.given
        main_line = self.main_lines.get("questions", 1)
        questions = self.items(given, "questions", list(main.questions), "question",
                               main_line=main_line)
        outcomes = self.items(given, "outcomes", list(main.outcomes), "outcome",
                              main_line=self.main_lines.get("outcomes", 1))
        tips = self.items(given, "tips", [tip.id for tip in main.tips], "tip",
                          main_line=self.main_lines.get("tips", 1))
        conflicts = self.items(given, "conflicts", [c.id for c in main.conflicts], "conflict",
                               main_line=self.main_lines.get("conflicts", 1))
        title = self.text(given, "title", main.title) or ""
        self.missing(given, {"title": main.title}, "the translation")
        return replace(
            main,
            title=title,
            questions={q: self.question(main.questions[q], questions.get(q))
                       for q in main.questions},
            outcomes={o: self.outcome(main.outcomes[o], outcomes.get(o)) for o in main.outcomes},
            tips=tuple(self.tip(tip, tips.get(tip.id)) for tip in main.tips),
            conflicts=tuple(self.conflict(c, conflicts.get(c.id)) for c in main.conflicts),
            texts=self.texts(),
            source=self.file,
            language=self.language,
            vocabulary=self.vocabulary(),
            translations={},
        )

    def question(self, question: Question, part: Given | None) -> Question:
        options: dict[str, Given] = {}
        if part is not None:
            options = self.items(part, "options", [o.id for o in question.options], "option",
                                 main_line=question.where.line,
                                 owner=f" of question {question.id!r}")
        self.missing(part, {"text": question.text, "short": question.short},
                     f"question {question.id!r}")
        return replace(
            question,
            text=self.text(part, "text", question.text) or "",
            short=self.text(part, "short", question.short),
            options=tuple(self.option(question, o, options.get(o.id)) for o in question.options),
            where=self.where(part, question.where),
        )

    def option(self, question: Question, option: Option, part: Given | None) -> Option:
        originals = {"label": option.label, "synonyms": option.synonyms,
                     "reason": option.reason, "short": option.short, "whatif": option.whatif}
        self.missing(part, originals, f"option {option.id!r} of question {question.id!r}")
        return replace(
            option,
            label=self.text(part, "label", option.label) or "",
            synonyms=self.words(part, "synonyms", option.synonyms),
            reason=self.text(part, "reason", option.reason),
            short=self.text(part, "short", option.short),
            whatif=self.text(part, "whatif", option.whatif),
            where=self.where(part, option.where),
        )

    def outcome(self, outcome: Outcome, part: Given | None) -> Outcome:
        self.missing(part, {"title": outcome.title, "text": outcome.text,
                            "short": outcome.short, "summary": outcome.summary},
                     f"outcome {outcome.id!r}")
        return replace(
            outcome,
            title=self.text(part, "title", outcome.title) or "",
            short=self.text(part, "short", outcome.short),
            summary=self.text(part, "summary", outcome.summary),
            text=self.text(part, "text", outcome.text) or "",
            extras=self.extras(outcome, part),
            where=self.where(part, outcome.where),
        )

    def extras(self, outcome: Outcome, part: Given | None) -> tuple[Extra, ...]:
        """Return the outcome's extras translated: a list in the dialogue's order."""
        given = part.listed.get("extras", []) if part is not None else []
        wanted = len(outcome.extras)
        if part is not None and len(given) < wanted:
            self.report(part.lines.get("extras", part.line),
                        f"outcome {outcome.id!r} has {wanted} extras and this translation gives "
                        f"{len(given)}: translate every one, in the dialogue's order")
        for surplus in given[wanted:]:
            self.report(surplus.line, f"outcome {outcome.id!r} has only {wanted} extras: "
                                      "remove this one, or add it to the dialogue first")
        translated = []
        for number, extra in enumerate(outcome.extras):
            item = given[number] if number < len(given) else None
            self.missing(item, {"text": extra.text}, f"extra {number + 1} of outcome "
                                                     f"{outcome.id!r}")
            translated.append(replace(extra, text=self.text(item, "text", extra.text) or "",
                                      where=self.where(item, extra.where)))
        return tuple(translated)

    def conflict(self, conflict: Conflict, part: Given | None) -> Conflict:
        self.missing(part, {"text": conflict.text}, f"conflict {conflict.id!r}")
        return replace(conflict, text=self.text(part, "text", conflict.text) or "",
                       where=self.where(part, conflict.where))

    def tip(self, tip: Tip, part: Given | None) -> Tip:
        self.missing(part, {"text": tip.text}, f"tip {tip.id!r}")
        return replace(tip, text=self.text(part, "text", tip.text) or "",
                       where=self.where(part, tip.where))

    def texts(self) -> Texts:
        """Return the built-in texts of the language with those the translation words; the
        texts the dialogue words must be worded, with the same {placeholders}."""
        part = self.given.records.get("texts")
        worded = [key.removeprefix("texts.") for key in self.main_lines
                  if key.startswith("texts.")]
        if worded and part is None:
            self.report(self.given.line, f"this translation has no texts: the dialogue words "
                                         f"{len(worded)} (from {self.main.source}:"
                                         f"{self.main_lines.get('texts', 1)}); translate them")
        originals = vars(self.main.texts)
        self.missing(part, {key: originals[key] for key in worded}, "texts")
        given: dict[str, str] = {}
        for key in originals:
            text = self.text(part, key, originals[key] if key in worded else None)
            if part is not None and key in part.texts:
                given[key] = str(text)
                self.lines[f"texts.{key}"] = part.texts[key].line
                self.placeholders(key, str(text), originals[key], part.texts[key].line)
        return replace(Texts.defaults(self.language), **given)

    def placeholders(self, key: str, text: str, original: str, line: int) -> None:
        mine, theirs = _fields(text), _fields(original)
        if mine is None or theirs is None:
            return  # an unmatched brace: the checks of the texts report it
        optional = OPTIONAL_PLACEHOLDERS.get(key, set())
        if mine - optional != theirs - optional:
            shown = ", ".join(f"{{{name}}}" for name in sorted(theirs)) or "none"
            self.report(line, f"texts.{key} uses {_braced(mine)} but the dialogue's text uses "
                              f"{shown}: keep the placeholders as they are (the bot fills them "
                              "in), translate only the words around them")

    def vocabulary(self) -> Vocabulary:
        part = self.given.records.get("vocabulary")
        more = {key: part.words(key) or () for key in EXTENSIBLE} if part else {}
        return builtin(self.language).extended(more)


def _fields(text: str) -> set[str] | None:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError:
        return None


def _braced(names: set[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names)) or "no placeholders"


def _listing(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
