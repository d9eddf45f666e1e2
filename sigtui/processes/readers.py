"""Reading and parsing the files of ``/proc/PID``, one function per file.

The scanner (:mod:`sigtui.processes.scan`) decides when to read what; this
module only knows how. Everything here is a plain function of bytes or of a
path, so it can be tested with a fake ``/proc``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sigtui.processes.model import (
    NAMESPACES,
    ProcessInfo,
    ProcFiles,
    Source,
    StatMore,
    StatusMore,
)
from sigtui.procfs import stat_comm, stat_fields

T = TypeVar("T")


GONE = (FileNotFoundError, ProcessLookupError)
"""What reading a file of a process that has just exited raises."""


def open_file(path: str) -> int:
    """Open a /proc file for reading (not inherited by children)."""
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def read_file(path: str) -> bytes:
    """Read a whole /proc file with one open and as few reads as possible."""
    fd = open_file(path)
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


_new_tuple = tuple.__new__


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
    # Built from a tuple rather than by keyword: 40 % of the time, on every
    # process of every refresh.
    return _new_tuple(
        StatFields,
        (
            stat_comm(data),
            f[0].decode("ascii", "replace"),
            int(f[1]),
            int(f[2]),
            int(f[3]),
            int(f[4]),
            int(f[5]),
            int(f[6]),
            int(f[11]) + int(f[12]),
            int(f[16]),
            int(f[17]),
            int(f[19]),
            int(f[45]) if len(f) > 46 else 0,
            int(f[46]) if len(f) > 46 else 0,
        ),
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


_IDS_KEPT = 4096
"""More distinct lines than this, and a cache of id tuples starts over."""


def _groups(words: list[bytes]) -> tuple[int, ...]:
    return tuple(int(g) for g in words)


_NUMBER = rb"[ \t]*(\d+)[^\n]*"
_HEX = rb"[ \t]*([0-9a-fA-F]+)[^\n]*"
_LINE = rb"[ \t]*([^\n]*)"

_IN_ORDER = (
    (b"Groups", _LINE),
    (b"VmSize", _NUMBER),
    (b"VmLck", _NUMBER),
    (b"VmRSS", _NUMBER),
    (b"VmData", _NUMBER),
    (b"VmStk", _NUMBER),
    (b"SigPnd", _HEX),
    (b"ShdPnd", _HEX),
    (b"SigBlk", _HEX),
    (b"SigIgn", _HEX),
    (b"SigCgt", _HEX),
)
"""The lines :func:`parse_status_more` wants after Uid and Gid, in the order
every kernel since 2.6.32 writes them, and what to take of each: the number
alone (not the unit after it), or the whole line."""

_STATUS_IN_ORDER = re.compile(
    rb"\nUid:[ \t]*([^\n]*)\nGid:[ \t]*([^\n]*)"
    + b"".join(
        # Skip the lines that are not the next one wanted (possessively, so a
        # file without it fails at once, not after trying every split).
        rb"(?:\n(?!" + key + rb":)[^\n]*)*+\n" + key + rb":" + value
        for key, value in _IN_ORDER
    )
)
"""The wanted lines in one pass, for a file that has them all in order."""


def parse_status_more(data: bytes) -> StatusMore:
    """Take ids, memory sizes and signal masks from ``/proc/PID/status``.

    A user process's file has every wanted line in a known order, and one
    regular expression takes them all (a third of the time of finding each
    line by name, which matters on a first scan of thousands); a kernel
    thread's, without memory lines, or any other, is read line by line.

    Args:
        data: The file's bytes.

    Returns:
        The values; absent memory lines (kernel threads) read as 0.
    """
    return parse_status_and_owner(data)[0]


def parse_status_and_owner(
    data: bytes,
) -> tuple[StatusMore, tuple[int | None, bool]]:
    """:func:`parse_status_more` and :func:`parse_status` of one file at once.

    The scanner wants both for every process on a first scan; taking the
    locked-memory line in the same pass and the numbers without their unit
    made the two 2.4 times faster (18.5 to 7.6 µs a process).

    Args:
        data: The file's bytes.

    Returns:
        The values, and (effective uid or None, VmLck > 0).
    """
    # A kernel thread's file has no memory lines: no use trying the order.
    found = _STATUS_IN_ORDER.search(data) if b"\nVmSize:" in data else None
    if found is None:
        more = _status_more_by_name(data)
        return more, owner_of(data, more)
    uid, gid, groups, size, locked, rss, data_size, stack, *masks = found.groups()
    thread, shared, blocked, ignored, caught = masks
    uids = _shared(_UIDS, uid, _four)
    more = StatusMore(
        uids,
        _shared(_GIDS, gid, _four),
        _shared(_GROUPS, groups, _groups),
        int(size),
        int(rss),
        int(data_size),
        int(stack),
        # As procps: the process-wide set.
        _mask(shared),
        _mask(thread),
        _mask(blocked),
        _mask(ignored),
        _mask(caught),
    )
    return more, (None if uids is None else uids[1], locked != b"0")


_UIDS: dict[bytes, Any] = {}
_GIDS: dict[bytes, Any] = {}
_GROUPS: dict[bytes, Any] = {}
"""Id tuples by their ``status`` line (Uid, Gid, Groups), one dictionary each:
most processes share a few users and groups, and at 10,000 processes their own
tuples were 1.4 MiB."""


def _shared(
    cache: dict[bytes, Any], line: bytes, parse: Callable[[list[bytes]], object]
) -> Any:
    """``parse`` of a line's words, one shared object per distinct line."""
    found = cache.get(line)
    if found is None:
        if len(cache) >= _IDS_KEPT:
            cache.clear()
        found = cache[line] = parse(line.split())
    return found


_MASKS: dict[bytes, int] = {}
"""Signal masks by their hex digits: the processes of one program block, ignore
and catch the same signals, and a mask above 256 is an object of its own."""


def _mask(digits: bytes) -> int:
    found = _MASKS.get(digits)
    if found is None:
        if len(_MASKS) >= _IDS_KEPT:
            _MASKS.clear()
        found = _MASKS[digits] = int(digits, 16)
    return found


def _kib(value: bytes) -> int:
    words = value.split()
    return int(words[0]) if words else 0


def _status_more_by_name(data: bytes) -> StatusMore:
    """:func:`parse_status_more` for any file: each wanted line found by name."""
    # A literal newline first is 5x faster than re.MULTILINE's ^ (the first
    # line, Name, is never wanted).
    lines = dict(_STATUS_MORE.findall(data))
    empty = b""

    def kib(key: bytes) -> int:
        return _kib(lines.get(key, empty))

    def mask(key: bytes) -> int:
        value = lines.get(key)
        return int(value, 16) if value else 0

    shared = lines.get(b"ShdPnd")
    thread = mask(b"SigPnd")
    return StatusMore(
        uids=_shared(_UIDS, lines.get(b"Uid", empty), _four),
        gids=_shared(_GIDS, lines.get(b"Gid", empty), _four),
        groups=_shared(_GROUPS, lines.get(b"Groups", empty), _groups),
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
    uids = _status_value(b"\n" + data, b"\nUid:")
    euid = int(uids[1]) if len(uids) > 1 else None
    return euid, parse_locked(data)


def parse_locked(data: bytes) -> bool:
    """Whether ``/proc/PID/status`` says memory is locked (``VmLck`` > 0).

    Args:
        data: The file's bytes.

    Returns:
        VmLck > 0 (False when the line is absent: a kernel thread).
    """
    # VmLck is never the first line, so no newline need be put before it.
    amount = _status_value(data, b"\nVmLck:")
    return bool(amount) and amount[0] != b"0"


def owner_of(data: bytes, more: StatusMore) -> tuple[int | None, bool]:
    """:func:`parse_status`'s answer for a file already parsed into ``more``.

    Args:
        data: The file's bytes.
        more: :func:`parse_status_more` of them.

    Returns:
        (effective uid or None, VmLck > 0).
    """
    return (None if more.uids is None else more.uids[1]), parse_locked(data)


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
    # Decoded whole, then split: a NUL is one byte in UTF-8 and never part of
    # a character, so this is each argument decoded alone, at half the cost.
    return tuple(data.decode("utf-8", "surrogateescape").split("\0"))


FILE_SOURCES = (
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
"""The sources :func:`read_files` reads, a small file (or link) each."""


def read_files(base: str, sources: Source, stat_more: StatMore | None) -> ProcFiles:
    """Read the small per-process files the columns ask for.

    Args:
        base: The process's directory (``/proc/PID``).
        sources: What the columns need.
        stat_more: The process's extra stat fields (for its NUMA node).

    Returns:
        The values; a file that cannot be read gives its column's default.

    Raises:
        FileNotFoundError, ProcessLookupError: The process has exited.
    """
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


def _read_parsed(path: str, parse: Callable[[bytes], T], default: T) -> T:
    """Read and parse a small per-process file; ``default`` if that fails.

    Raises:
        FileNotFoundError, ProcessLookupError: The process has exited (the
            scan then leaves it out, rather than show it with defaults).
    """
    try:
        return parse(read_file(path))
    except GONE:
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
