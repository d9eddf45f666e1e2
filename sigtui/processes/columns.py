"""The column registry: ps's ``-o`` names, their headers and widths.

Every name ps accepts for the supported fields is here with the header ps
prints for it (``-o tty`` says ``TT``, ``-o tname`` says ``TTY``), so
``sigtui ps -o LIST`` and ``ps -o LIST`` print the same table. What a field
is and which files it needs are in :mod:`sigtui.processes.fields`, what its
cell says in :mod:`sigtui.processes.cells`.

About 500 lines because a third of it is one data table, ``_SPECS``: ps's
names, one row each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property, lru_cache

from sigtui.processes.cells import MASKS, SORT, TEXT
from sigtui.processes.fields import CLOCK_FIELDS, SOURCES, Field
from sigtui.processes.format import UNKNOWN, format_mask, mask_names
from sigtui.processes.model import ProcessInfo, ProcessSnapshot, Source

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "MAX_WIDTH",
    "PS_DEFAULT_COLUMNS",
    "Align",
    "Column",
    "ColumnError",
    "Field",
    "MaskStyle",
    "SortValue",
    "column_names",
    "for_screen",
    "parse_columns",
    "pid_width",
    "sources_of",
]


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
        return SOURCES.get(self.field, Source.NONE)

    @property
    def clock(self) -> bool:
        """Whether the value moves with the clock even when the process does not."""
        return self.field in CLOCK_FIELDS

    @property
    def mask(self) -> bool:
        """Whether this column shows a signal mask."""
        return self.field in MASKS

    def text(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> str:
        """Return the raw (unescaped, unpadded) value for a process.

        Args:
            info: The process.
            snapshot: The scan it came from (for elapsed time).

        Returns:
            The value as ps would print it, before escaping.
        """
        return self.text_of(info, snapshot)

    @cached_property
    def text_of(self) -> Callable[[ProcessInfo, ProcessSnapshot], str]:
        """What :meth:`text` calls, chosen once per column.

        Choosing it for every cell cost two lookups keyed by the field, whose
        hash enum computes in Python: a fifth of laying out a first scan.
        """
        mask = MASKS.get(self.field)
        if mask is None:
            return TEXT[self.field]
        style = self.masks

        def mask_text(info: ProcessInfo, snapshot: ProcessSnapshot) -> str:
            status = info.status_more
            if status is None:
                return UNKNOWN
            value = mask(status)
            if style is MaskStyle.NAMES:
                return mask_names(value)
            return format_mask(value, wide=style is MaskStyle.WIDE_HEX)

        return mask_text

    def sort_value(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> SortValue:
        """Return a key that orders processes by this column naturally.

        Numbers sort as numbers (``%CPU``, ``RSS``, ``VSZ`` ...).

        Args:
            info: The process.
            snapshot: The scan it came from.

        Returns:
            A comparable key; unknown values sort last.
        """
        mask = MASKS.get(self.field)
        if mask is not None:
            value: int | float | str | None = (
                None if info.status_more is None else mask(info.status_more)
            )
        else:
            sort = SORT.get(self.field)
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
