"""Parse the lines of a tracing instance's ``trace_pipe`` into raw events.

Standard library only. With ``options/record-tgid`` on, a line reads::

    bash-31023   (  31023) [001] d..1. 20044.468305: signal_generate: sig=10 ...

that is the running task's name and thread id, its thread group id, the CPU,
the flags (the third is ``h``/``s``/``H`` in interrupt context), the time
(``trace_clock`` mono: ``time.monotonic()``), the event and its fields. Names
may hold spaces and dashes, so every split here is anchored at the right.
Parsing is on the hot path (research/tracing.md 3: 4.5 to 6 µs a line):
:func:`parse_lines` matches the two common shapes (``signal_generate`` and
``signal_deliver`` with ordinary separators) with one regular expression and
builds the events positionally; anything else, and any line whose sender name
could fool that expression, goes through :func:`parse_line`, the general
parser built from ``str`` methods. Both give the same events for the same
line (tests/unit/test_trace_fast.py checks them against each other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Head:
    """The part every event line shares: who was running, where, when.

    Attributes:
        comm: The running task's name, as the trace text gives it (it may be
            ``<...>`` or stale after an exec).
        tid: The running thread.
        tgid: Its thread group, or 0 if the kernel did not record it.
        irq: True if the event fired in interrupt context.
        time: Seconds on the monotonic clock.
    """

    comm: str
    tid: int
    tgid: int
    irq: bool
    time: float


@dataclass(slots=True)
class Generate:
    """``signal:signal_generate``: a signal was generated (in the sender).

    Attributes:
        head: The sender's side (the running task when it fired).
        signo: The signal.
        code: Its ``si_code``.
        target_comm: The target thread's name when it fired.
        target_tid: The target thread.
        process_directed: ``grp`` = 1.
        result: ``res``: 0 queued, 1 ignored, 2 merged, 3 dropped, 4 no info.
    """

    head: Head
    signo: int
    code: int
    target_comm: str
    target_tid: int
    process_directed: bool
    result: int


@dataclass(slots=True)
class Deliver:
    """``signal:signal_deliver``: a thread took a signal (in the receiver).

    Attributes:
        head: The receiving thread.
        signo: The signal.
        code: Its ``si_code``.
        handler: ``sa_handler`` as hex: "0" default action, "1" ignored.
    """

    head: Head
    signo: int
    code: int
    handler: str


@dataclass(slots=True)
class ProcessExit:
    """``sched:sched_process_exit`` with ``group_dead``: a process ended.

    Attributes:
        head: The last thread of the process, as it exited.
    """

    head: Head


@dataclass(slots=True)
class LostEvents:
    """A ``CPU:N [LOST M EVENTS]`` line: the buffer overflowed.

    Attributes:
        count: How many events that CPU lost.
    """

    count: int


Event = Generate | Deliver | ProcessExit | LostEvents


def _head(text: str) -> Head:
    # "  bash-31023   (  31023) [001] d..1. 20044.468305"
    prefix, _cpu, flags, stamp = text.rsplit(None, 3)
    opening = prefix.rfind("(")
    tgid_text = prefix[opening + 1 : -1].strip()
    task = prefix[:opening].strip()
    dash = task.rfind("-")
    return Head(
        comm=task[:dash],
        tid=int(task[dash + 1 :]),
        tgid=int(tgid_text) if tgid_text.isdigit() else 0,
        irq=len(flags) > 2 and flags[2] in "hsH",
        time=float(stamp),
    )


def _generate(head: Head, body: str) -> Generate:
    # "sig=10 errno=0 code=0 comm=sleep pid=31033 grp=1 res=0"; comm may hold spaces.
    sig, _errno, code, rest = body.split(" ", 3)
    at = rest.rfind(" pid=")
    pid, grp, res = rest[at + 1 :].split()
    return Generate(
        head=head,
        signo=int(sig[4:]),
        code=int(code[5:]),
        target_comm=rest[5:at],
        target_tid=int(pid[4:]),
        process_directed=grp == "grp=1",
        result=int(res[4:]),
    )


def _deliver(head: Head, body: str) -> Deliver:
    # "sig=9 errno=0 code=0 sa_handler=0 sa_flags=0"
    sig, _errno, code, handler, _flags = body.split()
    return Deliver(
        head=head, signo=int(sig[4:]), code=int(code[5:]), handler=handler[11:]
    )


def parse_line(line: str) -> Event | None:
    """Parse one line of ``trace_pipe``.

    Args:
        line: The line, with or without its newline.

    Returns:
        The event, or None for a line that is none of sigtui's events (or
        that the kernel cut short).
    """
    try:
        at = line.find(": signal_")
        if at > 0:
            head = _head(line[:at])
            if line.startswith("generate: ", at + 9):
                return _generate(head, line[at + 19 :].rstrip("\n"))
            if line.startswith("deliver: ", at + 9):
                return _deliver(head, line[at + 18 :].rstrip("\n"))
            return None
        at = line.find(": sched_process_exit: ")
        if at > 0:
            return ProcessExit(_head(line[:at])) if "group_dead=true" in line else None
        if "[LOST " in line:
            words = line[line.index("[LOST ") :].split()
            return LostEvents(int(words[1]))
    except (ValueError, IndexError):
        return None
    return None


_FAST = re.compile(
    # Lazy, not greedy (twice as fast): a name is at most 15 characters
    # (TASK_COMM_LEN), too short to hold a false "-TID (TGID) [CPU] FLAGS TIME:
    # signal_", so the first "-TID (" that fits is the last, which _head's rfind
    # finds; and " pid=N grp=N res=N" must end the line, so the target's name
    # ends at the last " pid=", as in _generate. [0-9], not \d: int() reads
    # other digits too, and parse_line decides those lines.
    r" *(.*?)-([0-9]+) +\( *([0-9]+|-+)\) +\[[0-9]+\] +(\S+) +([0-9]+\.[0-9]+)"
    r": signal_(?:generate: sig=([0-9]+) errno=-?[0-9]+ code=(-?[0-9]+) comm=(.*?)"
    r" pid=([0-9]+) grp=([0-9]+) res=([0-9]+)"
    r"|deliver: sig=([0-9]+) errno=-?[0-9]+ code=(-?[0-9]+) sa_handler=(\S+)"
    r" sa_flags=\S+)\n?"
)
"""The common shapes of both signal events: one match, fields by position."""


def whole_lines(partial: bytes, data: bytes) -> tuple[list[str], bytes]:
    """Cut what a pipe gave into whole lines and the start of the next one.

    Decoding all the lines at once is the same as one by one (a newline ends any
    UTF-8 sequence, valid or not) and much cheaper.

    Args:
        partial: What was left over from the previous read.
        data: What this read gave.

    Returns:
        The whole lines (without their newlines), and what is left over.
    """
    end = data.rfind(b"\n") + 1
    if not end:
        return [], partial + data
    lines = (partial + data[:end]).decode("utf-8", "replace").split("\n")
    lines.pop()  # the empty string after the last newline
    return lines, data[end:]


def parse_lines(lines: Iterable[str]) -> list[Event]:
    """Parse many lines of ``trace_pipe`` at once, as :func:`parse_line` would.

    Args:
        lines: Whole lines, with or without their newlines.

    Returns:
        The events, in order; lines that are no event are left out.
    """
    events: list[Event] = []
    append = events.append
    match = _FAST.fullmatch
    for line in lines:
        found = match(line)
        # ": signal_" inside the sender's name would make parse_line cut the
        # line there; keep its reading of such a line (and of every other shape).
        if (
            found is None
            or line.find(": signal_") != found.end(5)
            or found.group(1)[:1].isspace()  # _head would strip it
        ):
            event = parse_line(line)
            if event is not None:
                append(event)
            continue
        (comm, tid, tgid, flags, stamp, sig, code, target, pid, grp, res, dsig,
         dcode, handler) = found.groups()  # fmt: skip
        head = Head(
            comm,
            int(tid),
            0 if tgid[0] == "-" else int(tgid),
            len(flags) > 2 and flags[2] in "hsH",
            float(stamp),
        )
        if sig is not None:
            append(
                Generate(
                    head, int(sig), int(code), target, int(pid), grp == "1", int(res)
                )
            )
        else:
            append(Deliver(head, int(dsig), int(dcode), handler))
    return events
