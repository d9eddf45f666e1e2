"""End-to-end: sending signals from the installed ``sigtui`` command (tmux).

Every signal goes to a process the test started itself (its child, so its
pid cannot be reused before the test reaps it), picked out of the table by a
unique marker in its argv; the picker's title or the confirmation names the
pid before the send is chosen. Every wait is a bounded poll (see tmux.py).

The terminal is wide so that notifications (toasts, at most half the width,
bottom right) stay clear of the signal log's lines, which are read off screen.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from .test_tui_tmux import assert_restored, let_go, set_filter
from .tmux import (
    DEFAULT_SIZE,
    DEFAULT_TIMEOUT,
    SCANNED,
    MarkerProcess,
    Processes,
    Sessions,
    TmuxSession,
    has_header,
    log_lines,
    picker_signals,
    poll,
    table_has_keys,
    table_rows,
    unique_marker,
)

WIDE = 200
"""Columns: log lines stay left of the toasts (60 columns at most)."""
CONFIRMATION = "n / escape: cancel"
"""The hint at the bottom of sigtui's confirmation dialog."""
IGNORE_TERM = (
    "import signal, time; "
    "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "time.sleep(3600)"
)
"""A Python program that ignores SIGTERM, then sleeps."""


def start_sigtui(sessions: Sessions, *args: str) -> TmuxSession:
    """Start sigtui in a wide terminal and wait for its first scan."""
    app = sessions.sigtui(
        "--interval", "0.2", *args, width=WIDE, height=DEFAULT_SIZE[1]
    )
    app.wait_for(has_header, what="the table's header line (PID ... COMMAND)")
    app.wait_for(SCANNED, what="the first scan in the status line")
    app.wait_for(
        lambda s: any(line.startswith("Signal log.") for line in log_lines(s)),
        what="the signal log's first line",
    )
    # Track sigtui itself, not only the pane's shell: should it outlive the
    # tmux server (a test failed before q), the teardown kills it by its pid.
    app.app_pid()
    return app


def select_only(app: TmuxSession, process: MarkerProcess) -> None:
    """Filter the table down to the process's row, which the cursor is then on."""
    set_filter(app, process.marker)
    app.wait_for(
        lambda s: table_rows(s).keys() == {process.pid},
        what=f"only the row of pid {process.pid}",
    )


def open_picker(app: TmuxSession, process: MarkerProcess, typed: str) -> None:
    """Press k, check the picker is for the process, and filter its list."""
    app.send_keys("k")
    app.wait_for(
        f"Send a signal to process {process.pid}: ",
        what=f"the signal picker for pid {process.pid}",
    )
    app.type_text(typed)
    wanted = f"SIG{typed.upper()}"
    app.wait_for(
        lambda s: (
            picker_signals(s) == [wanted] and re.search(rf"│ +{typed} ", s) is not None
        ),
        what=f"{typed!r} in the picker's box and only {wanted} listed",
    )


def log_has(app: TmuxSession, pattern: str, what: str) -> str:
    """Wait for a signal log line that matches a pattern (anywhere in it: a
    send's entry is completed in place, its outcome last)."""
    line = re.compile(pattern)
    screen = app.wait_for(
        lambda s: any(line.search(text) for text in log_lines(s)),
        what=f"the signal log to show {what}",
    )
    return next(text for text in log_lines(screen) if line.search(text))


def comm(pid: int) -> str:
    """The process's command name, as sigtui shows it in brackets."""
    return Path(f"/proc/{pid}/comm").read_text().rstrip("\n")


def ignores(pid: int, signum: int) -> bool:
    """Whether the process ignores a signal now (its SigIgn mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    raise AssertionError(f"no SigIgn line in /proc/{pid}/status")


def reap(app: TmuxSession, process: MarkerProcess) -> int:
    """Reap the process, which must have ended; return its returncode."""
    try:
        return process.child.wait(timeout=DEFAULT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"process {process.pid} still runs after {DEFAULT_TIMEOUT:g} s\n"
            + app.describe()
        ) from None


def quit_restored(app: TmuxSession) -> None:
    """Press q from the table; sigtui exits 0 and restores the terminal."""
    app.wait_for(table_has_keys, what="the table to have the keys")
    app.send_keys("q")
    ending = app.wait_for_exit()
    assert ending.status == 0, ending.screen
    assert_restored(ending)


def test_term_from_the_picker(sessions: Sessions, processes: Processes) -> None:
    """k, term, enter: SIGTERM reaches the process at once; it dies (and goes)."""
    process = processes.marker()
    app = start_sigtui(sessions)
    select_only(app, process)
    open_picker(app, process, "term")
    app.send_keys("Enter")

    # Our own process and a catchable signal: nothing to confirm.
    delivered = re.compile(
        rf"SIGTERM → process {process.pid} \(sleep\) · "
        rf"SIGTERM delivered to process {process.pid} \(sleep\)\."
    )
    screen = app.wait_for(
        lambda s: CONFIRMATION in s or any(delivered.match(t) for t in log_lines(s)),
        what="the delivery in the signal log (or a confirmation)",
    )
    assert CONFIRMATION not in screen, f"SIGTERM to our own process asked:\n{screen}"
    log_has(app, rf"process {process.pid} \(sleep\): exited$", "that it exited")

    assert reap(app, process) == -signal.SIGTERM
    let_go(app, process.pid)
    quit_restored(app)


def test_end_gracefully_kills_what_ignores_term(
    sessions: Sessions, processes: Processes
) -> None:
    """x with --grace 0.5, confirmed: SIGTERM is ignored, so SIGKILL ends it."""
    marker = unique_marker()
    process = processes.command(
        marker, [sys.executable, "-c", IGNORE_TERM, marker], f"ignores TERM {marker}"
    )

    def ready() -> bool | None:
        if process.child.poll() is not None:
            raise AssertionError(f"{IGNORE_TERM!r} exited: {process.child.returncode}")
        return True if ignores(process.pid, signal.SIGTERM) else None

    poll(
        ready,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: Path(f"/proc/{process.pid}/status").read_text(),
        what=f"pid {process.pid} to ignore SIGTERM",
    )
    name = comm(process.pid)
    app = start_sigtui(sessions, "--grace", "0.5")
    select_only(app, process)

    app.send_keys("x")
    app.wait_for(
        lambda s: (
            f"End process {process.pid} ({name}): SIGTERM, then SIGKILL" in s
            and CONFIRMATION in s
        ),
        what=f"the confirmation to end pid {process.pid}",
    )
    assert process.child.poll() is None, "signalled before the confirmation"
    app.send_keys("y")

    log_has(
        app,
        rf"SIGTERM → process {process.pid}: ending gracefully$",
        "the SIGTERM of the graceful end",
    )
    log_has(
        app,
        rf"process {process.pid} \({re.escape(name)}\) ignored SIGTERM for 0\.5 s; "
        r"SIGKILL ended it\.$",
        "that SIGKILL ended it",
    )
    assert reap(app, process) == -signal.SIGKILL
    let_go(app, process.pid)
    quit_restored(app)


def test_readonly_refuses(sessions: Sessions, processes: Processes) -> None:
    """--readonly: k, kill, enter is refused in the log; the process lives on."""
    process = processes.marker()
    app = start_sigtui(sessions, "--readonly")
    select_only(app, process)
    open_picker(app, process, "kill")
    app.send_keys("Enter")

    line = log_has(
        app,
        rf"^SIGKILL → process {process.pid} \(sleep\): Not sent: ",
        "the refusal",
    )
    assert "--readonly" in line, line
    assert CONFIRMATION not in app.capture()
    assert process.child.poll() is None, f"pid {process.pid} ended:\n{app.describe()}"
    assert process.pid in table_rows(app.capture())
    quit_restored(app)
    assert process.child.poll() is None
