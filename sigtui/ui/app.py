"""The sigtui application: the main screen with the live process table.

Build it with :func:`make_app`; the command line, the tests and the screenshot
script all do, so they see the same app.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import signal
import socket
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, ClassVar, TextIO

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Log, Static
from textual.worker import Worker, WorkerState

from sigtui.config import DEFAULT_INTERVAL, ConfigFile, Settings
from sigtui.delivery import (
    Context,
    Ending,
    Escalation,
    Fate,
    GroupTarget,
    Observation,
    ProcessTarget,
    Sender,
    SendResult,
    Syscalls,
    TaggedTarget,
    Target,
    check,
    end_gracefully,
    summary,
    watch,
)
from sigtui.delivery.explain import caption, outcome_line
from sigtui.delivery.watch import current_state, held_after
from sigtui.demo.session import (
    DemoError,
    DemoSession,
    DispositionChanged,
    Ended,
    Logged,
    Received,
    Started,
    StateChanged,
    Ticked,
)
from sigtui.lessons import Kind, Lesson, LessonError, LessonSession
from sigtui.processes import (
    DEFAULT_COLUMNS,
    Column,
    ProcessIdentity,
    ProcessInfo,
    ProcessSnapshot,
    ProcessSource,
    default_scanner,
    display_escape,
    parse_columns,
)
from sigtui.processes.chooser import columns_spec
from sigtui.processes.columns import for_screen, sources_of
from sigtui.processes.view import Layout, ProcessView
from sigtui.signals import SignalSpec, SignalState, catalogue, predict
from sigtui.signals.predict import Prediction
from sigtui.signals.reader import read_state_of
from sigtui.signals.survival import Reason, holds, read_circumstances
from sigtui.ui.messages import DemoReported, LessonReported
from sigtui.ui.screens.choosers import (
    ColumnPicker,
    SortPicker,
    UserChoice,
    UserPicker,
)
from sigtui.ui.screens.confirm import ConfirmSend
from sigtui.ui.screens.dispositions import DispositionScreen
from sigtui.ui.screens.help import HelpScreen
from sigtui.ui.screens.interval import IntervalDialog
from sigtui.ui.screens.lessons import LEAVE, LessonPicker
from sigtui.ui.screens.picker import PickedSignal, SignalPicker, StateReader
from sigtui.ui.theme import PROJECTOR_COLUMNS, PROJECTOR_THEME
from sigtui.ui.widgets.details import ProcessDetails
from sigtui.ui.widgets.footer import KeyFooter
from sigtui.ui.widgets.lesson_panel import LessonPanel
from sigtui.ui.widgets.log_colors import SignalHighlighter, action_styles
from sigtui.ui.widgets.process_table import ProcessTable

SCAN_GROUP = "scan"
"""Worker group of the background scans."""

MAX_WATCH_LINES = 5
"""Outcome lines logged one by one; bigger groups get a count."""

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits (see on_mount)."""

EXIT_WATCHDOG = 3.0
"""Seconds an exit on SIGTERM/SIGHUP may take before sigtui ends regardless."""

LOG_LINES = 1000
"""Lines the signal log keeps (older ones scroll away)."""

NARROW = 120
"""Below this many columns the details panel goes under the table, not beside it."""

SORT_KEYS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "cpu": ("CPU", ("%cpu", "pcpu"), True),
    "memory": ("memory", ("%mem", "pmem", "rss", "rssize", "rsz"), True),
    "time": ("CPU time", ("time", "cputime"), True),
    "pid": ("PID", ("pid", "tgid"), False),
}
"""htop's P, M, T and N: what they sort by (ps names, first preferred), and
whether descending (the biggest consumers first, as in htop)."""


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
        clock: The current time, for start times and the log.
        readonly: Refuse every send.
        grace: Seconds ``x`` waits after SIGTERM before SIGKILL.
        syscalls: The system calls sending uses (a fake in tests).
        state_of: Reads a process's state letter, for watching outcomes.
        demo: Start the demo child at launch.
        log_file: Where to append every log entry as a JSON line.
        projector: Start in projector mode (high contrast, fewer and wider
            columns, a larger log, a caption after every send).
        lesson: A guided lesson to start at launch.
        config: The settings file: its problem, if any, is shown at start,
            and the settings the user changes are saved to it.
    """

    CSS_PATH = "sigtui.tcss"
    TITLE = "sigtui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,f10", "quit", "Quit", tooltip="Leave sigtui"),
        Binding("question_mark,f1", "help", "Help", tooltip="Keys and marks"),
        Binding(
            "k,f9", "pick_signal", "Signal", tooltip="Send a signal to the process"
        ),
        Binding("g", "pick_group_signal", "Group", tooltip="Signal its group"),
        Binding("x", "end_gracefully", "End", tooltip="SIGTERM, then SIGKILL"),
        Binding(
            "z", "stop_continue", "Stop/cont", tooltip="SIGSTOP or SIGCONT", show=False
        ),
        Binding("space", "toggle_tag", "Tag", tooltip="Tag or untag the process"),
        Binding("i", "toggle_details", "Details", tooltip="Show the process's details"),
        Binding("d", "toggle_demo", "Demo", tooltip="Start or stop the demo child"),
        Binding(
            "D",
            "dispositions",
            "Dispositions",
            tooltip="What the demo does per signal",
            show=False,
        ),
        Binding(
            "slash,f4", "filter", "Filter", tooltip="Filter by pid, user or command"
        ),
        Binding("t,f5", "toggle_tree", "Tree", tooltip="Show children under parents"),
        Binding(
            "s,greater_than_sign",
            "sort_next",
            "Sort",
            tooltip="Sort by the next column",
            show=False,
        ),
        Binding(
            "less_than_sign",
            "sort_previous",
            "Sort back",
            tooltip="Sort by the previous column",
            show=False,
        ),
        Binding(
            "S,I",
            "sort_reverse",
            "Reverse",
            tooltip="Reverse the sort order",
            show=False,
        ),
        Binding(
            "P",
            "sort_by('cpu')",
            "Sort by CPU",
            tooltip="Sort by %CPU, highest first",
            show=False,
        ),
        Binding(
            "M",
            "sort_by('memory')",
            "Sort by memory",
            tooltip="Sort by memory use, highest first",
            show=False,
        ),
        Binding(
            "T",
            "sort_by('time')",
            "Sort by time",
            tooltip="Sort by CPU time, highest first",
            show=False,
        ),
        Binding(
            "N", "sort_by('pid')", "Sort by PID", tooltip="Sort by PID", show=False
        ),
        Binding(
            "u",
            "choose_user",
            "User",
            tooltip="Show one user's processes",
            show=False,
        ),
        Binding(
            "K",
            "toggle_kernel_threads",
            "Kernel threads",
            tooltip="Show or hide kernel threads",
            show=False,
        ),
        Binding(
            "f2",
            "choose_columns",
            "Columns",
            tooltip="Choose, add and order the columns",
            show=False,
        ),
        Binding(
            "p,Z",
            "toggle_pause",
            "Pause",
            tooltip="Stop or restart refreshing",
            show=False,
        ),
        Binding(
            "J", "toggle_projector", "Projector", tooltip="High contrast for a class"
        ),
        Binding("L", "lessons", "Lessons", tooltip="Guided lessons for a class"),
        Binding(
            "f6",
            "choose_sort",
            "Sort by",
            tooltip="Choose the sort column from a list",
            # Textual's footer cuts what does not fit, and at 120 to 130
            # columns that left a bare "f6": help and the palette list it.
            show=False,
        ),
        Binding(
            "f3",
            "search",
            "Search",
            tooltip="Jump to the next match, hiding nothing",
            show=False,
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            tooltip="Stop a countdown, else close the search, else clear the filter",
            show=False,
        ),
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
        readonly: bool = False,
        grace: float = 5.0,
        syscalls: Syscalls | None = None,
        state_of: Callable[[ProcessInfo], str | None] = current_state,
        demo: bool = False,
        log_file: TextIO | None = None,
        projector: bool = False,
        lesson: Lesson | None = None,
        config: ConfigFile | None = None,
    ) -> None:
        super().__init__()
        self.config = config if config is not None else ConfigFile(None)
        self.lesson_at_start = lesson
        self.lesson_session: LessonSession | None = None
        self._lesson_starting: LessonSession | None = None
        self._lesson_note = ""
        self.projector = projector
        columns = for_screen(columns)
        self._screen_columns = columns
        self._theme_before_projector = ""
        self.caption = ""
        self.demo_at_start = demo
        self.demo: DemoSession | None = None
        self._select_pid: int | None = None
        self._lesson_cursor_placed = False
        self.log_file = log_file
        self._log_file_failed = False
        self.read_state = read_state
        self.clock = clock
        self.readonly = readonly
        self.grace = grace
        self.syscalls = syscalls or Syscalls()
        self.state_of = state_of
        self._escalation: threading.Event | None = None
        self.source = source
        self.interval = interval
        self.paused = False
        self.handle_signals = handle_signals
        self.hostname = hostname if hostname is not None else socket.gethostname()
        self.view = ProcessView(columns)
        self.self_pid = os.getpid() if self_pid is None else self_pid
        self._table = ProcessTable(self.view, self_pid=self.self_pid, id="processes")
        self.snapshot: ProcessSnapshot | None = None
        self._status_text = ""
        self.scans = 0
        self._timer: Timer | None = None
        self._scan_worker: Worker[Layout] | None = None

    def compose(self) -> ComposeResult:
        """Lay out the status line, the table, the filter box and the footer."""
        yield Static("scanning processes…", id="status", markup=False)
        with Horizontal(id="main"):
            yield self._table
            yield ProcessDetails(clock=self.clock, id="details")
            yield LessonPanel(id="lesson")
        yield Input(placeholder="filter: pid, user or command text", id="filter")
        yield Input(
            placeholder="search: pid, user or command text (F3/enter: next match)",
            id="search",
        )
        yield Static(id="countdown", markup=False)
        yield Static(id="caption", markup=False)
        yield Log(id="log", max_lines=LOG_LINES)
        yield KeyFooter()

    @property
    def table(self) -> ProcessTable:
        """The process table."""
        return self._table

    def _alive(self) -> bool:
        """Whether the main screen's widgets are still there.

        A worker can finish while the app is shutting down; its result is
        then dropped rather than applied to widgets that are gone.
        """
        return self._table.is_attached and not self._exit

    def on_mount(self) -> None:
        """Start the first scan and, if asked, exit cleanly on SIGTERM/SIGHUP."""
        # The scan worker runs Python for tens of milliseconds at 10,000
        # processes; each time the UI thread wants the GIL back it waits up to
        # this interval (5 ms by default), and a key press needs it a dozen
        # times. 0.5 ms keeps keys quick for a few more thread switches.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._exit_on_signal, signum)
        self.table.focus()
        self.register_theme(PROJECTOR_THEME)
        self._apply_saved_settings()
        if self.projector:
            self._set_projector(True)
        log = self.query_one("#log", Log)
        log.highlighter = SignalHighlighter(
            catalogue(), action_styles(self.theme_variables)
        )
        log.highlight = True
        self.theme_changed_signal.subscribe(self, self._recolour_log)
        self.theme_changed_signal.subscribe(self, lambda _: self._settings_changed())
        self._fit_layout(self.size.width)
        self.log_line(
            "Signal log. k: signal the selected process · g: its group · "
            "x: end it gracefully · ?: help"
            + (" · read-only: sending is off" if self.readonly else "")
        )
        if self.config.problem is not None:
            # Said once, where it stays readable; the file is left as it is.
            self.log_line(f"Settings file ignored: {self.config.problem}")
            self.notify(self.config.problem, title="Settings", severity="warning")
        self.request_scan()
        if self.demo_at_start:
            self.action_toggle_demo()
        if self.lesson_at_start is not None:
            self.start_lesson(self.lesson_at_start)

    def _recolour_log(self, _theme: object) -> None:
        """Colour new log lines' signal names from the theme now in use."""
        log = self.query_one("#log", Log)
        log.highlighter = SignalHighlighter(
            catalogue(), action_styles(self.theme_variables)
        )

    # -- projector mode ----------------------------------------------------------

    def action_toggle_projector(self) -> None:
        """Switch projector mode (high contrast, big log, captions) on or off."""
        self._set_projector(not self.projector)
        self.log_line(
            "projector mode "
            + (
                "on: high contrast, fewer columns, a caption after every send"
                if self.projector
                else "off"
            )
        )

    def _set_projector(self, on: bool) -> None:
        self.projector = on
        if on:
            if self.theme != PROJECTOR_THEME.name:
                self._theme_before_projector = self.theme
            self.theme = PROJECTOR_THEME.name
            columns = tuple(parse_columns(PROJECTOR_COLUMNS))
        else:
            if self.theme == PROJECTOR_THEME.name:
                self.theme = self._theme_before_projector or "textual-dark"
            columns = self._screen_columns
        self.show_columns(columns)
        self.screen.set_class(on, "-projector")
        self.update_status()

    def show_caption(self, text: str) -> None:
        """Say in plain words what the last send did (shown in projector mode).

        Args:
            text: The caption.
        """
        if not self._alive():
            return
        self.caption = text
        self.query_one("#caption", Static).update(f"What just happened: {text}")

    def _freeze_startup_objects(self) -> None:
        """Exempt what exists after the first scan from garbage collection.

        That is Textual's widgets and styles and one object or more per
        process: hundreds of thousands at 10,000 processes, which a full
        collection walks (40-100 ms, holding the GIL) at unpredictable
        moments, such as in the middle of answering a key. They are still
        freed as usual when no longer referenced; only cycles among them wait
        for :meth:`on_unmount` to unfreeze them.
        """
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        """End the lesson's processes; let the source close its stat files."""
        self.stop_lesson()
        sys.setswitchinterval(self._switch_interval)
        gc.unfreeze()
        close = getattr(self.source, "close", None)
        if callable(close):
            close()

    def on_resize(self, event: events.Resize) -> None:
        """Put the details beside the table when there is room, else below."""
        self._fit_layout(event.size.width)

    def _fit_layout(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "-narrow")

    def _exit_on_signal(self, signum: int) -> None:
        # Leaving through App.exit lets the driver restore the terminal
        # (alternate screen, cursor, mouse) before the process ends.
        self.stop_demo()
        self.stop_lesson()
        # When the terminal itself has gone (SIGHUP from a closed window),
        # Textual's shutdown can block for ever: its writer thread dies on the
        # write error with its queue full, and stopping it waits for room in
        # that queue. Whatever happens, sigtui must still end.
        watchdog = threading.Timer(EXIT_WATCHDOG, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(return_code=128 + signum)

    # -- columns ---------------------------------------------------------------

    def show_columns(self, columns: Sequence[Column]) -> None:
        """Show other columns (a column chooser, projector mode).

        Tells the process source which files the new columns need (read only
        from then on), and scans again at once when a column needs a file
        not read so far, so that its values appear without waiting a refresh.

        Args:
            columns: The columns, as parsed.
        """
        shown = for_screen(columns)
        needed = sources_of(shown)
        set_sources = getattr(self.source, "set_sources", None)
        new_files = False
        if set_sources is not None:
            before = getattr(self.source, "sources", needed)
            new_files = bool(needed & ~before)
            set_sources(needed)
        self.view.set_columns(shown)
        self.table.rows_changed()
        if new_files and self.is_running and not self.paused:
            self.request_scan()

    # -- refreshing ------------------------------------------------------------

    def request_scan(self) -> None:
        """Start a background scan now, unless one is already running."""
        if self._scan_worker is not None and not self._scan_worker.is_finished:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._scan_worker = self.run_worker(
            self._scan,
            name="scan",
            group=SCAN_GROUP,
            thread=True,
            exit_on_error=False,
        )

    def _scan(self) -> Layout:
        """Scan and lay out the rows, in a worker: both cost O(processes)."""
        return self.view.prepare(self.source.scan())

    @on(Worker.StateChanged)
    def _scan_finished(self, event: Worker.StateChanged) -> None:
        """Apply a finished scan and schedule the next one."""
        if not self._alive():
            return
        worker = event.worker
        if worker.group != SCAN_GROUP or not worker.is_finished:
            return
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, Layout):
            self.scans += 1
            self.snapshot = worker.result.snapshot
            self.table.show_layout(worker.result)
            if self.scans == 1:
                self._freeze_startup_objects()
            if self._select_pid is not None:
                info = self.snapshot.by_pid.get(self._select_pid)
                if info is not None and self.table.select(info.identity):
                    self._select_pid = None
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
            shown = view.shown_count
            narrowed = bool(view.filter_text) or view.user is not None
            parts.append(
                f"{total} processes" + (f" ({shown} shown)" if narrowed else "")
            )
        parts.append("paused" if self.paused else f"every {self.interval:g} s")
        column = view.columns[view.sort_index]
        parts.append(
            f"sorted by {column.header or column.name} {'▼' if view.reverse else '▲'}"
        )
        if view.tagged:
            parts.append(f"{len(view.tagged)} tagged")
        if self.demo is not None and self.demo.running:
            parts.append(f"demo {self.demo.pid}: tick {self.demo.ticks}")
        if self.readonly:
            parts.append("read-only")
        if self.projector:
            parts.append("projector")
        run = self.lesson_session
        if run is not None:
            lesson = run.lesson
            total = len(lesson.steps)
            if run.current is None:
                parts.append(f"lesson {lesson.number}: all {total} steps done")
            else:
                parts.append(
                    f"lesson {lesson.number}: step {run.current + 1} of {total}"
                )
        if view.tree:
            parts.append("tree")
        if view.filter_text:
            parts.append(f"filter: {view.filter_text}")
        # Last: what the user is typing into the filter must not be cut off
        # by the end of a narrow line; these are reminders, not answers.
        if view.user is not None:
            parts.append(f"user: {display_escape(view.user)} (u)")
        hidden = view.kernel_hidden
        if hidden:
            parts.append(
                f"{hidden} kernel thread{'s' if hidden != 1 else ''} hidden (K)"
            )
        text = " · ".join(parts)
        if text != self._status_text:  # an unchanged line costs no repaint
            self._status_text = text
            self.query_one("#status", Static).update(text)

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
        """Cancel a graceful end that is waiting, else clear the filter."""
        if self._escalation is not None and not self._escalation.is_set():
            self._escalation.set()
            return
        if self.screen.has_class("-searching"):
            self._close_search()
            return
        box = self.query_one("#filter", Input)
        box.value = ""
        self.view.set_filter("")
        self.screen.remove_class("-filtering")
        self.table.rows_changed()
        self.table.focus()
        self.update_status()

    def _rearranged(self, *, kept: bool = True) -> None:
        """Show the view's new order or selection of rows.

        Args:
            kept: Whether what changed is a setting kept in the settings file.
        """
        self.table.rows_changed()
        self.update_status()
        if kept:
            self._settings_changed()

    def action_toggle_tree(self) -> None:
        """Switch between the flat list and the process tree."""
        self.view.set_tree(not self.view.tree)
        self._rearranged()

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        self._sort((self.view.sort_index + 1) % len(self.view.columns), None)

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self._sort(self.view.sort_index, not self.view.reverse)

    @on(ProcessTable.SortChanged)
    def _sorted_by_click(self) -> None:
        self.update_status()
        self._settings_changed()

    # -- htop's habits: sort list, P M T N, search, user, kernel threads, columns

    def _sort(self, index: int, reverse: bool | None) -> None:
        self.view.set_sort(index, reverse)
        self._rearranged()

    def action_sort_previous(self) -> None:
        """Sort by the previous column (htop's ``<``)."""
        view = self.view
        self._sort((view.sort_index - 1) % len(view.columns), None)

    def action_choose_sort(self) -> None:
        """Choose the sort column from a list (htop's ``F6``)."""
        view = self.view
        self.push_screen(
            SortPicker(view.columns, view.sort_index, view.reverse), self._sort_chosen
        )

    def _sort_chosen(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.view.columns):
            return
        view = self.view
        # As with a click on a header: the current column again reverses it.
        self._sort(index, not view.reverse if index == view.sort_index else False)

    def action_sort_by(self, what: str) -> None:
        """Sort by CPU, memory, CPU time or pid, as htop's P, M, T and N do.

        The column is shown first if it is not; the registry is asked at the
        moment of the key, so a column sigtui gains later is found.

        Args:
            what: A key of :data:`SORT_KEYS`.
        """
        label, names, descending = SORT_KEYS[what]
        found = self.view.sort_by(names, reverse=descending)
        if found is None:
            self.notify(
                f"Cannot sort by {label}: this sigtui has no {names[0]} column.",
                severity="warning",
            )
            return
        column, added = found
        if added:
            # The scanner must start reading what the new column needs.
            self.show_columns(self.view.columns)
            self._columns_shown()
            self.log_line(f"column {column.header or column.name} added to sort by it")
        self._rearranged()

    def action_search(self) -> None:
        """Open the search box, or go to the next match if it is open (``F3``)."""
        box = self.query_one("#search", Input)
        if self.screen.has_class("-searching"):
            self._find(box.value, skip=True)
        else:
            self.screen.add_class("-searching")
        box.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        """Jump as the user types; the current row stays if it still matches."""
        self._find(event.value, skip=False)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next match."""
        self._find(event.value, skip=True)

    def _find(self, text: str, *, skip: bool) -> None:
        box = self.query_one("#search", Input)
        index = self.view.find(text, self.table.cursor_row, skip=skip)
        box.border_subtitle = "no match" if text.strip() and index is None else ""
        if index is not None:
            self.table.select(self.view.rows[index].info.identity)

    def _close_search(self) -> None:
        box = self.query_one("#search", Input)
        box.value = ""
        box.border_subtitle = ""
        self.screen.remove_class("-searching")
        self.table.focus()

    def action_choose_user(self) -> None:
        """Show one user's processes, chosen from a list (htop's ``u``)."""
        self.push_screen(
            UserPicker(self.view.user_counts(), self.view.user), self._user_chosen
        )

    def _user_chosen(self, choice: UserChoice | None) -> None:
        if choice is None:
            return
        self.view.set_user(choice.user)
        self._rearranged(kept=False)

    def action_toggle_kernel_threads(self) -> None:
        """Show or hide kernel threads (htop's ``K``; hidden at start)."""
        self.view.set_kernel_threads(not self.view.kernel_threads)
        self._rearranged()

    def action_choose_columns(self) -> None:
        """Choose, add, remove and order the columns (htop's ``F2``)."""
        self.push_screen(ColumnPicker(self.view.columns), self._columns_chosen)

    def _columns_chosen(self, columns: tuple[Column, ...] | None) -> None:
        if not columns:
            return
        self.show_columns(columns)
        self._columns_shown()
        self.update_status()
        self._settings_changed()

    def _columns_shown(self) -> None:
        """Remember columns the user chose (F2, P, M) as the screen's own."""
        if not self.projector:
            # Projector mode's columns are its own: leaving it brings these.
            self._screen_columns = self.view.columns

    @property
    def settings(self) -> Settings:
        """The settings the user can change, as they are now, every one set.

        The columns are the user's, not projector mode's (which are its own),
        and so is the theme.
        """
        view = self.view
        sort = view.columns[view.sort_index]
        theme = self.theme
        if theme == PROJECTOR_THEME.name:
            theme = self._theme_before_projector or "textual-dark"
        return Settings(
            columns=columns_spec(self._screen_columns),
            sort=sort.name,
            reverse=view.reverse,
            tree=view.tree,
            kernel_threads=view.kernel_threads,
            interval=self.interval,
            theme=theme,
        )

    def _apply_saved_settings(self) -> None:
        """Start with the sort, tree, kernel threads and theme of the settings file.

        The columns and the interval were applied by :func:`make_app`, under
        the command line's. What is in effect then is noted, so that only what
        the user changes later is saved.
        """
        saved = self.config.settings
        view = self.view
        names = [column.name for column in view.columns]
        if saved.sort is not None and saved.sort in names:
            view.set_sort(names.index(saved.sort), saved.reverse)
        elif saved.reverse is not None:
            view.set_sort(view.sort_index, saved.reverse)
        if saved.tree is not None:
            view.set_tree(saved.tree)
        if saved.kernel_threads is not None:
            view.set_kernel_threads(saved.kernel_threads)
        if saved.theme is not None:
            if saved.theme in self.available_themes:
                self.theme = saved.theme
            else:
                self.log_line(
                    f"Settings file: no theme called {saved.theme!r} here; "
                    f"using {self.theme}."
                )
        self.config.started_with(self.settings)

    def _settings_changed(self) -> None:
        """Save the settings the user changed, if there is a file to keep them.

        A failure is said once (in the log and a pop-up); then nothing more is
        tried, and sigtui goes on.
        """
        problem = self.config.update(self.settings)
        if problem is not None:
            self.log_line(f"Settings not saved: {problem}")
            self.notify(problem, title="Settings", severity="warning")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, then every key's action, for the palette (ctrl+p).

        Args:
            screen: The screen the palette was opened on.

        Yields:
            The commands.
        """
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit":
                yield SystemCommand(
                    binding.description,
                    binding.tooltip or binding.description,
                    partial(self.run_action, binding.action),
                )
        yield SystemCommand(
            "Refresh interval",
            "Seconds between refreshes (kept in the settings file)",
            self.action_set_interval,
        )

    def action_set_interval(self) -> None:
        """Ask for the seconds between refreshes, and refresh at the new pace."""
        self.push_screen(IntervalDialog(self.interval), self._interval_chosen)

    def _interval_chosen(self, seconds: float | None) -> None:
        if seconds is None or seconds == self.interval:
            return
        self.interval = seconds
        if self._timer is not None:
            # The timer set for the old interval could be an hour away.
            self._timer.stop()
            self._timer = self.set_timer(self.interval, self.request_scan)
        self.update_status()
        self._settings_changed()

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
        row = self.table.current
        if self.lesson_session is not None and row is not None and not row.gone:
            self.lesson_session.selected(row.info.pid)

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
        # What keeps it from acting on signals: D, zombie, stopped, traced.
        found = read_circumstances(info)
        held = () if found is None else tuple(r.explanation for r in holds(found))
        self.call_from_thread(
            self._details_loaded, info, snapshot, state, problem, held
        )

    def _details_loaded(
        self,
        info: ProcessInfo,
        snapshot: ProcessSnapshot,
        state: SignalState | None,
        problem: str | None,
        held: tuple[str, ...] = (),
    ) -> None:
        if not self._alive():
            return
        current = self.table.current
        if current is None or current.info.identity != info.identity:
            return  # the cursor moved on meanwhile
        self.query_one("#details", ProcessDetails).show(
            current.info,
            snapshot,
            state,
            gone=current.gone,
            problem=problem,
            held=held,
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
            self.notify(f"Not sent: process {row.info.pid} exited.", severity="warning")
            return
        info = row.info
        if group and info.pgid <= 0:
            self.notify(
                f"Process {info.pid} has no process group of its own to signal.",
                severity="warning",
            )
            group = False
        members = [p for p in self.view.snapshot.processes if p.pgid == info.pgid]
        tagged = [] if group else self.view.tagged_processes()
        self.push_screen(
            SignalPicker(
                info, members, catalogue(), self.read_state, group=group, tagged=tagged
            ),
            self._signal_picked,
        )

    def _signal_picked(self, picked: PickedSignal | None) -> None:
        if picked is None:
            return
        chosen = picked.target
        if not picked.tagged and self.view.snapshot.get(chosen.identity) is None:
            # It exited while the picker was open: nothing goes to its group
            # either, nor to a process that reused its pid.
            message = f"Not sent: process {chosen.pid} exited."
            self.log_line(f"{picked.signal.name} → process {chosen.pid}: {message}")
            self.notify(message, severity="warning")
            return
        target: Target
        if picked.tagged:
            target = TaggedTarget(picked.tagged)
        elif picked.group:
            pgid = picked.target.pgid
            members = tuple(p for p in self.view.snapshot.processes if p.pgid == pgid)
            target = GroupTarget(pgid, members)
        else:
            target = ProcessTarget(picked.target)
        self.send_signal(target, picked.signal, picked.prediction)

    # -- sending -----------------------------------------------------------------

    def sender_context(self) -> Context:
        """Describe sigtui as the sender, for the safety rules.

        Returns:
            The context.
        """
        me = self.view.snapshot.by_pid.get(self.self_pid)
        return Context(
            self_pid=self.self_pid,
            self_pgid=me.pgid if me is not None else os.getpgrp(),
            ancestors=self.table.sigtui_ancestors,
            uid=os.geteuid(),
            readonly=self.readonly,
            trusted=self.instrumented_pids,
        )

    @property
    def instrumented_pids(self) -> frozenset[int]:
        """The processes sigtui started and watches: the demo's and the lesson's."""
        pids: frozenset[int] = frozenset()
        if self.demo is not None and self.demo.running:
            pids |= self.demo.pids
        if self.lesson_session is not None:
            pids |= frozenset(self.lesson_session.processes)
        return pids

    def _update_marks(self) -> None:
        self.table.demo_pids = self.instrumented_pids

    def send_signal(
        self, target: Target, sig: SignalSpec, prediction: str = ""
    ) -> None:
        """Send a signal, asking first when the safety rules say so.

        Args:
            target: What to signal.
            sig: The signal.
            prediction: What the picker predicted, for the confirmation.
        """
        verdict = check(target, sig, self.sender_context())
        if not verdict.allowed:
            message = f"Not sent: {'; '.join(verdict.refusals)}."
            self.log_line(f"{sig.name} → {target.describe()}: {message}")
            self.notify(message, title="Refused", severity="error")
            return
        if not verdict.needs_confirmation:
            self._deliver(target, sig)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._deliver(target, sig)
            else:
                self.log_line(f"{sig.name} → {target.describe()}: cancelled")

        self.push_screen(
            ConfirmSend(
                f"Send {sig.name} to {target.describe()}?",
                verdict.confirmations,
                target.members,
                prediction,
            ),
            answered,
        )

    @work(thread=True, group="send", exit_on_error=False)
    def _deliver(self, target: Target, sig: SignalSpec) -> None:
        """Send, then watch the targets for a moment (system calls: a thread)."""
        sender = Sender(self.sender_context(), self.syscalls)
        demo = self.demo
        demo_pid = demo.pid if demo is not None else 0
        # What each target's masks say just before the send: the caption
        # explains the outcome by them ("it had a handler, so...").
        predictions: dict[int, Prediction] = {}
        for member in target.members[:MAX_WATCH_LINES]:
            with contextlib.suppress(OSError, ValueError):
                predictions[member.pid] = predict(member, self.read_state(member), sig)
        instrumented = self._instrumented(sig)
        who = target.describe()
        if isinstance(target, ProcessTarget) and target.info.pid == demo_pid:
            who = f"the demo ({demo_pid})"
        started = time.monotonic_ns()
        results = sender.send(target, sig)
        hit_demo = any(r.ok and r.pid == demo_pid for r in results) or (
            isinstance(target, GroupTarget)
            and any(r.ok for r in results)
            and any(m.pid == demo_pid for m in target.members)
        )
        if hit_demo and demo is not None:
            demo.sent(sig.number, sig.name, started)
        run = self.lesson_session
        if run is not None:
            # The lesson counts sends it cannot see arrive (blocked signals).
            if isinstance(target, GroupTarget):
                if any(r.ok for r in results):
                    run.sent(target.pgid, sig.number, group=True)
            else:
                for result in results:
                    if result.ok and result.pid is not None:
                        run.sent(result.pid, sig.number)
        self.call_from_thread(self._sent, target, sig, results)
        reached = {r.pid for r in results if r.ok}
        if isinstance(target, GroupTarget) and any(r.ok for r in results):
            watched = list(target.members)
        else:
            watched = [m for m in target.members if m.pid in reached]
        if not watched:
            text = caption(sig, who, results, [], predictions, instrumented)
            self.call_from_thread(self.show_caption, text)
        if watched:
            seen = watch(watched, sig, state_of=self.state_of)
            # Why the ones still there are there (D, zombie, stopped, traced).
            held = held_after(seen[:MAX_WATCH_LINES], sig, predictions)
            by_pid = {identity.pid: reason for identity, reason in held.items()}
            text = caption(
                sig, who, results, seen, predictions, instrumented, held=by_pid
            )
            self.call_from_thread(self.show_caption, text)
            # Why a survivor survived comes from its masks: read them here, in
            # the worker, not on the UI thread.
            reasons = {
                o.info.identity: self.read_prediction(o.info, sig)
                for o in seen[:MAX_WATCH_LINES]
                if o.fate is Fate.RUNNING and o.info.identity not in held
            }
            self.call_from_thread(self._watched, seen, reasons, held)

    def _instrumented(self, sig: SignalSpec) -> dict[int, str]:
        """What sigtui's own instrumented processes do with ``sig``, by pid."""
        demo = self.demo
        if demo is None or not demo.running:
            return {}
        return {demo.pid: demo.disposition(sig.number)}

    def _sent(self, target: Target, sig: SignalSpec, results: list[SendResult]) -> None:
        if not self._alive():
            return
        for result in results:
            self.log_line(f"{sig.name} → {result.target}: {result.message}")
        ok = all(r.ok for r in results)
        self._pop_up_result(
            summary(results),
            title=f"{sig.name} {'sent' if ok else 'not sent everywhere'}",
            failed=not ok,
        )
        self.request_scan()

    def _pop_up_result(self, message: str, *, title: str = "", failed: bool) -> None:
        """Toast what a send did; in projector mode only if it failed.

        There the caption already says it, in larger words, and a toast would
        only cover the table.
        """
        if failed or not self.projector:
            self.notify(
                message, title=title, severity="error" if failed else "information"
            )

    def _watched(
        self,
        seen: list[Observation],
        reasons: dict[ProcessIdentity, str],
        held: dict[ProcessIdentity, Reason] | None = None,
    ) -> None:
        if not self._alive():
            return
        held = held or {}
        for observation in seen[:MAX_WATCH_LINES]:
            info = observation.info
            what = outcome_line(
                observation,
                held.get(info.identity),
                reasons.get(info.identity, ""),
            )
            self.log_line(f"process {info.pid} ({display_escape(info.comm)}): {what}")
        if len(seen) > MAX_WATCH_LINES:
            counts = Counter(o.fate.value for o in seen)
            self.log_line(
                "group: " + ", ".join(f"{n} {fate}" for fate, n in counts.items())
            )
        self.request_scan()

    def read_prediction(self, info: ProcessInfo, sig: SignalSpec) -> str:
        """Why a process is still running after a signal, from its masks now.

        Args:
            info: The process.
            sig: The signal it got.

        Returns:
            The prediction's summary ("caught by its handler"), or "".
        """
        try:
            state = self.read_state(info)
        except (OSError, ValueError):
            return ""
        return predict(info, state, sig).summary

    def log_line(self, text: str) -> None:
        """Add a timestamped line to the signal log.

        Args:
            text: The line (escaped already where it holds process text).
        """
        if not self._alive():
            return
        now = self.clock()
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        log = self.query_one("#log", Log)
        if self.projector:
            # A class cannot scroll sideways: long lines wrap, under the text.
            width = log.scrollable_content_region.width - 1 - len(stamp) - 2
            first, *rest = wrap_words(text, width)
            log.write_line(f"{stamp}  {first}")
            log.write_lines(f"{' ' * len(stamp)}  {more}" for more in rest)
        else:
            log.write_line(f"{stamp}  {text}")
        self._write_log_file(now, text)

    def _write_log_file(self, now: float, text: str) -> None:
        if self.log_file is None or self._log_file_failed:
            return
        try:
            self.log_file.write(json.dumps({"time": now, "entry": text}) + "\n")
            self.log_file.flush()
        except OSError as err:
            # A full disk must not stop the app: say it once and go on.
            self._log_file_failed = True
            self.notify(
                f"Could not write the log file any more: {err.strerror or err}. "
                "The on-screen log goes on.",
                severity="error",
                timeout=10,
            )

    def _selected_for_send(self) -> ProcessInfo | None:
        row = self.table.current
        if row is None:
            self.notify("No process selected.", severity="warning")
            return None
        if row.gone:
            self.notify(f"Not sent: process {row.info.pid} exited.", severity="warning")
            return None
        return row.info

    def action_toggle_tag(self) -> None:
        """Tag or untag the selected process (k then signals all tagged)."""
        row = self.table.current
        if row is None or row.gone:
            return
        self.view.toggle_tag(row.info.identity)
        self.table.refresh()
        self.table.action_cursor_down()
        self.update_status()

    def action_stop_continue(self) -> None:
        """SIGSTOP a running process, SIGCONT a stopped one."""
        info = self._selected_for_send()
        if info is None:
            return
        name = "SIGCONT" if info.state in ("T", "t") else "SIGSTOP"
        self.send_signal(ProcessTarget(info), catalogue().by_name(name))

    def action_end_gracefully(self) -> None:
        """SIGTERM, then SIGKILL after the grace period if it is still there."""
        info = self._selected_for_send()
        if info is None:
            return
        if self._escalation is not None and not self._escalation.is_set():
            self.notify("A graceful end is already waiting.", severity="warning")
            return
        kill = catalogue().by_name("SIGKILL")
        target = ProcessTarget(info)
        verdict = check(target, kill, self.sender_context())
        if not verdict.allowed:
            self.notify(f"Not sent: {'; '.join(verdict.refusals)}.", severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._escalation = threading.Event()
                self._escalate(info, self._escalation)

        self.push_screen(
            ConfirmSend(
                f"End {target.describe()}: SIGTERM, then SIGKILL if it is still "
                f"there after {self.grace:g} s?",
                verdict.confirmations,
                target.members,
                "it may clean up on SIGTERM; SIGKILL gives it no choice",
            ),
            answered,
        )

    @work(thread=True, group="escalate", exit_on_error=False)
    def _escalate(self, info: ProcessInfo, cancel: threading.Event) -> None:
        """Run the escalation off the UI thread, showing the countdown."""
        self.call_from_thread(
            self.log_line, f"SIGTERM → process {info.pid}: ending gracefully"
        )

        def tick(left: float) -> None:
            self.call_from_thread(self._countdown, info, left)

        result = end_gracefully(
            info, self.grace, cancel=cancel, on_tick=tick, syscalls=self.syscalls
        )
        self.call_from_thread(self._escalated, result)

    def _countdown(self, info: ProcessInfo, left: float) -> None:
        if not self._alive():
            return
        box = self.query_one("#countdown", Static)
        box.update(
            f"Ending process {info.pid}: SIGTERM sent, SIGKILL in {left:.1f} s "
            "(escape cancels)"
        )
        self.screen.add_class("-countdown")

    def _escalated(self, result: Escalation) -> None:
        if not self._alive():
            return
        self.screen.remove_class("-countdown")
        if self._escalation is not None:
            self._escalation.set()
        self._escalation = None
        self.log_line(result.message)
        self.show_caption(result.message)
        failed = result.ending in (Ending.FAILED, Ending.SURVIVED)
        self._pop_up_result(result.message, failed=failed)
        self.request_scan()

    # -- demo child ----------------------------------------------------------------

    def action_toggle_demo(self) -> None:
        """Start the demo child, or stop it if it runs."""
        if self.demo is not None and self.demo.running:
            self._stop_demo_worker()
        else:
            self.log_line("starting the demo child…")
            self._start_demo()

    @work(thread=True, group="demo", exclusive=True, exit_on_error=False)
    def _start_demo(self) -> None:
        """Spawn the child and wait for its handshake (blocking: a thread)."""
        session = DemoSession(
            lambda events: self.post_message(DemoReported(session, events)),
            self_pid=self.self_pid,
        )
        try:
            started = session.start()
        except DemoError as err:
            self.call_from_thread(self._demo_failed, str(err))
            return
        self.call_from_thread(self._demo_started, session, started)

    def _demo_failed(self, why: str) -> None:
        if self._alive():
            self.log_line(f"demo: {why}")
            self.notify(why, severity="error")

    def _demo_started(self, session: DemoSession, started: Started) -> None:
        if not self._alive():
            session.stop()
            return
        self.demo = session
        self._update_marks()
        self.log_line(started.text)
        # The demo is the natural first target: put the cursor on it.
        self._select_pid = session.pid
        self.request_scan()
        self.update_status()

    @work(thread=True, group="demo", exclusive=True, exit_on_error=False)
    def _stop_demo_worker(self) -> None:
        """Stop the child off the UI thread (it may take a moment)."""
        self.stop_demo()

    def stop_demo(self) -> None:
        """End the demo child and its members, and reap it (blocks briefly)."""
        if self.demo is not None:
            self.demo.stop()

    @on(DemoReported)
    def _demo_reported(self, message: DemoReported) -> None:
        if message.session is not self.demo or not self._alive():
            return  # news from an earlier demo
        for event in message.events:
            match event:
                case Received(lines=lines):
                    for line in lines:
                        self.log_line(line)
                case Logged(text=text):
                    self.log_line(text)
                case Ticked():
                    pass  # the status line below shows the count
                case DispositionChanged(signo=signo, disposition=chosen, text=text):
                    self.log_line(text)
                    if isinstance(self.screen, DispositionScreen):
                        self.screen.update_disposition(signo, chosen)
                case StateChanged(text=text):
                    self.log_line(text)
                    self.request_scan()
                case Ended(text=text):
                    self.log_line(text)
                    self.log_line("demo: press d to start it again")
                    self._update_marks()
                    self.request_scan()
        self.update_status()

    def set_demo_disposition(self, sig: SignalSpec, disposition: str) -> None:
        """Change what the demo child does with a signal.

        Args:
            sig: The signal.
            disposition: ``catch``, ``ignore``, ``default`` or ``hold``.
        """
        if self.demo is None or not self.demo.set_disposition(sig.number, disposition):
            self.notify("The demo is not running: press d first.", severity="warning")

    def action_dispositions(self) -> None:
        """Open the demo's dispositions panel."""
        if self.demo is None or not self.demo.running:
            self.notify("The demo is not running: press d first.", severity="warning")
            return
        self.push_screen(
            DispositionScreen(
                catalogue(), self.demo.dispositions, self.set_demo_disposition
            )
        )

    # -- guided lessons --------------------------------------------------------------

    def action_lessons(self) -> None:
        """Open the lesson picker."""
        current = (
            self.lesson_session.lesson if self.lesson_session is not None else None
        )
        self.push_screen(LessonPicker(current), self._lesson_picked)

    def _lesson_picked(self, choice: Lesson | str | None) -> None:
        if choice == LEAVE:
            self._leave_lesson()
        elif isinstance(choice, Lesson):
            self.start_lesson(choice)

    def start_lesson(self, lesson: Lesson) -> None:
        """End the lesson in progress, if any, and start another.

        Args:
            lesson: The lesson.
        """
        self.log_line(
            f"lesson {lesson.number}, {lesson.title}: starting its processes…"
        )
        run = LessonSession(
            lesson, lambda events: self.post_message(LessonReported(run, events))
        )
        self._lesson_starting = run
        self._start_lesson(run)

    @work(thread=True, group="lesson", exclusive=True, exit_on_error=False)
    def _start_lesson(self, run: LessonSession) -> None:
        """Stop the old lesson, start the new one (both block: a thread)."""
        old = self.lesson_session
        if old is not None:
            old.stop()
            self.call_from_thread(self._lesson_left, old)
        try:
            run.start()
        except LessonError as err:
            self.call_from_thread(self._lesson_failed, run, str(err))
            return
        self.call_from_thread(self._lesson_started, run)

    def _lesson_failed(self, run: LessonSession, why: str) -> None:
        if self._lesson_starting is run:
            self._lesson_starting = None
        if self._alive():
            self.log_line(f"lesson: {why}")
            self.notify(why, severity="error")

    def _lesson_started(self, run: LessonSession) -> None:
        if not self._alive() or self._lesson_starting is not run:
            run.stop()
            return
        self._lesson_starting = None
        self.lesson_session = run
        self._lesson_note = ""
        lesson = run.lesson
        roles = ", ".join(
            f"{role} ({pid})" for pid, role in sorted(run.processes.items())
        )
        self.log_line(
            f"lesson {lesson.number}, {lesson.title}: started {roles}. "
            "L leaves it (and ends them)"
        )
        self.query_one("#lesson", LessonPanel).show(
            lesson, run.done, processes=run.processes
        )
        self.screen.add_class("-lesson")
        self._update_marks()
        self._lesson_cursor_placed = False
        self._place_lesson_cursor(run)
        self.request_scan()
        self.update_status()
        # Already on one of its processes: that counts as finding it.
        row = self.table.current
        if row is not None:
            run.selected(row.info.pid)

    def _place_lesson_cursor(self, run: LessonSession) -> None:
        """Put the cursor on the process the lesson begins with, once.

        As with the demo: nobody should scroll through hundreds of rows to
        find it. Some processes are known only a moment after the start
        (lesson 5's sleeps), so this is tried again on the run's events, until
        the class has done the first step.
        """
        if self._lesson_cursor_placed or run.current != 0:
            return
        pid = run.start_on
        if pid is not None:
            self._select_pid = pid
            self._lesson_cursor_placed = True

    @on(LessonReported)
    def _lesson_events(self, message: LessonReported) -> None:
        run = message.session
        if not self._alive() or run not in (self.lesson_session, self._lesson_starting):
            return  # news from a lesson already left
        for event in message.events:
            self.log_line(event.text)
            match event.kind:
                case Kind.STEP:
                    self._lesson_note = event.text
                case Kind.FINISHED:
                    self.notify(event.text, title="Lesson complete")
        if run is self.lesson_session:
            self._place_lesson_cursor(run)
            self.query_one("#lesson", LessonPanel).show(
                run.lesson, run.done, self._lesson_note, run.processes
            )
            self._update_marks()
            self.update_status()
            self.request_scan()

    @work(thread=True, group="lesson", exclusive=True, exit_on_error=False)
    def _leave_lesson(self) -> None:
        """End the lesson's processes off the UI thread."""
        run = self.lesson_session
        self.stop_lesson()
        if run is not None:
            self.call_from_thread(self._lesson_left, run)

    def _lesson_left(self, run: LessonSession) -> None:
        if not self._alive():
            return
        if self.lesson_session is run:
            self.lesson_session = None
        self.screen.remove_class("-lesson")
        self.log_line(
            f"lesson {run.lesson.number}, {run.lesson.title}: left; all its "
            "processes have ended"
        )
        self._update_marks()
        self.update_status()
        self.request_scan()

    def stop_lesson(self) -> None:
        """End the lesson in progress and all its processes (blocks briefly)."""
        if self.lesson_session is not None:
            self.lesson_session.stop()

    async def action_quit(self) -> None:
        """Stop the demo child and any lesson, then leave."""
        if self.demo is not None and self.demo.running:
            await asyncio.to_thread(self.stop_demo)
        if self.lesson_session is not None:
            await asyncio.to_thread(self.stop_lesson)
        self.exit()

    def action_help(self) -> None:
        """Show the keys and what the marks mean."""
        self.push_screen(HelpScreen(self.BINDINGS))


def wrap_words(text: str, width: int) -> list[str]:
    """Cut a log line at spaces into pieces of at most ``width`` characters.

    Args:
        text: The line.
        width: Characters per piece; below 20 the line is left whole, since
            a log that narrow is not being read.

    Returns:
        The pieces, at least one.
    """
    if width < 20:
        return [text]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


def make_app(
    *,
    source: ProcessSource | None = None,
    columns: Sequence[Column] | str | None = None,
    interval: float | None = None,
    handle_signals: bool = False,
    self_pid: int | None = None,
    hostname: str | None = None,
    read_state: StateReader = read_state_of,
    clock: Callable[[], float] = time.time,
    readonly: bool = False,
    grace: float = 5.0,
    syscalls: Syscalls | None = None,
    state_of: Callable[[ProcessInfo], str | None] = current_state,
    demo: bool = False,
    log_file: TextIO | None = None,
    projector: bool = False,
    lesson: Lesson | None = None,
    config: ConfigFile | None = None,
) -> SigtuiApp:
    """Build the app, for the command line, the tests and the screenshots alike.

    Args:
        source: Where processes come from (default: this system).
        columns: Columns as parsed columns or a ps ``-o`` list (default: the
            settings file's, else ``DEFAULT_COLUMNS``).
        interval: Seconds between refreshes (default: the settings file's,
            else one second).
        handle_signals: Exit cleanly on SIGTERM and SIGHUP.
        self_pid: The pid to mark as sigtui itself (default: this process).
        hostname: The host name to show (default: this host's).
        read_state: Reads a process's signal masks (default: from /proc).
        clock: The current time (default: the system clock).
        readonly: Refuse every send.
        grace: Seconds between SIGTERM and SIGKILL for ``x``.
        syscalls: The system calls sending uses (default: the real ones).
        state_of: Reads a process's state, for watching what a signal did.
        demo: Start the demo child at launch.
        log_file: Where to append log entries as JSON lines.
        projector: Start in projector mode.
        lesson: A guided lesson to start at launch.
        config: The settings file to save changes to (default: none).

    Returns:
        The app, not yet running.
    """
    saved = config.settings if config is not None else Settings()
    if columns is None:
        columns = saved.columns or DEFAULT_COLUMNS
    if isinstance(columns, str):
        columns = parse_columns(columns)
    if interval is None:
        interval = saved.interval or DEFAULT_INTERVAL
    return SigtuiApp(
        source if source is not None else default_scanner(sources=sources_of(columns)),
        columns,
        interval=interval,
        handle_signals=handle_signals,
        self_pid=self_pid,
        hostname=hostname,
        read_state=read_state,
        clock=clock,
        readonly=readonly,
        grace=grace,
        syscalls=syscalls,
        state_of=state_of,
        demo=demo,
        log_file=log_file,
        projector=projector,
        lesson=lesson,
        config=config,
    )
