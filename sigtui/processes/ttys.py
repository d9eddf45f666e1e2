"""Name a controlling terminal from the kernel's ``tty_nr`` the way ps does.

psutil maps terminals by scanning ``/dev`` once and memoising the result, so a
pseudo-terminal opened later is missed (see research/perf-baseline.md); decoding
the device number needs neither the scan nor the cache.
"""

from __future__ import annotations

import os
from functools import lru_cache

_PTS_MAJORS = range(136, 144)
_DRIVERS_PATH = "/proc/tty/drivers"


def split_device(tty_nr: int) -> tuple[int, int]:
    """Split a Linux device number into (major, minor).

    Args:
        tty_nr: The number from ``/proc/PID/stat`` field 7.

    Returns:
        The major and minor numbers.
    """
    major = (tty_nr >> 8) & 0xFFF
    minor = (tty_nr & 0xFF) | ((tty_nr >> 12) & 0xFFF00)
    return major, minor


@lru_cache(maxsize=1)
def _drivers() -> tuple[tuple[str, int, int, int], ...]:
    """Read the tty driver table: (device prefix, major, first minor, last minor)."""
    rows: list[tuple[str, int, int, int]] = []
    try:
        with open(_DRIVERS_PATH, encoding="ascii", errors="replace") as table:
            for line in table:
                parts = line.split()
                if len(parts) < 4 or not parts[2].isdigit():
                    continue
                first, _, last = parts[3].partition("-")
                if not first.isdigit() or (last and not last.isdigit()):
                    continue
                rows.append((parts[1], int(parts[2]), int(first), int(last or first)))
    except OSError:
        pass
    return tuple(rows)


def _from_driver_table(major: int, minor: int) -> str | None:
    """Find a /dev node for the device through the driver table, as ps does."""
    for prefix, drv_major, first, last in _drivers():
        if drv_major != major or not first <= minor <= last:
            continue
        candidates = (prefix, f"{prefix}{minor}", f"{prefix}/{minor}")
        if first != last:
            candidates = (f"{prefix}{minor}", f"{prefix}/{minor}", prefix)
        for path in candidates:
            try:
                st = os.stat(path)
            except OSError:
                continue
            if os.major(st.st_rdev) == major and os.minor(st.st_rdev) == minor:
                return path.removeprefix("/dev/")
    return None


@lru_cache(maxsize=4096)
def tty_name(tty_nr: int) -> str | None:
    """Return the terminal's name as ps prints it, or None for no terminal.

    Args:
        tty_nr: The number from ``/proc/PID/stat`` field 7.

    Returns:
        ``pts/N``, ``ttyN``, ``ttySN``, ``console``, another ``/dev`` name, or
        ``MAJOR:MINOR`` when the device has no name; None when ``tty_nr`` is 0.
    """
    if tty_nr == 0:
        return None
    major, minor = split_device(tty_nr)
    if major in _PTS_MAJORS:
        return f"pts/{minor + (major - _PTS_MAJORS.start) * 256}"
    if major == 4:
        return f"tty{minor}" if minor < 64 else f"ttyS{minor - 64}"
    if (major, minor) == (5, 1):
        return "console"
    return _from_driver_table(major, minor) or f"{major}:{minor}"
