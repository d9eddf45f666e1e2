"""What each field's cell says, and how it sorts: ps's formulas, per field.

The tables here (:data:`TEXT`, :data:`SORT`, :data:`MASKS`) map a
:class:`~sigtui.processes.fields.Field` to a function of the process and its
snapshot; :class:`~sigtui.processes.columns.Column` looks its field up in them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sigtui.processes.fields import NAMESPACE_FIELDS, Field
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
    format_pcpu,
    format_pmem,
    format_start,
    format_stat,
    format_stime,
    group_name,
    memory_total,
    user_name,
)
from sigtui.processes.model import (
    ProcessInfo,
    ProcessSnapshot,
    ProcFiles,
    StatMore,
    StatusMore,
)


def _num(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


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


MASKS: dict[Field, Callable[[StatusMore], int]] = {
    Field.PENDING: lambda m: m.pending,
    Field.TSIG: lambda m: m.thread_pending,
    Field.BLOCKED: lambda m: m.blocked,
    Field.IGNORED: lambda m: m.ignored,
    Field.CAUGHT: lambda m: m.caught,
}
"""Each signal mask field: its mask in ``/proc/PID/status``."""


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
"""Fields whose text is their number, or ``?`` when unknown."""


TEXT: dict[Field, Callable[[ProcessInfo, ProcessSnapshot], str]] = {
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
    **{field: _ns(i) for i, field in enumerate(NAMESPACE_FIELDS)},
}
"""Each field (but the masks): its cell, as ps prints it."""


SORT: dict[Field, Getter] = {
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
    **{field: _ns_sort(i) for i, field in enumerate(NAMESPACE_FIELDS)},
}
"""Each field whose order is not its text's: its sort value."""
