"""The bar that counts down ``x``'s grace: SIGTERM now, SIGKILL if it is still there."""

from __future__ import annotations

import threading

from textual import work
from textual.message import Message
from textual.widgets import Static

from sigtui.delivery import Escalation, Syscalls, end_gracefully
from sigtui.processes import ProcessInfo


class Countdown(Static):
    """Runs one graceful end and shows the seconds left; hidden otherwise.

    The bar shows and hides itself (its ``-running`` class), so it is right
    whatever screen is on top when the countdown ends.

    Args:
        syscalls: The system calls to send with.
        id: The widget's id.
    """

    class Ended(Message):
        """A graceful end is over (ended, killed, survived, failed or cancelled).

        Attributes:
            result: What happened.
        """

        def __init__(self, result: Escalation) -> None:
            super().__init__()
            self.result = result

    def __init__(self, syscalls: Syscalls, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.syscalls = syscalls
        self._cancel: threading.Event | None = None

    @property
    def running(self) -> bool:
        """Whether a graceful end is under way."""
        return self._cancel is not None and not self._cancel.is_set()

    def start(self, info: ProcessInfo, grace: float) -> None:
        """Send SIGTERM now, and SIGKILL after ``grace`` seconds if needed.

        Args:
            info: The process (checked and confirmed already).
            grace: Seconds to wait for it to end by itself.
        """
        self._cancel = threading.Event()
        self._run(info, grace, self._cancel)

    def cancel(self) -> bool:
        """Stop waiting: no SIGKILL will be sent.

        Returns:
            Whether there was a countdown to cancel.
        """
        if not self.running:
            return False
        assert self._cancel is not None
        self._cancel.set()
        return True

    @work(thread=True, group="escalate", exit_on_error=False)
    def _run(self, info: ProcessInfo, grace: float, cancel: threading.Event) -> None:
        """Escalate off the UI thread (it sleeps and sends system calls)."""

        def tick(left: float) -> None:
            self.app.call_from_thread(self._tick, info, left)

        result = end_gracefully(
            info, grace, cancel=cancel, on_tick=tick, syscalls=self.syscalls
        )
        self.app.call_from_thread(self._ended, result)

    def _tick(self, info: ProcessInfo, left: float) -> None:
        if not self.running:
            return  # a tick that arrived after the end
        self.update(
            f"Ending process {info.pid}: SIGTERM sent, SIGKILL in {left:.1f} s "
            "(escape cancels)"
        )
        self.add_class("-running")

    def _ended(self, result: Escalation) -> None:
        self.remove_class("-running")
        if self._cancel is not None:
            self._cancel.set()
        self._cancel = None
        self.post_message(self.Ended(result))
