"""The sigtui application: the main screen with the live process table.

Build it with :func:`make_app`; the command line, the tests and the screenshot
script all do, so they see the same app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from sigtui.processes import (
    DEFAULT_COLUMNS,
    Column,
    ProcessInfo,
    ProcessSnapshot,
    ProcessSource,
    default_scanner,
    parse_columns,
)
from sigtui.processes.view import ProcessView
from sigtui.signals import SignalState, catalogue
from sigtui.signals.reader import read_state_of
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.screens.picker import PickedSignal, SignalPicker, StateReader
from sigtui.ui.widgets.details import ProcessDetails
from sigtui.ui.widgets.process_table import ProcessTable

SCAN_GROUP = "scan"
"""Worker group of the background scans."""

NARROW = 120
"""Below this many columns the details panel goes under the table, not beside it."""


class SigtuiApp(App[int]):
    """Lists processes live, like ``ps``, with their process groups made visible.

    Args:
        source: Where processes come from (the live system by default).
        columns: The columns to show.
        interval: Seconds between the end of one scan and the start of the next.
        handle_signals: Exit cleanly on SIGTERM and SIGHUP (the command line
            sets this; tests leave the test runner's handlers alone).
        self_pid: The pid to mark as sigtui itself.
        hostname: The host name shown in the status line.
        read_state: Reads a process's signal masks (from /proc by default).
        clock: The current time, for start times in the details panel.
    """

    CSS_PATH = "sigtui.tcss"
    TITLE = "sigtui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "pick_signal", "Signal", tooltip="Pick a signal for the process"),
        Binding("g", "pick_group_signal", "Group", tooltip="Signal its group"),
        Binding("i", "toggle_details", "Details", tooltip="Show the process's details"),
        Binding(
            "slash,f4", "filter", "Filter", tooltip="Filter by pid, user or command"
        ),
        Binding("t,f5", "toggle_tree", "Tree", tooltip="Show children under parents"),
        Binding("s", "sort_next", "Sort", tooltip="Sort by the next column"),
        Binding("S", "sort_reverse", "Reverse", tooltip="Reverse the sort order"),
        Binding("p", "toggle_pause", "Pause", tooltip="Stop or restart refreshing"),
        Binding("question_mark,f1", "help", "Help", tooltip="Keys and marks"),
        Binding("q,f10", "quit", "Quit", tooltip="Leave sigtui"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    """Keys of the main screen; the table adds cursor movement."""

    def __init__(
        self,
        source: ProcessSource,
        columns: Sequence[Column],
        *,
        interval: float = 1.0,
        handle_signals: bool = False,
        self_pid: int | None = None,
        hostname: str | None = None,
        read_state: StateReader = read_state_of,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.read_state = read_state
        self.clock = clock
        self.source = source
        self.interval = interval
        self.paused = False
        self.handle_signals = handle_signals
        self.hostname = hostname if hostname is not None else socket.gethostname()
        self.view = ProcessView(columns)
        self.self_pid = os.getpid() if self_pid is None else self_pid
        self.snapshot: ProcessSnapshot | None = None
        self.scans = 0
        self._timer: Timer | None = None
        self._scan_worker: Worker[ProcessSnapshot] | None = None

    def compose(self) -> ComposeResult:
        """Lay out the status line, the table, the filter box and the footer."""
        yield Static("scanning processes…", id="status", markup=False)
        with Horizontal(id="main"):
            yield ProcessTable(self.view, self_pid=self.self_pid, id="processes")
            yield ProcessDetails(clock=self.clock, id="details")
        yield Input(placeholder="filter: pid, user or command text", id="filter")
        yield Footer()

    @property
    def table(self) -> ProcessTable:
        """The process table."""
        return self.query_one("#processes", ProcessTable)

    def on_mount(self) -> None:
        """Start the first scan and, if asked, exit cleanly on SIGTERM/SIGHUP."""
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._exit_on_signal, signum)
        self.table.focus()
        self._fit_layout(self.size.width)
        self.request_scan()

    def on_resize(self, event: events.Resize) -> None:
        """Put the details beside the table when there is room, else below."""
        self._fit_layout(event.size.width)

    def _fit_layout(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "-narrow")

    def _exit_on_signal(self, signum: int) -> None:
        # Leaving through App.exit lets the driver restore the terminal
        # (alternate screen, cursor, mouse) before the process ends.
        self.exit(return_code=128 + signum)

    # -- refreshing ------------------------------------------------------------

    def request_scan(self) -> None:
        """Start a background scan now, unless one is already running."""
        if self._scan_worker is not None and not self._scan_worker.is_finished:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._scan_worker = self.run_worker(
            self.source.scan,
            name="scan",
            group=SCAN_GROUP,
            thread=True,
            exit_on_error=False,
        )

    @on(Worker.StateChanged)
    def _scan_finished(self, event: Worker.StateChanged) -> None:
        """Apply a finished scan and schedule the next one."""
        worker = event.worker
        if worker.group != SCAN_GROUP or not worker.is_finished:
            return
        if event.state is WorkerState.SUCCESS and isinstance(
            worker.result, ProcessSnapshot
        ):
            self.scans += 1
            self.snapshot = worker.result
            self.table.update_snapshot(worker.result)
            self.refresh_details()
        elif event.state is WorkerState.ERROR:
            self.notify(f"Could not read processes: {worker.error}", severity="error")
        self.update_status()
        # Scheduling only after a scan ends means scans never overlap, however
        # slow one is.
        if not self.paused:
            self._timer = self.set_timer(self.interval, self.request_scan)

    # -- status ----------------------------------------------------------------

    def update_status(self) -> None:
        """Rewrite the status line."""
        view = self.view
        parts = [self.hostname]
        if self.snapshot is None:
            parts.append("scanning processes…")
        else:
            total = len(self.snapshot)
            shown = sum(1 for row in view.rows if not row.gone)
            parts.append(
                f"{total} processes" + (f" ({shown} shown)" if view.filter_text else "")
            )
        parts.append("paused" if self.paused else f"every {self.interval:g} s")
        column = view.columns[view.sort_index]
        parts.append(
            f"sorted by {column.header or column.name} {'▼' if view.reverse else '▲'}"
        )
        if view.tree:
            parts.append("tree")
        if view.filter_text:
            parts.append(f"filter: {view.filter_text}")
        self.query_one("#status", Static).update(" · ".join(parts))

    # -- actions ---------------------------------------------------------------

    def action_filter(self) -> None:
        """Open the filter box."""
        box = self.query_one("#filter", Input)
        self.screen.add_class("-filtering")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Filter live as the user types."""
        self.view.set_filter(event.value)
        self.table.rows_changed()
        self.update_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        """Go back to the table, keeping the filter."""
        if not self.view.filter_text:
            self.screen.remove_class("-filtering")
        self.table.focus()

    def action_clear_filter(self) -> None:
        """Clear the filter and close the filter box."""
        box = self.query_one("#filter", Input)
        box.value = ""
        self.view.set_filter("")
        self.screen.remove_class("-filtering")
        self.table.rows_changed()
        self.table.focus()
        self.update_status()

    def action_toggle_tree(self) -> None:
        """Switch between the flat list and the process tree."""
        self.view.set_tree(not self.view.tree)
        self.table.rows_changed()
        self.update_status()

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        self.view.set_sort((self.view.sort_index + 1) % len(self.view.columns))
        self.table.rows_changed()
        self.update_status()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.view.set_sort(self.view.sort_index, not self.view.reverse)
        self.table.rows_changed()
        self.update_status()

    @on(ProcessTable.SortChanged)
    def _sorted_by_click(self) -> None:
        self.update_status()

    def action_toggle_pause(self) -> None:
        """Stop refreshing, or refresh now and start again."""
        self.paused = not self.paused
        if self.paused and self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.paused:
            self.request_scan()
        self.update_status()

    # -- details -----------------------------------------------------------------

    @property
    def details_shown(self) -> bool:
        """Whether the details panel is open."""
        return self.screen.has_class("-details")

    def action_toggle_details(self) -> None:
        """Open or close the details panel."""
        self.screen.toggle_class("-details")
        self.refresh_details()

    @on(ProcessTable.Highlighted)
    def _selection_moved(self) -> None:
        self.refresh_details()

    def refresh_details(self) -> None:
        """Show the selected process in the details panel, reading its masks."""
        if not self.details_shown:
            return
        row = self.table.current
        panel = self.query_one("#details", ProcessDetails)
        if row is None:
            panel.show(None, None)
            return
        snapshot = self.view.snapshot
        if row.gone or row.info.kernel_thread:
            panel.show(row.info, snapshot, gone=row.gone, problem="exited")
            return
        self._load_details(row.info, snapshot)

    @work(thread=True, exclusive=True, group="details", exit_on_error=False)
    def _load_details(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> None:
        """Read the selected process's masks off the UI thread."""
        state: SignalState | None = None
        problem: str | None = None
        try:
            state = self.read_state(info)
        except ProcessLookupError:
            problem = "exited"
        except PermissionError:
            problem = "not readable: permission denied"
        except (OSError, ValueError) as err:
            problem = f"not readable: {err}"
        self.call_from_thread(self._details_loaded, info, snapshot, state, problem)

    def _details_loaded(
        self,
        info: ProcessInfo,
        snapshot: ProcessSnapshot,
        state: SignalState | None,
        problem: str | None,
    ) -> None:
        current = self.table.current
        if current is None or current.info.identity != info.identity:
            return  # the cursor moved on meanwhile
        self.query_one("#details", ProcessDetails).show(
            current.info, snapshot, state, gone=current.gone, problem=problem
        )

    # -- signal picker -------------------------------------------------------------

    def action_pick_signal(self) -> None:
        """Open the signal picker for the selected process."""
        self._open_picker(group=False)

    def action_pick_group_signal(self) -> None:
        """Open the signal picker for the selected process's group."""
        self._open_picker(group=True)

    def _open_picker(self, *, group: bool) -> None:
        row = self.table.current
        if row is None:
            self.notify("No process selected.", severity="warning")
            return
        if row.gone:
            self.notify(f"Process {row.info.pid} has exited.", severity="warning")
            return
        info = row.info
        if group and info.pgid <= 0:
            self.notify(
                f"Process {info.pid} has no process group of its own to signal.",
                severity="warning",
            )
            group = False
        members = [p for p in self.view.snapshot.processes if p.pgid == info.pgid]
        self.push_screen(
            SignalPicker(info, members, catalogue(), self.read_state, group=group),
            self._signal_picked,
        )

    def _signal_picked(self, picked: PickedSignal | None) -> None:
        if picked is None:
            return
        what = (
            f"process group {picked.target.pgid}"
            if picked.group
            else f"process {picked.target.pid}"
        )
        self.notify(
            f"{picked.signal.name} chosen for {what}. Sending is not part of this "
            "version yet.",
            title="Signal chosen",
        )

    def action_help(self) -> None:
        """Show the keys and what the marks mean."""
        self.push_screen(HelpScreen(self.BINDINGS))


def make_app(
    *,
    source: ProcessSource | None = None,
    columns: Sequence[Column] | str | None = None,
    interval: float = 1.0,
    handle_signals: bool = False,
    self_pid: int | None = None,
    hostname: str | None = None,
    read_state: StateReader = read_state_of,
    clock: Callable[[], float] = time.time,
) -> SigtuiApp:
    """Build the app, for the command line, the tests and the screenshots alike.

    Args:
        source: Where processes come from (default: this system).
        columns: Columns as parsed columns or a ps ``-o`` list.
        interval: Seconds between refreshes.
        handle_signals: Exit cleanly on SIGTERM and SIGHUP.
        self_pid: The pid to mark as sigtui itself (default: this process).
        hostname: The host name to show (default: this host's).
        read_state: Reads a process's signal masks (default: from /proc).
        clock: The current time (default: the system clock).

    Returns:
        The app, not yet running.
    """
    if columns is None or isinstance(columns, str):
        columns = parse_columns(columns or DEFAULT_COLUMNS)
    return SigtuiApp(
        source if source is not None else default_scanner(),
        columns,
        interval=interval,
        handle_signals=handle_signals,
        self_pid=self_pid,
        hostname=hostname,
        read_state=read_state,
        clock=clock,
    )
