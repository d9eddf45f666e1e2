"""The rows of one snapshot, made and put in order: cells, sort, tree, widths.

Plain functions of immutable data, so :meth:`ProcessView.prepare
<sigtui.processes.view.ProcessView.prepare>` can run them in a worker thread.
A process's row is made once and reused for as long as its
:class:`~sigtui.processes.model.ProcessInfo` is unchanged.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from sigtui.processes.columns import Column, Field
from sigtui.processes.format import UNKNOWN, command_text, display_escape
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot
from sigtui.processes.tree import forest_lines


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table.

    Attributes:
        info: The process, as last seen.
        cells: Escaped text per column; the command includes the tree prefix.
        gone: Whether the process has exited since the previous refresh.
        depth: Depth in the tree (0 in the flat view).
    """

    info: ProcessInfo
    cells: tuple[str, ...]
    gone: bool = False
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Order:
    """How rows are ordered: the part of the view a prepared layout depends on.

    Attributes:
        sort_index: The column sorted by.
        reverse: Descending.
        tree: Children under their parents.
        kernel_threads: Kernel threads are listed (htop's ``K``).
        user: Only this user's processes are listed (None: everyone's).
    """

    sort_index: int
    reverse: bool
    tree: bool
    kernel_threads: bool = False
    user: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Cached(Row):
    """A process's row and filter text, valid while ``info`` is unchanged.

    It is itself the process's row in a flat view (one object per process,
    not two). Reusing the row object, not just its cells, means an idle
    process costs no allocation per refresh, which keeps the garbage
    collector's pauses (taken on whichever thread allocates) short.
    """

    haystack: str = ""
    # Sort keys by column position, filled as sorts ask for them (not for
    # elapsed time, which moves with the clock); None until the first, as
    # most sorts (pid, user, command) need none.
    keys: dict[int, object] | None = None

    def sort_keys(self) -> dict[int, object]:
        """The sort keys by column position, made when first asked for."""
        keys = self.keys
        if keys is None:
            keys = {}
            object.__setattr__(self, "keys", keys)
        return keys

    @property
    def row(self) -> Row:
        """The row of a flat view: the entry itself."""
        return self


class RowIndex:
    """Row number by process identity, for the rows of one layout or filter.

    Two arrays (the rows' pids in order, and where each row is) rather than
    a dict: at 10,000 processes a dict of identities to row numbers held
    0.55 MiB, its numbers above 256 each an object, and this holds 80 KiB.
    A lookup is a bisection, and a few identity checks where a pid was
    reused (a gone process and a new one may share it).

    Args:
        rows: The rows, in the order shown.
    """

    __slots__ = ("_at", "_pids", "_rows")

    def __init__(self, rows: Sequence[Row]) -> None:
        pids = [row.info.pid for row in rows]
        order = sorted(range(len(pids)), key=pids.__getitem__)
        self._rows = rows
        self._pids = array("i", map(pids.__getitem__, order))
        self._at = array("i", order)

    def get(self, identity: ProcessIdentity) -> int | None:
        """The row number of a process.

        Args:
            identity: The process.

        Returns:
            Its row's number, or None when no row shows it.
        """
        pid = identity.pid
        pids = self._pids
        i = bisect_left(pids, pid)
        while i < len(pids) and pids[i] == pid:
            at = self._at[i]
            if self._rows[at].info.identity == identity:
                return at
            i += 1
        return None

    def __contains__(self, identity: object) -> bool:
        return isinstance(identity, ProcessIdentity) and self.get(identity) is not None

    def __len__(self) -> int:
        return len(self._pids)


@dataclass(frozen=True)
class Layout:
    """Every row of one snapshot in one order, unfiltered; never mutated.

    Attributes:
        snapshot: The scan shown.
        previous: The scan before it, as far as gone rows are valued against
            it: its time and clock, and only the gone processes (the rest of
            it would be a second snapshot kept alive with each layout).
        gone: Processes in ``previous`` but not in ``snapshot``.
        order: The order the rows are in.
        rows: Every row, running and gone, in that order.
        index: Row number by process identity.
        widths: The longest cell per column over all rows.
        gone_count: How many of the rows are gone.
        columns: The columns the cells were made for.
        kernel_hidden: Running kernel threads left out (see Order).
    """

    snapshot: ProcessSnapshot
    previous: ProcessSnapshot
    gone: tuple[ProcessInfo, ...]
    order: Order
    rows: tuple[Row, ...]
    index: RowIndex
    widths: tuple[int, ...]
    gone_count: int
    cache: dict[ProcessIdentity, Cached] = field(repr=False)
    columns: tuple[Column, ...] = field(default=(), repr=False)
    kernel_hidden: int = 0


def cache_entry(
    info: ProcessInfo, snapshot: ProcessSnapshot, columns: tuple[Column, ...]
) -> Cached:
    """Make a process's row and filter text.

    Args:
        info: The process.
        snapshot: The scan it is valued against.
        columns: The columns of the row.

    Returns:
        The cache entry.
    """
    cells: list[str] = []
    made = _CELLS
    for column in columns:
        raw = column.text_of(info, snapshot)
        cell = made.get(raw)
        if cell is None:
            if len(made) >= _CELLS_KEPT:
                made.clear()
            cell = made[raw] = display_escape(raw)
        cells.append(cell)
    return Cached(info, tuple(cells), haystack=haystack(info))


_CELLS: dict[str, str] = {}
"""Escaped cells by their text, made lately: equal cells are one string (most
processes share their terminal, state, %CPU, time and often their command; at
10,000 processes their own copies were 2 MiB), escaped once."""

_CELLS_KEPT = 8192
"""More texts than this, and :data:`_CELLS` starts over (pids never repeat)."""


def arrange(
    snapshot: ProcessSnapshot,
    previous: ProcessSnapshot,
    gone: tuple[ProcessInfo, ...],
    cache: dict[ProcessIdentity, Cached],
    order: Order,
    columns: tuple[Column, ...],
) -> Layout:
    """Sort (and nest) every process; O(N log N), off the UI thread if possible.

    Args:
        snapshot: The scan shown.
        previous: The scan before it.
        gone: Processes in ``previous`` but not in ``snapshot`` (and a
            selected one kept past that).
        cache: Rows and filter texts by process, filled in here as needed.
        order: The order wanted.
        columns: The columns shown.

    Returns:
        The layout.
    """
    processes = [*snapshot.processes, *gone]
    gone_count = len(gone)
    kernel_hidden = 0
    if not order.kernel_threads or order.user is not None:
        # Left out here, in the worker, rather than by the filter on the
        # UI thread: hiding kernel threads is the default, so this runs
        # on every refresh.
        def kept(p: ProcessInfo) -> bool:
            return (order.kernel_threads or not p.kernel_thread) and (
                order.user is None or user_of(p) == order.user
            )

        processes = [p for p in processes if kept(p)]
        gone_count = sum(1 for p in gone if kept(p))
        if not order.kernel_threads:
            kernel_hidden = sum(1 for p in snapshot.processes if p.kernel_thread)
    gone_ids = {p.identity for p in gone}
    rows = rows_of(processes, snapshot, previous, gone_ids, cache, order, columns)
    return Layout(
        snapshot=snapshot,
        # Cells and sort values read only a snapshot's time and clock.
        previous=ProcessSnapshot.of(gone, previous.uptime, previous.clock_ticks),
        gone=gone,
        order=order,
        rows=rows,
        index=RowIndex(rows),
        widths=longest(rows, columns),
        gone_count=gone_count,
        cache=cache,
        columns=columns,
        kernel_hidden=kernel_hidden,
    )


def rows_of(
    processes: list[ProcessInfo],
    snapshot: ProcessSnapshot,
    previous: ProcessSnapshot,
    gone_ids: set[ProcessIdentity],
    cache: dict[ProcessIdentity, Cached],
    order: Order,
    columns: tuple[Column, ...],
) -> tuple[Row, ...]:
    """Sort processes by the order's column, and nest them if it is a tree.

    Args:
        processes: The processes to show (sorted in place).
        snapshot: The scan shown.
        previous: The scan before it (gone processes are valued against it).
        gone_ids: The processes that are gone.
        cache: Rows and filter texts by process, filled in here as needed.
        order: The order wanted.
        columns: The columns shown.

    Returns:
        The rows, in order.
    """
    # A worker may see the order of new columns with the old ones (or the
    # reverse): install() re-sorts such a layout, so any index will do.
    index = order.sort_index if order.sort_index < len(columns) else 0
    column = columns[index]
    clock = column.clock

    def sort_key(p: ProcessInfo) -> object:
        source = previous if p.identity in gone_ids else snapshot
        if clock:
            return column.sort_value(p, source)
        keys = _entry(p, cache, source, columns).sort_keys()
        key = keys.get(index)
        if key is None:
            key = keys[index] = column.sort_value(p, source)
        return key

    attribute = _PLAIN_ATTRIBUTES.get(column.field)
    if attribute is not None:
        # Never None, so the same order as sort_value, at C speed.
        processes.sort(key=operator.attrgetter(attribute), reverse=order.reverse)
    else:
        processes.sort(key=sort_key, reverse=order.reverse)  # type: ignore[arg-type]
    if not order.tree:
        return tuple(
            Row(p, _entry(p, cache, snapshot, columns).cells, True)
            if p.identity in gone_ids
            else _entry(p, cache, snapshot, columns).row
            for p in processes
        )
    return tuple(
        Row(
            info,
            _with_prefix(
                _entry(info, cache, snapshot, columns).cells,
                prefix,
                columns,
            ),
            info.identity in gone_ids,
            depth,
        )
        for info, depth, prefix in forest_lines(processes)
    )


def _entry(
    info: ProcessInfo,
    cache: dict[ProcessIdentity, Cached],
    snapshot: ProcessSnapshot,
    columns: tuple[Column, ...],
) -> Cached:
    cached = cache.get(info.identity)
    if cached is None:
        cached = cache[info.identity] = cache_entry(info, snapshot, columns)
    return cached


def longest(rows: Sequence[Row], columns: tuple[Column, ...]) -> tuple[int, ...]:
    """The longest cell per column.

    Args:
        rows: The rows.
        columns: Their columns.

    Returns:
        One length per column (0s when there are no rows).
    """
    if not rows:
        return (0,) * len(columns)
    cells_by_column = zip(*(r.cells for r in rows), strict=True)
    return tuple(max(map(len, texts)) for texts in cells_by_column)


_PLAIN_ATTRIBUTES = {
    Field.PID: "pid",
    Field.PPID: "ppid",
    Field.PGID: "pgid",
    Field.SID: "sid",
    Field.TPGID: "tpgid",
    Field.TIME: "cpu_time",
}
"""Columns whose sort value is a ProcessInfo attribute that is never None."""


def _with_prefix(
    cells: tuple[str, ...], prefix: str, columns: tuple[Column, ...]
) -> tuple[str, ...]:
    """Put the tree's branch lines before the command."""
    if not prefix:
        return cells
    return tuple(
        prefix + text if column.field is Field.ARGS else text
        for column, text in zip(columns, cells, strict=True)
    )


def user_of(info: ProcessInfo) -> str:
    """The owner as the USER column and the user filter name it."""
    return UNKNOWN if info.user is None else info.user


def haystack(info: ProcessInfo) -> str:
    """Everything the filter searches, lower-cased, NUL between the fields."""
    user = "" if info.user is None else info.user
    return f"{info.pid}\0{user}\0{command_text(info)}\0{info.comm}".lower()
