"""Formatting of process fields exactly as procps ``ps`` prints them."""

from __future__ import annotations

import math
import unicodedata

from sigtui.processes.model import ProcessInfo

UNKNOWN = "?"
"""What a field that could not be read looks like."""


def format_cputime(seconds: float) -> str:
    """Format CPU time as ps's TIME column: ``[DD-]HH:MM:SS``.

    Args:
        seconds: CPU seconds (fractions are dropped, as ps does).

    Returns:
        The formatted time.
    """
    total = max(0, math.floor(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02}:{minutes:02}:{secs:02}"
    return f"{days}-{clock}" if days else clock


def format_etime(seconds: float) -> str:
    """Format elapsed time as ps's ELAPSED column: ``[[DD-]HH:]MM:SS``.

    Args:
        seconds: Seconds since the process started.

    Returns:
        The formatted time.
    """
    total = max(0, math.floor(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
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
