"""End-to-end: htop's keys in a real terminal (function keys through tmux)."""

from __future__ import annotations

import re
from collections import Counter

from .tmux import (
    DEFAULT_TIMEOUT,
    SCANNED,
    Processes,
    Sessions,
    TmuxSession,
    has_header,
    is_header,
    plain_screen,
    poll,
    quit_cleanly,
    row_backgrounds,
    status_line,
    table_rows,
)

HIDDEN = re.compile(r"\b(\d+) kernel threads? hidden \(K\)")
"""What the status line says while kernel threads are hidden."""


def start_and_wait(sessions: Sessions, *args: str) -> TmuxSession:
    """Start sigtui and wait for its first scan."""
    app = sessions.sigtui(*args, hold=False)
    app.wait_for(has_header, what="the table's header line")
    app.wait_for(SCANNED, what="the first scan in the status line")
    return app


def header(screen: str) -> str:
    return next(line for line in screen.splitlines() if is_header(line))


def test_f6_chooses_the_sort_column_and_again_reverses_it(sessions: Sessions) -> None:
    app = start_and_wait(sessions, "-o", "pid,pgid,tty,stat,time,args")
    assert "PID ▲" in header(app.capture())
    app.send_keys("F6")
    app.wait_for("Sort by", what="the sort column list")
    # pid, pgid, tty, stat, time: four down.
    app.send_keys("Down", "Down", "Down", "Down", "Enter")
    screen = app.wait_for(
        lambda s: has_header(s) and "TIME ▲" in header(s), what="sorted by TIME"
    )
    assert "sorted by TIME ▲" in status_line(screen)
    app.send_keys("F6")
    app.wait_for("Sort by", what="the sort column list again")
    app.send_keys("Enter")
    screen = app.wait_for(
        lambda s: has_header(s) and "TIME ▼" in header(s), what="TIME reversed"
    )
    assert "sorted by TIME ▼" in status_line(screen)
    quit_cleanly(app)


def test_k_shows_and_hides_kernel_threads_hidden_at_start(sessions: Sessions) -> None:
    app = start_and_wait(sessions)
    screen = app.wait_for(HIDDEN, what="the hidden kernel threads counted")
    match = HIDDEN.search(status_line(screen))
    assert match is not None, screen
    assert int(match.group(1)) > 0
    # Sorted by pid, kthreadd (pid 2) would be the second row.
    assert 2 not in table_rows(screen), screen
    app.send_keys("K")
    # The table and the status line are repainted separately: wait for both.
    screen = app.wait_for(
        lambda s: 2 in table_rows(s) and HIDDEN.search(status_line(s)) is None,
        what="K to list kthreadd and the status line to drop the count",
    )
    assert "[kthreadd]" in table_rows(screen)[2]
    app.send_keys("K")
    screen = app.wait_for(
        lambda s: 2 not in table_rows(s) and HIDDEN.search(s) is not None,
        what="K again to hide them",
    )
    quit_cleanly(app)


def marked_rows(app: TmuxSession) -> tuple[list[int], int, str]:
    """The rows whose background differs from most rows' (the cursor's).

    Args:
        app: The session.

    Returns:
        Those pids, how many rows are shown, and the plain screen.
    """
    escaped = app.capture(escapes=True)
    rows = row_backgrounds(escaped)
    # sigtui's own row is drawn in its own style.
    rows.pop(app.app_pid(), None)
    usual = Counter(rows.values()).most_common(1)[0][0] if rows else None
    odd = [pid for pid, background in rows.items() if background != usual]
    return odd, len(rows), plain_screen(escaped)


def wait_for_cursor(app: TmuxSession, pid: int) -> str:
    """Wait until the only row drawn apart from the others is ``pid``'s."""

    def probe() -> str | None:
        odd, shown, screen = marked_rows(app)
        return screen if odd == [pid] and shown > 2 else None

    def describe() -> str:
        escaped = app.capture(escapes=True)
        return f"backgrounds: {row_backgrounds(escaped)}\n{app.describe()}"

    return poll(
        probe,
        timeout=DEFAULT_TIMEOUT,
        describe=describe,
        what=f"the cursor alone on pid {pid}, other rows still shown",
    )


def test_f3_jumps_to_matches_and_hides_nothing(
    sessions: Sessions, processes: Processes
) -> None:
    first = processes.marker()
    second = processes.marker(first.marker + "x")
    app = start_and_wait(sessions)
    app.send_keys("F3")
    app.wait_for("search: pid, user or command text", what="the search box")
    app.type_text(first.marker)
    screen = wait_for_cursor(app, first.pid)
    assert second.pid in table_rows(screen)  # a match, not hidden
    assert "shown)" not in status_line(screen)
    app.send_keys("F3")  # the next match: the other marker
    wait_for_cursor(app, second.pid)
    app.send_keys("Enter")  # and round again
    wait_for_cursor(app, first.pid)
    app.type_text("zzz")  # now nothing matches
    app.wait_for("no match", what="the search box to say no match")
    app.send_keys("Escape")
    screen = app.wait_for(
        lambda s: "no match" not in s and "search:" not in s,
        what="escape to close the search box",
    )
    assert {first.pid, second.pid} <= table_rows(screen).keys()
    quit_cleanly(app)
