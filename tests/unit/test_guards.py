"""Unit tests: the safety rules, and that nothing refused reaches a system call.

No process is signalled here. Sends go through :class:`FakeSyscalls`, which
records every call and fails the test outright if a pid <= 0 or a process group
<= 1 ever reaches it; the real :class:`Syscalls` is checked with the
``os`` functions replaced by ones that fail if they are called at all.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterable
from typing import Any, NoReturn

import pytest

from sigtui.delivery import (
    Context,
    Ending,
    GroupTarget,
    GuardError,
    ProcessTarget,
    Sender,
    Status,
    Syscalls,
    TaggedTarget,
    Target,
    Verdict,
    check,
    end_gracefully,
)
from sigtui.delivery.send import PIDFD_SIGNAL_PROCESS_GROUP
from sigtui.processes import ProcessInfo
from sigtui.processes.model import PF_KTHREAD
from sigtui.processes.scan import ProcfsScanner
from sigtui.signals import SignalSpec, catalogue
from tests.spawn import make_info

SIGNALS = catalogue()
TERM = SIGNALS.parse("TERM")
KILL = SIGNALS.parse("KILL")
STOP = SIGNALS.parse("STOP")
TSTP = SIGNALS.parse("TSTP")
TTIN = SIGNALS.parse("TTIN")
CONT = SIGNALS.parse("CONT")
HUP = SIGNALS.parse("HUP")

ME = 1000
"""The sender's uid in these tests (not root, so ownership matters)."""

CTX = Context(
    self_pid=500,
    self_pgid=490,
    ancestors=frozenset({490, 300}),
    uid=ME,
    trusted=frozenset({777}),
)
"""sigtui is pid 500 in group 490, started by 490 (its shell) and 300."""

OWN = make_info(600, uid=ME, user="me", start_time=10.0)
"""A process of the sender's, in its own group."""


class FakeSyscalls(Syscalls):
    """Records every system call against a made-up process table.

    Args:
        processes: What exists: pid -> process (its start time and group).
        fail_send: An errno the signal-sending calls fail with.
        group_flag_errno: An errno sends with the process-group flag fail
            with (EINVAL: a kernel older than 6.9).
    """

    has_pidfd = True

    def __init__(
        self,
        processes: Iterable[ProcessInfo] = (),
        *,
        fail_send: int | None = None,
        group_flag_errno: int | None = None,
    ) -> None:
        self.processes = {p.pid: p for p in processes}
        self.fail_send = fail_send
        self.group_flag_errno = group_flag_errno
        self.calls: list[tuple[Any, ...]] = []
        self._fds: dict[int, int] = {}

    @staticmethod
    def _never(what: str) -> NoReturn:
        pytest.fail(f"{what} reached the system calls")

    def _check_pid(self, call: str, pid: int) -> None:
        self.calls.append((call, pid))
        if pid <= 0:
            self._never(f"{call}({pid})")

    def _fail(self) -> None:
        if self.fail_send is not None:
            raise OSError(self.fail_send, os.strerror(self.fail_send))

    def pidfd_open(self, pid: int) -> int:
        self._check_pid("pidfd_open", pid)
        if pid not in self.processes:
            raise ProcessLookupError(errno.ESRCH, "No such process")
        fd = 1000 + len(self._fds)
        self._fds[fd] = pid
        return fd

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        pid = self._fds[fd]
        self.calls.append(("pidfd_send_signal", pid, signum, flags))
        if pid <= 0:
            self._never(f"pidfd_send_signal to pid {pid}")
        if flags & PIDFD_SIGNAL_PROCESS_GROUP and self.group_flag_errno is not None:
            raise OSError(self.group_flag_errno, os.strerror(self.group_flag_errno))
        self._fail()

    def killpg(self, pgid: int, signum: int) -> None:
        self.calls.append(("killpg", pgid, signum))
        if pgid <= 1:
            self._never(f"killpg({pgid})")
        self._fail()

    def close(self, fd: int) -> None:
        self.calls.append(("close", self._fds.pop(fd)))

    def start_time(self, pid: int) -> float | None:
        self._check_pid("start_time", pid)
        info = self.processes.get(pid)
        return None if info is None else info.start_time

    def pgid_of(self, pid: int) -> int | None:
        self._check_pid("pgid_of", pid)
        info = self.processes.get(pid)
        return None if info is None else info.pgid

    def wait_exit(self, fd: int, timeout: float) -> bool:
        self.calls.append(("wait_exit", self._fds[fd]))
        return True

    @property
    def signals(self) -> list[tuple[Any, ...]]:
        """Only the calls that send a signal."""
        return [c for c in self.calls if c[0] in ("pidfd_send_signal", "killpg")]


def has(reasons: Iterable[str], text: str) -> bool:
    return any(text in reason for reason in reasons)


# --- Refused: never reaches a system call ------------------------------------------


REFUSED_TARGETS: dict[str, Target] = {
    "pid 0": ProcessTarget(make_info(0)),
    "pid -1": ProcessTarget(make_info(-1)),
    "pid -5": ProcessTarget(make_info(-5)),
    "tagged with pid 0": TaggedTarget((OWN, make_info(0))),
    "tagged with pid -1": TaggedTarget((make_info(-1), OWN)),
    "group 0": GroupTarget(0, (make_info(2, pgid=0, flags=PF_KTHREAD),)),
    "group 1": GroupTarget(1, (make_info(1, pgid=1),)),
    "group 1 with no members listed": GroupTarget(1, ()),
    "group -3": GroupTarget(-3, ()),
    "kernel thread": ProcessTarget(make_info(2, ppid=0, pgid=0, flags=PF_KTHREAD)),
    "kernel thread with other flags": ProcessTarget(
        make_info(30, ppid=2, pgid=0, flags=PF_KTHREAD | 0x8040)
    ),
}


@pytest.mark.parametrize("sig", [TERM, KILL, CONT], ids=lambda s: s.short)
@pytest.mark.parametrize("name", list(REFUSED_TARGETS))
def test_refused_targets_never_reach_a_system_call(name: str, sig: SignalSpec) -> None:
    target = REFUSED_TARGETS[name]
    fake = FakeSyscalls([OWN, make_info(2, pgid=0, flags=PF_KTHREAD)])
    verdict = check(target, sig, CTX)
    assert not verdict.allowed
    results = Sender(CTX, fake).send(target, sig)
    assert [r.status for r in results] == [Status.REFUSED]
    assert not results[0].ok
    assert results[0].message.startswith("Not sent: ")
    assert fake.calls == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (ProcessTarget(make_info(0)), "pid 0 is not a process"),
        (ProcessTarget(make_info(-1)), "pid -1 is not a process"),
        (GroupTarget(0, ()), "process group 0 means the sender's own group"),
        (GroupTarget(1, ()), "would be a broadcast to every process"),
        (ProcessTarget(make_info(2, flags=PF_KTHREAD)), "is a kernel thread"),
    ],
)
def test_refusals_say_why(target: Target, reason: str) -> None:
    assert has(check(target, TERM, CTX).refusals, reason)


def test_readonly_refuses_everything_before_any_call() -> None:
    readonly = Context(self_pid=500, self_pgid=490, uid=ME, readonly=True)
    group = GroupTarget(600, (OWN,))
    for target in (ProcessTarget(OWN), group, TaggedTarget((OWN,))):
        for sig in (TERM, CONT, SIGNALS.parse(0, allow_probe=True)):
            fake = FakeSyscalls([OWN])
            verdict = check(target, sig, readonly)
            assert has(verdict.refusals, "--readonly")
            results = Sender(readonly, fake).send(target, sig)
            assert [r.status for r in results] == [Status.REFUSED]
            assert "--readonly" in results[0].message
            assert fake.calls == []


@pytest.mark.parametrize(
    "info",
    [make_info(0), make_info(-1), make_info(2, flags=PF_KTHREAD)],
    ids=["pid 0", "pid -1", "kernel thread"],
)
def test_end_gracefully_refuses_before_any_call(info: ProcessInfo) -> None:
    fake = FakeSyscalls([OWN])
    result = end_gracefully(info, 0.0, syscalls=fake)
    assert result.ending is Ending.FAILED
    assert result.message.startswith("Not sent: ")
    assert fake.calls == []


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            errno.EPERM,
            "Permission denied: process 600 (sleep) belongs to me; nothing was sent.",
        ),
        (errno.EINVAL, "process 600 (sleep): Invalid argument."),
        (errno.ESRCH, "process 600 (sleep) had already exited."),
    ],
)
def test_end_gracefully_reports_a_failed_sigterm(error: int, text: str) -> None:
    fake = FakeSyscalls([OWN], fail_send=error)
    result = end_gracefully(OWN, 0.0, syscalls=fake)
    assert result.ending is (Ending.GONE if error == errno.ESRCH else Ending.FAILED)
    assert result.message == text
    assert fake.calls[-1] == ("close", 600)


def test_end_gracefully_through_one_pidfd() -> None:
    class NeverExits(FakeSyscalls):
        def wait_exit(self, fd: int, timeout: float) -> bool:
            super().wait_exit(fd, timeout)
            return len(self.signals) > 1  # only once SIGKILL was sent

    fake = NeverExits([OWN])
    result = end_gracefully(OWN, 0.0, syscalls=fake)
    assert result.ending is Ending.BY_KILL
    assert [c for c in fake.calls if c[0] in ("pidfd_open", "close")] == [
        ("pidfd_open", 600),
        ("close", 600),
    ]
    assert fake.signals == [
        ("pidfd_send_signal", 600, int(signal.SIGTERM), 0),
        ("pidfd_send_signal", 600, int(signal.SIGKILL), 0),
    ]


# --- The real Syscalls' own guard ------------------------------------------------


@pytest.fixture
def os_calls_forbidden(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the os functions Syscalls uses with ones that record and fail."""
    called: list[str] = []

    def forbidden(name: str) -> Any:
        def call(*args: object) -> NoReturn:
            called.append(f"{name}{args}")
            pytest.fail(f"os.{name}{args} was called")

        return call

    for name in ("killpg", "kill", "pidfd_open", "getpgid"):
        monkeypatch.setattr(os, name, forbidden(name))
    return called


@pytest.mark.parametrize("pgid", [1, 0, -1, -5])
def test_syscalls_killpg_guard(pgid: int, os_calls_forbidden: list[str]) -> None:
    with pytest.raises(GuardError, match=rf"killpg\({pgid}\)"):
        Syscalls().killpg(pgid, int(signal.SIGTERM))
    assert os_calls_forbidden == []


@pytest.mark.parametrize("pid", [0, -1, -5])
def test_syscalls_pidfd_open_guard(pid: int, os_calls_forbidden: list[str]) -> None:
    with pytest.raises(GuardError, match=rf"pidfd_open\({pid}\)"):
        Syscalls().pidfd_open(pid)
    assert os_calls_forbidden == []


@pytest.mark.parametrize("pid", [0, -1])
def test_syscalls_getpgid_guard(pid: int, os_calls_forbidden: list[str]) -> None:
    with pytest.raises(GuardError):
        Syscalls().pgid_of(pid)
    assert os_calls_forbidden == []


def test_guard_error_is_not_an_os_error() -> None:
    # Sender maps OSError to results; a guard hit must never be one of them.
    assert not issubclass(GuardError, OSError)


# --- Allowed sends: which calls they make ------------------------------------------


def test_process_send_opens_checks_then_signals() -> None:
    fake = FakeSyscalls([OWN])
    [result] = Sender(CTX, fake).send(ProcessTarget(OWN), TERM)
    assert result.status is Status.DELIVERED
    assert result.pid == 600
    assert result.message == "SIGTERM delivered to process 600 (sleep)."
    assert fake.calls == [
        ("pidfd_open", 600),
        ("start_time", 600),  # after opening: the fd pins the checked process
        ("pidfd_send_signal", 600, TERM.number, 0),
        ("close", 600),
    ]


def test_process_with_another_start_time_is_gone_and_not_signalled() -> None:
    reuser = make_info(600, start_time=99.0)
    fake = FakeSyscalls([reuser])
    [result] = Sender(CTX, fake).send(ProcessTarget(OWN), KILL)
    assert result.status is Status.GONE
    assert "its pid now belongs to another process" in result.message
    assert fake.signals == []
    assert ("close", 600) in fake.calls


def test_process_gone_before_opening() -> None:
    fake = FakeSyscalls([])
    [result] = Sender(CTX, fake).send(ProcessTarget(OWN), TERM)
    assert result.status is Status.GONE
    assert result.message == (
        "Not sent: process 600 (sleep) has exited; nothing else was signalled."
    )
    assert fake.calls == [("pidfd_open", 600)]


def test_process_gone_after_opening_is_not_called_reused() -> None:
    class ExitsAfterOpen(FakeSyscalls):
        def start_time(self, pid: int) -> float | None:
            super().start_time(pid)
            return None

    fake = ExitsAfterOpen([OWN])
    [result] = Sender(CTX, fake).send(ProcessTarget(OWN), TERM)
    assert result.status is Status.GONE
    assert "has exited;" in result.message
    assert "another process" not in result.message
    assert fake.signals == []


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (errno.EPERM, Status.PERMISSION, "Permission denied: process 600 (sleep) "),
        (errno.ESRCH, Status.GONE, "has exited"),
        (errno.EINVAL, Status.INVALID, "is not a valid signal here"),
        (errno.EBADF, Status.ERROR, "Bad file descriptor"),
    ],
)
def test_process_send_errors(error: int, status: Status, text: str) -> None:
    fake = FakeSyscalls([OWN], fail_send=error)
    [result] = Sender(CTX, fake).send(ProcessTarget(OWN), TERM)
    assert result.status is status
    assert text in result.message
    assert fake.calls[-1] == ("close", 600)


def test_permission_message_names_the_owner() -> None:
    root_owned = make_info(600, uid=0, user="root", start_time=10.0)
    fake = FakeSyscalls([root_owned], fail_send=errno.EPERM)
    [result] = Sender(CTX, fake).send(ProcessTarget(root_owned), TERM)
    assert result.status is Status.PERMISSION
    assert result.message == (
        "Permission denied: process 600 (sleep) belongs to root; SIGTERM was not sent."
    )


def test_tagged_send_goes_one_by_one_and_one_failure_stops_nothing() -> None:
    a = make_info(601, start_time=1.0)
    gone = make_info(602, start_time=2.0)
    c = make_info(603, start_time=3.0)
    fake = FakeSyscalls([a, c])
    results = Sender(CTX, fake).send(TaggedTarget((a, gone, c)), HUP)
    assert [(r.pid, r.status) for r in results] == [
        (601, Status.DELIVERED),
        (602, Status.GONE),
        (603, Status.DELIVERED),
    ]
    assert fake.signals == [
        ("pidfd_send_signal", 601, HUP.number, 0),
        ("pidfd_send_signal", 603, HUP.number, 0),
    ]


GROUP = (
    make_info(700, pgid=700, start_time=1.0, uid=ME, user="me"),
    make_info(701, pgid=700, start_time=2.0, uid=ME, user="me"),
    make_info(702, pgid=700, start_time=3.0, uid=ME, user="me"),
)


def test_group_send_uses_the_leaders_pidfd_with_the_group_flag() -> None:
    fake = FakeSyscalls(GROUP)
    [result] = Sender(CTX, fake).send(GroupTarget(700, GROUP), TERM)
    assert result.status is Status.DELIVERED
    assert result.message == "SIGTERM delivered to process group 700 (3 processes)."
    assert fake.signals == [
        ("pidfd_send_signal", 700, TERM.number, PIDFD_SIGNAL_PROCESS_GROUP)
    ]


def test_group_send_falls_back_to_killpg_on_an_older_kernel() -> None:
    fake = FakeSyscalls(GROUP, group_flag_errno=errno.EINVAL)
    [result] = Sender(CTX, fake).send(GroupTarget(700, GROUP), TERM)
    assert result.status is Status.DELIVERED
    assert fake.signals == [
        ("pidfd_send_signal", 700, TERM.number, PIDFD_SIGNAL_PROCESS_GROUP),
        ("killpg", 700, TERM.number),
    ]


def test_group_without_its_leader_uses_killpg() -> None:
    members = GROUP[1:]
    fake = FakeSyscalls(members)
    [result] = Sender(CTX, fake).send(GroupTarget(700, members), TERM)
    assert result.status is Status.DELIVERED
    assert fake.signals == [("killpg", 700, TERM.number)]


def test_group_whose_members_all_left_is_gone_and_not_signalled() -> None:
    moved = [make_info(m.pid, pgid=800, start_time=m.start_time) for m in GROUP]
    fake = FakeSyscalls(moved)
    [result] = Sender(CTX, fake).send(GroupTarget(700, GROUP), TERM)
    assert result.status is Status.GONE
    assert "none of the listed members of group 700" in result.message
    assert fake.signals == []


def test_group_whose_pids_were_reused_is_gone_and_not_signalled() -> None:
    reused = [make_info(m.pid, pgid=700, start_time=50.0) for m in GROUP]
    fake = FakeSyscalls(reused)
    [result] = Sender(CTX, fake).send(GroupTarget(700, GROUP), TERM)
    assert result.status is Status.GONE
    assert fake.signals == []


def test_group_nobody_may_signal_is_permission_denied() -> None:
    fake = FakeSyscalls(GROUP, fail_send=errno.EPERM)
    [result] = Sender(CTX, fake).send(GroupTarget(700, GROUP), TERM)
    assert result.status is Status.PERMISSION
    assert "no member of process group 700 (3 processes)" in result.message


# --- check(): what needs a confirmation -------------------------------------------


def test_plain_term_to_own_process_needs_no_confirmation() -> None:
    assert check(ProcessTarget(OWN), TERM, CTX).confirmations == ()
    assert check(ProcessTarget(OWN), TERM, CTX).refusals == ()
    assert check(TaggedTarget((OWN,)), HUP, CTX).confirmations == ()


@pytest.mark.parametrize("sig", [KILL, STOP], ids=lambda s: s.short)
def test_kill_and_stop_need_confirmation(sig: SignalSpec) -> None:
    verdict = check(ProcessTarget(OWN), sig, CTX)
    assert verdict.allowed
    assert verdict.confirmations == (
        f"{sig.name} cannot be caught: the process gets no say",
    )


def test_group_sends_need_confirmation() -> None:
    three = GroupTarget(700, GROUP)
    verdict = check(three, TERM, CTX)
    assert verdict.allowed
    assert verdict.confirmations == ("a group send reaches 3 processes at once",)
    one = GroupTarget(700, GROUP[:1])
    assert check(one, TERM, CTX).confirmations == ("it is a process group send",)
    # Even when every member is trusted, a group may have members not listed.
    trusted = GroupTarget(777, (make_info(777, uid=ME),))
    assert check(trusted, TERM, CTX).confirmations == ("it is a process group send",)


def test_several_tagged_processes_need_confirmation() -> None:
    two = TaggedTarget((OWN, make_info(601, uid=ME)))
    assert check(two, TERM, CTX).confirmations == ("it goes to 2 processes",)


def test_other_users_process_needs_confirmation() -> None:
    root_owned = make_info(600, uid=0, user="root")
    verdict = check(ProcessTarget(root_owned), TERM, CTX)
    assert verdict.confirmations == ("process 600 belongs to another user (root)",)
    unnamed = make_info(601, uid=4242, user=None)
    assert check(ProcessTarget(unnamed), TERM, CTX).confirmations == (
        "process 601 belongs to another user (4242)",
    )
    # Root may signal anyone: ownership is then no reason to ask.
    as_root = Context(self_pid=500, self_pgid=490, uid=0)
    assert check(ProcessTarget(root_owned), TERM, as_root).confirmations == ()
    assert check(ProcessTarget(unnamed), TERM, as_root).confirmations == ()
    # An unreadable owner is not "another user".
    unknown = make_info(602, uid=None, user=None)
    assert check(ProcessTarget(unknown), TERM, CTX).confirmations == ()


def test_other_users_member_of_a_group_is_named() -> None:
    mixed = (make_info(700, uid=ME), make_info(701, pgid=700, uid=0, user="root"))
    verdict = check(GroupTarget(700, mixed), TERM, CTX)
    assert "process 701 belongs to another user (root)" in verdict.confirmations


def test_pid_1_needs_confirmation() -> None:
    init = make_info(1, ppid=0, pgid=1, uid=ME)
    verdict = check(ProcessTarget(init), TERM, CTX)
    assert verdict.allowed
    assert len(verdict.confirmations) == 1
    assert verdict.confirmations[0].startswith("pid 1 (init) is in the target")
    assert "ending it ends the system or container" in verdict.confirmations[0]


def test_sigtui_itself_needs_confirmation() -> None:
    me = make_info(500, pgid=490, uid=ME)
    assert check(ProcessTarget(me), TERM, CTX).confirmations == (
        "the target is sigtui itself",
    )
    tagged = check(TaggedTarget((OWN, me)), TERM, CTX).confirmations
    assert "the target is sigtui itself" in tagged


def test_own_group_needs_confirmation() -> None:
    me = make_info(500, pgid=490, uid=ME)
    shell = make_info(490, pgid=490, uid=ME)
    verdict = check(GroupTarget(490, (shell, me)), TERM, CTX)
    assert verdict.allowed
    assert "the group contains sigtui itself" in verdict.confirmations
    assert "process 490 started sigtui (its shell or terminal)" in (
        verdict.confirmations
    )


@pytest.mark.parametrize("pid", [490, 300])
def test_ancestors_need_confirmation(pid: int) -> None:
    ancestor = make_info(pid, uid=ME)
    assert check(ProcessTarget(ancestor), TERM, CTX).confirmations == (
        f"process {pid} started sigtui (its shell or terminal)",
    )


def test_trusted_demo_pid_needs_no_confirmation() -> None:
    demo = make_info(777, uid=ME)
    for sig in (TERM, KILL, STOP, CONT):
        verdict = check(ProcessTarget(demo), sig, CTX)
        assert verdict == Verdict(), sig.name
    # Trust is per process: an untrusted one in the set brings the reasons back.
    both = check(TaggedTarget((demo, OWN)), KILL, CTX).confirmations
    assert "it goes to 2 processes" in both
    assert "SIGKILL cannot be caught: the process gets no say" in both


def test_trusted_does_not_lift_refusals() -> None:
    ctx = Context(self_pid=500, self_pgid=490, uid=ME, trusted=frozenset({500, 0}))
    me = make_info(500, pgid=490, uid=ME)
    assert not check(ProcessTarget(me), STOP, ctx).allowed
    assert not check(ProcessTarget(make_info(0)), TERM, ctx).allowed


# --- check(): refusals that protect sigtui itself --------------------------------


@pytest.mark.parametrize("sig", [STOP, TSTP, TTIN], ids=lambda s: s.short)
def test_stop_to_own_group_is_refused(sig: SignalSpec) -> None:
    me = make_info(500, pgid=490, uid=ME)
    verdict = check(GroupTarget(490, (me,)), sig, CTX)
    assert verdict.refusals == (
        f"{sig.name} to sigtui's own process group would freeze this terminal: refused",
    )
    fake = FakeSyscalls([me])
    [result] = Sender(CTX, fake).send(GroupTarget(490, (me,)), sig)
    assert result.status is Status.REFUSED
    assert fake.calls == []


@pytest.mark.parametrize("sig", [STOP, TSTP, TTIN], ids=lambda s: s.short)
def test_stop_to_own_pid_is_refused(sig: SignalSpec) -> None:
    me = make_info(500, pgid=490, uid=ME)
    expected = f"{sig.name} to sigtui itself would freeze it: refused"
    assert check(ProcessTarget(me), sig, CTX).refusals == (expected,)
    # Tagging sigtui along with others must not get around the rule.
    assert check(TaggedTarget((OWN, me)), sig, CTX).refusals == (expected,)
    fake = FakeSyscalls([OWN, me])
    results = Sender(CTX, fake).send(TaggedTarget((OWN, me)), sig)
    assert [r.status for r in results] == [Status.REFUSED]
    assert fake.calls == []


def test_stop_to_another_group_or_cont_to_own_is_allowed() -> None:
    assert check(GroupTarget(700, GROUP), STOP, CTX).allowed
    me = make_info(500, pgid=490, uid=ME)
    assert check(GroupTarget(490, (me,)), CONT, CTX).allowed
    assert check(ProcessTarget(me), CONT, CTX).allowed


def test_context_current_describes_this_process() -> None:
    ctx = Context.current(readonly=True, trusted=frozenset({5}))
    assert ctx.self_pid == os.getpid()
    assert ctx.self_pgid == os.getpgrp()
    assert ctx.uid == os.geteuid()
    assert ctx.readonly
    assert ctx.trusted == frozenset({5})
    assert ctx.ancestors == frozenset()
    snapshot = ProcfsScanner().scan()
    with_ancestors = Context.current(snapshot)
    assert os.getppid() in with_ancestors.ancestors
    assert os.getpid() not in with_ancestors.ancestors
    assert 0 not in with_ancestors.ancestors
