"""ASGI middleware: request size limit, the Origin check against CSRF, bodies nested too
deep, text no database keeps, security headers."""

import json
import re
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

SESSION_COOKIE = "accord_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so the framework passes it on."""

    def __init__(self, max_bytes: int) -> None:
        limit_kib = max_bytes // 1024
        super().__init__(413, f"The request is larger than the limit of {limit_kib} KiB.")


class BodyLimitMiddleware:
    """Answer 413 to a request body over the limit, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            detail = BodyTooLarge(self.max_bytes).detail
            await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge as error:
            # Only reached where no exception handler answered it first.
            await JSONResponse({"detail": error.detail}, status_code=413)(scope, receive, send)


MAX_NESTING = 32  # levels of arrays and objects in a body, far more than any of Accord's needs
# A JSON string, to its closing quote or to the end of the body. Possessive, so that no body
# makes the search start again inside a string and take time growing with its square.
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_LEVELS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes


def nesting(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, counted from its brackets outside
    strings without parsing it (a parser goes a level deeper in the stack for each)."""
    levels = _JSON_STRING.sub(b"", body).translate(_LEVELS, _NOT_BRACKETS)
    return max(accumulate(memoryview(levels).cast("b")), default=0)


def nested_too_deep(body: bytes) -> str | None:
    """Why a body nests too deep to be read, or None if it does not."""
    if body.count(b"[") + body.count(b"{") <= MAX_NESTING:
        return None  # too few brackets, inside strings or out, to nest deeper
    depth = nesting(body)
    if depth <= MAX_NESTING:
        return None
    return (
        f"The body nests arrays and objects {depth:,} levels deep; "
        f"at most {MAX_NESTING} levels are read."
    )


class NestedTooDeep(HTTPException):
    """Raised while the body streams in; an HTTPException so the framework passes it on."""

    def __init__(self, detail: str) -> None:
        super().__init__(422, detail)


class NestingLimitMiddleware:
    """Answer 422 to a request body that nests arrays and objects too deep, before it is
    parsed: Python's JSON parser recurses once a level, and past the interpreter's limit
    the framework could only answer that the body was unreadable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    problem = nested_too_deep(bytes(body))
                    if problem is not None:
                        raise NestedTooDeep(problem)
            return message

        try:
            await self.app(scope, checked_receive, send)
        except NestedTooDeep as error:
            # Only reached where no exception handler answered it first.
            await JSONResponse({"detail": error.detail}, status_code=422)(scope, receive, send)


# A NUL character or half of a surrogate pair: no database keeps either in text (PostgreSQL
# refuses a NUL; half a pair, which JSON can spell, has no UTF-8 form).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# How either looks in JSON text, so that only a body that may hold one is decoded twice.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
UNSTORABLE = "Text may not hold a NUL character or half of a UTF-16 surrogate pair."


class UnstorableText(HTTPException):
    """Raised while the body streams in; an HTTPException so the framework passes it on."""

    def __init__(self) -> None:
        super().__init__(422, UNSTORABLE)


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    return False


class StorableTextMiddleware:
    """Answer 422 to a request whose path, query or JSON body holds text no database keeps,
    before it reaches a query and fails there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _UNSTORABLE.search(scope["path"]) or b"%00" in scope["query_string"]:
            await JSONResponse({"detail": UNSTORABLE}, status_code=422)(scope, receive, send)
            return
        body = bytearray()

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if not message.get("more_body") and _SUSPECT_ESCAPE.search(body):
                    try:
                        value = json.loads(body)
                    except ValueError:
                        return message  # not JSON: the framework says so
                    if _unstorable(value):
                        raise UnstorableText()
            return message

        try:
            await self.app(scope, checked_receive, send)
        except UnstorableText:
            # Only reached where no exception handler answered it first.
            await JSONResponse({"detail": UNSTORABLE}, status_code=422)(scope, receive, send)


def request_origin(scope: Scope) -> str:
    """The origin this server was reached at, as the browser sees it."""
    headers = Headers(scope=scope)
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return f"{scheme}://{headers.get('host', '')}"


def allowed_origins(scope: Scope, settings: Settings) -> set[str]:
    origins = {request_origin(scope), *settings.allowed_origins}
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def origin_of(headers: Headers) -> str | None:
    """The Origin header, or failing that the origin of the Referer."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/")
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return "null" if origin == "null" else None


class OriginCheckMiddleware:
    """Refuse state-changing API requests sent from another site (the CSRF defence).

    A request from a browser always carries Origin on POST, PUT, PATCH and DELETE; when
    it names a site that is not ours the request is refused whatever it authenticates
    with. A request with no Origin or Referer is only accepted without the session
    cookie, that is from a script using a bearer token.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in UNSAFE_METHODS
            and scope["path"].startswith("/api/")
        ):
            headers = Headers(scope=scope)
            origin = origin_of(headers)
            refusal = None
            if origin is not None and origin not in allowed_origins(scope, self.settings):
                refusal = (
                    f"Requests from {origin} are not allowed; use Accord from its own address "
                    "or add the origin to ACCORD_ALLOWED_ORIGINS."
                )
            elif origin is None and SESSION_COOKIE in headers.get("cookie", ""):
                refusal = (
                    "A request signed in with the session cookie must carry an Origin header; "
                    "scripts should use an API token instead."
                )
            if refusal is not None:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Headers every answer carries; API answers are never cached (drafts are private)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if is_api:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
