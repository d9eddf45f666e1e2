"""One first scan in this fresh process: read ahead by forked readers, or alone.

Usage: python benchmarks/first_scan.py {ahead,plain}

benchmarks.scan runs it in a new interpreter for each measurement: a first
scan is the first of a new process, and ``ProcfsScanner.scan_ahead`` forks
only while its process has no other thread (a test runner or the benchmark
itself may have some). The scanner is the app's (``default_scanner`` with the
default columns' sources).

* ``ahead``: ``scan_ahead(at_least=0)`` (so it forks at any process count;
  the app forks from ``AHEAD_FROM`` processes), then the first ``scan()``,
  which waits for the readers, adopts what they read and reaps them. Before
  that scan, each reader is waited for without being reaped
  (``waitid(WNOWAIT)``) and its CPU time (user + system) read from its
  ``/proc/PID/stat`` as a zombie: the readers are this process's children,
  listed in ``/proc/self/task/PID/children``. After the scan,
  ``getrusage(RUSAGE_CHILDREN)`` gives their sum exactly.
* ``plain``: the first ``scan()`` of the same scanner, read in this process.

Prints one JSON object: mode, nprocs (processes in the snapshot), wall_ms
(from just before ``scan_ahead`` or ``scan`` to the first scan's return),
cpu_ms (this process's user + system time over it), forked (readers
started), readers (each reader's CPU ms, in clock ticks' resolution), and
children_cpu_ms (their sum from ``getrusage``). Imports sigtui only, so it
runs as a script from any directory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from typing import Any

from sigtui.processes import DEFAULT_COLUMNS, ProcfsScanner, parse_columns
from sigtui.processes.columns import sources_of
from sigtui.processes.readers import CLOCK_TICKS, read_stat

MODES = ("ahead", "plain")


def children() -> list[int]:
    """The pids of this process's children (of its main thread)."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as file:
            return [int(p) for p in file.read().split()]
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN
        return []


def zombie_cpu_ms(pid: int) -> float | None:
    """Wait for a child to end, leave it unreaped, and read its CPU time.

    Args:
        pid: The child.

    Returns:
        Its user + system time in milliseconds, or None if unreadable.
    """
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        return None
    stat = read_stat(pid)
    return None if stat is None else stat.cpu_ticks * 1000 / CLOCK_TICKS


def _cpu_ms(usage: resource.struct_rusage) -> float:
    return (usage.ru_utime + usage.ru_stime) * 1000


def first_scan(mode: str) -> dict[str, Any]:
    """Time this process's first scan, read ahead or not.

    Args:
        mode: "ahead" or "plain".

    Returns:
        The figures the module's docstring lists.

    Raises:
        RuntimeError: If /proc cannot be read or another thread runs.
    """
    scanner = ProcfsScanner(sources=sources_of(parse_columns(DEFAULT_COLUMNS)))
    if threading.active_count() > 1:
        raise RuntimeError("another thread runs: scan_ahead would not fork")
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    readers: list[float] = []
    forked = 0
    if mode == "ahead" and scanner.scan_ahead(at_least=0):
        pids = children()
        forked = len(pids)
        readers = [ms for ms in map(zombie_cpu_ms, pids) if ms is not None]
    snapshot = scanner.scan()
    wall_ms = (time.perf_counter() - t0) * 1000
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    scanner.close()
    return {
        "mode": mode,
        "nprocs": len(snapshot),
        "wall_ms": wall_ms,
        "cpu_ms": _cpu_ms(own_after) - _cpu_ms(own),
        "forked": forked,
        "readers": readers,
        "children_cpu_ms": _cpu_ms(kids_after) - _cpu_ms(kids),
    }


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit(__doc__.split("\n\n")[1])
    print(json.dumps(first_scan(sys.argv[1])))
