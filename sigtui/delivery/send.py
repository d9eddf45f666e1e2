"""Sending: pidfd-based, identity-checked, one result per target.

A process is signalled through a pidfd: the pid is opened, the start time
re-read *after* opening (so the fd is known to name the listed process), and
the signal goes through that fd. If the process has gone or its pid now names
another process, nothing is sent; there is never a fallback to a plain
``kill(pid)``. A group is signalled with one system call: the leader's pidfd
with the process-group flag where the kernel has it (Linux 6.9), otherwise
``killpg`` after the guards. Every system call goes through :class:`Syscalls`,
whose guard refuses pid <= 0 and pgid <= 1 whatever the caller did.
"""

from __future__ import annotations

import errno
import os
import pwd
import select
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sigtui.delivery.guards import Context, check, group_refusal, process_refusal
from sigtui.delivery.targets import GroupTarget, ProcessTarget, TaggedTarget, Target
from sigtui.processes import ProcessInfo
from sigtui.processes.scan import CLOCK_TICKS, read_stat
from sigtui.signals import SignalSpec

PIDFD_SIGNAL_PROCESS_GROUP = 4
"""pidfd_send_signal flag (Linux 6.9): signal the group the pidfd's process leads."""


class GuardError(RuntimeError):
    """A system call was about to target pid <= 0 or pgid <= 1: a bug, stopped."""


class Syscalls:
    """The system calls sending uses, each guarded; tests substitute a fake.

    The guard is the last line of defence: ``kill(0)``, ``kill(-1)``,
    ``killpg(0)`` and ``killpg(1)`` can never be reached through here.
    """

    has_pidfd = hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")

    def pidfd_open(self, pid: int) -> int:
        """Open a pidfd (Linux 5.3)."""
        if pid <= 0:
            raise GuardError(f"refused pidfd_open({pid})")
        return os.pidfd_open(pid)

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        """Send through a pidfd."""
        signal.pidfd_send_signal(fd, signum, None, flags)

    def killpg(self, pgid: int, signum: int) -> None:
        """Signal a whole process group."""
        if pgid <= 1:
            raise GuardError(f"refused killpg({pgid})")
        os.killpg(pgid, signum)

    def close(self, fd: int) -> None:
        """Close a pidfd."""
        os.close(fd)

    def start_time(self, pid: int) -> float | None:
        """Read a pid's start time (seconds after boot), None if it is gone."""
        stat = read_stat(pid)
        return None if stat is None else stat.start_ticks / CLOCK_TICKS

    def pgid_of(self, pid: int) -> int | None:
        """The process group of a pid now, None if it is gone."""
        if pid <= 0:
            raise GuardError(f"refused getpgid({pid})")
        try:
            return os.getpgid(pid)
        except ProcessLookupError:
            return None

    def wait_exit(self, fd: int, timeout: float) -> bool:
        """Wait until the pidfd's process exits; True if it did in time."""
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout * 1000))))


class Status(Enum):
    """How a send went for one target."""

    DELIVERED = "delivered"
    PARTIAL = "partly delivered"
    GONE = "gone"
    PERMISSION = "permission denied"
    INVALID = "invalid signal"
    REFUSED = "refused"
    ERROR = "error"


@dataclass(frozen=True)
class SendResult:
    """What happened to one send, in a sentence for a person.

    Attributes:
        status: The kind of result.
        target: The target, described (``process 4151 (cc1)``).
        signal: The signal.
        message: A plain sentence saying what happened.
        pid: The process, for a single-process result.
    """

    status: Status
    target: str
    signal: SignalSpec
    message: str
    pid: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the signal reached (all or some of) the target."""
        return self.status in (Status.DELIVERED, Status.PARTIAL)


def _owner(pid: int, info: ProcessInfo | None = None) -> str:
    if info is not None and info.user:
        return info.user
    try:
        return pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name
    except (OSError, KeyError):
        return "another user"


def may_signal(
    sender_uid: int, info: ProcessInfo, uids: tuple[int, int] | None
) -> bool:
    """Whether the kernel lets ``sender_uid`` signal a process (ignoring SIGCONT).

    Args:
        sender_uid: The sender's effective (and real) uid.
        info: The process.
        uids: Its real and saved uid, if known.

    Returns:
        True for root, or when the sender's uid is the target's real or saved
        uid (kill(2)); True when unknown, so that the send is tried.
    """
    if sender_uid == 0 or uids is None:
        return True
    return sender_uid in uids


def real_and_saved_uid(pid: int) -> tuple[int, int] | None:
    """Read a process's real and saved uid from /proc, None if unreadable."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"Uid:"):
                    ids = line.split()
                    return int(ids[1]), int(ids[3])
    except (OSError, ValueError, IndexError):
        return None
    return None


class Sender:
    """Sends signals to targets, applying the rules first and again at the end.

    Args:
        context: Who is sending.
        syscalls: The system calls (a fake in tests).
    """

    def __init__(self, context: Context, syscalls: Syscalls | None = None) -> None:
        self.context = context
        self.sys = syscalls or Syscalls()

    def send(self, target: Target, sig: SignalSpec) -> list[SendResult]:
        """Send a signal; the caller has already confirmed what needed it.

        Args:
            target: What to signal.
            sig: The signal.

        Returns:
            One result for a process or a group; one per process for a tagged
            set (one failure never stops the others).
        """
        verdict = check(target, sig, self.context)
        if not verdict.allowed:
            return [
                SendResult(
                    Status.REFUSED,
                    target.describe(),
                    sig,
                    f"Not sent: {'; '.join(verdict.refusals)}.",
                )
            ]
        if isinstance(target, GroupTarget):
            return [self._send_group(target, sig)]
        if isinstance(target, TaggedTarget):
            return [self._send_process(info, sig) for info in target.processes]
        return [self._send_process(target.info, sig)]

    # -- one process -----------------------------------------------------------

    def _send_process(self, info: ProcessInfo, sig: SignalSpec) -> SendResult:
        name = ProcessTarget(info).describe()
        problem = process_refusal(info)
        if problem:
            return SendResult(
                Status.REFUSED, name, sig, f"Not sent: {problem}.", info.pid
            )
        if not self.sys.has_pidfd:
            return self._send_with_psutil(info, sig, name)
        try:
            fd = self.sys.pidfd_open(info.pid)
        except ProcessLookupError:
            return self._gone(info, sig, name)
        except OSError as err:
            return self._failed(err, info, sig, name)
        try:
            # Checked after opening: the fd now pins one process, and this
            # says it is the one that was listed.
            started = self.sys.start_time(info.pid)
            if started != info.start_time:
                # None: it exited since the pidfd was opened; a different
                # start time: the pid now names another process.
                return self._gone(info, sig, name, reused=started is not None)
            self.sys.pidfd_send_signal(fd, sig.number)
        except ProcessLookupError:
            return self._gone(info, sig, name)
        except OSError as err:
            return self._failed(err, info, sig, name)
        finally:
            self.sys.close(fd)
        return SendResult(
            Status.DELIVERED, name, sig, f"{sig.name} delivered to {name}.", info.pid
        )

    def _send_with_psutil(
        self, info: ProcessInfo, sig: SignalSpec, name: str
    ) -> SendResult:
        import psutil

        try:
            proc = psutil.Process(info.pid)
            started = proc.create_time() - psutil.boot_time()
            # psutil's own check compares create times with 10 ms resolution;
            # this adds the one against the listing.
            if abs(started - info.start_time) > 1.0:
                return self._gone(info, sig, name, reused=True)
            proc.send_signal(sig.number)
        except psutil.NoSuchProcess:
            return self._gone(info, sig, name)
        except psutil.AccessDenied:
            return self._denied(info, sig, name)
        except OSError as err:
            return self._failed(err, info, sig, name)
        return SendResult(
            Status.DELIVERED, name, sig, f"{sig.name} delivered to {name}.", info.pid
        )

    # -- a group ---------------------------------------------------------------

    def _send_group(self, target: GroupTarget, sig: SignalSpec) -> SendResult:
        name = target.describe()
        problem = group_refusal(target.pgid)
        if problem:
            return SendResult(Status.REFUSED, name, sig, f"Not sent: {problem}.")
        alive = [
            m for m in target.members if self.sys.start_time(m.pid) == m.start_time
        ]
        if not any(self.sys.pgid_of(m.pid) == target.pgid for m in alive):
            return SendResult(
                Status.GONE,
                name,
                sig,
                f"Not sent: none of the listed members of group {target.pgid} "
                "is still in it.",
            )
        denied = [
            m
            for m in alive
            if not may_signal(self.context.uid, m, real_and_saved_uid(m.pid))
        ]
        try:
            self._group_syscall(target, sig)
        except ProcessLookupError:
            return SendResult(
                Status.GONE, name, sig, f"Not sent: {name} has no members left."
            )
        except PermissionError:
            owners = sorted({_owner(m.pid, m) for m in alive})
            return SendResult(
                Status.PERMISSION,
                name,
                sig,
                f"Permission denied: no member of {name} may be signalled by you "
                f"(they belong to {', '.join(owners) or 'another user'}).",
            )
        except OSError as err:
            return SendResult(
                Status.ERROR,
                name,
                sig,
                f"{sig.name} not sent to {name}: {err.strerror}.",
            )
        if denied:
            who = ", ".join(f"{m.pid} ({_owner(m.pid, m)})" for m in denied)
            return SendResult(
                Status.PARTIAL,
                name,
                sig,
                f"{sig.name} reached only some of {name}: not permitted for {who}.",
            )
        return SendResult(
            Status.DELIVERED, name, sig, f"{sig.name} delivered to {name}."
        )

    def _group_syscall(self, target: GroupTarget, sig: SignalSpec) -> None:
        leader = target.leader
        if self.sys.has_pidfd and leader is not None:
            try:
                fd = self.sys.pidfd_open(leader.pid)
            except (ProcessLookupError, OSError):
                fd = -1
            if fd >= 0:
                try:
                    if self.sys.start_time(leader.pid) == leader.start_time:
                        self.sys.pidfd_send_signal(
                            fd, sig.number, PIDFD_SIGNAL_PROCESS_GROUP
                        )
                        return
                except OSError as err:
                    if err.errno != errno.EINVAL:
                        raise
                    # An older kernel without the group flag: use killpg.
                finally:
                    self.sys.close(fd)
        # Re-checked right before the call (the guard in Syscalls checks again).
        problem = group_refusal(target.pgid)
        if problem:
            raise PermissionError(problem)
        self.sys.killpg(target.pgid, sig.number)

    # -- results ---------------------------------------------------------------

    def _gone(
        self, info: ProcessInfo, sig: SignalSpec, name: str, *, reused: bool = False
    ) -> SendResult:
        why = " (its pid now belongs to another process)" if reused else ""
        return SendResult(
            Status.GONE,
            name,
            sig,
            f"Not sent: {name} has exited{why}; nothing else was signalled.",
            info.pid,
        )

    def _denied(self, info: ProcessInfo, sig: SignalSpec, name: str) -> SendResult:
        return SendResult(
            Status.PERMISSION,
            name,
            sig,
            f"Permission denied: {name} belongs to {_owner(info.pid, info)}; "
            f"{sig.name} was not sent.",
            info.pid,
        )

    def _failed(
        self, err: OSError, info: ProcessInfo, sig: SignalSpec, name: str
    ) -> SendResult:
        if isinstance(err, PermissionError):
            return self._denied(info, sig, name)
        if err.errno == errno.EINVAL:
            return SendResult(
                Status.INVALID,
                name,
                sig,
                f"{sig.name} is not a valid signal here.",
                info.pid,
            )
        return SendResult(
            Status.ERROR,
            name,
            sig,
            f"{sig.name} not sent to {name}: {err.strerror or err}.",
            info.pid,
        )


def summary(results: Sequence[SendResult]) -> str:
    """One sentence for a list of results (a tagged send).

    Args:
        results: The results.

    Returns:
        The only message, or counts such as ``2 delivered, 1 gone``.
    """
    if len(results) == 1:
        return results[0].message
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items())
