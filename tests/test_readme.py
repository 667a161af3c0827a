"""The README and .env.example keep up with the code: set-up, the terminal sample, settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
CONFIG = (PROJECT_ROOT / "bot" / "config.py").read_text(encoding="utf-8")


def test_every_setting_the_bot_reads_is_in_env_example_and_the_readme() -> None:
    read = set(re.findall(r'get\("([A-Z_]+)"\)', CONFIG))
    assert {"TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL", "DATABASE_PATH", "DIALOGUE_PATH",
            "LOG_LEVEL"} <= read
    in_example = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert read - in_example == set(), "settings missing from .env.example"
    assert [name for name in sorted(read) if f"`{name}`" not in README] == []


def test_the_readme_names_the_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    assert "make run" in README
    assert "make test" in README
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec make test" in ci


def test_the_readme_terminal_sample_is_what_the_terminal_shows(tmp_path: Path) -> None:
    sample = re.search(r"```text\n\$ printf '(.*?)' \| \.venv/bin/python -m bot chat\n(.*?)```",
                       README, re.DOTALL)
    assert sample is not None, "the README's terminal sample is gone"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(DATABASE_PATH=str(tmp_path / "chat.db"), LOG_LEVEL="WARNING")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input=sample.group(1).replace("\\n", "\n"),
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    shown = iter(done.stdout.splitlines())
    for line in sample.group(2).splitlines():
        # "..." stands for lines left out; a line ending in " ..." for the rest of that line.
        if line.strip() != "...":
            start = line.removesuffix(" ...")
            exact = start == line
            assert any(s == line if exact else s.startswith(start) for s in shown), (
                f"the README's terminal sample shows {line!r}, which the chat does not print"
                " there: paste the real output")
