"""Process trees, laid out the way ``ps --forest`` does."""

from __future__ import annotations

from collections.abc import Sequence

from sigtui.processes.model import ProcessIdentity, ProcessInfo


def forest(processes: Sequence[ProcessInfo]) -> list[tuple[ProcessInfo, int]]:
    """Order processes so children follow their parent, with their depth.

    Siblings keep the order they have in ``processes`` (so a sorted list gives
    sorted siblings). As in ``ps --forest``, the children of pid 1 are shown as
    top-level trees rather than all under init, and a process whose parent is
    not in the list is a root.

    Args:
        processes: The processes to arrange, in the wanted sibling order.

    Returns:
        (process, depth) pairs, depth 0 for roots.
    """
    present = {p.pid for p in processes}
    children: dict[int, list[ProcessInfo]] = {}
    roots: list[ProcessInfo] = []
    for proc in processes:
        if proc.ppid > 1 and proc.ppid != proc.pid and proc.ppid in present:
            children.setdefault(proc.ppid, []).append(proc)
        else:
            roots.append(proc)
    out: list[tuple[ProcessInfo, int]] = []
    placed: set[ProcessIdentity] = set()
    # An explicit stack: a deep chain of processes must not hit the recursion limit.
    stack: list[tuple[ProcessInfo, int]] = [(r, 0) for r in reversed(roots)]
    while stack:
        proc, depth = stack.pop()
        if proc.identity in placed:
            continue
        placed.add(proc.identity)
        out.append((proc, depth))
        for child in reversed(children.get(proc.pid, ())):
            stack.append((child, depth + 1))
    # Parent loops cannot happen in a consistent scan, but a racy one must not
    # lose processes: show anything not yet placed as a root.
    out.extend((p, 0) for p in processes if p.identity not in placed)
    return out


def forest_prefix(depth: int) -> str:
    r"""Return the indentation ps --forest puts before a command at this depth.

    Args:
        depth: 0 for a root.

    Returns:
        ``""``, ``" \_ "``, ``"     \_ "`` and so on.
    """
    if depth <= 0:
        return ""
    return "    " * (depth - 1) + " \\_ "
