"""The signal log: timestamped lines on screen, and JSON lines in the ``--log`` file."""

from __future__ import annotations

import json
import textwrap
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

from textual import events
from textual.widgets import Log

from sigtui.signals import catalogue
from sigtui.ui.widgets.log_colors import SignalHighlighter, action_styles

LOG_LINES = 1000
"""Lines the signal log keeps (older ones scroll away)."""


def wrap_words(text: str, width: int) -> list[str]:
    """Cut a log line at spaces into pieces of at most ``width`` characters.

    Args:
        text: The line.
        width: Characters per piece; below 20 the line is left whole, since
            a log that narrow is not being read.

    Returns:
        The pieces, at least one.
    """
    if width < 20:
        return [text]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


class SignalLog(Log):
    """What was sent, received and what became of it, newest last.

    It keeps its entries as they were written, so that wrapping (projector
    mode) and a new width re-render them all. It follows new entries unless
    the user has scrolled up; scrolling back to the end follows again. Tab
    focuses it, and the arrows, Page Up/Down, Home and End scroll it.

    Args:
        clock: The current time, for the stamps and the file.
        log_file: Where to append every entry as a JSON line, if anywhere.
        id: The widget's id.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        log_file: TextIO | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(max_lines=LOG_LINES, highlight=True, id=id)
        self.clock = clock
        self.log_file = log_file
        self.file_failed = False
        self._wrap = False
        self._entries: deque[tuple[str, str]] = deque(maxlen=LOG_LINES)
        """(stamp, text) of every entry on screen, oldest first."""
        self._wrapped_to = 0
        """The width the entries were last wrapped to."""
        self.following = True
        """Whether new entries scroll into view (the user has not scrolled up)."""

    def on_mount(self) -> None:
        """Colour signal names from the theme, now and when it changes."""
        self._recolour()
        self.app.theme_changed_signal.subscribe(self, lambda _: self._recolour())
        self.watch(self, "scroll_y", self._scrolled, init=False)

    @property
    def wrap(self) -> bool:
        """Whether long entries wrap under the text (projector mode)."""
        return self._wrap

    @wrap.setter
    def wrap(self, on: bool) -> None:
        if on != self._wrap:
            self._wrap = on
            self._rerender()

    def _scrolled(self, y: float) -> None:
        # Scrolled to the end, by the user or by a new entry: follow.
        self.following = y >= self.max_scroll_y

    def on_resize(self, event: events.Resize) -> None:
        """Re-wrap to the new width, and keep the newest entry in view."""
        if self._wrap and self._wrap_width() != self._wrapped_to:
            self._rerender()
        elif self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _recolour(self) -> None:
        self.highlighter = SignalHighlighter(
            catalogue(), action_styles(self.app.theme_variables)
        )

    def add(self, text: str) -> None:
        """Add a timestamped entry, on screen and in the log file.

        Args:
            text: The entry (escaped already where it holds process text).
        """
        now = self.clock()
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        self._entries.append((stamp, text))
        self._show(self._rendered(stamp, text))
        self._write_file(now, text)

    def _wrap_width(self) -> int:
        # The text's width, right of a stamp ("HH:MM:SS  ").
        return self.scrollable_content_region.width - 1 - len("HH:MM:SS  ")

    def _rendered(self, stamp: str, text: str) -> list[str]:
        if not self._wrap:
            return [f"{stamp}  {text}"]
        # A class cannot scroll sideways: long lines wrap, under the text.
        first, *rest = wrap_words(text, self._wrapped_to)
        return [f"{stamp}  {first}", *(f"{' ' * len(stamp)}  {more}" for more in rest)]

    def _show(self, lines: list[str]) -> None:
        following = self.following
        self.write_lines(lines, scroll_end=False)
        self.following = following
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _rerender(self) -> None:
        """Write every entry again, wrapped or not, to the current width."""
        self._wrapped_to = self._wrap_width()
        following, y = self.following, self.scroll_y
        self.clear()
        lines = [line for entry in self._entries for line in self._rendered(*entry)]
        self.write_lines(lines, scroll_end=False)
        self.following = following
        if not following:
            self.scroll_to(y=y, animate=False, immediate=True)
        self._show([])

    def _write_file(self, now: float, text: str) -> None:
        if self.log_file is None or self.file_failed:
            return
        try:
            self.log_file.write(json.dumps({"time": now, "entry": text}) + "\n")
            self.log_file.flush()
        except OSError as err:
            # A full disk must not stop the app: say it once and go on.
            self.file_failed = True
            self.notify(
                f"Could not write the log file any more: {err.strerror or err}. "
                "The on-screen log goes on.",
                severity="error",
                timeout=10,
            )
