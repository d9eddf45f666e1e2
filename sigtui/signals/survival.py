"""Why a process is still there: what holds it, read from /proc, in plain words.

Its signal masks say whether it catches, blocks or ignores a signal (see
:mod:`sigtui.signals.predict`). Four other things keep a process from acting
on a signal at all, and they are what this module reads and explains:

- uninterruptible sleep (``D``): it is inside a kernel call that does not look
  at signals until it returns; ``/proc/PID/wchan`` names the kernel function
  it waits in. SIGKILL stays pending too (measured: a process blocked on a
  pipe's lock stays ``D`` with SIGKILL pending). A few such waits are
  "killable" (a ``vfork`` parent's, also ``D``, ends on SIGKILL); /proc cannot
  tell the two apart, so the words say so.
- zombie (``Z``): it has exited; only its exit status is left, for its parent
  to collect with ``wait()``. Signals do nothing to it. If the parent never
  waits, ending the parent makes init (or a subreaper) adopt and reap it.
- stopped (``T``): signals other than SIGKILL and SIGCONT wait, pending, until
  SIGCONT; SIGKILL ends it at once.
- traced (``t``, or a non-zero ``TracerPid``): its tracer (a debugger,
  strace) sees each signal first and decides whether it is delivered; while
  the tracer holds it stopped, signals wait; SIGKILL still ends it.

Standard library and sigtui's own non-UI packages only.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from enum import Enum

from sigtui.processes import ProcessInfo, display_escape
from sigtui.processes.readers import parse_wchan as ps_wchan
from sigtui.processes.readers import still_running
from sigtui.signals.catalog import SignalSpec
from sigtui.signals.predict import Outcome, Prediction

_DEAD = ("Z", "X")


class Hold(Enum):
    """What keeps a process from acting on signals."""

    UNINTERRUPTIBLE = "uninterruptible sleep"
    """State D: inside a kernel call that takes no signal until it returns."""
    ZOMBIE = "zombie"
    """State Z: already exited, waiting for its parent to reap it."""
    STOPPED = "stopped"
    """State T: signals wait for SIGCONT (SIGKILL does not)."""
    TRACED = "traced"
    """State t, or a tracer attached: the tracer sees every signal first."""


@dataclass(frozen=True)
class Peer:
    """Another process named in an explanation (a parent or a tracer).

    Attributes:
        pid: Its pid.
        name: Its command name as the kernel keeps it, or None if unreadable.
    """

    pid: int
    name: str | None

    def describe(self) -> str:
        """Name it for a sentence: ``4242 (bash)``, or ``4242`` if unnamed."""
        if self.name is None:
            return str(self.pid)
        return f"{self.pid} ({display_escape(self.name)})"


@dataclass(frozen=True)
class Circumstances:
    """What /proc says about a process, beyond its signal masks.

    Attributes:
        pid: The process.
        state: Its one-letter state now (R, S, D, T, t, Z ...).
        wchan: The kernel function it sleeps in, or None (not sleeping, or
            hidden from this reader: the kernel then shows ``0``).
        threads: Its number of threads.
        parent: Its parent, or None for pid 1 and kernel threads.
        tracer: The process tracing it (``TracerPid``), or None.
    """

    pid: int
    state: str
    wchan: str | None = None
    threads: int = 1
    parent: Peer | None = None
    tracer: Peer | None = None


@dataclass(frozen=True)
class Reason:
    """Why a process is still there, in words.

    Attributes:
        hold: The kind of reason.
        summary: A clause for a log line, after "still there: ".
        explanation: One or two sentences for the details panel or a caption.
    """

    hold: Hold
    summary: str
    explanation: str


def parse_wchan(data: bytes) -> str | None:
    """Decode ``/proc/PID/wchan`` as the WCHAN column shows it.

    Args:
        data: The file's bytes.

    Returns:
        The kernel function's name, or None when the file says ``0`` or
        nothing (the process is not asleep, or the reader may not know).
    """
    text = ps_wchan(data.strip())
    return None if text in ("-", "?") else display_escape(text)


def parse_tracer_pid(status: bytes) -> int:
    """The ``TracerPid`` of a ``/proc/PID/status`` file (0: not traced).

    Args:
        status: The file's bytes.

    Returns:
        The tracer's pid, or 0.
    """
    for line in status.split(b"\n"):
        if line.startswith(b"TracerPid:"):
            try:
                return int(line[10:].strip())
            except ValueError:
                return 0
    return 0


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None


def _peer(pid: int, root: str) -> Peer:
    comm = _read(f"{root}/{pid}/comm")
    name = None if comm is None else comm.decode("utf-8", "surrogateescape").strip()
    return Peer(pid, name)


def read_circumstances(
    info: ProcessInfo, *, root: str = "/proc"
) -> Circumstances | None:
    """Read, now, what holds a listed process.

    Args:
        info: The process as listed (its pid and start time name it).
        root: Where procfs is mounted.

    Returns:
        What /proc says, or None if that process is gone (even if its pid
        was reused meanwhile).
    """
    try:
        stat = still_running(info, root)
    except OSError:  # hidden (hidepid) or unreadable: nothing to say
        return None
    if stat is None:
        return None
    base = f"{root}/{info.pid}"
    wchan_data = _read(f"{base}/wchan")
    wchan = None if wchan_data is None else parse_wchan(wchan_data)
    status = _read(f"{base}/status")
    tracer_pid = 0 if status is None else parse_tracer_pid(status)
    return Circumstances(
        pid=info.pid,
        state=stat.state,
        wchan=wchan,
        threads=stat.num_threads,
        parent=_peer(stat.ppid, root) if stat.ppid > 0 else None,
        tracer=_peer(tracer_pid, root) if tracer_pid > 0 else None,
    )


def _uninterruptible(c: Circumstances) -> Reason:
    where = f" in {c.wchan}" if c.wchan else ""
    return Reason(
        Hold.UNINTERRUPTIBLE,
        f"it is in uninterruptible sleep (D){where}, where no signal acts, not even "
        "SIGKILL, until that kernel call returns",
        f"Uninterruptible sleep (D){where}: it is inside a kernel call that "
        "looks at no signal, not even SIGKILL, until it returns; signals sent "
        "meanwhile stay pending and act then. (A few such waits, like a vfork "
        "parent's, do let SIGKILL through.)",
    )


def _zombie(c: Circumstances) -> Reason:
    parent = c.parent
    if parent is None:
        who = "its parent"
        what = "its parent must wait() for it"
    elif parent.pid == 1:
        who = f"its parent init {parent.describe()}"
        what = "init normally reaps zombies at once"
    else:
        who = f"its parent {parent.describe()}"
        what = (
            f"the parent must wait() for it; sending {parent.pid} SIGCHLD may "
            "remind it, and ending the parent lets init adopt and reap the zombie"
        )
    return Reason(
        Hold.ZOMBIE,
        f"exited, but {who} has not reaped it (a zombie); signalling it does nothing",
        "A zombie: it has already exited and only its exit status is left, for "
        f"{who}, which has not reaped it yet. Signalling the zombie does nothing: "
        f"{what}.",
    )


def _stopped(sig_name: str) -> Reason:
    waits = (
        "SIGTERM and other signals wait"
        if sig_name in ("", "SIGTERM")
        else f"{sig_name} and other signals wait"
    )
    return Reason(
        Hold.STOPPED,
        f"it is stopped (T): {waits}, pending, until SIGCONT; SIGKILL would end it now",
        f"Stopped (T): {waits}, pending, until it gets SIGCONT; SIGKILL ends it "
        "at once.",
    )


def _traced(c: Circumstances, sig_name: str) -> Reason:
    tracer = "its tracer" if c.tracer is None else f"its tracer {c.tracer.describe()}"
    what = sig_name or "every signal"
    if c.state == "t":
        return Reason(
            Hold.TRACED,
            f"it is stopped by {tracer} (t): {what} waits until the tracer "
            "lets it run, and the tracer may discard it; SIGKILL would end it now",
            f"Stopped by {tracer} (t, TracerPid): signals wait until the tracer "
            "lets it run, and the tracer sees each one first and may discard it; "
            "SIGKILL ends it at once.",
        )
    return Reason(
        Hold.TRACED,
        f"it is traced by {tracer}, which sees {what} first and may discard it",
        f"Traced by {tracer} (TracerPid): the tracer sees every signal but "
        "SIGKILL first and decides whether the process gets it.",
    )


def holds(c: Circumstances) -> tuple[Reason, ...]:
    """Everything that keeps a process from acting on signals right now.

    For the details panel: no signal in particular.

    Args:
        c: What /proc says about it.

    Returns:
        The reasons, the strongest first; empty for an ordinary process
        (then only its masks matter).
    """
    if c.state in _DEAD and c.threads <= 1:
        return (_zombie(c),)
    reasons: list[Reason] = []
    if c.state == "D":
        reasons.append(_uninterruptible(c))
    if c.state == "T":
        reasons.append(_stopped(""))
    if c.state == "t" or c.tracer is not None:
        reasons.append(_traced(c, ""))
    return tuple(reasons)


def why_still_there(
    c: Circumstances, sig: SignalSpec, prediction: Prediction | None = None
) -> Reason | None:
    """Why a process is still there after ``sig``, if its state explains it.

    Args:
        c: What /proc says about it, read after the signal.
        sig: The signal it got.
        prediction: What its masks said before the send, if read.

    Returns:
        The reason, or None when its state does not explain it (then its
        masks do: a handler, an ignored or a blocked signal).
    """
    if sig.probe:
        return None
    if c.state in _DEAD and c.threads <= 1:
        return _zombie(c)
    if c.state == "D":
        return _uninterruptible(c)
    killed = sig.number == int(signal.SIGKILL)
    # A stopped process discards at once what it ignores; then the masks,
    # not the stop, are the reason.
    discarded = prediction is not None and prediction.outcome is Outcome.IGNORED
    if killed or discarded:
        return None
    if c.state == "t":
        return _traced(c, sig.name)
    # A tracer that lets it run explains its survival only where its masks do
    # not: with no handler, the default action should have happened.
    unexplained = prediction is None or prediction.outcome in (
        Outcome.DEFAULT,
        Outcome.UNKNOWN,
    )
    if c.tracer is not None and c.state != "T" and unexplained:
        return _traced(c, sig.name)
    if c.state == "T":
        return _stopped(sig.name)
    return None


def after_kill(c: Circumstances | None) -> str:
    """Why a process is still there after SIGKILL, for ``x``'s last message.

    Args:
        c: What /proc says about it now, or None if it could not be read.

    Returns:
        A clause such as "it is in uninterruptible sleep (D) in
        anon_pipe_write: no signal acts, ...".
    """
    if c is None:
        return "its state could not be read"
    if c.state == "D" or (c.state in _DEAD and c.threads <= 1):
        return holds(c)[0].summary
    return (
        f"it is in state {c.state}; SIGKILL stays pending until it next "
        "leaves the kernel"
    )


__all__ = [
    "Circumstances",
    "Hold",
    "Peer",
    "Reason",
    "after_kill",
    "holds",
    "parse_tracer_pid",
    "parse_wchan",
    "read_circumstances",
    "why_still_there",
]
