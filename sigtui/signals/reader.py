"""Read the signal state of a process known by its identity, not just its pid."""

from __future__ import annotations

from sigtui.processes import ProcessInfo
from sigtui.processes.readers import still_running
from sigtui.signals.state import SignalState, read_signal_state


def read_state_of(info: ProcessInfo, *, root: str = "/proc") -> SignalState:
    """Read a listed process's signal state, if the pid still names it.

    The masks are read first and the start time checked after, so a pid
    reused in between is noticed rather than reported as the old process.

    Args:
        info: The process as listed.
        root: Where procfs is mounted.

    Returns:
        The state.

    Raises:
        ProcessLookupError: If the process has exited or its pid was reused.
        PermissionError: If its status cannot be read.
    """
    state = read_signal_state(info.pid, root=root)
    if still_running(info, root) is None:
        raise ProcessLookupError(f"process {info.pid} exited")
    return state
