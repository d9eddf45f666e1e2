"""The floor of any ``sigtui ps`` written in Python: read what it reads, nothing more.

Usage: python benchmarks/ps_floor.py

benchmarks.scan runs it as a whole command beside ``sigtui ps`` and ``ps -eo``.
It does what ``sigtui ps`` cannot do without, and no more: the interpreter
starts (with ``site``, as the ``sigtui`` script does), lists ``/proc``, and two
processes (this one and a forked one, as ``sigtui ps`` splits the pids from
2,000 processes) each read ``stat``, ``cmdline`` and ``status`` of a half of
the processes with ``os.open``, ``os.read`` and ``os.close`` (the system calls
``sigtui ps`` makes, three per file) and write one line per process: its pid
and its command line (NULs made spaces, other control bytes "?", as ps shows
them). No field is parsed, no user or terminal named, no column laid out.
What ``sigtui ps`` takes beyond this is its own Python: imports, parsing,
records and formatting.

Standard library only, so it runs as a script from any directory.
"""

from __future__ import annotations

import os
import sys

FILES = ("stat", "cmdline", "status")
"""The files ``sigtui ps`` reads for ``pid,pgid,tty,stat,time,args``."""

_ONE_LINE = bytes(
    32 if byte == 0 else 63 if byte < 32 or byte == 127 else byte for byte in range(256)
)
"""NULs between arguments become spaces and other control bytes "?", as ps
shows them: a command line with a newline in it stays one line."""


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def lines(names: list[str]) -> list[bytes]:
    """One line per process of ``names`` that could be read: pid and arguments.

    Args:
        names: ``/proc`` entries (pids as text).

    Returns:
        The lines, without newlines.
    """
    out = []
    for name in names:
        try:
            texts = [_read(f"/proc/{name}/{file}") for file in FILES]
        except OSError:  # gone, or not ours to read
            continue
        out.append(name.encode() + b" " + texts[1].translate(_ONE_LINE))
    return out


def main() -> int:
    """Print the lines of every process, the lower half from a forked process."""
    names = sorted((n for n in os.listdir("/proc") if n.isdigit()), key=int)
    half = len(names) // 2
    helper = os.fork()
    if helper == 0:
        _print(lines(names[:half]))
        os._exit(0)
    mine = lines(names[half:])
    os.waitpid(helper, 0)
    _print(mine)
    return 0


def _print(found: list[bytes]) -> None:
    sys.stdout.buffer.write(b"\n".join(found) + b"\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
