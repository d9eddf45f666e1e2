"""How the demo and lesson programs name themselves in ps, top and sigtui.

Standard library only, like the demo child. A Python program's row would read
``/…/python3 -m sigtui.demo.child --human``; each program rewrites its command
line and its kernel name (``comm``) to its role instead: ``demo``, ``demo
member 1``, ``ticker``.
"""

from __future__ import annotations

import contextlib
import ctypes

PR_SET_NAME = 15
"""prctl() option that sets the kernel's name of the process (``comm``)."""

CHILD_NAME = "demo"
"""The demo child's name: its command line, its ``comm`` and its name in the log."""


def member_name(number: int) -> str:
    """The name of one of the demo's members.

    Args:
        number: The member's number, from 1.

    Returns:
        ``demo member N`` (its ``comm`` is ``demo-member-N``).
    """
    return f"{CHILD_NAME} member {number}"


def set_name(name: str) -> None:
    """Show the process as ``name`` alone, in ps, top and sigtui, best effort.

    A lesson's table should read ``ticker``, the name its steps use, rather
    than ``python3 -m sigtui.lessons.programs.ticker --name ticker ...``. The
    command line is rewritten first, then the kernel's name (``comm``): a
    scanner that caches command lines until ``comm`` changes then never keeps
    the old one.

    Args:
        name: The name; the kernel's name keeps 15 bytes of it, spaces as dashes.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        _set_command_line(name.encode())
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, name.replace(" ", "-").encode()[:15], 0, 0, 0)


def _set_command_line(title: bytes) -> None:
    """Overwrite this process's argument strings in place, as setproctitle does.

    The kernel shows ``/proc/self/cmdline`` as the bytes between the addresses
    ``arg_start`` and ``arg_end`` (fields 48 and 49 of ``/proc/self/stat``);
    when the last of them is not NUL, as the string that starts there, up to
    its first NUL. Python has copied its arguments at startup, so ``sys.argv``
    keeps them.
    """
    with open("/proc/self/stat", "rb") as stat:
        data = stat.read()
    fields = data[data.rindex(b")") + 2 :].split()  # from field 3, the state
    start, end = int(fields[48 - 3]), int(fields[49 - 3])
    size = end - start
    if start == 0 or size < len(title) + 2:
        return
    ctypes.memmove(start, title + b"\0" * (size - len(title) - 1) + b" ", size)
