"""Process trees, laid out the way ``ps --forest`` does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sigtui.processes.model import ProcessIdentity, ProcessInfo


class TreeLine(NamedTuple):
    r"""One process placed in the tree.

    Attributes:
        info: The process.
        depth: 0 for a root.
        prefix: What ps --forest draws before its command: ``" \_ "`` under
            the parent, with ``" |  "`` for each ancestor that has later
            siblings and ``"    "`` for each that has none.
    """

    info: ProcessInfo
    depth: int
    prefix: str


BRANCH = " \\_ "
"""ps's connector from a parent to a child."""
CONTINUES = " |  "
"""ps's line past an ancestor that has more children below."""
BLANK = "    "
"""ps's indent past an ancestor that was its parent's last child."""


def forest_lines(processes: Sequence[ProcessInfo]) -> list[TreeLine]:
    """Order processes so children follow their parent, with ps's tree prefixes.

    Siblings keep the order they have in ``processes`` (so a sorted list gives
    sorted siblings). As in ``ps --forest``, the children of pid 1 are shown as
    top-level trees rather than all under init, and a process whose parent is
    not in the list is a root.

    Args:
        processes: The processes to arrange, in the wanted sibling order.

    Returns:
        One line per process, in display order.
    """
    present = {p.pid for p in processes}
    children: dict[int, list[ProcessInfo]] = {}
    roots: list[ProcessInfo] = []
    for proc in processes:
        if proc.ppid > 1 and proc.ppid != proc.pid and proc.ppid in present:
            children.setdefault(proc.ppid, []).append(proc)
        else:
            roots.append(proc)
    out: list[TreeLine] = []
    placed: set[ProcessIdentity] = set()
    # An explicit stack, so a deep chain of processes cannot hit the recursion
    # limit. Each entry: process, depth, what its ancestors draw, last sibling?
    stack: list[tuple[ProcessInfo, int, str, bool]] = [
        (root, 0, "", True) for root in reversed(roots)
    ]
    while stack:
        proc, depth, ancestors, last = stack.pop()
        if proc.identity in placed:
            continue
        placed.add(proc.identity)
        out.append(TreeLine(proc, depth, ancestors + BRANCH if depth else ""))
        below = ancestors + (BLANK if last else CONTINUES) if depth else ""
        kids = [c for c in children.get(proc.pid, ()) if c.identity not in placed]
        for index in range(len(kids) - 1, -1, -1):
            stack.append((kids[index], depth + 1, below, index == len(kids) - 1))
    # Parent loops cannot happen in a consistent scan, but a racy one must not
    # lose processes: show anything not yet placed as a root.
    out.extend(TreeLine(p, 0, "") for p in processes if p.identity not in placed)
    return out
