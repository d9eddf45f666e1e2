"""Scanners: turn the live system into a :class:`ProcessSnapshot`.

On Linux :class:`ProcfsScanner` reads ``/proc`` directly; elsewhere
:class:`PsutilScanner` (:mod:`sigtui.processes.psutil_scan`) asks psutil. Both
skip processes that vanish while they are being read and leave unreadable
fields as ``None``. This module holds the scanner and its caches (kept ``stat``
descriptors, records of unchanged processes); how each file is read and parsed
is in :mod:`sigtui.processes.readers`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import pickle
import resource
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from sigtui.processes.format import user_name
from sigtui.processes.model import ProcessInfo, ProcessSnapshot, Source, StatusMore
from sigtui.processes.psutil_scan import PsutilScanner
from sigtui.processes.readers import (
    CLOCK_TICKS,
    FILE_SOURCES,
    GONE,
    StatFields,
    open_file,
    parse_cmdline,
    parse_stat,
    parse_stat_more,
    parse_status,
    parse_status_and_owner,
    read_file,
    read_files,
    read_stat,
    status_masks,
    still_running,
)
from sigtui.processes.ttys import tty_name

__all__ = [
    "CLOCK_TICKS",
    "ProcessSource",
    "ProcfsScanner",
    "PsutilScanner",
    "default_scanner",
    "parse_stat",
    "read_stat",
    "still_running",
]
"""The readers named here are re-exported: the delivery layer, the benchmarks
and the test helpers import them from this module."""


class ProcessSource(Protocol):
    """Anything that can produce snapshots: the real system or a test fake."""

    def scan(self) -> ProcessSnapshot:
        """Return every process visible right now."""
        ...


class _Details(NamedTuple):
    """The fields read once per process identity (not on every refresh)."""

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
            files=bool(sources & FILE_SOURCES),
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


AHEAD_FROM = 2000
"""Processes from which :meth:`ProcfsScanner.scan_ahead` forks its readers."""

AHEAD_PART = 256
"""Processes per part that a reader of :meth:`ProcfsScanner.scan_ahead`
hands over: small enough that the last part is quick to take in, large
enough that the parts' own costs (a read of ``/proc/uptime``, a frame) stay
below 1 %."""


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def pid_names(root: str = "/proc") -> list[str]:
    """The process entries of ``root`` (pids as text), in pid order.

    Raises:
        OSError: If ``root`` cannot be listed.
    """
    names = [name for name in os.listdir(root) if name.isdigit()]
    names.sort(key=int)
    return names


class _Seen(NamedTuple):
    """A process's stat line as last read, and what was built from them.

    The line itself is not kept, only its hash: at 10,000 processes the
    bytes were a tenth of sigtui's memory. Two different lines of one
    process with equal 64-bit hashes would leave its row one change behind,
    which happens once in 2**64 changes.
    """

    stamp: int
    info: ProcessInfo
    args_at: int
    """Where the argument vector was (``stat`` fields 48 and 49, as one
    number: one object rather than two): an ``exec`` moves it, and then the
    command line and user are read again."""


def _args_at(stat: StatFields) -> int:
    """Both ends of a process's argument vector as one number (see _Seen)."""
    return stat.arg_start << 64 | stat.arg_end


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
        self._clock_ticks = CLOCK_TICKS
        self._fds: dict[int, int] = {}
        # Held while scanning and closing, so that close() from another
        # thread never pulls a descriptor from under a running scan.
        self._lock = threading.Lock()
        self._fd_floor, budget = _fd_budget()
        self._max_fds = budget if max_open is None else max(0, max_open)
        # pid -> the stat line last read and what was built from it
        self._last: dict[int, _Seen] = {}
        # The forked processes reading the first scan (see scan_ahead).
        self._ahead: list[_Reader] = []
        self._on_part: Callable[[ProcessSnapshot], None] | None = None
        # Command names and argument tuples read in this scan: processes with
        # the same ones (workers, a pool of sleeps) share one object. Not
        # sys.intern: interned strings are immortal on Python 3.12.
        self._names: dict[str, str] = {}
        # Likewise the numbers many share (parent, group, session, flags): an
        # int above 256 is an object of 28 bytes per process otherwise.
        self._numbers: dict[int, int] = {}
        self._args: dict[tuple[str, ...], tuple[str, ...]] = {}

    def close(self) -> None:
        """Close the kept ``stat`` files (a later scan opens them again).

        Waits for a scan running in another thread to finish first, and
        stops the processes of :meth:`scan_ahead` if they still run.
        """
        with self._lock:
            readers, self._ahead = self._ahead, []
            for reader in readers:
                reader.end()
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

    def scan(self, names: Sequence[str] | None = None) -> ProcessSnapshot:
        """Read every process now.

        Args:
            names: Only these ``/proc`` entries (pids as text); None reads
                every process. ``sigtui ps`` splits the pids between
                processes this way.

        Returns:
            The snapshot. Processes that exit mid-scan are left out.
        """
        with self._lock:
            return self._scan(names)

    def scan_ahead(self, *, at_least: int = AHEAD_FROM) -> bool:
        """Start reading the first scan now, in two forked processes.

        A first scan reads three files per process (``stat``, ``cmdline``,
        ``status``): at 10,000 processes it takes longer than starting the
        whole user interface. Called before the interface is imported, this
        lets two processes, each taking every other pid, read while the
        interface starts; the first :meth:`scan` then takes their records
        and keeps them, so the second scan finds them as if this scanner had
        read them itself.

        The readers hand their records over in parts of ``AHEAD_PART``
        processes as they go, and the first :meth:`scan` takes each part in
        as it comes (see :meth:`on_ahead_part`): what is left to do once the
        last process is read is one part, not the whole scan.

        Nothing is started (and the first scan reads as usual) with fewer
        than ``at_least`` processes, on one core, after a scan, or when this
        process has other threads (forking those is not safe).

        Args:
            at_least: How many processes make it worth forking.

        Returns:
            Whether the processes were started.
        """
        with self._lock:
            if self._last or self._ahead or threading.active_count() > 1:
                return False
            if usable_cores() < 2 or not hasattr(os, "memfd_create"):
                return False
            try:
                names = pid_names(self._root)
            except OSError:
                return False
            if len(names) < max(at_least, 2):
                return False
            # Every other pid, not each half: the low pids are mostly kernel
            # threads, quick to read, and halves made one reader finish 0.4 s
            # before the other at 10,000 processes.
            for part in (names[0::2], names[1::2]):
                try:
                    self._ahead.append(_Reader.fork(self, part))
                except OSError:
                    break
            return bool(self._ahead)

    def on_ahead_part(self, receive: Callable[[ProcessSnapshot], None] | None) -> None:
        """Be told of each part of the first scan as the readers hand it over.

        ``receive`` is called from the thread running the first :meth:`scan`,
        with the part's processes as a snapshot of their own (their uptime
        and clock ticks), before the scan returns them all. A user interface
        lays those rows out meanwhile. An exception from it is not caught.

        Args:
            receive: The callback; None stops the calls.
        """
        self._on_part = receive

    def _read_ahead(self, names: list[str], out: int, note: int) -> None:
        """In a reader: scan ``names`` part by part into ``out``.

        Each part is a frame (its length, 8 bytes, then the pickled records)
        appended to the in-memory file ``out``; a byte on the pipe ``note``
        says that one more is complete.
        """
        self._max_fds = 0  # its descriptors end with it
        for start in range(0, len(names), AHEAD_PART):
            snapshot = self._scan(names[start : start + AHEAD_PART])
            seen = list(self._last.values())
            data = pickle.dumps(
                (seen, snapshot.uptime, self._prev_clock),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            _write_all(out, len(data).to_bytes(8, "little") + data)
            os.write(note, b".")

    def _take_ahead(self) -> ProcessSnapshot | None:
        """Take the scan_ahead readers' parts as they come; end them.

        Returns:
            The first snapshot, or None if there were none or one failed
            (the caller then scans as usual).
        """
        readers, self._ahead = self._ahead, []
        if not readers:
            return None
        last: dict[int, _Seen] = {}
        uptime = clock = 0.0
        receive = self._on_part
        try:
            waiting = {reader.note: reader for reader in readers}
            poll = select.poll()
            for fd in waiting:
                poll.register(fd, select.POLLIN)
            while waiting:
                for fd, _ in poll.poll():
                    reader = waiting[fd]
                    if not os.read(fd, 4096):  # the reader has ended
                        del waiting[fd]
                        poll.unregister(fd)
                        if not reader.succeeded():
                            return None
                    for seen, part_uptime, part_clock in reader.parts():
                        uptime = max(uptime, part_uptime)
                        clock = max(clock, part_clock)
                        for record in seen:
                            last[record.info.pid] = record
                        if receive is not None:
                            infos = tuple(record.info for record in seen)
                            receive(
                                ProcessSnapshot(infos, part_uptime, self._clock_ticks)
                            )
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return None
        finally:
            for reader in readers:
                reader.end()
        self._last = last
        # When the last part was read: the start of the next CPU interval.
        self._prev_clock = clock
        found = [seen.info for seen in last.values()]
        found.sort(key=_by_pid)
        return ProcessSnapshot(tuple(found), uptime, self._clock_ticks)

    def _scan(self, names: Sequence[str] | None = None) -> ProcessSnapshot:
        if self._ahead and names is None:
            first = self._take_ahead()
            if first is not None and not self._rebuild_all:
                return first
            # A reader failed, or columns that need more were shown meanwhile.
            self._last = {}
            self._prev_clock = None
        root = self._root
        uptime = self._uptime()
        last = self._last
        clock = self._clock()
        prev_clock = self._prev_clock
        interval = 0.0 if prev_clock is None else clock - prev_clock
        rebuild_all, self._rebuild_all = self._rebuild_all, False
        every_scan = self._wants.every_scan
        fresh_last: dict[int, _Seen] = {}
        self._forget_shared()
        found: list[ProcessInfo] = []
        for name in os.listdir(root) if names is None else names:
            if not name.isdigit():
                continue
            pid = int(name)
            data = self._read_stat(pid, name)
            if data is None:
                continue
            seen = last.get(pid)
            stamp = hash(data)
            status: bytes | None = None
            if seen is not None and seen.stamp == stamp and not rebuild_all:
                if every_scan:
                    try:
                        status = self._changed_status(name, seen.info)
                    except GONE:
                        continue
                if status is None and seen.info.cpu_percent:
                    # Same bytes, so the same CPU ticks: it used none this time.
                    seen = seen._replace(info=replace(seen.info, cpu_percent=0.0))
            if seen is None or seen.stamp != stamp or rebuild_all or status is not None:
                try:
                    seen = self._build(
                        pid, name, data, stamp, seen, uptime, interval, status
                    )
                except (*GONE, ValueError, IndexError):
                    continue
            # The record's own pid, not the one just parsed: one int less
            # per process.
            fresh_last[seen.info.pid] = seen
            found.append(seen.info)
        self._forget_shared()
        self._last = fresh_last
        self._prev_clock = clock
        self._close_stale(fresh_last)
        # /proc lists pids in increasing order, so this sort is a linear check.
        found.sort(key=_by_pid)
        return ProcessSnapshot(tuple(found), uptime, self._clock_ticks)

    def _forget_shared(self) -> None:
        """Let go of the objects shared within a scan (held only during one)."""
        self._names.clear()
        self._numbers.clear()
        self._args.clear()

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
            data = read_file(f"{self._root}/{name}/status")
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
                return read_file(path)
            fd = open_file(path)
        except (*GONE, PermissionError):
            return None
        except OSError as err:
            if err.errno not in (errno.EMFILE, errno.ENFILE):
                raise
            # Out of descriptors after all (the program opened others): keep
            # no more, and read this one the plain way if that still works.
            self._max_fds = len(self._fds)
            try:
                return read_file(path)
            except (*GONE, PermissionError):
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
        stamp: int,
        before: _Seen | None,
        uptime: float,
        interval: float,
        status: bytes | None = None,
    ) -> _Seen:
        stat = parse_stat(data)
        ticks = self._clock_ticks
        start_time = stat.start_ticks / ticks
        if before is not None and before.info.start_time != start_time:
            before = None  # the pid names another process now
        wants = self._wants
        base = f"{self._root}/{name}"
        if wants.status and status is None:
            # try costs 0.6 µs less than contextlib.suppress, per process.
            try:  # noqa: SIM105
                status = read_file(f"{base}/status")
            except PermissionError:
                pass
        more: StatusMore | None = None
        owner: tuple[int | None, bool] | None = None
        if status is not None:
            more, owner = parse_status_and_owner(status)
        if (
            before is not None
            and before.info.comm == stat.comm
            and before.args_at == _args_at(stat)
        ):
            old = before.info
            comm = old.comm
            extra = _Details(old.cmdline, old.uid, old.user, old.locked)
            if owner is not None:
                # status is read anyway for a column: keep the user and L current.
                uid, locked = owner
                if uid != old.uid or locked != old.locked:
                    user = None if uid is None else user_name(uid)
                    extra = _Details(old.cmdline, uid, user, locked)
        else:  # a new process, or an exec
            comm = self._names.setdefault(stat.comm, stat.comm)
            extra = self._read_details(name, owner)
        number = self._numbers.setdefault
        stat_more = parse_stat_more(data) if wants.stat else None
        info = ProcessInfo(
            pid=pid,
            ppid=number(stat.ppid, stat.ppid),
            pgid=number(stat.pgid, stat.pgid),
            sid=number(stat.sid, stat.sid),
            tpgid=number(stat.tpgid, stat.tpgid),
            tty=tty_name(stat.tty_nr),
            state=stat.state,
            flags=number(stat.flags, stat.flags),
            nice=stat.nice,
            num_threads=stat.num_threads,
            locked=extra.locked,
            uid=extra.uid,
            user=extra.user,
            # (0.0 written out is one object; a quotient is a new one each time)
            cpu_time=stat.cpu_ticks / ticks if stat.cpu_ticks else 0.0,
            start_time=start_time,
            comm=comm,
            cmdline=extra.cmdline,
            cpu_percent=_cpu_percent(
                stat.cpu_ticks, start_time, before, uptime, interval, ticks
            )
            if self._live_cpu
            else None,
            stat_more=stat_more,
            status_more=more,
            files=read_files(base, self._sources, stat_more) if wants.files else None,
        )
        return _Seen(stamp, info, _args_at(stat))

    def _uptime(self) -> float:
        try:
            return float(read_file(f"{self._root}/uptime").split()[0])
        except (OSError, ValueError, IndexError):
            return time.monotonic()

    def _read_details(
        self, name: str, owner: tuple[int | None, bool] | None
    ) -> _Details:
        """Read the slow-changing files; permission problems leave None.

        ``owner`` is the user and ``L`` of a ``status`` already read for a
        column; without it, ``status`` is read here.
        """
        base = f"{self._root}/{name}"
        cmdline: tuple[str, ...] | None
        try:
            args = parse_cmdline(read_file(f"{base}/cmdline"))
            cmdline = self._args.setdefault(args, args)
        except PermissionError:
            cmdline = None
        uid: int | None = None
        locked: bool | None = None
        if owner is not None:
            uid, locked = owner
        elif self._read_status:
            with contextlib.suppress(PermissionError):
                uid, locked = parse_status(read_file(f"{base}/status"))
        user = None if uid is None else user_name(uid)
        return _Details(cmdline, uid, user, locked)


def _cpu_percent(
    cpu_ticks: int,
    start_time: float,
    before: _Seen | None,
    uptime: float,
    interval: float,
    hertz: int,
) -> float | None:
    """CPU used since the previous scan, in percent of one CPU.

    0.0 on a first scan (nothing measured yet, as htop shows it); for a
    process not seen last time (it started since, or its pid was reused), its
    average over its life so far.

    ``before`` is the same process's previous record (same pid and start),
    or None.
    """
    if interval <= 0:
        return 0.0
    if before is not None:
        used = cpu_ticks - round(before.info.cpu_time * hertz)
        return max(0, used) * 100.0 / hertz / interval
    lived = uptime - start_time
    return cpu_ticks * 100.0 / hertz / lived if lived > 0 else 0.0


class _Reader:
    """A forked process reading part of the first scan (see scan_ahead).

    It appends its parts as frames to an in-memory file and writes a byte to
    a pipe after each one; the pipe's end of file says it has exited.
    """

    def __init__(self, pid: int, out: int, note: int) -> None:
        self.pid = pid
        self.out = out
        self.note = note
        self._offset = 0
        self._reaped = False

    @classmethod
    def fork(cls, scanner: ProcfsScanner, names: list[str]) -> _Reader:
        """Start a process that reads ``names`` for ``scanner``.

        Raises:
            OSError: If it cannot be started.
        """
        out = os.memfd_create("sigtui-first-scan", os.MFD_CLOEXEC)
        try:
            note_read, note_write = os.pipe2(os.O_CLOEXEC)
        except OSError:
            os.close(out)
            raise
        try:
            pid = os.fork()
        except OSError:
            for fd in (out, note_read, note_write):
                os.close(fd)
            raise
        if pid == 0:  # the reader: scan, hand over, and leave at once
            status = 1
            try:
                # Its records hold no cycles, and it leaves with os._exit:
                # a collection would only write to every inherited object,
                # copying the parent's pages (10 % of a reader's CPU).
                gc.disable()
                os.close(note_read)
                scanner._read_ahead(names, out, note_write)
                status = 0
            finally:
                os._exit(status)
        os.close(note_write)
        return cls(pid, out, note_read)

    def parts(self) -> Iterator[tuple[list[_Seen], float, float]]:
        """The parts written since the last call: records, uptime, clock."""
        size = os.fstat(self.out).st_size
        if size <= self._offset:
            return
        data = memoryview(os.pread(self.out, size - self._offset, self._offset))
        at = 0
        while at + 8 <= len(data):
            end = at + 8 + int.from_bytes(data[at : at + 8], "little")
            if end > len(data):
                break  # being written
            part = pickle.loads(data[at + 8 : end])
            self._offset += end - at
            at = end
            yield part

    def succeeded(self) -> bool:
        """Wait for the reader to exit; whether it read everything."""
        _, status = os.waitpid(self.pid, 0)
        self._reaped = True
        return os.waitstatus_to_exitcode(status) == 0

    def end(self) -> None:
        """Stop the reader if it still runs, reap it, and close its files."""
        if not self._reaped:
            # Our own child, not yet reaped: the pid cannot name another.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self._reaped = True
        for fd in (self.out, self.note):
            with contextlib.suppress(OSError):
                os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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
