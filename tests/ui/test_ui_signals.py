"""UI tests of the signal picker and the details panel (pilot)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.signals import catalogue
from sigtui.signals.sample import sample_signal_state
from sigtui.ui.app import SigtuiApp, make_app
from sigtui.ui.options import Deps, Options
from sigtui.ui.screens.picker import PickedSignal, SignalPicker
from tests.pilot import select as select_live
from tests.pilot import settle
from tests.spawn import Spawner

SIZE = (130, 40)
FIXED_NOW = 1_790_000_000.0

HUP_IGNORER = """
import signal
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
signal.signal(signal.SIGTERM, lambda *_: None)
ready()
park()
"""


def sample_app() -> SigtuiApp:
    # Dry system calls: the sample's made-up pids may be real ones here.
    return make_app(
        Options(interval=3600),
        Deps(
            syscalls=DrySyscalls(sample_snapshot()),
            state_of=lambda info: info.state,
            source=SampleSource(),
            self_pid=SAMPLE_SELF_PID,
            hostname="testhost",
            read_state=sample_signal_state,
            clock=lambda: FIXED_NOW,
        ),
    )


async def select(app: SigtuiApp, pilot: Pilot[int], pid: int) -> None:
    await pilot.press("slash", *str(pid), "enter")
    current = app.main.table.current
    assert current is not None
    assert current.info.pid == pid


def picker_of(app: SigtuiApp) -> SignalPicker:
    screen = app.screen
    assert isinstance(screen, SignalPicker), type(screen)
    return screen


def row_texts(picker: SignalPicker) -> dict[str, list[str]]:
    table: DataTable[object] = picker.query_one("#picker-table", DataTable)
    rows = {}
    for index in range(table.row_count):
        cells = [str(cell) for cell in table.get_row_at(index)]
        rows[cells[1].split()[0]] = cells
    return rows


def static_text(widget: Static) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    content = widget.content
    # A str given to a markup=False Static is plain text: print it as such.
    console.print(Text(content) if isinstance(content, str) else content)
    # One space between words, so assertions do not depend on column widths.
    return " ".join(console.export_text().split())


async def test_picker_opens_on_the_selected_process_with_sigterm_chosen() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4152)
        await pilot.press("k")
        await settle(app, pilot)
        picker = picker_of(app)
        assert picker.target.pid == 4152
        assert not picker.group
        assert picker.current is not None
        assert picker.current.name == "SIGTERM"
        title = static_text(picker.query_one("#picker-title", Static))
        assert "process 4152" in title
        assert "[red]not markup[/x]" in title
        rows = row_texts(picker)
        assert len(rows) == len(catalogue())
        assert rows["SIGHUP"][3] == "ignored"
        assert rows["SIGUSR1"][3] == "blocked: merges with pending"
        assert rows["SIGKILL"][3] == "terminates (cannot be caught)"
        assert rows["SIGTERM"][2] == "Terminate"


@pytest.mark.slow
async def test_filter_by_number_and_by_name() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        picker = picker_of(app)
        await pilot.press("9")
        assert [s.name for s in picker.shown] == ["SIGKILL"]
        await pilot.press("backspace", *"usr")
        assert [s.name for s in picker.shown] == ["SIGUSR1", "SIGUSR2"]
        await pilot.press("backspace", "backspace", "backspace", *"iot")
        assert [s.name for s in picker.shown] == ["SIGABRT"]
        await pilot.press(*["backspace"] * 3, *"rtmin+3")
        assert [s.name for s in picker.shown] == ["SIGRTMIN+3"]
        await pilot.press(*["backspace"] * 7, *"nosuch")
        assert picker.shown == []
        assert "No signal matches" in static_text(
            picker.query_one("#picker-explain", Static)
        )


@pytest.mark.slow
async def test_enter_returns_the_choice_and_escape_cancels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = sample_app()
    chosen: list[PickedSignal | None] = []
    monkeypatch.setattr(app.main, "_signal_picked", chosen.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4151)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press(*"usr", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SignalPicker)
        assert len(chosen) == 1
        picked = chosen[0]
        assert picked is not None
        assert picked.signal.name == "SIGUSR2"
        assert picked.target.pid == 4151
        assert not picked.group
    app = sample_app()
    cancelled: list[PickedSignal | None] = []
    monkeypatch.setattr(app.main, "_signal_picked", cancelled.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SignalPicker)
        assert cancelled == [None]


async def test_group_mode_and_tab_switches_target() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4151)
        await pilot.press("g")
        await settle(app, pilot)
        picker = picker_of(app)
        assert picker.group
        assert {m.pid for m in picker.members} == {4150, 4151, 4152}
        assert "process group 4150 (3 processes)" in static_text(
            picker.query_one("#picker-title", Static)
        )
        rows = row_texts(picker)
        # make catches TERM; cc1 and sleep do not.
        assert rows["SIGTERM"][3] == "2 terminates, 1 caught"
        assert rows["SIGQUIT"][3] == "all 3: terminates, dumps core"
        await pilot.press("tab")
        assert not picker.group
        assert row_texts(picker)["SIGTERM"][3] == "terminates"
        assert "process 4151" in static_text(picker.query_one("#picker-title", Static))


async def test_kernel_thread_has_no_group_and_is_not_signalable() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("K")  # kernel threads are hidden until K
        await select(app, pilot, 2)
        await pilot.press("g")
        await settle(app, pilot)
        picker = picker_of(app)
        assert not picker.group  # pgid 0 is not a group one may signal
        assert row_texts(picker)["SIGKILL"][3] == "not signalable (kernel thread)"


async def test_details_panel_shows_the_process_and_its_masks() -> None:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select(app, pilot, 4152)
        await pilot.press("i")
        await settle(app, pilot)
        assert app.main.details_shown
        body = static_text(app.query_one("#details-body", Static))
        for expected in (
            "4152",
            "SN (sleeping)",
            "4150 (3 members)",
            "pts/0, background",
            "4200 (the terminal's foreground group)",
            "alice (uid 1000)",
            "sleep 1000 # [red]not markup[/x]",
            "Pending USR1",
            "Blocked USR1",
            "Ignored HUP",
            "1 of 96365",
        ):
            assert expected in body, (expected, body)
        # It follows the cursor (clearing the filter keeps the cursor on 4152).
        await pilot.press("escape", "down")
        await settle(app, pilot)
        body = static_text(app.query_one("#details-body", Static))
        assert "4200" in body
        assert "pts/0, foreground" in body
        await pilot.press("i")
        assert not app.main.details_shown


async def test_details_go_below_the_table_on_narrow_terminals() -> None:
    app = sample_app()
    async with app.run_test(size=(90, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        details = app.query_one("#details")
        table = app.main.table
        assert details.region.y > table.region.y
        await pilot.resize_terminal(150, 40)
        await pilot.pause()
        assert details.region.x > table.region.x


async def test_real_process_that_ignores_hup(spawner: Spawner) -> None:
    child = spawner.python(HUP_IGNORER)
    app = make_app(Options(interval=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_live(app, pilot, child.pid)
        await pilot.press("i")
        await settle(app, pilot)
        body = static_text(app.query_one("#details-body", Static))
        assert "Ignored HUP PIPE XFSZ" in body
        assert "Blocked USR2" in body
        assert "Caught INT TERM" in body
        await pilot.press("k")
        await settle(app, pilot)
        rows = row_texts(picker_of(app))
        assert rows["SIGHUP"][3] == "ignored"
        assert rows["SIGUSR2"][3] == "blocked: stays pending"
        assert rows["SIGTERM"][3] == "caught by its handler"
        assert rows["SIGUSR1"][3] == "terminates"
