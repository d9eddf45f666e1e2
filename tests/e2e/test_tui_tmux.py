"""End-to-end: the installed ``sigtui`` command in a real terminal (tmux).

Each test drives sigtui with tmux send-keys and reads the screen with
capture-pane, waiting with bounded polls (never fixed sleeps). See tmux.py.
"""

from __future__ import annotations

import os
import re
import signal

import psutil
import pytest

from .tmux import (
    MARK_GONE,
    SCANNED,
    TTY_FLAGS,
    Ending,
    Processes,
    ProcessRegistry,
    Sessions,
    TmuxSession,
    filter_has_keys,
    has_header,
    picker_signals,
    run_without_terminal,
    sigtui_executable,
    table_has_keys,
    table_rows,
    unique_marker,
)

SIGNALS = [
    pytest.param(signal.SIGTERM, id="SIGTERM"),
    pytest.param(signal.SIGHUP, id="SIGHUP"),
]


def start_and_wait(
    sessions: Sessions, *args: str, hold: bool = True, trace: bool = False
) -> TmuxSession:
    """Start sigtui and wait until it shows the header and its first scan."""
    app = sessions.sigtui(*args, hold=hold, trace=trace)
    app.wait_for(has_header, what="the table's header line (PID ... COMMAND)")
    # The first scan is requested once the app is mounted, after it has set
    # up its SIGTERM/SIGHUP handlers.
    app.wait_for(SCANNED, what="the first scan in the status line")
    return app


def set_filter(app: TmuxSession, text: str) -> None:
    """Open the filter box, type text, and return to the table with enter."""
    app.send_keys("/")
    app.wait_for(filter_has_keys, what="the filter box to take the keys")
    app.type_text(text)
    app.wait_for(f"filter: {text}", what="the whole filter text in the status line")
    app.send_keys("Enter")
    app.wait_for(table_has_keys, what="enter to give the keys back to the table")


def let_go(app: TmuxSession, pid: int) -> None:
    """The exited process under the cursor, alone under the filter: let it go.

    Its row stays, marked exited, while it is selected (the cursor never moves
    to another process by itself); the status line counts it out. Clearing the
    filter and moving the cursor up lets the row go at the next refresh.
    """
    app.wait_for(
        lambda s: (
            table_rows(s).keys() == {pid}
            and table_rows(s)[pid].startswith(MARK_GONE)
            and "(0 shown)" in s
        ),
        what=f"the row of pid {pid} kept, marked exited, under the cursor",
    )
    app.send_keys("Escape")
    app.wait_for(
        lambda s: "filter:" not in s and len(table_rows(s)) > 1,
        what="escape to clear the filter",
    )
    app.send_keys("Up")
    app.wait_for(lambda s: pid not in table_rows(s), what=f"the row of pid {pid} to go")


def assert_restored(ending: Ending) -> None:
    """The terminal is as the shell had it: main screen, cursor, no mouse, cooked."""
    state = ending.state
    assert (state.alternate_on, state.cursor_visible, state.mouse_any) == (
        False,
        True,
        False,
    ), f"terminal not restored: {state}\n{ending.screen}"
    assert ending.tty_flags == dict.fromkeys(TTY_FLAGS, True), ending.screen


def test_filter_and_quit(sessions: Sessions, processes: Processes) -> None:
    """The main path: see a process, filter down to it, keep the filter, quit."""
    marker = processes.marker()
    decoy = processes.marker(unique_marker("e2edecoy"))
    app = start_and_wait(sessions)

    # Newest (highest) pids first, and the cursor to the top: the two helpers
    # were started just before sigtui, so they are among the first rows.
    app.send_keys("S")
    app.wait_for("PID ▼", what="the reversed sort")
    app.send_keys("Home")
    screen = app.wait_for(
        lambda s: {marker.pid, decoy.pid} <= table_rows(s).keys(),
        what=f"the rows of pids {marker.pid} and {decoy.pid}",
    )
    assert marker.marker in table_rows(screen)[marker.pid]
    assert decoy.marker in table_rows(screen)[decoy.pid]

    # Typing filters live, before enter.
    app.send_keys("/")
    app.wait_for(filter_has_keys, what="the filter box to take the keys")
    app.type_text(marker.marker)
    screen = app.wait_for(
        lambda s: table_rows(s).keys() == {marker.pid},
        what=f"only the row of pid {marker.pid}",
    )
    assert marker.marker in table_rows(screen)[marker.pid]
    assert decoy.marker not in screen
    assert 1 not in table_rows(screen)

    # Enter goes back to the table and keeps the filter.
    app.send_keys("Enter")
    screen = app.wait_for(
        table_has_keys, what="enter to give the keys back to the table"
    )
    assert table_rows(screen).keys() == {marker.pid}
    assert f"filter: {marker.marker}" in screen

    # Escape clears it: everything is back.
    app.send_keys("Escape")
    screen = app.wait_for(
        lambda s: (
            "filter:" not in s and {marker.pid, decoy.pid} <= table_rows(s).keys()
        ),
        what="escape to clear the filter",
    )

    app.send_keys("q")
    ending = app.wait_for_exit()
    assert ending.status == 0, ending.screen
    assert_restored(ending)


@pytest.mark.parametrize("signum", SIGNALS)
def test_signal_restores_the_terminal(
    sessions: Sessions, signum: signal.Signals
) -> None:
    """SIGTERM and SIGHUP end sigtui through the app, which restores the terminal."""
    app = start_and_wait(sessions)
    pid = app.app_pid()
    assert str(sigtui_executable()) in psutil.Process(pid).cmdline()
    os.kill(pid, signum)
    ending = app.wait_for_exit()
    # The app exits with 128 + N itself; the shell reports the same number had
    # the signal killed it, but then the terminal would not be restored.
    assert ending.status == 128 + signum, ending.screen
    assert_restored(ending)


@pytest.mark.parametrize("signum", SIGNALS)
def test_signal_to_the_pane_pid(sessions: Sessions, signum: signal.Signals) -> None:
    """The same signal to the pane's own pid (sigtui exec'd): it exits by itself."""
    app = start_and_wait(sessions, hold=False)
    pid = app.pane_pid()
    assert str(sigtui_executable()) in psutil.Process(pid).cmdline()
    os.kill(pid, signum)
    state = app.wait_for_death()
    # An exit with 128 + N, not a death by the signal.
    assert (state.dead_status, state.dead_signal) == (128 + signum, None), (
        app.describe()
    )
    # A dead pane always reports the cursor hidden; the held variant checks it.
    assert not state.alternate_on, app.describe()
    assert not state.mouse_any, app.describe()


def test_without_a_terminal(process_registry: ProcessRegistry) -> None:
    """No terminal: status 2, one line pointing to `sigtui ps`, no escape codes."""
    result = run_without_terminal(process_registry, [str(sigtui_executable())])
    assert result.status == 2, result
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.endswith("\n")
    assert "sigtui ps" in result.stderr
    assert "\x1b" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        pytest.param(["--interval", "abc"], "abc", id="interval-abc"),
        pytest.param(["--interval", "0"], "0", id="interval-0"),
        pytest.param(["-o", "nosuch"], "nosuch", id="column-nosuch"),
    ],
)
def test_bad_arguments(
    process_registry: ProcessRegistry, args: list[str], bad: str
) -> None:
    """Bad arguments: status 2 and one line naming the bad value."""
    result = run_without_terminal(process_registry, [str(sigtui_executable()), *args])
    assert result.status == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(rf"(?<![\w.]){re.escape(bad)}(?![\w.])", lines[0]), lines[0]
    assert "\x1b" not in result.stderr


def test_resize(sessions: Sessions) -> None:
    """Resizing keeps sigtui running and redrawn to the new size; q still quits."""
    app = start_and_wait(sessions, hold=False)
    pid = app.pane_pid()
    for width, height in [(80, 24), (160, 50), (120, 40)]:
        app.resize(width, height)

        def redrawn(screen: str, height: int = height) -> bool:
            # The status line on top, the header under it and the footer on
            # the last line are only all in place once the app has redrawn
            # (tmux itself only crops or pads the old screen).
            lines = screen.splitlines()
            return (
                len(lines) == height
                and SCANNED.search(lines[0]) is not None
                and has_header(lines[1])
                and table_has_keys(screen)
            )

        app.wait_for(redrawn, what=f"the app redrawn at {width}x{height}")
        assert not app.state().dead
        assert psutil.pid_exists(pid)
    app.send_keys("q")
    state = app.wait_for_death()
    assert (state.dead_status, state.dead_signal) == (0, None), app.describe()
    assert not state.alternate_on, app.describe()
    assert not state.mouse_any, app.describe()


def test_new_process_appears_and_goes(sessions: Sessions, processes: Processes) -> None:
    """A process started later shows up after a refresh, and goes once it ends.

    It is the only row, so the cursor is on it: it goes once the cursor leaves.
    """
    marker = unique_marker()
    app = start_and_wait(sessions, "--interval", "0.2")
    set_filter(app, marker)
    app.wait_for("(0 shown)", what="the filter to match nothing yet")

    process = processes.marker(marker)
    screen = app.wait_for(
        lambda s: process.pid in table_rows(s),
        what=f"the new process {process.pid} to appear",
    )
    row = table_rows(screen)[process.pid]
    assert marker in row
    assert not row.startswith(MARK_GONE)

    process.stop()
    let_go(app, process.pid)

    app.send_keys("q")
    ending = app.wait_for_exit()
    assert ending.status == 0, ending.screen
    assert_restored(ending)


def _header(screen: str) -> list[str]:
    line = next(line for line in screen.splitlines() if has_header(line))
    return line.replace("▲", " ").replace("▼", " ").split()


def test_projector_flag_and_key(sessions: Sessions) -> None:
    """--projector shows five wide columns and says so; J switches back."""
    app = start_and_wait(sessions, "--projector", hold=False)
    screen = app.wait_for(
        lambda s: "projector" in s.splitlines()[0], what="projector in the status"
    )
    assert _header(screen) == ["PID", "PGID", "TT", "STAT", "COMMAND"]
    app.send_keys("J")
    # The columns and the toast that says so are drawn in separate frames: a
    # capture may fall between them (the start's garbage collection, 0.2 s
    # after the first table, can run there).
    screen = app.wait_for(
        lambda s: "TIME" in _header(s) and "projector mode off" in s,
        what="J to bring back the usual columns and say so",
    )
    assert "projector" not in screen.splitlines()[0]
    app.send_keys("q")
    state = app.wait_for_death()
    assert (state.dead_status, state.dead_signal) == (0, None), app.describe()


def test_a_lesson_from_the_command_line(
    sessions: Sessions, process_registry: ProcessRegistry
) -> None:
    """sigtui lesson first-kill: the class finds the ticker and SIGKILLs it.

    The lesson's steps are ticked off from what really happened to the ticker;
    quitting then ends every other process the lesson started.
    """
    app = start_and_wait(sessions, "lesson", "first-kill", hold=False)
    app.wait_for("Lesson 1 of 11: First kill", what="the lesson's steps panel")
    lesson = [
        process_registry.track(child.pid, f"lesson process {child.pid}")
        for child in psutil.Process(app.app_pid()).children(recursive=True)
    ]
    tickers = [p for p in lesson if p is not None and "ticker" in " ".join(p.cmdline())]
    assert len(tickers) == 1, f"expected one ticker among {lesson}"
    ticker = tickers[0]

    set_filter(app, "ticker")
    app.wait_for("✓ 1.", what="step 1 ticked once the cursor is on the ticker")
    app.send_keys("k")
    app.wait_for(
        f"Send a signal to process {ticker.pid}: ", what="the picker for the ticker"
    )
    app.type_text("kill")
    app.wait_for(
        lambda s: picker_signals(s) == ["SIGKILL"], what="only SIGKILL in the picker"
    )
    app.send_keys("Enter")
    app.wait_for("Lesson complete", what="step 2 ticked after the SIGKILL")
    # sigtui reaped it (it is the ticker's parent), so it is gone, not a zombie.
    assert not ticker.is_running()
    screen = app.capture()
    assert "✓ 2." in screen, screen

    app.send_keys("q")
    state = app.wait_for_death()
    assert (state.dead_status, state.dead_signal) == (0, None), app.describe()
    left = [p.pid for p in lesson if p is not None and p.is_running()]
    assert left == [], f"lesson processes outlived sigtui: {left}"
