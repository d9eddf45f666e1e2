"""Helpers of the pilot tests: the signal log, bounded waits, settling, selecting.

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


async def select(app: SigtuiApp, pilot: Pilot[int], pid: int) -> None:
    """Filter by the pid, then step onto it: other processes may match too.

    The filter matches substrings of pids and commands ("1077" also lists
    21077); other processes come and go (a parallel test worker's, other
    people's on a shared machine); and the row the cursor was on stays,
    marked exited, for as long as it is selected, filter or not.
    """
    await wait_until(
        pilot,
        app,
        lambda: app.main.view.index_of_pid(pid) is not None,
        f"pid {pid} listed",
    )
    await pilot.press("slash", *str(pid), "enter")
    # Each letter's Input.Changed is handled on its own turn of the loop: wait
    # until the last one is, and the table back in focus, before stepping.
    await wait_until(
        pilot,
        app,
        lambda: (
            app.main.view.filter_text == str(pid)
            and app.focused is app.main.table
            and app.main.view.index_of_pid(pid) is not None
        ),
        f"the filter {pid} applied, listing it",
    )
    for _ in range(100):
        current = app.main.table.current
        assert current is not None
        if current.info.pid == pid:
            return
        await pilot.press("down")
    shown = [row.info.pid for row in app.main.view.rows]
    raise AssertionError(
        f"the cursor never reached pid {pid}: filter {app.main.view.filter_text!r}, "
        f"rows {shown[:20]}, cursor on {app.main.table.current}"
    )
