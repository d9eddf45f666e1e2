"""End-to-end: ``sigtui serve`` in headless Chromium.

The test starts the installed ``sigtui serve`` on a free port, opens the page
in Debian's Chromium (headless, with every host name but 127.0.0.1 made
unresolvable, as on CI), and drives the browser over the DevTools protocol
with aiohttp's websocket client (aiohttp comes with textual-serve).

The page's terminal is xterm.js drawing on a canvas, so the page's DOM holds
no table text. The test reads what xterm.js holds (its public buffer API, the
terminal object caught by a script that runs before the page's own), then
checks the screenshot against it: in the header row's pixels, every cell that
holds a letter of ``PID PGID TT STAT TIME COMMAND`` shows ink and the gaps
between the words do not. The screenshot is saved in the test's tmp_path.

Finally SIGTERM to the server's process group must end the server and every
sigtui it started. Every wait is a bounded poll.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import psutil

from .tmux import ProcessRegistry, sigtui_executable

T = TypeVar("T")

TIMEOUT = 20.0
"""Seconds any one wait may take (generous for a slow CI machine)."""
POLL = 0.05
WINDOW = (1280, 800)

HEADER_WORDS = ("PID", "PGID", "TT", "STAT", "TIME", "COMMAND")
"""The default columns' headings, as ps prints them (ps calls TTY "TT")."""
STATUS = re.compile(r"\b\d+ processes\b")
ROW = re.compile(r"^\s*\d+\s+\d+\s")
"""A table row: pid and pgid first (the default columns)."""

# Runs before the page's scripts: textual.js keeps its xterm.js Terminal in
# `this.terminal` of an object nothing global refers to. A setter on
# Object.prototype sees that assignment, keeps the terminal, and then makes
# `terminal` an ordinary property of that object, so the page works as before.
CATCH_TERMINAL = """
(() => {
  const caught = [];
  Object.defineProperty(window, "__caughtTerminals", { value: caught });
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      if (value && value.buffer && value.buffer.active) caught.push(value);
    },
  });
})();
"""

READ_TERMINAL = """
(() => {
  const term = window.__caughtTerminals && window.__caughtTerminals[0];
  if (!term || !term.element) return null;
  const buffer = term.buffer.active;
  const lines = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    lines.push(line ? line.translateToString(false) : "");
  }
  const box = term.element.querySelector(".xterm-screen").getBoundingClientRect();
  return JSON.stringify({
    rows: term.rows, cols: term.cols, lines: lines,
    screen: { x: box.x, y: box.y, width: box.width, height: box.height },
    firstByte: document.body.classList.contains("-first-byte"),
    dpr: window.devicePixelRatio,
  });
})()
"""


def poll(probe: Callable[[], T | None], what: str, describe: Callable[[], str]) -> T:
    """Call ``probe`` until it returns something, or fail after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while (result := probe()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {TIMEOUT:g} s waiting for {what}\n{describe()}"
            )
        time.sleep(POLL)
    return result


def chromium_binary() -> str:
    """Debian's chromium, or fail (never skip): CI installs it."""
    found = shutil.which("chromium")
    if found is None:
        raise AssertionError(
            "chromium is not installed, and the browser test of 'sigtui serve' "
            "needs it: apt-get install -y --no-install-recommends chromium"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


# -- DevTools protocol ------------------------------------------------------------


class DevTools:
    """A minimal DevTools protocol client for one page, over aiohttp."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            waiter = self._waiting.pop(data.get("id", -1), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
            elif "method" in data:
                self.events.append(data)
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError("DevTools connection closed"))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = waiter
        await self.ws.send_json({"id": self._next, "method": method, "params": params})
        async with asyncio.timeout(TIMEOUT):
            reply = await waiter
        assert "error" not in reply, f"{method}: {reply['error']}"
        result: dict[str, Any] = reply["result"]
        return result

    async def evaluate(self, expression: str) -> Any:
        reply = await self.call("Runtime.evaluate", expression=expression)
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"].get("value")

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


async def apoll(
    probe: Callable[[], Awaitable[T | None]], what: str, describe: Callable[[], str]
) -> T:
    """``poll`` for coroutines: await ``probe()`` until it is not None."""
    deadline = time.monotonic() + TIMEOUT
    while (result := await probe()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {TIMEOUT:g} s waiting for {what}\n{describe()}"
            )
        await asyncio.sleep(POLL)
    return result


# -- PNG ----------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB(A), non-interlaced PNG (what Chromium writes).

    Returns:
        Width, height, and the rows as RGB bytes.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8, header
    assert colour in (2, 6), header
    assert interlace == 0, header
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        previous = line
        if channels == 4:
            rgb = bytearray()
            for x in range(width):
                rgb += line[x * 4 : x * 4 + 3]
            rows.append(bytes(rgb))
        else:
            rows.append(bytes(line))
    return width, height, rows


def ink_per_cell(
    rows: list[bytes], cols: int, cell_width: float
) -> tuple[list[int], tuple[int, int, int]]:
    """Count, per terminal cell, the pixels that differ from the row's background.

    Args:
        rows: RGB rows of one terminal row's band of pixels.
        cols: The terminal's columns.
        cell_width: Pixels per column.

    Returns:
        The ink per column, and the background (the band's commonest colour).
    """
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows:
        for x in range(0, len(row), 3):
            pixel = (row[x], row[x + 1], row[x + 2])
            counts[pixel] = counts.get(pixel, 0) + 1
    background = max(counts, key=lambda p: counts[p])
    ink = [0] * cols
    for row in rows:
        for x in range(len(row) // 3):
            rgb = row[3 * x : 3 * x + 3]
            if sum(abs(a - b) for a, b in zip(rgb, background, strict=True)) > 96:
                column = int(x / cell_width)
                if column < cols:
                    ink[column] += 1
    return ink, background


# -- the test -------------------------------------------------------------------


async def open_page(
    chromium: subprocess.Popen[bytes], profile: Path, url: str
) -> tuple[aiohttp.ClientSession, DevTools]:
    """Connect to the headless browser's page target and load ``url``."""
    active = profile / "DevToolsActivePort"

    def port_file() -> str | None:
        assert chromium.poll() is None, f"chromium exited ({chromium.returncode})"
        with contextlib.suppress(OSError):
            text = active.read_text()
            if text.count("\n") >= 1:
                return text.split("\n")[0]
        return None

    devtools_port = poll(port_file, "chromium's DevTools port", lambda: str(profile))
    session = aiohttp.ClientSession()
    async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as reply:
        targets = await reply.json()
    page = next(t for t in targets if t["type"] == "page")
    ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
    devtools = DevTools(ws)
    await devtools.call("Network.enable")
    await devtools.call("Page.enable")
    # A fixed viewport (--window-size also counts the headless window's frame).
    await devtools.call(
        "Emulation.setDeviceMetricsOverride",
        width=WINDOW[0],
        height=WINDOW[1],
        deviceScaleFactor=1,
        mobile=False,
    )
    await devtools.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
    await devtools.call("Page.navigate", url=url)
    return session, devtools


def header_cells_match_ink(line: str, ink: list[int]) -> list[str]:
    """Compare the header row's text with its pixels; return the mismatches."""
    problems = []
    for word in HEADER_WORDS:
        start = re.search(rf"\b{word}\b", line)
        assert start is not None, f"{word} not in {line!r}"
        for column in range(start.start(), start.end()):
            if ink[column] < 4:
                problems.append(f"no ink at column {column} ({line[column]!r})")
        # The blank cell after each word (the gap between columns).
        gap = start.end()
        if gap < len(line) and line[gap] == " " and ink[gap] > 2:
            problems.append(f"ink in the gap at column {gap} after {word}")
    return problems


async def browse(
    chromium: subprocess.Popen[bytes],
    profile: Path,
    url: str,
    shot: Path,
    while_open: Callable[[], None],
) -> tuple[dict[str, Any], list[int], list[str]]:
    """Load the page, wait for the table, screenshot it; return what was seen.

    ``while_open`` runs last, with the page still connected; the page must then
    say that its session ended.
    """
    session, devtools = await open_page(chromium, profile, url)
    try:
        last: dict[str, Any] = {}

        async def table_shown() -> dict[str, Any] | None:
            nonlocal last
            value = await devtools.evaluate(READ_TERMINAL)
            if value is None:
                return None
            last = json.loads(value)
            lines: list[str] = last["lines"]
            header = any(all(w in line for w in HEADER_WORDS) for line in lines)
            rows = sum(bool(ROW.match(line)) for line in lines)
            status = any(STATUS.search(line) for line in lines)
            if header and status and rows >= 5 and last["firstByte"]:
                return last
            return None

        seen = await apoll(
            table_shown,
            "the process table in the page's terminal (header, rows, status line)",
            lambda: "\n".join(last.get("lines", ["(no terminal yet)"])),
        )
        # Let xterm.js paint what its buffer holds: two animation frames.
        await devtools.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        full = await devtools.call("Page.captureScreenshot", format="png")
        shot.write_bytes(base64.b64decode(full["data"]))
        # The header row's band of pixels, at one pixel per CSS pixel.
        screen = seen["screen"]
        cell_height = screen["height"] / seen["rows"]
        header_row = next(
            i
            for i, line in enumerate(seen["lines"])
            if all(w in line for w in HEADER_WORDS)
        )
        band = await devtools.call(
            "Page.captureScreenshot",
            format="png",
            clip={
                "x": screen["x"],
                "y": screen["y"] + header_row * cell_height,
                "width": screen["width"],
                "height": cell_height,
                "scale": 1,
            },
        )
        _, _, band_rows = decode_png(base64.b64decode(band["data"]))
        ink, _ = ink_per_cell(band_rows, seen["cols"], screen["width"] / seen["cols"])
        urls = [
            e["params"]["request"]["url"]
            for e in devtools.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        while_open()

        async def closed() -> bool | None:
            ended = await devtools.evaluate(
                "document.body.classList.contains('-closed') || null"
            )
            return True if ended else None

        await apoll(closed, "the page to say its session ended", lambda: "")
        with contextlib.suppress(Exception):
            await devtools.call("Browser.close")
        return seen, ink, urls
    finally:
        await devtools.close()
        await session.close()


async def refusals(port: int) -> tuple[int, int]:
    """What the server answers a DNS-rebinding page and a cross-site websocket."""
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        rebound = {"Host": f"rebound.example:{port}"}
        async with session.get(f"{base}/", headers=rebound) as reply:
            host_status = reply.status
        try:
            other_site = {"Origin": "http://other-site.example"}
            async with session.ws_connect(f"{base}/ws", headers=other_site):
                origin_status = 101
        except aiohttp.WSServerHandshakeError as refused:
            origin_status = refused.status
    return host_status, origin_status


def descendants(pid: int) -> list[psutil.Process]:
    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).children(recursive=True)
    return []


def stop_group(child: subprocess.Popen[bytes], sig: signal.Signals) -> int:
    """Signal a child's process group, wait for the child; return its status."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
    try:
        return child.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=TIMEOUT)
        raise AssertionError(f"pid {child.pid} ignored {sig.name}") from None


def test_serve_shows_the_table_in_headless_chromium(
    process_registry: ProcessRegistry, tmp_path: Path
) -> None:
    chromium_path = chromium_binary()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    errors = tmp_path / "serve.stderr"
    output = tmp_path / "serve.stdout"
    with errors.open("wb") as err, output.open("wb") as out:
        server = process_registry.spawn(
            [str(sigtui_executable()), "serve", "--port", str(port)],
            "sigtui serve",
            stdout=out.fileno(),
            stderr=err.fileno(),
        )
    try:

        def serving() -> bool | None:
            assert server.poll() is None, (
                f"sigtui serve exited ({server.returncode}):\n{text_of(errors)}"
            )
            return True if accepts(port) and "serving on" in text_of(errors) else None

        poll(serving, f"sigtui serve to accept connections on {port}", lambda: "")
        warning = text_of(errors)
        assert f"anyone who can open http://127.0.0.1:{port}" in warning
        assert "send them signals as user" in warning
        assert "Serving on 127.0.0.1 only" in warning
        # Browsers let any site open a websocket to 127.0.0.1: refused.
        assert asyncio.run(refusals(port)) == (403, 403)

        profile = tmp_path / "chromium-profile"
        shot = tmp_path / "serve.png"
        chromium = process_registry.spawn(
            [
                chromium_path,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-proxy-server",
                # As on CI: no name resolves, no address but 127.0.0.1.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "about:blank",
            ],
            "headless chromium",
        )
        spawned: list[psutil.Process] = []

        def stop_server() -> None:
            # The page's sigtui runs under the server; SIGTERM to the server's
            # group (as a service manager sends) must end it all.
            spawned.extend(descendants(server.pid))
            assert any("sigtui" in " ".join(p.cmdline()) for p in spawned), (
                f"no sigtui process under sigtui serve: {spawned}"
            )
            status = stop_group(server, signal.SIGTERM)
            assert status == 0, f"sigtui serve exited {status}:\n{text_of(errors)}"
            _, alive = psutil.wait_procs(spawned, timeout=TIMEOUT)
            assert not alive, f"left behind by sigtui serve: {alive}"

        try:
            seen, ink, urls = asyncio.run(
                browse(chromium, profile, url, shot, stop_server)
            )
        except AssertionError as error:
            raise AssertionError(
                f"{error}\n--- sigtui serve's output:\n{text_of(output)[-4000:]}"
            ) from None
        finally:
            stop_group(chromium, signal.SIGTERM)

        # What the page's terminal held: the table, its header and status.
        lines: list[str] = seen["lines"]
        header = next(line for line in lines if all(w in line for w in HEADER_WORDS))
        assert any(STATUS.search(line) for line in lines), "\n".join(lines)
        # The screenshot: a PNG of the window, and the header drawn where the
        # terminal holds it, word by word.
        width, height = struct.unpack(">II", shot.read_bytes()[16:24])
        assert (width, height) == WINDOW, f"screenshot {width}x{height}: {shot}"
        problems = header_cells_match_ink(header, ink)
        assert not problems, f"{problems}\nheader: {header!r}\nscreenshot: {shot}"
        # Everything the page loaded came from sigtui serve itself.
        outside = [
            u for u in urls if not u.startswith((url, f"ws://127.0.0.1:{port}/"))
        ]
        assert not outside, f"the page fetched from elsewhere: {outside}"
    finally:
        if server.poll() is None:
            stop_group(server, signal.SIGKILL)
    assert "Traceback" not in text_of(errors) + text_of(output), text_of(errors)
