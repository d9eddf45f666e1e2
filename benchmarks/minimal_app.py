"""The smallest Textual app: what any Textual app costs, to hold sigtui against.

Usage: python benchmarks/minimal_app.py

A header, one line of text and a footer, nothing else: no timers, no data.
benchmarks.footprint runs it beside sigtui and compares their resident memory.
It imports Textual only, so it runs as a script from any directory.
"""

from __future__ import annotations

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
    MinimalApp().run()
