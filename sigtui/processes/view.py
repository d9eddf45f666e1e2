"""What the table shows: the snapshot filtered, sorted, optionally as a tree.

:class:`ProcessView` is plain Python so that sorting, filtering, the tree and
the "gone for one refresh" rule can be tested without a terminal. The table
widget only draws the rows it is given.

The selection follows the process, never the row: the table tells the view
which process is selected (:attr:`ProcessView.selected`), and if that process
exits its row is kept, marked gone, for as long as it stays selected, past
any number of refreshes, re-sorts and filters. Otherwise the row under the
cursor would vanish and the cursor land on a stranger, the next target of a
send.

A refresh is split in two so that the UI thread's share does not grow with
the number of processes: :meth:`ProcessView.prepare` does everything that
costs O(N) (cells, sort, tree, widths, filter text) and may run in a worker
thread, since it only reads immutable data; :meth:`ProcessView.install` swaps
the result in, in time proportional to the tagged processes only.

This module holds the view's state and what depends on it (filter, search,
tags, the selected process); :mod:`sigtui.processes.layout` makes the rows
and puts them in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sigtui.processes import columns as registry
from sigtui.processes.columns import Column, Field
from sigtui.processes.filtering import Filtered, Haystacks, filtered, needle_of
from sigtui.processes.layout import (
    Cached,
    Layout,
    Order,
    Row,
    arrange,
    cache_entry,
    haystack,
    user_of,
)
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot

__all__ = ["Layout", "Order", "ProcessView", "Row"]


class ProcessView:
    """The processes of the latest snapshot as the table should list them.

    Args:
        columns: The columns to show.
        sort_index: The column to sort by (default: the pid column if any).
        reverse: Sort descending.
        tree: Show children under their parents.
        kernel_threads: List kernel threads (hidden by default: nothing in
            user space can signal them, and they crowd out the rest).
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        sort_index: int | None = None,
        reverse: bool = False,
        tree: bool = False,
        kernel_threads: bool = False,
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
        self.kernel_threads = kernel_threads
        self.user: str | None = None
        self.filter_text = ""
        self.tagged: set[ProcessIdentity] = set()
        # The process under the cursor (set by the table): if it exits, its
        # row stays for as long as it is selected.
        self.selected: ProcessIdentity | None = None
        self._clock_columns = any(c.clock for c in self.columns)
        empty = ProcessSnapshot((), 0.0)
        self._layout = arrange(empty, empty, (), {}, self.order, self.columns)
        self._filtered: Filtered | None = None
        self._last_shown: Filtered | None = None
        # The filter's haystacks: of the layout shown (made on the UI thread
        # when it had none), and of the last layout the worker prepared
        # (made there while a filter is on, so that a refresh does not list
        # them on the UI thread). Each attribute has one writer.
        self._haystacks: Haystacks | None = None
        self._prepared_haystacks: Haystacks | None = None
        # Rows made from parts of a scan before prepare() gets it whole (see
        # premake), and the columns they were made for. Only the thread
        # that prepares reads and writes them.
        self._premade: dict[ProcessIdentity, Cached] = {}
        self._premade_columns = self.columns

    # -- changes ---------------------------------------------------------------

    @property
    def order(self) -> Order:
        """The current sort column, direction and tree setting."""
        return Order(
            self.sort_index, self.reverse, self.tree, self.kernel_threads, self.user
        )

    @property
    def snapshot(self) -> ProcessSnapshot:
        """The snapshot shown."""
        return self._layout.snapshot

    def premake(self, part: ProcessSnapshot) -> None:
        """Make the rows of part of a scan that :meth:`prepare` will get whole.

        A first scan read ahead arrives in parts while its last processes are
        still being read (see :meth:`ProcfsScanner.on_ahead_part
        <sigtui.processes.scan.ProcfsScanner.on_ahead_part>`): making their
        rows meanwhile leaves :meth:`prepare` only the sort. Call it from the
        thread that calls :meth:`prepare`. Rows made for columns changed
        since are not used.

        Args:
            part: Some of the processes, with the uptime they were read at.
        """
        if self._clock_columns:
            return  # their cells are made again at prepare() anyway
        columns = self.columns
        if columns is not self._premade_columns:
            self._premade = {}
            self._premade_columns = columns
        made = self._premade
        for info in part.processes:
            made[info.identity] = cache_entry(info, part, columns)

    def prepare(self, snapshot: ProcessSnapshot) -> Layout:
        """Lay out a new snapshot in the current order, without showing it.

        Safe to call from a worker thread while the view is in use: it reads
        only the current (immutable) layout and the order settings.

        Args:
            snapshot: The new scan.

        Returns:
            The layout, for :meth:`install`.
        """
        base = self._layout
        order = self.order
        columns = self.columns
        gone = tuple(
            p for p in base.snapshot.processes if snapshot.get(p.identity) is None
        ) + self._kept(base, snapshot)
        cache: dict[ProcessIdentity, Cached] = {}
        old = base.cache
        premade, self._premade = self._premade, {}
        if premade and self._premade_columns is columns:
            old = {**old, **premade} if old else premade
        for info in snapshot.processes:
            cached = old.get(info.identity)
            if (
                cached is None
                or self._clock_columns
                or (cached.info is not info and cached.info != info)
            ):
                cached = cache_entry(info, snapshot, columns)
            cache[info.identity] = cached
        for info in gone:
            # Shown one more refresh (the selected one: while selected), with
            # the cells it last had.
            cached = old.get(info.identity) or cache_entry(info, base.snapshot, columns)
            cache[info.identity] = cached
        layout = arrange(snapshot, base.snapshot, gone, cache, order, columns)
        self._prepared_haystacks = Haystacks.of(layout) if self.filter_text else None
        return layout

    def install(self, layout: Layout) -> None:
        """Show a prepared layout (on the UI thread).

        If the order changed while it was being prepared, it is re-sorted
        here; otherwise this takes time proportional to the tagged processes.

        Args:
            layout: What :meth:`prepare` returned.
        """
        # The cursor may have moved onto an exited row while the layout was
        # prepared without it: keep that row too (rare; then O(N log N) here).
        selected = self.selected
        kept: tuple[ProcessInfo, ...] = ()
        if selected is not None and selected not in layout.index:
            kept = self._kept(self._layout)
        if layout.columns is not self.columns:
            # The columns changed while it was prepared: its cells are stale.
            layout = arrange(
                layout.snapshot,
                layout.previous,
                layout.gone + kept,
                {},
                self.order,
                self.columns,
            )
        elif layout.order != self.order or kept:
            cache = layout.cache
            if kept:
                cache = dict(cache)
                cache.update(
                    (p.identity, self._layout.cache[p.identity])
                    for p in kept
                    if p.identity in self._layout.cache
                )
            layout = arrange(
                layout.snapshot,
                layout.previous,
                layout.gone + kept,
                cache,
                self.order,
                self.columns,
            )
        self._layout = layout
        # A tag is on a process, not a pid: tags of exited processes go.
        self.tagged = {t for t in self.tagged if layout.snapshot.get(t) is not None}
        self._filtered = None
        if not self.filter_text:
            # Kept while filtering: a letter erased and typed again (or the
            # next refresh, once prepared) should not list them again.
            self._haystacks = None

    def update(self, snapshot: ProcessSnapshot) -> None:
        """Take a new snapshot at once; vanished processes stay one refresh as gone.

        Args:
            snapshot: The new scan.
        """
        self.install(self.prepare(snapshot))

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
        self._rearrange()

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show other columns, keeping the sort field if it is still shown.

        Every cell is made again (on the calling thread: O(N)).

        Args:
            columns: The new columns.

        Raises:
            ValueError: If there are none.
        """
        if not columns:
            raise ValueError("a view needs at least one column")
        sort_field = self.columns[self.sort_index].field
        self.columns = tuple(columns)
        fields = [c.field for c in self.columns]
        if sort_field in fields:
            self.sort_index = fields.index(sort_field)
        else:
            self.sort_index = fields.index(Field.PID) if Field.PID in fields else 0
        self._clock_columns = any(c.clock for c in self.columns)
        layout = self._layout
        self._layout = arrange(
            layout.snapshot, layout.previous, layout.gone, {}, self.order, self.columns
        )
        self._filtered = None

    def set_tree(self, tree: bool) -> None:
        """Switch between the flat list and the tree.

        Args:
            tree: Whether to show the tree.
        """
        self.tree = tree
        self._rearrange()

    def set_kernel_threads(self, shown: bool) -> None:
        """List kernel threads, or leave them out (htop's ``K``).

        Args:
            shown: Whether to list them.
        """
        self.kernel_threads = shown
        self._rearrange()

    def set_user(self, user: str | None) -> None:
        """List only one user's processes (htop's ``u``).

        Args:
            user: The user name as the USER column shows it (``?`` for an
                unknown owner), or None for everyone's.
        """
        self.user = user
        self._rearrange()

    def user_counts(self) -> list[tuple[str, int]]:
        """Each user with processes in the snapshot, and how many.

        Kernel threads count only while they are listed, so that the numbers
        are those that choosing the user shows.

        Returns:
            (user, count) pairs, most processes first, then by name.
        """
        counts = Counter(
            user_of(p)
            for p in self.snapshot.processes
            if self.kernel_threads or not p.kernel_thread
        )
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def sort_by(
        self, names: Sequence[str], *, reverse: bool
    ) -> tuple[Column, bool] | None:
        """Sort by the first of some ps columns that sigtui knows, adding it if need be.

        htop's ``P``, ``M`` and ``T``: a shown column with the same field is
        used as it is; otherwise the first known name is added before the
        command (or at the end) and used. The registry is read now, not at
        import, so that columns added to it later are found.

        Args:
            names: ps ``-o`` names, in order of preference (``%cpu``, ``pcpu``).
            reverse: Sort descending.

        Returns:
            The column sorted by and whether it was added, or None when none
            of the names is a known column (nothing changes then).
        """
        known = [registry.COLUMNS[n] for n in names if n in registry.COLUMNS]
        if not known:
            return None
        fields = [c.field for c in self.columns]
        for column in known:
            if column.field in fields:
                self.set_sort(fields.index(column.field), reverse)
                return self.columns[self.sort_index], False
        added = known[0]
        columns = list(self.columns)
        # The command stays last: it is the one column that takes the rest of
        # the width.
        at = len(columns)
        if columns[-1].field in (Field.ARGS, Field.COMM):
            at -= 1
        columns.insert(at, added)
        self.set_columns(columns)
        self.set_sort(at, reverse)
        return added, True

    def find(self, text: str, start: int, *, skip: bool = False) -> int | None:
        """Return the next row whose pid, user or command contains the text.

        The search wraps around the end; the rows themselves are left as
        they are (htop's ``F3``, unlike the filter).

        Args:
            text: What to look for; case is ignored.
            start: The row to start at.
            skip: Start after ``start`` rather than at it (the next match).

        Returns:
            The row number, or None when no row matches (or ``text`` is empty).
        """
        needle = needle_of(text)
        rows = self.rows
        if not needle or not rows:
            return None
        cache = self._layout.cache
        count = len(rows)
        first = start + 1 if skip else start
        for step in range(count):
            index = (first + step) % count
            info = rows[index].info
            cached = cache.get(info.identity)
            text = cached.haystack if cached is not None else haystack(info)
            if needle in text:
                return index
        return None

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
        snapshot = self.snapshot
        found = (snapshot.get(t) for t in self.tagged)
        return sorted((p for p in found if p is not None), key=lambda p: p.pid)

    def set_filter(self, text: str) -> None:
        """Show only processes whose pid, user or command contains the text.

        Args:
            text: The filter; empty shows everything. Case is ignored.
        """
        self.filter_text = text
        self._filtered = None

    # -- reading ---------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Row]:
        """The rows to show, in order."""
        return self._shown().rows

    @property
    def shown_count(self) -> int:
        """How many running (not gone) processes are shown."""
        shown = self._shown()
        return len(shown.rows) - shown.gone_count

    @property
    def kernel_hidden(self) -> int:
        """How many running kernel threads are left out (0 when listed)."""
        return self._layout.kernel_hidden

    def index_of(self, identity: ProcessIdentity | None) -> int | None:
        """Return the row number of a process, or None if it is not shown.

        Args:
            identity: The process.

        Returns:
            Its position in :attr:`rows`.
        """
        if identity is None:
            return None
        return self._shown().index.get(identity)

    def index_of_pid(self, pid: int) -> int | None:
        """Return the row number of a running (not gone) process by pid.

        Args:
            pid: The pid.

        Returns:
            Its position in :attr:`rows`, or None if it is not shown.
        """
        info = self.snapshot.by_pid.get(pid)
        return None if info is None else self.index_of(info.identity)

    def matches(self, info: ProcessInfo) -> bool:
        """Whether a process passes the filter.

        Args:
            info: The process.

        Returns:
            True when there is no filter or the pid, user or command contains it.
        """
        needle = needle_of(self.filter_text)
        return not needle or needle in haystack(info)

    def column_widths(self, available: int) -> list[int]:
        """Widths for drawing the columns in ``available`` cells.

        Fixed columns get their ps width (or more, if a value is wider); the
        sorted one also room for its header's arrow; the last column gets
        what is left. (Arrow room in every column would cost the eight
        default columns the command's header at 60 cells.)

        Args:
            available: Total width, including one space between columns.

        Returns:
            One width per column.
        """
        shown = self._shown()
        memo = shown.widths_for.get(available)
        if memo is not None:
            return memo
        longest = shown.widths
        widths = []
        last = len(self.columns) - 1
        for index, column in enumerate(self.columns):
            arrow = 2 if index == self.sort_index else 0
            width = max(column.width, len(column.header) + arrow)
            if not column.unlimited and not column.user_name and index != last:
                width = max(width, longest[index])
            widths.append(width)
        used = sum(widths[:last]) + last
        widths[last] = max(widths[last], available - used)
        shown.widths_for[available] = widths
        return widths

    # -- internals -------------------------------------------------------------

    def _kept(
        self, base: Layout, snapshot: ProcessSnapshot | None = None
    ) -> tuple[ProcessInfo, ...]:
        """The selected process, if it is gone in ``base`` and kept beyond it.

        Args:
            base: The layout the selected process was last shown in.
            snapshot: The new scan (None: the selected is not in the new layout).

        Returns:
            Its last seen info, or nothing when it is not selected-and-gone.
        """
        selected = self.selected
        if selected is None:
            return ()
        if snapshot is not None and snapshot.get(selected) is not None:
            return ()
        # Only a row already marked gone: a running one is in ``gone`` anyway.
        return tuple(p for p in base.gone if p.identity == selected)

    def _rearrange(self) -> None:
        layout = self._layout
        self._layout = arrange(
            layout.snapshot,
            layout.previous,
            layout.gone,
            layout.cache,
            self.order,
            self.columns,
        )
        self._filtered = None

    def _shown(self) -> Filtered:
        """The layout's rows that pass the filter (computed once per change)."""
        if self._filtered is None:
            needle = needle_of(self.filter_text)
            self._filtered = self._last_shown = filtered(
                self._layout,
                needle,
                self.selected,
                self._last_shown,
                self._haystacks_of(self._layout) if needle else None,
            )
        return self._filtered

    def _haystacks_of(self, layout: Layout) -> Haystacks:
        """The filter's haystacks of a layout, made at most once."""
        for haystacks in (self._haystacks, self._prepared_haystacks):
            if haystacks is not None and haystacks.layout is layout:
                self._haystacks = haystacks
                return haystacks
        self._haystacks = Haystacks.of(layout)
        return self._haystacks
