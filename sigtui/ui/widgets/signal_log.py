"""The signal log: timestamped lines on screen, and JSON lines in the ``--log`` file."""

from __future__ import annotations

import json
import re
import textwrap
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
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


_TIMINGS = re.compile(r"\d+(\.\d+)? ms")
"""A latency, which differs between otherwise identical entries."""


@dataclass
class Entry:
    """One entry on screen: a line, or a send completed as its results come.

    Attributes:
        number: Its handle, for :meth:`SignalLog.amend`.
        stamp: When it began (``HH:MM:SS``).
        text: What it says so far.
        count: How many identical entries it stands for.
        key: What a counted entry says (see :meth:`SignalLog.add_counted`);
            None for the others.
    """

    number: int
    stamp: str
    text: str
    count: int = 1
    key: Hashable | None = None

    @property
    def shown(self) -> str:
        """The text, with the count of repeats if there were any."""
        shown = f"×{self.count} {self.text}"  # noqa: RUF001 (a multiplication)
        return shown if self.count > 1 else self.text

    def same_as(self, other: Entry) -> bool:
        """Whether the two say the same, latencies apart."""
        return _TIMINGS.sub("", self.text) == _TIMINGS.sub("", other.text)


class SignalLog(Log):
    """What was sent, received and what became of it, newest last.

    It keeps its entries as they were written, so that wrapping (projector
    mode) and a new width re-render them all. It follows new entries unless
    the user has scrolled up; scrolling back to the end follows again. Tab
    focuses it, and the arrows, Page Up/Down, Home and End scroll it.

    A send is one entry, amended as its results arrive (:meth:`amend`) and
    collapsed into the one before when it ends the same (:meth:`finish`);
    the log file still gets one JSON line per event.

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
        self._entries: deque[Entry] = deque(maxlen=LOG_LINES)
        """Every entry on screen, oldest first."""
        self._numbered = 0
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

    def add(self, text: str) -> int:
        """Add a timestamped entry, on screen and in the log file.

        Args:
            text: The entry (escaped already where it holds process text).

        Returns:
            The entry's number, to :meth:`amend` it.
        """
        now = self.clock()
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        self._numbered += 1
        entry = Entry(self._numbered, stamp, text)
        self._entries.append(entry)
        self._show(self._rendered(entry))
        self._write_file(now, text)
        return entry.number

    def add_counted(self, items: Sequence[tuple[str, int, Hashable]]) -> None:
        """Add entries that each stand for several events, in one repaint.

        An entry whose key is the newest entry's adds its count to that
        entry (a flood that goes on over several batches stays one entry,
        its count rising) and takes its text (the newest event's).

        Args:
            items: Each entry's text (escaped already), count and key.
        """
        now = self.clock()
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        entries = self._entries
        new: list[Entry] = []
        grown = False
        for text, count, key in items:
            last = entries[-1] if entries else None
            if last is not None and last.key is not None and last.key == key:
                last.count += count
                last.text, last.stamp = text, stamp
                grown = grown or not (new and new[-1] is last)
            else:
                self._numbered += 1
                last = Entry(self._numbered, stamp, text, count, key)
                entries.append(last)
                new.append(last)
            # The file gets each batch's own count, as it happened.
            self._write_file(now, Entry(0, stamp, text, count).shown)
        if grown:
            self._rerender()
        elif new:
            self._show([line for entry in new for line in self._rendered(entry)])

    def _find(self, number: int) -> Entry | None:
        for entry in reversed(self._entries):
            if entry.number == number:
                return entry
        return None

    def amend(
        self, number: int, text: str, *, before: int = 0, or_add: bool = True
    ) -> int:
        """Add an event to an entry, in place; the file gets it as its own line.

        Args:
            number: The entry, from :meth:`add`.
            text: The event.
            before: Put it before the entry's last so many events (a send's
                outcome stays last when its traced fate comes after it).
            or_add: Add it as an entry of its own if that one has scrolled
                away or was folded into the one before (else drop it).

        Returns:
            The entry's number: a new entry's if that one has gone, or 0 if
            it was dropped.
        """
        entry = self._find(number)
        if entry is None:
            return self.add(text) if or_add else 0
        head, *tail = entry.text.rsplit(" · ", before) if before else [entry.text]
        entry.text = " · ".join([head, text, *tail])
        self._rerender()
        self._write_file(self.clock(), text)
        return number

    def finish(self, number: int) -> None:
        """Fold an entry that says what the one before it said into that one.

        Args:
            number: The entry, from :meth:`add`; it gets no more events.
        """
        entries = self._entries
        if len(entries) < 2 or entries[-1].number != number:
            return
        if entries[-1].same_as(entries[-2]):
            last = entries.pop()
            entries[-1].count += last.count
            entries[-1].text, entries[-1].stamp = last.text, last.stamp
            self._rerender()

    def _wrap_width(self) -> int:
        # The text's width, right of a stamp ("HH:MM:SS  ").
        return self.scrollable_content_region.width - 1 - len("HH:MM:SS  ")

    def _rendered(self, entry: Entry) -> list[str]:
        stamp, text = entry.stamp, entry.shown
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
        lines = [line for entry in self._entries for line in self._rendered(entry)]
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
