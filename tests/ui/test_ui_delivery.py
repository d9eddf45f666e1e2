"""Sending from the UI (pilot): real signals to real processes the tests start."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.signals.sample import sample_signal_state
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screens.picker import SignalPicker
from tests.pilot import log_text, select, settle, wait_until
from tests.spawn import Child, Spawner, proc_state, sleeper, wait_for_state

SIZE = (130, 40)

TERM_IGNORER = """
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready()
park()
"""


def live_app(**options: Any) -> SigtuiApp:
    # A fast refresh so the table follows the processes the tests signal.
    return make_app(Options(interval=0.2, **options))


async def exit_code(pilot: Pilot[int], app: SigtuiApp, child: Child) -> int | None:
    # Never block the event loop: workers wait for it with call_from_thread.
    await wait_until(pilot, app, lambda: child.proc.poll() is not None, "exit")
    return child.proc.returncode


async def state_is(pilot: Pilot[int], app: SigtuiApp, pid: int, states: str) -> None:
    await wait_until(pilot, app, lambda: (proc_state(pid) or "?") in states, states)


@pytest.mark.slow
async def test_k_term_enter_ends_the_process(spawner: Spawner) -> None:
    child = sleeper(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, SignalPicker)
        await pilot.press(*"term", "enter")
        # TERM to one's own ordinary process needs no confirmation.
        await wait_until(
            pilot, app, lambda: f"process {child.pid} (python" in log_text(app), "log"
        )
        await wait_until(pilot, app, lambda: "exited" in log_text(app), "exited")
        assert await exit_code(pilot, app, child) == -15
        assert "SIGTERM delivered to process" in log_text(app)
        await wait_until(
            pilot,
            app,
            lambda: app.main.view.index_of_pid(child.pid) is None,
            "row gone from the table",
        )


async def test_z_stops_after_confirming_then_continues(spawner: Spawner) -> None:
    child = sleeper(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)  # SIGSTOP cannot be caught
        await pilot.press("y")
        await state_is(pilot, app, child.pid, "T")
        await wait_until(pilot, app, lambda: "stopped" in log_text(app), "stopped")
        await wait_until(
            pilot,
            app,
            lambda: (
                app.main.table.current is not None
                and app.main.table.current.info.state == "T"
            ),
            "table shows T",
        )
        await pilot.press("z")  # now SIGCONT: no confirmation needed
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmSend)
        await wait_until(pilot, app, lambda: "continued" in log_text(app), "continued")
        assert proc_state(child.pid) in ("S", "R")


async def test_confirmation_n_cancels_and_sends_nothing(spawner: Spawner) -> None:
    child = sleeper(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press(*"kill", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmSend)
        assert any("cannot be caught" in r for r in screen.reasons)
        assert [m.pid for m in screen.members] == [child.pid]
        await pilot.press("n")
        await pilot.pause()
        assert "cancelled" in log_text(app)
        assert proc_state(child.pid) == "S"


@pytest.mark.slow
async def test_group_send_reaches_every_member(spawner: Spawner) -> None:
    leader = spawner.python(
        """
        first = fork_member()
        second = fork_member()
        ready(members=[first, second])
        park()
        """
    )
    members = [int(pid) for pid in leader.info["members"]]
    outsider = sleeper(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, leader.pid)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press(*"stop", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmSend)
        assert {m.pid for m in screen.members} == {leader.pid, *members}
        await pilot.press("enter")
        for pid in (leader.pid, *members):
            await state_is(pilot, app, pid, "T")
        assert proc_state(outsider.pid) == "S"
        await wait_until(pilot, app, lambda: log_text(app).count("stopped") >= 3, "3")
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press(*"cont", "enter", "enter")
        for pid in (leader.pid, *members):
            await state_is(pilot, app, pid, "S")


@pytest.mark.slow
async def test_tagged_processes_are_signalled_one_by_one(spawner: Spawner) -> None:
    first, second, untouched = sleeper(spawner), sleeper(spawner), sleeper(spawner)
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for child in (first, second):
            await select(app, pilot, child.pid)
            await pilot.press("space", "escape")
        assert "2 tagged" in str(app.query_one("#status").render())
        await pilot.press("k")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, SignalPicker)
        assert {p.pid for p in picker.tagged} == {first.pid, second.pid}
        await pilot.press(*"term", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)  # several targets
        await pilot.press("y")
        assert await exit_code(pilot, app, first) == -15
        assert await exit_code(pilot, app, second) == -15
        assert proc_state(untouched.pid) == "S"


async def test_x_escalates_to_kill_for_a_term_ignoring_process(
    spawner: Spawner,
) -> None:
    child = spawner.python(TERM_IGNORER)
    wait_for_state(child.pid, "S")
    app = live_app(grace=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)
        await pilot.press("y")
        assert await exit_code(pilot, app, child) == -9
        await wait_until(
            pilot, app, lambda: "SIGKILL ended it" in log_text(app), "escalation log"
        )


async def test_x_can_be_cancelled(spawner: Spawner) -> None:
    child = spawner.python(TERM_IGNORER)
    wait_for_state(child.pid, "S")
    app = live_app(grace=600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("x", "y")
        await wait_until(
            pilot, app, lambda: app.main.query_one("#countdown").display, "countdown"
        )
        await pilot.press("escape")
        await wait_until(pilot, app, lambda: "Cancelled" in log_text(app), "cancel")
        assert proc_state(child.pid) == "S"


async def test_readonly_refuses_everything(spawner: Spawner) -> None:
    child = sleeper(spawner)
    app = live_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press(*"kill", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmSend)
        assert "--readonly" in log_text(app)
        assert proc_state(child.pid) == "S"


@pytest.mark.slow
async def test_kernel_threads_and_stop_to_own_group_are_refused() -> None:
    snapshot = sample_snapshot()
    dry = DrySyscalls(snapshot)
    app = make_app(
        Options(interval=3600),
        Deps(
            source=SampleSource(),
            self_pid=SAMPLE_SELF_PID,
            hostname="h",
            read_state=sample_signal_state,
            syscalls=dry,
            state_of=lambda info: info.state,
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("K", "slash", "2", "enter", "k")  # kthreadd (K: listed)
        await settle(app, pilot)
        await pilot.press(*"term", "enter")
        await pilot.pause()
        assert "kernel thread" in log_text(app)
        await pilot.press("escape", "slash", *"4200", "enter", "g")  # sigtui's group
        await settle(app, pilot)
        await pilot.press(*"stop", "enter")
        await pilot.pause()
        assert "freeze this terminal" in log_text(app)
        assert dry.sent == []


# --- the main screen keeps its own state under a dialog (issue 15's two bugs) ---


async def test_countdown_ending_under_a_dialog_leaves_no_bar(spawner: Spawner) -> None:
    """x's countdown ends while the help is open: the bar must go with it.

    It used to stay for good, showing "0.0 s": the end removed the class
    from whichever screen was on top (the help), not the main screen.
    """
    child = spawner.python(TERM_IGNORER)
    wait_for_state(child.pid, "S")
    app = live_app(grace=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, child.pid)
        main = app.screen
        await pilot.press("x", "y")
        await wait_until(
            pilot, app, lambda: main.query_one("#countdown").display, "countdown shown"
        )
        await pilot.press("question_mark")
        await wait_until(pilot, app, lambda: app.screen is not main, "help open")
        assert await exit_code(pilot, app, child) == -9
        await wait_until(
            pilot, app, lambda: "SIGKILL ended it" in log_text(app), "escalation log"
        )
        await pilot.press("escape")
        await wait_until(pilot, app, lambda: app.screen is main, "help closed")
        assert not main.query_one("#countdown").display


async def test_resizing_under_a_dialog_narrows_the_main_screen() -> None:
    """Resized below 120 columns while the help is open, the details go below.

    It used to keep the wide layout: the narrow class went to the help.
    """
    app = make_app(
        Options(interval=3600),
        Deps(source=SampleSource(), self_pid=SAMPLE_SELF_PID, hostname="h"),
    )
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(app, pilot)
        main = app.screen
        await pilot.press("i")
        await settle(app, pilot)
        details = app.query_one("#details")
        table = app.query_one("#processes")
        assert details.region.x > table.region.x  # beside the table
        await pilot.press("question_mark")
        await wait_until(pilot, app, lambda: app.screen is not main, "help open")
        await pilot.resize_terminal(90, 40)
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, app, lambda: app.screen is main, "help closed")
        await pilot.pause()
        assert main.has_class("-narrow")
        assert details.region.y > table.region.y  # below the table
        await pilot.press("question_mark")
        await wait_until(pilot, app, lambda: app.screen is not main, "help open")
        await pilot.resize_terminal(150, 40)
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, app, lambda: app.screen is main, "help closed")
        await pilot.pause()
        assert not main.has_class("-narrow")
        assert details.region.x > table.region.x
