"""`python -m bot check`: one line per check, exit 0 only when all pass."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import pytest

from bot.cli.check import run_checks
from bot.config import PROJECT_ROOT, Settings
from bot.storage.schema import LATEST
from bot.storage.sqlite import SqliteStore
from testing.fakebot.server import FakeBotApi
from tests.production.harness import free_port, run_check

BROKEN_DIALOGUE = PROJECT_ROOT / "tests" / "data" / "invalid" / "dead_end_question.yaml"


def lines(checks: Sequence[object]) -> dict[str, str]:
    """Return each check's line by its name, e.g. {"database": "✗ database: ..."}."""
    return {str(check).split(":")[0][2:]: str(check) for check in checks}


async def test_all_checks_pass_against_a_working_bot_api(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "advisor.db"
    code, output = await run_check(fake_api, tmp_path, db)
    assert code == 0, output
    assert output.splitlines()[0].startswith("✓ settings: polling; flood control on")
    assert "✓ dialogue: headphones_vs_iems v" in output
    assert f"✓ database: {db} does not exist yet; the bot creates it at start" in output
    assert "✓ Bot API: " in output
    assert "answers getMe as @advisor_test_bot" in output
    assert not db.parent.exists()  # a check changes nothing
    assert fake_api.token not in output


async def test_an_existing_database_is_checked_for_its_schema_and_a_write(
    tmp_path: Path,
) -> None:
    db = tmp_path / "advisor.db"
    await (await SqliteStore.open(db)).close()
    checks = lines(await run_checks(Settings(database_path=db)))
    assert checks["database"] == f"✓ database: {db}: schema version {LATEST}; writable"
    assert checks["Bot API"] == "- Bot API: skipped: no TELEGRAM_BOT_TOKEN"


async def test_each_broken_part_is_a_failed_line_that_says_what_to_do(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database, it is a shopping list" * 100)
    in_a_file = tmp_path / "a-file" / "advisor.db"
    in_a_file.parent.write_text("not a folder")

    dialogue = lines(await run_checks(Settings(dialogue_path=BROKEN_DIALOGUE)))["dialogue"]
    assert dialogue.startswith("✗ dialogue: ")
    assert "dead_end_question.yaml:" in dialogue
    assert f"run `python -m bot validate {BROKEN_DIALOGUE}`" in dialogue

    for path, expected in [
        (newer, f"has schema version {LATEST + 1}, newer than this bot's {LATEST}"),
        (garbage, "file is not a database"),
        (in_a_file, "cannot be created"),
    ]:
        database = lines(await run_checks(Settings(database_path=path)))["database"]
        assert database.startswith(f"✗ database: {path}"), database
        assert expected in database
        assert "DATABASE_PATH" in database

    wrong_token = Settings(token="999:WRONG", base_url=fake_api.base_url)
    api = lines(await run_checks(wrong_token))["Bot API"]
    assert api == "✗ Bot API: Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather"

    nobody_there = f"http://127.0.0.1:{free_port()}/bot"
    api = lines(await run_checks(Settings(token=fake_api.token, base_url=nobody_there)))[
        "Bot API"]
    assert api.startswith(f"✗ Bot API: cannot reach {nobody_there} within 5 s (")
    assert fake_api.token not in api


async def database_line(path: Path) -> str:
    return lines(await run_checks(Settings(database_path=path)))["database"]


def tree(folder: Path) -> list[Path]:
    """Return everything under `folder`, sorted."""
    return sorted(folder.rglob("*"))


async def test_a_device_or_a_pipe_fails_the_check_untouched(tmp_path: Path) -> None:
    # /dev/null passed, and the bot then failed with "disk I/O error".
    pipe = tmp_path / "advisor.db"
    os.mkfifo(pipe)
    def beside_null() -> list[Path]:
        # Only what SQLite would make beside /dev/null: other processes on a shared machine
        # come and go in /dev meanwhile (terminals, swap devices).
        return sorted(Path("/dev").glob("null*"))

    devices = beside_null()
    for path, kind in [(Path("/dev/null"), "a character device"), (pipe, "a named pipe")]:
        assert await database_line(path) == (
            f"✗ database: cannot open database {path}: it is {kind}, not a file; fix that or "
            f"point DATABASE_PATH at another file")
    assert beside_null() == devices  # no /dev/null-journal, say
    assert tree(tmp_path) == [pipe]


@pytest.mark.parametrize("path", ["/proc/x.db", "/proc/nonexistent/x.db"])
async def test_a_place_the_bot_could_not_create_its_database_in_fails_the_check(
    path: str,
) -> None:
    # Asked, os.access tells root that /proc is writable; only trying tells the truth.
    line = await database_line(Path(path))
    assert line.startswith(f"✗ database: {path} does not exist and cannot be created: "), line
    assert line.endswith("; fix that or point DATABASE_PATH elsewhere"), line


async def test_the_check_creates_the_database_where_it_will_live_and_removes_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("the operator's")
    before = tree(tmp_path)
    for db in (tmp_path / "data" / "advisor.db", tmp_path / "data" / "new" / "deep" / "bot.db"):
        assert await database_line(db) == (
            f"✓ database: {db} does not exist yet; the bot creates it at start "
            f"({tmp_path / 'data'} is writable)")
        assert tree(tmp_path) == before  # nothing made is left behind


async def test_the_check_leaves_files_it_did_not_make_alone(tmp_path: Path) -> None:
    db = tmp_path / "advisor.db"
    stale = tmp_path / "advisor.db-journal"  # left by some earlier accident
    stale.write_bytes(b"not the check's")
    await database_line(db)
    assert stale.read_bytes() == b"not the check's"
    assert not db.exists()


async def test_a_webhook_telegram_cannot_deliver_to_fails_the_check(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: every delivery fails
    async with aiohttp.ClientSession() as session:
        await session.post(f"{fake_api.base_url}{fake_api.token}/setWebhook", data={"url": url})
    update_id = fake_api.user(chat_id=77).queue_text("/start")
    await fake_api.wait_fetched(update_id)  # the fake tried to deliver it
    settings = Settings(token=fake_api.token, base_url=fake_api.base_url, webhook_url=url,
                        webhook_secret="s", database_path=tmp_path / "bot.db")
    webhook = lines(await run_checks(settings))["webhook"]
    assert webhook.startswith(f"✗ webhook: Telegram could not deliver to {url} at ")
    assert "check the reverse proxy" in webhook

    elsewhere = Settings(token=fake_api.token, base_url=fake_api.base_url,
                         webhook_url="https://bot.example.com/hook", webhook_secret="s",
                         database_path=tmp_path / "bot.db")
    webhook = lines(await run_checks(elsewhere))["webhook"]
    assert webhook == (f"✓ webhook: Telegram has {url} set; the bot sets "
                       f"https://bot.example.com/hook when it starts")


async def test_exit_codes_tell_a_supervisor_what_happened(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    code, output = await run_check(None, tmp_path, db)
    assert code == 0  # no token: the terminal chat needs no Bot API
    assert "- Bot API: skipped" in output

    code, output = await run_check(fake_api, tmp_path, db, DIALOGUE_PATH=str(BROKEN_DIALOGUE))
    assert code == 1
    assert "✗ dialogue: " in output
    assert "✓ Bot API: " in output  # the other checks still ran

    code, output = await run_check(fake_api, tmp_path, db, WEBHOOK_URL="https://x.example/h")
    assert code == 2
    assert output.strip() == (
        "✗ settings: WEBHOOK_SECRET is required with WEBHOOK_URL: set it to 1-256 random "
        "letters, digits, _ or - (e.g. the output of `openssl rand -hex 32`)")
