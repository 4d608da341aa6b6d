"""`create_app(data_dir)`: the FastAPI application behind `storydesk serve`.

Pages and the JSON API read the store through a read-only connection opened per request, so a
`storydesk run` may write meanwhile. Every error becomes one JSON shape under /api/ and an HTML
page elsewhere. Two ASGI guards wrap everything: a request-body limit (the app only reads, so
any body is small) and security headers, including a Content-Security-Policy that allows
scripts and styles only from /static/, a second wall behind Jinja2's autoescaping.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import storydesk
from storydesk.errors import NotFound, StoreError, StorydeskError, UsageError
from storydesk.web import api, pages, threads
from storydesk.web.errors import error_body, error_bytes, is_api_path, story_components

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
# The app has no upload or form POST; 64 KiB is far above any legitimate request body.
MAX_BODY_BYTES = 64 * 1024

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class _BodyTooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: refuse request bodies over `max_body` with 413; add security headers."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def _refuse(self, send: Send, status: int, message: str) -> None:
        body = error_bytes(status, message)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"request body over the {self.max_body}-byte limit"
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await self._refuse(send, 400, "bad Content-Length header")
                return
            if int(length) > self.max_body:
                await self._refuse(send, 413, too_big)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send, 413, too_big)


def _error_response(request: Request, status: int, message: str,
                    headers: dict[str, str] | None = None) -> Response:
    if is_api_path(request.url.path):
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)
    html = pages.ENV.get_template("error.html").render(title=f"Error {status}", status=status,
                                                        message=message)
    return HTMLResponse(html, status_code=status, headers=headers)


def create_app(data_dir: Path) -> FastAPI:
    """The web app over the store in `data_dir` (which may not exist yet: pages then say so).

    Args:
        data_dir: the storydesk data directory (`--data`, `STORYDESK_DATA`).

    Example:
        uvicorn.run(create_app(Path(".storydesk")), host="127.0.0.1", port=8000)
    """
    app = FastAPI(
        title="storydesk",
        version=storydesk.__version__,
        description="Stories cross-checked across outlets. Every error is "
        '`{"ok": false, "error": "...", "status": N}`.',
        # FastAPI's Swagger/ReDoc pages load JavaScript from a CDN, which cannot work offline;
        # pages.docs lists the API from /openapi.json instead.
        docs_url=None,
        redoc_url=None,
    )
    app.state.data_dir = Path(data_dir)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return _error_response(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
        return _error_response(request, 400, "; ".join(parts) or "bad request")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error_response(request, 404, str(exc))

    @app.exception_handler(UsageError)
    async def usage_error(request: Request, exc: UsageError) -> Response:
        return _error_response(request, 400, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return _error_response(request, 503, str(exc))

    @app.exception_handler(StorydeskError)
    async def storydesk_error(request: Request, exc: StorydeskError) -> Response:
        return _error_response(request, 500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error_response(request, 500, "internal error (see the server log)")

    def openapi() -> dict[str, Any]:
        # FastAPI's generated document, plus the packaged stories.json schema as components, so
        # `GET /api/stories/{id}` documents its real shape (OpenAPI 3.1 is JSON Schema 2020-12).
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(story_components())
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(threads.router)
    # StaticFiles refuses paths that resolve outside its directory (no traversal).
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard)
    return app


