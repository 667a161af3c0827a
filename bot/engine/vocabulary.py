"""The shared words of a language: yes, no and not-sure, small words, negations, units.

One YAML file per language ships inside the package (`vocabularies/<language>.yaml`); a
dialogue may add words to it under its top-level `vocabulary:` key. The files are ours, read
once per language with PyYAML's safe loader; a dialogue's additions go through the loader's
checks like any other part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.engine.folding import STEMMERS, fold

MEANINGS = ("yes", "no", "unsure")
"""What an option may declare it `means`, each answered by the vocabulary's words for it."""

EXTENSIBLE = (*MEANINGS, "fillers")
"""The word lists a dialogue's `vocabulary:` key may add to."""


@dataclass(frozen=True)
class Vocabulary:
    """A language's shared words, folded as typed text is (see `folding.fold`)."""

    language: str
    meanings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fillers: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()
    units: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    below: tuple[str, ...] = ()
    above: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    joiners: frozenset[str] = frozenset()
    """Words between the two ends of a span ("50 to 100", "от 50 до 100")."""
    vague: frozenset[str] = frozenset()
    one: frozenset[str] = frozenset()
    half: frozenset[str] = frozenset()
    thousand: frozenset[str] = frozenset()
    """Words after a number that make it thousands ("5k", "5 тысяч", "5 mil")."""
    implied: Mapping[str, float] = field(default_factory=dict)
    """Unit -> how many of it a number typed without a unit word stands for (Russian "10
    тысяч" at a question about money is rubles, not dollars)."""
    unit_first: bool = False
    """Whether a unit word may come before its number ("минут 30", "часа два")."""
    literal: frozenset[str] = frozenset()
    """Words the reader of numbers in words must leave as written (Spanish "unos 50" is
    "about 50", not "1 50"; Russian "один" is as often "alone" as "one")."""

    def extended(self, more: Mapping[str, tuple[str, ...]]) -> Vocabulary:
        """Return this vocabulary with a dialogue's words added (keys of EXTENSIBLE)."""
        meanings = {
            meaning: (*words, *(fold(word) for word in more.get(meaning, ())))
            for meaning, words in self.meanings.items()
        }
        fillers = self.fillers | {fold(word) for word in more.get("fillers", ())}
        return replace(self, meanings=meanings, fillers=fillers)


class DataLoader(yaml.SafeLoader):
    """Reads only true and false as booleans (as YAML 1.2 does): `on`, `no`, `y` stay words.

    For the data files that ship with the package (vocabularies, built-in texts)."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML reads this table per class)
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:bool" or first in "tTfF"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@cache
def builtin(language: str) -> Vocabulary:
    """Return the vocabulary shipped for `language` (en; ru and es once translated)."""
    if language not in STEMMERS:
        raise ValueError(f"no vocabulary for language {language!r}; known: {', '.join(STEMMERS)}")
    source = resources.files("bot.engine") / "vocabularies" / f"{language}.yaml"
    return parse(yaml.load(source.read_text(encoding="utf-8"), Loader=DataLoader))  # noqa: S506


def available(language: str) -> bool:
    """Tell whether a vocabulary file ships for `language`."""
    source = resources.files("bot.engine") / "vocabularies" / f"{language}.yaml"
    return language in STEMMERS and source.is_file()


def parse(data: Mapping[str, Any]) -> Vocabulary:
    """Build a Vocabulary from a vocabulary file's data."""

    def words(key: str) -> tuple[str, ...]:
        return tuple(fold(str(word)) for word in data.get(key) or ())

    units = {
        unit: {fold(str(word)): float(factor) for factor, names in table.items() for word in names}
        for unit, table in (data.get("units") or {}).items()
    }
    return Vocabulary(
        language=str(data["language"]),
        meanings={meaning: words(meaning) for meaning in MEANINGS},
        fillers=frozenset(words("fillers")),
        negations=frozenset(words("negations")),
        units=units,
        below=words("below"),
        above=words("above"),
        about=words("about"),
        joiners=frozenset(words("joiners")),
        vague=frozenset(words("vague")),
        one=frozenset(words("one")),
        half=frozenset(words("half")),
        thousand=frozenset(words("thousand")),
        literal=frozenset(words("literal")),
        implied={unit: float(factor) for unit, factor in (data.get("implied") or {}).items()},
        unit_first=data.get("unit_first") is True,
    )
