"""The trace layer against the real kernel: real signals to processes the tests start.

Each test runs the real reader process (``sigtui trace --feed``, through
:class:`~sigtui.trace.feed.TraceFeed`), which mounts tracefs in a private
mount namespace of its own and reads from a tracing instance of its own.
The tracer sees the whole machine, so every assertion looks only at the
processes the test started. CI runs as root; so does this machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from sigtui.trace.feed import FeedState, TraceFeed
from sigtui.trace.records import Exited, Fate, Record, Result, Sender, TracedSignal
from sigtui.trace.words import exit_words
from tests.spawn import READY_TIMEOUT, Recorder, Spawner, wait_for_state, wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="tracing needs root")

TIMEOUT = max(READY_TIMEOUT, 15.0)


class Tracer:
    """A running TraceFeed and what it gave out."""

    def __init__(self) -> None:
        self.records: Recorder[Record] = Recorder()
        self.states: Recorder[FeedState] = Recorder()
        self.feed = TraceFeed(self.records, lambda state: self.states([state]))

    def signal_to(self, pid: int, signo: int, *, settled: bool = True) -> TracedSignal:
        """The first traced signal to ``pid`` (settled, unless asked otherwise)."""

        def match(record: Record) -> bool:
            return (
                isinstance(record, TracedSignal)
                and record.target_pid == pid
                and record.signo == signo
                and (record.fate.settled or not settled)
            )

        found = self.records.wait_for(match, TIMEOUT)
        assert isinstance(found, TracedSignal)
        return found

    def to(self, pid: int) -> list[TracedSignal]:
        return [
            r
            for r in self.records.snapshot()
            if isinstance(r, TracedSignal) and r.target_pid == pid
        ]

    def exit_of(self, pid: int) -> Exited:
        found = self.records.wait_for(
            lambda r: isinstance(r, Exited) and r.pid == pid, TIMEOUT
        )
        assert isinstance(found, Exited)
        return found


@pytest.fixture
def tracer() -> Iterator[Tracer]:
    tracer = Tracer()
    tracer.feed.start()
    try:
        state = tracer.states.wait_for(lambda s: True, TIMEOUT)
        assert state.on, state.sentence
        yield tracer
    finally:
        tracer.feed.stop()


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run a shell command line (the sender), and return how it went."""
    return subprocess.run(
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )


def test_kill_from_a_shell_names_the_shell_and_kills(
    tracer: Tracer, spawner: Spawner
) -> None:
    sleeper = spawner.command(["sleep", "1000"])
    sender = subprocess.Popen(
        ["sh", "-c", f"read line; kill -TERM {sleeper.pid}"], stdin=subprocess.PIPE
    )
    assert sender.stdin is not None
    sender.stdin.write(b"go\n")
    sender.stdin.close()
    assert sender.wait(TIMEOUT) == 0
    record = tracer.signal_to(sleeper.pid, signal.SIGTERM)
    assert (record.sender, record.sender_pid) == (Sender.PROCESS, sender.pid)
    assert record.sender_name == "sh"
    assert record.fate is Fate.KILLED
    exited = tracer.exit_of(sleeper.pid)
    assert exited.by is not None
    assert exited.by.id == record.id
    assert exit_words(exited).startswith(f"killed by SIGTERM from {sender.pid} (sh)")


def test_a_signal_the_target_ignores_is_ignored(
    tracer: Tracer, spawner: Spawner
) -> None:
    child = spawner.python(
        """
        import signal
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        ready()
        park()
        """
    )
    os.kill(child.pid, signal.SIGUSR1)
    record = tracer.signal_to(child.pid, signal.SIGUSR1)
    assert (record.result, record.fate) == (Result.IGNORED, Fate.IGNORED)
    assert record.sender_pid == os.getpid()


BLOCKED = """
import signal, sys
signo = int(sys.argv[1])
got = []
signal.signal(signo, lambda *a: got.append(1))
signal.pthread_sigmask(signal.SIG_BLOCK, {signo})
ready()
sys.stdin.readline()  # the test has sent its signals
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signo})
park()
"""


def _send_three_then_unblock(spawner: Spawner, signo: int) -> int:
    child = spawner.python(BLOCKED, [str(signo)])
    for _ in range(3):
        os.kill(child.pid, signo)
    wait_until(lambda: _pending(child.pid, signo), "the signal to be pending")
    assert child.proc.stdin is not None
    child.proc.stdin.write(b"go\n")
    child.proc.stdin.flush()
    return child.pid


def _pending(pid: int, signo: int) -> bool:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("ShdPnd:"):
                return bool(int(line.split()[1], 16) & (1 << (signo - 1)))
    return False


def test_a_blocked_standard_signal_sent_three_times_merges_into_one_delivery(
    tracer: Tracer, spawner: Spawner
) -> None:
    pid = _send_three_then_unblock(spawner, signal.SIGUSR1)
    tracer.signal_to(pid, signal.SIGUSR1)
    wait_until(lambda: len(tracer.to(pid)) >= 3, "three traced sends")
    records = sorted(tracer.to(pid), key=lambda r: r.id)
    assert [r.result for r in records] == [Result.QUEUED, Result.MERGED, Result.MERGED]
    assert [r.fate for r in records] == [Fate.CAUGHT, Fate.MERGED, Fate.MERGED]
    assert sum(r.taken is not None for r in records) == 1


def test_a_realtime_signal_sent_three_times_is_delivered_three_times(
    tracer: Tracer, spawner: Spawner
) -> None:
    signo = signal.SIGRTMIN + 1
    pid = _send_three_then_unblock(spawner, signo)
    wait_until(
        lambda: sum(r.fate is Fate.CAUGHT for r in tracer.to(pid)) >= 3,
        "three deliveries",
        TIMEOUT,
    )
    records = tracer.to(pid)
    assert [r.result for r in records] == [Result.QUEUED] * 3
    assert [r.fate for r in records] == [Fate.CAUGHT] * 3


def test_a_fault_is_sent_by_the_cpu_in_the_victim(tracer: Tracer) -> None:
    victim = subprocess.Popen(
        [sys.executable, "-c", "import ctypes; ctypes.string_at(0)"],
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert victim.wait(TIMEOUT) == -signal.SIGSEGV
    record = tracer.signal_to(victim.pid, signal.SIGSEGV)
    assert record.sender is Sender.CPU
    assert record.sender_pid == victim.pid
    assert record.fate is Fate.KILLED
    assert exit_words(tracer.exit_of(victim.pid)) == "SIGSEGV (address not mapped)"


def test_a_group_send_is_one_entry_per_member_recognised_as_one_send(
    tracer: Tracer,
) -> None:
    # The test's own children, in a group of their own: they stay zombies
    # until the test reaps them, so the tracer can still read their group.
    members = [subprocess.Popen(["sleep", "1000"], process_group=0)]
    try:
        leader = members[0].pid
        members += [
            subprocess.Popen(["sleep", "1000"], process_group=leader) for _ in range(2)
        ]
        pids = sorted(member.pid for member in members)
        shell(f"kill -TERM -{leader}")
        records = [tracer.signal_to(pid, signal.SIGTERM) for pid in pids]
    finally:
        for member in members:
            if member.poll() is None:
                os.kill(member.pid, signal.SIGKILL)
            member.wait()
    assert len({r.sender_pid for r in records}) == 1
    assert records[0].sender_name == "sh"
    assert {r.burst for r in records} == {min(r.id for r in records)}
    assert {r.burst_size for r in records} == {3}
    assert {r.pgid for r in records} == {leader}
    assert all(r.fate is Fate.KILLED for r in records)


def test_a_stopped_process_is_stopped_then_continued(
    tracer: Tracer, spawner: Spawner
) -> None:
    sleeper = spawner.command(["sleep", "1000"])
    os.kill(sleeper.pid, signal.SIGSTOP)
    wait_for_state(sleeper.pid, "T")
    os.kill(sleeper.pid, signal.SIGCONT)
    assert tracer.signal_to(sleeper.pid, signal.SIGSTOP).fate is Fate.STOPPED
    assert tracer.signal_to(sleeper.pid, signal.SIGCONT).fate is Fate.CONTINUED


def test_an_exit_by_itself_says_exited(tracer: Tracer) -> None:
    child = subprocess.Popen(["sh", "-c", "exit 3"], start_new_session=True)
    # Not reaped before the tracer has seen the exit: its zombie keeps the status.
    exited = tracer.exit_of(child.pid)
    assert child.wait(TIMEOUT) == 3
    assert exited.signo == 0
    assert exit_words(exited) in ("exited 3", "exited")


def test_a_signal_taken_with_sigwaitinfo_was_waited_for(
    tracer: Tracer, spawner: Spawner
) -> None:
    child = spawner.python(
        """
        import signal, threading
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        ready()
        signal.sigwaitinfo({signal.SIGUSR1})
        park()
        """
    )
    os.kill(child.pid, signal.SIGUSR1)
    record = tracer.signal_to(child.pid, signal.SIGUSR1)
    assert record.fate is Fate.WAITED
    assert record.taken is None
