"""A pretend set of system calls: records what would be sent, sends nothing.

The sample process list used by screenshots and UI tests names made-up pids
that may exist on the machine for real; the app built on it must never signal
them. These system calls only record.
"""

from __future__ import annotations

from sigtui.delivery.send import GuardError, Syscalls
from sigtui.processes import ProcessSnapshot


class DrySyscalls(Syscalls):
    """Records every send against a snapshot's processes; touches nothing.

    Args:
        snapshot: The pretend processes (their start times are checked).
    """

    has_pidfd = True

    def __init__(self, snapshot: ProcessSnapshot) -> None:
        self.snapshot = snapshot
        self.sent: list[tuple[str, int, int]] = []
        self._fds: dict[int, int] = {}

    def pidfd_open(self, pid: int) -> int:
        """Pretend to open a pidfd."""
        if pid <= 0:
            raise GuardError(f"refused pidfd_open({pid})")
        if pid not in self.snapshot.by_pid:
            raise ProcessLookupError(pid)
        fd = 1000 + len(self._fds)
        self._fds[fd] = pid
        return fd

    def pidfd_send_signal(self, fd: int, signum: int, flags: int = 0) -> None:
        """Record a send through a pretend pidfd."""
        self.sent.append(("pidfd-group" if flags else "pidfd", self._fds[fd], signum))

    def killpg(self, pgid: int, signum: int) -> None:
        """Record a group send."""
        if pgid <= 1:
            raise GuardError(f"refused killpg({pgid})")
        self.sent.append(("killpg", pgid, signum))

    def close(self, fd: int) -> None:
        """Forget a pretend pidfd."""
        self._fds.pop(fd, None)

    def start_time(self, pid: int) -> float | None:
        """The pretend process's start time."""
        info = self.snapshot.by_pid.get(pid)
        return None if info is None else info.start_time

    def pgid_of(self, pid: int) -> int | None:
        """The pretend process's group."""
        info = self.snapshot.by_pid.get(pid)
        return None if info is None else info.pgid

    def wait_exit(self, fd: int, timeout: float) -> bool:
        """Pretend processes never exit."""
        return False
