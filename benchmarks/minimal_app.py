"""The smallest Textual app: what any Textual app costs, to hold sigtui against.

Usage: python benchmarks/minimal_app.py [--import MODULE]

A header, one line of text and a footer, nothing else: no timers, no data.
benchmarks.footprint runs it beside sigtui and compares their resident memory.
It imports Textual only, so it runs as a script from any directory.

With ``--import MODULE`` it first imports that module (and so everything the
module imports) and then runs the same app: with ``sigtui.ui.app`` this is the
floor of sigtui's idle memory that importing its code alone costs.
"""

from __future__ import annotations

import argparse
import importlib

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

READY = "minimal"
"""The text it shows: once on screen, the app has painted."""


class MinimalApp(App[None]):
    """A header, ``READY`` and a footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(READY)
        yield Footer()


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
    for module in parser.parse_args().modules:
        importlib.import_module(module)
    MinimalApp().run()
