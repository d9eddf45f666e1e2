"""Hostile conditions in the app: the demo child killed from outside.

The test signals only the demo child sigtui started for it: its own
descendant, by pid, through a pidfd, before anything has reaped it.
"""

from __future__ import annotations

import os
import signal
import time

from textual.pilot import Pilot

from sigtui.processes.scan import read_stat
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.picker import SignalPicker
from sigtui.ui.widgets.process_table import MARK_DEMO
from tests.pilot import DEADLINE, log_text, wait_until
from tests.spawn import alive

SIZE = (140, 45)
LEAK_DEADLINE = 5.0
"""Seconds the demo's pipes get to close after it is reported gone."""


# --- the demo child killed from outside ---------------------------------------------


def status_text(app: SigtuiApp) -> str:
    return str(app.query_one("#status").render())


def screen_text(app: SigtuiApp) -> str:
    table = app.main.table
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def parent_of(pid: int) -> int:
    stat = read_stat(pid)
    assert stat is not None, f"pid {pid} is gone"
    return stat.ppid


def pipes() -> set[str]:
    """This process's open pipes (the demo's pipes are among them)."""
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except FileNotFoundError:
            continue  # the descriptor os.listdir used
        if target.startswith("pipe:"):
            found.add(f"{name} {target}")
    return found


async def start_demo(pilot: Pilot[int], app: SigtuiApp, started: int) -> int:
    await pilot.press("d")
    await wait_until(
        pilot,
        app,
        lambda: log_text(app).count("started in its own process group") == started,
        "the demo started",
    )
    assert app.main.demo is not None
    demo = app.main.demo.pid
    await wait_until(
        pilot,
        app,
        lambda: (
            app.main.table.current is not None
            and app.main.table.current.info.pid == demo
        ),
        "the cursor on the demo",
    )
    # Marked ◆ and beating in the status line.
    await wait_until(pilot, app, lambda: MARK_DEMO in screen_text(app), "◆")
    await wait_until(
        pilot, app, lambda: f"demo {demo}: tick " in status_text(app), "heartbeat"
    )
    return demo


async def test_demo_killed_from_outside_is_reported_and_d_restarts_it() -> None:
    app = make_app(Options(interval=0.2))
    me = os.getpid()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, app, lambda: app.main.scans > 0, "the first scan")
        before = pipes()
        old = await start_demo(pilot, app, started=1)
        assert app.main.demo is not None
        members = app.main.demo.members
        assert len(members) == 2
        # Our own child, not reaped until the supervisor sees it die.
        assert parent_of(old) == me
        pidfd = os.pidfd_open(old)
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        finally:
            os.close(pidfd)
        await wait_until(
            pilot,
            app,
            lambda: f"demo ({old}) was killed by SIGKILL" in log_text(app),
            "the kill reported",
        )
        assert "demo: press d to start it again" in log_text(app)
        # The marks and the heartbeat go; the members die with the child.
        await wait_until(
            pilot, app, lambda: MARK_DEMO not in screen_text(app), "◆ gone"
        )
        assert "demo" not in status_text(app)
        await wait_until(
            pilot,
            app,
            lambda: not any(alive(pid) for pid in (old, *members)),
            "the old demo and its members gone",
        )
        # Nothing of the dead demo stays open in sigtui.
        deadline = time.monotonic() + LEAK_DEADLINE
        while (left_open := pipes() - before) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert not left_open, f"the dead demo's pipes are still open: {left_open}"

        new = await start_demo(pilot, app, started=2)
        assert new != old
        assert alive(new)
        await pilot.press("k")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, SignalPicker), "the picker"
        )
        await pilot.press(*"usr1", "enter")  # the demo needs no confirmation
        await wait_until(
            pilot,
            app,
            lambda: (
                f"demo ({new}) received SIGUSR1 from pid {me} (sigtui)" in log_text(app)
            ),
            "the new demo's receipt",
        )
        assert f"sigtui ({me}) sent SIGUSR1 to demo ({new})" in log_text(app)
        # And one from outside sigtui, straight to the new pid.
        os.kill(new, signal.SIGUSR2)  # our own child, alive (checked above)
        await wait_until(
            pilot,
            app,
            lambda: f"demo ({new}) received SIGUSR2 from pid {me} " in log_text(app),
            "the outside send logged",
        )
        new_members = app.main.demo.members
        await pilot.press("q")
    deadline = time.monotonic() + DEADLINE
    while any(alive(pid) for pid in (new, *new_members)):
        assert time.monotonic() < deadline, "the new demo outlived the app"
        time.sleep(0.05)
