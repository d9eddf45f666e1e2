"""End-to-end: the selected process exits and is never swapped for another (tmux).

The test starts three ``sleep`` processes of its own in a process group of
their own (a small launcher in a new session starts them and reaps them): the
victim, its neighbour and a witness, all with one unique marker, so that the
installed sigtui, filtered to the marker, lists just them. With the cursor on
the victim, the test ends the victim and the witness (SIGKILL, each by the pid
it started). The witness, not selected, is shown exited for one refresh and
then goes: a handshake that refreshes went by. The victim's row stays, marked
exited, with the cursor on it; every send from it says "process N exited"
and nothing reaches the neighbour, a member of the same group. Moving the
cursor away lets the row go. Every wait is a bounded poll (see tmux.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from .test_robust_tmux import wait_cursor
from .test_send_tmux import CONFIRMATION, quit_restored, start_sigtui
from .test_tui_tmux import set_filter
from .tmux import (
    DEFAULT_TIMEOUT,
    MARK_GONE,
    ProcessRegistry,
    Sessions,
    plain_screen,
    row_backgrounds,
    table_has_keys,
    table_rows,
    unique_marker,
)

NAMES = ("victim", "neighbour", "witness")
"""The sleeps the launcher starts, in this order."""

# Starts the sleeps in the launcher's own new session and group, prints their
# pids (the readiness handshake), and reaps them as they end. The marker comes
# in two pieces so that the launcher's own command line does not match it.
LAUNCHER = """
import os, subprocess, sys
sleep, marker = sys.argv[1], sys.argv[2] + sys.argv[3]
kids = [
    subprocess.Popen([f"{marker}-{name}", "3600"], executable=sleep)
    for name in sys.argv[4:]
]
print(" ".join(str(kid.pid) for kid in kids), flush=True)
while True:  # reap each as it ends, in any order
    try:
        os.wait()
    except ChildProcessError:
        break
"""


@dataclass(frozen=True)
class Group:
    """The test's sleeps, in one process group of their own.

    Attributes:
        marker: The text every sleep's command line starts with.
        sleeps: Each sleep by name (see ``NAMES``).
    """

    marker: str
    sleeps: dict[str, psutil.Process]

    def pid(self, name: str) -> int:
        """A sleep's pid."""
        return self.sleeps[name].pid


@pytest.fixture
def group(process_registry: ProcessRegistry) -> Iterator[Group]:
    """Start the launcher and its sleeps; kill and reap them all afterwards."""
    sleep = shutil.which("sleep")
    if sleep is None:
        pytest.fail("the sleep command is not on PATH")
    marker = unique_marker("e2eselect")
    half = len(marker) // 2
    launcher = process_registry.spawn(
        [sys.executable, "-c", LAUNCHER, sleep, marker[:half], marker[half:], *NAMES],
        f"launcher of the sleeps {marker}",
        stdout=subprocess.PIPE,  # the line of pids
    )
    sleeps: dict[str, psutil.Process] = {}
    try:
        assert launcher.stdout is not None
        # Blocks until the launcher has started every sleep (or has died).
        line = launcher.stdout.readline().decode()
        pids = [int(pid) for pid in line.split()]
        assert len(pids) == len(NAMES), f"launcher said {line!r}"
        for name, pid in zip(NAMES, pids, strict=True):
            process = process_registry.track(pid, f"{name} sleep {marker}")
            assert process is not None, f"the {name} sleep ended at once"
            sleeps[name] = process
        assert {os.getpgid(pid) for pid in pids} == {launcher.pid}
        yield Group(marker, sleeps)
    finally:
        # psutil checks the start time before it signals: never a stranger.
        for process in sleeps.values():
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        ProcessRegistry.stop(launcher)
        assert launcher.stdout is not None
        launcher.stdout.close()


def signals_pending(pid: int) -> str:
    """The process's pending signal masks (thread and process) from /proc."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return " ".join(
        line.replace("\t", " ")
        for line in status
        if line.startswith(("SigPnd", "ShdPnd"))
    )


def end(group: Group, name: str) -> None:
    """SIGKILL a sleep the test started, by its pid; the launcher reaps it."""
    process = group.sleeps[name]
    process.kill()  # checks it is still the same process first
    process.wait(timeout=DEFAULT_TIMEOUT)  # reaped by the launcher, so gone


def test_the_cursor_stays_on_an_exited_process(
    sessions: Sessions, group: Group
) -> None:
    """Exited under the cursor: kept, refused, no other process signalled."""
    victim, neighbour, witness = (group.pid(name) for name in NAMES)
    app = start_sigtui(sessions)

    # The cursor on the victim: filtered to it alone, the colour of the cursor
    # is the only row's; then all three, the cursor stays with the process.
    set_filter(app, f"{group.marker}-victim")
    app.wait_for(
        lambda s: table_rows(s).keys() == {victim},
        what=f"only the victim's row (pid {victim})",
    )
    cursor = row_backgrounds(app.capture(escapes=True))[victim]
    app.send_keys("Escape")
    app.wait_for(lambda s: "filter:" not in s, what="escape to clear the filter")
    set_filter(app, group.marker)
    app.wait_for(
        lambda s: table_rows(s).keys() == {victim, neighbour, witness},
        what="the rows of the three sleeps",
    )
    wait_cursor(app, cursor, victim)

    end(group, "victim")
    end(group, "witness")
    app.wait_for(
        lambda s: table_rows(s).get(victim, "").startswith(MARK_GONE),
        what=f"the victim's row (pid {victim}) marked exited",
    )
    # The witness exited at the same time, not selected: it goes after one
    # refresh. By then the victim's row has outlived that refresh.
    app.wait_for(
        lambda s: witness not in table_rows(s),
        what=f"the witness's row (pid {witness}) to go",
    )
    screen = wait_cursor(app, cursor, victim)
    assert table_rows(screen)[victim].startswith(MARK_GONE), screen
    assert table_has_keys(screen), screen

    # Every send from the exited row is refused; the picker, a confirmation
    # or a signal to the group (the neighbour is in it) would be wrong.
    keys = ("k", "F9", "g", "x", "z")
    refusal = f"process {victim} exited"
    app.send_keys(*keys)
    screen = app.wait_for(
        lambda s: s.count(refusal) >= len(keys),
        what=f"{len(keys)} refusals saying {refusal!r}",
    )
    assert "Send a signal to" not in screen, screen
    assert CONFIRMATION not in screen, screen
    state = group.sleeps["neighbour"].status()
    assert state == psutil.STATUS_SLEEPING, f"the neighbour is {state}"
    pending = signals_pending(neighbour)
    assert pending == "SigPnd: 0000000000000000 ShdPnd: 0000000000000000", pending
    screen = wait_cursor(app, cursor, victim)
    assert table_rows(screen)[victim].startswith(MARK_GONE), screen

    # Moving the cursor away lets the row go at the next refresh.
    app.send_keys("Down")
    wait_cursor(app, cursor, neighbour)
    app.wait_for(
        lambda s: table_rows(s).keys() == {neighbour},
        what=f"the victim's row (pid {victim}) to go",
    )
    screen = plain_screen(app.capture(escapes=True))
    assert not table_rows(screen)[neighbour].startswith(MARK_GONE), screen
    assert group.sleeps["neighbour"].is_running()
    quit_restored(app)
