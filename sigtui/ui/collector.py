"""When Python's garbage collector makes its full passes: not while keys come.

Python walks its oldest objects in a full collection whenever enough objects
have lived through the young collections since the last one. At 10,000
processes that was every second or two, taking 10 to 45 ms with the GIL held
(``benchmarks/ui.py`` with a ``gc.callbacks`` probe): half the dozen
slowest keys waited for one. Most of what they free is Textual's: a
``Strip`` often keeps itself in its own caches (a line cut to its own
length), so the lines a widget drew and then replaced can only be freed by
the collector, as can the keys a footer rebuilt.

:class:`QuietCollector` keeps the young collections, which are quick, and
runs the full ones itself when no key or click came for a moment; after long
enough without such a moment it runs one anyway, so memory stays bounded
while someone types without pause.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

QUIET_S = 0.5
"""A full collection waits until no key or click has come for this long."""

TICK_S = 0.25
"""How often the app asks whether a full collection is due."""

FORCE_FACTOR = 3
"""Without a quiet moment, collect anyway once this many times as many young
collections have passed as Python would have waited for. At 10,000
processes and keys without a pause, that is a pass every 4 to 5 s taking 20
to 60 ms; at 6 it was every 9 s, taking 60 to 150 ms."""

NEVER = 2**30
"""A threshold for full collections that is never reached: Python's own
full collections are off while the collector runs."""


class QuietCollector:
    """Moves the garbage collector's full passes to moments without input.

    Args:
        clock: Monotonic seconds (a parameter for tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = clock()
        self._thresholds: tuple[int, int, int] | None = None
        self.collections = 0
        """Full collections this collector has run."""

    @property
    def last_input(self) -> float:
        """When the last key or click came, on the collector's clock."""
        return self._last_input

    @property
    def running(self) -> bool:
        """Whether full collections are this collector's to run."""
        return self._thresholds is not None

    def start(self) -> None:
        """Freeze what exists now and take over the full collections.

        Called once the first scan is shown. What exists then is Textual's
        widgets and styles and one object or more per process: hundreds of
        thousands at 10,000 processes. Frozen, no collection walks them; they
        are still freed as usual when no longer referenced, and only cycles
        among them wait for :meth:`stop` to unfreeze them.
        """
        if self.running:
            return
        gc.collect()
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        """Give Python back its full collections and unfreeze what was frozen."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        gc.unfreeze()

    def input_came(self) -> None:
        """Note a key or a click: a full collection now would delay its answer."""
        self._last_input = self._clock()

    def tick(self) -> bool:
        """Run a full collection if one is due and the moment is quiet.

        Due is when Python would consider one: ``gc.get_count()[2]`` young
        collections of the middle generation since the last full one reach
        its threshold.

        Returns:
            Whether it collected.
        """
        if self._thresholds is None:
            return False
        passed = gc.get_count()[2]
        due = self._thresholds[2]
        if passed < due:
            return False
        quiet = self._clock() - self._last_input >= QUIET_S
        if not quiet and passed < due * FORCE_FACTOR:
            return False
        gc.collect()
        self.collections += 1
        return True
