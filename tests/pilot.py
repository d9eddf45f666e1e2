"""Helpers of the pilot tests: the signal log's text, bounded waits, settling.

The app keeps running while a test waits (its timers refresh the table and
its workers report), so every wait here gives control back to it through
``pilot.pause`` and gives up after a deadline, showing the signal log.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Log

from sigtui.ui.app import SigtuiApp

DEADLINE = 20.0
"""Seconds a wait may take before the test fails."""


def log_text(app: SigtuiApp) -> str:
    """The signal log's text, one entry a line."""
    return "\n".join(str(line) for line in app.query_one("#log", Log).lines)


async def wait_until(
    pilot: Pilot[int],
    app: SigtuiApp,
    check: Callable[[], object],
    what: str,
    timeout: float = DEADLINE,
) -> None:
    """Wait, while the app runs, until ``check`` returns something true.

    Args:
        pilot: The app's pilot.
        app: The app, whose log the error message shows.
        check: The probe, called between pauses.
        what: What is awaited, for the error message.
        timeout: Seconds before giving up.

    Raises:
        AssertionError: If the deadline passes first.
    """
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; log:\n{log_text(app)}")
        await pilot.pause(0.05)


async def settle(app: SigtuiApp, pilot: Pilot[int]) -> None:
    """Let pending messages run, then every worker finish, then the repaint."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
