"""The bot's Bot API transport (aiohttp): files, timeouts, a full pool, and errors without the
token, checked against a small HTTP server of our own and through `python -m bot`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest
from tests.botprocess import environment, run_bot_command

TOKEN = "123456:SECRET-transport-token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def message(chat_id: int, **fields: object) -> dict[str, object]:
    return {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}, **fields}


@asynccontextmanager
async def server(handler: Handler, *, get_me: bool = True) -> AsyncIterator[str]:
    """Answer getMe (unless `get_me` is false), and every other Bot API method with `handler`;
    yield the base URL."""

    async def route(request: web.Request) -> web.StreamResponse:
        if get_me and request.match_info["method"] == "getMe":
            return ok({"id": 1, "is_bot": True, "first_name": "A", "username": "a_bot"})
        return await handler(request)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", route)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def test_a_file_goes_as_multipart_with_its_name_and_the_other_fields() -> None:
    seen: dict[str, object] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        seen.update(method=request.match_info["method"], chat_id=form["chat_id"],
                    caption=form["caption"], name=upload.filename, body=upload.file.read())
        return ok(message(7, caption="the tips"))

    async with server(handler) as base, Bot(TOKEN, base_url=base,
                                             request=AiohttpRequest()) as bot:
        sent = await bot.send_document(7, b"try both", filename="tips.txt", caption="the tips")
    assert sent.caption == "the tips"
    assert seen == {"method": "sendDocument", "chat_id": "7", "caption": "the tips",
                    "name": "tips.txt", "body": b"try both"}


async def test_plain_calls_go_url_encoded_with_every_character_intact() -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        seen.update({k: str(v) for k, v in (await request.post()).items()})
        return ok(message(7, text=seen["text"]))

    async with server(handler) as base, Bot(TOKEN, base_url=base,
                                             request=AiohttpRequest()) as bot:
        await bot.send_message(7, "Question 1 of 9 — ünïcode & = ?")
    assert seen["type"] == "application/x-www-form-urlencoded"
    assert seen["text"] == "Question 1 of 9 — ünïcode & = ?"


async def test_a_slow_answer_times_out_after_the_read_timeout() -> None:
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        await release.wait()
        return ok(True)

    async with server(handler) as base, Bot(
            TOKEN, base_url=base, request=AiohttpRequest(read_timeout=0.2)) as bot:
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await bot.send_chat_action(7, "typing")
        release.set()
        assert asyncio.get_running_loop().time() - started < 1.5


async def test_a_full_pool_makes_the_next_request_wait_then_time_out() -> None:
    arrived: list[str] = []
    busy, release = asyncio.Event(), asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        arrived.append((await request.post())["chat_id"])  # type: ignore[arg-type]
        busy.set()
        await release.wait()
        return ok(True)

    # aiohttp bounds the wait for a free connection together with opening one.
    request = AiohttpRequest(connection_pool_size=1, read_timeout=5, connect_timeout=0.1,
                             pool_timeout=0.2)
    async with server(handler) as base, Bot(TOKEN, base_url=base, request=request) as bot:
        first = asyncio.create_task(bot.send_chat_action(7, "typing"))
        await busy.wait()
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await bot.send_chat_action(8, "typing")  # the one connection is busy
        assert asyncio.get_running_loop().time() - started < 1.5
        assert arrived == ["7"]
        release.set()
        assert await first is True


async def test_network_errors_name_the_method_but_never_the_token() -> None:
    request = AiohttpRequest(connect_timeout=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await request.post(f"http://[bad/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert str(refused.value) == "aiohttp.InvalidUrlClientError: <Bot API>/getMe"


async def test_python_m_bot_with_a_bad_base_url_says_so_in_one_line_without_the_token(
    tmp_path: Path,
) -> None:
    env = environment(None, tmp_path / "advisor.db", TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_BASE_URL="http://[bad/bot")
    code, _, log = await run_bot_command(env=env, cwd=tmp_path, timeout=60)
    assert code == 2, log
    assert log.splitlines()[-1] == (
        "error: cannot reach the Bot API (aiohttp.InvalidUrlClientError: <Bot API>/getMe);"
        " check the network or TELEGRAM_BASE_URL"
    )
    assert TOKEN.split(":")[1] not in log
    assert "Unclosed" not in log, "the transport's connections were left open"


async def test_http_proxy_from_the_environment_is_used_unless_no_proxy_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_lines: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_lines.append(await reader.readline())
        while (await reader.readline()).strip():
            pass  # the headers
        body = b'{"ok": true, "result": true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    async def direct(_: web.Request) -> web.Response:
        return ok(True)

    listening = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        async with listening, server(direct) as base:
            proxied = await request.post(f"http://api.example.invalid/bot{TOKEN}/deleteWebhook")
            straight = await request.post(f"{base}{TOKEN}/deleteWebhook")
    finally:
        await request.shutdown()
    assert proxied is True
    assert straight is True
    assert request_lines == [  # only the first went through the proxy
        f"POST http://api.example.invalid/bot{TOKEN}/deleteWebhook HTTP/1.1\r\n".encode()
    ]


async def test_a_redirect_is_an_error_and_is_not_followed() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/elsewhere/{request.match_info['method']}")

    async with server(handler) as base, Bot(TOKEN, base_url=base,
                                             request=AiohttpRequest()) as bot:
        with pytest.raises(NetworkError, match=r"\(302\)"):
            await bot.send_message(7, "Question 1 of 9")


async def test_an_error_that_quotes_the_token_is_printed_without_it(tmp_path: Path) -> None:
    async def echo(request: web.Request) -> web.Response:
        # A server that quotes the URL it was asked for in its error, as some proxies do.
        return web.json_response(
            {"ok": False, "error_code": 400, "description": f"Bad Request: {request.path}"},
            status=400)

    async with server(echo, get_me=False) as base:
        env = environment(None, tmp_path / "advisor.db", TELEGRAM_BOT_TOKEN=TOKEN,
                          TELEGRAM_BASE_URL=base)
        code, _, log = await run_bot_command(env=env, cwd=tmp_path, timeout=60)
    assert code == 2, log
    # PTB capitalises Telegram's error descriptions, lowering the token's case on the way.
    assert log.splitlines()[-1] == (
        "error: cannot reach the Bot API (/bot[REDACTED]/getme);"
        " check the network or TELEGRAM_BASE_URL"
    )
    assert TOKEN.split(":")[1].lower() not in log.lower()
