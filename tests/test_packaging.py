"""`pip install <checkout>` into a fresh virtual environment gives a working `advisor-bot`.

Installed for real (not editable) from a copy of the tracked files, then run from an empty
folder, so nothing can come from the source checkout: the dialogue must be packaged, and the
database must go to the user's data folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from bot.config import PROJECT_ROOT

FLYER = ["3", "3", "4", "1", "1", "2", "3", "2", "2", "2"]  # as in tests/test_console.py


def _copy_tracked_files(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_an_installed_advisor_bot_validates_chats_and_helps_from_any_folder(
    tmp_path: Path,
) -> None:
    source, env_dir, elsewhere, data = (tmp_path / name for name in
                                        ("source", "venv", "elsewhere", "data"))
    _copy_tracked_files(source)
    venv.create(env_dir, with_pip=True)
    pip = subprocess.run(
        [env_dir / "bin" / "python", "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(source)],
        capture_output=True, text=True, timeout=300, check=False)
    assert pip.returncode == 0, pip.stderr
    elsewhere.mkdir()
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "DIALOGUE_"))}
    environ.update(XDG_DATA_HOME=str(data), HOME=str(tmp_path), LOG_LEVEL="WARNING")

    def advisor_bot(*args: str, lines: tuple[str, ...] = (),
                    cwd: Path = elsewhere) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [env_dir / "bin" / "advisor-bot", *args], input="".join(f"{x}\n" for x in lines),
            cwd=cwd, env=environ, capture_output=True, text=True, timeout=60, check=False)

    helped = advisor_bot("--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: advisor-bot ")
    assert "validate" in helped.stdout
    checked = advisor_bot("validate")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("headphones_vs_iems v")
    assert "/site-packages/bot/dialogues/headphones_vs_iems.yaml" in checked.stdout
    chatted = advisor_bot("chat", lines=tuple(FLYER))
    assert chatted.returncode == 0, chatted.stderr
    assert "My pick for you: " in chatted.stdout
    assert (data / "advisor-bot" / "advisor.db").is_file()
    assert list(elsewhere.iterdir()) == []  # nothing written where it was run
    tested = advisor_bot("test")  # the packaged stories of the packaged dialogue
    assert tested.returncode == 0, tested.stderr + tested.stdout
    assert "/site-packages/bot/dialogues/headphones_vs_iems.stories.yaml: " in tested.stdout
    schemas = (env_dir / "lib").glob("python*/site-packages/bot/dialogues/*.schema.json")
    assert sorted(path.name for path in schemas) == [
        "dialogue.schema.json", "stories.schema.json", "translation.schema.json"]
    started = tmp_path / "started"
    started.mkdir()
    for command in (("new", "demo"), ("validate", "demo.yaml"), ("test", "demo.yaml")):
        done = advisor_bot(*command, cwd=started)
        assert done.returncode == 0, done.stderr
    assert "  advisor-bot test other.yaml" in advisor_bot("new", "other", cwd=started).stdout
    assert sys.prefix not in checked.stdout  # it ran the installed copy, not this checkout
