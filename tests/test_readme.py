"""The README and .env.example keep up with the code: the set-up commands and every setting."""

from __future__ import annotations

import re

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
