"""Immutable records of what is running: one process, and one scan of all of them."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Flag, auto
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

_T = TypeVar("_T")


def _pickled_by_constructor(cls: type[_T]) -> type[_T]:
    """Pickle a frozen dataclass as a call of its constructor.

    The dataclass default restores each field with a Python-level setattr;
    this takes a fifth of the time, which matters when the processes that
    read a first scan hand 10,000 records over (:meth:`ProcfsScanner.scan_ahead
    <sigtui.processes.scan.ProcfsScanner.scan_ahead>`).
    """
    values: Callable[[Any], tuple[object, ...]] = operator.attrgetter(
        *(f.name for f in dataclasses.fields(cls) if f.init)  # type: ignore[arg-type]
    )

    def reduce(self: _T) -> tuple[type[_T], tuple[object, ...]]:
        return cls, values(self)

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (mypy: no method assignment)
    return cls


PF_KTHREAD = 0x00200000
"""The kernel's per-task flag (``/proc/PID/stat`` field 9) for kernel threads."""


class Source(Flag):
    """The per-process files a column needs beyond the base ``stat`` fields.

    The scanner reads a file only when a shown column asks for it, and re-reads
    it only when the process's ``stat`` line changed (it ran, or changed state),
    except for ``SIGNALS``.
    """

    NONE = 0
    STAT = auto()
    """More fields of ``stat`` (faults, priority, policy, processor, sizes)."""
    STATUS = auto()
    """``status``: the four uids and gids, memory sizes, signal masks, groups."""
    WCHAN = auto()
    CGROUP = auto()
    EXE = auto()
    OOM = auto()
    """``oom_score`` and ``oom_score_adj``."""
    NS = auto()
    """The ``ns/*`` links."""
    LOGINUID = auto()
    AUTOGROUP = auto()
    IO = auto()
    NUMA = auto()
    """The NUMA node of the processor (needs ``STAT`` too)."""
    SIGNALS = auto()
    """The signal masks of ``status`` (with ``STATUS``), re-read on every scan:
    a signal sent to a sleeping process that blocks it wakes nothing, so its
    ``stat`` line stays the same while its pending set changes."""


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class StatMore:
    """The ``/proc/PID/stat`` fields beyond those every listing needs.

    Attributes:
        min_flt: Minor page faults.
        maj_flt: Major page faults.
        children_ticks: CPU ticks of reaped children (cutime + cstime).
        priority: The kernel's priority as ``stat`` shows it (prio - 100).
        rt_priority: Real-time priority (0 for normal policies).
        policy: Scheduling policy number (0 normal, 1 FIFO, 2 RR, 3 batch ...).
        processor: The CPU it last ran on.
        vsize: Virtual memory size in bytes.
        rss_limit: The RSS soft limit in bytes.
        start_code: Address where the program text starts.
        end_code: Address where it ends.
        start_stack: Address of the bottom of the stack.
        esp: Saved stack pointer (0 unless the kernel exposes it).
        eip: Saved instruction pointer (0 unless the kernel exposes it).
    """

    min_flt: int
    maj_flt: int
    children_ticks: int
    priority: int
    rt_priority: int
    policy: int
    processor: int
    vsize: int
    rss_limit: int
    start_code: int
    end_code: int
    start_stack: int
    esp: int
    eip: int


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class StatusMore:
    """What ``/proc/PID/status`` adds: identities, memory, signal masks.

    Memory sizes are in KiB and 0 when the line is absent (kernel threads).

    Attributes:
        uids: Real, effective, saved and filesystem user ids.
        gids: Real, effective, saved and filesystem group ids.
        groups: Supplementary group ids.
        vm_size: ``VmSize``.
        vm_rss: ``VmRSS``.
        vm_data: ``VmData``.
        vm_stack: ``VmStk``.
        pending: Process-wide pending signals (``ShdPnd``), as ps shows them.
        thread_pending: The main thread's own pending signals (``SigPnd``).
        blocked: ``SigBlk``.
        ignored: ``SigIgn``.
        caught: ``SigCgt``.
    """

    uids: tuple[int, int, int, int] | None
    gids: tuple[int, int, int, int] | None
    groups: tuple[int, ...]
    vm_size: int
    vm_rss: int
    vm_data: int
    vm_stack: int
    pending: int
    thread_pending: int
    blocked: int
    ignored: int
    caught: int


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class ProcFiles:
    """Values from small per-process files, each None when not read or unreadable.

    Attributes:
        wchan: ``wchan`` as ps shows it (``-`` when running, ``?`` unreadable).
        cgroup: ``cgroup`` as ps shows it (non-root lines joined by commas).
        exe: The executable's path (``exe`` link).
        oom_score: ``oom_score``.
        oom_adj: ``oom_score_adj``.
        namespaces: Inode numbers of the ``ns/*`` links in ``NAMESPACES``
            order, 0 where unreadable.
        loginuid: ``loginuid`` (-1 when unset).
        autogroup: (id, nice) from ``autogroup``.
        io: ``io``'s rchar, wchar, syscr, syscw, read_bytes, write_bytes,
            cancelled_write_bytes.
        numa_node: The NUMA node of the processor last run on (-1 unknown).
    """

    wchan: str | None = None
    cgroup: str | None = None
    exe: str | None = None
    oom_score: int | None = None
    oom_adj: int | None = None
    namespaces: tuple[int, ...] | None = None
    loginuid: int | None = None
    autogroup: tuple[int, int] | None = None
    io: tuple[int, ...] | None = None
    numa_node: int | None = None


NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")
"""The namespaces ps shows, in the order of :attr:`ProcFiles.namespaces`."""


class ProcessIdentity(NamedTuple):
    """What makes a process unique over time: a pid alone can be reused.

    Attributes:
        pid: The process id.
        start_time: Seconds after boot at which the process started, as read
            from the same source each time, so equal starts compare equal.
    """

    pid: int
    start_time: float

    @property
    def key(self) -> str:
        """A string form, usable as a widget or dictionary key."""
        return f"{self.pid}@{self.start_time!r}"


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One process as seen by one scan.

    Fields that could not be read (permission, hidepid) are ``None``; formatters
    show them as ``?``.

    Attributes:
        pid: Process id.
        ppid: Parent's pid (0 for pid 1 and kernel threads' parent).
        pgid: Process group id.
        sid: Session id.
        tpgid: Foreground process group of the controlling terminal, -1 if none.
        tty: Controlling terminal as ps names it (``pts/3``, ``tty1``), None if
            the process has none.
        state: One-letter state (R, S, D, T, t, Z, I, X ...).
        flags: The kernel's task flags (see ``PF_KTHREAD``).
        nice: Nice value, -20 to 19.
        num_threads: Number of threads.
        locked: Whether it has memory locked into RAM (ps's ``L``).
        uid: Effective user id.
        user: Effective user name (the uid as text when it has no name).
        cpu_time: User plus system CPU time in seconds.
        start_time: Start in seconds after boot.
        comm: The short command name the kernel keeps (at most 15 bytes on Linux).
        cmdline: The argument vector; empty for kernel threads and zombies.
        cpu_percent: CPU used over the last refresh interval, in percent of
            one CPU (as top shows it); None when not measured (a first scan,
            or a one-off listing).
        stat_more: More ``stat`` fields, when a column asked for them.
        status_more: ``status`` fields, when a column asked for them.
        files: Values of other files, when a column asked for them.
        identity: The (pid, start time) pair that names this process and no
            other; derived, kept because views look it up for every row.
    """

    pid: int
    ppid: int
    pgid: int
    sid: int
    tpgid: int
    tty: str | None
    state: str
    flags: int
    nice: int
    num_threads: int
    locked: bool | None
    uid: int | None
    user: str | None
    cpu_time: float
    start_time: float
    comm: str
    cmdline: tuple[str, ...] | None
    cpu_percent: float | None = None
    stat_more: StatMore | None = None
    status_more: StatusMore | None = None
    files: ProcFiles | None = None
    identity: ProcessIdentity = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "identity", ProcessIdentity(self.pid, self.start_time))

    @property
    def kernel_thread(self) -> bool:
        """Whether this is a kernel thread (not signalable from user space)."""
        return bool(self.flags & PF_KTHREAD)

    @property
    def session_leader(self) -> bool:
        """Whether the process leads its session (ps's ``s``)."""
        return self.pid == self.sid

    @property
    def foreground(self) -> bool:
        """Whether its group is its terminal's foreground group (ps's ``+``)."""
        return self.tpgid > 0 and self.pgid == self.tpgid


@dataclass(frozen=True)
class ProcessSnapshot:
    """Every process seen by one scan, ordered by pid.

    Attributes:
        processes: The processes, ascending by pid.
        uptime: Seconds since boot when the scan ran (for elapsed times).
        clock_ticks: The kernel's clock ticks per second.
    """

    processes: tuple[ProcessInfo, ...]
    uptime: float
    clock_ticks: int = 100
    by_pid: Mapping[int, ProcessInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "by_pid", MappingProxyType({p.pid: p for p in self.processes})
        )

    @classmethod
    def of(
        cls, processes: Iterable[ProcessInfo], uptime: float, clock_ticks: int = 100
    ) -> ProcessSnapshot:
        """Build a snapshot from processes in any order.

        Args:
            processes: The processes.
            uptime: Seconds since boot at the time of the scan.
            clock_ticks: Clock ticks per second.

        Returns:
            The snapshot, processes sorted by pid.
        """
        ordered = tuple(sorted(processes, key=lambda p: p.pid))
        return cls(ordered, uptime, clock_ticks)

    def __len__(self) -> int:
        return len(self.processes)

    def ancestors(self, pid: int) -> frozenset[int]:
        """The pids of a process's parent, its parent's parent, and so on.

        Args:
            pid: The process.

        Returns:
            The ancestors listed in this snapshot (empty if ``pid`` is not).
        """
        found: set[int] = set()
        info = self.by_pid.get(pid)
        while info is not None and info.ppid > 0 and info.ppid not in found:
            found.add(info.ppid)
            info = self.by_pid.get(info.ppid)
        return frozenset(found)

    def get(self, identity: ProcessIdentity) -> ProcessInfo | None:
        """Return the process with this identity, or None if it is not here.

        Args:
            identity: The (pid, start time) to look for.

        Returns:
            The process, or None when the pid is absent or now names another
            process.
        """
        info = self.by_pid.get(identity.pid)
        if info is None or info.start_time != identity.start_time:
            return None
        return info
