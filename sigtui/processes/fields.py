"""What a column can show: the fields, and which files each one needs read.

Several ps names can show one field (``-o pid`` and ``-o tgid``); the names
are in :mod:`sigtui.processes.columns`, the values in
:mod:`sigtui.processes.cells`.
"""

from __future__ import annotations

from enum import Enum

from sigtui.processes.model import Source


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


NAMESPACE_FIELDS = (
    Field.CGROUPNS,
    Field.IPCNS,
    Field.MNTNS,
    Field.NETNS,
    Field.PIDNS,
    Field.TIMENS,
    Field.USERNS,
    Field.UTSNS,
)
"""The namespaces' fields, in the order of ``model.NAMESPACES``."""

MASK_FIELDS = (Field.PENDING, Field.TSIG, Field.BLOCKED, Field.IGNORED, Field.CAUGHT)
"""The signal mask fields."""

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

SOURCES: dict[Field, Source] = {
    **dict.fromkeys(_STAT_FIELDS, Source.STAT),
    **dict.fromkeys(_STATUS_FIELDS, Source.STATUS),
    **dict.fromkeys(MASK_FIELDS, Source.STATUS | Source.SIGNALS),
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
    **dict.fromkeys(NAMESPACE_FIELDS, Source.NS),
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
"""What each field needs read beyond the base fields (see ``Source``)."""

CLOCK_FIELDS = frozenset(
    {Field.ETIME, Field.ETIMES, Field.C, Field.CP, Field.CUU, Field.CUC}
)
"""Fields whose text changes with time alone (lifetime averages, ages)."""
