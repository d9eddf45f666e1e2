"""``sigtui serve``: the interactive table in a web browser, through textual-serve.

Every browser connection starts its own ``python -m sigtui [TUI options]``
process, which talks to the page through Textual's web driver. The server
listens on 127.0.0.1 unless told otherwise, and says before it starts that
whoever can open the page can signal processes as this user.

This module imports only the standard library when it is loaded (``sigtui
--help`` builds its parser from here); textual-serve, aiohttp and psutil are
imported when the server starts.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import pwd
import re
import shlex
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from aiohttp import web

EXIT_USAGE = 2
"""Bad arguments, or the web extra is missing (as the rest of the command line)."""

EXIT_FAILED = 1
"""The server could not start: the address is in use or not ours to take."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

NEEDS_EXTRA = (
    "sigtui serve needs the web extra: pip install 'sigtui[web]' "
    "(in a checkout: pip install '.[web]')"
)

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


def _port(text: str) -> int:
    """Parse ``--port``: a TCP port number, 1 to 65535."""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(
            f"invalid port {text!r}: must be a whole number from 1 to 65535"
        )
    return int(text)


_port.__name__ = "port"


def add_parser(commands: Any) -> None:
    """Add the ``serve`` subcommand to the command line's subparsers.

    Args:
        commands: What ``ArgumentParser.add_subparsers()`` returned.
    """
    serve = commands.add_parser(
        "serve",
        help="serve the interactive table to a web browser (needs sigtui[web])",
        description=(
            "Serve the interactive table as a web page (for a projector that "
            "shows a browser). Each browser tab runs its own sigtui, as this "
            "user: whoever can open the page can see your processes and send "
            "them signals. Listens on 127.0.0.1 unless --host says otherwise."
        ),
        epilog=(
            "TUI options go after '--', e.g. "
            "'sigtui serve --port 8080 -- --readonly --interval 2'."
        ),
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 = every "
        "network, so anyone on them can signal your processes)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT})",
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the page's address as browsers reach it, behind a proxy "
        "(default: the address the browser used)",
    )
    serve.add_argument(
        "tui_args",
        nargs=argparse.REMAINDER,
        metavar="-- TUI-OPTIONS",
        help="options for each sigtui the page starts (--interval, -o, "
        "--readonly, --demo, --projector, ...)",
    )


def _is_loopback(host: str) -> bool:
    """Whether every address ``host`` stands for is this machine's loopback."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def _is_ip_loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """``host`` as it goes in a URL (IPv6 addresses in brackets)."""
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
    return f"http://{_url_host(host)}:{port}"


def _tui_argv(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[list[str], argparse.Namespace]:
    """Check the options meant for the TUI; return them and what they parse to."""
    tui_args = list(args.tui_args)
    if tui_args[:1] == ["--"]:
        tui_args = tui_args[1:]
    defaults = parser.parse_args([])
    # Options given before 'serve' would be silently dropped: refuse them.
    if any(
        getattr(args, k, v) != v for k, v in vars(defaults).items() if k != "command"
    ):
        parser.error(
            "TUI options go after 'serve --' (sigtui serve -- --readonly), "
            "not before 'serve'"
        )
    tui = parser.parse_args(tui_args)
    if tui.command is not None:
        parser.error(
            f"sigtui serve runs the interactive table, not {tui.command!r}: "
            "only TUI options may follow '--'"
        )
    return tui_args, tui


def warning(host: str, port: int, *, loopback: bool, readonly: bool) -> str:
    """The plain-words warning printed before serving.

    Args:
        host: The address the server listens on.
        port: Its port.
        loopback: Whether only this machine can reach that address.
        readonly: Whether the served TUI refuses every send (``--readonly``).

    Returns:
        The warning, one or more lines, ending with a newline.
    """
    user = pwd.getpwuid(os.geteuid()).pw_name
    url = page_url(host, port)
    power = (
        f"can see your processes (as user {user}; sending is off: --readonly)"
        if readonly
        else f"can see your processes and send them signals as user {user}"
    )
    if loopback:
        return (
            f"Warning: anyone who can open {url} {power}. Serving on {host} "
            "only (this machine); --host 0.0.0.0 exposes it to your network.\n"
        )
    return (
        f"WARNING: sigtui serve listens on {host}, reachable from other "
        f"machines: anyone on your network who can open {url} {power}.\n"
        "WARNING: stop it (Ctrl+C) when the class is over; "
        "'-- --readonly' serves a look-only table.\n"
    )


def _check_port_free(host: str, port: int) -> str | None:
    """Bind the address once, as the server will; return why it fails, if it does."""
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError) as err:
        return f"cannot resolve {host!r}: {getattr(err, 'strerror', None) or err}"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as err:
                return _bind_error(host, port, err)
    return None


def _bind_error(host: str, port: int, err: OSError) -> str:
    reason = err.strerror or str(err)
    if err.errno == errno.EADDRINUSE:
        reason += " (another program is using it; try another --port)"
    return f"cannot listen on {_url_host(host)}:{port}: {reason}"


def _page_templates(directory: Path) -> Path:
    """Write textual-serve's page, without its call to Google Fonts, to ``directory``.

    The page then works with no internet connection (a classroom, CI) and
    tells nobody outside that it was opened.
    """
    import textual_serve.server

    original = Path(textual_serve.server.__file__).parent / "templates"
    page = (original / "app_index.html").read_text(encoding="utf-8")
    page = _GOOGLE_FONTS.sub(_LOCAL_FONT, page)
    (directory / "app_index.html").write_text(page, encoding="utf-8")
    return directory


def _origin_host(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    return parts.netloc.lower() or None


def _make_server(
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
                expected = _origin_host(public_url) if public_url else None
                if origin is not None and _origin_host(origin) not in (
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


def _end_descendants(grace: float = STOP_GRACE) -> None:
    """End what the server started (the sigtui of each page) that still runs."""
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


def run_serve(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    err: TextIO | None = None,
) -> int:
    """Serve the interactive table to web browsers until SIGINT, SIGTERM or SIGHUP.

    Args:
        args: Parsed arguments (``host``, ``port``, ``public_url``, ``tui_args``).
        parser: The top-level parser, for errors and to check the TUI options.
        err: Where the warning and errors go (default: ``sys.stderr``).

    Returns:
        0 after a clean stop; 1 when the address cannot be used; 2 when the
        web extra is missing.
    """
    err = err if err is not None else sys.stderr
    tui_args, tui = _tui_argv(args, parser)
    public_url: str | None = args.public_url
    if public_url is not None and urlsplit(public_url).scheme not in ("http", "https"):
        parser.error(f"invalid public URL {public_url!r}: must start with http(s)://")
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        err.write(NEEDS_EXTRA + "\n")
        return EXIT_USAGE
    host: str = args.host
    port: int = args.port
    problem = _check_port_free(host, port)
    if problem is not None:
        err.write(f"sigtui serve: error: {problem}\n")
        return EXIT_FAILED
    loopback = _is_loopback(host)
    err.write(warning(host, port, loopback=loopback, readonly=tui.readonly))
    err.flush()

    public_host = _origin_host(public_url) if public_url else None

    def allowed_host(request_host: str) -> bool:
        if not loopback or request_host == public_host:
            return True
        parts = urlsplit(f"//{request_host}")
        try:
            request_port = parts.port or 80
        except ValueError:
            return False
        name = parts.hostname or ""
        return request_port == port and (
            name in (host, "localhost") or _is_ip_loopback(name)
        )

    command = "exec " + shlex.join(tui_command(tui_args))
    with tempfile.TemporaryDirectory(prefix="sigtui-serve-") as directory:
        templates = _page_templates(Path(directory))
        server = _make_server(command, host, port, public_url, templates, allowed_host)
        try:
            server.serve()
        except OSError as error:
            err.write(f"sigtui serve: error: {_bind_error(host, port, error)}\n")
            return EXIT_FAILED
        finally:
            _end_descendants()
    return 0


def tui_command(tui_args: Sequence[str]) -> list[str]:
    """The command each browser connection runs, as an argument list.

    Args:
        tui_args: Options for the TUI.

    Returns:
        ``python -m sigtui`` with those options.
    """
    return [sys.executable, "-m", "sigtui", *tui_args]
