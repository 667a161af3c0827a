"""The database of known usage (see usage.py), built once and copied for tests that write."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import DEFAULT_DIALOGUE, PROJECT_ROOT
from bot.engine.loader import load_dialogue
from bot.engine.model import Dialogue
from tests.ops import usage


@dataclass(frozen=True)
class Usage:
    """A database written by `usage.build`, and the time it was built for."""

    path: Path
    now: float


@pytest.fixture(scope="session")
def built_usage(tmp_path_factory: pytest.TempPathFactory) -> Usage:
    path = tmp_path_factory.mktemp("usage") / "advisor.db"
    now = float(int(time.time()))
    asyncio.run(usage.build(path, now))
    return Usage(path, now)


@pytest.fixture
def usage_db(built_usage: Usage, tmp_path: Path) -> Usage:
    """Return a private copy, so a test may add a key file or sessions beside it."""
    copy = tmp_path / "advisor.db"
    shutil.copyfile(built_usage.path, copy)
    return Usage(copy, built_usage.now)


@pytest.fixture(scope="session")
def dialogue() -> Dialogue:
    return load_dialogue(DEFAULT_DIALOGUE)


def run_cli(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as an operator would, with DATABASE_PATH set to `db`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATA"))}
    environ.pop("DIALOGUE_PATH", None)
    if db is not None:
        environ["DATABASE_PATH"] = str(db)
    environ.update(env or {})
    environ["PYTHONPATH"] = str(PROJECT_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=60,
        check=False,
    )
