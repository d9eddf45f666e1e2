"""A process's signal state, decoded from ``/proc/PID/status``.

The kernel prints five 64-bit masks in hex: bit ``i`` (lowest first) stands for
signal ``i + 1``. SigPnd (pending for the thread) and SigBlk, SigIgn and SigCgt
are per thread; ShdPnd (pending for the whole process) is what ``kill()``
creates. A signal sent to a process reaches any thread that does not block it,
so sigtui counts a signal as blocked only when *every* thread blocks it.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field

_HEX_DIGITS = frozenset(string.hexdigits.encode())
_DEAD_THREAD = (b"Z", b"X")

_MASKS = {
    b"SigPnd": "thread_pending",
    b"ShdPnd": "shared_pending",
    b"SigBlk": "blocked",
    b"SigIgn": "ignored",
    b"SigCgt": "caught",
}


def decode_mask(text: str | bytes) -> frozenset[int]:
    """Turn a hex mask from ``/proc/PID/status`` into signal numbers.

    Args:
        text: Hex digits, such as ``0000000000004202``.

    Returns:
        The numbers whose bits are set (bit 0 is signal 1).

    Raises:
        ValueError: If the text is not hexadecimal digits only (``int()``
            would also take a sign, ``0x`` or ``_``; a negative mask would
            never end the loop below).
    """
    digits = (
        text.encode("ascii", "replace") if isinstance(text, str) else text
    ).strip()
    if not digits or not _HEX_DIGITS.issuperset(digits):
        raise ValueError(f"not a hexadecimal signal mask: {text!r}")
    bits = int(digits, 16)
    numbers = []
    number = 1
    while bits:
        if bits & 1:
            numbers.append(number)
        bits >>= 1
        number += 1
    return frozenset(numbers)


@dataclass(frozen=True)
class SignalState:
    """What a process does with signals, as /proc reports it.

    Attributes:
        queued: Signals queued for the process's real user (SigQ), if known.
        queue_limit: That user's limit (RLIMIT_SIGPENDING), if known.
        thread_pending: Pending for the main thread (SigPnd).
        shared_pending: Pending for the whole process (ShdPnd).
        blocked: Blocked by every thread of the process.
        ignored: Ignored (SIG_IGN).
        caught: Caught by a handler.
    """

    queued: int | None = None
    queue_limit: int | None = None
    thread_pending: frozenset[int] = field(default_factory=frozenset)
    shared_pending: frozenset[int] = field(default_factory=frozenset)
    blocked: frozenset[int] = field(default_factory=frozenset)
    ignored: frozenset[int] = field(default_factory=frozenset)
    caught: frozenset[int] = field(default_factory=frozenset)

    @property
    def pending(self) -> frozenset[int]:
        """Every pending signal, for the thread or the process."""
        return self.thread_pending | self.shared_pending


def parse_signal_status(data: bytes) -> SignalState:
    """Decode the signal lines of a ``/proc/PID/status`` file.

    Args:
        data: The file's bytes.

    Returns:
        The state; masks that are missing are empty.

    Raises:
        ValueError: If a mask line is malformed.
    """
    values: dict[str, frozenset[int]] = {}
    queued: int | None = None
    limit: int | None = None
    for line in data.split(b"\n"):
        key, _, rest = line.partition(b":")
        rest = rest.strip()
        if key in _MASKS:
            values[_MASKS[key]] = decode_mask(rest)
        elif key == b"SigQ":
            count, _, maximum = rest.partition(b"/")
            queued, limit = int(count), int(maximum)
    return SignalState(queued=queued, queue_limit=limit, **values)


def _blocked_by_every_thread(base: str, main: frozenset[int]) -> frozenset[int]:
    """Intersect the blocked masks of all live threads.

    A thread that has exited but not been released (state Z, such as a main
    thread that called ``pthread_exit`` while others run on) keeps its last
    mask but takes no signal any more, so it is left out. If no live thread
    can be read, ``main`` (the main thread's mask) is the answer.
    """
    try:
        tasks = os.listdir(f"{base}/task")
    except OSError:
        return main
    blocked: frozenset[int] | None = None
    for task in tasks:
        try:
            with open(f"{base}/task/{task}/status", "rb") as status:
                data = status.read()
        except OSError:
            continue  # the thread ended meanwhile
        letter = b""
        mask: frozenset[int] | None = None
        for line in data.split(b"\n"):
            if line.startswith(b"State:"):
                letter = line[6:].strip()[:1]
            elif line.startswith(b"SigBlk:"):
                mask = decode_mask(line[7:])
                break
        if mask is None or letter in _DEAD_THREAD:
            continue
        blocked = mask if blocked is None else blocked & mask
    return main if blocked is None else blocked


def read_signal_state(pid: int, *, root: str = "/proc") -> SignalState:
    """Read a process's signal state now.

    Args:
        pid: The process.
        root: Where procfs is mounted.

    Returns:
        The decoded state.

    Raises:
        ProcessLookupError: If the process does not exist (any more).
        PermissionError: If its status cannot be read.
    """
    base = f"{root}/{pid}"
    try:
        with open(f"{base}/status", "rb") as status:
            data = status.read()
    except FileNotFoundError:
        raise ProcessLookupError(f"no process {pid}") from None
    state = parse_signal_status(data)
    threads = next(
        (
            int(line.split()[1])
            for line in data.split(b"\n")
            if line.startswith(b"Threads:")
        ),
        1,
    )
    if threads > 1:
        blocked = _blocked_by_every_thread(base, state.blocked)
        if blocked != state.blocked:
            state = SignalState(
                state.queued,
                state.queue_limit,
                state.thread_pending,
                state.shared_pending,
                blocked,
                state.ignored,
                state.caught,
            )
    return state
