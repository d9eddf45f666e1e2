"""Only the UI imports Textual or Rich: every other module loads without them.

``sigtui ps`` and the non-UI layers must work (and start fast) without a
terminal library, so each module is imported in a fresh interpreter and the
test checks what that dragged into ``sys.modules``. Modules are found by
walking the package, so packages added later are covered too; only
``sigtui.ui`` (and modules whose name says they run something when imported,
``__main__``) are left out.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys

import pytest

import sigtui

UI_PACKAGE = "sigtui.ui"
FORBIDDEN = ("textual", "rich")


def non_ui_modules() -> list[str]:
    """Every module and package under sigtui, except the UI and ``__main__``.

    Walks the source tree without importing anything (so the UI package is
    never even loaded here).
    """
    names = ["sigtui"]
    pending = [("sigtui", list(sigtui.__path__))]
    while pending:
        package, paths = pending.pop()
        for module in pkgutil.iter_modules(paths):
            name = f"{package}.{module.name}"
            if name == UI_PACKAGE or module.name == "__main__":
                continue
            names.append(name)
            if module.ispkg:
                pending.append((name, [os.path.join(p, module.name) for p in paths]))
    return sorted(names)


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def heavy_modules_after_import(name: str) -> list[str]:
    """Import one module in a fresh interpreter; return what textual/rich it loaded."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({name!r})\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        f"    if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    loaded: list[str] = json.loads(run_python(code))
    return loaded


def test_the_walk_finds_the_layers() -> None:
    modules = non_ui_modules()
    for expected in (
        "sigtui",
        "sigtui.cli",
        "sigtui.processes",
        "sigtui.processes.scan",
        "sigtui.processes.columns",
        "sigtui.processes.tree",
    ):
        assert expected in modules
    assert not any(m == UI_PACKAGE or m.startswith(UI_PACKAGE + ".") for m in modules)


@pytest.mark.parametrize("name", non_ui_modules())
def test_module_imports_without_textual_or_rich(name: str) -> None:
    assert heavy_modules_after_import(name) == []


def test_everything_at_once() -> None:
    # The same, with all non-UI modules in one interpreter (import order effects).
    modules = non_ui_modules()
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        f"    if m.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_check_would_notice() -> None:
    # Guard against a vacuous test: importing Textual is seen.
    assert "textual" in heavy_modules_after_import("textual.app")


TABLE_PROBE = """
import sys, types

# The interface stands in here: it reports the frame rate Textual read
# and whether OpenSSL was loaded.
fake = types.ModuleType("sigtui.ui.app")


def make_app(*args, **kwargs):
    import textual.constants

    print("frames", textual.constants.MAX_FPS, flush=True)
    print("openssl loaded", "ssl" in sys.modules or "_ssl" in sys.modules, flush=True)
    raise SystemExit(0)


fake.make_app = make_app
sys.modules["sigtui.ui.app"] = fake
from sigtui import cli

sys.exit(cli.main(["--no-trace", "--no-config"]))
"""


def run_table_probe() -> bytes:
    """Start the table from the command line, under a terminal, with the probe.

    Returns:
        Everything the probe wrote to the terminal.
    """
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    master, slave = os.openpty()
    with subprocess.Popen(
        [sys.executable, "-c", TABLE_PROBE],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
    ) as proc:
        os.close(slave)
        output = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        os.close(master)
        assert proc.wait(timeout=60) == 0, output
    return output


def test_the_table_starts_textual_at_sigtui_s_frame_rate() -> None:
    # Textual reads its frame rate once, on import: the command line must set
    # it before anything imports Textual (a terminal, so the table starts).
    from sigtui.ui import FRAMES_PER_SECOND

    assert f"frames {FRAMES_PER_SECOND}".encode() in run_table_probe()


def test_the_table_starts_without_openssl() -> None:
    # asyncio, imported by Textual, would load OpenSSL (5 MiB) in case of TLS.
    assert b"openssl loaded False" in run_table_probe()


def test_serve_runs_with_asyncio_without_openssl() -> None:
    # The web server runs an event loop: the command loads asyncio for it,
    # without OpenSSL, before the server starts (here a stand-in).
    words = run_python_lines(
        "import sys\n"
        "from sigtui import cli\n"
        "from sigtui.ui import serve\n"
        "def run_serve(args, parser):\n"
        "    print('asyncio' in sys.modules, 'ssl' in sys.modules)\n"
        "    return 0\n"
        "serve.run_serve = run_serve\n"
        "print('asyncio' in sys.modules)\n"
        "sys.exit(cli.main(['serve']))\n"
    )
    assert words == ["False", "True", "False"]


def run_python_lines(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and return the words it printed."""
    return run_python(code).split()


def test_asyncio_imported_by_the_interface_works_without_openssl() -> None:
    lines = run_python_lines(
        "import sys, asyncio.subprocess\n"
        "import sigtui.ui\n"
        "sigtui.ui.import_asyncio_without_tls()\n"  # already imported: nothing
        "print('ssl' in sys.modules)\n"
    )
    assert lines == ["True"]
    lines = run_python_lines(
        "import sys\n"
        "import sigtui.ui\n"
        "sigtui.ui.import_asyncio_without_tls()\n"
        "import asyncio\n"
        "print('ssl' in sys.modules, '_ssl' in sys.modules)\n"
        "async def child():\n"
        "    proc = await asyncio.create_subprocess_exec(\n"
        "        'echo', 'hi', stdout=asyncio.subprocess.PIPE)\n"
        "    out, _ = await proc.communicate()\n"
        "    return out.decode().strip()\n"
        "print(asyncio.run(child()))\n"
        "import ssl\n"  # still there for whoever does want it
        "print(ssl.OPENSSL_VERSION.split()[0])\n"
    )
    assert lines == ["False", "False", "hi", "OpenSSL"]


def test_sigtui_ps_loads_no_event_loop() -> None:
    # sigtui ps prints and leaves: asyncio (14 ms of imports, with the
    # interface's TLS trick) is the table's and the web server's, not its.
    words = run_python_lines(
        "import os, sys\n"
        "from sigtui import cli\n"
        "with open(os.devnull, 'w') as sink:\n"
        "    sys.stdout, real = sink, sys.stdout\n"
        "    status = cli.main(['ps', '-p', str(os.getpid())])\n"
        "    sys.stdout = real\n"
        "print(status, 'asyncio' in sys.modules, 'sigtui.ui.serve' in sys.modules)\n"
    )
    # The serve command's arguments are still registered (its help lists them).
    assert words == ["0", "False", "True"]
