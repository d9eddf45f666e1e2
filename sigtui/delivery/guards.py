"""The safety rules: what is refused outright and what needs a confirmation.

They are checked when a send is prepared and again just before the system
call, so nothing that changed in between slips through.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

from sigtui.delivery.targets import GroupTarget, TaggedTarget, Target
from sigtui.processes import ProcessInfo, ProcessSnapshot
from sigtui.signals import SignalSpec

_STOPS = frozenset(
    int(s) for s in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
)
"""Signals that stop a process by default: never sent to sigtui or its group.

Textual restores the terminal only for SIGTSTP; SIGSTOP, SIGTTIN and SIGTTOU
would leave sigtui frozen with the terminal still in application mode.
"""
_DRASTIC = frozenset({int(signal.SIGKILL), int(signal.SIGSTOP)})


@dataclass(frozen=True)
class Context:
    """Who is sending: what the rules need to know about sigtui itself.

    Attributes:
        self_pid: sigtui's pid.
        self_pgid: sigtui's process group.
        ancestors: The pids of the processes that started sigtui.
        uid: The effective uid signals are sent with.
        readonly: Refuse every send (``--readonly``).
        trusted: Pids that never need a confirmation (the demo child).
    """

    self_pid: int
    self_pgid: int
    ancestors: frozenset[int] = frozenset()
    uid: int = 0
    readonly: bool = False
    trusted: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def current(
        cls,
        snapshot: ProcessSnapshot | None = None,
        *,
        readonly: bool = False,
        trusted: frozenset[int] = frozenset(),
    ) -> Context:
        """Describe this process as the sender.

        Args:
            snapshot: A scan, to find sigtui's ancestors in.
            readonly: Refuse every send.
            trusted: Pids that need no confirmation.

        Returns:
            The context.
        """
        pid = os.getpid()
        ancestors = snapshot.ancestors(pid) if snapshot is not None else frozenset()
        return cls(pid, os.getpgrp(), ancestors, os.geteuid(), readonly, trusted)


@dataclass(frozen=True)
class Verdict:
    """What the rules say about one send.

    Attributes:
        refusals: Reasons it must not happen at all (empty: allowed).
        confirmations: Reasons the user must confirm it first.
    """

    refusals: tuple[str, ...] = ()
    confirmations: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether the send may happen (perhaps after confirming)."""
        return not self.refusals

    @property
    def needs_confirmation(self) -> bool:
        """Whether the user must confirm first."""
        return bool(self.confirmations)


def process_refusal(info: ProcessInfo) -> str | None:
    """The rule a single process breaks by being signalled at all, if any.

    Args:
        info: The process.

    Returns:
        A sentence saying why it cannot be signalled, or None.
    """
    if info.pid <= 0:
        return f"pid {info.pid} is not a process (it would signal a whole group)"
    if info.kernel_thread:
        return f"process {info.pid} is a kernel thread: it cannot be signalled"
    return None


def group_refusal(pgid: int) -> str | None:
    """The rule a process group id breaks, if any.

    Args:
        pgid: The group id.

    Returns:
        A sentence, or None when the group may be signalled.
    """
    if pgid == 0:
        return "process group 0 means the sender's own group: never signalled"
    if pgid == 1:
        return "process group 1 would be a broadcast to every process: never signalled"
    if pgid < 0:
        return f"process group {pgid} is not a process group"
    return None


def check(target: Target, sig: SignalSpec, ctx: Context) -> Verdict:
    """Apply every rule to a send.

    Args:
        target: What would be signalled.
        sig: The signal.
        ctx: Who is sending.

    Returns:
        The verdict.
    """
    refusals: list[str] = []
    confirm: list[str] = []
    if ctx.readonly:
        refusals.append("sigtui runs with --readonly: sending is turned off")
    if sig.number <= 0 and not sig.probe:
        refusals.append(f"{sig.name} is not a signal")
    members: tuple[ProcessInfo, ...]
    if isinstance(target, GroupTarget):
        problem = group_refusal(target.pgid)
        if problem:
            refusals.append(problem)
        members = target.members
        if target.pgid == ctx.self_pgid:
            if sig.number in _STOPS:
                refusals.append(
                    f"{sig.name} to sigtui's own process group would freeze this "
                    "terminal: refused"
                )
            else:
                confirm.append("the group contains sigtui itself")
        if len(members) > 1 or not members:
            confirm.append(f"a group send reaches {len(members)} processes at once")
        else:
            confirm.append("it is a process group send")
    else:
        members = target.members
        for info in members:
            problem = process_refusal(info)
            if problem:
                refusals.append(problem)
        if isinstance(target, TaggedTarget) and len(members) > 1:
            confirm.append(f"it goes to {len(members)} processes")
        # A tagged set that includes sigtui would freeze it just the same.
        is_self = any(info.pid == ctx.self_pid for info in members)
        if is_self and sig.number in _STOPS:
            refusals.append(f"{sig.name} to sigtui itself would freeze it: refused")
    trusted = all(m.pid in ctx.trusted for m in members) and members
    for info in members:
        if info.pid == 1:
            confirm.append(
                "pid 1 (init) is in the target: it only gets signals it handles, "
                "and ending it ends the system or container"
            )
        if info.pid == ctx.self_pid and not isinstance(target, GroupTarget):
            confirm.append("the target is sigtui itself")
        if info.pid in ctx.ancestors:
            confirm.append(f"process {info.pid} started sigtui (its shell or terminal)")
        if ctx.uid != 0 and info.uid is not None and info.uid != ctx.uid:
            confirm.append(
                f"process {info.pid} belongs to another user ({info.user or info.uid})"
            )
    if sig.number in _DRASTIC and not trusted:
        confirm.append(f"{sig.name} cannot be caught: the process gets no say")
    if trusted and not isinstance(target, GroupTarget):
        confirm.clear()
    return Verdict(tuple(dict.fromkeys(refusals)), tuple(dict.fromkeys(confirm)))
