"""End-to-end robustness: terminal sizes, live resizes and hostile command lines.

sigtui runs in a private tmux server (see tmux.py) and is read back with
capture-pane, with and without styles, and through the state tmux keeps for
the pane (alternate screen, cursor, mouse reporting, title). Every wait is a
bounded poll; every helper process is killed and reaped by the fixtures.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from rich.cells import cell_len

from .tmux import (
    DEFAULT_TIMEOUT,
    SCANNED,
    TTY_FLAGS,
    Ending,
    MarkerProcess,
    Processes,
    ProcessRegistry,
    Sessions,
    TmuxSession,
    filter_has_keys,
    footer,
    is_header,
    plain_screen,
    poll,
    row_backgrounds,
    run_without_terminal,
    sigtui_executable,
    table_has_keys,
    table_rows,
    unique_marker,
)

HEADERS = ("PID", "PGID", "TT", "STAT", "TIME", "COMMAND")
"""The default columns' headers: all must stay on screen at every size."""
BORDER = "▔"
"""The signal log's top border, drawn across the whole width."""
SCROLLBAR = 2
"""Cells the table's scrollbar takes at the right edge (Textual's default width)."""
HELP_TEXT = "Leave sigtui"
"""A line of the help screen (what q does)."""


# -- reading the layout --------------------------------------------------------


def layout_problems(screen: str, width: int, height: int) -> list[str]:
    """What is wrong with sigtui's layout on a screen of this size.

    Args:
        screen: A captured screen.
        width: The pane's columns.
        height: The pane's lines.

    Returns:
        One description per problem; empty when the whole layout is in place
        and drawn for this size (tmux only crops or pads the old screen, so a
        full-width border and the footer on the last line mean a redraw).
    """
    problems = []
    lines = screen.splitlines()
    if len(lines) != height:
        problems.append(f"{len(lines)} lines, not {height}")
    for number, line in enumerate(lines):
        if cell_len(line) > width:
            problems.append(f"line {number} is {cell_len(line)} cells wide")
    if not lines or SCANNED.search(lines[0]) is None:
        problems.append("no process count on the status line (line 0)")
    header = lines[1] if len(lines) > 1 else ""
    if not is_header(header):
        problems.append("no table header on line 1")
    else:
        missing = [
            name for name in HEADERS if re.search(rf"\b{name}\b", header) is None
        ]
        if missing:
            problems.append(f"columns cut from the header: {missing}")
        if not header.lstrip().startswith("PID"):
            problems.append("the header does not start with PID")
    if not table_rows(screen):
        problems.append("no table rows under the header")
    # The border may carry the log's title (tracing's scope) in the middle.
    if not any(
        len(line) == width and line.startswith(BORDER) and line.endswith(BORDER)
        for line in lines
    ):
        problems.append(f"no log border of exactly {width} cells")
    keys = footer(screen)
    if "q Quit" not in keys or "? Help" not in keys:
        problems.append(f"the footer lacks q Quit or ? Help: {keys!r}")
    return problems


def wait_laid_out(app: TmuxSession, width: int, height: int) -> str:
    """Wait until sigtui's whole layout is drawn at this size; fail if never.

    Args:
        app: The session.
        width: Expected columns.
        height: Expected lines.

    Returns:
        The first screen with the layout in place.
    """
    last: list[str] = []

    def probe() -> str | None:
        screen = app.capture()
        last[:] = layout_problems(screen, width, height)
        return None if last else screen

    return poll(
        probe,
        timeout=DEFAULT_TIMEOUT,
        describe=lambda: "problems: " + "; ".join(last) + "\n" + app.describe(),
        what=f"sigtui's layout at {width}x{height}",
    )


def wait_cursor(app: TmuxSession, cursor: str | None, pid: int) -> str:
    """Wait until the cursor is on the row of ``pid``, and only there.

    Args:
        app: The session (its table must have the focus).
        cursor: The background of the cursor's row (see ``row_backgrounds``).
        pid: The process that must be selected and shown.

    Returns:
        The screen (without styles).
    """
    seen: list[dict[int, str | None]] = []

    def probe() -> str | None:
        escaped = app.capture(escapes=True)
        rows = row_backgrounds(escaped)
        seen[:] = [rows]
        selected = [p for p, background in rows.items() if background == cursor]
        return plain_screen(escaped) if selected == [pid] else None

    def describe() -> str:
        rows = seen[0] if seen else {}
        selected = [p for p, background in rows.items() if background == cursor]
        return f"rows with the cursor: {selected}\n{app.describe()}"

    return poll(
        probe,
        timeout=DEFAULT_TIMEOUT,
        describe=describe,
        what=f"the cursor on the row of pid {pid}",
    )


def set_filter(app: TmuxSession, text: str) -> None:
    """Open the filter box, type text, and give the keys back to the table."""
    app.send_keys("/")
    app.wait_for(filter_has_keys, what="the filter box to take the keys")
    app.type_text(text)
    # The status line ("filter: ...") is cut in a narrow terminal; the box
    # shows the text whole.
    app.wait_for(text, what="the whole filter text in the filter box")
    app.send_keys("Enter")
    app.wait_for(table_has_keys, what="enter to give the keys back to the table")


def select_process(app: TmuxSession, process: MarkerProcess) -> str | None:
    """Put the cursor on a process (filter to it, clear the filter).

    Args:
        app: The session.
        process: A marker process (its own group, so no group colour).

    Returns:
        The background of the cursor's row, to find it on later screens.
    """
    set_filter(app, process.marker)
    screen = app.wait_for(
        lambda s: table_rows(s).keys() == {process.pid},
        what=f"only the row of pid {process.pid}",
    )
    escaped = app.capture(escapes=True)
    # The only row has the cursor; the table has the focus (a blurred
    # table draws the cursor in another colour).
    assert table_has_keys(plain_screen(escaped)), screen
    cursor = row_backgrounds(escaped)[process.pid]
    app.send_keys("Escape")
    screen = app.wait_for(
        lambda s: "filter:" not in s and len(table_rows(s)) > 1,
        what="escape to clear the filter",
    )
    others = {
        background
        for pid, background in row_backgrounds(app.capture(escapes=True)).items()
        if pid != process.pid
    }
    assert cursor not in others, f"the cursor's colour {cursor} is not distinct"
    return cursor


def assert_restored(ending: Ending) -> None:
    """The terminal is as the shell had it: main screen, cursor, no mouse, cooked."""
    assert ending.status == 0, ending.screen
    assert ending.state.restored, f"terminal not restored: {ending.state}"
    assert ending.tty_flags == dict.fromkeys(TTY_FLAGS, True), ending.screen


# -- sizes and live resizes ----------------------------------------------------

SIZES = [(60, 20), (80, 24), (132, 43), (250, 70)]
RESIZES = [(250, 70), (60, 20), (200, 50), (61, 21), (120, 36)]


def check_answers_keys(
    app: TmuxSession, cursor: str | None, marker: MarkerProcess, size: tuple[int, int]
) -> None:
    """Move the cursor up and back, and open and close the help screen."""
    screen = wait_cursor(app, cursor, marker.pid)
    order = list(table_rows(screen))
    index = order.index(marker.pid)
    if index > 0:
        app.send_keys("Up")
        wait_cursor(app, cursor, order[index - 1])
        app.send_keys("Down")
    else:  # the top row of the screen: go down and back up instead
        app.send_keys("Down")
        wait_cursor(app, cursor, order[index + 1])
        app.send_keys("Up")
    wait_cursor(app, cursor, marker.pid)

    app.send_keys("?")
    app.wait_for(
        lambda s: HELP_TEXT in s,
        what=f"the help screen at {size[0]}x{size[1]}",
    )
    app.send_keys("Escape")
    app.wait_for(
        lambda s: HELP_TEXT not in s and table_has_keys(s),
        what=f"escape to close the help screen at {size[0]}x{size[1]}",
    )
    wait_laid_out(app, *size)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("width", "height"), [pytest.param(w, h, id=f"{w}x{h}") for w, h in SIZES]
)
def test_sizes_and_live_resizes(
    sessions: Sessions, processes: Processes, width: int, height: int
) -> None:
    """At every size, and after every live resize, the layout is whole and works.

    The selected process stays on screen under the cursor as the terminal
    shrinks and grows, the keys keep working, and q restores the terminal.
    """
    marker = processes.marker(unique_marker("e2esize"))
    # One scan only: a refresh would scroll the cursor back into view by
    # itself, hiding whether a resize keeps it there.
    # Tracing on: the log's title (its scope) is part of the layout.
    app = sessions.sigtui("--interval", "3600", width=width, height=height, trace=True)
    wait_laid_out(app, width, height)
    pid = app.app_pid()
    cursor = select_process(app, marker)
    check_answers_keys(app, cursor, marker, (width, height))

    for size in [s for s in RESIZES if s != (width, height)]:
        app.resize(*size)
        wait_laid_out(app, *size)
        assert not app.state().dead
        check_answers_keys(app, cursor, marker, size)
        state = app.state()
        assert (state.alternate_on, state.mouse_any) == (True, True), state
        assert app.app_pid() == pid, "sigtui was restarted?"

    app.send_keys("q")
    assert_restored(app.wait_for_exit())


# -- hostile command lines -----------------------------------------------------

HOSTILE_SIZE = (160, 40)
LONG = "x" * 100_000
"""100 KB of text in one argument (the kernel takes up to 128 KiB)."""
CONTROLS = "\x1b]0;PWNED\x07 \x1b[2J \x1b[?1049l a\rb \x07z"
"""Set the title, clear the screen, leave the alternate screen, CR, BEL."""
CONTROLS_SHOWN = r"\x1b]0;PWNED\x07 \x1b[2J \x1b[?1049l a\x0db \x07z"
"""How sigtui's ``display_escape`` writes CONTROLS: ``\\xNN`` per control."""
CONTROLS_PS = "?]0;PWNED? ?[2J ?[?1049l a?b ?z"
"""How ps (and ``sigtui ps``) writes CONTROLS: ``?`` per control."""
BAD_BYTES = os.fsdecode(b"\xff\xfe") + "end"
BAD_BYTES_SHOWN = r"\xff\xfeend"
BAD_BYTES_PS = "??end"
MARKUP = "[bold red]x[/] [link=http://x]y[/link] [/nosuch]"
"""Rich/Textual markup (an unmatched closing tag would even raise if parsed)."""


def start_hostile(processes: Processes, marker: str, text: str) -> MarkerProcess:
    """Start a ``sleep 3600`` whose argv[0] is ``marker``, a space and ``text``.

    Returns:
        The process; its command line is ``<marker> <text> 3600``.
    """
    sleep = shutil.which("sleep")
    assert sleep is not None, "the sleep command is not on PATH"
    return processes.command(
        marker,
        [f"{marker} {text}", "3600"],
        f"hostile sleep {marker}",
        executable=sleep,
    )


def test_hostile_command_lines(
    sessions: Sessions, processes: Processes, process_registry: ProcessRegistry
) -> None:
    """Command lines with escapes, bad bytes, markup and 100 KB are shown, not run.

    In the table, controls and invalid bytes are written as ``\\xNN``, markup
    keeps its brackets, the long line is cut at the table's scrollbar, and none of
    it reaches the terminal: the title, the alternate screen and the layout
    stay as sigtui set them. ``sigtui ps`` prints what ps prints (``?``).
    """
    run = unique_marker("e2ebad")
    long = start_hostile(processes, f"{run}-long", LONG)
    ctl = start_hostile(processes, f"{run}-ctl", CONTROLS)
    raw = start_hostile(processes, f"{run}-raw", BAD_BYTES)
    ink = start_hostile(processes, f"{run}-ink", MARKUP)
    shown = {
        ctl.pid: f"{ctl.marker} {CONTROLS_SHOWN} 3600",
        raw.pid: f"{raw.marker} {BAD_BYTES_SHOWN} 3600",
        ink.pid: f"{ink.marker} {MARKUP} 3600",
    }
    width, height = HOSTILE_SIZE

    app = sessions.sigtui("--interval", "0.3", width=width, height=height)
    wait_laid_out(app, width, height)
    title = app.title()
    assert "PWNED" not in title

    set_filter(app, run)
    pids = {long.pid, ctl.pid, raw.pid, ink.pid}

    def all_shown(screen: str) -> bool:
        # "N processes (4 shown)", or "4/N processes" where the line is short.
        shown = "(4 shown)" in screen or re.search(r"\b4/\d+ processes", screen)
        return table_rows(screen).keys() == pids and bool(shown)

    screen = app.wait_for(all_shown, what=f"the rows of pids {sorted(pids)}")
    screen = app.wait_for(
        lambda s: all_shown(s) and not layout_problems(s, width, height),
        what="the layout with the hostile rows",
    )
    rows = table_rows(screen)
    for pid, text in shown.items():
        assert rows[pid].endswith(text), f"pid {pid}: expected {text!r}\n{screen}"
    # The long line fills the row to the table's scrollbar, always shown at
    # the pane's edge, and no further.
    row = rows[long.pid]
    start = row.index(long.marker)
    end = width - SCROLLBAR
    assert row[start:] == f"{long.marker} " + "x" * (end - start - len(long.marker) - 1)
    assert cell_len(row) == end

    # Nothing reached the terminal: the title, the alternate screen and the
    # mouse reporting are sigtui's, and the screen was not cleared.
    state = app.state()
    assert (state.alternate_on, state.mouse_any, state.dead) == (True, True, False)
    assert app.title() == title
    assert "PWNED" not in app.title()
    assert is_header(screen.splitlines()[1])

    # The signal picker's title names the process by its command line too.
    order = list(rows)
    for process in (ctl, ink):
        app.send_keys("Home", *["Down"] * order.index(process.pid), "k")
        heading = f"Send a signal to process {process.pid}: "
        screen = app.wait_for(heading, what=f"the signal picker for {process.pid}")
        assert f"{heading}{shown[process.pid]} " in screen, screen
        app.send_keys("Escape")
        app.wait_for(
            lambda s: "Send a signal" not in s and table_has_keys(s),
            what="escape to close the signal picker",
        )
    assert app.title() == title
    assert app.state().alternate_on

    # Narrower: the long row is cut at the new scrollbar, the rest reflows.
    app.resize(80, 24)
    screen = app.wait_for(
        lambda s: all_shown(s) and not layout_problems(s, 80, 24),
        what="the hostile rows reflowed at 80x24",
    )
    assert cell_len(table_rows(screen)[long.pid]) == 80 - SCROLLBAR
    assert app.title() == title
    assert app.state().alternate_on

    app.send_keys("q")
    assert_restored(app.wait_for_exit())

    # sigtui ps prints what ps prints: a ? for each control and bad byte.
    expected = {
        ctl.pid: f"{ctl.marker} {CONTROLS_PS} 3600",
        raw.pid: f"{raw.marker} {BAD_BYTES_PS} 3600",
        ink.pid: f"{ink.marker} {MARKUP} 3600",
        long.pid: f"{long.marker} {LONG} 3600",
    }
    order = sorted(expected)
    selection = ",".join(map(str, order))
    ps_path = shutil.which("ps")
    assert ps_path is not None
    sigtui = str(sigtui_executable())

    def run_ok(argv: list[str]) -> str:
        result = run_without_terminal(process_registry, argv)
        assert (result.status, result.stderr) == (0, ""), result
        return result.stdout

    theirs = run_ok([ps_path, "-o", "args=", "-p", selection])
    ours = run_ok([sigtui, "ps", "-o", "args=", "-p", selection])
    assert ours == theirs
    assert ours == "".join(f"{expected[pid]}\n" for pid in order)
    table = run_ok([sigtui, "ps", "-p", selection])
    assert len(table.splitlines()) == 1 + len(order)
    for output in (ours, table):
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ufffd]", output), output[
            :500
        ]
