"""The column registry: ps's ``-o`` names, their headers, widths and values.

Every name ps accepts for the supported fields is here with the header ps
prints for it (``-o tty`` says ``TT``, ``-o tname`` says ``TTY``), so
``sigtui ps -o LIST`` and ``ps -o LIST`` print the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from sigtui.processes.format import (
    UNKNOWN,
    command_text,
    format_cputime,
    format_etime,
    format_stat,
)
from sigtui.processes.model import ProcessInfo, ProcessSnapshot

SortValue = tuple[int, int | float | str]
"""A sort key: (0 for known values, 1 for unknown ones), then the value."""


class Align(Enum):
    """Which side a column's values are aligned to."""

    LEFT = "left"
    RIGHT = "right"


class Field(Enum):
    """What a column shows; several ps names can show the same field."""

    PID = "pid"
    PPID = "ppid"
    PGID = "pgid"
    SID = "sid"
    TPGID = "tpgid"
    TTY = "tty"
    STAT = "stat"
    STATE = "state"
    USER = "user"
    UID = "uid"
    TIME = "time"
    ETIME = "etime"
    COMM = "comm"
    ARGS = "args"


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
            otherwise (``args``, ``comm``).
        user_name: Cut to ``width`` with a trailing ``+`` unless last (``user``).
    """

    name: str
    field: Field
    header: str
    width: int
    align: Align
    unlimited: bool = False
    user_name: bool = False

    def text(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> str:
        """Return the raw (unescaped, unpadded) value for a process.

        Args:
            info: The process.
            snapshot: The scan it came from (for elapsed time).

        Returns:
            The value as ps would print it, before escaping.
        """
        return _TEXT[self.field](info, snapshot)

    def sort_value(self, info: ProcessInfo, snapshot: ProcessSnapshot) -> SortValue:
        """Return a key that orders processes by this column naturally.

        Args:
            info: The process.
            snapshot: The scan it came from.

        Returns:
            A comparable key; unknown values sort last.
        """
        value = _SORT[self.field](info, snapshot)
        return (1, 0) if value is None else (0, value)


def _num(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


_TEXT: dict[Field, Callable[[ProcessInfo, ProcessSnapshot], str]] = {
    Field.PID: lambda p, s: str(p.pid),
    Field.PPID: lambda p, s: str(p.ppid),
    Field.PGID: lambda p, s: str(p.pgid),
    Field.SID: lambda p, s: str(p.sid),
    Field.TPGID: lambda p, s: str(p.tpgid),
    Field.TTY: lambda p, s: p.tty or "?",
    Field.STAT: lambda p, s: format_stat(p),
    Field.STATE: lambda p, s: p.state,
    Field.USER: lambda p, s: UNKNOWN if p.user is None else p.user,
    Field.UID: lambda p, s: _num(p.uid),
    Field.TIME: lambda p, s: format_cputime(p.cpu_time),
    Field.ETIME: lambda p, s: format_etime(s.uptime - p.start_time),
    Field.COMM: lambda p, s: p.comm,
    Field.ARGS: lambda p, s: command_text(p),
}

_SORT: dict[
    Field, Callable[[ProcessInfo, ProcessSnapshot], int | float | str | None]
] = {
    Field.PID: lambda p, s: p.pid,
    Field.PPID: lambda p, s: p.ppid,
    Field.PGID: lambda p, s: p.pgid,
    Field.SID: lambda p, s: p.sid,
    Field.TPGID: lambda p, s: p.tpgid,
    Field.TTY: lambda p, s: p.tty,
    Field.STAT: lambda p, s: format_stat(p),
    Field.STATE: lambda p, s: p.state,
    Field.USER: lambda p, s: p.user,
    Field.UID: lambda p, s: p.uid,
    Field.TIME: lambda p, s: p.cpu_time,
    # Oldest first is the natural reading of "sort by elapsed", so sort by age.
    Field.ETIME: lambda p, s: s.uptime - p.start_time,
    Field.COMM: lambda p, s: p.comm.lower(),
    Field.ARGS: lambda p, s: command_text(p).lower(),
}


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


def _registry() -> dict[str, Column]:
    pw = pid_width()
    left, right = Align.LEFT, Align.RIGHT
    specs: list[tuple[str, Field, str, int, Align]] = [
        ("pid", Field.PID, "PID", pw, right),
        ("tgid", Field.PID, "TGID", pw, right),
        ("ppid", Field.PPID, "PPID", pw, right),
        ("pgid", Field.PGID, "PGID", pw, right),
        ("pgrp", Field.PGID, "PGRP", pw, right),
        ("sid", Field.SID, "SID", pw, right),
        ("sess", Field.SID, "SESS", pw, right),
        ("session", Field.SID, "SESS", pw, right),
        ("tpgid", Field.TPGID, "TPGID", pw, right),
        ("tty", Field.TTY, "TT", 8, left),
        ("tt", Field.TTY, "TT", 8, left),
        ("tname", Field.TTY, "TTY", 8, left),
        ("stat", Field.STAT, "STAT", 4, left),
        ("state", Field.STATE, "S", 1, left),
        ("s", Field.STATE, "S", 1, left),
        ("user", Field.USER, "USER", 8, left),
        ("euser", Field.USER, "EUSER", 8, left),
        ("uname", Field.USER, "USER", 8, left),
        ("uid", Field.UID, "UID", 5, right),
        ("euid", Field.UID, "EUID", 5, right),
        ("time", Field.TIME, "TIME", 8, right),
        ("cputime", Field.TIME, "TIME", 8, right),
        ("etime", Field.ETIME, "ELAPSED", 11, right),
        ("comm", Field.COMM, "COMMAND", 15, left),
        ("ucomm", Field.COMM, "COMMAND", 15, left),
        ("ucmd", Field.COMM, "CMD", 15, left),
        ("args", Field.ARGS, "COMMAND", 27, left),
        ("cmd", Field.ARGS, "CMD", 27, left),
        ("command", Field.ARGS, "COMMAND", 27, left),
    ]
    return {
        name: Column(
            name,
            field,
            header,
            width,
            align,
            unlimited=field in (Field.COMM, Field.ARGS),
            user_name=field is Field.USER,
        )
        for name, field, header, width, align in specs
    }


COLUMNS: dict[str, Column] = _registry()
"""Every supported ``-o`` name, including ps's aliases."""

DEFAULT_COLUMNS = "pid,pgid,tty,stat,time,args"
"""What sigtui shows when no ``-o`` is given."""


class ColumnError(ValueError):
    """A column list could not be understood; the message names the bad part."""


def parse_columns(specs: str | Iterable[str]) -> tuple[Column, ...]:
    """Parse ps-style ``-o`` lists into columns.

    Each list is separated by commas or spaces. As in ps, ``name=HEADER``
    renames a column (the header ends at the next comma or space) and
    ``name=`` leaves its header empty.

    Args:
        specs: One ``-o`` argument, or several (as given with repeated ``-o``).

    Returns:
        The columns in order.

    Raises:
        ColumnError: For an empty list or an unknown name.
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
            key = name.strip().lower()
            if not key:
                # "=X", or a newline between commas: there is no name to show.
                raise ColumnError(f"no column name in {head!r}")
            column = COLUMNS.get(key)
            if column is None:
                raise ColumnError(f"unknown column {name.strip()!r}")
            if eq:
                column = Column(
                    column.name,
                    column.field,
                    header,
                    max(column.width, len(header)) if header else column.width,
                    column.align,
                    column.unlimited,
                    column.user_name,
                )
            columns.append(column)
            rest = tail
    if not columns:
        raise ColumnError("empty column list")
    return tuple(columns)


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
