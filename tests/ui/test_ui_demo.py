"""The demo child in the TUI (pilot): start, signal, log pairing, dispositions, quit."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from textual.pilot import Pilot
from textual.widgets import Log

from sigtui.demo.narrate import Narrator
from sigtui.signals import SignalSpec, catalogue
from sigtui.ui.app import SigtuiApp, make_app
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
    assert app.demo is not None
    demo_pid = app.demo.pid
    await wait_until(
        pilot,
        app,
        lambda: (
            app.table.current is not None and app.table.current.info.pid == demo_pid
        ),
        "cursor on the demo",
    )
    return demo_pid


async def send(pilot: Pilot[int], app: SigtuiApp, name: str) -> None:
    await pilot.press("k")
    await wait_until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "picker")
    await pilot.press(*name.lower(), "enter")


async def test_signal_to_the_demo_is_logged_on_both_sides() -> None:
    app = make_app(interval=0.3)
    me = os.getpid()
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        assert app.demo is not None
        members = app.demo.members
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
        await wait_until(pilot, app, lambda: app.demo_tick >= 1, "a heartbeat")
        await pilot.press("q")
    await wait_until_gone([demo_pid, *members])


async def wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + DEADLINE
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still alive: {pids}"
        time.sleep(0.05)


@pytest.mark.slow
async def test_stop_continue_and_default_term_are_reported() -> None:
    app = make_app(interval=0.3)
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        await send(pilot, app, "stop")
        await wait_until(
            pilot, app, lambda: "was stopped by SIGSTOP" in log_text(app), "stop"
        )
        await send(pilot, app, "cont")
        await wait_until(pilot, app, lambda: "was continued" in log_text(app), "cont")
        await wait_until(
            pilot, app, lambda: "received SIGCONT" in log_text(app), "logged"
        )
        await pilot.press("D")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, DispositionScreen), "panel"
        )
        screen = app.screen
        assert isinstance(screen, DispositionScreen)
        index = next(i for i, s in enumerate(screen.specs) if s.name == "SIGTERM")
        table = screen.query_one("#dispositions-table")
        table.move_cursor(row=index)  # type: ignore[attr-defined]
        await pilot.press("d")
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


@pytest.mark.slow
async def test_held_usr1_merges_and_rtmin_queues() -> None:
    app = make_app(interval=0.5)
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
        assert app.demo is not None
        for name in ("SIGUSR1", "SIGRTMIN"):
            app.set_demo_disposition(app_signal(name), "hold")
        await wait_until(
            pilot, app, lambda: log_text(app).count("is now hold") == 2, "holds"
        )
        for _ in range(5):
            for name in ("usr1", "rtmin"):
                await send(pilot, app, name)
                await wait_until(
                    pilot, app, lambda: not isinstance(app.screen, SignalPicker), "sent"
                )
        await wait_until(
            pilot, app, lambda: log_text(app).count("sent SIGRTMIN to demo") == 5, "10"
        )
        await wait_until(
            pilot, app, lambda: log_text(app).count("sent SIGUSR1 to demo") == 5, "5"
        )
        for name in ("SIGUSR1", "SIGRTMIN"):
            app.set_demo_disposition(app_signal(name), "catch")
        await wait_until(
            pilot,
            app,
            lambda: log_text(app).count(f"demo ({demo_pid}) received SIGRTMIN ") == 5,
            "5 SIGRTMIN",
        )
        await wait_until(
            pilot,
            app,
            lambda: "merged them into this one delivery" in log_text(app),
            "merge",
        )
        assert log_text(app).count(f"demo ({demo_pid}) received SIGUSR1 ") == 1
        await pilot.press("q")


def app_signal(name: str) -> SignalSpec:
    return catalogue().by_name(name)


def test_narrator_pairs_and_explains() -> None:
    narrator = Narrator(self_pid=100, demo_pid=200)
    assert (
        narrator.sent(10, "SIGUSR1", 1_000_000)
        == "sigtui (100) sent SIGUSR1 to demo (200)"
    )
    lines = narrator.received(
        {
            "signo": 10,
            "name": "SIGUSR1",
            "si_pid": 100,
            "si_uid": 0,
            "code": "SI_USER",
            "t_mono_ns": 1_300_000,
            "disposition": "catch",
        }
    )
    assert lines == [
        "demo (200) received SIGUSR1 from pid 100 (sigtui) uid 0 (SI_USER), caught, "
        "0.3 ms later"
    ]
    other = narrator.received(
        {
            "signo": 1,
            "name": "SIGHUP",
            "si_pid": 55,
            "si_uid": 1000,
            "code": "SI_USER",
            "sender_cmd": "bash\x1b[31m",
            "disposition": "catch",
        }
    )
    assert other == [
        "demo (200) received SIGHUP from pid 55 (bash\\x1b[31m) uid 1000 "
        "(SI_USER), caught"
    ]
    assert narrator.parent_event({"event": "killed", "signal": "SIGKILL"}) == (
        "demo (200) was killed by SIGKILL"
    )
    assert narrator.parent_event({"event": "exited", "status": 0}) == (
        "demo (200) exited with status 0"
    )


@pytest.mark.slow
async def test_a_burst_of_10000_realtime_signals_is_logged_in_full() -> None:
    app = make_app(interval=1.0)
    async with app.run_test(size=SIZE) as pilot:
        demo_pid = await start_demo(pilot, app)
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
        row = app.table.cursor_row
        await pilot.press("up")
        assert app.table.cursor_row == max(0, row - 1)
        await wait_until(pilot, app, done.is_set, "the burst sent")
        sender.join()
        await wait_until(
            pilot, app, lambda: app.demo_received >= 10_000, "10,000 reports"
        )
        assert app.demo_received == 10_000
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
