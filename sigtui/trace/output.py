"""What ``sigtui trace`` prints: the records ``-p``, ``-g`` keep, as lines or JSON.

Standard library only.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TextIO

from sigtui.procfs import process_group
from sigtui.trace.records import Exited, Lost, Record, to_json
from sigtui.trace.words import record_line


class Selection:
    """Which records ``-p``, ``-g`` and ``--hide-sigchld`` keep.

    Args:
        pids: Keep what these processes sent or received (empty: any).
        pgids: Keep what members of these groups sent or received.
        hide_sigchld: Drop SIGCHLD.
        every_exit: Keep every process's exit; otherwise, with no pid or
            group asked for, only deaths by a signal are kept (the whole
            machine's ordinary exits would drown them).
    """

    def __init__(
        self,
        pids: set[int],
        pgids: set[int],
        hide_sigchld: bool,
        every_exit: bool = False,
    ) -> None:
        self.pids = pids
        self.pgids = pgids
        self.hide_sigchld = hide_sigchld
        self.every_exit = every_exit
        self._groups: dict[int, int] = {}

    def _group(self, pid: int) -> int:
        group = self._groups.get(pid)
        if group is None:
            group = process_group(pid) or 0
            if len(self._groups) > 65536:
                self._groups.clear()
            self._groups[pid] = group
        return group

    def _involves(self, pid: int) -> bool:
        return pid in self.pids or (bool(self.pgids) and self._group(pid) in self.pgids)

    def keeps(self, record: Record) -> bool:
        """Whether to give out a record.

        Args:
            record: The record.

        Returns:
            True to keep it.
        """
        if isinstance(record, Lost):
            return True
        if isinstance(record, Exited):
            kept = not (self.pids or self.pgids) or self._involves(record.pid)
            self._groups.pop(record.pid, None)
            if not (self.pids or self.pgids):
                return self.every_exit or record.signo != 0
            return kept
        if self.hide_sigchld and record.signo == signal.SIGCHLD:
            return False
        if not (self.pids or self.pgids):
            return True
        if record.pgid and record.pgid in self.pgids:
            return True
        return self._involves(record.sender_pid) or self._involves(record.target_pid)


def writer(
    out: TextIO, as_json: bool, selection: Selection
) -> Callable[[list[Record]], None]:
    """Make the function that prints each batch of records the selection keeps.

    Args:
        out: Where to print.
        as_json: One JSON object per line, rather than words.
        selection: Which records to keep.

    Returns:
        The function, for :func:`~sigtui.trace.reader.read_records`.
    """

    def emit(records: list[Record]) -> None:
        lines = [
            to_json(record) if as_json else record_line(record)
            for record in records
            if selection.keeps(record)
        ]
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()

    return emit
