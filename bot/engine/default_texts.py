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
from functools import cache
from importlib import resources

import yaml

FALLBACK = "en"
"""The language whose file has every text; the others fall back to it key by key."""


class _Loader(yaml.SafeLoader):
    """Reads only true and false as booleans (as YAML 1.2 does): `no` stays a word."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML reads this table per class)
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:bool" or first in "tTfF"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def available(language: str) -> bool:
    """Tell whether built-in texts ship for `language`."""
    return _source(language).is_file()


@cache
def own_texts(language: str) -> Mapping[str, str]:
    """Return the texts `language`'s own file words (no fallback), key -> text."""
    if not available(language):
        raise ValueError(f"no built-in texts for language {language!r}")
    data = yaml.load(_source(language).read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    return {str(key): str(text).strip() for key, text in data.items()}


@cache
def builtin_texts(language: str) -> Mapping[str, str]:
    """Return the built-in texts of `language`, English where its file has no such key."""
    return {**own_texts(FALLBACK), **own_texts(language)}


def _source(language: str) -> resources.abc.Traversable:
    return resources.files("bot.engine") / "texts" / f"{language}.yaml"
