"""The column registry: ps's ``-o`` names, their headers, widths and values.

Every name ps accepts for the supported fields is here with the header ps
prints for it (``-o tty`` says ``TT``, ``-o tname`` says ``TTY``), so
``sigtui ps -o LIST`` and ``ps -o LIST`` print the same table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache

from sigtui.processes.format import (
    PAGE_KIB,
    UNKNOWN,
    boot_time,
    command_text,
    format_bsdstart,
    format_bsdtime,
    format_cputime,
    format_etime,
    format_lstart,
    format_mask,
    format_pcpu,
    format_pmem,
    format_start,
    format_stat,
    format_stime,
    group_name,
    mask_names,
    memory_total,
    user_name,
)
from sigtui.processes.model import (
    ProcessInfo,
    ProcessSnapshot,
    ProcFiles,
    Source,
    StatMore,
    StatusMore,
)

SortValue = tuple[int, int | float | str]
"""A sort key: (0 for known values, 1 for unknown ones), then the value."""


class Align(Enum):
    """Which side a column's values are aligned to."""

    LEFT = "left"
    RIGHT = "right"


class MaskStyle(Enum):
    """How a signal mask column reads."""

    HEX = "hex"
    """8 hex digits (``<`` and the low 8 when higher bits are set), as ps."""
    WIDE_HEX = "wide"
    """All 16 hex digits, as ps prints them when the line has room."""
    NAMES = "names"
    """Signal names, ``HUP,USR1`` (the TUI)."""


class Field(Enum):
    """What a column shows; several ps names can show the same field."""

    PID = "pid"
    PPID = "ppid"
    PGID = "pgid"
    SID = "sid"
    TPGID = "tpgid"
    LWP = "lwp"
    TTY = "tty"
    STAT = "stat"
    STATE = "state"
    FLAGS = "f"
    USER = "user"
    UID = "uid"
    TIME = "time"
    TIMES = "times"
    BSDTIME = "bsdtime"
    ETIME = "etime"
    ETIMES = "etimes"
    START = "start"
    STIME = "stime"
    LSTART = "lstart"
    BSDSTART = "bsdstart"
    COMM = "comm"
    FNAME = "fname"
    ARGS = "args"
    PCPU = "%cpu"
    C = "c"
    CP = "cp"
    CUU = "cuu"
    CUC = "cuc"
    PMEM = "%mem"
    RSS = "rss"
    VSZ = "vsz"
    SZ = "sz"
    SIZE = "size"
    M_SIZE = "m_size"
    DRS = "drs"
    TRS = "trs"
    MAJ_FLT = "maj_flt"
    MIN_FLT = "min_flt"
    LIM = "lim"
    NICE = "ni"
    PRI = "pri"
    OPRI = "opri"
    PRIORITY = "priority"
    PRI_FOO = "pri_foo"
    PRI_BAR = "pri_bar"
    PRI_BAZ = "pri_baz"
    PRI_API = "pri_api"
    RTPRIO = "rtprio"
    CLASS = "class"
    SCHED = "sched"
    PSR = "psr"
    SGI_P = "sgi_p"
    NUMA = "numa"
    NLWP = "nlwp"
    STACKP = "stackp"
    ESP = "esp"
    EIP = "eip"
    WCHAN = "wchan"
    RUSER = "ruser"
    SUSER = "suser"
    FUSER = "fuser"
    RUID = "ruid"
    SUID = "suid"
    FUID = "fuid"
    EGROUP = "egroup"
    RGROUP = "rgroup"
    SGROUP = "sgroup"
    FGROUP = "fgroup"
    EGID = "egid"
    RGID = "rgid"
    SGID = "sgid"
    FGID = "fgid"
    SUPGID = "supgid"
    SUPGRP = "supgrp"
    LUID = "luid"
    PENDING = "pending"
    TSIG = "tsig"
    BLOCKED = "blocked"
    IGNORED = "ignored"
    CAUGHT = "caught"
    CGROUP = "cgroup"
    CGNAME = "cgname"
    EXE = "exe"
    OOM = "oom"
    OOMADJ = "oomadj"
    AG_ID = "ag_id"
    AG_NICE = "ag_nice"
    CGROUPNS = "cgroupns"
    IPCNS = "ipcns"
    MNTNS = "mntns"
    NETNS = "netns"
    PIDNS = "pidns"
    TIMENS = "timens"
    USERNS = "userns"
    UTSNS = "utsns"
    RCHARS = "rchars"
    WCHARS = "wchars"
    ROPS = "rops"
    WOPS = "wops"
    RBYTES = "rbytes"
    WBYTES = "wbytes"
    WCBYTES = "wcbytes"


@dataclass(frozen=True)
class Column:
    """One displayable column.

    Attributes:
        name: The ps ``-o`` name it was asked for by.
        field: What it shows.
        header: The header ps prints for that name.
        width: ps's column width.
        align: Left or right.
        unlimited: Shown in full when it is the last column, cut to ``width``
            otherwise (``args``, ``comm``, ``wchan``, ``cgroup`` ...).
        user_name: Cut to ``width`` with a trailing ``+`` unless last (``user``).
        masks: How a signal mask column reads (hex for ps, names on screen).
    """

    name: str
    field: Field
    header: str
    width: int
    align: Align
    unlimited: bool = False
    user_name: bool = False
    masks: MaskStyle = MaskStyle.HEX

    @property
    def sources(self) -> Source:
        """The per-process files this column needs beyond the base fields."""
        return _SOURCES.get(self.field, Source.NONE)

    @property
    def clock(self) -> bool:
        """Whether the value moves with the clock even when the process does not."""
        return self.field in _CLOCK

    @property
    def mask(self) -> bool:
        """Whether this column shows a signal mask."""
        return self.field in _MASKS

    def text(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> str:
        """Return the raw (unescaped, unpadded) value for a process.

        Args:
            info: The process.
            snapshot: The scan it came from (for elapsed time).

        Returns:
            The value as ps would print it, before escaping.
        """
        mask = _MASKS.get(self.field)
        if mask is not None:
            status = info.status_more
            if status is None:
                return UNKNOWN
            value = mask(status)
            if self.masks is MaskStyle.NAMES:
                return mask_names(value)
            return format_mask(value, wide=self.masks is MaskStyle.WIDE_HEX)
        return _TEXT[self.field](info, snapshot)

    def sort_value(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> SortValue:
        """Return a key that orders processes by this column naturally.

        Numbers sort as numbers (``%CPU``, ``RSS``, ``VSZ`` ...).

        Args:
            info: The process.
            snapshot: The scan it came from.

        Returns:
            A comparable key; unknown values sort last.
        """
        mask = _MASKS.get(self.field)
        if mask is not None:
            value: int | float | str | None = (
                None if info.status_more is None else mask(info.status_more)
            )
        else:
            sort = _SORT.get(self.field)
            value = self.text(info, snapshot) if sort is None else sort(info, snapshot)
        return (1, 0) if value is None else (0, value)


def sources_of(columns: Iterable[Column]) -> Source:
    """Return every per-process file the columns need (what a scanner should read).

    Args:
        columns: The columns shown.

    Returns:
        The union of their sources.
    """
    needed = Source.NONE
    for column in columns:
        needed |= column.sources
    return needed


def for_screen(columns: Iterable[Column]) -> tuple[Column, ...]:
    """Return the columns as the TUI shows them: signal masks as names.

    Args:
        columns: Columns as parsed.

    Returns:
        The same columns, mask columns reading ``HUP,USR1``.
    """
    return tuple(replace(c, masks=MaskStyle.NAMES) if c.mask else c for c in columns)


def _num(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


# -- values that need the extra stat fields ----------------------------------

Getter = Callable[[ProcessInfo, ProcessSnapshot], "int | float | str | None"]


def _stat(get: Callable[[StatMore], int]) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
        more = p.stat_more
        return None if more is None else get(more)

    return value


def _status(get: Callable[[StatusMore], int | None]) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
        more = p.status_more
        return None if more is None else get(more)

    return value


def _files(get: Callable[[ProcFiles], int | str | None]) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | str | None:
        files = p.files
        return None if files is None else get(files)

    return value


def _text_of(get: Getter) -> Callable[[ProcessInfo, ProcessSnapshot], str]:
    def text(p: ProcessInfo, s: ProcessSnapshot) -> str:
        value = get(p, s)
        return UNKNOWN if value is None else str(value)

    return text


def _ticks(seconds: float, hertz: int) -> int:
    return round(seconds * hertz)


def _lifetime_share(p: ProcessInfo, s: ProcessSnapshot, scale: int) -> int:
    """CPU over the process's life as ps computes it: ticks * scale // jiffies."""
    hertz = s.clock_ticks
    jiffies = int(s.uptime * hertz) - _ticks(p.start_time, hertz)
    if jiffies <= 0:
        return 0
    return _ticks(p.cpu_time, hertz) * scale // jiffies


def _pcpu_value(p: ProcessInfo, s: ProcessSnapshot) -> float:
    if p.cpu_percent is not None:
        return p.cpu_percent
    return _lifetime_share(p, s, 1000) / 10


def _pcpu_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    if p.cpu_percent is not None:
        return format_pcpu(int(p.cpu_percent * 10))
    return format_pcpu(_lifetime_share(p, s, 1000))


def _utilization(p: ProcessInfo, s: ProcessSnapshot, children: int) -> str:
    hertz = s.clock_ticks
    lived = int(s.uptime * hertz) - _ticks(p.start_time, hertz)
    if lived <= 0:
        share = 0.0
    else:
        share = (_ticks(p.cpu_time, hertz) + children) * 100.0 / lived
    return f"{min(share, 99.999) if share > 99.0 else share:#.3f}"


def _started(p: ProcessInfo, s: ProcessSnapshot) -> int:
    """Start in seconds since the epoch, whole seconds as ps computes it."""
    return boot_time() + _ticks(p.start_time, s.clock_ticks) // s.clock_ticks


def _now(s: ProcessSnapshot) -> float:
    return boot_time() + s.uptime


def _elapsed(p: ProcessInfo, s: ProcessSnapshot) -> int:
    return max(0, math.floor(s.uptime - p.start_time))


_POLICY = {-1: "-", 0: "TS", 1: "FF", 2: "RR", 3: "B", 4: "ISO", 5: "IDL", 6: "DLN"}


def _policy_name(policy: int) -> str:
    if 7 <= policy <= 9:
        return f"#{policy}"
    return _POLICY.get(policy, "?")


def _nice_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.stat_more
    # Nice only applies to the normal and batch policies.
    if more is not None and more.policy not in (0, 3, -1):
        return "-"
    return str(p.nice)


def _rtprio_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.stat_more
    if more is None:
        return UNKNOWN
    if more.policy in (0, -1):
        return "-"
    return str(more.rt_priority)


def _data_size(more: StatMore) -> int:
    if not more.vsize:
        return 0
    return (more.vsize - more.end_code + more.start_code) >> 10


def _text_size(more: StatMore) -> int:
    if not more.vsize:
        return 0
    return (more.end_code - more.start_code) >> 10


def _lim_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.stat_more
    if more is None:
        return UNKNOWN
    if more.rss_limit >= (1 << 64) - 1:
        return "xx"
    return f"{more.rss_limit >> 10:5}"


def _hex_text(
    get: Callable[[StatMore], int],
) -> Callable[[ProcessInfo, ProcessSnapshot], str]:
    def text(p: ProcessInfo, s: ProcessSnapshot) -> str:
        more = p.stat_more
        return UNKNOWN if more is None else f"{get(more):016x}"

    return text


def _id(kind: str, index: int) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
        more = p.status_more
        if more is None:
            return None
        ids = more.uids if kind == "u" else more.gids
        return None if ids is None else ids[index]

    return value


def _named(
    get: Getter, name: Callable[[int], str]
) -> Callable[[ProcessInfo, ProcessSnapshot], str]:
    def text(p: ProcessInfo, s: ProcessSnapshot) -> str:
        value = get(p, s)
        return UNKNOWN if not isinstance(value, int) else name(value)

    return text


def _supgid_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.status_more
    if more is None:
        return UNKNOWN
    return ",".join(map(str, more.groups)) or "-"


def _supgrp_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.status_more
    if more is None:
        return UNKNOWN
    return ",".join(group_name(g) for g in more.groups) or "-"


def _cgname(files: ProcFiles) -> str | None:
    cgroup = files.cgroup
    if cgroup is None:
        return None
    at = cgroup.find(":name=")
    if at >= 0 and len(cgroup) > at + 6:
        return cgroup[at + 6 :]
    return cgroup


def _ns(index: int) -> Callable[[ProcessInfo, ProcessSnapshot], str]:
    def text(p: ProcessInfo, s: ProcessSnapshot) -> str:
        files = p.files
        if files is None or files.namespaces is None:
            return UNKNOWN
        inode = files.namespaces[index]
        return str(inode) if inode else "-"

    return text


def _ns_sort(index: int) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
        files = p.files
        if files is None or files.namespaces is None:
            return None
        return files.namespaces[index]

    return value


def _io(index: int) -> Getter:
    def value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
        files = p.files
        return None if files is None or files.io is None else files.io[index]

    return value


def _luid_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    files = p.files
    if files is None or files.loginuid is None:
        return UNKNOWN
    return "-" if files.loginuid == -1 else str(files.loginuid)


def _rss(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
    more = p.status_more
    return None if more is None else more.vm_rss


def _pmem_text(p: ProcessInfo, s: ProcessSnapshot) -> str:
    more = p.status_more
    return UNKNOWN if more is None else format_pmem(more.vm_rss, memory_total())


def _pmem_value(p: ProcessInfo, s: ProcessSnapshot) -> int | None:
    more = p.status_more
    return None if more is None else more.vm_rss


_MASKS: dict[Field, Callable[[StatusMore], int]] = {
    Field.PENDING: lambda m: m.pending,
    Field.TSIG: lambda m: m.thread_pending,
    Field.BLOCKED: lambda m: m.blocked,
    Field.IGNORED: lambda m: m.ignored,
    Field.CAUGHT: lambda m: m.caught,
}

_GETTERS: dict[Field, Getter] = {
    Field.MAJ_FLT: _stat(lambda m: m.maj_flt),
    Field.MIN_FLT: _stat(lambda m: m.min_flt),
    Field.M_SIZE: _stat(lambda m: m.vsize),
    Field.DRS: _stat(_data_size),
    Field.TRS: _stat(_text_size),
    Field.PRI: _stat(lambda m: 39 - m.priority),
    Field.OPRI: _stat(lambda m: 60 + m.priority),
    Field.PRIORITY: _stat(lambda m: m.priority),
    Field.PRI_FOO: _stat(lambda m: m.priority - 20),
    Field.PRI_BAR: _stat(lambda m: m.priority + 1),
    Field.PRI_BAZ: _stat(lambda m: m.priority + 100),
    Field.PRI_API: _stat(lambda m: -1 - m.priority),
    Field.PSR: _stat(lambda m: m.processor),
    Field.RSS: _rss,
    Field.VSZ: _status(lambda m: m.vm_size),
    Field.SZ: _status(lambda m: m.vm_size // PAGE_KIB),
    Field.SIZE: _status(lambda m: m.vm_data + m.vm_stack),
    Field.RUID: _id("u", 0),
    Field.SUID: _id("u", 2),
    Field.FUID: _id("u", 3),
    Field.RGID: _id("g", 0),
    Field.EGID: _id("g", 1),
    Field.SGID: _id("g", 2),
    Field.FGID: _id("g", 3),
    Field.OOM: _files(lambda f: f.oom_score),
    Field.OOMADJ: _files(lambda f: f.oom_adj),
    Field.NUMA: _files(lambda f: f.numa_node),
    Field.AG_ID: _files(lambda f: None if f.autogroup is None else f.autogroup[0]),
    Field.AG_NICE: _files(lambda f: None if f.autogroup is None else f.autogroup[1]),
    Field.RCHARS: _io(0),
    Field.WCHARS: _io(1),
    Field.ROPS: _io(2),
    Field.WOPS: _io(3),
    Field.RBYTES: _io(4),
    Field.WBYTES: _io(5),
    Field.WCBYTES: _io(6),
}

_NAMESPACE_FIELDS = (
    Field.CGROUPNS,
    Field.IPCNS,
    Field.MNTNS,
    Field.NETNS,
    Field.PIDNS,
    Field.TIMENS,
    Field.USERNS,
    Field.UTSNS,
)

_TEXT: dict[Field, Callable[[ProcessInfo, ProcessSnapshot], str]] = {
    Field.PID: lambda p, s: str(p.pid),
    Field.LWP: lambda p, s: str(p.pid),
    Field.PPID: lambda p, s: str(p.ppid),
    Field.PGID: lambda p, s: str(p.pgid),
    Field.SID: lambda p, s: str(p.sid),
    Field.TPGID: lambda p, s: str(p.tpgid),
    Field.TTY: lambda p, s: p.tty or "?",
    Field.STAT: lambda p, s: format_stat(p),
    Field.STATE: lambda p, s: p.state,
    Field.FLAGS: lambda p, s: f"{(p.flags >> 6) & 7:o}",
    Field.USER: lambda p, s: UNKNOWN if p.user is None else p.user,
    Field.UID: lambda p, s: _num(p.uid),
    Field.TIME: lambda p, s: format_cputime(p.cpu_time),
    Field.TIMES: lambda p, s: str(math.floor(p.cpu_time)),
    Field.BSDTIME: lambda p, s: format_bsdtime(
        _ticks(p.cpu_time, s.clock_ticks), s.clock_ticks
    ),
    Field.ETIME: lambda p, s: format_etime(s.uptime - p.start_time),
    Field.ETIMES: lambda p, s: str(_elapsed(p, s)),
    Field.START: lambda p, s: format_start(_started(p, s), _now(s)),
    Field.STIME: lambda p, s: format_stime(_started(p, s), _now(s)),
    Field.LSTART: lambda p, s: format_lstart(_started(p, s)),
    Field.BSDSTART: lambda p, s: format_bsdstart(_started(p, s), _now(s)),
    Field.COMM: lambda p, s: p.comm,
    Field.FNAME: lambda p, s: p.comm[:8],
    Field.ARGS: lambda p, s: command_text(p),
    Field.PCPU: _pcpu_text,
    Field.C: lambda p, s: f"{min(99, _lifetime_share(p, s, 100)):2}",
    Field.CP: lambda p, s: f"{min(999, _lifetime_share(p, s, 1000)):3}",
    Field.CUU: lambda p, s: _utilization(p, s, 0),
    Field.CUC: lambda p, s: _utilization(
        p, s, 0 if p.stat_more is None else p.stat_more.children_ticks
    ),
    Field.PMEM: _pmem_text,
    Field.LIM: _lim_text,
    Field.NICE: _nice_text,
    Field.RTPRIO: _rtprio_text,
    Field.CLASS: lambda p, s: (
        UNKNOWN if p.stat_more is None else _policy_name(p.stat_more.policy)
    ),
    Field.SCHED: lambda p, s: (
        UNKNOWN
        if p.stat_more is None
        else ("-" if p.stat_more.policy == -1 else str(p.stat_more.policy))
    ),
    Field.SGI_P: lambda p, s: (
        UNKNOWN
        if p.stat_more is None
        else (str(p.stat_more.processor) if p.state == "R" else "*")
    ),
    Field.NLWP: lambda p, s: str(p.num_threads),
    Field.STACKP: _hex_text(lambda m: m.start_stack),
    Field.ESP: _hex_text(lambda m: m.esp),
    Field.EIP: _hex_text(lambda m: m.eip),
    Field.WCHAN: _text_of(_files(lambda f: f.wchan)),
    Field.RUSER: _named(_id("u", 0), user_name),
    Field.SUSER: _named(_id("u", 2), user_name),
    Field.FUSER: _named(_id("u", 3), user_name),
    Field.EGROUP: _named(_id("g", 1), group_name),
    Field.RGROUP: _named(_id("g", 0), group_name),
    Field.SGROUP: _named(_id("g", 2), group_name),
    Field.FGROUP: _named(_id("g", 3), group_name),
    Field.SUPGID: _supgid_text,
    Field.SUPGRP: _supgrp_text,
    Field.LUID: _luid_text,
    Field.CGROUP: _text_of(_files(lambda f: f.cgroup)),
    Field.CGNAME: _text_of(_files(_cgname)),
    Field.EXE: _text_of(_files(lambda f: f.exe)),
    **{field: _text_of(get) for field, get in _GETTERS.items()},
    **{field: _ns(i) for i, field in enumerate(_NAMESPACE_FIELDS)},
}

_SORT: dict[Field, Getter] = {
    Field.PID: lambda p, s: p.pid,
    Field.LWP: lambda p, s: p.pid,
    Field.PPID: lambda p, s: p.ppid,
    Field.PGID: lambda p, s: p.pgid,
    Field.SID: lambda p, s: p.sid,
    Field.TPGID: lambda p, s: p.tpgid,
    Field.TTY: lambda p, s: p.tty,
    Field.STAT: lambda p, s: format_stat(p),
    Field.STATE: lambda p, s: p.state,
    Field.FLAGS: lambda p, s: (p.flags >> 6) & 7,
    Field.USER: lambda p, s: p.user,
    Field.UID: lambda p, s: p.uid,
    Field.TIME: lambda p, s: p.cpu_time,
    Field.TIMES: lambda p, s: p.cpu_time,
    Field.BSDTIME: lambda p, s: p.cpu_time,
    # Oldest first is the natural reading of "sort by elapsed", so sort by age.
    Field.ETIME: lambda p, s: s.uptime - p.start_time,
    Field.ETIMES: lambda p, s: s.uptime - p.start_time,
    # Start times sort by when the process started, not by their text.
    Field.START: lambda p, s: p.start_time,
    Field.STIME: lambda p, s: p.start_time,
    Field.LSTART: lambda p, s: p.start_time,
    Field.BSDSTART: lambda p, s: p.start_time,
    Field.COMM: lambda p, s: p.comm.lower(),
    Field.FNAME: lambda p, s: p.comm.lower(),
    Field.ARGS: lambda p, s: command_text(p).lower(),
    Field.PCPU: _pcpu_value,
    Field.C: lambda p, s: _lifetime_share(p, s, 1000),
    Field.CP: lambda p, s: _lifetime_share(p, s, 1000),
    Field.CUU: lambda p, s: _lifetime_share(p, s, 100000),
    Field.PMEM: _pmem_value,
    Field.LIM: _stat(lambda m: m.rss_limit),
    Field.NICE: lambda p, s: p.nice,
    Field.RTPRIO: _stat(lambda m: m.rt_priority),
    Field.CLASS: _stat(lambda m: m.policy),
    Field.SCHED: _stat(lambda m: m.policy),
    Field.SGI_P: _stat(lambda m: m.processor),
    Field.NLWP: lambda p, s: p.num_threads,
    Field.STACKP: _stat(lambda m: m.start_stack),
    Field.ESP: _stat(lambda m: m.esp),
    Field.EIP: _stat(lambda m: m.eip),
    Field.LUID: _files(lambda f: f.loginuid),
    **_GETTERS,
    **{field: _ns_sort(i) for i, field in enumerate(_NAMESPACE_FIELDS)},
}

_STAT_FIELDS = (
    Field.MAJ_FLT,
    Field.MIN_FLT,
    Field.M_SIZE,
    Field.DRS,
    Field.TRS,
    Field.LIM,
    Field.NICE,
    Field.PRI,
    Field.OPRI,
    Field.PRIORITY,
    Field.PRI_FOO,
    Field.PRI_BAR,
    Field.PRI_BAZ,
    Field.PRI_API,
    Field.RTPRIO,
    Field.CLASS,
    Field.SCHED,
    Field.PSR,
    Field.SGI_P,
    Field.STACKP,
    Field.ESP,
    Field.EIP,
    Field.CUC,
)
_STATUS_FIELDS = (
    Field.PMEM,
    Field.RSS,
    Field.VSZ,
    Field.SZ,
    Field.SIZE,
    Field.RUSER,
    Field.SUSER,
    Field.FUSER,
    Field.RUID,
    Field.SUID,
    Field.FUID,
    Field.EGROUP,
    Field.RGROUP,
    Field.SGROUP,
    Field.FGROUP,
    Field.EGID,
    Field.RGID,
    Field.SGID,
    Field.FGID,
    Field.SUPGID,
    Field.SUPGRP,
)

_SOURCES: dict[Field, Source] = {
    **dict.fromkeys(_STAT_FIELDS, Source.STAT),
    **dict.fromkeys(_STATUS_FIELDS, Source.STATUS),
    **dict.fromkeys(_MASKS, Source.STATUS | Source.SIGNALS),
    Field.NUMA: Source.STAT | Source.NUMA,
    Field.WCHAN: Source.WCHAN,
    Field.CGROUP: Source.CGROUP,
    Field.CGNAME: Source.CGROUP,
    Field.EXE: Source.EXE,
    Field.OOM: Source.OOM,
    Field.OOMADJ: Source.OOM,
    Field.LUID: Source.LOGINUID,
    Field.AG_ID: Source.AUTOGROUP,
    Field.AG_NICE: Source.AUTOGROUP,
    **dict.fromkeys(_NAMESPACE_FIELDS, Source.NS),
    **dict.fromkeys(
        (
            Field.RCHARS,
            Field.WCHARS,
            Field.ROPS,
            Field.WOPS,
            Field.RBYTES,
            Field.WBYTES,
            Field.WCBYTES,
        ),
        Source.IO,
    ),
}

_CLOCK = frozenset({Field.ETIME, Field.ETIMES, Field.C, Field.CP, Field.CUU, Field.CUC})
"""Fields whose text changes with time alone (lifetime averages, ages)."""


@lru_cache(maxsize=1)
def pid_width() -> int:
    """Return the width ps gives pid columns: the digits of ``pid_max``, at least 5.

    Returns:
        The width in characters.
    """
    try:
        with open("/proc/sys/kernel/pid_max", encoding="ascii") as f:
            return max(5, len(f.read().strip()))
    except (OSError, ValueError):
        return 5


_L = Align.LEFT
_R = Align.RIGHT
_UNLIMITED = frozenset(
    {
        Field.COMM,
        Field.ARGS,
        Field.FNAME,
        Field.WCHAN,
        Field.CGROUP,
        Field.CGNAME,
        Field.EXE,
        Field.SUPGID,
        Field.SUPGRP,
    }
)
_NAMES = frozenset(
    {
        Field.USER,
        Field.RUSER,
        Field.SUSER,
        Field.FUSER,
        Field.EGROUP,
        Field.RGROUP,
        Field.SGROUP,
        Field.FGROUP,
    }
)

# (ps name, field, header, width or 0 for the pid width, alignment), as in
# procps 4.0.2's src/ps/output.c.
_SPECS: tuple[tuple[str, Field, str, int, Align], ...] = (
    ("pid", Field.PID, "PID", 0, _R),
    ("tgid", Field.PID, "TGID", 0, _R),
    ("ppid", Field.PPID, "PPID", 0, _R),
    ("pgid", Field.PGID, "PGID", 0, _R),
    ("pgrp", Field.PGID, "PGRP", 0, _R),
    ("sid", Field.SID, "SID", 0, _R),
    ("sess", Field.SID, "SESS", 0, _R),
    ("session", Field.SID, "SESS", 0, _R),
    ("tpgid", Field.TPGID, "TPGID", 0, _R),
    ("lwp", Field.LWP, "LWP", 0, _R),
    ("spid", Field.LWP, "SPID", 0, _R),
    ("tid", Field.LWP, "TID", 0, _R),
    ("tty", Field.TTY, "TT", 8, _L),
    ("tt", Field.TTY, "TT", 8, _L),
    ("tname", Field.TTY, "TTY", 8, _L),
    ("tty8", Field.TTY, "TTY", 8, _L),
    ("longtname", Field.TTY, "TTY", 8, _L),
    ("stat", Field.STAT, "STAT", 4, _L),
    ("state", Field.STATE, "S", 1, _L),
    ("s", Field.STATE, "S", 1, _L),
    ("f", Field.FLAGS, "F", 1, _R),
    ("flag", Field.FLAGS, "F", 1, _R),
    ("flags", Field.FLAGS, "F", 1, _R),
    ("user", Field.USER, "USER", 8, _L),
    ("euser", Field.USER, "EUSER", 8, _L),
    ("uname", Field.USER, "USER", 8, _L),
    ("uid_hack", Field.USER, "UID", 8, _L),
    ("uid", Field.UID, "UID", 5, _R),
    ("euid", Field.UID, "EUID", 5, _R),
    ("ruser", Field.RUSER, "RUSER", 8, _L),
    ("suser", Field.SUSER, "SUSER", 8, _L),
    ("svuser", Field.SUSER, "SVUSER", 8, _L),
    ("fuser", Field.FUSER, "FUSER", 8, _L),
    ("fsuser", Field.FUSER, "FSUSER", 8, _L),
    ("ruid", Field.RUID, "RUID", 5, _R),
    ("suid", Field.SUID, "SUID", 5, _R),
    ("svuid", Field.SUID, "SVUID", 5, _R),
    ("fuid", Field.FUID, "FUID", 5, _R),
    ("fsuid", Field.FUID, "FSUID", 5, _R),
    ("group", Field.EGROUP, "GROUP", 8, _L),
    ("egroup", Field.EGROUP, "EGROUP", 8, _L),
    ("rgroup", Field.RGROUP, "RGROUP", 8, _L),
    ("sgroup", Field.SGROUP, "SGROUP", 8, _L),
    ("svgroup", Field.SGROUP, "SVGROUP", 8, _L),
    ("fgroup", Field.FGROUP, "FGROUP", 8, _L),
    ("fsgroup", Field.FGROUP, "FSGROUP", 8, _L),
    ("egid", Field.EGID, "EGID", 5, _R),
    ("gid", Field.EGID, "GID", 5, _R),
    ("rgid", Field.RGID, "RGID", 5, _R),
    ("sgid", Field.SGID, "SGID", 5, _R),
    ("svgid", Field.SGID, "SVGID", 5, _R),
    ("fgid", Field.FGID, "FGID", 5, _R),
    ("fsgid", Field.FGID, "FSGID", 5, _R),
    ("supgid", Field.SUPGID, "SUPGID", 20, _L),
    ("supgrp", Field.SUPGRP, "SUPGRP", 40, _L),
    ("luid", Field.LUID, "LUID", 5, _R),
    ("time", Field.TIME, "TIME", 8, _R),
    ("cputime", Field.TIME, "TIME", 8, _R),
    ("atime", Field.TIME, "TIME", 8, _R),
    ("cputimes", Field.TIMES, "TIME", 8, _R),
    ("times", Field.TIMES, "TIME", 8, _R),
    ("bsdtime", Field.BSDTIME, "TIME", 6, _R),
    ("etime", Field.ETIME, "ELAPSED", 11, _R),
    ("etimes", Field.ETIMES, "ELAPSED", 7, _R),
    ("start", Field.START, "STARTED", 8, _R),
    ("stime", Field.STIME, "STIME", 5, _R),
    ("start_time", Field.STIME, "START", 5, _R),
    ("lstart", Field.LSTART, "STARTED", 24, _R),
    ("bsdstart", Field.BSDSTART, "START", 6, _R),
    ("comm", Field.COMM, "COMMAND", 15, _L),
    ("ucomm", Field.COMM, "COMMAND", 15, _L),
    ("ucmd", Field.COMM, "CMD", 15, _L),
    ("fname", Field.FNAME, "COMMAND", 8, _L),
    ("args", Field.ARGS, "COMMAND", 27, _L),
    ("cmd", Field.ARGS, "CMD", 27, _L),
    ("command", Field.ARGS, "COMMAND", 27, _L),
    ("%cpu", Field.PCPU, "%CPU", 4, _R),
    ("pcpu", Field.PCPU, "%CPU", 4, _R),
    ("c", Field.C, "C", 2, _R),
    ("util", Field.C, "C", 2, _R),
    ("cp", Field.CP, "CP", 3, _R),
    ("cuu", Field.CUU, "%CUU", 6, _R),
    ("cuc", Field.CUC, "%CUC", 7, _R),
    ("%mem", Field.PMEM, "%MEM", 4, _R),
    ("pmem", Field.PMEM, "%MEM", 4, _R),
    ("rss", Field.RSS, "RSS", 5, _R),
    ("rssize", Field.RSS, "RSS", 5, _R),
    ("rsz", Field.RSS, "RSZ", 5, _R),
    ("sgi_rss", Field.RSS, "RSS", 4, _L),
    ("vsz", Field.VSZ, "VSZ", 6, _R),
    ("vsize", Field.VSZ, "VSZ", 6, _R),
    ("sz", Field.SZ, "SZ", 5, _R),
    ("size", Field.SIZE, "SIZE", 5, _R),
    ("m_size", Field.M_SIZE, "SIZE", 5, _R),
    ("drs", Field.DRS, "DRS", 5, _R),
    ("m_drs", Field.DRS, "DRS", 5, _R),
    ("dsiz", Field.DRS, "DSIZ", 4, _R),
    ("trs", Field.TRS, "TRS", 4, _R),
    ("m_trs", Field.TRS, "TRS", 5, _R),
    ("trss", Field.TRS, "TRSS", 4, _R),
    ("tsiz", Field.TRS, "TSIZ", 4, _R),
    ("maj_flt", Field.MAJ_FLT, "MAJFL", 6, _R),
    ("majflt", Field.MAJ_FLT, "MAJFLT", 6, _R),
    ("pagein", Field.MAJ_FLT, "PAGEIN", 6, _R),
    ("min_flt", Field.MIN_FLT, "MINFL", 6, _R),
    ("minflt", Field.MIN_FLT, "MINFLT", 6, _R),
    ("lim", Field.LIM, "LIM", 5, _R),
    ("ni", Field.NICE, "NI", 3, _R),
    ("nice", Field.NICE, "NI", 3, _R),
    ("pri", Field.PRI, "PRI", 3, _R),
    ("opri", Field.OPRI, "PRI", 3, _R),
    ("intpri", Field.OPRI, "PRI", 3, _R),
    ("priority", Field.PRIORITY, "PRI", 3, _R),
    ("pri_foo", Field.PRI_FOO, "FOO", 3, _R),
    ("pri_bar", Field.PRI_BAR, "BAR", 3, _R),
    ("pri_baz", Field.PRI_BAZ, "BAZ", 3, _R),
    ("pri_api", Field.PRI_API, "API", 3, _R),
    ("rtprio", Field.RTPRIO, "RTPRIO", 6, _R),
    ("class", Field.CLASS, "CLS", 3, _L),
    ("cls", Field.CLASS, "CLS", 3, _R),
    ("policy", Field.CLASS, "POL", 3, _L),
    ("sched", Field.SCHED, "SCH", 3, _R),
    ("psr", Field.PSR, "PSR", 3, _R),
    ("cpuid", Field.PSR, "CPUID", 5, _R),
    ("lastcpu", Field.PSR, "C", 3, _R),
    ("sgi_p", Field.SGI_P, "P", 1, _R),
    ("numa", Field.NUMA, "NUMA", 4, _R),
    ("nlwp", Field.NLWP, "NLWP", 4, _R),
    ("thcount", Field.NLWP, "THCNT", 5, _R),
    ("stackp", Field.STACKP, "STACKP", 16, _R),
    ("start_stack", Field.STACKP, "STACKP", 16, _R),
    ("esp", Field.ESP, "ESP", 16, _R),
    ("eip", Field.EIP, "EIP", 16, _R),
    ("wchan", Field.WCHAN, "WCHAN", 6, _L),
    ("wname", Field.WCHAN, "WCHAN", 6, _L),
    ("pending", Field.PENDING, "PENDING", 9, _R),
    ("sig", Field.PENDING, "PENDING", 9, _R),
    ("sig_pend", Field.PENDING, "SIGNAL", 9, _R),
    ("tsig", Field.TSIG, "PENDING", 9, _R),
    ("blocked", Field.BLOCKED, "BLOCKED", 9, _R),
    ("sigmask", Field.BLOCKED, "BLOCKED", 9, _R),
    ("sig_block", Field.BLOCKED, "BLOCKED", 9, _R),
    ("ignored", Field.IGNORED, "IGNORED", 9, _R),
    ("sigignore", Field.IGNORED, "IGNORED", 9, _R),
    ("sig_ignore", Field.IGNORED, "IGNORED", 9, _R),
    ("caught", Field.CAUGHT, "CAUGHT", 9, _R),
    ("sigcatch", Field.CAUGHT, "CAUGHT", 9, _R),
    ("sig_catch", Field.CAUGHT, "CATCHED", 9, _R),
    ("cgroup", Field.CGROUP, "CGROUP", 27, _L),
    ("cgname", Field.CGNAME, "CGNAME", 27, _L),
    ("exe", Field.EXE, "EXE", 27, _L),
    ("oom", Field.OOM, "OOM", 4, _R),
    ("oomadj", Field.OOMADJ, "OOMADJ", 5, _R),
    ("ag_id", Field.AG_ID, "AGID", 5, _R),
    ("ag_nice", Field.AG_NICE, "AGNI", 4, _R),
    ("cgroupns", Field.CGROUPNS, "CGROUPNS", 10, _R),
    ("ipcns", Field.IPCNS, "IPCNS", 10, _R),
    ("mntns", Field.MNTNS, "MNTNS", 10, _R),
    ("netns", Field.NETNS, "NETNS", 10, _R),
    ("pidns", Field.PIDNS, "PIDNS", 10, _R),
    ("timens", Field.TIMENS, "TIMENS", 10, _R),
    ("userns", Field.USERNS, "USERNS", 10, _R),
    ("utsns", Field.UTSNS, "UTSNS", 10, _R),
    ("rchars", Field.RCHARS, "RCHARS", 5, _R),
    ("wchars", Field.WCHARS, "WCHARS", 5, _R),
    ("rops", Field.ROPS, "ROPS", 5, _R),
    ("wops", Field.WOPS, "WOPS", 5, _R),
    ("rbytes", Field.RBYTES, "RBYTES", 5, _R),
    ("wbytes", Field.WBYTES, "WBYTES", 5, _R),
    ("wcbytes", Field.WCBYTES, "WCBYTES", 5, _R),
)


def _registry() -> dict[str, Column]:
    pw = pid_width()
    return {
        name: Column(
            name,
            field,
            header,
            width or pw,
            align,
            unlimited=field in _UNLIMITED,
            user_name=field in _NAMES,
        )
        for name, field, header, width, align in _SPECS
    }


COLUMNS: dict[str, Column] = _registry()
"""Every supported ``-o`` name, including ps's aliases."""

DEFAULT_COLUMNS = "pid,pgid,tty,stat,%cpu,rss,time,args"
"""What the TUI shows when no ``-o`` is given."""

PS_DEFAULT_COLUMNS = "pid,pgid,tty,stat,time,args"
"""What ``sigtui ps`` prints when no ``-o`` is given (unchanged, ps-compatible)."""


class ColumnError(ValueError):
    """A column list could not be understood; the message names the bad part."""


def parse_columns(specs: str | Iterable[str]) -> tuple[Column, ...]:
    """Parse ps-style ``-o`` lists into columns.

    Each list is separated by commas or spaces. As in ps, ``name=HEADER``
    renames a column (the header ends at the next comma or space),
    ``name=`` leaves its header empty, and ``name:WIDTH`` sets its width.

    Args:
        specs: One ``-o`` argument, or several (as given with repeated ``-o``).

    Returns:
        The columns in order.

    Raises:
        ColumnError: For an empty list, an unknown name or a bad width.
    """
    if isinstance(specs, str):
        specs = [specs]
    columns: list[Column] = []
    for spec in specs:
        rest = spec
        while rest:
            rest = rest.lstrip(", \t")
            if not rest:
                break
            head, tail = _split_first(rest)
            name, eq, header = head.partition("=")
            name, colon, width_text = name.partition(":")
            key = name.strip().lower()
            if not key:
                # "=X", or a newline between commas: there is no name to show.
                raise ColumnError(f"no column name in {head!r}")
            column = COLUMNS.get(key)
            if column is None:
                raise ColumnError(f"unknown column {name.strip()!r}")
            if colon:
                # ps's name:WIDTH: the values are cut (or padded) to it.
                if not (width_text.isascii() and width_text.isdigit()):
                    raise ColumnError(f"bad width {width_text!r} in {head!r}")
                width = int(width_text)
                if not 0 < width <= MAX_WIDTH:
                    raise ColumnError(
                        f"bad width {width_text!r} in {head!r}: 1 to {MAX_WIDTH}"
                    )
                column = replace(column, width=width)
            if eq:
                column = replace(
                    column,
                    header=header,
                    # A header wider than a width asked for overflows, as in ps.
                    width=max(column.width, len(header))
                    if header and not colon
                    else column.width,
                )
            columns.append(column)
            rest = tail
    if not columns:
        raise ColumnError("empty column list")
    return tuple(columns)


MAX_WIDTH = 1024
"""The widest column ``name:WIDTH`` may ask for."""


def _split_first(text: str) -> tuple[str, str]:
    """Split at the first comma or whitespace: (head, tail)."""
    for index, char in enumerate(text):
        if char in ", \t":
            return text[:index], text[index + 1 :]
    return text, ""


def column_names() -> Sequence[str]:
    """Return every accepted column name, sorted.

    Returns:
        The names.
    """
    return sorted(COLUMNS)
