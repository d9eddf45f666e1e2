"""What every layer reads from /proc the same way: stat lines, signal names, senders.

Standard library only, and cheap to import: the demo child and the lesson
programs import it as well as the scanner, the delivery layer and the tests,
so a process's state or a signal's name is read one way everywhere.
"""

from __future__ import annotations

import signal

MAX_SENDER = 200
"""Characters of a sender's command line kept for the log."""


def stat_fields(data: bytes) -> list[bytes]:
    """Split a ``/proc/PID/stat`` line into the fields after the command name.

    The command name is in parentheses and may itself hold spaces and
    parentheses, so the split starts after the *last* ``)``. Index 0 is the
    state letter, field 3 of proc(5); field N of proc(5) is index N - 3.

    Args:
        data: The file's bytes.

    Returns:
        The fields, as bytes.

    Raises:
        ValueError: If the data is not a stat line.
    """
    close = data.rfind(b")")
    if close < 0 or data.find(b"(") < 0:
        raise ValueError("not a /proc/PID/stat line")
    return data[close + 2 :].split()


def stat_comm(data: bytes) -> str:
    """The command name of a ``/proc/PID/stat`` line (``comm``).

    Args:
        data: The file's bytes.

    Returns:
        The name, with bytes that are not UTF-8 kept as surrogates.

    Raises:
        ValueError: If the data is not a stat line.
    """
    open_ = data.find(b"(")
    close = data.rfind(b")")
    if open_ < 0 or close < open_:
        raise ValueError("not a /proc/PID/stat line")
    return data[open_ + 1 : close].decode("utf-8", "surrogateescape")


def read_stat_fields(pid: int) -> list[bytes] | None:
    """Read a process's stat fields after the command name.

    Args:
        pid: The process.

    Returns:
        The fields (index 0 the state letter), or None if it is gone or
        unreadable.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            data = file.read()
        return stat_fields(data)
    except (OSError, ValueError):
        return None


def process_state(pid: int) -> str | None:
    """A process's state letter (``R``, ``S``, ``T``, ``Z``...), as ps shows it.

    Args:
        pid: The process.

    Returns:
        The letter, or None if the process is gone or unreadable.
    """
    fields = read_stat_fields(pid)
    return fields[0].decode("ascii", "replace") if fields else None


def process_group(pid: int) -> int | None:
    """A process's process group id (``pgrp``), as ps's PGID shows it.

    Args:
        pid: The process.

    Returns:
        The group, or None if the process is gone or unreadable.
    """
    fields = read_stat_fields(pid)
    return int(fields[2]) if fields and len(fields) > 2 else None


def signal_name(signo: int) -> str:
    """Name a signal as ``kill -l`` does (``SIGRTMIN+3``, ``SIGRTMAX-2``).

    Args:
        signo: A signal number.

    Returns:
        The canonical name, or the number as text if it has none.
    """
    low = int(getattr(signal, "SIGRTMIN", 0)) or None
    high = int(getattr(signal, "SIGRTMAX", 0)) or None
    if low is not None and high is not None and low <= signo <= high:
        if signo == low:
            return "SIGRTMIN"
        if signo == high:
            return "SIGRTMAX"
        if signo - low <= (high - low) // 2:
            return f"SIGRTMIN+{signo - low}"
        return f"SIGRTMAX-{high - signo}"
    try:
        return signal.Signals(signo).name
    except ValueError:
        return str(signo)


def sender_command(pid: int) -> str | None:
    """Read a signal sender's command line from /proc, made safe to print.

    Args:
        pid: The sender's pid (``si_pid``).

    Returns:
        The command line with spaces between arguments, ``[comm]`` when it
        has none (kernel threads, zombies), or None if it cannot be read.
        Characters that are not printable become ``?``, so a process cannot
        write terminal escape sequences into the log by its name.
    """
    if pid <= 0:
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            raw = file.read(4 * MAX_SENDER)
        text = raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
        if not text:
            with open(f"/proc/{pid}/comm", "rb") as file:
                comm = file.read(64).rstrip(b"\n").decode(errors="replace")
            text = f"[{comm}]"
    except OSError:
        return None
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text[:MAX_SENDER]
