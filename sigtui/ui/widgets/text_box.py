"""The filter and search boxes: an Input whose typing lays nothing out again."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class TextBox(Input):
    """A one-line box whose letters repaint the box, not the whole screen.

    Textual's ``Input`` keeps its text's width as its virtual size, which is
    a layout reactive: each letter typed had the whole screen laid out and
    repainted again (at 10,000 processes, a third of what a filter letter
    cost). This box's size never depends on its text (the style sheet fixes
    its width and height), so the width is stored without a layout; the
    box's own scrolling, which keeps the cursor in view, reads it as before.
    """

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        # Input's watcher sets the same size again: no change, no layout.
        super()._watch_value(value)
