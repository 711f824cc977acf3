"""The server application: the API, the socket, the web app's files, and the scheduler.

``create_app`` takes a companion built by ``os1.app.build`` (tests hand one
with a scripted model and a fixed clock), so the server is one more front
door over the same mind. Every response carries a strict Content Security
Policy (only this server's own scripts, styles, images and socket), no
cross-origin access is granted (there is no CORS header at all), and request
bodies are bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from os1 import __version__
from os1.clock import Clock
from os1.companion import Companion
from os1.config import Settings
from os1.errors import Os1Error
from os1.server import completions, images, voice
from os1.server.api import private, public
from os1.server.auth import COOKIE, Auth, auth_of
from os1.server.desktop import DesktopNotifier
from os1.server.heap import steady_heap
from os1.server.hub import Hub
from os1.server.relay import RedisRelay, channel_for
from os1.server.scheduler import Scheduler
from os1.server.socket import conversation_socket
from os1.server.talk import talk_socket
from os1.store.accounts import AccountStore

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
LARGER = {"/v1/": 32, "/api/voice/": 64, "/api/images": 400}
"""Paths whose bodies may be larger than the bound, by how many times: OpenAI-style clients
resend the whole conversation (os1 reads only the last message), a recording is audio, and
a photo is a photo (12.8 MB at the default bound)."""
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
]


class Guard:
    """ASGI middleware: security headers, bounded bodies, no changes from other sites' pages.

    A request that changes something and carries another site's ``Origin`` is
    refused, on top of the ``SameSite=Strict`` cookie.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse oversized, unsized or cross-site changing requests, then add the headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"transfer-encoding" in headers and b"content-length" not in headers:
            await self._refuse(send, 411, "Send a Content-Length with the body.")
            return
        length = headers.get(b"content-length", b"0")
        path = scope["path"]
        limit = self.max_body * next((n for p, n in LARGER.items() if path.startswith(p)), 1)
        if not length.isdigit() or int(length) > limit:
            await self._refuse(send, 413, f"A request body may hold at most {limit:,} bytes.")
            return

        origin = headers.get(b"origin")
        changes = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if (
            changes
            and origin is not None
            and urlsplit(origin.decode("latin-1")).netloc
            != (headers.get(b"host", b"").decode("latin-1"))
        ):
            await self._refuse(send, 403, "Requests that change things come from os1's own pages.")
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, guarded)

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str) -> None:
        response = JSONResponse({"detail": detail}, status_code=status)
        body = response.body
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*response.raw_headers, *HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _signed_in(request: Request) -> bool:
    signed = await auth_of(request).who(request.cookies.get(COOKIE), None)
    return signed is not None


def create_app(
    settings: Settings,
    companion: Companion,
    *,
    clock: Clock | None = None,
    scheduler_every_s: float = 5.0,
    owns_companion: bool = False,
) -> FastAPI:
    """The os1 server over ``companion``; with ``owns_companion`` it closes it on shutdown."""
    relay = (
        RedisRelay(settings.redis_url, channel_for(companion.journal.engine.url.render_as_string()))
        if settings.redis_url
        else None
    )
    hub = Hub(companion, relay)
    desktop = DesktopNotifier(settings.user) if settings.desktop_notifications else None
    scheduler = Scheduler(hub, scheduler_every_s, desktop)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        workers = ThreadPoolExecutor(thread_name_prefix="os1-server")
        loop.set_default_executor(workers)
        await hub.start()
        scheduler.start()
        try:
            async with steady_heap():
                yield
        finally:
            await scheduler.stop()
            await hub.aclose()
            # Cancelled work may still be in a worker thread, holding a database
            # connection: let it finish before the store is closed.
            with ThreadPoolExecutor(1) as waiter:
                await loop.run_in_executor(waiter, workers.shutdown)
            loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="os1-server"))
            if owns_companion:
                await companion.aclose()

    app = FastAPI(
        title="os1",
        version=__version__,
        description="The os1 server: a local-first companion on every device of yours.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.hub = hub
    app.state.uploads = hub.uploads
    app.state.scheduler = scheduler
    app.state.auth = Auth(
        AccountStore(companion.journal.engine),
        clock or companion.clock,
        settings.session_days,
        secure_cookies=bool(settings.tls_certfile),
    )
    app.state.max_frame_bytes = settings.max_frame_bytes
    app.state.recheck_s = 30.0
    app.state.voice = voice.VoiceParts(settings)
    app.state.sign_in_rate = hub.relay.window("sign-in", 10, 300.0)
    app.state.message_rate = hub.relay.window("message", 30, 60.0)
    app.add_middleware(Guard, max_body=settings.max_frame_bytes)
    app.include_router(public)
    app.include_router(private)
    app.include_router(completions.router)
    app.include_router(voice.router)
    app.include_router(images.router)
    app.add_api_websocket_route("/ws", conversation_socket)
    app.add_api_websocket_route("/ws/talk", talk_socket)

    @app.exception_handler(Os1Error)
    async def os1_error(_: Request, exc: Os1Error) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    def page(name: str) -> Any:
        async def serve(request: Request) -> Response:
            if not await _signed_in(request):
                return RedirectResponse("/login", status_code=303)
            return FileResponse(STATIC / name)

        return serve

    pages = ("memories", "reminders", "persona", "letters", "audit", "settings")
    for path, name in (("/", "index.html"), *((f"/{p}", f"{p}.html") for p in pages)):
        app.add_api_route(path, page(name), include_in_schema=False)

    @app.get("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if await _signed_in(request):
            return RedirectResponse("/", status_code=303)
        return FileResponse(STATIC / "login.html")

    @app.get("/sw.js", include_in_schema=False)
    async def service_worker() -> Response:
        return FileResponse(STATIC / "sw.js", media_type="text/javascript")

    @app.get("/manifest.webmanifest", include_in_schema=False)
    async def manifest() -> Response:
        return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
