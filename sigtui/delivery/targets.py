"""What a signal is sent to: one process, a process group, or a tagged set.

Targets are captured when the user chooses them: a process by its identity
(pid and start time), never by a row of the table, so the list moving under
the cursor can never redirect a signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigtui.processes import ProcessInfo, command_text, display_escape


@dataclass(frozen=True)
class ProcessTarget:
    """One process, as it was listed when chosen.

    Attributes:
        info: The process (its pid and start time are its identity).
    """

    info: ProcessInfo

    @property
    def members(self) -> tuple[ProcessInfo, ...]:
        """The processes this target hits."""
        return (self.info,)

    def describe(self) -> str:
        """Name the target in a sentence: ``process 4151 (cc1)``."""
        return f"process {self.info.pid} ({display_escape(self.info.comm)})"


@dataclass(frozen=True)
class GroupTarget:
    """A whole process group, signalled with one system call.

    Attributes:
        pgid: The process group id.
        members: The members listed when the target was chosen.
    """

    pgid: int
    members: tuple[ProcessInfo, ...]

    def describe(self) -> str:
        """Name the target: ``process group 4150 (3 processes)``."""
        count = len(self.members)
        plural = "es" if count != 1 else ""
        return f"process group {self.pgid} ({count} process{plural})"

    @property
    def leader(self) -> ProcessInfo | None:
        """The group's leader (pid equal to the pgid), if it was listed."""
        return next((m for m in self.members if m.pid == self.pgid), None)


@dataclass(frozen=True)
class TaggedTarget:
    """Several processes the user tagged, signalled one by one.

    Attributes:
        processes: The tagged processes.
    """

    processes: tuple[ProcessInfo, ...]

    @property
    def members(self) -> tuple[ProcessInfo, ...]:
        """The processes this target hits."""
        return self.processes

    def describe(self) -> str:
        """Name the target: ``3 tagged processes``."""
        count = len(self.processes)
        return f"{count} tagged process{'es' if count != 1 else ''}"


Target = ProcessTarget | GroupTarget | TaggedTarget
"""Anything a signal can be sent to."""


def member_line(info: ProcessInfo) -> str:
    """One line naming a process for a confirmation: pid, tty, user, command.

    Args:
        info: The process.

    Returns:
        The line, safe to show.
    """
    user = info.user or "?"
    tty = info.tty or "?"
    return f"{info.pid:>7} {tty:<8} {user:<10} {display_escape(command_text(info))}"
