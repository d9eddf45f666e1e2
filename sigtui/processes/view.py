"""What the table shows: the snapshot filtered, sorted, optionally as a tree.

:class:`ProcessView` is plain Python so that sorting, filtering, the tree and
the "gone for one refresh" rule can be tested without a terminal. The table
widget only draws the rows it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sigtui.processes.columns import Column, Field
from sigtui.processes.diff import SnapshotDiff, diff_snapshots
from sigtui.processes.format import command_text, display_escape
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot
from sigtui.processes.tree import TreeLine, forest_lines


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


class ProcessView:
    """The processes of the latest snapshot as the table should list them.

    Args:
        columns: The columns to show.
        sort_index: The column to sort by (default: the pid column if any).
        reverse: Sort descending.
        tree: Show children under their parents.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        sort_index: int | None = None,
        reverse: bool = False,
        tree: bool = False,
    ) -> None:
        if not columns:
            raise ValueError("a view needs at least one column")
        self.columns = tuple(columns)
        if sort_index is None:
            sort_index = next(
                (i for i, c in enumerate(self.columns) if c.field is Field.PID), 0
            )
        self.sort_index = sort_index
        self.reverse = reverse
        self.tree = tree
        self.filter_text = ""
        self.tagged: set[ProcessIdentity] = set()
        self.snapshot = ProcessSnapshot((), 0.0)
        self._previous = self.snapshot
        self._gone: tuple[ProcessInfo, ...] = ()
        self._cells: dict[ProcessIdentity, tuple[str, ...]] = {}
        self._rows: list[Row] | None = None
        self._index: dict[ProcessIdentity, int] = {}
        self._widths: dict[int, list[int]] = {}

    # -- changes ---------------------------------------------------------------

    def update(self, snapshot: ProcessSnapshot) -> SnapshotDiff:
        """Take a new snapshot; processes that vanished stay one refresh as gone.

        Args:
            snapshot: The new scan.

        Returns:
            What changed since the previous snapshot.
        """
        diff = diff_snapshots(self.snapshot, snapshot, self.columns)
        self._previous = self.snapshot
        self.snapshot = snapshot
        self._gone = diff.removed
        # A tag is on a process, not a pid: tags of exited processes go.
        self.tagged &= {p.identity for p in snapshot.processes}
        stale = {p.identity for p in diff.changed} | {c.identity for c in diff.cells}
        for identity in stale:
            self._cells.pop(identity, None)
        alive = {p.identity for p in snapshot.processes}
        gone = {p.identity for p in self._gone}
        for identity in list(self._cells):
            if identity not in alive and identity not in gone:
                del self._cells[identity]
        self._rows = None
        return diff

    def set_sort(self, index: int, reverse: bool | None = None) -> None:
        """Sort by a column.

        Args:
            index: The column's position.
            reverse: Descending order; None keeps the current direction.
        """
        if not 0 <= index < len(self.columns):
            raise IndexError(f"no column {index}")
        self.sort_index = index
        if reverse is not None:
            self.reverse = reverse
        self._rows = None

    def set_tree(self, tree: bool) -> None:
        """Switch between the flat list and the tree.

        Args:
            tree: Whether to show the tree.
        """
        self.tree = tree
        self._rows = None

    def toggle_tag(self, identity: ProcessIdentity) -> bool:
        """Tag or untag a process.

        Args:
            identity: The process.

        Returns:
            Whether it is tagged now.
        """
        if identity in self.tagged:
            self.tagged.discard(identity)
            return False
        self.tagged.add(identity)
        return True

    def tagged_processes(self) -> list[ProcessInfo]:
        """The tagged processes that are still running, by pid.

        Returns:
            The processes.
        """
        return [p for p in self.snapshot.processes if p.identity in self.tagged]

    def set_filter(self, text: str) -> None:
        """Show only processes whose pid, user or command contains the text.

        Args:
            text: The filter; empty shows everything. Case is ignored.
        """
        self.filter_text = text
        self._rows = None

    # -- reading ---------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        """The rows to show, in order (computed once per change)."""
        if self._rows is None:
            self._rows = self._build()
            self._index = {row.info.identity: i for i, row in enumerate(self._rows)}
            self._widths.clear()
        return self._rows

    def index_of(self, identity: ProcessIdentity | None) -> int | None:
        """Return the row number of a process, or None if it is not shown.

        Args:
            identity: The process.

        Returns:
            Its position in :attr:`rows`.
        """
        if identity is None:
            return None
        _ = self.rows
        return self._index.get(identity)

    def index_of_pid(self, pid: int) -> int | None:
        """Return the row number of a running (not gone) process by pid.

        Args:
            pid: The pid.

        Returns:
            Its position in :attr:`rows`, or None if it is not shown.
        """
        for index, row in enumerate(self.rows):
            if row.info.pid == pid and not row.gone:
                return index
        return None

    def matches(self, info: ProcessInfo) -> bool:
        """Whether a process passes the filter.

        Args:
            info: The process.

        Returns:
            True when there is no filter or the pid, user or command contains it.
        """
        needle = self.filter_text.strip().lower()
        if not needle:
            return True
        return (
            needle in str(info.pid)
            or (info.user is not None and needle in info.user.lower())
            or needle in command_text(info).lower()
            or needle in info.comm.lower()
        )

    def column_widths(self, available: int) -> list[int]:
        """Widths for drawing the columns in ``available`` cells.

        Fixed columns get their ps width (or more, if a value is wider); the
        last column gets what is left.

        Args:
            available: Total width, including one space between columns.

        Returns:
            One width per column.
        """
        rows = self.rows
        cached = self._widths.get(available)
        if cached is not None:
            return cached
        widths = []
        last = len(self.columns) - 1
        for index, column in enumerate(self.columns):
            width = max(column.width, len(column.header) + 2)
            if not column.unlimited and not column.user_name and index != last:
                width = max([width, *(len(row.cells[index]) for row in rows)])
            widths.append(width)
        used = sum(widths[:last]) + last
        widths[last] = max(widths[last], available - used)
        self._widths[available] = widths
        return widths

    # -- internals -------------------------------------------------------------

    def _cells_for(
        self, info: ProcessInfo, snapshot: ProcessSnapshot
    ) -> tuple[str, ...]:
        cells = self._cells.get(info.identity)
        if cells is None:
            cells = tuple(
                display_escape(column.text(info, snapshot)) for column in self.columns
            )
            self._cells[info.identity] = cells
        return cells

    def _with_prefix(self, cells: tuple[str, ...], prefix: str) -> tuple[str, ...]:
        if not prefix:
            return cells
        return tuple(
            prefix + text if column.field is Field.ARGS else text
            for column, text in zip(self.columns, cells, strict=True)
        )

    def _build(self) -> list[Row]:
        snapshot = self.snapshot
        column = self.columns[self.sort_index]
        gone_ids = {p.identity for p in self._gone}
        shown = [p for p in (*snapshot.processes, *self._gone) if self.matches(p)]
        # Gone processes are valued against the snapshot they were last seen in.
        previous = self._previous
        shown.sort(
            key=lambda p: column.sort_value(
                p, previous if p.identity in gone_ids else snapshot
            ),
            reverse=self.reverse,
        )
        placed = (
            forest_lines(shown) if self.tree else [TreeLine(p, 0, "") for p in shown]
        )
        rows = []
        for info, depth, prefix in placed:
            gone = info.identity in gone_ids
            source = previous if gone else snapshot
            cells = self._with_prefix(self._cells_for(info, source), prefix)
            rows.append(Row(info, cells, gone, depth))
        return rows
