"""The signal log: timestamped lines on screen, and JSON lines in the ``--log`` file."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

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
        self.wrap = False
        """Whether long lines wrap under the text (projector mode)."""

    def on_mount(self) -> None:
        """Colour signal names from the theme, now and when it changes."""
        self._recolour()
        self.app.theme_changed_signal.subscribe(self, lambda _: self._recolour())

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
        if self.wrap:
            # A class cannot scroll sideways: long lines wrap, under the text.
            width = self.scrollable_content_region.width - 1 - len(stamp) - 2
            first, *rest = wrap_words(text, width)
            self.write_line(f"{stamp}  {first}")
            self.write_lines(f"{' ' * len(stamp)}  {more}" for more in rest)
        else:
            self.write_line(f"{stamp}  {text}")
        self._write_file(now, text)

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
