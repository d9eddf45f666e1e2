"""Full garbage collections at moments the interface chooses, not mid-key.

Python starts a full collection when enough allocation has happened, and the
most allocation happens while a key is answered: Textual makes the lines of
every widget it repaints. So the full passes that the interpreter chooses fall
mostly between a key and its frame, where they add their whole length to the
key's latency (6 to 15 ms at 10,000 processes, every 2 s or so while typing).

:class:`QuietCollector` takes that choice over. While it runs, the interpreter
starts a full pass only after :data:`OVERDUE` times the usual count of younger
passes (a safety net, should the interface never be idle); the interface asks
:meth:`QuietCollector.due` when it has nothing to do and, once the screen has
been painted, runs the pass with :meth:`QuietCollector.collect`. The younger
generations are collected as before.

Plain Python: the screen decides when, this module how.
"""

from __future__ import annotations

import gc

OVERDUE = 10
"""How many times the usual number of younger passes the interpreter waits,
while a :class:`QuietCollector` runs, before it starts a full pass itself."""


class QuietCollector:
    """Moves full collections from where allocation triggers them to a chosen moment.

    Attributes:
        passes: Full collections run by :meth:`collect`.
    """

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None
        self._due_after = 0
        self.passes = 0

    @property
    def running(self) -> bool:
        """Whether full collections are the caller's to start."""
        return self._saved is not None

    def start(self) -> None:
        """Take full collections over: the interpreter starts them only when overdue."""
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        young, middle, full = self._saved
        # The usual moment: as many passes of the middle generation as its
        # threshold says. A threshold of 0 means collection is off; keep it.
        self._due_after = full
        gc.set_threshold(young, middle, full * OVERDUE)

    def stop(self) -> None:
        """Give the interpreter back its own thresholds."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None

    def due(self) -> bool:
        """Whether the interpreter would have run a full collection by now.

        Cheap enough to ask whenever the interface is idle.
        """
        return (
            self._saved is not None
            and self._due_after > 0
            and gc.isenabled()
            and gc.get_count()[2] >= self._due_after
        )

    def collect(self) -> None:
        """Run the full collection now if it is due; otherwise do nothing."""
        if self.due():
            gc.collect()
            self.passes += 1
