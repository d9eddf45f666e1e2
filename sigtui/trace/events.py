"""Parse the lines of a tracing instance's ``trace_pipe`` into raw events.

Standard library only. With ``options/record-tgid`` on, a line reads::

    bash-31023   (  31023) [001] d..1. 20044.468305: signal_generate: sig=10 ...

that is the running task's name and thread id, its thread group id, the CPU,
the flags (the third is ``h``/``s``/``H`` in interrupt context), the time
(``trace_clock`` mono: ``time.monotonic()``), the event and its fields. Names
may hold spaces and dashes, so every split here is anchored at the right.
Parsing is on the hot path (research/tracing.md 3: 4.5 to 6 µs a line), so
it uses ``str`` methods rather than a regular expression.
"""

from __future__ import annotations

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
