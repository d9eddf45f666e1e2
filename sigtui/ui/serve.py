"""``sigtui serve``: the interactive table in a web browser, through textual-serve.

Every browser connection starts its own ``python -m sigtui [TUI options]``
process, which talks to the page through Textual's web driver. The server
listens on 127.0.0.1 unless told otherwise, and says before it starts that
whoever can open the page can signal processes as this user.

This module imports only the standard library when it is loaded (``sigtui
--help`` builds its parser from here); textual-serve, aiohttp and psutil are
imported when the server starts. The server itself is
:mod:`sigtui.ui.webserver`.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import pwd
import shlex
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from sigtui.ui.webserver import (
    end_descendants,
    make_server,
    origin_host,
    page_templates,
    page_url,
    url_host,
)

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
    return f"cannot listen on {url_host(host)}:{port}: {reason}"


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

    public_host = origin_host(public_url) if public_url else None

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
        templates = page_templates(Path(directory))
        server = make_server(command, host, port, public_url, templates, allowed_host)
        try:
            server.serve()
        except OSError as error:
            err.write(f"sigtui serve: error: {_bind_error(host, port, error)}\n")
            return EXIT_FAILED
        finally:
            end_descendants()
    return 0


def tui_command(tui_args: Sequence[str]) -> list[str]:
    """The command each browser connection runs, as an argument list.

    Args:
        tui_args: Options for the TUI.

    Returns:
        ``python -m sigtui`` with those options.
    """
    return [sys.executable, "-m", "sigtui", *tui_args]
