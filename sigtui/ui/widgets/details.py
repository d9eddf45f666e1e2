"""The details panel: everything about the selected process, signals included."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from rich.table import Table
from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.widgets import Static

from sigtui.processes import (
    ProcessInfo,
    ProcessSnapshot,
    command_text,
    display_escape,
    format_cputime,
    format_etime,
    format_stat,
)
from sigtui.processes.view import Row
from sigtui.signals import SignalState, catalogue
from sigtui.signals.survival import holds, read_circumstances

STATE_NAMES = {
    "R": "running",
    "S": "sleeping",
    "D": "disk wait (uninterruptible)",
    "T": "stopped",
    "t": "stopped by a debugger",
    "Z": "zombie (exited, not yet reaped)",
    "X": "dead",
    "I": "idle kernel thread",
    "P": "parked",
    "W": "waking",
    "K": "wake-kill",
}
"""Plain words for the one-letter states."""


def signal_names(numbers: Iterable[int]) -> str:
    """Name a set of signals, lowest first, without the SIG prefix.

    Args:
        numbers: Signal numbers.

    Returns:
        For example ``HUP PIPE XFSZ``, or ``-`` for none.
    """
    names = catalogue()
    shown = [names.name_of(n).removeprefix("SIG") for n in sorted(numbers)]
    return " ".join(shown) if shown else "-"


class ProcessDetails(VerticalScroll):
    """Shows one process: ids, terminal, user, times, command and signal masks.

    Args:
        clock: Returns the current time (seconds since the epoch).
        id: Widget id.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._body = Static("No process selected.", id="details-body")
        self._asked = 0
        """How many times a row was asked for: a read answers only the newest."""

    def compose(self) -> Iterable[Static]:
        """The single text body."""
        yield self._body

    def show(
        self,
        info: ProcessInfo | None,
        snapshot: ProcessSnapshot | None,
        state: SignalState | None = None,
        *,
        gone: bool = False,
        problem: str | None = None,
        held: Sequence[str] = (),
        traced: Sequence[str] | None = None,
        ended: str = "",
    ) -> None:
        """Show a process.

        Args:
            info: The process, or None for an empty table.
            snapshot: The scan it comes from.
            state: Its signal state, if read.
            gone: Whether it has exited.
            problem: Why the signal state is missing, if it is.
            held: Why it cannot act on signals now, in sentences (in
                uninterruptible sleep, a zombie, stopped, traced).
            traced: Its recent traced signals, sent and received, newest
                first, one line each; None while tracing is off.
            ended: How it ended, as the trace saw it ("" if unknown).
        """
        if info is None or snapshot is None:
            self._body.update("No process selected.")
            return
        self._body.update(
            self._describe(
                info,
                snapshot,
                state,
                gone,
                problem,
                tuple(held),
                None if traced is None else tuple(traced),
                ended,
            )
        )

    def show_row(
        self,
        row: Row | None,
        snapshot: ProcessSnapshot,
        read_state: Callable[[ProcessInfo], SignalState],
        traced: Sequence[str] | None = None,
        ended: str = "",
    ) -> None:
        """Show the selected row, reading its masks and circumstances in a thread.

        Args:
            row: The selected row, or None for an empty table.
            snapshot: The scan it comes from.
            read_state: Reads a process's signal masks.
            traced: Its recent traced signals, newest first; None while
                tracing is off.
            ended: How it ended, as the trace saw it ("" if unknown).
        """
        # A read still running for an earlier call must not overwrite this one
        # (the same process, alive then, gone now): only the newest counts.
        self._asked += 1
        if row is None:
            self.show(None, None)
            return
        if row.gone or row.info.kernel_thread:
            self.show(
                row.info,
                snapshot,
                gone=row.gone,
                problem="exited",
                traced=traced,
                ended=ended,
            )
            return
        self._load(self._asked, row.info, snapshot, read_state, traced, ended)

    @work(thread=True, exclusive=True, group="details", exit_on_error=False)
    def _load(
        self,
        asked: int,
        info: ProcessInfo,
        snapshot: ProcessSnapshot,
        read_state: Callable[[ProcessInfo], SignalState],
        traced: Sequence[str] | None,
        ended: str,
    ) -> None:
        """Read the process's masks off the UI thread (they are /proc files)."""
        state: SignalState | None = None
        problem: str | None = None
        try:
            state = read_state(info)
        except ProcessLookupError:
            problem = "exited"
        except PermissionError:
            problem = "not readable: permission denied"
        except (OSError, ValueError) as err:
            problem = f"not readable: {err}"
        # What keeps it from acting on signals: D, zombie, stopped, traced.
        found = read_circumstances(info)
        held = () if found is None else tuple(r.explanation for r in holds(found))
        self.app.call_from_thread(
            self._loaded, asked, info, snapshot, state, problem, held, traced, ended
        )

    def _loaded(
        self,
        asked: int,
        info: ProcessInfo,
        snapshot: ProcessSnapshot,
        state: SignalState | None,
        problem: str | None,
        held: tuple[str, ...],
        traced: Sequence[str] | None,
        ended: str,
    ) -> None:
        if self.is_attached and asked == self._asked:
            # Else the cursor moved on meanwhile.
            self.show(
                info,
                snapshot,
                state,
                problem=problem,
                held=held,
                traced=traced,
                ended=ended,
            )

    def _describe(
        self,
        info: ProcessInfo,
        snapshot: ProcessSnapshot,
        state: SignalState | None,
        gone: bool,
        problem: str | None,
        held: tuple[str, ...],
        traced: tuple[str, ...] | None,
        ended: str,
    ) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")

        def row(label: str, value: str) -> None:
            grid.add_row(label, Text(value))

        title = f"{info.pid}  {display_escape(info.comm)}"
        grid.add_row(Text("Process", style="bold"), Text(title, style="bold"))
        if ended:
            row("Ended", ended)
        elif gone:
            row("", "exited since the last refresh")
        state_name = STATE_NAMES.get(info.state, info.state)
        row("State", f"{format_stat(info)} ({state_name})")
        for number, sentence in enumerate(held):
            row("Why" if number == 0 else "", sentence)
        row("Parent", str(info.ppid))
        members = sum(1 for p in snapshot.processes if p.pgid == info.pgid)
        group = f"{info.pgid} ({members} member{'s' if members != 1 else ''})"
        row("Group", group)
        row(
            "Session", f"{info.sid}" + (" (it leads it)" if info.session_leader else "")
        )
        if info.tty is None:
            row("Terminal", "none")
        else:
            where = "foreground" if info.foreground else "background"
            row("Terminal", f"{info.tty}, {where}")
            row("TPGID", f"{info.tpgid} (the terminal's foreground group)")
        user = "?" if info.user is None else info.user
        row("User", f"{user} (uid {'?' if info.uid is None else info.uid})")
        elapsed = snapshot.uptime - info.start_time
        started = time.localtime(self._clock() - elapsed)
        row(
            "Started",
            f"{time.strftime('%Y-%m-%d %H:%M:%S', started)} "
            f"({format_etime(elapsed)} ago)",
        )
        row("CPU time", format_cputime(info.cpu_time))
        row("Threads", str(info.num_threads))
        row("Command", display_escape(command_text(info)))
        grid.add_row("", "")
        grid.add_row(Text("Signals", style="bold"), "")
        if info.kernel_thread:
            row("", "kernel thread: not signalable from user space")
        elif state is None:
            row("", problem or "reading…")
        else:
            row("Pending", signal_names(state.pending))
            row("Blocked", signal_names(state.blocked))
            row("Ignored", signal_names(state.ignored))
            row("Caught", signal_names(state.caught))
            if state.queued is not None:
                row("Queued", f"{state.queued} of {state.queue_limit} (this user)")
        if traced is not None:
            grid.add_row("", "")
            grid.add_row(Text("Traced", style="bold"), "signals, newest first")
            for line in traced or ("none seen since sigtui started",):
                row("", line)
        return grid
