"""The main screen: the live process table, its keys, the details and the signal log.

It owns the layout and its state classes (``-details``, ``-filtering``,
``-searching``, ``-countdown``, ``-lesson``, ``-projector`` and the width
breakpoints ``-narrow``/``-wide``), so they stay on this screen when a dialog
is pushed over it. What a send, the demo or a lesson *does* is decided by
the Textual-free controllers (:mod:`sigtui.delivery.flow`,
:mod:`sigtui.demo`, :mod:`sigtui.lessons`); this screen shows their reports.

Longer than 500 lines (about 1,200), for a reason: it is the one place where
each of the table's 30-odd keys meets its dialog and its result, in sections:
refreshing and the status line; filter, sort, search and columns (htop's
keys); settings; details; sending; the demo; the lessons. Each section only
wires widgets to a controller: the work itself is in the controllers, in
:mod:`sigtui.ui.status` and in :mod:`sigtui.ui.widgets` (the table, the
details, the log and the countdown each do their own). Splitting the screen
class across modules would only hide that every section shares its layout.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from sigtui.config import Settings
from sigtui.delivery import (
    Context,
    Ending,
    GroupTarget,
    ProcessTarget,
    TaggedTarget,
    Target,
    check,
    summary,
)
from sigtui.delivery.explain import graceful_forecast
from sigtui.delivery.flow import Instrumented, SendFlow, SendReport, Sent
from sigtui.processes import (
    Column,
    ProcessInfo,
    ProcessSnapshot,
    ProcessSource,
    display_escape,
    parse_columns,
)
from sigtui.processes.chooser import columns_spec
from sigtui.processes.columns import for_screen, sources_of
from sigtui.processes.view import Layout, ProcessView, Row
from sigtui.signals import SignalSpec, catalogue
from sigtui.signals.predict import Prediction
from sigtui.trace.feed import STARTING, FeedState
from sigtui.trace.history import (
    OwnSends,
    Scope,
    ScopeView,
    TraceHistory,
    collapse,
    recent_words,
    record_key,
    scope_words,
    select,
    sigchld_hidden,
)
from sigtui.trace.records import Exited, Lost, Record, TracedSignal
from sigtui.trace.words import exit_words, record_line, signal_line
from sigtui.ui.keys import MAIN_KEYS, SORT_KEYS
from sigtui.ui.messages import DemoReported, LessonReported
from sigtui.ui.options import Deps, Feed, Options
from sigtui.ui.status import Status, status_line
from sigtui.ui.theme import PROJECTOR_COLUMNS, PROJECTOR_THEME
from sigtui.ui.widgets.countdown import Countdown
from sigtui.ui.widgets.details import ProcessDetails
from sigtui.ui.widgets.footer import KeyFooter
from sigtui.ui.widgets.lesson_panel import LessonPanel
from sigtui.ui.widgets.process_table import ProcessTable
from sigtui.ui.widgets.signal_log import SignalLog
from sigtui.ui.widgets.text_box import TextBox

if TYPE_CHECKING:
    from sigtui.demo.session import DemoEvent, DemoSession, Started
    from sigtui.lessons import Lesson, LessonSession
    from sigtui.ui.screens.choosers import UserChoice
    from sigtui.ui.screens.picker import PickedSignal

# The dialogs (sigtui.ui.screens.*), the demo's session and the lessons are
# imported when first used: importing sigtui.ui.app went from 0.67 to 0.45 s
# (memory did not move measurably), for what many runs never open.

SCAN_GROUP = "scan"
"""Worker group of the background scans."""

FREEZE_AFTER_S = 0.2
"""Seconds after the first table is shown before the objects of the start are
frozen (MainScreen._freeze_startup_objects): a screen update comes within 1/60 s
and paints 10,000 processes' first screen in about 20 ms."""

NARROW = 120
"""Below this many columns the details panel goes under the table, not beside it."""


TRACE_SHOWN = 30
"""Traced entries the log takes from one batch at most, once collapsed: at
10,000 signals a second the rest are counted in one entry, and keys stay quick."""

TRACE_SETTLE_WAIT = 10.0
"""Seconds a lesson that needs tracing waits for the reader to start."""

TRACE_INBOX = 200_000
"""Records waiting for the UI at most; beyond that the oldest are dropped, and
counted as lost."""

DETAILS_TRACED = 6
"""Recent traced signals the details panel lists."""

NO_TRACE = "sigtui was started with --no-trace."
"""Why tracing is off when it was not asked for."""


SEND_ACTIONS = frozenset(
    {"pick_signal", "pick_group_signal", "end_gracefully", "stop_continue"}
)
"""Actions that need a live process under the cursor."""


class MainScreen(Screen[None]):
    """Lists processes live, like ``ps``, with their process groups made visible.

    Args:
        options: What the user asked for.
        deps: What the screen reads and acts through.
        source: Where processes come from (resolved from ``deps``).
    """

    # Textual annotates this as ``ClassVar[...] | None``, which mypy reads as an
    # instance variable: a ClassVar here would not type-check.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (NARROW, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = MAIN_KEYS
    """Keys of the main screen; the table adds cursor movement."""

    paused: var[bool] = var(False, init=False)
    """Whether refreshing is stopped (``p``/``Z``)."""

    as_tree: var[bool] = var(False, init=False)
    """Whether children show under their parents (``t``)."""

    projector: var[bool] = var(False, init=False, toggle_class="-projector")
    """High contrast, fewer and wider columns, a bigger log, captions (``J``)."""

    class Traced(Message):
        """The trace feed left records in the screen's inbox (posted from its thread).

        The records wait in the inbox rather than in the message: a flood then
        costs one message per batch the UI reads, however many the feed wrote.
        """

    class TracingChanged(Message):
        """Tracing turned on, or off (posted from the feed's thread).

        Attributes:
            state: Whether it is on, and if not, why.
        """

        def __init__(self, state: FeedState) -> None:
            super().__init__()
            self.state = state

    def __init__(self, options: Options, deps: Deps, source: ProcessSource) -> None:
        super().__init__()
        self.options = options
        self.deps = deps
        self.config = deps.config
        self.source = source
        self.readonly = options.readonly
        self.grace = options.grace
        self.interval = options.refresh_interval(self.config)
        self.self_pid = deps.self_pid
        self.hostname = deps.hostname
        self.read_state = deps.read_state
        self.clock = deps.clock
        self.syscalls = deps.syscalls
        self.flow = SendFlow(deps.syscalls, deps.read_state, deps.state_of)
        columns = for_screen(options.column_list(self.config))
        self._screen_columns = columns
        self._theme_before_projector = ""
        self._open_sends: dict[int, int] = {}
        """Signal number → the log entry of its send to the demo, while watched."""
        self.caption = ""
        self.view = ProcessView(columns)
        self._table = ProcessTable(self.view, self_pid=self.self_pid, id="processes")
        self.snapshot: ProcessSnapshot | None = None
        self._status_text = ""
        self.scans = 0
        self._timer: Timer | None = None
        self._scan_worker: Worker[list[Layout]] | None = None
        self._select_pid: int | None = None
        self.demo: DemoSession | None = None
        self.lesson_session: LessonSession | None = None
        self._dispositions_at: int | None = None
        self._lesson_starting: LessonSession | None = None
        self._lesson_note = ""
        self._lesson_cursor_placed = False
        self._can_send = False
        self.trace_history = TraceHistory()
        """What the trace said lately, per process."""
        self.own_sends = OwnSends({os.getpid(), self.self_pid})
        """sigtui's sends, waiting for their traced fate."""
        self.trace_scope = Scope.SELECTED
        """Whose traced signals the log shows (``w``)."""
        self._sigchld_choice: bool | None = None
        self.trace_state = FeedState(
            on=False, sentence=STARTING if options.trace else NO_TRACE
        )
        """Whether tracing is on, and if not, why."""
        self._trace_settled = threading.Event()
        """Set once tracing is on or off for good: a lesson that needs it waits."""
        if not options.trace:
            self._trace_settled.set()
        self._feed: Feed | None = None
        self._trace_stopped = False
        self._inbox: list[Record] = []
        self._inbox_lock = threading.Lock()
        self._inbox_posted = False
        self._inbox_dropped = 0
        self._trace_title = ""
        self._outcomes: dict[int, int] = {}
        """A send's entry → how many outcome events end it, once watched."""

    def compose(self) -> ComposeResult:
        """Lay out the status line, the table, the filter box and the footer."""
        yield Static("scanning processes…", id="status", markup=False)
        with Horizontal(id="main"):
            yield self._table
            yield ProcessDetails(clock=self.clock, id="details")
            yield LessonPanel(id="lesson")
        yield TextBox(placeholder="filter: pid, user or command text", id="filter")
        yield TextBox(
            placeholder="search: pid, user or command text (F3/enter: next match)",
            id="search",
        )
        yield Countdown(self.syscalls, id="countdown")
        yield Static(id="caption", markup=False)
        yield SignalLog(self.clock, self.options.log_file, id="log")
        yield KeyFooter()

    @property
    def table(self) -> ProcessTable:
        """The process table."""
        return self._table

    def _alive(self) -> bool:
        """Whether the screen's widgets are still there.

        A worker can finish while the app is shutting down; its result is
        then dropped rather than applied to widgets that are gone.
        """
        return self._table.is_attached and not self.app._exit

    def on_mount(self) -> None:
        """Apply the saved settings, start scanning, the demo and the lesson."""
        self.set_focus(self.table)
        self._apply_saved_settings()
        self.as_tree = self.view.tree
        self.app.theme_changed_signal.subscribe(
            self, lambda _: self._settings_changed()
        )
        if self.options.projector:
            self.projector = True
        self.log_line(
            "Signal log. k: signal the selected process · g: its group · "
            "x: end it gracefully · ?: help"
            + (" · read-only: sending is off" if self.readonly else "")
        )
        self._update_trace_title()
        if self.options.trace:
            self._start_trace()
        if self.config.problem is not None:
            # Said once, where it stays readable; the file is left as it is.
            self.log_line(f"Settings file ignored: {self.config.problem}")
            self.notify(self.config.problem, title="Settings", severity="warning")
        self._hand_parts(self.view.premake)
        self.request_scan()
        if self.options.demo:
            self.action_toggle_demo()
        if self.options.lesson is not None:
            self.start_lesson(self.options.lesson)

    def on_unmount(self) -> None:
        """End the demo's and the lesson's processes and the tracing; close files."""
        self.stop_demo()
        self.stop_lesson()
        self.stop_trace()
        close = getattr(self.source, "close", None)
        if callable(close):
            close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim the send keys while no process is under the cursor.

        Args:
            action: The action's name.
            parameters: Its parameters.

        Returns:
            None (shown, dimmed and disabled) for a send with no row under
            the cursor (nothing listed yet, or a filter that matches
            nothing); True otherwise. An exited row and read-only mode leave
            them on: the refusal then says why.
        """
        if action in SEND_ACTIONS and not self._can_send:
            return None
        return True

    def _selection_changed(self) -> None:
        """Refresh the keys' state when the cursor gains or loses a row."""
        can_send = self.table.current is not None
        if can_send != self._can_send:
            self._can_send = can_send
            self.refresh_bindings()

    # -- projector mode ----------------------------------------------------------

    def action_toggle_projector(self) -> None:
        """Switch projector mode (high contrast, big log, captions) on or off."""
        self.projector = not self.projector
        self.log_line(
            "projector mode "
            + (
                "on: high contrast, fewer columns, a caption after every send"
                if self.projector
                else "off"
            )
        )

    def watch_projector(self, on: bool) -> None:
        """Change the theme, the columns and the log's wrapping."""
        app = self.app
        if on:
            if app.theme != PROJECTOR_THEME.name:
                self._theme_before_projector = app.theme
            app.theme = PROJECTOR_THEME.name
            columns = tuple(parse_columns(PROJECTOR_COLUMNS))
        else:
            if app.theme == PROJECTOR_THEME.name:
                app.theme = self._theme_before_projector or "textual-dark"
            columns = self._screen_columns
        self.query_one(SignalLog).wrap = on
        self.show_columns(columns)
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
        if new_files and self.is_attached and not self.paused:
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

    def _scan(self) -> list[Layout]:
        """Scan and lay out the rows, in a worker: both cost O(processes).

        The layout comes in a list that the receiver empties. A finished
        worker is part of a reference cycle (its task), so it lives until
        the garbage collector's rare full pass, and a layout it still held
        would keep a whole snapshot per refresh alive with it: sigtui's
        memory grew by 2 MiB a refresh at 10,000 processes until that pass.
        """
        return [self.view.prepare(self.source.scan())]

    @on(Worker.StateChanged)
    def _scan_finished(self, event: Worker.StateChanged) -> None:
        """Apply a finished scan and schedule the next one."""
        worker = event.worker
        if worker.group != SCAN_GROUP or not worker.is_finished:
            return
        if not self._alive():
            return
        handed = worker.result if event.state is WorkerState.SUCCESS else None
        if isinstance(handed, list) and handed:
            layout = handed.pop()
            self.scans += 1
            self.snapshot = layout.snapshot
            self.table.show_layout(layout)
            if self.scans == 1:
                self._hand_parts(None)
                # Once the table is on the screen: a full collection takes
                # 40 ms at 10,000 processes. Not call_after_refresh: that can
                # run before the table has marked itself for repainting.
                self.set_timer(FREEZE_AFTER_S, self._freeze_startup_objects)
            if self._select_pid is not None:
                info = self.snapshot.by_pid.get(self._select_pid)
                if info is not None and self.table.select(info.identity):
                    self._select_pid = None
            self.refresh_details()
            self._selection_changed()
        elif event.state is WorkerState.ERROR:
            self.notify(f"Could not read processes: {worker.error}", severity="error")
        self.update_status()
        # Scheduling only after a scan ends means scans never overlap, however
        # slow one is.
        if not self.paused:
            self._timer = self.set_timer(self.interval, self.request_scan)

    def _hand_parts(self, receive: Callable[[ProcessSnapshot], None] | None) -> None:
        """Have the first scan's parts laid out as they arrive, or stop it.

        A scanner whose first scan is read ahead hands it over in parts
        (:meth:`ProcfsScanner.on_ahead_part
        <sigtui.processes.scan.ProcfsScanner.on_ahead_part>`); the view makes
        their rows meanwhile, so that little is left once the last part
        comes. Other sources have no parts.
        """
        hand = getattr(self.source, "on_ahead_part", None)
        if callable(hand):
            hand(receive)

    def _freeze_startup_objects(self) -> None:
        """Exempt what exists after the first scan from garbage collection.

        That is Textual's widgets and styles and one object or more per
        process: hundreds of thousands at 10,000 processes, which a full
        collection walks (40-100 ms, holding the GIL) at unpredictable
        moments, such as in the middle of answering a key. They are still
        freed as usual when no longer referenced; only cycles among them wait
        for the app's unmount to unfreeze them.
        """
        gc.collect()
        gc.freeze()

    # -- status ----------------------------------------------------------------

    def on_resize(self) -> None:
        """Fit the status line to the new width."""
        self.update_status()

    def update_status(self) -> None:
        """Rewrite the status line, fitted to the terminal's width."""
        demo = self.demo
        box = self.query_one("#status", Static)
        ended = ""
        row = self.table.current
        exited = self._exit_of(row)
        if row is not None and exited is not None:
            ended = f"{row.info.pid} {display_escape(exit_words(exited))}"
        text = status_line(
            self.view,
            self.snapshot,
            Status(
                hostname=self.hostname,
                paused=self.paused,
                interval=self.interval,
                readonly=self.readonly,
                projector=self.projector,
                demo=(demo.pid, demo.ticks) if demo and demo.running else None,
                lesson=self.lesson_session,
                ended=ended,
            ),
            width=self.app.size.width - box.styles.gutter.width,
        )
        if text != self._status_text:  # an unchanged line costs no repaint
            self._status_text = text
            # One line high and as wide as the screen whatever it says: a new
            # text needs a repaint, not a layout of the whole screen.
            box.update(text, layout=False)

    # -- filter, sort, search ----------------------------------------------------

    def action_filter(self) -> None:
        """Open the filter box."""
        self.add_class("-filtering")
        # At once, not after the queued keys: keys typed right after "/" (a
        # paste, tmux's send-keys) belong to the box, not to the table.
        self.set_focus(self.query_one("#filter", Input))

    @on(Input.Changed, "#filter")
    async def _filter_changed(self, event: Input.Changed) -> None:
        """Filter live as the user types."""
        # The box has asked the screen to paint its echo already; the table
        # and the status line send their requests from their own message
        # loops, which ran only after the screen had gone idle and painted
        # the letter alone: the new rows came a frame (17 ms, more under
        # load) later. Letting them run before this handler returns keeps
        # the screen busy until every request is in, and the batch keeps a
        # frame already due from being painted meanwhile: one update shows
        # the letter and its rows.
        with self.app.batch_update():
            self.view.set_filter(event.value)
            self.table.rows_changed()
            self.update_status()
            self._selection_changed()
            await asyncio.sleep(0)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        """Go back to the table, keeping the filter."""
        if not self.view.filter_text:
            self.remove_class("-filtering")
        self.set_focus(self.table)

    def action_clear_filter(self) -> None:
        """Cancel a graceful end that is waiting, else clear the filter."""
        if self.query_one(Countdown).cancel():
            return
        if self.has_class("-searching"):
            self._close_search()
            return
        box = self.query_one("#filter", Input)
        box.value = ""
        self.view.set_filter("")
        self.remove_class("-filtering")
        self.table.rows_changed()
        self.set_focus(self.table)
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
        self.as_tree = not self.as_tree

    def watch_as_tree(self, tree: bool) -> None:
        """Show the flat list or the tree."""
        if tree != self.view.tree:
            self.view.set_tree(tree)
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

    def _sort(self, index: int, reverse: bool | None) -> None:
        self.view.set_sort(index, reverse)
        self._rearranged()

    def action_sort_previous(self) -> None:
        """Sort by the previous column (htop's ``<``)."""
        view = self.view
        self._sort((view.sort_index - 1) % len(view.columns), None)

    def action_choose_sort(self) -> None:
        """Choose the sort column from a list (htop's ``F6``)."""
        from sigtui.ui.screens.choosers import SortPicker

        view = self.view
        self.app.push_screen(
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
        if self.has_class("-searching"):
            self._find(box.value, skip=True)
        else:
            self.add_class("-searching")
        self.set_focus(box)  # at once: see action_filter

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
        self.remove_class("-searching")
        self.set_focus(self.table)

    def action_choose_user(self) -> None:
        """Show one user's processes, chosen from a list (htop's ``u``)."""
        from sigtui.ui.screens.choosers import UserPicker

        self.app.push_screen(
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
        from sigtui.ui.screens.choosers import ColumnPicker

        self.app.push_screen(ColumnPicker(self.view.columns), self._columns_chosen)

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

    # -- settings ----------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings the user can change, as they are now, every one set.

        The columns are the user's, not projector mode's (which are its own),
        and so is the theme.
        """
        view = self.view
        sort = view.columns[view.sort_index]
        theme = self.app.theme
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

        The columns and the interval come from the options, under the command
        line's. What is in effect then is noted, so that only what the user
        changes later is saved.
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
            if saved.theme in self.app.available_themes:
                self.app.theme = saved.theme
            else:
                self.log_line(
                    f"Settings file: no theme called {saved.theme!r} here; "
                    f"using {self.app.theme}."
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

    def action_set_interval(self) -> None:
        """Ask for the seconds between refreshes, and refresh at the new pace."""
        from sigtui.ui.screens.interval import IntervalDialog

        self.app.push_screen(IntervalDialog(self.interval), self._interval_chosen)

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

    def watch_paused(self, paused: bool) -> None:
        """Stop the refresh timer, or scan now and go on."""
        if paused and self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not paused and self.scans:
            self.request_scan()
        self.update_status()

    # -- details -----------------------------------------------------------------

    @property
    def details_shown(self) -> bool:
        """Whether the details panel is open."""
        return self.has_class("-details")

    def action_toggle_details(self) -> None:
        """Open or close the details panel."""
        self.toggle_class("-details")
        self.refresh_details()

    @on(ProcessTable.Highlighted)
    def _selection_moved(self) -> None:
        self.refresh_details()
        self._selection_changed()
        self._update_trace_title()
        if self._exit_of(self.table.current) is not None:
            self.update_status()
        row = self.table.current
        if self.lesson_session is not None and row is not None and not row.gone:
            self.lesson_session.selected(row.info.pid)

    def refresh_details(self) -> None:
        """Show the selected process in the details panel, if it is open."""
        if self.details_shown:
            panel = self.query_one("#details", ProcessDetails)
            row = self.table.current
            traced: list[str] | None = None
            ended = ""
            if row is not None and (self.trace_state.on or self.trace_history.signals):
                now = self.deps.monotonic()
                recent = self.trace_history.recent(row.info.pid, DETAILS_TRACED)
                traced = [display_escape(recent_words(r, s, now)) for r, s in recent]
                exited = self._exit_of(row)
                if exited is not None:
                    ended = display_escape(exit_words(exited, now))
            panel.show_row(row, self.view.snapshot, self.read_state, traced, ended)

    # -- the signal picker and sending ----------------------------------------------

    def action_pick_signal(self) -> None:
        """Open the signal picker for the selected process."""
        self._open_picker(group=False)

    def action_pick_group_signal(self) -> None:
        """Open the signal picker for the selected process's group."""
        self._open_picker(group=True)

    def _open_picker(self, *, group: bool) -> None:
        info = self._selected_for_send()
        if info is None:
            return
        if group and info.pgid <= 0:
            self.notify(
                f"Process {info.pid} has no process group of its own to signal.",
                severity="warning",
            )
            group = False
        members = [p for p in self.view.snapshot.processes if p.pgid == info.pgid]
        tagged = [] if group else self.view.tagged_processes()
        # The demo reports what it does with each signal; its masks do not
        # say it (it blocks what it catches and dequeues with sigtimedwait).
        demo = self.demo
        dispositions = (
            {demo.pid: demo.dispositions} if demo is not None and demo.running else {}
        )
        from sigtui.ui.screens.picker import SignalPicker

        self.app.push_screen(
            SignalPicker(
                info,
                members,
                catalogue(),
                self.read_state,
                group=group,
                tagged=tagged,
                dispositions=dispositions,
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

    def sender_context(self) -> Context:
        """Describe sigtui as the sender, for the safety rules (UI thread only).

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

        from sigtui.ui.screens.confirm import ConfirmSend

        self.app.push_screen(
            ConfirmSend(
                f"Send {sig.name} to {target.describe()}?",
                verdict.confirmations,
                target.members,
                prediction,
            ),
            answered,
        )

    def _deliver(self, target: Target, sig: SignalSpec) -> None:
        """Send from a worker, with all it needs read here, on the UI thread."""
        demo = self.demo
        if demo is not None and demo.pid not in {m.pid for m in target.members}:
            demo = None
        # One entry for the send, completed in place as its results come.
        entry = self.query_one(SignalLog).add(f"{sig.name} → {target.describe()}")
        if demo is not None:
            self._open_sends[sig.number] = entry  # for the demo's receipt
        if self.trace_state.on:
            pids = [member.pid for member in target.members]
            self.own_sends.expect(
                entry,
                pids,
                sig.number,
                self.deps.monotonic(),
                # The demo takes its signals with sigtimedwait (no trace of
                # it) and says itself what it did.
                quiet_pending=not self.instrumented_pids.isdisjoint(pids),
            )
        self._send_worker(
            target,
            sig,
            self.sender_context(),
            Instrumented() if self.demo is None else self.demo.instrumented(sig.number),
            demo,
            self.lesson_session,
            entry,
        )

    @work(thread=True, group="send", exit_on_error=False)
    def _send_worker(
        self,
        target: Target,
        sig: SignalSpec,
        context: Context,
        instrumented: Instrumented,
        demo: DemoSession | None,
        lesson: LessonSession | None,
        entry: int,
    ) -> None:
        """Send, then watch the targets for a moment (system calls: a thread)."""
        said: list[DemoEvent] = []

        def before_send(started_ns: int) -> None:
            # Recorded before the signal goes: the demo's report of it is
            # narrated on the session's thread, and may come at once.
            if demo is not None:
                said.append(demo.sent(sig.number, sig.name, started_ns))

        def sent(report: Sent) -> None:
            if demo is not None and not report.reached_demo:
                demo.withdraw(sig.number)
                said.clear()
            if lesson is not None:
                lesson.saw_send(report)
            self.app.call_from_thread(self._sent, report, entry, said)

        report = self.flow.run(target, sig, context, instrumented, sent, before_send)
        self.app.call_from_thread(self._watched, report, entry)

    def _sent(self, report: Sent, entry: int, said: list[DemoEvent]) -> None:
        if not self._alive():
            return
        log = self.query_one(SignalLog)
        for result in report.results:
            # "SIGTERM delivered to process 7." completes "SIGTERM → process 7".
            log.amend(entry, result.message)
        from sigtui.demo.session import Logged

        for event in said:
            if isinstance(event, Logged):
                log.amend(entry, event.text)  # the demo's "sigtui sent …"
        self._pop_up_result(
            summary(report.results),
            title=f"{report.sig.name} {'sent' if report.ok else 'not sent everywhere'}",
            failed=not report.ok,
        )
        self.request_scan()

    def _pop_up_result(self, message: str, *, title: str = "", failed: bool) -> None:
        """Pop up what a send did only when it failed.

        A result is in the log, where it stays readable; a pop-up repeating
        it only covered the newest log lines. A failure is also worth the
        user's eye when the log is busy.
        """
        if failed:
            self.notify(message, title=title, severity="error")

    def _watched(self, report: SendReport, entry: int) -> None:
        if not self._alive():
            return
        self.show_caption(report.caption)
        log = self.query_one(SignalLog)
        for line in report.outcome_lines:
            log.amend(entry, line)
        if self.own_sends.waits_for(entry):
            # Its traced fate goes before these, when it comes after them.
            self._outcomes[entry] = len(report.outcome_lines)
        if entry not in self._open_sends.values():
            log.finish(entry)  # else when the demo's receipt completes it
        if report.seen:
            self.request_scan()

    def _log_send_event(self, signo: int, lines: Sequence[str]) -> None:
        """Add the demo's receipt of a signal to its send's entry, if open."""
        entry = self._open_sends.pop(signo, None)
        if entry is None or not self._alive():
            for line in lines:
                self.log_line(line)
            return
        log = self.query_one(SignalLog)
        for line in lines:
            log.amend(entry, line)
        log.finish(entry)

    def log_line(self, text: str) -> None:
        """Add a timestamped line to the signal log.

        Args:
            text: The line (escaped already where it holds process text).
        """
        if self._alive():
            self.query_one(SignalLog).add(text)

    def _selected_for_send(self) -> ProcessInfo | None:
        row = self.table.current
        if row is None:
            self.notify("No process selected.", severity="warning")
            return None
        if row.gone:
            exited = self._exit_of(row)
            how = "" if exited is None else f" ({display_escape(exit_words(exited))})"
            self.notify(
                f"Not sent: process {row.info.pid} exited{how}.", severity="warning"
            )
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
        self._update_trace_title()

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
        countdown = self.query_one(Countdown)
        if countdown.running:
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
                self.log_line(f"SIGTERM → process {info.pid}: ending gracefully")
                countdown.start(info, self.grace)

        from sigtui.ui.screens.confirm import ConfirmSend

        self.app.push_screen(
            ConfirmSend(
                f"End {target.describe()}: SIGTERM, then SIGKILL if it is still "
                f"there after {self.grace:g} s?",
                verdict.confirmations,
                target.members,
                graceful_forecast(self._predict_term(info), self.grace),
            ),
            answered,
        )

    def _predict_term(self, info: ProcessInfo) -> Prediction:
        """What SIGTERM will do to a process (one small /proc read)."""
        term = catalogue().by_name("SIGTERM")
        demo = self.demo
        instrumented = (
            Instrumented() if demo is None else demo.instrumented(term.number)
        )
        return self.flow.forecast(info, term, instrumented)

    @on(Countdown.Ended)
    def _escalated(self, event: Countdown.Ended) -> None:
        if not self._alive():
            return
        result = event.result
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
        from sigtui.demo.session import DemoError, DemoSession

        session = DemoSession(
            lambda events: self.post_message(DemoReported(session, events)),
            self_pid=self.self_pid,
        )
        session.set_tracing(self.trace_state.on)
        try:
            started = session.start()
        except DemoError as err:
            self.app.call_from_thread(self._demo_failed, str(err))
            return
        self.app.call_from_thread(self._demo_started, session, started)

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

    @work(thread=True, group="demo-release", exit_on_error=False)
    def _release_demo(self, session: DemoSession) -> None:
        """Let an ended demo's session close its pipes and threads (may block)."""
        session.stop()

    def stop_demo(self) -> None:
        """End the demo child and its members, and reap it (blocks briefly)."""
        if self.demo is not None:
            self.demo.stop()

    @on(DemoReported)
    def _demo_reported(self, message: DemoReported) -> None:
        if message.session is self.demo and self._alive():
            self._show_demo(message.events)  # else: news from an earlier demo

    def _show_demo(self, events: list[DemoEvent]) -> None:
        """Render what the demo session says: log lines, a panel, the status."""
        from sigtui.demo.session import (
            DispositionChanged,
            Ended,
            Logged,
            Received,
            StateChanged,
            Ticked,
        )

        for event in events:
            match event:
                case Received(signo=signo, lines=lines):
                    self._log_send_event(signo, lines)
                case Logged(text=text):
                    self.log_line(text)
                case Ticked():
                    pass  # the status line below shows the count
                case DispositionChanged(signo=signo, disposition=chosen, text=text):
                    self.log_line(text)
                    from sigtui.ui.screens.dispositions import DispositionScreen

                    screen = self.app.screen
                    if isinstance(screen, DispositionScreen):
                        screen.update_disposition(signo, chosen)
                case StateChanged(text=text):
                    self.log_line(text)
                    self.request_scan()
                case Ended(text=text):
                    self.log_line(text)
                    self.log_line("demo: press d to start it again")
                    self._update_marks()
                    self.request_scan()
                    if self.demo is not None:
                        # Killed from outside: its pipes and threads go too.
                        self._release_demo(self.demo)
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
        from sigtui.ui.screens.dispositions import DispositionScreen

        self.app.push_screen(
            DispositionScreen(
                catalogue(),
                self.demo.dispositions,
                self.set_demo_disposition,
                self._dispositions_at,
            ),
            self._dispositions_left,
        )

    def _dispositions_left(self, signo: int | None) -> None:
        """Remember where the dispositions dialog was left, to open it there."""
        if signo is not None:
            self._dispositions_at = signo

    # -- guided lessons --------------------------------------------------------------

    def action_lessons(self) -> None:
        """Open the lesson picker."""
        session = self.lesson_session
        current = session.lesson if session is not None else None
        from sigtui.ui.screens.lessons import LessonPicker

        self.app.push_screen(LessonPicker(current), self._lesson_picked)

    def _lesson_picked(self, choice: Lesson | str | None) -> None:
        from sigtui.lessons import Lesson
        from sigtui.ui.screens.lessons import LEAVE

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
        from sigtui.lessons import LessonSession

        run = LessonSession(
            lesson, lambda events: self.post_message(LessonReported(run, events))
        )
        self._lesson_starting = run
        self._start_lesson(run, self.lesson_session)

    @work(thread=True, group="lesson", exclusive=True, exit_on_error=False)
    def _start_lesson(self, run: LessonSession, old: LessonSession | None) -> None:
        """Stop the old lesson, start the new one (both block: a thread)."""
        from sigtui.lessons import LessonError

        if old is not None:
            old.stop()
            self.app.call_from_thread(self._lesson_left, old)
        if run.lesson.needs_tracing:
            # Started from the command line, it comes before the reader is up.
            self._trace_settled.wait(TRACE_SETTLE_WAIT)
        run.set_tracing(self.trace_state.on)
        try:
            run.start()
        except LessonError as err:
            self.app.call_from_thread(self._lesson_failed, run, str(err))
            return
        self.app.call_from_thread(self._lesson_started, run)

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
        self.add_class("-lesson")
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
        from sigtui.lessons import Kind

        for event in message.events:
            self.log_line(event.text)
            match event.kind:
                case Kind.STEP:
                    self._lesson_note = event.text
                case Kind.FINISHED:
                    # The log and the panel say it; a pop-up (top right) would
                    # cover the panel's ticked steps.
                    pass
        if run is self.lesson_session:
            self._place_lesson_cursor(run)
            self.query_one("#lesson", LessonPanel).show(
                run.lesson, run.done, self._lesson_note, run.processes
            )
            self._update_marks()
            self.update_status()
            self.request_scan()

    def _leave_lesson(self) -> None:
        """End the lesson's processes off the UI thread."""
        if self.lesson_session is not None:
            self._leave_lesson_worker(self.lesson_session)

    @work(thread=True, group="lesson", exclusive=True, exit_on_error=False)
    def _leave_lesson_worker(self, run: LessonSession) -> None:
        run.stop()
        self.app.call_from_thread(self._lesson_left, run)

    def _lesson_left(self, run: LessonSession) -> None:
        if not self._alive():
            return
        if self.lesson_session is run:
            self.lesson_session = None
        self.remove_class("-lesson")
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

    # -- tracing -------------------------------------------------------------------

    @property
    def trace_feed(self) -> Feed | None:
        """The trace feed, once started (None while tracing is off)."""
        return self._feed

    @work(thread=True, group="trace", exit_on_error=False)
    def _start_trace(self) -> None:
        """Start the trace feed (it spawns its reader process: a thread)."""
        feed = self.deps.trace_feed(self._feed_records, self._feed_state)
        try:
            feed.start()
        except OSError as err:
            self._feed_state(
                FeedState(
                    on=False,
                    sentence=f"Tracing is off: its reader did not start ({err}).",
                )
            )
            return
        self._feed = feed
        if self._trace_stopped:
            self.stop_trace()  # the screen went away while the feed started

    def stop_trace(self) -> None:
        """Stop the trace feed; its reader removes its instance (blocks briefly)."""
        self._trace_stopped = True
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.stop()

    def _feed_records(self, records: list[Record]) -> None:
        """Inbox a batch (on the feed's thread), posting one message while unread."""
        with self._inbox_lock:
            inbox = self._inbox
            inbox.extend(records)
            excess = len(inbox) - TRACE_INBOX
            if excess > 0:
                del inbox[:excess]
                self._inbox_dropped += excess
            if self._inbox_posted:
                return
            self._inbox_posted = True
        self.post_message(self.Traced())

    def _feed_state(self, state: FeedState) -> None:
        """Pass on the feed's news from its thread."""
        self.post_message(self.TracingChanged(state))

    @on(TracingChanged)
    def _tracing_changed(self, message: TracingChanged) -> None:
        state = message.state
        self.trace_state = state
        if state.on or state.sentence != STARTING:
            self._trace_settled.set()
        for session in (self.demo, self.lesson_session, self._lesson_starting):
            if session is not None:
                session.set_tracing(state.on)
        if not self._alive():
            return
        if state.on:
            self.log_line(
                "tracing on: the log shows who sent each signal and what became "
                "of it · w: whose signals · c: SIGCHLD"
            )
        else:
            self.log_line(f"tracing off: {state.sentence}")
        self._update_trace_title()
        self.refresh_details()

    @on(Traced)
    def _traced(self) -> None:
        with self._inbox_lock:
            records, self._inbox = self._inbox, []
            dropped, self._inbox_dropped = self._inbox_dropped, 0
            self._inbox_posted = False
        if dropped:
            # The oldest were dropped: the loss comes before what was kept.
            records.insert(0, Lost(self.deps.monotonic(), dropped))
        if records and self._alive():
            # The demo and the lesson learn what their programs cannot report.
            for session in (self.demo, self.lesson_session):
                if session is not None:
                    session.traced(records)
            self._show_traced(records)

    def _scope_view(self) -> ScopeView:
        """What the scope needs to choose records, as the table is now."""
        row = self.table.current
        by_pid = self.view.snapshot.by_pid

        def pgid_of(pid: int) -> int | None:
            info = by_pid.get(pid)
            return None if info is None else info.pgid

        scope = self.trace_scope
        return ScopeView(
            scope,
            pid=None if row is None else row.info.pid,
            pgid=None if row is None else row.info.pgid,
            tagged=frozenset(identity.pid for identity in self.view.tagged),
            pgid_of=pgid_of,
            hide_sigchld=sigchld_hidden(scope, self._sigchld_choice),
        )

    def _show_traced(self, records: list[Record]) -> None:
        """Remember a batch, complete sigtui's own sends, and log what is in scope.

        At 10,000 signals a second a batch holds a thousand records: each is
        looked at once, cheaply; the log gets at most :data:`TRACE_SHOWN`
        entries, floods collapsed first.
        """
        now = self.deps.monotonic()
        history = self.trace_history
        view = self._scope_view()
        selected = view.pid
        before = None if selected is None else history.marker(selected)
        history.add(records)
        if len(self.own_sends):
            records = self._pair_own_sends(records, now)
        shown = select(records, view)
        entries = collapse(shown)
        items: list[tuple[str, int, Hashable]] = []
        if len(entries) > TRACE_SHOWN:
            skipped = sum(
                counted.count
                for counted in entries[:-TRACE_SHOWN]
                if not isinstance(counted.record, Lost)
            )
            items.append(
                (
                    f"… {skipped} more traced signals at once: only the newest "
                    "are listed",
                    1,
                    None,
                )
            )
            entries = entries[-TRACE_SHOWN:]
        for counted in entries:
            record = counted.record
            if isinstance(record, Lost):
                text = (
                    f"{counted.count} traced events lost: the kernel's buffer was full"
                )
                items.append((text, 1, None))
            elif isinstance(record, TracedSignal):
                text = display_escape(signal_line(record))
                items.append((text, counted.count, record_key(record)))
            else:
                items.append((display_escape(record_line(record)), 1, None))
        if items:
            self.query_one(SignalLog).add_counted(items)
        if selected is not None and history.marker(selected) != before:
            self.refresh_details()
            self.update_status()
        self._update_trace_title()

    def _pair_own_sends(self, records: list[Record], now: float) -> list[Record]:
        """Complete sigtui's sends' entries with their traced fates.

        Returns:
            The other records (a paired one is not logged again on its own).
        """
        own = self.own_sends
        if own.forget_old(now):
            self._outcomes = {
                entry: n for entry, n in self._outcomes.items() if own.waits_for(entry)
            }
        log = self.query_one(SignalLog)
        paired_ids: set[int] = set()
        own_pids = own.own_pids
        for record in records:
            if type(record) is not TracedSignal or record.sender_pid not in own_pids:
                continue
            paired = own.pair(record, now)
            if paired is None:
                continue
            paired_ids.add(id(record))
            entry, text = paired
            if text:
                log.amend(
                    entry,
                    text,
                    before=self._outcomes.get(entry, 0),
                    or_add=False,  # folded into the one before, which says it
                )
            if not own.waits_for(entry):
                self._outcomes.pop(entry, None)
        if not paired_ids:
            return records
        return [record for record in records if id(record) not in paired_ids]

    def _exit_of(self, row: Row | None) -> Exited | None:
        """How the selected process ended, if it has and the trace saw it.

        Only for a row that is gone or a zombie: a pid reused by a process
        that is running has not ended.
        """
        if row is None or not (row.gone or row.info.state in ("Z", "X")):
            return None
        return self.trace_history.exit_of(row.info.pid)

    def _scope_words(self) -> str:
        """Name the scope as the table is now: "pid 4200 (sleep)", "group 4200"..."""
        row = self.table.current
        info = None if row is None else row.info
        return scope_words(
            self.trace_scope,
            pid=None if info is None else info.pid,
            name="" if info is None else display_escape(info.comm),
            pgid=None if info is None else info.pgid,
            tagged=len(self.view.tagged),
        )

    def _update_trace_title(self) -> None:
        """Name the log's scope in its title, or say why tracing is off."""
        state = self.trace_state
        if state.on:
            parts = [f"Traced: {self._scope_words()}"]
            if sigchld_hidden(self.trace_scope, self._sigchld_choice):
                parts.append("SIGCHLD hidden")
            lost = self.trace_history.lost
            if lost:
                parts.append(f"{lost} events lost")
            title = " · ".join(parts) + " · w: scope · c: SIGCHLD"
        elif self.options.trace and state.sentence == STARTING:
            title = "tracing: starting…"
        else:
            title = f"tracing off: {state.sentence}"
        if title != self._trace_title:
            self._trace_title = title
            self.query_one(SignalLog).border_title = title

    def action_cycle_trace_scope(self) -> None:
        """Show the traced signals of the process, its group, the tagged, or all."""
        self.trace_scope = self.trace_scope.next()
        self._update_trace_title()
        if not self.trace_state.on:
            self.notify(f"Tracing is off: {self.trace_state.sentence}")
            return
        words = self._scope_words()
        self.log_line(f"traced signals shown from now on: {words} (w: next)")

    def action_toggle_sigchld(self) -> None:
        """Show or hide traced SIGCHLD and plain exits (every ended child's news)."""
        hidden = not sigchld_hidden(self.trace_scope, self._sigchld_choice)
        self._sigchld_choice = hidden
        self._update_trace_title()
        self.log_line(
            "traced SIGCHLD and plain exits "
            + ("hidden (c shows them)" if hidden else "shown (c hides them)")
        )
