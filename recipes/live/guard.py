"""The lab's door rules, checked on every request before any route sees it (an ASGI
middleware): the token (``?token=`` or ``Authorization: token T``, compared in constant time),
the ``Host`` header (the lab's own address only: a page on another site that rebinds its name
to 127.0.0.1 is refused), a state-changing request's ``Origin`` (the lab's page only: no
cross-site request), and the size of a request's body. Each refusal is one line of JSON.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_BODY_BYTES = 64 * 1024


class BadRequest(HTTPException):
    """A request the lab refuses (400 unless ``status`` says otherwise), answered by
    :func:`refusal` with the line and the key it names."""

    def __init__(self, message: str, key: str | None = None, status: int = 400) -> None:
        super().__init__(status, message)
        self.key = key


def refusal(message: str, status: int, key: str | None = None) -> JSONResponse:
    """The lab's answer to a request it refuses or fails: one line, and the key it names."""
    return JSONResponse({"error": message, "key": key}, status_code=status)


class Guard:
    """ASGI middleware refusing (403) a request without the token, with another ``Host``, or
    (not GET/HEAD) with another ``Origin``; a body over the limit is 413."""

    def __init__(self, app: Any, token: str, hosts: Iterable[str]) -> None:
        self.app = app
        self.token = token.encode()
        self.hosts = set(hosts)
        self.origins = {f"http://{host}" for host in self.hosts}

    def refusal(self, scope: dict[str, Any]) -> str | None:
        """Why the request is refused, or None."""
        request = Request(scope)
        headers = request.headers
        if headers.get("host") not in self.hosts:
            return "this lab answers only at its own address (the Host header is not the lab's)"
        given = request.query_params.get("token", "")
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token" and value:
            given = value.strip()
        if not secrets.compare_digest(given.encode(), self.token):
            return "a token is needed: open the URL the lab printed (it ends in ?token=...)"
        if request.method not in ("GET", "HEAD") and headers.get("origin") not in self.origins:
            return "a request that changes something must come from the lab's page (Origin)"
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # a websocket (the lab serves none, nor lifespan): closed
            await send({"type": "websocket.close", "code": 1008})
            return
        reason = self.refusal(scope)
        if reason is not None:
            await refusal(reason, 403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def read_body(request: Any) -> bytes:
    """The request's body, at most :data:`MAX_BODY_BYTES` (413 beyond, read no further,
    whatever Content-Length says)."""
    too_large = BadRequest("the request body is larger than 64 KiB", status=413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)
