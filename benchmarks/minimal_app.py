"""The smallest Textual app: what any Textual app costs, to hold sigtui against.

Usage: python benchmarks/minimal_app.py [--import MODULE]

A header, one line of text and a footer, nothing else: no timers, no data.
benchmarks.footprint runs it beside sigtui and compares their resident memory.
It imports Textual only, so it runs as a script from any directory.

With ``--import MODULE`` it first imports that module (and so everything the
module imports), before Textual, as sigtui does, and then runs the same app:
with ``sigtui.ui.app`` this is the floor of sigtui's idle memory that
importing its code alone costs. Imported first, ``sigtui.ui`` also leaves
OpenSSL out of asyncio (``sigtui.ui.import_asyncio_without_tls``), as it does
in sigtui; the plain minimal app loads it, as any Textual app does.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

READY = "minimal"
"""The text it shows: once on screen, the app has painted."""


def run(modules: Sequence[str]) -> None:
    """Import ``modules``, then Textual, and run the app until it is quit.

    Args:
        modules: Modules to import before Textual, in order.
    """
    for module in modules:
        importlib.import_module(module)
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class MinimalApp(App[None]):
        """A header, ``READY`` and a footer."""

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(READY)
            yield Footer()

    MinimalApp().run()


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
    run(parser.parse_args().modules)
