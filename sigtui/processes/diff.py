"""A pure comparison of two snapshots, for the table to apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sigtui.processes.columns import Column
from sigtui.processes.model import ProcessIdentity, ProcessInfo, ProcessSnapshot


@dataclass(frozen=True)
class CellChange:
    """One cell whose text changed.

    Attributes:
        identity: The process.
        column: The column's ``-o`` name.
        text: The new text.
    """

    identity: ProcessIdentity
    column: str
    text: str


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed between two snapshots.

    Attributes:
        added: Processes only in the new snapshot (a reused pid is new).
        removed: Processes only in the old snapshot, as last seen.
        changed: Processes in both whose fields changed, as seen now.
        cells: The changed cells of the given columns.
    """

    added: tuple[ProcessInfo, ...]
    removed: tuple[ProcessInfo, ...]
    changed: tuple[ProcessInfo, ...]
    cells: tuple[CellChange, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing at all changed."""
        return not (self.added or self.removed or self.changed or self.cells)


def diff_snapshots(
    old: ProcessSnapshot, new: ProcessSnapshot, columns: Sequence[Column]
) -> SnapshotDiff:
    """Compare two snapshots by process identity.

    Args:
        old: The earlier snapshot.
        new: The later one.
        columns: The columns whose cell changes are wanted.

    Returns:
        The difference.
    """
    old_by_id = {p.identity: p for p in old.processes}
    new_ids = set()
    added: list[ProcessInfo] = []
    changed: list[ProcessInfo] = []
    cells: list[CellChange] = []
    # Elapsed time moves with the clock even when the process does not.
    clock_columns = [c for c in columns if c.clock]
    for info in new.processes:
        identity = info.identity
        new_ids.add(identity)
        before = old_by_id.get(identity)
        if before is None:
            added.append(info)
            continue
        if before != info:
            changed.append(info)
            compare: Sequence[Column] = columns
        elif clock_columns:
            compare = clock_columns
        else:
            continue
        for column in compare:
            text = column.text(info, new)
            if text != column.text(before, old):
                cells.append(CellChange(identity, column.name, text))
    removed = tuple(p for p in old.processes if p.identity not in new_ids)
    return SnapshotDiff(tuple(added), removed, tuple(changed), tuple(cells))
