"""Integration tests: sending real signals to processes these tests start.

Every process signalled here was started by the test: a child in its own
session (tests/spawn.py), children in process groups the test made itself, or
processes inside a fresh pid namespace. Signals go to their pids and groups
only; nothing is ever sent to 0, -1, 1 or by name. Everything is waited for
with a handshake or a bounded poll on /proc, and reaped at teardown.

Where a test must show that a signal did *not* reach a process, that process
blocks SIGTERM: a SIGTERM sent to it would show in its pending set (ShdPnd)
as soon as the system call returned, so "not there" is a sure answer rather
than "not dead yet".

The permission tests drop to ``nobody`` in a forked child of the test runner
(the interpreter is already loaded, so root's unreadable home does not
matter) and report the results back over a pipe as JSON.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sigtui.delivery import (
    Context,
    Ending,
    Fate,
    GroupTarget,
    ProcessTarget,
    Sender,
    SendResult,
    Status,
    Syscalls,
    TaggedTarget,
    Target,
    end_gracefully,
    watch,
)
from sigtui.delivery.send import PIDFD_SIGNAL_PROCESS_GROUP
from sigtui.processes import ProcessInfo
from sigtui.processes.scan import ProcfsScanner
from sigtui.signals import SignalSpec, catalogue, decode_mask
from tests.spawn import (
    _READY_ENV,
    READY_TIMEOUT,
    STOP_TIMEOUT,
    Child,
    Spawner,
    proc_state,
    sleeper,
    wait_for_state,
)

SIGNALS = catalogue()
TERM = SIGNALS.parse("TERM")
KILL = SIGNALS.parse("KILL")
STOP = SIGNALS.parse("STOP")
CONT = SIGNALS.parse("CONT")

NOBODY = 65534
REPO = Path(__file__).resolve().parents[2]

SHORT_GRACE = 0.3
"""Seconds a TERM-ignoring process gets before SIGKILL (nothing is timed)."""

LONG = READY_TIMEOUT
"""An upper bound for waits that end as soon as their condition holds."""

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root can drop to nobody and own the targets"
)

IGNORES_TERM = """
signal.signal(signal.SIGTERM, signal.SIG_IGN)
ready()
park()
"""

BLOCKS_TERM = """
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
ready()
park()
"""

STOP_GROUP = """
first = fork_member()
second = fork_member()
sibling = fork_member(new_group=True)
ready(members=[first, second], sibling=sibling)
park()
"""

MIXED_GROUP = f"""
NOBODY = {NOBODY}

def member(pgid, drop):
    lifeline_r, lifeline_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(lifeline_w)
        os.close(done_r)
        os.close(int(os.environ.pop({_READY_ENV!r})))
        os.setpgid(0, pgid)
        if drop:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        os.write(done_w, b"x")
        os.close(done_w)
        os.read(lifeline_r, 1)
        os._exit(0)
    os.close(lifeline_r)
    os.close(done_w)
    _members.append((pid, lifeline_w))
    if os.read(done_r, 1) != b"x":
        raise RuntimeError(f"member {{pid}} failed to set itself up")
    os.close(done_r)
    return pid

leader = member(0, drop=True)
root_member = member(leader, drop=False)
ready(leader=leader, member=root_member)
park()
"""
"""A group led by a nobody process with a root member, in the child's session."""


def info_of(pid: int) -> ProcessInfo:
    snapshot = ProcfsScanner().scan()
    assert pid in snapshot.by_pid, f"pid {pid} missing from the scan"
    return snapshot.by_pid[pid]


def group_of(pgid: int) -> tuple[ProcessInfo, ...]:
    return tuple(p for p in ProcfsScanner().scan().processes if p.pgid == pgid)


def shared_pending(pid: int) -> frozenset[int]:
    """The signals pending for the whole process: what kill() leaves there."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("ShdPnd:"):
            return decode_mask(line.split()[1])
    raise AssertionError(f"no ShdPnd line for pid {pid}")


def asleep(child: Child) -> Child:
    wait_for_state(child.pid, "S")
    return child


def untouched(child: Child) -> bool:
    """Whether a TERM-blocking child runs on with no SIGTERM pending."""
    return (
        child.proc.poll() is None
        and proc_state(child.pid) == "S"
        and int(signal.SIGTERM) not in shared_pending(child.pid)
    )


def finish(child: Child) -> int:
    """Let a parked child exit by itself (stdin closed) and reap it."""
    assert child.proc.stdin is not None
    child.proc.stdin.close()
    return child.proc.wait(timeout=STOP_TIMEOUT)


def send(
    target: Target, sig: SignalSpec, syscalls: Syscalls | None = None
) -> SendResult:
    [result] = Sender(Context.current(), syscalls).send(target, sig)
    return result


class RecordingSyscalls(Syscalls):
    """The real system calls, recording every signal they send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int, int]] = []

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        self.sent.append(("pidfd_send_signal", signum, flags))
        super().pidfd_send_signal(fd, signum, flags)

    def killpg(self, pgid: int, signum: int) -> None:
        self.sent.append(("killpg", pgid, signum))
        super().killpg(pgid, signum)


class OldKernelSyscalls(RecordingSyscalls):
    """The real system calls, as on a kernel without the process-group flag."""

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        if flags & PIDFD_SIGNAL_PROCESS_GROUP:
            self.sent.append(("pidfd_send_signal", signum, flags))
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        super().pidfd_send_signal(fd, signum, flags)


# --- One process -------------------------------------------------------------------


def test_term_kills_a_process(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = info_of(child.pid)
    result = send(ProcessTarget(info), TERM)
    assert result.status is Status.DELIVERED
    assert result.ok
    assert result.pid == child.pid
    assert result.message == f"SIGTERM delivered to process {child.pid} ({info.comm})."
    [seen] = watch([info], TERM, timeout=LONG)
    assert seen.fate is Fate.EXITED
    assert seen.info is info
    assert seen.state in ("Z", "")  # unreaped until the test waits for it
    assert child.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM


def test_stop_then_cont(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = info_of(child.pid)
    assert send(ProcessTarget(info), STOP).status is Status.DELIVERED
    [stopped] = watch([info], STOP, timeout=LONG)
    assert (stopped.fate, stopped.state) == (Fate.STOPPED, "T")
    assert proc_state(child.pid) == "T"
    assert send(ProcessTarget(info), CONT).status is Status.DELIVERED
    [continued] = watch([info], CONT, timeout=LONG)
    assert continued.fate is Fate.CONTINUED
    assert continued.state in ("R", "S")
    wait_for_state(child.pid, "S")
    assert child.proc.poll() is None


def test_term_ignored_process_survives(spawner: Spawner) -> None:
    child = asleep(spawner.python(IGNORES_TERM))
    info = info_of(child.pid)
    # An ignored signal is discarded when it is sent, so no wait is needed for
    # the answer; watch() only looks for a while and reports what it saw.
    assert send(ProcessTarget(info), TERM).status is Status.DELIVERED
    [seen] = watch([info], TERM, timeout=SHORT_GRACE)
    assert (seen.fate, seen.state) == (Fate.RUNNING, "S")
    assert child.proc.poll() is None
    assert int(signal.SIGTERM) not in shared_pending(child.pid)


def test_tagged_processes_are_signalled_one_by_one(spawner: Spawner) -> None:
    first, second = sleeper(spawner), sleeper(spawner)
    bystander = asleep(spawner.python(BLOCKS_TERM))
    infos = (info_of(first.pid), info_of(second.pid))
    results = Sender(Context.current()).send(TaggedTarget(infos), TERM)
    assert [(r.pid, r.status) for r in results] == [
        (first.pid, Status.DELIVERED),
        (second.pid, Status.DELIVERED),
    ]
    assert [o.fate for o in watch(infos, TERM, timeout=LONG)] == [Fate.EXITED] * 2
    assert first.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM
    assert second.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM
    assert untouched(bystander)


# --- Gone and stale identities -------------------------------------------------------


def test_exited_and_reaped_target_is_gone(spawner: Spawner) -> None:
    child = sleeper(spawner)
    bystander = asleep(spawner.python(BLOCKS_TERM))
    info = info_of(child.pid)
    assert finish(child) == 0
    calls = RecordingSyscalls()
    result = send(ProcessTarget(info), TERM, calls)
    assert result.status is Status.GONE
    assert not result.ok
    assert result.message.startswith(f"Not sent: process {child.pid} ({info.comm}) has")
    assert result.message.endswith("; nothing else was signalled.")
    assert send(GroupTarget(child.pid, (info,)), TERM, calls).status is Status.GONE
    ending = end_gracefully(info, SHORT_GRACE, syscalls=calls)
    assert ending.ending is Ending.GONE
    assert calls.sent == []
    # In a tagged set, the gone one does not stop the others.
    results = Sender(Context.current(), calls).send(
        TaggedTarget((info, info_of(bystander.pid))), TERM
    )
    assert [r.status for r in results] == [Status.GONE, Status.DELIVERED]
    assert int(signal.SIGTERM) in shared_pending(bystander.pid)


@pytest.mark.parametrize("shift", [-1.0, 0.01, 3600.0])
def test_stale_identity_is_gone_and_the_live_process_untouched(
    spawner: Spawner, shift: float
) -> None:
    child = asleep(spawner.python(BLOCKS_TERM))
    info = info_of(child.pid)
    stale = dataclasses.replace(info, start_time=info.start_time + shift)
    calls = RecordingSyscalls()
    result = send(ProcessTarget(stale), KILL, calls)
    assert result.status is Status.GONE
    assert "its pid now belongs to another process" in result.message
    assert send(ProcessTarget(stale), TERM, calls).status is Status.GONE
    assert send(GroupTarget(child.pid, (stale,)), TERM, calls).status is Status.GONE
    ending = end_gracefully(stale, 0.0, syscalls=calls)
    assert ending.ending is Ending.GONE
    assert "pid reused" in ending.message
    assert calls.sent == []
    assert untouched(child)
    # The true identity still works: the check is not simply failing.
    assert send(ProcessTarget(info), TERM).status is Status.DELIVERED
    assert int(signal.SIGTERM) in shared_pending(child.pid)


# --- Groups ------------------------------------------------------------------------


class Family:
    """Children of the test in its own session, in process groups it makes.

    (A new session cannot be used here: only a process in the group's session
    may join a group.) They run Python, report ready on stdout, and exit when
    their stdin closes; :meth:`close` reaps every one.
    """

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, group: int, *, block_term: bool = False) -> subprocess.Popen[bytes]:
        code = (
            "import os, signal, sys\n"
            + ("signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\n")
            * block_term
            + "os.write(1, b'ready\\n')\n"
            "sys.stdin.buffer.read()\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            process_group=group,
        )
        self.procs.append(proc)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], READY_TIMEOUT)
        assert ready, f"pid {proc.pid} not ready after {READY_TIMEOUT} s"
        assert proc.stdout.readline() == b"ready\n"
        wait_for_state(proc.pid, "S")
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
            if proc.stdout is not None:
                proc.stdout.close()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()  # our own unreaped child: its pid is still ours
                proc.wait(timeout=STOP_TIMEOUT)
        self.procs.clear()


@pytest.fixture
def family() -> Iterator[Family]:
    family = Family()
    try:
        yield family
    finally:
        family.close()


@pytest.mark.parametrize("old_kernel", [False, True], ids=["pidfd group", "killpg"])
def test_group_term_reaches_every_member_and_no_one_else(
    family: Family, spawner: Spawner, old_kernel: bool
) -> None:
    leader = family.start(0)
    members = [leader, family.start(leader.pid), family.start(leader.pid)]
    sibling = family.start(0, block_term=True)  # same parent and session
    outsider = asleep(spawner.python(BLOCKS_TERM))  # another session
    listed = group_of(leader.pid)
    assert sorted(p.pid for p in listed) == sorted(m.pid for m in members)
    calls = OldKernelSyscalls() if old_kernel else RecordingSyscalls()
    result = send(GroupTarget(leader.pid, listed), TERM, calls)
    assert result.status is Status.DELIVERED
    assert result.message == (
        f"SIGTERM delivered to process group {leader.pid} (3 processes)."
    )
    with_flag = ("pidfd_send_signal", TERM.number, PIDFD_SIGNAL_PROCESS_GROUP)
    fallback = ("killpg", leader.pid, TERM.number)
    assert calls.sent == ([with_flag, fallback] if old_kernel else [with_flag])
    assert [o.fate for o in watch(listed, TERM, timeout=LONG)] == [Fate.EXITED] * 3
    for member in members:
        assert member.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM
    assert sibling.poll() is None
    assert int(signal.SIGTERM) not in shared_pending(sibling.pid)
    assert untouched(outsider)


def test_group_stop_and_cont_reach_every_member(spawner: Spawner) -> None:
    child = asleep(spawner.python(STOP_GROUP))
    sibling = int(child.info["sibling"])
    child.own_groups.append(sibling)
    for pid in (*child.info["members"], sibling):
        wait_for_state(int(pid), "S")
    listed = group_of(child.pid)
    assert {p.pid for p in listed} == {child.pid, *child.info["members"]}
    assert send(GroupTarget(child.pid, listed), STOP).status is Status.DELIVERED
    stopped = watch(listed, STOP, timeout=LONG)
    assert [(o.fate, o.state) for o in stopped] == [(Fate.STOPPED, "T")] * 3
    assert proc_state(sibling) == "S"
    assert send(GroupTarget(child.pid, listed), CONT).status is Status.DELIVERED
    continued = watch(listed, CONT, timeout=LONG)
    assert [o.fate for o in continued] == [Fate.CONTINUED] * 3
    for info in listed:
        wait_for_state(info.pid, "S")


# --- Ending gracefully --------------------------------------------------------------


def test_end_gracefully_kills_a_term_ignoring_process(spawner: Spawner) -> None:
    child = asleep(spawner.python(IGNORES_TERM))
    info = info_of(child.pid)
    ticks: list[float] = []
    result = end_gracefully(info, SHORT_GRACE, on_tick=ticks.append)
    assert result.ending is Ending.BY_KILL
    assert result.message == (
        f"process {child.pid} ({info.comm}) ignored SIGTERM for 0.3 s; "
        "SIGKILL ended it."
    )
    assert ticks
    assert child.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL


def test_end_gracefully_ends_a_cooperative_process_by_term(spawner: Spawner) -> None:
    child = sleeper(spawner)
    info = info_of(child.pid)
    # A grace far longer than it needs: it ends as soon as the process does.
    result = end_gracefully(info, LONG)
    assert result.ending is Ending.BY_TERM
    assert result.message.startswith(f"process {child.pid} ({info.comm}) ended after")
    assert child.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGTERM


def test_end_gracefully_cancelled_leaves_it_alive(spawner: Spawner) -> None:
    child = asleep(spawner.python(IGNORES_TERM))
    cancel = threading.Event()
    ticks: list[float] = []

    def tick(left: float) -> None:
        ticks.append(left)
        cancel.set()

    calls = RecordingSyscalls()
    info = info_of(child.pid)
    result = end_gracefully(info, LONG, cancel=cancel, on_tick=tick, syscalls=calls)
    assert result.ending is Ending.CANCELLED
    assert result.message == (
        f"Cancelled: process {child.pid} ({info.comm}) got SIGTERM but no SIGKILL."
    )
    assert len(ticks) == 1
    assert calls.sent == [("pidfd_send_signal", TERM.number, 0)]
    assert child.proc.poll() is None
    assert proc_state(child.pid) == "S"


def test_end_gracefully_escapes_the_command_name(spawner: Spawner) -> None:
    child = asleep(
        spawner.python(
            "import ctypes\n"
            "ctypes.CDLL(None).prctl(15, b'evil\\x1b[2J', 0, 0, 0)\n"  # PR_SET_NAME
            "ready()\n"
            "park()\n"
        )
    )
    info = info_of(child.pid)
    assert info.comm == "evil\x1b[2J"
    result = end_gracefully(info, LONG)
    assert result.ending is Ending.BY_TERM
    assert "\x1b" not in result.message
    assert f"process {child.pid} (evil\\x1b[2J)" in result.message


# --- Permission: a sender that is not root -------------------------------------------


def as_nobody(action: Callable[[], Any]) -> Any:
    """Run ``action`` in a forked child that dropped to nobody; return its result.

    The result travels back over a pipe as JSON. The child never returns into
    the test runner: it leaves with ``os._exit`` whatever happens.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_fd)
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                payload = {"result": action()}
            except BaseException:
                payload = {"error": traceback.format_exc()}
            data = json.dumps(payload).encode()
            while data:
                data = data[os.write(write_fd, data) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    chunks: list[bytes] = []
    try:
        deadline = time.monotonic() + STOP_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_fd], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)  # our own unreaped child
                pytest.fail(f"the nobody sender gave no answer in {STOP_TIMEOUT} s")
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    payload = json.loads(b"".join(chunks))
    assert "error" not in payload, payload["error"]
    return payload["result"]


def results_of(target: Target, sig: SignalSpec) -> Callable[[], list[list[Any]]]:
    """What the nobody child does: check who it is, send, describe the results."""

    def run() -> list[list[Any]]:
        assert (os.getuid(), os.geteuid()) == (NOBODY, NOBODY)
        results = Sender(Context.current()).send(target, sig)
        return [[r.status.name, r.message, r.pid] for r in results]

    return run


@needs_root
def test_nobody_may_not_signal_a_root_process(spawner: Spawner) -> None:
    child = asleep(spawner.python(BLOCKS_TERM))
    info = info_of(child.pid)
    assert (info.uid, info.user) == (0, "root")
    [[status, message, pid]] = as_nobody(results_of(ProcessTarget(info), TERM))
    assert (status, pid) == (Status.PERMISSION.name, child.pid)
    assert message == (
        f"Permission denied: process {child.pid} ({info.comm}) belongs to root; "
        "SIGTERM was not sent."
    )
    [[status, message, _]] = as_nobody(
        results_of(GroupTarget(child.pid, (info,)), TERM)
    )
    assert status == Status.PERMISSION.name
    assert message.startswith("Permission denied: no member of process group")

    def escalate() -> list[str]:
        result = end_gracefully(info, 0.0)
        return [result.ending.name, result.message]

    ending, message = as_nobody(escalate)
    assert ending == Ending.FAILED.name
    assert message == (
        f"Permission denied: process {child.pid} ({info.comm}) belongs to root; "
        "nothing was sent."
    )
    assert untouched(child)


@needs_root
def test_mixed_group_from_nobody_is_partial(spawner: Spawner) -> None:
    child = asleep(spawner.python(MIXED_GROUP))
    leader, member = int(child.info["leader"]), int(child.info["member"])
    child.own_groups.append(leader)
    wait_for_state(leader, "S")
    wait_for_state(member, "S")
    listed = group_of(leader)
    assert sorted((p.pid, p.uid) for p in listed) == [(leader, NOBODY), (member, 0)]
    [[status, message, _]] = as_nobody(results_of(GroupTarget(leader, listed), TERM))
    assert status == Status.PARTIAL.name
    assert message == (
        f"SIGTERM reached only some of process group {leader} (2 processes): "
        f"not permitted for {member} (root)."
    )
    # The nobody leader died (a zombie until its parent reaps it); the root
    # member never got the signal, and neither did the group's creator.
    wait_for_state(leader, "Z")
    assert proc_state(member) == "S"
    assert int(signal.SIGTERM) not in shared_pending(member)
    assert proc_state(child.pid) == "S"
    assert int(signal.SIGTERM) not in shared_pending(child.pid)


# --- Pid reuse, forced inside a fresh pid namespace ----------------------------------


def unshare_permitted() -> str | None:
    """Why a pid namespace cannot be made here, or None when it can."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        [unshare, "--pid", "--fork", "--mount-proc", "true"],
        capture_output=True,
        timeout=STOP_TIMEOUT,
        check=False,
    )
    if probe.returncode != 0:
        error = probe.stderr.decode(errors="replace").strip()
        return f"unshare --pid --fork --mount-proc is not permitted: {error}"
    return None


def test_reused_pid_is_gone_and_the_reuser_untouched() -> None:
    reason = unshare_permitted()
    if reason is not None:
        pytest.skip(reason)
    # --kill-child: if unshare is killed (timeout), pid 1 of the namespace dies
    # too, and with it everything in the namespace.
    run = subprocess.run(
        [
            "unshare",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            sys.executable,
            "-m",
            "tests.pid_reuse",
        ],
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    result = json.loads(run.stdout)
    assert result["b"] == result["a"], "the pid was not reused"
    assert result["b_start"] != result["a_start"]
    assert result["rescan_start"] == result["b_start"]
    assert result["status"] == Status.GONE.name
    assert "its pid now belongs to another process" in result["message"]
    assert result["ending"] == Ending.GONE.name
    assert result["signals_sent"] == []
    assert result["b_alive"] is True
    assert result["b_pending"] == []


def test_watch_reports_the_first_fate_it_sees() -> None:
    # No process needed: watch() takes how to read a state.
    info = dataclasses.replace(info_of(os.getpid()), pid=424242)
    # It stays stopped: the watch looks a moment longer for a SIGCONT.
    states = itertools.chain(["S", "S"], itertools.repeat("T"))
    [seen] = watch([info], STOP, timeout=LONG, state_of=lambda _: next(states))
    assert (seen.fate, seen.state) == (Fate.STOPPED, "T")
    [gone] = watch([info], CONT, timeout=LONG, state_of=lambda _: None)
    assert (gone.fate, gone.state) == (Fate.EXITED, "")
    cancel = threading.Event()
    cancel.set()
    [cancelled] = watch(
        [info], TERM, timeout=LONG, cancel=cancel, state_of=lambda _: "S"
    )
    assert (cancelled.fate, cancelled.state) == (Fate.RUNNING, "S")
