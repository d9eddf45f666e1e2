"""End-to-end: sigtui under heavy process churn for 15 s, a minute in the soak (tmux).

A generator of our own (``benchmarks/churn.py``, in a process group it alone
is in) forks 300 children a second, each living 1-50 ms, and records when it
forked and reaped each one. sigtui, refreshing every 0.5 s, is filtered down
to the generator's marker, so its table shows the generator's children as
they come and go. Every 0.5 s the test captures the screen and notes which
children are shown, and whether marked gone, at that moment.

What must hold (the issue: "no error shown and no stale row kept longer than
one refresh"):

* no error anywhere, ever: no notification at all (nothing here should
  notify), no "Could not read processes", and nothing but the opening line
  in the ``--log`` file;
* every child shown at time t was still in ``/proc`` (not yet reaped) at
  t - 2 refreshes - a margin, the latest a row may stay: the process ends
  just after a scan read it, the next scan finds it gone and shows it marked
  gone for one refresh, and the scan after that removes it. A row not
  marked gone must be in the latest scan, so its process was there at
  t - 1 refresh - the margin. The margin covers the scans' own duration and
  the repaint. And a row marked gone must be of a child already reaped at t
  (one still in ``/proc`` was in the latest scan);
* the generator itself, alive throughout, is shown in every look (after
  its first scans) and never marked gone;
* sigtui still answers keys after the churn, and quits with status 0;
* the generator and all its children are gone afterwards.

The test has material to judge: it checks the generator kept its rate and
that the screen showed many children, some of them marked gone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.churn import Churn, ChurnResult
from benchmarks.soak import error_texts, notifications

from .test_tui_tmux import assert_restored, set_filter
from .tmux import (
    MARK_GONE,
    ROW,
    SCANNED,
    ProcessRegistry,
    Sessions,
    TmuxSession,
    has_header,
    is_header,
    table_has_keys,
    unique_marker,
)

INTERVAL = 0.5
"""Seconds between sigtui's refreshes."""
CHURN_SECONDS = 15.0
"""How long the churn lasts."""
SOAK_SECONDS = 60.0
"""How long it lasts in the soak (``pytest --soak``)."""
RATE = 300.0
"""Children forked per second."""
MIN_RATE = 0.9 * RATE
"""The rate the generator must have kept for the test to mean something."""
SAMPLE_EVERY = 0.5
"""Seconds between two looks at the screen."""
MARGIN = 0.5
"""Seconds a row may stay beyond its refreshes: scan time and repaint."""
EARLY = 0.1
"""Seconds a row may appear before the generator noted the fork (clocks)."""
MIN_CHILDREN_SEEN = 50
"""Different children the screen must have shown for the test to mean something."""


@dataclass(frozen=True)
class Shown:
    """A child's row on one captured screen.

    Attributes:
        t: ``time.monotonic()`` just before the capture.
        pid: Its pid.
        gone: Whether it was marked as exited.
        line: The row as shown.
    """

    t: float
    pid: int
    gone: bool
    line: str


def rows_with_marks(screen: str) -> list[tuple[int, bool, str]]:
    """The table's rows: pid, whether marked gone, and the line.

    Unlike ``tmux.table_rows`` this keeps two rows with the same pid (a gone
    process and a new one that reused its pid).
    """
    lines = screen.splitlines()
    start = next((i for i, line in enumerate(lines) if is_header(line)), None)
    if start is None:
        return []
    rows: list[tuple[int, bool, str]] = []
    for line in lines[start + 1 :]:
        match = ROW.match(line)
        if match is None:
            break
        rows.append((int(match.group(1)), line.startswith(MARK_GONE), line))
    return rows


TORN_FRAME_TRIES = 5
"""Captures taken at once when a look lacks the generator's row."""


def whole_frame(capture: Callable[[], str], generator: int) -> str:
    """A capture in which the generator's row is drawn, if one comes at once.

    tmux before 3.4 ignores the terminal's synchronized-output mode, so a
    capture can land in the middle of a repaint. Once the pids wrap (32768
    here, reached within a minute at 300 forks a second) children sort above
    the generator, every refresh moves its row, and a half-written frame can
    lack it. Capturing again at once gives the frame whole; a row that sigtui
    really left out stays out for a whole refresh, so it is still caught.

    Args:
        capture: Takes the screen.
        generator: The generator's pid.

    Returns:
        The first capture that shows the generator, else the last one.
    """
    screen = capture()
    for _ in range(TORN_FRAME_TRIES - 1):
        if any(pid == generator for pid, _, _ in rows_with_marks(screen)):
            break
        screen = capture()
    return screen


def wrong(shown: Shown, churn: ChurnResult) -> str | None:
    """Why a row shown is wrong, or None if it is fine.

    It is wrong if its pid was never a child, if it stayed too long after the
    child was reaped (stale), or if it is marked gone while the child was
    still in ``/proc`` (it was then in the latest scan). A pid may have been
    reused: the row is fine if it fits any of the pid's lives.
    """
    lives = [
        life
        for life in churn.by_pid.get(shown.pid, [])
        if life.start <= shown.t + EARLY
    ]
    if not lives:
        return f"pid {shown.pid} was never a child of the generator (before then)"
    refreshes = 2 if shown.gone else 1
    latest = shown.t - refreshes * INTERVAL - MARGIN
    for life in lives:
        if life.end >= latest and (not shown.gone or life.end <= shown.t + EARLY):
            return None
    ended = max(life.end for life in lives)
    if ended > shown.t + EARLY:
        return (
            f"pid {shown.pid} marked gone {ended - shown.t:.2f} s before it was reaped"
        )
    return (
        f"pid {shown.pid} shown {'as gone' if shown.gone else 'as running'} "
        f"{shown.t - ended:.2f} s after it was reaped (at most "
        f"{refreshes} x {INTERVAL:g} s + {MARGIN:g} s)"
    )


def lag(shown: Shown, churn: ChurnResult) -> float:
    """Seconds between the reaping of a shown child and the capture (<0: alive)."""
    ends = [
        life.end for life in churn.by_pid.get(shown.pid, []) if life.start <= shown.t
    ]
    return shown.t - max(ends) if ends else float("-inf")


def answers_keys(app: TmuxSession) -> None:
    """S reverses the sort and S again restores it: both redrawn in time."""
    app.wait_for(table_has_keys, what="the table to have the keys")
    app.send_keys("S")
    app.wait_for("PID ▼", what="S to reverse the sort while churning")
    app.send_keys("S")
    app.wait_for("PID ▲", what="S to restore the sort while churning")


def log_entries(path: Path) -> list[str]:
    """The entries of sigtui's --log file."""
    return [
        json.loads(line)["entry"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.slow
def test_churn_no_error_no_stale_row(
    sessions: Sessions, process_registry: ProcessRegistry, tmp_path: Path, soak: bool
) -> None:
    """300 short-lived processes a second: no error, no stale row."""
    seconds = SOAK_SECONDS if soak else CHURN_SECONDS
    log = tmp_path / "sigtui-log.jsonl"
    app = sessions.sigtui("--interval", f"{INTERVAL:g}", "--log", str(log))
    app.wait_for(has_header, what="the table's header line (PID ... COMMAND)")
    app.wait_for(SCANNED, what="the first scan in the status line")
    app.app_pid()  # tracked: killed by its pid if it outlives the tmux server
    marker = unique_marker("e2echurn")
    set_filter(app, marker)

    churn = Churn(
        marker,
        tmp_path / "children.txt",
        rate=RATE,
        min_ms=1,
        max_ms=50,
        limit_s=seconds + 60,  # a bound should the test die meanwhile
    )
    churn.start()
    process_registry.track(churn.pid, f"churn generator {marker}")
    shown: list[Shown] = []
    generator: list[tuple[float, list[str]]] = []  # its rows, per look
    errors: dict[str, float] = {}  # each error text, first seen (s)
    toasts: set[str] = set()
    try:
        began = time.monotonic()
        next_look = began
        while (now := time.monotonic()) < began + seconds:
            if not churn.running():
                raise AssertionError(f"the generator ended early:\n{churn.stderr()}")
            if app.state().dead:
                raise AssertionError(f"sigtui ended under churn\n{app.describe()}")
            t = time.monotonic()
            screen = whole_frame(app.capture, churn.pid)
            escaped = app.capture(escapes=True)
            rows = rows_with_marks(screen)
            shown += [
                Shown(t, p, gone, line) for p, gone, line in rows if p != churn.pid
            ]
            generator.append(
                (t - began, [line for p, _, line in rows if p == churn.pid])
            )
            for error in error_texts(screen):
                errors.setdefault(error, t - began)
            toasts |= {f"{n.severity}: {n.text}" for n in notifications(escaped)}
            next_look += SAMPLE_EVERY
            time.sleep(max(0.0, next_look - now))  # the sampling period
        answers_keys(app)
    finally:
        result = churn.stop()

    assert result.status == 0, churn.stderr()
    assert result.survivors == [], f"left in the churn group: {result.survivors}"
    assert result.failures == 0, f"{result.failures} forks failed"
    assert result.rate >= MIN_RATE, (
        f"the generator forked {result.rate:.0f}/s, not {RATE:g}/s"
    )
    assert not errors, "errors on screen:\n" + "\n".join(
        f"first at {first:.1f} s: {text}" for text, first in errors.items()
    )
    assert not toasts, "notifications (none was expected):\n" + "\n".join(toasts)

    problems = [why for row in shown if (why := wrong(row, result)) is not None]
    lags = [lag(row, result) for row in shown]
    worst_gone = max((x for r, x in zip(shown, lags, strict=True) if r.gone), default=0)
    worst_running = max(
        (x for r, x in zip(shown, lags, strict=True) if not r.gone), default=0
    )
    summary = (
        f"{len(shown)} rows of {len({r.pid for r in shown})} children seen; "
        f"longest after reaping: {worst_running:.2f} s as running, "
        f"{worst_gone:.2f} s as gone"
    )
    print(summary)
    assert not problems, f"{len(problems)} wrong rows ({summary}):\n" + "\n".join(
        problems[:20]
    )
    # The generator lives throughout: after its first scans, every look shows
    # its row, never marked gone.
    settled = 2 * INTERVAL + MARGIN
    lost = [
        f"{t:.1f} s: {lines}"
        for t, lines in generator
        if t > settled and (len(lines) != 1 or lines[0].startswith(MARK_GONE))
    ]
    assert not lost, (
        f"the generator's row (pid {churn.pid}) was missing, doubled "
        "or marked gone:\n" + "\n".join(lost[:20])
    )
    assert len({r.pid for r in shown}) >= MIN_CHILDREN_SEEN, summary
    assert any(r.gone for r in shown), f"no row marked gone was seen ({summary})"

    app.send_keys("q")
    ending = app.wait_for_exit()
    assert ending.status == 0, ending.screen
    assert_restored(ending)
    entries = log_entries(log)
    assert entries, "nothing in the log file"
    assert entries[0].startswith("Signal log."), entries[:5]
    assert entries[1:] == [], "unexpected log entries:\n" + "\n".join(entries[1:])
