"""The result screens shown in README.md and the format reference are what the bot sends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot.config import PROJECT_ROOT
from bot.engine import engine, screens
from bot.engine.model import Reply
from tests.engine.test_result_screen import DIALOGUE, FLYER, finished, walk
from tests.screenshot import screenshot


def shown_in(page: str, marker: str) -> str:
    text = (PROJECT_ROOT / page).read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker}:start -->\n```text\n(.*?)\n```\n<!-- {marker}:end -->",
                      text, re.DOTALL)
    assert found is not None, f"{page} has no {marker} block"
    return found.group(1)


def not_sure_of_anything() -> dict[str, str]:
    return walk(DIALOGUE, {q.id: next(o.id for o in q.options if not any(o.scores.values()))
                           for q in DIALOGUE.questions.values()})


@pytest.mark.parametrize(("page", "marker", "reply"), [
    ("README.md", "result-screen", lambda: engine.show(DIALOGUE, finished(FLYER))),
    ("docs/dialogue-format.md", "close-call-screen",
     lambda: screens.result_reply(DIALOGUE, not_sure_of_anything())),
])
def test_the_screen_in_the_docs_is_the_one_the_bot_sends(
    page: str, marker: str, reply: Callable[[], Reply]
) -> None:
    drawn = screenshot(reply())
    assert shown_in(page, marker) == drawn, f"paste this into {page}:\n{drawn}"
