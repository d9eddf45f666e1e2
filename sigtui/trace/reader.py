"""Read a tracing instance's ``trace_pipe`` and give out paired records.

Standard library only. :func:`read_records` is the loop behind
``sigtui trace`` and behind the TUI's reader process: it waits for the pipe
to be readable, waits :data:`BATCH` seconds so that a flood is read in
large batches rather than one wake per event, drains it until EAGAIN (one
read returns at most about 8 KiB) or :data:`MAX_BATCH` bytes, parses and
pairs what it read (:mod:`sigtui.trace.pairing`), and hands the records to
``emit``. After a batch cut at :data:`MAX_BATCH` it reads on at once.

Why the cut: under a flood the pipe fills as fast as it is read, so "until
EAGAIN" may never come: the reader would hold the whole flood in memory and
give out nothing until it ended (at 50,000 signals/s it read 28 MB in two
reads in 3 s, and a reader stopped meanwhile gave out a tenth of the
signals, with no loss reported). With the cut, a reader that cannot keep
up leaves the rest in the kernel's buffer, whose overflow the kernel reports
(``[LOST N EVENTS]``): counted, never silent.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable

from sigtui.trace.events import parse_lines, whole_lines
from sigtui.trace.pairing import Pairer
from sigtui.trace.records import Record

BATCH = 0.1
"""Seconds between reads while events arrive (research/tracing.md 3)."""

CHUNK = 1 << 16

MAX_BATCH = 1 << 20
"""Bytes read at most before they are parsed (about 7,500 lines, 0.4 s of
10,000 signals/s); the kernel's buffer holds the rest (2 MiB a CPU)."""


def read_records(
    fd: int,
    emit: Callable[[list[Record]], None],
    *,
    stop_fd: int | None = None,
    batch: float = BATCH,
    pairer: Pairer | None = None,
    until: Callable[[], bool] | None = None,
) -> None:
    """Read and pair events until ``stop_fd`` reaches its end or ``until()`` says so.

    Args:
        fd: The instance's ``trace_pipe``, open and non-blocking; the caller
            closes it.
        emit: Called with each batch of records (never an empty one).
        stop_fd: A file descriptor whose end of file (or error) ends the loop:
            a lifeline whose write end the owner holds.
        batch: Seconds to wait after a wake before reading, to read in bulk.
        pairer: The pairing state (default: a new one).
        until: Checked after each batch; True ends the loop.
    """
    pairer = pairer or Pairer()
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if stop_fd is not None:
        poller.register(stop_fd, select.POLLIN | select.POLLHUP)
    partial = b""
    more = False
    while True:
        # Behind (the last batch was cut): only a look at the lifeline.
        ready = poller.poll(0 if more else int(pairer.hold * 1000 / 2))
        lifeline = any(ready_fd == stop_fd for ready_fd, _ in ready)
        if lifeline and not _still_open(stop_fd):
            break
        if not more and any(ready_fd == fd for ready_fd, _ in ready) and batch > 0:
            time.sleep(batch)
        data, closed, more = _drain(fd)
        lines, partial = whole_lines(partial, data)
        events = parse_lines(lines)
        records = pairer.feed(events, time.monotonic())
        if records:
            emit(records)
        if closed or (until is not None and until()):
            break
    records = pairer.flush(time.monotonic())
    if records:
        emit(records)


def _still_open(fd: int | None) -> bool:
    if fd is None:
        return True
    try:
        return bool(os.read(fd, 4096))
    except BlockingIOError:
        return True
    except OSError:
        return False


def _drain(
    fd: int, limit: int = MAX_BATCH, chunk: int = CHUNK
) -> tuple[bytes, bool, bool]:
    """Read what there is now, ``chunk`` bytes a read, until ``limit`` bytes.

    Returns:
        The bytes; True if the pipe was closed; True if the limit cut the
        read short (there may be more).
    """
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            data = os.read(fd, chunk)
        except BlockingIOError:
            return b"".join(chunks), False, False
        if not data:
            return b"".join(chunks), True, False
        chunks.append(data)
        size += len(data)
    return b"".join(chunks), False, True
