"""The docs keep up with the code."""

from __future__ import annotations

import dataclasses

from bot.config import PROJECT_ROOT
from bot.engine.model import Texts


def test_the_format_reference_documents_every_text_key() -> None:
    page = (PROJECT_ROOT / "docs" / "dialogue-format.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Texts) if f"| `{f.name}` |" not in page]
    assert missing == [], f"add these texts keys to the Texts table of the format: {missing}"
