"""Traced records in words: who sent a signal, how, and what became of it.

Standard library only; the log, the details panel, row exit reasons and
``sigtui trace`` all say it the same way.
"""

from __future__ import annotations

import signal

from sigtui.procfs import signal_name
from sigtui.trace.records import Exited, Fate, Record, Sender, TracedSignal

_GENERIC = {
    0: "kill()",
    -1: "sigqueue()",
    -2: "a POSIX timer",
    -3: "a message queue",
    -4: "async I/O",
    -5: "SIGIO",
    -6: "tgkill()",
    -7: "exec",
    128: "the kernel",
}
"""What a zero or negative ``si_code`` (and SI_KERNEL) says about how it was sent."""

_FAULTS: dict[int, dict[int, str]] = {
    signal.SIGSEGV: {1: "address not mapped", 2: "no permission for that address"},
    signal.SIGBUS: {
        1: "misaligned address",
        2: "address does not exist",
        3: "hardware error",
        4: "hardware memory error",
        5: "hardware memory error",
    },
    signal.SIGFPE: {
        1: "integer divide by zero",
        2: "integer overflow",
        3: "floating-point divide by zero",
        4: "floating-point overflow",
        5: "floating-point underflow",
        6: "inexact floating-point result",
        7: "invalid floating-point operation",
        8: "subscript out of range",
    },
    signal.SIGILL: {
        1: "illegal opcode",
        2: "illegal operand",
        3: "illegal addressing mode",
        4: "illegal trap",
        5: "privileged opcode",
        6: "privileged register",
        7: "coprocessor error",
        8: "internal stack error",
    },
    signal.SIGTRAP: {
        1: "breakpoint",
        2: "trace trap",
        3: "branch trap",
        4: "hardware watchpoint",
    },
    signal.SIGCHLD: {
        1: "child exited",
        2: "child killed",
        3: "child dumped core",
        4: "child trapped",
        5: "child stopped",
        6: "child continued",
    },
}
"""What a positive ``si_code`` means, signal by signal (sigaction(2))."""

FAULT_SIGNALS = frozenset(
    {signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP}
)
"""Signals the CPU raises in a process when it faults."""


def code_words(signo: int, code: int) -> str:
    """Say how a signal was sent, from its ``si_code``.

    Args:
        signo: The signal.
        code: Its ``si_code``.

    Returns:
        A few words: "kill()", "tgkill()", "address not mapped"...
    """
    if code > 0 and code != 128:
        return _FAULTS.get(signo, {}).get(code, f"code {code}")
    return _GENERIC.get(code, f"code {code}")


def sender_words(record: TracedSignal) -> str:
    """Name who sent a signal: "4120 (bash)", "the kernel", "the CPU".

    Args:
        record: The traced signal.

    Returns:
        The sender in words.
    """
    if record.sender is Sender.KERNEL:
        return "the kernel"
    if record.sender is Sender.CPU:
        return f"the CPU ({code_words(record.signo, record.code)})"
    return f"{record.sender_pid} ({record.sender_name})"


def target_words(record: TracedSignal) -> str:
    """Name the target: "4200 (sleep)", or its thread when only one may take it."""
    who = f"{record.target_pid} ({record.target_name})"
    if not record.process_directed and record.target_tid != record.target_pid:
        return f"{who} thread {record.target_tid}"
    return who


_FATES = {
    Fate.CAUGHT: "caught by a handler",
    Fate.IGNORED: "ignored",
    Fate.KILLED: "killed it",
    Fate.STOPPED: "stopped it",
    Fate.CONTINUED: "continued it",
    Fate.MERGED: "merged with the same signal already pending",
    Fate.DROPPED: "dropped: the realtime queue was full",
    Fate.WAITED: "taken with sigwait or signalfd (the program read it; no handler)",
    Fate.PENDING: "not taken yet: blocked",
    Fate.EXITED_FIRST: "not seen taken before the process ended",
}


def fate_words(record: TracedSignal) -> str:
    """Say what became of a signal, with how long it took when it was taken.

    Args:
        record: The traced signal.

    Returns:
        "caught by a handler after 0.2 ms", "ignored"...
    """
    words = _FATES[record.fate]
    if record.taken is not None and record.fate in (
        Fate.CAUGHT,
        Fate.KILLED,
        Fate.STOPPED,
    ):
        words += f" after {_duration(record.taken - record.time)}"
    if record.late:
        words += " (taken late)"
    return words


def _duration(seconds: float) -> str:
    if seconds < 0.001:
        return f"{max(seconds, 0) * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.1f} s"


def ago(seconds: float) -> str:
    """Say how long ago something happened: "0.2 s ago", "3 min ago"."""
    if seconds < 60:
        return f"{max(seconds, 0):.1f} s ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def signal_line(record: TracedSignal) -> str:
    """One line for a traced signal, as ``sigtui trace`` prints it.

    Args:
        record: The traced signal.

    Returns:
        "SIGTERM 4120 (bash) → 4200 (sleep): kill(); killed it after 0.1 ms".
    """
    name = signal_name(record.signo)
    how = code_words(record.signo, record.code)
    group = ""
    if record.burst_size > 1:
        group = f" [group {record.pgid}" if record.pgid else " [one of"
        group += f", {record.burst_size} sent together]"
    source = sender_words(record)
    if record.sender is Sender.CPU:
        source = "the CPU"
    return (
        f"{name} {source} → {target_words(record)}{group}: {how}; {fate_words(record)}"
    )


def exit_words(record: Exited, now: float | None = None) -> str:
    """Say how a process ended: "killed by SIGTERM from 4120 (bash) 0.2 s ago".

    Args:
        record: The exit.
        now: ``time.monotonic()`` now, to say how long ago; None leaves it out.

    Returns:
        "exited 0", "exited", "killed by SIGKILL from the kernel",
        "SIGSEGV (address not mapped)".
    """
    when = f" {ago(now - record.time)}" if now is not None else ""
    if not record.signo:
        status = "" if record.status is None else f" {record.status}"
        return f"exited{status}{when}"
    name = signal_name(record.signo)
    by = record.by
    if by is not None and by.sender is Sender.CPU:
        return f"{name} ({code_words(by.signo, by.code)}){when}"
    if by is None:
        return f"killed by {name}{when}"
    return f"killed by {name} from {sender_words(by)}{when}"


def record_line(record: Record) -> str:
    """One line for any record, as ``sigtui trace`` prints it."""
    if isinstance(record, TracedSignal):
        return signal_line(record)
    if isinstance(record, Exited):
        return f"{record.pid} ({record.name}) {exit_words(record)}"
    return f"{record.count} events lost: the kernel's buffer was full"
