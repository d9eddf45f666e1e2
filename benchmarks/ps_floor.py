"""The floor of any ``sigtui ps`` written in Python: read what it reads, nothing more.

Usage: python benchmarks/ps_floor.py [--parse]

benchmarks.scan runs it as a whole command beside ``sigtui ps`` and ``ps -eo``.
It does what ``sigtui ps`` cannot do without, and no more: the interpreter
starts (with ``site``, as the ``sigtui`` script does), lists ``/proc``, and two
processes (this one and a forked one, as ``sigtui ps`` splits the pids from
2,000 processes) each read ``stat``, ``cmdline`` and ``status`` of a half of
the processes with ``os.open``, ``os.read`` and ``os.close`` (the system calls
``sigtui ps`` makes, three per file) and write one line per process: its pid
and its command line (NULs and newlines made spaces, other control bytes "?",
as ps shows them). No field is parsed, no user or terminal named, no column laid out.
What ``sigtui ps`` takes beyond this is its own Python: imports, parsing,
records and formatting.

With ``--parse`` it is the floor of a Python ``ps -eo pid,pgid,tty,stat,time,args``:
the same reading, and each process's line as ps prints it, from the fewest
fields parsed the simplest way: the group, terminal, state, nice value, thread
count, session and foreground group out of ``stat`` (split once after the
command name), locked memory out of ``status``, ps's column widths with
f-strings, and ``argparse`` imported, as any command line does. Left out,
as they would only add to it: ps's catching up after a cell wider than its
column, the names of terminals other than ``pts/N``, ``ttyN`` and ``ttySN``
(ps looks them up), and its "?" for bytes that are not UTF-8 and for
characters a terminal must not get besides the control bytes. What
``sigtui ps`` takes beyond this is its own structure: the records, cells
and layout it shares with the table, and its command line's imports.

Standard library only, so it runs as a script from any directory.
"""

from __future__ import annotations

import os
import sys

FILES = ("stat", "cmdline", "status")
"""The files ``sigtui ps`` reads for ``pid,pgid,tty,stat,time,args``."""

_ONE_LINE = bytes(
    32 if byte in (0, 10) else 63 if byte < 32 or byte == 127 else byte
    for byte in range(256)
)
"""NULs between arguments and newlines become spaces, other control bytes "?",
as ps shows them (procps reads the arguments with both made separators): a
command line with a newline in it stays one line."""


_SAFE = bytes(63 if byte < 32 or byte == 127 else byte for byte in range(256))
"""Control bytes "?", as ps shows them in a command's name."""


def _read(path: str) -> bytes:
    """The whole file: one read, more only for a file that fills it (as sigtui)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(fd, 4096)
        if len(data) < 4096:
            return data
        chunks = [data]
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_TICKS = os.sysconf("SC_CLK_TCK")


def _pid_width() -> int:
    """ps's width of PID and PGID: the digits of the largest pid."""
    with open("/proc/sys/kernel/pid_max", "rb") as pid_max:
        return max(5, len(pid_max.read().strip()))


def _terminal(number: int) -> str:
    """The terminal's name, as ps shows the ones it names without looking in /dev."""
    if number == 0:
        return "?"
    major = (number >> 8) & 0xFFF
    minor = (number & 0xFF) | ((number >> 12) & 0xFFF00)
    if 136 <= major <= 143:
        return f"pts/{minor + (major - 136) * 256}"
    if major == 4:
        return f"tty{minor}" if minor < 64 else f"ttyS{minor - 64}"
    return "?"


def _cputime(ticks: int) -> str:
    """ps's TIME: ``[DD-]HH:MM:SS``."""
    days, seconds = divmod(ticks // _TICKS, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = f"{hours:02}:{minutes:02}:{seconds:02}"
    return f"{days}-{clock}" if days else clock


def parsed_lines(names: list[str], width: int) -> list[str]:
    """ps's line of ``pid,pgid,tty,stat,time,args`` for each readable process.

    Args:
        names: ``/proc`` entries (pids as text).
        width: The PID and PGID columns' width.

    Returns:
        The lines, without newlines.
    """
    out = []
    for name in names:
        try:
            stat, cmdline, status = (_read(f"/proc/{name}/{file}") for file in FILES)
        except OSError:  # gone, or not ours to read
            continue
        end = stat.rindex(b")")
        fields = stat[end + 2 :].split()
        pid, pgrp, session = int(name), int(fields[2]), int(fields[3])
        nice, threads = int(fields[16]), int(fields[17])
        flags = fields[0].decode()
        if nice < 0:
            flags += "<"
        elif nice > 0:
            flags += "N"
        locked = status.find(b"VmLck:")
        if locked >= 0 and int(status[locked + 6 : status.index(b"kB", locked)]):
            flags += "L"
        if session == pid:
            flags += "s"
        if threads > 1:
            flags += "l"
        if int(fields[5]) == pgrp:
            flags += "+"
        args = cmdline.rstrip(b"\0").translate(_ONE_LINE)
        if args:
            command = args.decode(errors="replace")
        else:  # a kernel thread or a zombie: its name
            comm = stat[stat.index(b"(") + 1 : end].translate(_SAFE)
            command = f"[{comm.decode(errors='replace')}]"
            if fields[0] == b"Z":
                command += " <defunct>"
        out.append(
            f"{pid:>{width}} {pgrp:>{width}} {_terminal(int(fields[4])):<8} "
            f"{flags:<4} {_cputime(int(fields[11]) + int(fields[12])):>8} {command}"
        )
    return out


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


def main(argv: list[str]) -> int:
    """Print the lines of every process, the lower half from a forked process."""
    import argparse  # what any command line imports, and what --parse parses with

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parse", action="store_true", help="print ps's lines of its columns"
    )
    parse = parser.parse_args(argv).parse
    width = _pid_width()

    def of(names: list[str]) -> list[bytes]:
        if parse:
            return [line.encode() for line in parsed_lines(names, width)]
        return lines(names)

    names = sorted((n for n in os.listdir("/proc") if n.isdigit()), key=int)
    half = len(names) // 2
    helper = os.fork()
    if helper == 0:
        status = 1
        try:
            _print(of(names[:half]))
            status = 0
        finally:  # never back into the caller: its half would be printed twice
            os._exit(status)
    mine = of(names[half:])
    _, status = os.waitpid(helper, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        print("ps_floor: the forked half failed", file=sys.stderr)
        return 1
    _print(mine)
    return 0


def _print(found: list[bytes]) -> None:
    sys.stdout.buffer.write(b"\n".join(found) + b"\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
