"""UI tests: the real app on sample data, driven with Textual's pilot."""

from __future__ import annotations

import gc
import io
import threading
import weakref
from dataclasses import replace

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from sigtui.delivery.dry import DrySyscalls
from sigtui.processes import ProcessSnapshot, ProcfsScanner
from sigtui.processes.layout import Layout
from sigtui.processes.sample import (
    SAMPLE_SELF_PID,
    SampleSource,
    sample_snapshot,
    with_cpu,
    without,
)
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.widgets.footer import KeyFooter
from sigtui.ui.widgets.process_table import MARK_GONE, MARK_GROUP, MARK_SELF
from tests.pilot import settle

SIZE = (110, 30)


def build(source: SampleSource | None = None, columns: str | None = None) -> SigtuiApp:
    # A one-hour interval: scans happen only when a test asks for one.
    # Dry system calls: the sample's made-up pids may be real ones here.
    return make_app(
        Options(columns=columns, interval=3600),
        Deps(
            syscalls=DrySyscalls(sample_snapshot()),
            source=source or SampleSource(),
            self_pid=SAMPLE_SELF_PID,
            hostname="testhost",
        ),
    )


async def refresh(app: SigtuiApp, pilot: Pilot[int]) -> None:
    app.main.request_scan()
    await settle(app, pilot)


def screen_lines(app: SigtuiApp) -> list[str]:
    table = app.main.table
    return [table.render_line(y).text for y in range(table.size.height)]


def shown_pids(app: SigtuiApp) -> list[int]:
    return [row.info.pid for row in app.main.view.rows]


def line_of(app: SigtuiApp, pid: int) -> str:
    for line in screen_lines(app)[1:]:
        fields = line[2:].split()
        if fields and fields[0] == str(pid):
            return line
    raise AssertionError(f"pid {pid} not on screen:\n" + "\n".join(screen_lines(app)))


async def select(app: SigtuiApp, pilot: Pilot[int], pid: int) -> None:
    while app.main.table.current is not None and app.main.table.current.info.pid != pid:
        before = app.main.table.cursor_row
        await pilot.press("down")
        assert app.main.table.cursor_row != before, f"pid {pid} not reachable"


async def test_first_screen_lists_processes_with_ps_headers() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lines = screen_lines(app)
        assert lines[0].split()[:8] == [
            *("PID", "▲", "PGID", "TT", "STAT", "%CPU", "RSS", "TIME"),
        ]
        processes = sample_snapshot().processes
        # Kernel threads are hidden at first (K shows them), and counted.
        assert shown_pids(app) == [p.pid for p in processes if not p.kernel_thread]
        assert "[worker] <defunct>" in line_of(app, 5001)
        status = str(app.query_one("#status").render())
        assert "testhost" in status
        assert "18 processes" in status
        assert "2 kernel threads hidden (K)" in status
        await pilot.press("K")
        assert shown_pids(app) == sorted(p.pid for p in processes)
        assert "[kthreadd]" in line_of(app, 2)


async def test_scans_run_in_a_worker_thread_one_at_a_time() -> None:
    started = threading.Event()
    release = threading.Event()
    threads: list[threading.Thread] = []

    class SlowSource(SampleSource):
        def scan(self) -> ProcessSnapshot:
            threads.append(threading.current_thread())
            started.set()
            assert release.wait(10), "test never released the scan"
            return super().scan()

    source = SlowSource()
    app = build(source)
    async with app.run_test(size=SIZE) as pilot:
        assert started.wait(10)
        # A second request while the first scan is still running must not start
        # another one.
        app.main.request_scan()
        app.main.request_scan()
        release.set()
        await settle(app, pilot)
        assert source.scans == 1
        assert threads
        assert threads[0] is not threading.main_thread()
        assert app.main.scans == 1


async def test_command_text_is_literal_never_markup_or_escape_codes() -> None:
    hostile = replace(
        sample_snapshot().by_pid[4100],
        cmdline=("printf", "\x1b[31mred\x1b[0m", "[bold]x[/bold]", "[/oops]"),
    )
    snapshot = ProcessSnapshot.of(
        [hostile if p.pid == 4100 else p for p in sample_snapshot().processes], 10.0
    )
    app = build(SampleSource(snapshot))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "sleep 1000 # [red]not markup[/x]" in line_of(app, 4152)
        line = line_of(app, 4100)
        assert "\x1b" not in line
        assert "\\x1b[31mred\\x1b[0m [bold]x[/bold] [/oops]" in line


async def test_filter_live_enter_keeps_escape_clears() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        assert app.focused is app.query_one("#filter")
        await pilot.press(*"make")
        assert shown_pids(app) == [4150]
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"alice")
        assert shown_pids(app) == [
            3010,
            3021,
            3022,
            4100,
            4150,
            4151,
            4152,
            4200,
            4242,
            4243,
            4244,
            5001,
        ]
        await pilot.press("enter")
        assert app.focused is app.main.table
        assert app.main.view.filter_text == "alice"
        assert "filter: alice" in str(app.query_one("#status").render())
        # The filter survives a refresh.
        await refresh(app, pilot)
        assert 1 not in shown_pids(app)
        # By pid too.
        await pilot.press("slash", "ctrl+u", *"980")
        assert set(shown_pids(app)) >= {980}
        await pilot.press("escape")
        assert app.main.view.filter_text == ""
        assert len(shown_pids(app)) == 16  # the two kernel threads stay hidden
        assert app.focused is app.main.table


async def test_sort_by_key_and_by_clicking_the_header() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # pid, pgid, tty, stat, %cpu, rss -> time
        await pilot.press(*"ssssss")
        assert app.main.view.columns[app.main.view.sort_index].name == "time"
        cpu = [row.info.cpu_time for row in app.main.view.rows]
        assert cpu == sorted(cpu)
        await pilot.press("S")
        cpu = [row.info.cpu_time for row in app.main.view.rows]
        assert cpu == sorted(cpu, reverse=True)
        assert shown_pids(app)[0] == 4151
        # Click the PGID header (the second column; the gutter is 2 cells wide).
        widths = app.main.view.column_widths(app.main.table.size.width - 2)
        await pilot.click("#processes", offset=(2 + widths[0] + 2, 0))
        assert app.main.view.columns[app.main.view.sort_index].name == "pgid"
        assert not app.main.view.reverse
        pgids = [row.info.pgid for row in app.main.view.rows]
        assert pgids == sorted(pgids)
        await pilot.click("#processes", offset=(2 + widths[0] + 2, 0))
        assert app.main.view.reverse
        assert "sorted by PGID ▼" in str(app.query_one("#status").render())


async def test_tree_puts_children_under_parents() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        pids = shown_pids(app)
        assert pids.index(4150) < pids.index(4151) < pids.index(4152)
        assert pids.index(980) + 1 == pids.index(981)
        assert "\\_ cc1 -O2 main.c" in line_of(app, 4151)
        # make is not bash's last child (sigtui follows it), so ps draws a line
        # down past it: " |  " before the compiler's own branch.
        assert "    |   \\_ cc1 -O2 main.c" in line_of(app, 4151)
        await pilot.press("f5")
        assert not app.main.view.tree
        assert shown_pids(app) == sorted(shown_pids(app))


async def test_selection_follows_the_process_when_rows_above_vanish() -> None:
    source = SampleSource()
    app = build(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4151)
        row_before = app.main.table.cursor_row
        source.push(without(sample_snapshot(), 2, 3, 412, 980))
        await refresh(app, pilot)
        # The vanished rows stay one refresh, marked gone; the cursor stays put.
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == 4151
        assert line_of(app, 980).startswith(MARK_GONE)
        await refresh(app, pilot)
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == 4151
        # Two of the four vanished rows were above it (the kernel threads
        # were hidden all along).
        assert app.main.table.cursor_row == row_before - 2
        assert 980 not in shown_pids(app)
        # ...and across sorting and filtering.
        await pilot.press("S", "s")
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == 4151
        await pilot.press("slash", *"cc1", "enter")
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == 4151


async def test_a_process_that_exits_stays_one_refresh_marked_gone() -> None:
    # Not the selected one: that stays while selected (tests/ui/test_ui_selection.py).
    source = SampleSource()
    app = build(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4151)
        source.push(without(sample_snapshot(), 4152))
        await refresh(app, pilot)
        assert line_of(app, 4152).startswith(MARK_GONE)
        await refresh(app, pilot)
        assert 4152 not in shown_pids(app)
        current = app.main.table.current
        assert current is not None
        assert current.info.pid == 4151


async def test_reused_pid_is_a_new_process() -> None:
    source = SampleSource()
    app = build(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        old = sample_snapshot()
        reborn = replace(old.by_pid[4152], start_time=9999.0, cmdline=("new", "one"))
        source.push(
            ProcessSnapshot.of(
                [reborn if p.pid == 4152 else p for p in old.processes], old.uptime + 1
            )
        )
        await refresh(app, pilot)
        rows = [r for r in app.main.view.rows if r.info.pid == 4152]
        assert sorted((r.gone, r.info.start_time) for r in rows) == [
            (False, 9999.0),
            (True, 4152.0),
        ]


async def test_group_and_self_are_marked() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4151)
        assert line_of(app, 4150).startswith(MARK_GROUP)
        assert line_of(app, 4152).startswith(MARK_GROUP)
        assert line_of(app, 4200).startswith(MARK_SELF)
        assert not line_of(app, 4100).startswith(MARK_GROUP)
        assert "Rl+" in line_of(app, 4200)


async def test_changed_cells_are_redrawn_after_a_refresh() -> None:
    source = SampleSource()
    app = build(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "00:01:05" in line_of(app, 4151)
        source.push(with_cpu(sample_snapshot(), 4151, 3725.0))
        await refresh(app, pilot)
        assert "01:02:05" in line_of(app, 4151)


@pytest.mark.parametrize("key", ["p", "Z"])  # Z: htop's pause key
async def test_pause_stops_and_restarts_refreshing(key: str) -> None:
    source = SampleSource()
    app = make_app(
        Options(interval=0.1),
        Deps(source=source, self_pid=SAMPLE_SELF_PID, hostname="h"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        assert app.main.paused
        assert "paused" in str(app.query_one("#status").render())
        await settle(app, pilot)
        scans = source.scans
        # No timer is left running while paused: refreshing only resumes on `p`.
        assert app.main._timer is None
        await pilot.press(key)
        await settle(app, pilot)
        assert not app.main.paused
        assert source.scans > scans


async def test_help_lists_every_key_and_closes() -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        text = console.export_text()
        for key in ("/ f4", "t f5", "p", "? f1", "q f10"):
            assert key in text
        # The signal table: every signal of the platform, with its action.
        assert "SIGKILL" in text
        assert "SIGRTMAX" in text
        assert "Core dump" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("key", ["q", "f10"])
async def test_quit(key: str) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0


async def test_other_columns_with_o() -> None:
    app = build(columns="pid,user,etime,comm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert screen_lines(app)[0].split()[:5] == [
            "PID",
            "▲",
            "USER",
            "ELAPSED",
            "COMMAND",
        ]
        assert "postgres" in line_of(app, 980)


async def test_leaving_closes_the_scanners_kept_files() -> None:
    scanner = ProcfsScanner()
    app = make_app(Options(interval=3600), Deps(source=scanner, hostname="box"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert app.main.scans >= 1
        assert scanner.open_files > 0
    assert scanner.open_files == 0


async def test_partial_repaints_leave_the_same_screen_as_a_full_one() -> None:
    # After a scan only changed lines are repainted, after a cursor move only
    # two lines (or all, when the group marks move): each step must leave
    # exactly what a repaint of the whole table shows.
    base = sample_snapshot()
    source = SampleSource(base)
    app = build(source)

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        first = base.processes[3]
        steps = [
            replace(
                base,
                processes=tuple(
                    replace(p, cpu_time=p.cpu_time + 7) if p.pid == first.pid else p
                    for p in base.processes
                ),
            ),
            replace(base, processes=base.processes[:5] + base.processes[6:]),
            base,
        ]
        for step in steps:
            for key in ("down", "down", "down", "up"):
                await pilot.press(key)
                visible = await visible_lines(app, pilot)
                assert visible == await full_repaint(app, pilot), key
            source.push(step)
            await refresh(app, pilot)
            visible = await visible_lines(app, pilot)
            assert visible == await full_repaint(app, pilot)


async def visible_lines(app: SigtuiApp, pilot: Pilot[int]) -> list[str]:
    """The table's lines as the screen shows them now (the compositor's copy)."""
    await pilot.pause()
    table = app.main.table
    region = table.content_region
    strips = app.screen._compositor.render_strips()
    return [
        strips[y].crop(region.x, region.right).text
        for y in range(region.y, region.bottom)
    ]


async def full_repaint(app: SigtuiApp, pilot: Pilot[int]) -> list[str]:
    app.main.table.refresh()
    return await visible_lines(app, pilot)


@pytest.mark.slow
async def test_dialogs_and_focus_changes_mount_nothing_in_the_footer() -> None:
    # Textual 8.2.8's Footer mounted a widget per key on every change of
    # bindings, and kept every key it ever showed (about 24 per dialog):
    # 7 MiB a minute in the soak test. The footer draws its keys itself.
    from textual.widget import Widget

    app = build()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        footer = app.main.query_one(KeyFooter)
        seen = set()
        for key in ("k", "escape", "slash", "escape") * 5:
            await pilot.press(key)
            await settle(app, pilot)
            seen.add(footer.keys)
        gc.collect()
        widgets = sum(isinstance(o, Widget) for o in gc.get_objects())
        for key in ("k", "escape", "slash", "escape") * 5:
            await pilot.press(key)
            await settle(app, pilot)
        gc.collect()
        assert sum(isinstance(o, Widget) for o in gc.get_objects()) <= widgets
    assert not footer.children
    # The filter box and the table have different keys: the footer followed.
    assert len(seen) >= 2
    assert all(any(k.description == "Quit" for k in keys) for keys in seen)


async def test_a_refresh_lets_go_of_the_layout_it_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A finished scan worker is part of a reference cycle and lives until the
    # garbage collector's full pass; a layout it still held lived as long,
    # with a whole snapshot (2 MiB a refresh at 10,000 processes).
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        made: list[weakref.ref[Layout]] = []
        prepare = app.main.view.prepare

        def recording(snapshot: ProcessSnapshot) -> Layout:
            layout = prepare(snapshot)
            made.append(weakref.ref(layout))
            return layout

        monkeypatch.setattr(app.main.view, "prepare", recording)
        gc.collect()
        gc.disable()  # only reference counts may free it
        try:
            for _ in range(3):
                await refresh(app, pilot)
            assert len(made) == 3
            assert made[0]() is None
        finally:
            gc.enable()
