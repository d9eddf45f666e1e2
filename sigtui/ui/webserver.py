"""The web server behind ``sigtui serve``: textual-serve with sigtui's checks.

Only the standard library is imported when this module is loaded; aiohttp,
textual-serve and psutil when a server is made or stopped. The command line
side (options, the warning, the checks before serving) is
:mod:`sigtui.ui.serve`.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from aiohttp import web

STOP_GRACE = 5.0
"""Seconds the sigtui processes get to end after SIGTERM before SIGKILL."""

_GOOGLE_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*/>", re.DOTALL)
"""textual-serve's page loads its font's stylesheet from Google: not here."""

_LOCAL_FONT = """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf");
      }
    </style>"""
"""The same font, from the copy that textual-serve ships in its static files."""


def url_host(host: str) -> str:
    """``host`` as it goes in a URL (IPv6 addresses in brackets).

    Args:
        host: A host name or address.

    Returns:
        The text for a URL.
    """
    return f"[{host}]" if ":" in host else host


def page_url(host: str, port: int) -> str:
    """The page's address to print: for 0.0.0.0 or ::, this machine's name.

    Args:
        host: The address the server listens on.
        port: Its port.

    Returns:
        An http URL.
    """
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"http://{url_host(host)}:{port}"


def page_templates(directory: Path) -> Path:
    """Write textual-serve's page, without its call to Google Fonts, to ``directory``.

    The page then works with no internet connection (a classroom, CI) and
    tells nobody outside that it was opened.

    Args:
        directory: Where to write it.

    Returns:
        The directory, for textual-serve's ``templates_path``.
    """
    import textual_serve.server

    original = Path(textual_serve.server.__file__).parent / "templates"
    page = (original / "app_index.html").read_text(encoding="utf-8")
    page = _GOOGLE_FONTS.sub(_LOCAL_FONT, page)
    (directory / "app_index.html").write_text(page, encoding="utf-8")
    return directory


def origin_host(origin: str) -> str | None:
    """The host (and port) part of an ``Origin`` header or URL, lower-cased.

    Args:
        origin: The header's value or a URL.

    Returns:
        ``host[:port]``, or None when there is none.
    """
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    return parts.netloc.lower() or None


def make_server(
    command: str,
    host: str,
    port: int,
    public_url: str | None,
    templates: Path,
    allowed_host: Callable[[str], bool],
) -> Any:
    """Build the textual-serve server for ``command``, with sigtui's changes.

    - Requests must name an allowed host (so a DNS-rebinding page cannot reach
      a loopback server), and the websocket that drives sigtui must come from
      the page itself: a browser lets any web site open a websocket to
      127.0.0.1, and that site could then send keys to sigtui.
    - SIGINT, SIGTERM and SIGHUP stop it: every page's sigtui is asked to quit
      (then terminated if it does not), every page is told the session ended.

    Args:
        command: The shell command each page runs.
        host: The address to listen on.
        port: Its port.
        public_url: The page's address behind a proxy, if any.
        templates: textual-serve's page templates (see :func:`page_templates`).
        allowed_host: Whether a request's ``Host`` may be served.

    Returns:
        The server; its ``serve()`` runs until a stop signal.
    """
    import asyncio
    import signal

    from aiohttp import WSCloseCode, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class SigtuiServer(Server):
        """textual-serve's server with host and origin checks and a clean stop."""

        def __init__(self) -> None:
            super().__init__(
                command,
                host=host,
                port=port,
                title="sigtui",
                public_url=public_url,
                templates_path=templates,
            )
            self.pages: set[web.WebSocketResponse] = set()

        def _check(self, request: web.Request, *, websocket: bool) -> None:
            request_host = request.host.lower()
            if not allowed_host(request_host):
                raise web.HTTPForbidden(text=f"host {request_host!r} not served\n")
            if websocket:
                origin = request.headers.get("Origin")
                expected = origin_host(public_url) if public_url else None
                if origin is not None and origin_host(origin) not in (
                    request_host,
                    expected,
                ):
                    raise web.HTTPForbidden(text="cross-origin websocket refused\n")

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            self._check(request, websocket=False)
            if public_url is None:
                # Links in the page use the address this browser used, so the
                # page also works when the server listens on 0.0.0.0.
                self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            # textual-serve's handler, plus: the page is known to on_shutdown,
            # and its sigtui is waited for (terminated if it will not quit).
            self._check(request, websocket=True)
            page = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await page.prepare(request)

            async def close() -> None:
                await page.close()

            service = AppService(
                self.command,
                write_bytes=page.send_bytes,
                write_str=page.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.pages.add(page)
            ended: asyncio.Task[None] | None = None
            try:
                await service.start(width, height)
                if service._process is not None:  # textual-serve keeps it private
                    ended = asyncio.create_task(self._close(page, service._process))
                await self._process_messages(page, service)
            finally:
                self.pages.discard(page)
                if ended is not None:
                    ended.cancel()
                await self._stop(service)
                await page.close()
            return page

        @staticmethod
        async def _close(page: web.WebSocketResponse, process: Process) -> None:
            # textual-serve closes the page when sigtui quits, not when it
            # fails to start or crashes: the page would wait forever.
            await process.wait()
            await page.close(code=WSCloseCode.GOING_AWAY, message=b"sigtui ended")

        async def _stop(self, service: AppService) -> None:
            process = service._process  # textual-serve keeps it private
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(service.stop(), STOP_GRACE)
            if process is None:
                return
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE)
            except TimeoutError:
                process.kill()
                await process.wait()

        async def on_startup(self, app: web.Application) -> None:
            shown = public_url or page_url(host, port)
            sys.stderr.write(f"sigtui serve: serving on {shown} (Ctrl+C stops)\n")
            sys.stderr.flush()

        async def on_shutdown(self, app: web.Application) -> None:
            # Closing a page ends its message loop; its handler then stops
            # the page's sigtui.
            await asyncio.gather(
                *(
                    page.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
                    for page in list(self.pages)
                ),
                return_exceptions=True,
            )

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(stop, self.request_exit)
            try:
                web.run_app(
                    self._make_app(),
                    host=host,
                    port=port,
                    handle_signals=False,
                    loop=loop,
                    print=None,
                    shutdown_timeout=2 * STOP_GRACE + 1,
                )
            finally:
                for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(stop, signal.SIG_DFL)

    return SigtuiServer()


def end_descendants(grace: float = STOP_GRACE) -> None:
    """End what the server started (the sigtui of each page) that still runs.

    Args:
        grace: Seconds between SIGTERM and SIGKILL.
    """
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=grace)
