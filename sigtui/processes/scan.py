"""Scanners: turn the live system into a :class:`ProcessSnapshot`.

On Linux :class:`ProcfsScanner` reads ``/proc`` directly; elsewhere
:class:`PsutilScanner` asks psutil. Both skip processes that vanish while they
are being read and leave unreadable fields as ``None``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import NamedTuple, Protocol, TypeVar

from sigtui.processes.format import user_name
from sigtui.processes.model import (
    NAMESPACES,
    ProcessInfo,
    ProcessSnapshot,
    ProcFiles,
    Source,
    StatMore,
    StatusMore,
)
from sigtui.processes.ttys import tty_name
from sigtui.procfs import stat_comm, stat_fields

T = TypeVar("T")

_GONE = (FileNotFoundError, ProcessLookupError)
"""What reading a file of a process that has just exited raises."""


class ProcessSource(Protocol):
    """Anything that can produce snapshots: the real system or a test fake."""

    def scan(self) -> ProcessSnapshot:
        """Return every process visible right now."""
        ...


def _open(path: str) -> int:
    """Open a /proc file for reading (not inherited by children)."""
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def _read(path: str) -> bytes:
    """Read a whole /proc file with one open and as few reads as possible."""
    fd = _open(path)
    try:
        data = os.read(fd, 4096)
        if len(data) < 4096:
            return data
        chunks = [data]
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class _Details:
    """The fields read once per process identity (not on every refresh)."""

    comm: str
    args_at: tuple[int, int]
    cmdline: tuple[str, ...] | None
    uid: int | None
    user: str | None
    locked: bool | None


@dataclass(frozen=True, slots=True)
class _Wants:
    """Which sources to read, as plain booleans (Flag tests cost ~1 µs each)."""

    stat: bool
    status: bool
    files: bool
    every_scan: bool

    @classmethod
    def of(cls, sources: Source) -> _Wants:
        return cls(
            stat=bool(sources & (Source.STAT | Source.NUMA)),
            status=bool(sources & Source.STATUS),
            files=bool(sources & _FILE_SOURCES),
            every_scan=bool(sources & _UNSEEN_BY_STAT),
        )


_UNSEEN_BY_STAT = Source.SIGNALS
"""Sources that change while a process's ``stat`` line stays the same.

A signal sent to a sleeping process that blocks it wakes nothing, and
``stat`` shows only the thread's own pending set (and only signals 1 to 31),
so the masks would go stale. While a mask column is shown, every process is
rebuilt on every scan: a ``status`` read per process, so that what the screen
says stays true.
"""


class _Seen(NamedTuple):
    """A process's stat bytes as last read, and what was built from them."""

    data: bytes
    info: ProcessInfo
    key: tuple[int, int]
    details: _Details


class StatFields(NamedTuple):
    """The parts of ``/proc/PID/stat`` that sigtui uses.

    A named tuple rather than a dataclass: one is built per process per
    refresh, and with these 14 fields it costs 0.5 µs against 1.7 µs.

    Attributes:
        comm: Command name (between the parentheses).
        state: One-letter state.
        ppid: Parent pid.
        pgid: Process group.
        sid: Session.
        tty_nr: Controlling terminal device number.
        tpgid: Terminal's foreground group.
        flags: Task flags.
        cpu_ticks: utime + stime in clock ticks.
        nice: Nice value.
        num_threads: Thread count.
        start_ticks: Start time in clock ticks after boot.
        arg_start: Address of the argument vector (field 48; 0 when the
            kernel hides it from this reader or is older than Linux 3.5).
        arg_end: Address just past it (field 49). An ``exec`` moves both.
    """

    comm: str
    state: str
    ppid: int
    pgid: int
    sid: int
    tty_nr: int
    tpgid: int
    flags: int
    cpu_ticks: int
    nice: int
    num_threads: int
    start_ticks: int
    arg_start: int = 0
    arg_end: int = 0


def parse_stat(data: bytes) -> StatFields:
    """Parse ``/proc/PID/stat``.

    The command name may itself contain spaces and parentheses, so the fixed
    fields are taken from after the *last* ``)``.

    Args:
        data: The file's bytes.

    Returns:
        The parsed fields.

    Raises:
        ValueError: If the data is not a stat line.
    """
    f = stat_fields(data)
    return StatFields(
        comm=stat_comm(data),
        state=f[0].decode("ascii", "replace"),
        ppid=int(f[1]),
        pgid=int(f[2]),
        sid=int(f[3]),
        tty_nr=int(f[4]),
        tpgid=int(f[5]),
        flags=int(f[6]),
        cpu_ticks=int(f[11]) + int(f[12]),
        nice=int(f[16]),
        num_threads=int(f[17]),
        start_ticks=int(f[19]),
        arg_start=int(f[45]) if len(f) > 46 else 0,
        arg_end=int(f[46]) if len(f) > 46 else 0,
    )


def parse_stat_more(data: bytes) -> StatMore:
    """Parse the ``/proc/PID/stat`` fields that only some columns show.

    Args:
        data: The file's bytes.

    Returns:
        The fields; those an older kernel lacks are 0.

    Raises:
        ValueError: If the data is not a stat line.
    """
    f = stat_fields(data)
    n = len(f)

    def at(index: int) -> int:
        # Field numbers of proc(5) are 1-based and count pid and comm.
        return int(f[index - 3]) if index - 3 < n else 0

    return StatMore(
        min_flt=at(10),
        maj_flt=at(12),
        children_ticks=at(16) + at(17),
        priority=at(18),
        rt_priority=at(40),
        policy=at(41),
        processor=at(39),
        vsize=at(23),
        rss_limit=at(25),
        start_code=at(26),
        end_code=at(27),
        start_stack=at(28),
        esp=at(29),
        eip=at(30),
    )


_STATUS_MORE = re.compile(
    rb"\n(Uid|Gid|Groups|VmSize|VmRSS|VmData|VmStk|ShdPnd|SigPnd|SigBlk|SigIgn|SigCgt)"
    rb":[ \t]*([^\n]*)"
)
"""The ``status`` lines :func:`parse_status_more` wants, found in one C-level pass."""


def _four(words: list[bytes]) -> tuple[int, int, int, int] | None:
    if len(words) < 4:
        return None
    return int(words[0]), int(words[1]), int(words[2]), int(words[3])


def parse_status_more(data: bytes) -> StatusMore:
    """Take ids, memory sizes and signal masks from ``/proc/PID/status``.

    One regular expression pass picks the twelve lines (four times faster
    than a ``find`` per line, which matters on a first scan of thousands).

    Args:
        data: The file's bytes.

    Returns:
        The values; absent memory lines (kernel threads) read as 0.
    """
    # A literal newline first is 5x faster than re.MULTILINE's ^ (the first
    # line, Name, is never wanted).
    lines = dict(_STATUS_MORE.findall(data))
    empty = b""

    def kib(key: bytes) -> int:
        words = lines.get(key, empty).split()
        return int(words[0]) if words else 0

    def mask(key: bytes) -> int:
        value = lines.get(key)
        return int(value, 16) if value else 0

    shared = lines.get(b"ShdPnd")
    thread = mask(b"SigPnd")
    return StatusMore(
        uids=_four(lines.get(b"Uid", empty).split()),
        gids=_four(lines.get(b"Gid", empty).split()),
        groups=tuple(int(g) for g in lines.get(b"Groups", empty).split()),
        vm_size=kib(b"VmSize"),
        vm_rss=kib(b"VmRSS"),
        vm_data=kib(b"VmData"),
        vm_stack=kib(b"VmStk"),
        # As procps: the process-wide set, or the thread's on old kernels.
        pending=int(shared, 16) if shared else thread,
        thread_pending=thread,
        blocked=mask(b"SigBlk"),
        ignored=mask(b"SigIgn"),
        caught=mask(b"SigCgt"),
    )


def status_masks(data: bytes) -> tuple[int, int, int, int, int]:
    """Take only the signal masks from ``/proc/PID/status``.

    Args:
        data: The file's bytes.

    Returns:
        (pending as ps shows it, the thread's own pending, blocked, ignored,
        caught), as :func:`parse_status_more` reads them.
    """
    data = b"\n" + data
    thread, shared, blocked, ignored, caught = (
        int(words[0], 16) if (words := _status_value(data, key)) else None
        for key in (
            b"\nSigPnd:",
            b"\nShdPnd:",
            b"\nSigBlk:",
            b"\nSigIgn:",
            b"\nSigCgt:",
        )
    )
    own = thread or 0
    return (
        own if shared is None else shared,
        own,
        blocked or 0,
        ignored or 0,
        caught or 0,
    )


def parse_wchan(data: bytes) -> str:
    """Turn ``/proc/PID/wchan`` into what ps shows.

    Args:
        data: The file's bytes.

    Returns:
        ``-`` for a running process, ``?`` for nothing read, otherwise the
        kernel function without leading underscores.
    """
    if not data:
        return "?"
    if data == b"0":
        return "-"
    text = data.decode("utf-8", "surrogateescape").removeprefix(".")
    return text.lstrip("_")


def parse_cgroup(data: bytes) -> str:
    """Turn ``/proc/PID/cgroup`` into ps's CGROUP: non-root lines, comma-joined.

    Args:
        data: The file's bytes.

    Returns:
        The text, or ``-`` when every line names a root cgroup.
    """
    lines = [
        line
        for line in data.decode("utf-8", "surrogateescape").split("\n")
        if line and not line.endswith("/")
    ]
    return ",".join(lines) if lines else "-"


def parse_io(data: bytes) -> tuple[int, ...]:
    """Take ``/proc/PID/io``'s seven counters in ``ProcFiles.io`` order.

    Args:
        data: The file's bytes.

    Returns:
        rchar, wchar, syscr, syscw, read_bytes, write_bytes,
        cancelled_write_bytes (0 for any absent).
    """
    values: dict[bytes, int] = {}
    for line in data.split(b"\n"):
        key, _, value = line.partition(b":")
        if value:
            values[key] = int(value)
    keys = (
        b"rchar",
        b"wchar",
        b"syscr",
        b"syscw",
        b"read_bytes",
        b"write_bytes",
        b"cancelled_write_bytes",
    )
    return tuple(values.get(k, 0) for k in keys)


@cache
def numa_node(cpu: int, root: str = "/sys/devices/system/cpu") -> int:
    """Return the NUMA node a CPU belongs to, as libnuma does, or -1.

    Args:
        cpu: The processor number.
        root: Where sysfs lists the CPUs.

    Returns:
        The node number.
    """
    try:
        for entry in os.listdir(f"{root}/cpu{cpu}"):
            if entry.startswith("node") and entry[4:].isdigit():
                return int(entry[4:])
    except OSError:
        pass
    return -1


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
"""The kernel's clock ticks per second (start times are counted in them)."""


def read_stat(pid: int, root: str = "/proc") -> StatFields | None:
    """Read one process's ``/proc/PID/stat`` now.

    Args:
        pid: The process.
        root: Where procfs is mounted.

    Returns:
        The parsed fields, or None if the process is gone.
    """
    try:
        with open(f"{root}/{pid}/stat", "rb") as stat_file:
            return parse_stat(stat_file.read())
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None


def still_running(info: ProcessInfo, root: str = "/proc") -> StatFields | None:
    """Re-read a listed process, if its pid still names that same process.

    Args:
        info: The process as listed (pid and start time).
        root: Where procfs is mounted.

    Returns:
        Its fields now, or None if it exited (even if the pid was reused).
    """
    stat = read_stat(info.pid, root)
    if stat is None or stat.start_ticks / CLOCK_TICKS != info.start_time:
        return None
    return stat


def parse_status(data: bytes) -> tuple[int | None, bool]:
    """Take the effective uid and whether memory is locked from ``/proc/PID/status``.

    Only two of its fifty-odd lines are wanted, so they are found with
    ``bytes.find`` rather than by splitting every line (10x faster).

    Args:
        data: The file's bytes.

    Returns:
        (effective uid or None, VmLck > 0).
    """
    data = b"\n" + data
    uids = _status_value(data, b"\nUid:")
    euid = int(uids[1]) if len(uids) > 1 else None
    amount = _status_value(data, b"\nVmLck:")
    return euid, bool(amount) and amount[0] != b"0"


def _status_value(data: bytes, key: bytes) -> list[bytes]:
    """The words after ``key`` on its line, or [] if there is no such line."""
    start = data.find(key)
    if start < 0:
        return []
    start += len(key)
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)].split()


def parse_cmdline(data: bytes) -> tuple[str, ...]:
    """Split ``/proc/PID/cmdline`` into arguments (empty for kernel threads).

    Args:
        data: The file's bytes, NUL-separated.

    Returns:
        The arguments; bytes that are not UTF-8 are kept as surrogates.
    """
    data = data.rstrip(b"\0")
    if not data:
        return ()
    return tuple(a.decode("utf-8", "surrogateescape") for a in data.split(b"\0"))


class ProcfsScanner:
    """Reads every process from ``/proc``.

    ``stat`` is read for every process on every scan; the command line, user
    and locked-memory flag only when a (pid, start time) is seen for the first
    time or after an ``exec`` (its command name or the address of its
    argument vector changed), since they rarely change and reading them costs
    as much again. A process that rewrites its arguments in place or changes
    its user without an ``exec`` keeps the values first read, and so does an
    ``exec`` of the same program name when the kernel hides the argument
    addresses (another user's process, seen without privileges).

    Two things keep a refresh near the cost of the system calls alone:

    * Each ``stat`` file stays open between scans and is re-read with
      ``pread`` at offset 0 (procfs regenerates it on every such read), which
      saves the open and close, two thirds of the kernel's work. A read on the
      descriptor of a process that has exited fails with ESRCH, even if its
      pid is reused, so a kept descriptor never mixes two processes. At most
      half of the open-files limit is used; past it, files are opened and
      closed as usual.
    * When a process's ``stat`` bytes are exactly those of the previous scan
      (an idle process), its :class:`ProcessInfo` is reused without parsing.

    Args:
        root: Where procfs is mounted.
        max_open: How many ``stat`` files to keep open between scans; None
            (the default) means half of ``RLIMIT_NOFILE``, 0 none.
        read_status: Read ``status`` for the user and locked memory; False
            leaves them None and saves 40 % of a first scan (for listings
            whose columns show neither).
        sources: The files the shown columns need beyond the base fields
            (see :func:`sigtui.processes.columns.sources_of`); change them
            later with :meth:`set_sources`.
        live_cpu: Measure each process's ``cpu_percent``: the CPU it used
            since the previous scan, as top shows it (0.0 on the first
            scan); False leaves it None (one-off listings, which show ps's
            lifetime average). A process whose ``stat`` bytes did not change
            used none; its :class:`ProcessInfo` is rebuilt only if it showed
            a non-zero value before, so a refresh stays O(changed).
        clock: Seconds on a steady clock, for the interval between scans
            (tests pass a fake one).
    """

    def __init__(
        self,
        root: str = "/proc",
        *,
        max_open: int | None = None,
        read_status: bool = True,
        sources: Source = Source.NONE,
        live_cpu: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._root = root
        self._clock = clock
        self._live_cpu = live_cpu
        self._read_status = read_status
        self._sources = sources
        self._wants = _Wants.of(sources)
        # Set when sources were added: every process is rebuilt once so that
        # the values the new columns need are there.
        self._rebuild_all = False
        # When the previous scan ran (monotonic clock: /proc/uptime has only
        # 10 ms steps, 1 % of a one-second interval).
        self._prev_clock: float | None = None
        self._details: dict[tuple[int, int], _Details] = {}
        self._clock_ticks = CLOCK_TICKS
        self._fds: dict[int, int] = {}
        # Held while scanning and closing, so that close() from another
        # thread never pulls a descriptor from under a running scan.
        self._lock = threading.Lock()
        self._fd_floor, budget = _fd_budget()
        self._max_fds = budget if max_open is None else max(0, max_open)
        # pid -> the stat bytes last read and what was built from them
        self._last: dict[int, _Seen] = {}

    def close(self) -> None:
        """Close the kept ``stat`` files (a later scan opens them again).

        Waits for a scan running in another thread to finish first.
        """
        with self._lock:
            fds, self._fds = self._fds, {}
            for fd in fds.values():
                os.close(fd)

    def __del__(self) -> None:
        # A scanner dropped without close() must not leak thousands of fds.
        with contextlib.suppress(Exception):
            self.close()

    @property
    def sources(self) -> Source:
        """The files read beyond the base fields."""
        return self._sources

    def set_sources(self, sources: Source) -> None:
        """Read other files from the next scan on (the shown columns changed).

        Safe to call from another thread while a scan runs: it applies to the
        next one. When a source is added every process is rebuilt once; when
        one is dropped, values already read stay until a process changes.

        Args:
            sources: What the columns now shown need.
        """
        with self._lock:
            if sources & ~self._sources:
                self._rebuild_all = True
            self._sources = sources
            self._wants = _Wants.of(sources)

    @property
    def open_files(self) -> int:
        """How many ``stat`` files are kept open right now."""
        return len(self._fds)

    def scan(self) -> ProcessSnapshot:
        """Read every process now.

        Returns:
            The snapshot. Processes that exit mid-scan are left out.
        """
        with self._lock:
            return self._scan()

    def _scan(self) -> ProcessSnapshot:
        root = self._root
        uptime = self._uptime()
        last = self._last
        clock = self._clock()
        prev_clock = self._prev_clock
        interval = 0.0 if prev_clock is None else clock - prev_clock
        rebuild_all, self._rebuild_all = self._rebuild_all, False
        every_scan = self._wants.every_scan
        fresh_last: dict[int, _Seen] = {}
        fresh_details: dict[tuple[int, int], _Details] = {}
        found: list[ProcessInfo] = []
        for name in os.listdir(root):
            if not name.isdigit():
                continue
            pid = int(name)
            data = self._read_stat(pid, name)
            if data is None:
                continue
            seen = last.get(pid)
            status: bytes | None = None
            if seen is not None and seen.data == data and not rebuild_all:
                if every_scan:
                    try:
                        status = self._changed_status(name, seen.info)
                    except _GONE:
                        continue
                if status is None and seen.info.cpu_percent:
                    # Same bytes, so the same CPU ticks: it used none this time.
                    seen = seen._replace(info=replace(seen.info, cpu_percent=0.0))
            if seen is None or seen.data != data or rebuild_all or status is not None:
                try:
                    seen = self._build(pid, name, data, seen, uptime, interval, status)
                except (*_GONE, ValueError, IndexError):
                    continue
            fresh_details[seen.key] = seen.details
            fresh_last[pid] = seen
            found.append(seen.info)
        self._details = fresh_details
        self._last = fresh_last
        self._prev_clock = clock
        self._close_stale(fresh_last)
        # /proc lists pids in increasing order, so this sort is a linear check.
        found.sort(key=_by_pid)
        return ProcessSnapshot(tuple(found), uptime, self._clock_ticks)

    def _changed_status(self, name: str, info: ProcessInfo) -> bytes | None:
        """Read ``status`` again; return it if its signal masks changed.

        Reading ``status`` is the price of true masks; parsing only its five
        mask lines, and keeping the record when they match, spares an idle
        process a rebuild on every refresh. When they changed, the bytes read
        are handed on to the rebuild, which so reads the file only once.

        Returns:
            The file's bytes if the masks differ from the record's, else None
            (also when the file may not be read).

        Raises:
            FileNotFoundError, ProcessLookupError: The process has exited.
        """
        try:
            data = _read(f"{self._root}/{name}/status")
        except PermissionError:
            return None
        seen = info.status_more
        if seen is not None and status_masks(data) == (
            seen.pending,
            seen.thread_pending,
            seen.blocked,
            seen.ignored,
            seen.caught,
        ):
            return None
        return data

    def _read_stat(self, pid: int, name: str) -> bytes | None:
        """Read a process's stat through its kept descriptor if possible."""
        fd = self._fds.get(pid)
        if fd is not None:
            try:
                return os.pread(fd, 4096, 0)
            except ProcessLookupError:
                # The process this descriptor was opened on has exited; the
                # pid may already name another one, which is opened afresh.
                del self._fds[pid]
                os.close(fd)
            except OSError:
                del self._fds[pid]
                os.close(fd)
                return None
        path = f"{self._root}/{name}/stat"
        try:
            if len(self._fds) >= self._max_fds:
                return _read(path)
            fd = _open(path)
        except (*_GONE, PermissionError):
            return None
        except OSError as err:
            if err.errno not in (errno.EMFILE, errno.ENFILE):
                raise
            # Out of descriptors after all (the program opened others): keep
            # no more, and read this one the plain way if that still works.
            self._max_fds = len(self._fds)
            try:
                return _read(path)
            except (*_GONE, PermissionError):
                return None
        try:
            data = os.pread(fd, 4096, 0)
        except OSError:
            os.close(fd)
            return None
        try:
            # Kept descriptors live above the first 1024 numbers, which stay
            # free for everyone else: select() cannot watch a larger one.
            kept = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, self._fd_floor)
        except OSError:
            self._max_fds = len(self._fds)  # no room up there: keep no more
            return data
        finally:
            os.close(fd)
        self._fds[pid] = kept
        return data

    def _close_stale(self, alive: dict[int, _Seen]) -> None:
        fds = self._fds
        if len(fds) > len(alive):
            for pid in [p for p in fds if p not in alive]:
                os.close(fds.pop(pid))

    def _build(
        self,
        pid: int,
        name: str,
        data: bytes,
        before: _Seen | None,
        uptime: float,
        interval: float,
        status: bytes | None = None,
    ) -> _Seen:
        stat = parse_stat(data)
        key = (pid, stat.start_ticks)
        args_at = (stat.arg_start, stat.arg_end)
        wants = self._wants
        base = f"{self._root}/{name}"
        if wants.status and status is None:
            with contextlib.suppress(PermissionError):
                status = _read(f"{base}/status")
        extra = self._details.get(key)
        if extra is None or extra.comm != stat.comm or extra.args_at != args_at:
            extra = self._read_details(name, stat.comm, args_at, status)
        elif status is not None:
            # status is read anyway for a column: keep the user and L current.
            uid, locked = parse_status(status)
            if uid != extra.uid or locked != extra.locked:
                user = None if uid is None else user_name(uid)
                extra = replace(extra, uid=uid, user=user, locked=locked)
        ticks = self._clock_ticks
        start_time = stat.start_ticks / ticks
        stat_more = parse_stat_more(data) if wants.stat else None
        info = ProcessInfo(
            pid=pid,
            ppid=stat.ppid,
            pgid=stat.pgid,
            sid=stat.sid,
            tpgid=stat.tpgid,
            tty=tty_name(stat.tty_nr),
            state=stat.state,
            flags=stat.flags,
            nice=stat.nice,
            num_threads=stat.num_threads,
            locked=extra.locked,
            uid=extra.uid,
            user=extra.user,
            cpu_time=stat.cpu_ticks / ticks,
            start_time=start_time,
            comm=stat.comm,
            cmdline=extra.cmdline,
            cpu_percent=_cpu_percent(
                stat.cpu_ticks, start_time, key, before, uptime, interval, ticks
            )
            if self._live_cpu
            else None,
            stat_more=stat_more,
            status_more=None if status is None else parse_status_more(status),
            files=self._read_files(base, self._sources, stat_more)
            if wants.files
            else None,
        )
        return _Seen(data, info, key, extra)

    def _uptime(self) -> float:
        try:
            return float(_read(f"{self._root}/uptime").split()[0])
        except (OSError, ValueError, IndexError):
            return time.monotonic()

    def _read_details(
        self, name: str, comm: str, args_at: tuple[int, int], status: bytes | None
    ) -> _Details:
        """Read the slow-changing files; permission problems leave None."""
        base = f"{self._root}/{name}"
        cmdline: tuple[str, ...] | None
        try:
            cmdline = parse_cmdline(_read(f"{base}/cmdline"))
        except PermissionError:
            cmdline = None
        uid: int | None = None
        locked: bool | None = None
        if status is not None:
            uid, locked = parse_status(status)
        elif self._read_status:
            with contextlib.suppress(PermissionError):
                uid, locked = parse_status(_read(f"{base}/status"))
        user = None if uid is None else user_name(uid)
        return _Details(comm, args_at, cmdline, uid, user, locked)

    def _read_files(
        self, base: str, sources: Source, stat_more: StatMore | None
    ) -> ProcFiles:
        """Read the small files the columns ask for."""
        wchan = cgroup = exe = None
        oom_score = oom_adj = loginuid = numa = None
        namespaces = autogroup = io = None
        if sources & Source.WCHAN:
            wchan = _read_parsed(f"{base}/wchan", parse_wchan, "?")
        if sources & Source.CGROUP:
            cgroup = _read_parsed(f"{base}/cgroup", parse_cgroup, "-")
        if sources & Source.EXE:
            try:
                exe = os.readlink(f"{base}/exe")
            except OSError:
                exe = "-"
        if sources & Source.OOM:
            oom_score = _read_int(f"{base}/oom_score", 0)
            oom_adj = _read_int(f"{base}/oom_score_adj", 0)
        if sources & Source.NS:
            namespaces = tuple(_ns_inode(f"{base}/ns/{ns}") for ns in NAMESPACES)
        if sources & Source.LOGINUID:
            loginuid = _read_int(f"{base}/loginuid", -1)
            if loginuid == 0xFFFFFFFF:
                loginuid = -1
        if sources & Source.AUTOGROUP:
            autogroup = _read_autogroup(f"{base}/autogroup")
        if sources & Source.IO:
            no_io: tuple[int, ...] = (0,) * 7
            io = _read_parsed(f"{base}/io", parse_io, no_io)
        if sources & Source.NUMA and stat_more is not None:
            numa = numa_node(stat_more.processor)
        return ProcFiles(
            wchan=wchan,
            cgroup=cgroup,
            exe=exe,
            oom_score=oom_score,
            oom_adj=oom_adj,
            namespaces=namespaces,
            loginuid=loginuid,
            autogroup=autogroup,
            io=io,
            numa_node=numa,
        )


_FILE_SOURCES = (
    Source.WCHAN
    | Source.CGROUP
    | Source.EXE
    | Source.OOM
    | Source.NS
    | Source.LOGINUID
    | Source.AUTOGROUP
    | Source.IO
    | Source.NUMA
)


def _cpu_percent(
    cpu_ticks: int,
    start_time: float,
    key: tuple[int, int],
    before: _Seen | None,
    uptime: float,
    interval: float,
    hertz: int,
) -> float | None:
    """CPU used since the previous scan, in percent of one CPU.

    0.0 on a first scan (nothing measured yet, as htop shows it); for a
    process not seen last time (it started since, or its pid was reused), its
    average over its life so far.
    """
    if interval <= 0:
        return 0.0
    if before is not None and before.key == key:
        used = cpu_ticks - round(before.info.cpu_time * hertz)
        return max(0, used) * 100.0 / hertz / interval
    lived = uptime - start_time
    return cpu_ticks * 100.0 / hertz / lived if lived > 0 else 0.0


def _read_parsed(path: str, parse: Callable[[bytes], T], default: T) -> T:
    """Read and parse a small per-process file; ``default`` if that fails.

    Raises:
        FileNotFoundError, ProcessLookupError: The process has exited (the
            scan then leaves it out, rather than show it with defaults).
    """
    try:
        return parse(_read(path))
    except _GONE:
        raise
    except (OSError, ValueError, IndexError):
        return default


def _read_int(path: str, default: int) -> int:
    return _read_parsed(path, _first_int, default)


def _first_int(data: bytes) -> int:
    return int(data.split()[0])


def _ns_inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return 0


def _read_autogroup(path: str) -> tuple[int, int]:
    """(id, nice) from ``autogroup`` (``/autogroup-4 nice 0``), -1 id if none."""
    return _read_parsed(path, _parse_autogroup, (-1, 0))


def _parse_autogroup(data: bytes) -> tuple[int, int]:
    words = data.split()
    return int(words[0].rpartition(b"-")[2]), int(words[2])


def _by_pid(info: ProcessInfo) -> int:
    return info.pid


def _fd_budget() -> tuple[int, int]:
    """Where kept descriptors start, and how many there may be.

    They go from 1024 (or half the open-files limit, if that is lower) up to
    the limit, less 64 spare, so that the low numbers stay free for the
    rest of the program.
    """
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return 0, 0
    if soft == resource.RLIM_INFINITY or soft > 1 << 20:
        soft = 1 << 20
    floor = min(1024, soft // 2)
    return floor, max(0, soft - floor - 64)


_PSUTIL_STATES = {
    "running": "R",
    "sleeping": "S",
    "disk-sleep": "D",
    "stopped": "T",
    "tracing-stop": "t",
    "zombie": "Z",
    "dead": "X",
    "wake-kill": "K",
    "waking": "W",
    "idle": "I",
    "locked": "L",
    "waiting": "W",
    "parked": "P",
}


class PsutilScanner:
    """Reads every process through psutil, for systems without ``/proc``.

    Terminal foreground groups, task flags and locked memory are not available
    this way and read as "none".
    """

    _ATTRS = (
        "pid",
        "ppid",
        "name",
        "cmdline",
        "terminal",
        "status",
        "uids",
        "username",
        "cpu_times",
        "create_time",
        "nice",
        "num_threads",
    )

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._boot = psutil.boot_time()

    def scan(self) -> ProcessSnapshot:
        """Read every process now.

        Returns:
            The snapshot. Processes that exit mid-scan are left out.
        """
        psutil = self._psutil
        found: list[ProcessInfo] = []
        for proc in psutil.process_iter():
            try:
                with proc.oneshot():
                    d = proc.as_dict(attrs=list(self._ATTRS), ad_value=None)
                    pgid = os.getpgid(proc.pid)
                    sid = os.getsid(proc.pid)
            except (psutil.NoSuchProcess, ProcessLookupError):
                continue
            except PermissionError:
                pgid = sid = -1
            found.append(self._info(d, pgid, sid))
        return ProcessSnapshot.of(found, time.time() - self._boot)

    def _info(self, d: dict[str, object], pgid: int, sid: int) -> ProcessInfo:
        cpu = d["cpu_times"]
        uids = d["uids"]
        terminal = d["terminal"]
        created = d["create_time"]
        cmdline = d["cmdline"]
        nice = d["nice"]
        threads = d["num_threads"]
        uid = getattr(uids, "effective", None)
        return ProcessInfo(
            pid=int(str(d["pid"])),
            ppid=int(str(d["ppid"] or 0)),
            pgid=pgid,
            sid=sid,
            tpgid=-1,
            tty=str(terminal).removeprefix("/dev/") if terminal else None,
            state=_PSUTIL_STATES.get(str(d["status"]), "?"),
            flags=0,
            nice=nice if isinstance(nice, int) else 0,
            num_threads=threads if isinstance(threads, int) else 1,
            locked=None,
            uid=uid,
            user=str(d["username"]) if d["username"] else None,
            cpu_time=(cpu.user + cpu.system) if cpu is not None else 0.0,  # type: ignore[attr-defined]
            start_time=(float(created) - self._boot)
            if isinstance(created, float)
            else 0.0,
            comm=str(d["name"] or "?"),
            cmdline=tuple(cmdline) if isinstance(cmdline, list) else None,
        )


def default_scanner(
    *, refreshing: bool = True, users: bool = True, sources: Source = Source.NONE
) -> ProcessSource:
    """Return the best scanner for this system: ``/proc`` when present.

    Args:
        refreshing: Whether it will scan again (worth keeping files open);
            False for a one-off listing.
        users: Whether the user and locked memory are wanted (False may
            leave them None, which is cheaper).
        sources: The files the columns need beyond the base fields.

    Returns:
        A process source.
    """
    if os.path.isdir("/proc/self") and os.path.exists("/proc/self/stat"):
        return ProcfsScanner(
            max_open=None if refreshing else 0,
            read_status=users,
            sources=sources,
            live_cpu=refreshing,
        )
    return PsutilScanner()
