"""The selected process is never swapped for another (pilot, issue 14 part 4).

When the process under the cursor exits, the cursor stays on its row (marked
exited) through any number of refreshes, re-sorts and filter changes; every
send from it is refused with "process N exited" and nothing is sent. Moving
the cursor away lets the row go at the next refresh.
"""

from __future__ import annotations

from typing import Any

import pytest

from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import (
    SAMPLE_SELF_PID,
    SampleSource,
    sample_snapshot,
    without,
)
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.picker import SignalPicker
from sigtui.ui.widgets.process_table import MARK_GONE
from tests.pilot import settle
from tests.ui.test_ui import SIZE, line_of, refresh, select, shown_pids

EXITS = 4152
"""The selected process that exits (a sleep in make's group)."""


def build(source: SampleSource, syscalls: DrySyscalls) -> SigtuiApp:
    # A one-hour interval: scans happen only when a test asks for one.
    return make_app(
        Options(interval=3600),
        Deps(
            syscalls=syscalls,
            source=source,
            self_pid=SAMPLE_SELF_PID,
            hostname="testhost",
        ),
    )


def record_toasts(app: SigtuiApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the app's toasts also land in a list (their messages)."""
    toasts: list[str] = []
    notify = app.notify

    def recording_notify(message: str, **kwargs: Any) -> None:
        toasts.append(message)
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", recording_notify)
    return toasts


def assert_on_exited_row(app: SigtuiApp) -> None:
    current = app.main.table.current
    assert current is not None, "no row under the cursor"
    assert (current.info.pid, current.gone) == (EXITS, True), current
    assert line_of(app, EXITS).startswith(MARK_GONE)


async def test_the_cursor_stays_on_an_exited_process_and_sends_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = SampleSource()
    syscalls = DrySyscalls(sample_snapshot())
    app = build(source, syscalls)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, EXITS)
        source.push(without(sample_snapshot(), EXITS))
        for _ in range(4):  # well beyond the one refresh other exited rows get
            await refresh(app, pilot)
            assert_on_exited_row(app)
        for key in ("k", "f9", "g", "x", "z"):
            toasts.clear()
            await pilot.press(key)
            await settle(app, pilot)
            assert len(app.screen_stack) == 1, f"{key} opened {app.screen}"
            assert toasts == [f"Not sent: process {EXITS} exited."], key
            assert_on_exited_row(app)
        assert syscalls.sent == []


async def test_re_sorting_and_filtering_keep_the_exited_selection() -> None:
    source = SampleSource()
    app = build(source, DrySyscalls(sample_snapshot()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, EXITS)
        source.push(without(sample_snapshot(), EXITS))
        await refresh(app, pilot)
        await refresh(app, pilot)
        await pilot.press("S", "s", "s")
        assert_on_exited_row(app)
        await refresh(app, pilot)
        assert_on_exited_row(app)
        await pilot.press("t")  # the tree
        await refresh(app, pilot)
        assert_on_exited_row(app)
        # A filter the exited row does not match: the cursor stays on it
        # rather than jumping to a match.
        await pilot.press("slash", *"postgres", "enter")
        assert_on_exited_row(app)
        await refresh(app, pilot)
        assert_on_exited_row(app)
        await pilot.press("escape")
        assert_on_exited_row(app)


async def test_moving_away_lets_the_exited_row_go_at_the_next_refresh() -> None:
    source = SampleSource()
    app = build(source, DrySyscalls(sample_snapshot()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, EXITS)
        source.push(without(sample_snapshot(), EXITS))
        await refresh(app, pilot)
        await refresh(app, pilot)
        await pilot.press("up")
        current = app.main.table.current
        assert current is not None
        neighbour = current.info.pid
        assert neighbour != EXITS
        # Not before the refresh: rows do not shift under the user's cursor.
        assert EXITS in shown_pids(app)
        await refresh(app, pilot)
        assert EXITS not in shown_pids(app)
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == neighbour


async def test_the_open_picker_refuses_once_its_process_exited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = SampleSource()
    syscalls = DrySyscalls(sample_snapshot())
    app = build(source, syscalls)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, EXITS)
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, SignalPicker)
        source.push(without(sample_snapshot(), EXITS))
        await refresh(app, pilot)
        await refresh(app, pilot)
        toasts.clear()
        await pilot.press("enter")  # SIGTERM, preselected
        await settle(app, pilot)
        assert f"Not sent: process {EXITS} exited." in toasts
        assert syscalls.sent == []
        assert_on_exited_row(app)


async def test_a_tagged_process_that_exits_leaves_the_set() -> None:
    source = SampleSource()
    app = build(source, DrySyscalls(sample_snapshot()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, EXITS)
        await pilot.press("space")  # tags it and moves down
        current = app.main.table.current
        assert current is not None
        assert current.info.pid != EXITS
        source.push(without(sample_snapshot(), EXITS))
        await refresh(app, pilot)
        assert app.main.view.tagged == set()
        await refresh(app, pilot)
        assert EXITS not in shown_pids(app)
