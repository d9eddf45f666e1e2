"""Formatting of process fields exactly as procps ``ps`` prints them."""

from __future__ import annotations

import grp
import math
import os
import pwd
import time
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sigtui.processes.model import ProcessInfo
from sigtui.procfs import signal_name

UNKNOWN = "?"
"""What a field that could not be read looks like."""


def format_cputime(seconds: float) -> str:
    """Format CPU time as ps's TIME column: ``[DD-]HH:MM:SS``.

    Args:
        seconds: CPU seconds (fractions are dropped, as ps does).

    Returns:
        The formatted time.
    """
    days, hours, minutes, secs = _days_hours_minutes_seconds(seconds)
    clock = f"{hours:02}:{minutes:02}:{secs:02}"
    return f"{days}-{clock}" if days else clock


def _days_hours_minutes_seconds(seconds: float) -> tuple[int, int, int, int]:
    """Whole seconds (at least 0) as days, hours, minutes and seconds."""
    total = max(0, math.floor(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


def format_etime(seconds: float) -> str:
    """Format elapsed time as ps's ELAPSED column: ``[[DD-]HH:]MM:SS``.

    Args:
        seconds: Seconds since the process started.

    Returns:
        The formatted time.
    """
    days, hours, minutes, secs = _days_hours_minutes_seconds(seconds)
    if days:
        return f"{days}-{hours:02}:{minutes:02}:{secs:02}"
    if hours:
        return f"{hours:02}:{minutes:02}:{secs:02}"
    return f"{minutes:02}:{secs:02}"


def format_stat(info: ProcessInfo) -> str:
    """Build ps's STAT letters: the state, then ``<NLsl+`` as they apply.

    Args:
        info: The process.

    Returns:
        For example ``Ss``, ``R+``, ``S<Ll`` or ``Z``.
    """
    letters = [info.state]
    if info.nice < 0:
        letters.append("<")
    elif info.nice > 0:
        letters.append("N")
    if info.locked:
        letters.append("L")
    if info.session_leader:
        letters.append("s")
    if info.num_threads > 1:
        letters.append("l")
    if info.foreground:
        letters.append("+")
    return "".join(letters)


_GLIBC_PRINTABLE = frozenset({"Zs", "Cf", "Co"})
"""Categories glibc's ``iswprint`` accepts but :meth:`str.isprintable` does not.

Measured against procps ps in a UTF-8 locale: spaces (U+3000), format
characters (U+200B, U+00AD, U+202E) and private use (U+E000) are printed as
they are; controls, line and paragraph separators and unassigned code points
become ``?``.
"""


def _ps_printable(char: str) -> bool:
    """Whether ps (glibc ``iswprint``) prints the character as it is."""
    return char.isprintable() or unicodedata.category(char) in _GLIBC_PRINTABLE


def _screen_safe(char: str) -> bool:
    """Whether a character can go to the screen without hiding or reordering text.

    Stricter than ps: format characters such as bidirectional overrides
    (U+202E) and zero-width spaces are escaped so they cannot disguise a
    command line.
    """
    return char.isprintable() or unicodedata.category(char) == "Zs"


def ps_escape(text: str) -> str:
    """Replace what a terminal must not receive with ``?``, as ps does.

    Control characters and bytes that were not valid UTF-8 (decoded with
    ``surrogateescape``) become ``?``.

    Args:
        text: Raw text from the kernel.

    Returns:
        Text that is safe to print.
    """
    if text.isprintable():
        return text
    return "".join(c if _ps_printable(c) else "?" for c in text)


def display_escape(text: str) -> str:
    r"""Make text safe and unambiguous on screen: escapes stay visible.

    Unlike :func:`ps_escape`, which loses information, this writes each
    control character as ``\xNN`` (or ``\uNNNN``) and each byte that was not
    valid UTF-8 as ``\xNN``, so an escape sequence in a command line is shown,
    never performed.

    Args:
        text: Raw text from the kernel.

    Returns:
        Printable text.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if _screen_safe(char):
            out.append(char)
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def command_text(info: ProcessInfo) -> str:
    """Return the full command line as ps's ``args`` column shows it (unescaped).

    Processes without an argument vector (kernel threads, zombies, and
    processes that cleared theirs) show as ``[comm]``; zombies add
    `` <defunct>``.

    Args:
        info: The process.

    Returns:
        The command text, before escaping for a terminal.
    """
    if info.cmdline is None:
        return UNKNOWN
    if info.cmdline and any(info.cmdline):
        # ps joins the arguments with spaces and turns newlines into spaces too.
        return " ".join(info.cmdline).replace("\n", " ")
    text = f"[{info.comm}]"
    if info.state == "Z":
        text += " <defunct>"
    return text


def format_pcpu(per_mill: int) -> str:
    """Format a CPU share as ps's ``%CPU``: ``12.3``, or ``123`` from 100 on.

    Args:
        per_mill: Tenths of a percent (truncated, as ps computes it).

    Returns:
        The text.
    """
    if per_mill > 999:
        return str(per_mill // 10)
    return f"{per_mill // 10}.{per_mill % 10}"


def format_pmem(rss_kib: int, total_kib: int) -> str:
    """Format ps's ``%MEM``: resident memory over all memory, ``%2u.%u``, at most 99.9.

    Args:
        rss_kib: Resident set size in KiB.
        total_kib: The machine's memory in KiB.

    Returns:
        The text.
    """
    per_mill = min(999, rss_kib * 1000 // total_kib) if total_kib > 0 else 0
    return f"{per_mill // 10:2}.{per_mill % 10}"


def format_bsdtime(ticks: int, hertz: int) -> str:
    """Format ps's ``bsdtime``: CPU minutes and seconds, ``%3u:%02u``.

    Args:
        ticks: CPU time in clock ticks.
        hertz: Clock ticks per second.

    Returns:
        The text, for example ``  0:05`` or ``123:45``.
    """
    seconds = ticks // hertz
    return f"{seconds // 60:3}:{seconds % 60:02}"


def format_start(started: int, now: float) -> str:
    """Format ps's ``start``: the time of day if within 24 hours, else ``  Mon DD``.

    Args:
        started: Start, seconds since the epoch.
        now: The current time, seconds since the epoch.

    Returns:
        The text, eight characters.
    """
    if started + 86400 > now:
        return time.strftime("%H:%M:%S", time.localtime(started))
    return time.strftime("  %b %d", time.localtime(started))


def format_bsdstart(started: int, now: float) -> str:
    """Format ps's ``bsdstart``: `` HH:MM`` within 24 hours, else ``Mon DD``.

    The day is padded with a space, as ``ctime`` pads it.

    Args:
        started: Start, seconds since the epoch.
        now: The current time, seconds since the epoch.

    Returns:
        The text, six characters.
    """
    if now - started > 86400:
        return time.strftime("%b %e", time.localtime(started))[:6]
    return time.strftime(" %H:%M", time.localtime(started))[:6]


def format_lstart(started: int) -> str:
    """Format ps's ``lstart``: the full date as ``ctime`` prints it.

    Args:
        started: Start, seconds since the epoch.

    Returns:
        For example ``Sun Dec  6 04:43:51 2026``.
    """
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(started))


def format_stime(started: int, now: float) -> str:
    """Format ps's ``stime``: ``HH:MM`` today, ``MonDD`` this year, else the year.

    Args:
        started: Start, seconds since the epoch.
        now: The current time, seconds since the epoch.

    Returns:
        The text.
    """
    then = time.localtime(started)
    today = time.localtime(now)
    if today.tm_year != then.tm_year:
        return time.strftime("%Y", then)
    if today.tm_yday != then.tm_yday:
        return time.strftime("%b%d", then)
    return time.strftime("%H:%M", then)


def format_mask(mask: int, *, wide: bool = False) -> str:
    """Format a signal mask as ps does: 8 hex digits, ``<`` if cut, or all 16 when wide.

    Args:
        mask: The mask (bit n-1 is signal n).
        wide: ps's wide form, used when the line has room for it.

    Returns:
        The text.
    """
    text = f"{mask:016x}"
    if wide:
        return text
    if mask >> 32:
        return "<" + text[8:]
    return text[8:]


@lru_cache(maxsize=4096)
def mask_names(mask: int) -> str:
    """Name the signals in a mask, comma-separated (``HUP,USR1``); ``-`` if none.

    Args:
        mask: The mask (bit n-1 is signal n).

    Returns:
        The names.
    """
    if not mask:
        return "-"
    names = [
        signal_name(bit + 1).removeprefix("SIG")
        for bit in range(mask.bit_length())
        if mask >> bit & 1
    ]
    return ",".join(names)


@lru_cache(maxsize=1)
def boot_time() -> int:
    """Return when the system booted (``btime``), seconds since the epoch, as ps.

    Returns:
        The time, or 0 if unknown.
    """
    return _first_number("/proc/stat", b"btime ")


@lru_cache(maxsize=1)
def memory_total() -> int:
    """Return the machine's memory in KiB (``MemTotal``), as ps reads it for ``%MEM``.

    Returns:
        The amount, or 0 if unknown.
    """
    return _first_number("/proc/meminfo", b"MemTotal:")


def _first_number(path: str, label: bytes) -> int:
    """The number after ``label`` on the first line starting with it; 0 if none."""
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(label):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
"""The memory page size in KiB (``sz`` counts pages)."""


@lru_cache(maxsize=4096)
def user_name(uid: int) -> str:
    """The name of a user id, or the number as text (as procps's cache).

    Args:
        uid: The user id.

    Returns:
        The user's name, or the uid as digits.
    """
    return _name_of(pwd.getpwuid, uid)


@lru_cache(maxsize=4096)
def group_name(gid: int) -> str:
    """The name of a group id, or the number as text.

    Args:
        gid: The group id.

    Returns:
        The group's name, or the gid as digits.
    """
    return _name_of(grp.getgrgid, gid)


def _name_of(lookup: Callable[[int], tuple[Any, ...]], number: int) -> str:
    """The name (first field) of a passwd or group entry, or the number as text."""
    try:
        return str(lookup(number)[0])
    except (KeyError, OverflowError):
        return str(number)
