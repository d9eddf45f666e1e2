"""A demo session: the demo child, what it reports, and the log's words for it.

Textual-free. A :class:`DemoSession` starts ``python -m sigtui.demo.child``
through the shared supervisor (:mod:`sigtui.children`), decodes its reports
(:mod:`sigtui.demo.protocol`) and turns them, and what the supervisor sees
happen to the child, into :data:`DemoEvent` values that carry their log
sentences (:mod:`sigtui.demo.narrate`). The UI only renders those events.

The events reach ``on_events`` from the supervisor's threads, in batches (one
per read of the report pipe, so a burst of ten thousand signals is a few
batches, not ten thousand messages), one batch at a time.

Where the kernel's trace is on, :meth:`DemoSession.traced` adds what the
child cannot report itself (a signal it ignored, who stopped or killed it,
what its members took), one source per fact (:mod:`sigtui.demo.traced`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sigtui.children import (
    Change,
    Children,
    Continued,
    Exited,
    Killed,
    SpawnError,
    Stopped,
    program_env,
)
from sigtui.delivery.flow import Instrumented
from sigtui.demo.naming import CHILD_NAME, member_name
from sigtui.demo.narrate import Narrator
from sigtui.demo.protocol import (
    Bye,
    ControlError,
    Decoder,
    DispositionAck,
    MemberEnded,
    Ready,
    SignalReport,
    Tick,
    encode,
)
from sigtui.demo.traced import STATE_CHANGES, receipt_line, receipts
from sigtui.trace.records import Fate, Record

READY_TIMEOUT = 10.0
"""Seconds the child may take to say it is ready."""

STOP_TIMEOUT = 3.0
"""Seconds the child may take to exit after being told to."""


class DemoError(RuntimeError):
    """The demo child could not be started."""


@dataclass(frozen=True)
class Started:
    """The demo child is ready.

    Attributes:
        pid: The child.
        pgid: Its own process group.
        members: Its member processes.
        text: The log sentence.
    """

    pid: int
    pgid: int
    members: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Logged:
    """Something to write to the log, and nothing else to do.

    Attributes:
        text: The sentence.
    """

    text: str


@dataclass(frozen=True)
class Received:
    """The child received a signal.

    Attributes:
        signo: The signal.
        t_mono_ns: When the child dequeued it (``CLOCK_MONOTONIC``, ns).
        lines: The log sentences (the receipt; a merge explained).
    """

    signo: int
    t_mono_ns: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Ticked:
    """The child's heartbeat.

    Attributes:
        n: The tick's number.
    """

    n: int


@dataclass(frozen=True)
class DispositionChanged:
    """The child now does something else with a signal.

    Attributes:
        signo: The signal.
        disposition: ``catch``, ``ignore``, ``default`` or ``hold``.
        text: The log sentence.
    """

    signo: int
    disposition: str
    text: str


@dataclass(frozen=True)
class StateChanged:
    """The child was stopped or continued.

    Attributes:
        text: The log sentence.
    """

    text: str


@dataclass(frozen=True)
class Ended:
    """The child has ended (it has been reaped).

    Attributes:
        text: The log sentence.
    """

    text: str


DemoEvent = Logged | Received | Ticked | DispositionChanged | StateChanged | Ended
"""What a running demo tells the UI."""

OnEvents = Callable[[list[DemoEvent]], object]
"""Receives batches of events, from the supervisor's threads."""


class DemoSession:
    """One demo child (and its members), from start to reaped.

    Args:
        on_events: Called from the supervisor's threads with new events.
        self_pid: sigtui's pid, to recognise its own sends (default: this
            process).
        members: Member processes the child starts in its group.
        tick: Heartbeat period of the child, in seconds.
    """

    def __init__(
        self,
        on_events: OnEvents,
        *,
        self_pid: int | None = None,
        members: int = 2,
        tick: float = 1.0,
    ) -> None:
        self._on_events = on_events
        self.self_pid = os.getpid() if self_pid is None else self_pid
        self._members = members
        self._tick = tick
        self._children = Children(self._on_data, self._on_change)
        self._decoder = Decoder()
        self._narrator = Narrator(self.self_pid, 0)
        self._ready: Ready | None = None
        self._dispositions: dict[int, str] = {}
        self.pid = 0
        self.ticks = 0
        """The last heartbeat's number."""
        self.received = 0
        """How many signals the child has reported."""
        self._tracing = False
        self._stopped_members: set[int] = set()
        self._ended_at: dict[int, float] = {}

    # -- what the UI reads ------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the child is alive (it may be stopped)."""
        return self.pid > 0 and self._children.alive(self.pid)

    @property
    def pgid(self) -> int:
        """The child's process group (0 before it is ready)."""
        return self._ready.pgid if self._ready else 0

    @property
    def members(self) -> tuple[int, ...]:
        """The member processes."""
        return self._ready.members if self._ready else ()

    @property
    def pids(self) -> frozenset[int]:
        """The child and its members."""
        return frozenset((self.pid, *self.members)) if self.pid else frozenset()

    @property
    def dispositions(self) -> Mapping[int, str]:
        """The dispositions the child acknowledged (others are ``catch``)."""
        with self._children.lock:
            return dict(self._dispositions)

    @property
    def bad_lines(self) -> int:
        """Report lines that were not the protocol (skipped)."""
        return self._decoder.skipped

    def instrumented(self, signo: int) -> Instrumented:
        """The child as the send flow needs it: pid, group, disposition.

        Args:
            signo: The signal about to be sent.

        Returns:
            Its pid, group and what it does with ``signo``; empty once it
            has ended.
        """
        if not self.running:
            return Instrumented()
        return Instrumented(self.pid, self.pgid, self.disposition(signo))

    def disposition(self, signo: int) -> str:
        """What the child does with a signal now, for captions.

        Args:
            signo: The signal.

        Returns:
            ``catch``, ``ignore``, ``default`` or ``hold``.
        """
        with self._children.lock:
            return self._dispositions.get(signo, "catch")

    @property
    def tracing(self) -> bool:
        """Whether the screen passes the kernel's trace to :meth:`traced`."""
        with self._children.lock:
            return self._tracing

    # -- what the UI asks -------------------------------------------------------

    def start(self, timeout: float = READY_TIMEOUT) -> Started:
        """Start the child in its own session and wait until it is ready.

        Args:
            timeout: Seconds to wait for its readiness message.

        Returns:
            What started, with the log sentence.

        Raises:
            DemoError: If it does not start or does not get ready in time.
        """
        argv = [sys.executable, "-m", "sigtui.demo.child"]
        argv += ["--members", str(self._members), "--tick", str(self._tick)]
        with self._children.lock:  # the reader waits until the narrator knows
            try:
                self.pid = self._children.spawn(
                    argv, control=True, group=None, env=program_env()
                )
            except SpawnError as err:
                raise DemoError(f"could not start the demo child: {err}") from err
            self._narrator = Narrator(self.self_pid, self.pid)
        ready = self._children.wait_for(
            lambda: self._ready is not None or not self._children.alive(self.pid),
            timeout,
        )
        if not ready or self._ready is None:
            self.stop()
            raise DemoError("the demo child did not get ready in time")
        members = ", ".join(str(m) for m in self.members) or "none"
        return Started(
            self.pid,
            self.pgid,
            self.members,
            f"demo ({self.pid}) started in its own process group {self.pgid} "
            f"with members {members}; it logs every signal it receives",
        )

    def set_disposition(self, signo: int, disposition: str) -> bool:
        """Tell the child what to do with a signal from now on.

        The change shows as a :class:`DispositionChanged` once the child
        has made it.

        Args:
            signo: The signal.
            disposition: ``catch``, ``ignore``, ``default`` or ``hold``.

        Returns:
            Whether the request was sent (False once the child has ended).
        """
        command = {"cmd": "set", "signo": signo, "disposition": disposition}
        return self._children.write(self.pid, encode(command))

    def sent(self, signo: int, name: str, t_mono_ns: int) -> Logged:
        """Record a send by sigtui that reached the demo child.

        The receipt, when the child reports it, is paired with this send
        (the latency; the sends a standard signal's delivery merged).

        Args:
            signo: The signal.
            name: Its name.
            t_mono_ns: ``time.monotonic_ns()`` just before the send.

        Returns:
            The sending side's log line, for the UI to show before the
            send's results.
        """
        with self._children.lock:
            return Logged(self._narrator.sent(signo, name, t_mono_ns))

    def withdraw(self, signo: int) -> None:
        """Forget the last send recorded by :meth:`sent`: it failed.

        Args:
            signo: The signal.
        """
        with self._children.lock:
            self._narrator.withdraw(signo)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """End the child and its members, and wait until it has been reaped.

        Args:
            timeout: Seconds to wait for an orderly exit before SIGKILL.
        """
        # The child kills and reaps its members on "quit", then says bye.
        self._children.write(self.pid, encode({"cmd": "quit"}))
        self._children.stop(timeout)

    # -- the kernel's trace -------------------------------------------------------

    def set_tracing(self, on: bool) -> None:
        """Say whether the kernel's trace is on (the screen calls it on each change).

        The demo works the same either way: the child reports what it
        catches, the supervisor what happens to it. The flag is for the
        screen and its captions; records are taken whenever they come.

        Args:
            on: True while the screen passes traced records to :meth:`traced`.
        """
        with self._children.lock:
            self._tracing = on

    def traced(self, records: Sequence[Record]) -> None:
        """Take a batch of the kernel's traced records (any thread).

        The screen passes every batch while tracing is on; records about
        other processes are skipped. What the child and the supervisor
        cannot see becomes events, sent to ``on_events`` from this call
        (:mod:`sigtui.demo.traced` has the rule, so nothing counts twice):

        - a signal the child took but did not catch (ignored, or its default
          action stopped, continued or ended it): a :class:`Received` with
          the sender the kernel named; what it caught the child reports
          itself, so a traced ``caught`` for the child is skipped;
        - a signal a member took: a :class:`StateChanged` when it stopped
          or continued a member (no one else sees that), else a
          :class:`Received`. A member's end is the child's report.

        Records still pending, merged, dropped or taken by nobody (the
        process ended first) make no event: the screen's traced log shows
        them. The events go to ``on_events`` under the supervisor's lock,
        like its own, so batches never interleave.

        Args:
            records: One batch, in the order the feed gave them.
        """
        events: list[DemoEvent] = []
        with self._children.lock:
            pids = self.pids
            if not pids:
                return
            members = self.members
            for record in receipts(records, pids, self._ended_at):
                pid, fate = record.target_pid, record.fate
                if pid == self.pid:
                    if fate is Fate.CAUGHT:
                        continue  # the child's own report says it, sooner
                    who = f"{CHILD_NAME} ({pid})"
                else:
                    who = f"{member_name(members.index(pid) + 1)} ({pid})"
                line = receipt_line(who, record)
                taken = record.taken if record.taken is not None else record.time
                when = int(taken * 1e9)
                if pid != self.pid and fate in STATE_CHANGES:
                    was_stopped = pid in self._stopped_members
                    if fate is Fate.STOPPED:
                        self._stopped_members.add(pid)
                        events.append(StateChanged(line))
                        continue
                    if was_stopped:
                        self._stopped_members.discard(pid)
                        events.append(StateChanged(line))
                        continue
                events.append(Received(record.signo, when, (line,)))
            # Under the lock, as the supervisor's callbacks: one batch at a time.
            if events:
                self._on_events(events)

    # -- the supervisor's threads -------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        events: list[DemoEvent] = []
        for report in self._decoder.feed(data):
            match report:
                case Ready():
                    self._ready = report
                    self._narrator.members = report.members
                case SignalReport():
                    self.received += 1
                    lines = tuple(self._narrator.received(report))
                    events.append(Received(report.signo, report.t_mono_ns, lines))
                case Tick(n=n):
                    self.ticks = n
                    events.append(Ticked(n))
                case DispositionAck(signo=signo, disposition=disposition):
                    self._dispositions[signo] = disposition
                    text = self._narrator.disposition(report)
                    events.append(DispositionChanged(signo, disposition, text))
                case ControlError(message=message):
                    events.append(Logged(f"demo: {message}"))
                case MemberEnded(pid=pid):
                    self._ended_at[pid] = time.monotonic()
                    events.append(Logged(self._narrator.member(report)))
                case Bye():
                    pass  # the exit itself comes from the supervisor, with its status
        if events:
            self._on_events(events)

    def _on_change(self, change: Change) -> None:
        if isinstance(change, Exited | Killed):
            self._ended_at[change.pid] = time.monotonic()
        text = self._narrator.changed(change)
        match change:
            case Stopped() | Continued():
                self._on_events([StateChanged(text)])
            case Exited() | Killed():
                self._on_events([Ended(text)])
