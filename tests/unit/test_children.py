"""The shared child supervisor, with small real programs and real signals.

Each program is ``python -c`` with the supervisor's ``--report-fd`` and
``--lifeline-fd`` (and ``--control-fd``) at the end of its arguments. Signals
go only to the programs the test's supervisor started; every test stops it
and checks that nothing is left.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator

import pytest

from sigtui.children import (
    Change,
    Children,
    Continued,
    Exited,
    Gone,
    Killed,
    SpawnError,
    Stopped,
)
from sigtui.procfs import process_state
from tests.spawn import Recorder, wait_until

PROGRAM = """
import os, select, sys
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
report, lifeline = int(args["--report-fd"]), int(args["--lifeline-fd"])
control = int(args.get("--control-fd", -1))
extra = []
if os.environ.get("GRANDCHILD"):
    pid = os.fork()
    if pid == 0:
        select.select([lifeline], [], [])
        os._exit(0)
    extra.append(pid)
os.write(report, f"ready {os.getpid()} {' '.join(map(str, extra))}\\n".encode())
watched = [lifeline] + ([control] if control >= 0 else [])
while True:
    readable, _, _ = select.select(watched, [], [])
    if lifeline in readable and not os.read(lifeline, 64):
        os._exit(3)
    if control in readable:
        os.write(report, b"echo " + os.read(control, 64))
"""

STUBBORN = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
report = int(sys.argv[sys.argv.index("--report-fd") + 1])
os.write(report, b"ready\\n")
while True:
    time.sleep(3600)  # ignores its lifeline: only SIGKILL ends it
"""


class Supervised:
    """A supervisor, the bytes it read and the changes it saw."""

    def __init__(self) -> None:
        self.changes: Recorder[Change] = Recorder()
        self.data = b""
        self._lock = threading.Lock()
        self.children = Children(self._on_data, lambda c: self.changes([c]))

    def _on_data(self, data: bytes) -> None:
        with self._lock:
            self.data += data

    def text(self) -> str:
        with self._lock:
            return self.data.decode()

    def start(
        self,
        code: str,
        *,
        control: bool = False,
        group: int | None = 0,
        env: dict[str, str] | None = None,
    ) -> int:
        argv = [sys.executable, "-c", code]
        pid = self.children.spawn(argv, control=control, group=group, env=env)
        wait_until(lambda: "ready" in self.text(), "the program to be ready")
        return pid


@pytest.fixture
def supervised() -> Iterator[Supervised]:
    it = Supervised()
    try:
        yield it
    finally:
        it.children.stop()
        assert not it.children.any_started_alive()


def test_reports_arrive_and_an_exit_is_reaped_once(supervised: Supervised) -> None:
    pid = supervised.start(PROGRAM)
    assert supervised.text().startswith(f"ready {pid}")
    assert supervised.children.alive(pid)
    assert supervised.children.pgids == {pid}
    assert os.getpgid(pid) == pid
    assert os.getsid(pid) == os.getsid(0)  # a new group in sigtui's session
    supervised.children.cut_lifeline()
    exited = supervised.changes.wait_for(lambda c: isinstance(c, Exited))
    assert exited == Exited(pid, 3)
    assert not supervised.children.alive(pid)
    assert process_state(pid) is None  # reaped, not a zombie


def test_stop_and_continue_are_seen(supervised: Supervised) -> None:
    pid = supervised.start(PROGRAM)
    os.kill(pid, signal.SIGSTOP)
    assert supervised.changes.wait_for(lambda c: True) == Stopped(pid, signal.SIGSTOP)
    os.kill(pid, signal.SIGCONT)
    supervised.changes.wait_for(lambda c: isinstance(c, Continued))
    os.kill(pid, signal.SIGTERM)
    killed = supervised.changes.wait_for(lambda c: isinstance(c, Killed))
    assert killed == Killed(pid, signal.SIGTERM, False)


def test_the_control_pipe_reaches_the_program(supervised: Supervised) -> None:
    pid = supervised.start(PROGRAM, control=True)
    assert supervised.children.write(pid, b"hello\n")
    wait_until(lambda: "echo hello" in supervised.text(), "the echo")
    supervised.children.stop()
    assert not supervised.children.write(pid, b"again\n")


def test_stop_continues_a_stopped_program_and_kills_a_stubborn_one() -> None:
    it = Supervised()
    stopped = it.start(PROGRAM)
    it.data = b""
    stubborn = it.start(STUBBORN, group=None)  # a session of its own
    assert os.getsid(stubborn) == stubborn
    os.kill(stopped, signal.SIGSTOP)
    it.changes.wait_for(lambda c: isinstance(c, Stopped))
    it.children.stop(timeout=1.0)
    ends = {c.pid: c for c in it.changes.snapshot() if isinstance(c, Exited | Killed)}
    assert ends[stopped] == Exited(stopped, 3)  # saw its lifeline end once woken
    assert ends[stubborn] == Killed(stubborn, signal.SIGKILL, False)
    for pid in (stopped, stubborn):
        assert process_state(pid) is None
    it.children.stop()  # twice is fine
    with pytest.raises(SpawnError):
        it.children.spawn([sys.executable, "-c", PROGRAM])


def test_a_watched_grandchild_is_seen_to_end(supervised: Supervised) -> None:
    env = {**os.environ, "GRANDCHILD": "1"}
    pid = supervised.start(PROGRAM, env=env)
    grandchild = int(supervised.text().split()[2])
    assert os.getpgid(grandchild) == pid
    supervised.children.watch(grandchild)
    assert supervised.children.alive(grandchild)
    supervised.children.stop()
    changes = supervised.changes.snapshot()
    assert Gone(grandchild) in changes
    assert Exited(pid, 3) in changes
    wait_until(lambda: process_state(grandchild) in (None, "Z"), "the grandchild")


def test_joining_a_group_not_created_here_is_refused(supervised: Supervised) -> None:
    with pytest.raises(SpawnError):
        supervised.children.spawn([sys.executable, "-c", PROGRAM], group=os.getpgrp())
