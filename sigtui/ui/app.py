"""The sigtui application: the main screen with the live process table.

Build it with :func:`make_app`; the command line, the tests and the screenshot
script all do, so they see the same app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from sigtui.processes import (
    DEFAULT_COLUMNS,
    Column,
    ProcessSnapshot,
    ProcessSource,
    default_scanner,
    parse_columns,
)
from sigtui.processes.view import ProcessView
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.widgets.process_table import ProcessTable

SCAN_GROUP = "scan"
"""Worker group of the background scans."""


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
    """

    CSS_PATH = "sigtui.tcss"
    TITLE = "sigtui"

    BINDINGS: ClassVar[list[BindingType]] = [
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
    ) -> None:
        super().__init__()
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
        yield ProcessTable(self.view, self_pid=self.self_pid, id="processes")
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
        self.request_scan()

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
) -> SigtuiApp:
    """Build the app, for the command line, the tests and the screenshots alike.

    Args:
        source: Where processes come from (default: this system).
        columns: Columns as parsed columns or a ps ``-o`` list.
        interval: Seconds between refreshes.
        handle_signals: Exit cleanly on SIGTERM and SIGHUP.
        self_pid: The pid to mark as sigtui itself (default: this process).
        hostname: The host name to show (default: this host's).

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
    )
