"""The smallest Textual app: what any Textual app costs, to hold sigtui against.

Usage: python benchmarks/minimal_app.py [--import MODULE]

A header, one line of text and a footer, nothing else: no timers, no data.
benchmarks.footprint runs it beside sigtui and compares their resident memory.
It imports Textual only, so it runs as a script from any directory.

With ``--import MODULE`` it first imports that module (and so everything the
module imports), before Textual, as sigtui does, and then runs the same app:
with ``sigtui.ui.app`` this is the floor of sigtui's idle memory that
importing its code alone costs. With a sigtui module it also does first what
the ``sigtui`` command does before Textual (``sigtui.ui.before_textual``): the
frame rate, and asyncio without OpenSSL; the plain minimal app loads
OpenSSL, as any Textual app does.

With ``--first-scan`` it also reads every process as sigtui's first scan does,
and shows ``READY`` only once that scan is in: before the imports, the
scanner of sigtui's default columns starts its forked readers
(``ProcfsScanner.scan_ahead``, from the same number of processes as sigtui),
and once the app is mounted a thread takes the scan in (``scan()``, as
sigtui's scan worker does) and then shows ``READY`` and the count. What
sigtui's first table takes beyond this is its own: its screen, laying out the
rows and painting them.
"""

from __future__ import annotations

import argparse
import importlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from sigtui.processes import ProcessSource

READY = "minimal"
"""The text it shows: once on screen, the app has painted (and with
``--first-scan``, taken the first scan in)."""
READING = "reading"
"""What it shows with ``--first-scan`` until the scan is in."""


def run(modules: Sequence[str], *, first_scan: bool = False) -> None:
    """Import ``modules``, then Textual, and run the app until it is quit.

    Args:
        modules: Modules to import before Textual, in order.
        first_scan: Read every process as sigtui's first scan does, and show
            ``READY`` only once that is done.
    """
    source = _reading_ahead() if first_scan else None
    if any(module.split(".")[0] == "sigtui" for module in modules):
        from sigtui.ui import before_textual

        before_textual()
    for module in modules:
        importlib.import_module(module)
    build(source).run()


def build(source: ProcessSource | None = None) -> App[None]:
    """The app; with a ``source``, it shows ``READY`` once that has scanned.

    Args:
        source: What to take a scan from, in a thread, once mounted.

    Returns:
        The app, not yet running.
    """
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class MinimalApp(App[None]):
        """A header, ``READY`` and a footer."""

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(READY if source is None else READING)
            yield Footer()

        def on_mount(self) -> None:
            if source is not None:
                threading.Thread(
                    target=self._take_scan, args=(source,), daemon=True
                ).start()

        def _take_scan(self, scanned: ProcessSource) -> None:
            count = len(scanned.scan().processes)
            self.call_from_thread(self.query_one(Static).update, f"{READY} {count}")

    return MinimalApp()


def _reading_ahead() -> ProcessSource:
    """sigtui's scanner for its default columns, its first scan being read.

    The command line's own function, with no settings file: the same scanner,
    forked at the same point of the imports, as ``sigtui --no-config``.
    """
    from sigtui.cli import _scanner_reading_ahead
    from sigtui.config import ConfigFile

    return _scanner_reading_ahead(None, ConfigFile(None))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--import",
        dest="modules",
        action="append",
        default=[],
        metavar="MODULE",
        help="import this module first (repeatable); the app stays the same",
    )
    parser.add_argument(
        "--first-scan",
        action="store_true",
        help=f"read every process as sigtui's first scan does before showing {READY!r}",
    )
    args = parser.parse_args()
    run(args.modules, first_scan=args.first_scan)
