"""The demo child in the TUI (pilot smoke tests): start, signal, the panel, quit.

What the log says and when (pairing, merging, dispositions, counting) is
DemoSession's, tested in tests/test_demo_session.py without a UI.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from textual.pilot import Pilot
from textual.widgets import Log

from sigtui.signals import catalogue
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.dispositions import DispositionScreen
from sigtui.ui.screens.picker import SignalPicker
from tests.pilot import DEADLINE, log_text, wait_until
from tests.spawn import alive

SIZE = (140, 45)


async def start_demo(pilot: Pilot[int], app: SigtuiApp) -> int:
    await pilot.press("d")
    await wait_until(
        pilot, app, lambda: "started in its own process group" in log_text(app), "demo"
    )
    assert app.main.demo is not None
    demo_pid = app.main.demo.pid
    await wait_until(
        pilot,
        app,
        lambda: (
            app.main.table.current is not None
            and app.main.table.current.info.pid == demo_pid
        ),
        "cursor on the demo",
    )
    return demo_pid


async def send(pilot: Pilot[int], app: SigtuiApp, name: str) -> None:
    await pilot.press("k")
    await wait_until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "picker")
    await pilot.press(*name.lower(), "enter")


async def test_signal_to_the_demo_is_logged_on_both_sides() -> None:
    app = make_app(Options(interval=0.3))
    me = os.getpid()
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        assert app.main.demo is not None
        members = app.main.demo.members
        assert len(members) == 2
        await send(pilot, app, "usr1")
        await wait_until(
            pilot, app, lambda: "received SIGUSR1" in log_text(app), "receipt"
        )
        text = log_text(app)
        assert f"sigtui ({me}) sent SIGUSR1 to demo ({demo_pid})" in text
        assert (
            f"demo ({demo_pid}) received SIGUSR1 from pid {me} (sigtui) uid "
            f"{os.getuid()} (SI_USER), caught" in text
        )
        assert "ms later" in text
        # No confirmation for the demo: nothing is waiting for an answer.
        assert not isinstance(app.screen, SignalPicker)
        demo = app.main.demo
        assert demo is not None
        await wait_until(pilot, app, lambda: demo.ticks >= 1, "a heartbeat")
        await pilot.press("q")
    await wait_until_gone([demo_pid, *members])


async def wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + DEADLINE
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still alive: {pids}"
        time.sleep(0.05)


async def test_the_panel_sets_default_and_sigterm_then_ends_the_demo() -> None:
    app = make_app(Options(interval=0.3))
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        await pilot.press("D")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, DispositionScreen), "panel"
        )
        screen = app.screen
        assert isinstance(screen, DispositionScreen)
        index = next(i for i, s in enumerate(screen.specs) if s.name == "SIGTERM")
        table = screen.query_one("#dispositions-table")
        table.move_cursor(row=index)  # type: ignore[attr-defined]
        await pilot.press("D")  # shifted: lowercase letters filter
        await wait_until(
            pilot, app, lambda: "SIGTERM is now default" in log_text(app), "ack"
        )
        await pilot.press("escape")
        await send(pilot, app, "term")
        await wait_until(
            pilot, app, lambda: "was killed by SIGTERM" in log_text(app), "kill"
        )
        assert not alive(demo_pid)
        await pilot.press("q")


async def test_a_burst_of_10000_realtime_signals_is_logged_in_full() -> None:
    app = make_app(Options(interval=1.0))
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        demo = app.main.demo
        assert demo is not None
        rtmin = int(signal.SIGRTMIN)
        done = threading.Event()

        def burst() -> None:
            fd = os.pidfd_open(demo_pid)
            try:
                for _ in range(10_000):
                    signal.pidfd_send_signal(fd, rtmin)
            finally:
                os.close(fd)
                done.set()

        sender = threading.Thread(target=burst)
        sender.start()
        # The UI keeps answering keys while the reports pour in.
        row = app.main.table.cursor_row
        await pilot.press("up")
        assert app.main.table.cursor_row == max(0, row - 1)
        await wait_until(pilot, app, done.is_set, "the burst sent")
        sender.join()
        await wait_until(pilot, app, lambda: demo.received >= 10_000, "10,000 reports")
        assert demo.received == 10_000
        # The on-screen log is a bounded ring buffer.
        assert len(app.query_one("#log", Log).lines) <= 1000
        await pilot.press("q")


def test_log_colours_signal_names_by_their_default_action() -> None:
    from rich.style import Style
    from rich.text import Text

    from sigtui.signals import Action
    from sigtui.ui.widgets.log_colors import SignalHighlighter, action_styles

    styles = action_styles(
        {"error": "#ff0000", "warning": "#ffaa00", "success": "#00ff00"}
    )
    assert set(styles) == {Action.TERMINATE, Action.CORE, Action.STOP, Action.CONTINUE}
    line = Text("sent SIGKILL, SIGSTOP, SIGCONT, SIGRTMIN+3 and SIGFOO to demo")
    SignalHighlighter(catalogue(), styles).highlight(line)
    coloured = {line.plain[span.start : span.end]: span.style for span in line.spans}
    assert coloured == {
        "SIGKILL": styles[Action.TERMINATE],
        "SIGSTOP": styles[Action.STOP],
        "SIGCONT": styles[Action.CONTINUE],
        "SIGRTMIN+3": styles[Action.TERMINATE],
    }
    assert isinstance(coloured["SIGKILL"], Style)
