"""The demo and the lessons take the kernel's trace: one source per fact.

Two kinds of test. With hand-built records, the rule of
:mod:`sigtui.demo.traced` on real lesson and demo processes: what a program
or the supervisor already reports is not counted again from the trace, what
they cannot see is added, a record about a pid after its process ended is
not ours. With real records, a :class:`~sigtui.trace.feed.TraceFeed` (it needs
root, which CI has) passes every batch to the session as the screen does,
while the test sends real signals to the session's own processes (by pid,
read from the session). Waits are bounded polls; where the test must know
that the trace has passed a point, it sends a marker signal and waits for
the marker's traced event (the trace gives records in order).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from sigtui.demo.session import (
    DemoEvent,
    DemoSession,
    DispositionChanged,
    Ended,
    Received,
    StateChanged,
)
from sigtui.demo.traced import receipts
from sigtui.lessons import Kind, LessonError, LessonEvent, LessonSession, find_lesson
from sigtui.lessons.model import Observation
from sigtui.trace.feed import FeedState, TraceFeed
from sigtui.trace.records import (
    Exited,
    Fate,
    Lost,
    Record,
    Result,
    Sender,
    TracedSignal,
)
from tests.spawn import Recorder, wait_until

DEADLINE = 10.0
"""Seconds any awaited event may take."""

ME = os.getpid()

_ids = iter(range(1, 1 << 30))


def traced(
    target: int,
    signo: int,
    fate: Fate,
    *,
    sender: int = ME,
    at: float | None = None,
) -> TracedSignal:
    """A record as the reader would give it for a kill() from ``sender``."""
    now = time.monotonic() if at is None else at
    taken = None if fate in (Fate.IGNORED, Fate.PENDING) else now + 1e-4
    return TracedSignal(
        id=next(_ids),
        time=now,
        signo=signo,
        code=0,
        sender=Sender.PROCESS,
        sender_pid=sender,
        sender_tid=sender,
        sender_name="python",
        target_pid=target,
        target_tid=target,
        target_name="target",
        process_directed=True,
        result=Result.IGNORED if fate is Fate.IGNORED else Result.QUEUED,
        fate=fate,
        taken=taken,
    )


# -- the rule alone ---------------------------------------------------------


def test_receipts_keep_taken_signals_to_our_processes_only() -> None:
    ours, other = 4242, 4243
    kept = [
        traced(ours, signal.SIGUSR1, Fate.CAUGHT),
        traced(ours, signal.SIGHUP, Fate.IGNORED),
        traced(ours, signal.SIGSTOP, Fate.STOPPED),
        traced(ours, signal.SIGCONT, Fate.CONTINUED),
        traced(ours, signal.SIGTERM, Fate.KILLED),
    ]
    left_out: list[Record] = [
        traced(other, signal.SIGTERM, Fate.KILLED),
        traced(ours, signal.SIGUSR1, Fate.PENDING),
        traced(ours, signal.SIGUSR1, Fate.MERGED),
        traced(ours, signal.SIGUSR1, Fate.EXITED_FIRST),
        # A SIGCHLD ignored by default is said at every child's exit.
        traced(ours, signal.SIGCHLD, Fate.IGNORED),
        Exited(time.monotonic(), ours, "target", signo=signal.SIGTERM),
        Lost(time.monotonic(), 3),
    ]
    records: list[Record] = [*left_out, *kept]
    assert receipts(records, frozenset({ours}), {}) == kept


def test_an_ended_process_counts_only_for_what_was_sent_before_its_end() -> None:
    pid, end = 4242, 1000.0
    before = traced(pid, signal.SIGTERM, Fate.KILLED, at=end - 0.5)
    after = traced(pid, signal.SIGTERM, Fate.KILLED, at=end + 0.5)  # pid reused
    assert receipts([before, after], frozenset(), {pid: end}) == [before]
    # Ended wins over alive: the pid may be alive again, as someone else.
    assert receipts([before, after], frozenset({pid}), {pid: end}) == [before]


# -- lessons, hand-built records ---------------------------------------------


class Run:
    """A started lesson session and everything it said."""

    def __init__(self, name: str, *, tracing: bool = True) -> None:
        self.events: Recorder[LessonEvent] = Recorder()
        self.session = LessonSession(find_lesson(name), self.events, tick=0.1)
        self.session.set_tracing(tracing)

    def pid(self, role: str) -> int:
        pids: list[int] = wait_until(
            lambda: self.session.by_role(role), f"a {role}", DEADLINE
        )
        return pids[0]

    def observed(self, kind: Kind, pid: int, signal_name: str) -> list[Observation]:
        return [
            obs
            for obs in self.session.history
            if obs.kind is kind and obs.pid == pid and obs.signal == signal_name
        ]

    def wait(self, kind: Kind, pid: int, signal_name: str, count: int = 1) -> None:
        wait_until(
            lambda: len(self.observed(kind, pid, signal_name)) >= count,
            f"{count} x {kind.name} {signal_name} for {pid}",
            DEADLINE,
        )


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    try:
        yield started
    finally:
        for run in started:
            run.session.stop()
            assert run.session.processes == {}


def start(runs: list[Run], name: str) -> Run:
    run = Run(name)
    runs.append(run)
    run.session.start()
    return run


def test_a_caught_signal_a_program_reports_is_not_counted_again(
    runs: list[Run],
) -> None:
    run = start(runs, "handler")
    ticker = run.pid("ticker")
    os.kill(ticker, signal.SIGUSR1)
    run.wait(Kind.SAID, ticker, "SIGUSR1")
    run.session.traced([traced(ticker, signal.SIGUSR1, Fate.CAUGHT)])
    # Ignored, by contrast, no program can report: the trace adds it.
    run.session.traced([traced(ticker, signal.SIGWINCH, Fate.CAUGHT)])
    assert run.observed(Kind.RECEIVED, ticker, "SIGUSR1") == []
    assert run.observed(Kind.RECEIVED, ticker, "SIGWINCH") == []
    assert len(run.observed(Kind.SAID, ticker, "SIGUSR1")) == 1


def test_an_ignored_signal_is_added_with_its_sender(runs: list[Run]) -> None:
    run = start(runs, "hangup")
    nohup = run.pid("nohup-ticker")
    run.session.traced([traced(nohup, signal.SIGHUP, Fate.IGNORED, sender=777)])
    (obs,) = run.observed(Kind.RECEIVED, nohup, "SIGHUP")
    assert obs.data["traced"] is True
    assert obs.data["fate"] == "ignored"
    assert obs.data["sender_pid"] == 777
    line = run.events.wait_for(lambda e: e.kind is Kind.RECEIVED).text
    assert line == (
        f"nohup-ticker ({nohup}) received SIGHUP from 777 (python) by kill(): "
        "ignored: the kernel threw it away, the program never saw it "
        "(the kernel's trace)"
    )
    # Lesson 3's step waits for a tick after the send: a receipt is not it.
    assert run.session.current == 0


def test_a_traced_stop_of_a_started_process_is_a_receipt_not_a_stop(
    runs: list[Run],
) -> None:
    run = start(runs, "stop-continue")
    ticker = run.pid("ticker")
    # Only the trace says so (nothing was sent): the supervisor is the source
    # of a started process's stops, so no STOPPED, and the step waits.
    run.session.traced([traced(ticker, signal.SIGSTOP, Fate.STOPPED)])
    assert run.observed(Kind.STOPPED, ticker, "SIGSTOP") == []
    assert len(run.observed(Kind.RECEIVED, ticker, "SIGSTOP")) == 1
    assert run.session.current == 0
    # The real stop: one STOPPED (the supervisor's), and the step is done.
    os.kill(ticker, signal.SIGSTOP)
    run.events.wait_for(lambda e: e.kind is Kind.STEP and e.step == 0, DEADLINE)
    run.session.traced([traced(ticker, signal.SIGSTOP, Fate.STOPPED)])
    assert len(run.observed(Kind.STOPPED, ticker, "SIGSTOP")) == 1
    os.kill(ticker, signal.SIGCONT)
    run.events.wait_for(lambda e: e.kind is Kind.STEP and e.step == 1, DEADLINE)


def test_a_process_the_session_did_not_start_stops_and_continues_from_the_trace(
    runs: list[Run],
) -> None:
    run = start(runs, "groups")
    sleep = run.pid("sleep")  # started by the script, watched by a pidfd
    assert sleep not in run.session.started_pids
    # A continue of a process not seen stopped is only a receipt.
    run.session.traced([traced(sleep, signal.SIGCONT, Fate.CONTINUED)])
    assert run.observed(Kind.CONTINUED, sleep, "SIGCONT") == []
    run.session.traced([traced(sleep, signal.SIGSTOP, Fate.STOPPED)])
    run.session.traced([traced(sleep, signal.SIGCONT, Fate.CONTINUED)])
    assert len(run.observed(Kind.STOPPED, sleep, "SIGSTOP")) == 1
    assert len(run.observed(Kind.CONTINUED, sleep, "SIGCONT")) == 1
    assert len(run.observed(Kind.RECEIVED, sleep, "SIGCONT")) == 1


def test_the_signal_that_ended_a_process_arrives_after_its_end_and_counts_once(
    runs: list[Run],
) -> None:
    run = start(runs, "handler")
    ticker = run.pid("ticker")
    sent = time.monotonic()
    os.kill(ticker, signal.SIGTERM)
    run.wait(Kind.KILLED, ticker, "SIGTERM")
    record = traced(ticker, signal.SIGTERM, Fate.KILLED, at=sent)
    run.session.traced([record])
    # The same pid, later: another process's signal, not the ticker's.
    run.session.traced([traced(ticker, signal.SIGTERM, Fate.KILLED)])
    # Its end is the supervisor's: one KILLED, and one receipt with a sender.
    assert len(run.observed(Kind.KILLED, ticker, "SIGTERM")) == 1
    (receipt,) = run.observed(Kind.RECEIVED, ticker, "SIGTERM")
    assert receipt.data["fate"] == "killed"


def test_a_lesson_that_needs_tracing_says_so_and_starts_nothing() -> None:
    events: Recorder[LessonEvent] = Recorder()
    session = LessonSession(find_lesson("plain-program"), events)
    with pytest.raises(LessonError) as info:
        session.start()
    assert str(info.value) == (
        "Lesson 11 (plain-program) needs the kernel's signal trace, which is "
        "off: run sigtui as root on Linux with tracefs to take it."
    )
    assert session.processes == {}
    assert session.started_pids == frozenset()
    session.stop()


def test_tracing_off_or_lost_events_during_a_lesson_that_needs_it_say_so(
    runs: list[Run],
) -> None:
    run = start(runs, "plain-program")
    assert set(run.session.processes.values()) == {"cat", "sort"}
    run.session.traced([Lost(time.monotonic(), 12)])
    hint = run.events.wait_for(lambda e: e.kind is Kind.HINT)
    assert hint.text.startswith("The kernel lost 12 events")
    run.session.set_tracing(False)
    hint = run.events.wait_for(lambda e: "trace is off" in e.text)
    assert hint.kind is Kind.HINT
    assert not run.session.tracing


def test_an_ordinary_lesson_ignores_lost_events(runs: list[Run]) -> None:
    run = start(runs, "handler")
    run.session.traced([Lost(time.monotonic(), 12)])
    run.session.set_tracing(False)
    assert [e for e in run.events.snapshot() if e.kind is Kind.HINT] == []


# -- the demo, hand-built records --------------------------------------------


@pytest.fixture
def demo() -> Iterator[tuple[DemoSession, Recorder[DemoEvent]]]:
    events: Recorder[DemoEvent] = Recorder()
    session = DemoSession(events, tick=0.05)
    session.start()
    try:
        yield session, events
    finally:
        session.stop()
        assert not session.running


def _lines(events: Sequence[DemoEvent]) -> list[str]:
    out: list[str] = []
    for event in events:
        if isinstance(event, Received):
            out += event.lines
        elif isinstance(event, StateChanged):
            out.append(event.text)
    return out


def test_the_demo_takes_from_the_trace_only_what_its_child_cannot_report(
    demo: tuple[DemoSession, Recorder[DemoEvent]],
) -> None:
    session, events = demo
    child, member = session.pid, session.members[0]
    before = len(events.snapshot())
    session.traced(
        [
            traced(child, signal.SIGUSR1, Fate.CAUGHT),  # the child reports it
            traced(999_999_999, signal.SIGTERM, Fate.KILLED),  # not ours
            traced(child, signal.SIGUSR2, Fate.IGNORED),
            traced(member, signal.SIGCONT, Fate.CONTINUED),  # was not stopped
            traced(member, signal.SIGSTOP, Fate.STOPPED),
            traced(member, signal.SIGCONT, Fate.CONTINUED),
        ]
    )
    new = events.snapshot()[before:]
    assert [type(e) for e in new] == [Received, Received, StateChanged, StateChanged]
    assert _lines(new) == [
        f"demo ({child}) received SIGUSR2 from {ME} (python) by kill(): ignored: "
        "the kernel threw it away, the program never saw it (the kernel's trace)",
        f"demo member 1 ({member}) received SIGCONT from {ME} (python) by kill(): "
        "the process continues (if it was stopped) (the kernel's trace)",
        f"demo member 1 ({member}) received SIGSTOP from {ME} (python) by kill(): "
        "its default action stopped the process (the kernel's trace)",
        f"demo member 1 ({member}) received SIGCONT from {ME} (python) by kill(): "
        "the process continues (if it was stopped) (the kernel's trace)",
    ]
    assert session.received == 0  # the child's own count
    assert not session.tracing
    session.set_tracing(True)
    assert session.tracing


# -- real records from the kernel's trace ----------------------------------------


class Feed:
    """A TraceFeed whose batches go to the sessions a test adds."""

    def __init__(self) -> None:
        self.sessions: list[DemoSession | LessonSession] = []
        self._lock = threading.Lock()
        self._state: FeedState | None = None
        self._changed = threading.Event()
        self.feed = TraceFeed(self._records, self._on_state)

    def _records(self, records: list[Record]) -> None:
        with self._lock:
            sessions = list(self.sessions)
        for session in sessions:
            session.traced(records)

    def _on_state(self, state: FeedState) -> None:
        self._state = state
        self._changed.set()

    def add(self, session: DemoSession | LessonSession) -> None:
        session.set_tracing(True)
        with self._lock:
            self.sessions.append(session)

    def start(self) -> None:
        self.feed.start()
        assert self._changed.wait(DEADLINE), "the reader said nothing"
        assert self._state is not None
        assert self._state.on, self._state.sentence


@pytest.fixture
def feed() -> Iterator[Feed]:
    if os.geteuid() != 0:
        pytest.skip("the kernel's trace needs root")
    started = Feed()
    started.start()
    try:
        yield started
    finally:
        started.feed.stop()


def test_lesson_11_is_done_from_the_kernels_trace(feed: Feed) -> None:
    events: Recorder[LessonEvent] = Recorder()
    session = LessonSession(find_lesson("plain-program"), events)
    feed.add(session)
    session.start()
    try:
        (cat,) = session.by_role("cat")
        (sort,) = session.by_role("sort")
        assert session.start_on == sort

        def step(index: int) -> None:
            events.wait_for(lambda e: e.kind is Kind.STEP and e.step == index)

        os.kill(sort, signal.SIGHUP)
        step(0)
        os.kill(cat, signal.SIGSTOP)
        step(1)
        os.kill(cat, signal.SIGCONT)
        step(2)
        os.kill(cat, signal.SIGHUP)
        step(3)
        # From another process, as from a second terminal.
        killer = subprocess.run(["kill", "-TERM", str(sort)], check=True)
        assert killer.returncode == 0
        step(4)
        events.wait_for(lambda e: e.kind is Kind.FINISHED)
        # Who sent each: sigtui (this test), then the kill command.
        received = [o for o in session.history if o.kind is Kind.RECEIVED]
        by_signal = {(o.pid, o.signal, o.data["fate"]): o for o in received}
        assert by_signal[(sort, "SIGHUP", "ignored")].data["sender_pid"] == ME
        assert by_signal[(cat, "SIGHUP", "killed")].data["sender_pid"] == ME
        term = [o for o in received if o.pid == sort and o.signal == "SIGTERM"]
        assert term[0].data["sender_name"] == "kill"
        # One stop, one continue, one end each: the trace added receipts only.
        history = session.history
        for kind, pid, name in [
            (Kind.STOPPED, cat, "SIGSTOP"),
            (Kind.CONTINUED, cat, "SIGCONT"),
            (Kind.KILLED, cat, "SIGHUP"),
            (Kind.KILLED, sort, "SIGTERM"),
        ]:
            same = [
                o for o in history if (o.kind, o.pid, o.signal) == (kind, pid, name)
            ]
            assert len(same) == 1, (kind, pid, name)
        # The steps' ends, expected, gave no "ended too soon" hint.
        assert [e.text for e in events.snapshot() if e.kind is Kind.HINT] == []
    finally:
        session.stop()
    assert session.processes == {}


def test_an_instrumented_lesson_counts_a_caught_signal_once_with_the_trace_on(
    feed: Feed,
) -> None:
    events: Recorder[LessonEvent] = Recorder()
    session = LessonSession(find_lesson("handler"), events, tick=0.1)
    feed.add(session)
    session.start()
    try:
        (ticker,) = session.by_role("ticker")
        os.kill(ticker, signal.SIGUSR1)
        events.wait_for(lambda e: e.kind is Kind.STEP and e.step == 0)
        # A marker the trace must report (a continue, a receipt): once it has
        # come, so has the USR1 sent before it.
        os.kill(ticker, signal.SIGCONT)
        marker = events.wait_for(
            lambda e: e.kind is Kind.RECEIVED and e.signal == "SIGCONT"
        )
        assert marker.pid == ticker
        usr1 = [o for o in session.history if o.signal == "SIGUSR1"]
        assert [o.kind for o in usr1] == [Kind.SAID]
        assert session.current == 1
    finally:
        session.stop()


def test_the_demo_with_the_trace_adds_what_its_child_cannot_report(
    feed: Feed, demo: tuple[DemoSession, Recorder[DemoEvent]]
) -> None:
    # (What the child catches it takes with sigwaitinfo, which leaves no
    # deliver event: the trace gives those as pending, and they add nothing.)
    session, events = demo
    feed.add(session)
    child, member = session.pid, session.members[0]
    assert session.set_disposition(signal.SIGUSR2, "ignore")
    events.wait_for(
        lambda e: isinstance(e, DispositionChanged) and e.signo == signal.SIGUSR2
    )
    os.kill(child, signal.SIGUSR2)  # ignored: only the trace sees it
    ignored = events.wait_for(
        lambda e: isinstance(e, Received) and e.signo == signal.SIGUSR2, DEADLINE
    )
    assert isinstance(ignored, Received)
    assert f"demo ({child}) received SIGUSR2 from {ME}" in ignored.lines[0]
    assert "ignored" in ignored.lines[0]
    # The child took nothing itself: its own count has not moved.
    assert session.received == 0
    os.kill(member, signal.SIGSTOP)
    stopped = events.wait_for(
        lambda e: isinstance(e, StateChanged) and f"({member})" in e.text, DEADLINE
    )
    assert isinstance(stopped, StateChanged)
    assert "stopped the process" in stopped.text
    os.kill(member, signal.SIGCONT)
    events.wait_for(
        lambda e: isinstance(e, StateChanged) and "continues" in e.text, DEADLINE
    )


def test_who_ended_the_demo_comes_from_the_trace_and_its_end_once(
    feed: Feed,
) -> None:
    events: Recorder[DemoEvent] = Recorder()
    session = DemoSession(events, tick=0.05)
    session.start()
    feed.add(session)
    try:
        child = session.pid
        assert session.set_disposition(signal.SIGTERM, "default")
        events.wait_for(
            lambda e: isinstance(e, DispositionChanged) and e.signo == signal.SIGTERM
        )
        killer = subprocess.run(["kill", "-TERM", str(child)], check=True)
        assert killer.returncode == 0
        # Sent before the child ended, it arrives after the end: still ours.
        receipt = events.wait_for(
            lambda e: isinstance(e, Received) and e.signo == signal.SIGTERM, DEADLINE
        )
        assert isinstance(receipt, Received)
        assert f"demo ({child}) received SIGTERM from " in receipt.lines[0]
        assert "(kill) by kill(): its default action ended" in receipt.lines[0]
        ended = [e for e in events.snapshot() if isinstance(e, Ended)]
        assert [e.text for e in ended] == [f"demo ({child}) was killed by SIGTERM"]
    finally:
        session.stop()
