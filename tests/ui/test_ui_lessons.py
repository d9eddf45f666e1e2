"""Guided lessons in the app (pilot smoke tests): picker, steps, leaving ends all.

Step checks, wording and counting are LessonSession's, tested in
tests/test_lessons.py and tests/test_lesson_session.py without a UI.
"""

from __future__ import annotations

import os
import time

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from sigtui.lessons import LESSONS, find_lesson
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Options
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screens.lessons import LessonPicker
from sigtui.ui.screens.picker import SignalPicker
from sigtui.ui.widgets.process_table import MARK_DEMO
from tests.pilot import DEADLINE, log_text, wait_until
from tests.spawn import alive

SIZE = (150, 44)


def panel_text(app: SigtuiApp) -> str:
    return str(app.query_one("#lesson-steps", Static).content)


async def wait_gone(pilot: Pilot[int], app: SigtuiApp, pids: list[int]) -> None:
    await wait_until(
        pilot, app, lambda: not any(alive(p) for p in pids), f"{pids} to end"
    )


async def started(pilot: Pilot[int], app: SigtuiApp, name: str) -> list[int]:
    await wait_until(
        pilot,
        app,
        lambda: (
            app.main.lesson_session is not None
            and app.main.lesson_session.lesson.name == name
        ),
        f"lesson {name} to start",
    )
    assert app.main.lesson_session is not None
    return sorted(app.main.lesson_session.processes)


async def find(pilot: Pilot[int], app: SigtuiApp, text: str, pid: int) -> None:
    """As a class would: filter by name, back to the table, cursor on the row."""
    await pilot.press("slash", *text, "enter")
    await wait_until(
        pilot, app, lambda: app.main.view.index_of_pid(pid) is not None, f"{pid} listed"
    )
    # Bounded, and both ways: other matches may come and go above or below.
    for _ in range(200):
        current = app.main.table.current
        if current is not None and current.info.pid == pid:
            return
        target = app.main.view.index_of_pid(pid)
        at = app.main.table.cursor_row
        await pilot.press("up" if target is not None and target < at else "down")
    raise AssertionError(f"the cursor never reached pid {pid}")


async def send(pilot: Pilot[int], app: SigtuiApp, key: str, name: str) -> None:
    await pilot.press(key)
    await wait_until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "picker")
    await pilot.press(*name, "enter")


async def test_first_kill_from_the_command_line_option_to_done() -> None:
    app = make_app(Options(interval=0.2, lesson=find_lesson("first-kill")))
    async with app.run_test(size=SIZE) as pilot:
        (ticker,) = await started(pilot, app, "first-kill")
        assert app.screen.has_class("-lesson")
        assert "Lesson 1 of 11: First kill" in panel_text(app)
        assert "▶ 1." in panel_text(app)
        # The panel names the processes: a narrow table cuts their commands.
        assert f"{MARK_DEMO} ticker {ticker}\n" in panel_text(app)
        status = app.query_one("#status", Static)
        assert "lesson 1: step 1 of 2" in str(status.content)
        # Finding the ticker is the first step: the cursor is left alone.
        await wait_until(
            pilot, app, lambda: app.main.view.index_of_pid(ticker) is not None, "listed"
        )
        assert app.main.table.current is not None
        assert app.main.table.current.info.pid != ticker
        await find(pilot, app, "ticker", ticker)
        await wait_until(pilot, app, lambda: "✓ 1." in panel_text(app), "step 1")
        y = app.main.table.cursor_row + 1 - round(app.main.table.scroll_y)
        line = app.main.table.render_line(y).text
        assert line.startswith(MARK_DEMO), line
        # SIGKILL to the lesson's own process asks no confirmation.
        await send(pilot, app, "k", "kill")
        await wait_until(pilot, app, lambda: "✓ 2." in panel_text(app), "step 2")
        assert "Lesson complete" in panel_text(app)
        assert "lesson 1: all 2 steps done" in str(status.content)
        assert "killed by SIGKILL" in log_text(app)
        assert not alive(ticker)
        await pilot.press("q")


async def test_the_cursor_starts_on_the_lessons_process() -> None:
    """Nobody scrolls to find the lesson's processes (lesson 5: beside sh).

    Which process that is, per lesson, is tested on LessonSession; here, that
    the app puts the cursor there even when it is known only a moment late.
    """
    name, role = "groups", "sleep"
    app = make_app(Options(interval=0.2, lesson=find_lesson(name)))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app, name)
        run = app.main.lesson_session
        assert run is not None

        def on_role() -> bool:
            row = app.main.table.current
            return row is not None and run.processes.get(row.info.pid) == role

        await wait_until(pilot, app, on_role, f"the cursor on {role}")
        # Lesson 5's first step is to select sh: being next to it is not done.
        assert run.current == 0
        await pilot.press("q")


async def test_picker_starts_switches_and_leaves_lessons() -> None:
    app = make_app(Options(interval=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, LessonPicker), "the picker"
        )
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(LESSONS)
        await pilot.press("down", "down", "enter")  # lesson 3
        first = await started(pilot, app, "hangup")
        assert len(first) == 2
        # Another lesson ends the first one's processes.
        await pilot.press("L")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, LessonPicker), "the picker"
        )
        # With a lesson running the first option is to leave it; the
        # highlight starts on the next lesson (4).
        await pilot.press("enter")
        await started(pilot, app, "uncatchable")
        await wait_gone(pilot, app, first)
        assert "lesson 3, Hangup and nohup: left" in log_text(app)
        second = (
            sorted(app.main.lesson_session.processes) if app.main.lesson_session else []
        )
        await pilot.press("L")
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, LessonPicker), "the picker"
        )
        await pilot.press("home", "enter")  # leave
        await wait_until(pilot, app, lambda: app.main.lesson_session is None, "leaving")
        await wait_gone(pilot, app, second)
        assert not app.screen.has_class("-lesson")
        await pilot.press("q")


@pytest.mark.slow
async def test_a_group_send_with_confirmation_finishes_the_groups_lesson() -> None:
    app = make_app(Options(interval=0.2, lesson=find_lesson("groups")))
    async with app.run_test(size=SIZE) as pilot:
        pids = await started(pilot, app, "groups")
        run = app.main.lesson_session
        assert run is not None
        sh = next(pid for pid, role in run.processes.items() if role == "sh")
        await wait_until(pilot, app, lambda: len(run.processes) == 3, "the sleeps")
        pids = sorted(run.processes)
        await find(pilot, app, "groups.sh", sh)
        await wait_until(pilot, app, lambda: run.current == 1, "step 1")
        await send(pilot, app, "g", "term")
        # A group send always asks, even to a lesson's group.
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, ConfirmSend), "confirmation"
        )
        await pilot.press("y")
        await wait_until(pilot, app, lambda: run.finished, "the lesson to finish")
        await wait_gone(pilot, app, pids)
        await pilot.press("q")


async def test_quitting_ends_the_lessons_processes() -> None:
    app = make_app(Options(interval=0.2, lesson=find_lesson("ping-pong")))
    async with app.run_test(size=SIZE) as pilot:
        pids = await started(pilot, app, "ping-pong")
        assert len(pids) == 2
        assert all(alive(p) for p in pids)
        await pilot.press("q")
    deadline = time.monotonic() + DEADLINE
    while any(alive(p) for p in pids):
        assert time.monotonic() < deadline, f"still alive: {pids}"
        time.sleep(0.05)
    assert os.getpgrp() not in pids


@pytest.mark.skipif(os.geteuid() != 0, reason="tracing needs root (CI runs as root)")
async def test_a_lesson_that_needs_tracing_waits_for_it_from_the_command_line() -> None:
    # The lesson starts before the trace's reader is up: it must wait for it,
    # then take its steps from the trace (its programs report nothing).
    app = make_app(
        Options(interval=0.2, trace=True, lesson=find_lesson("plain-program"))
    )
    async with app.run_test(size=SIZE) as pilot:
        pids = await started(pilot, app, "plain-program")
        assert app.main.trace_state.on
        assert "Lesson 11 of 11" in panel_text(app)
        session = app.main.lesson_session
        assert session is not None
        assert session.tracing
        sort = next(p for p in pids if session.processes[p] == "sort")
        await find(pilot, app, "sort", sort)
        await send(pilot, app, "k", "hup")
        await wait_until(pilot, app, lambda: "✓ 1." in panel_text(app), "step 1")


async def test_a_lesson_that_needs_tracing_says_why_it_does_not_start() -> None:
    app = make_app(
        Options(interval=0.2, trace=False, lesson=find_lesson("plain-program"))
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot,
            app,
            lambda: "needs the kernel's signal trace" in log_text(app),
            "the sentence",
        )
        assert app.main.lesson_session is None
