"""The bot's Bot API transport: PTB's `BaseRequest` on an aiohttp client session.

PTB's default transport, HTTPXRequest, dominated each update in profiles of the bot polling
the fake Bot API (`python -m benchmarks`, docs/performance.md): its CPU per request goes to
httpcore's connection-pool bookkeeping, which grows with the requests in flight. The same
calls through aiohttp cost a fraction of that, so end to end the bot answers several times
more updates per second. It takes the keyword arguments PTB's ApplicationBuilder gives
HTTPXRequest, so either can stand in for the other.
"""

from __future__ import annotations

from typing import Any
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0
_FORM = {"User-Agent": BaseRequest.USER_AGENT,
         "Content-Type": "application/x-www-form-urlencoded"}
_MULTIPART = {"User-Agent": BaseRequest.USER_AGENT}  # FormData sets the type and boundary


class AiohttpRequest(BaseRequest):
    """Send Bot API requests over one aiohttp session with a bounded pool of connections.

    Timeouts as in HTTPXRequest: `read_timeout` for each read, `connect_timeout` to open a
    connection, `pool_timeout` to wait for a free one (aiohttp counts both in its `connect`).
    aiohttp has no write timeout; `write_timeout` and `media_write_timeout` are accepted and
    ignored, like `http_version` (always HTTP/1.1).
    """

    def __init__(  # noqa: PLR0917 - HTTPXRequest's arguments, so either can be built
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ARG002
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 1.0,
        http_version: str = "1.1",
        proxy: str | None = None,
        media_write_timeout: float | None = None,  # noqa: ARG002
        socket_options: Any = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError(
                f"connection_pool_size must be at least 1, not {connection_pool_size}"
            )
        if http_version != "1.1" or socket_options:
            raise ValueError("AiohttpRequest speaks HTTP/1.1 and takes no socket options")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._timeout = _client_timeout(read_timeout, connect_timeout, pool_timeout)
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self._environment: dict[str, str] = {}
        self._proxies: dict[str, str | None] = {}  # by scheme://host

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout (PTB adds getUpdates' long-poll time to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session; initialising twice is harmless."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)
            # HTTP(S)_PROXY and NO_PROXY apply, as they did with PTB's httpx, which also reads
            # them when it starts. Not aiohttp's trust_env: that reads them again, and .netrc,
            # on a thread for every request.
            self._environment = getproxies()
            self._proxies = {}

    async def shutdown(self) -> None:
        """Close the session and its connections; shutting down twice is harmless."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy_for(self, url: str) -> str | None:
        """Return the proxy for `url`: the one given, else the environment's (looked up once
        per scheme and host)."""
        if self._proxy is not None:
            return self._proxy
        scheme, _, rest = url.partition("://")
        origin = f"{scheme}://{rest.split('/', 1)[0]}"
        if origin not in self._proxies:
            self._proxies[origin] = _proxy_from_environment(self._environment, origin)
        return self._proxies[origin]

    async def do_request(  # noqa: PLR0917 (PTB's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,  # noqa: ARG002 - aiohttp has none
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized: call initialize() first")
        if read_timeout is connect_timeout is pool_timeout is BaseRequest.DEFAULT_NONE:
            timeout = self._timeout  # every send: only getUpdates passes its own
        else:
            timeout = _client_timeout(_given(read_timeout, self._read_timeout),
                                      _given(connect_timeout, self._connect_timeout),
                                      _given(pool_timeout, self._pool_timeout))
        body = _body(request_data)
        try:
            # No redirects, as with httpx: aiohttp would follow one as a GET without the body,
            # and take the token in the URL wherever it pointed.
            async with self._session.request(
                method, url, data=body, timeout=timeout, proxy=self._proxy_for(url),
                allow_redirects=False,
                headers=_MULTIPART if isinstance(body, aiohttp.FormData) else _FORM,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(
                f"aiohttp.{type(error).__name__}: {_without_url(str(error), url)}"
            ) from error


def _proxy_from_environment(environment: dict[str, str], origin: str) -> str | None:
    """Return the proxy HTTP(S)_PROXY names for `origin` ("scheme://host[:port]"), if any."""
    scheme, _, host = origin.partition("://")
    proxy = environment.get(scheme)
    if proxy is None or proxy_bypass(host.rsplit(":", 1)[0]):  # NO_PROXY
        return None
    return proxy


def _without_url(text: str, url: str) -> str:
    """Return `text` with the request's URL, which holds the bot's token, left out."""
    method = url.rsplit("/", 1)[-1]
    _, _, rest = url.partition("://")
    path = rest[rest.find("/"):] if "/" in rest else url  # not urlsplit: the URL may be bad
    return text.replace(url, f"<Bot API>/{method}").replace(path, f"/{method}")


def _client_timeout(
    read: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """Return aiohttp's timeouts for PTB's: waiting for the pool counts towards connecting."""
    return aiohttp.ClientTimeout(
        sock_read=read,
        sock_connect=connect,
        connect=None if connect is None or pool is None else connect + pool,
    )


def _given(value: Any, default: float | None) -> float | None:
    """Return a per-call timeout when PTB passed one, else the request's own."""
    return default if value is BaseRequest.DEFAULT_NONE else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """Return the body PTB wants sent: url-encoded, or multipart when files are attached."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        # Encoded here rather than by aiohttp's FormData, which builds a multipart writer (and
        # a uuid4 boundary) for every request before deciding to url-encode.
        return request_data.url_encoded_parameters().encode()
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
