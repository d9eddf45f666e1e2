"""What the demo and the lessons take from the kernel's trace, and its words.

Standard library only. The demo and the lessons learn about their processes
from two kinds of source: instrumented ones (a program's own report that a
handler ran; the supervisor's ``waitid`` or pidfd, which sees a process it
started stop, continue and end) and the kernel's trace
(:mod:`sigtui.trace`), which sees every signal, who sent it and what became
of it, but arrives in batches (about 100 ms late), may lose events under a
flood, and cannot see a signal taken with ``sigwait``.

Both sessions follow one rule, so that a delivery is never counted twice:
**each fact about a process has one source, chosen by what can see it, not
by which report arrives first.**

- A handler ran (fate ``caught``): the program's own report when the process
  reports itself (the demo child, the lesson programs); the trace only for a
  process that reports nothing (a plain program such as ``cat``).
- Any other fate of a signal it took (``ignored``, ``killed``, ``stopped``,
  ``continued``): always the trace. No program can report a signal the
  kernel threw away or whose default action ran, so the trace adds these
  as receipts, with their sender.
- A stop or a continue as a change of state: the supervisor for a process
  it started; the trace for the others (a pidfd cannot see a stop).
- An end: always the supervisor (or the demo child's report of its member),
  which sees every end of every process it watches, even when the trace
  lost it.

Why not pair the two sources by process, signal and a time window: the trace
gives a blocked signal's fate minutes later (``late``), its batches and its
one-second hold put it a second or more behind the report, and a report and a
traced record of the same delivery do not even have the same kind (a
ticker's ``said`` is a traced ``caught``). A window would either merge two
real deliveries or count one twice, depending on timing; one source per fact
does neither, and a lesson's checks see the same kinds with tracing on or off.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping, Sequence

from sigtui.procfs import signal_name
from sigtui.trace.records import Fate, Record, TracedSignal
from sigtui.trace.words import code_words, sender_words

TAKEN = frozenset(
    {Fate.CAUGHT, Fate.IGNORED, Fate.KILLED, Fate.STOPPED, Fate.CONTINUED}
)
"""Fates that say the process took the signal: a receipt."""

STATE_CHANGES = frozenset({Fate.STOPPED, Fate.CONTINUED})
"""Fates that change a process's state (not its end)."""

QUIET = frozenset({int(signal.SIGCHLD), int(signal.SIGWINCH), int(signal.SIGURG)})
"""Signals ignored by default: one ignored is not news (a SIGCHLD at every exit)."""

_FATES = {
    Fate.CAUGHT: "caught by a handler",
    Fate.IGNORED: "ignored: the kernel threw it away, the program never saw it",
    Fate.KILLED: "its default action ended the process",
    Fate.STOPPED: "its default action stopped the process",
    Fate.CONTINUED: "the process continues (if it was stopped)",
}


def receipts(
    records: Sequence[Record], alive: frozenset[int], ended: Mapping[int, float]
) -> list[TracedSignal]:
    """The traced signals one of these processes took, in order.

    A record given out as pending is left out: its fate is not known (it may
    come later with the same id, ``late``, and then counts once). The trace
    lags, so the signal that ended a process usually arrives after its end:
    an ended process still counts for what was sent before it ended, and
    only that (after it, its pid may belong to someone else).

    Args:
        records: A batch from the trace.
        alive: The processes of interest that have not ended.
        ended: Those that have ended: pid to when (``time.monotonic()``).

    Returns:
        The signals with a fate in :data:`TAKEN` sent to one of them,
        without an ignored signal of :data:`QUIET`.
    """
    out = []
    for record in records:
        if not isinstance(record, TracedSignal) or record.fate not in TAKEN:
            continue
        if record.fate is Fate.IGNORED and record.signo in QUIET:
            continue
        pid = record.target_pid
        end = ended.get(pid)
        if (end is not None and record.time <= end) or (end is None and pid in alive):
            out.append(record)
    return out


def receipt_line(who: str, record: TracedSignal) -> str:
    """Say what became of a signal a process took, as the trace saw it.

    Args:
        who: The process as the log names it: ``cat (4242)``.
        record: The traced signal.

    Returns:
        "cat (4242) received SIGHUP from 4200 (sigtui) by kill(): its
        default action ended the process (the kernel's trace)".
    """
    how = code_words(record.signo, record.code)
    return (
        f"{who} received {signal_name(record.signo)} from {sender_words(record)} "
        f"by {how}: {_FATES[record.fate]} (the kernel's trace)"
    )


def sender_data(record: TracedSignal) -> dict[str, object]:
    """What a lesson's observation keeps of a traced signal.

    Args:
        record: The traced signal.

    Returns:
        ``traced`` (True), ``fate``, ``sender_pid``, ``sender_name``,
        ``sender`` (in words), ``code`` and ``t_mono_ns`` (when it was taken,
        or sent if it was not taken).
    """
    when = record.taken if record.taken is not None else record.time
    return {
        "traced": True,
        "fate": record.fate.value,
        "sender_pid": record.sender_pid,
        "sender_name": record.sender_name,
        "sender": sender_words(record),
        "code": record.code,
        "t_mono_ns": int(when * 1e9),
    }
