"""A database file in the test's own folder, and a store open on it with a ticking clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.sqlite import SqliteStore
from tests.storage.sessions import ticking


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "advisor.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path, clock=ticking())
    yield opened
    await opened.close()
