"""DemoSession with a real demo child: what the log says, without a UI.

These were pilot tests of the app; the wording, the pairing of both sides of a
delivery, dispositions and counting are the session's, so they are checked
here. Signals go only to the demo child the test's session started (its pid,
read from the session); every test stops the session and checks that the
child and its members are gone.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import TypeVar

import pytest

from sigtui.children import Killed, Stopped
from sigtui.demo.narrate import Narrator
from sigtui.demo.protocol import Decoder, MemberEnded, SignalReport, encode
from sigtui.demo.session import (
    DemoEvent,
    DemoSession,
    DispositionChanged,
    Ended,
    Logged,
    Received,
    StateChanged,
    Ticked,
)
from sigtui.procfs import process_state
from tests.spawn import Recorder, wait_until

E = TypeVar("E")
ME = os.getpid()


class Demo:
    """A started session and everything it reported."""

    def __init__(self, session: DemoSession, events: Recorder[DemoEvent]) -> None:
        self.session = session
        self.events = events
        self.pid = session.pid
        self.sent: list[str] = []

    def kill(self, signo: int) -> None:
        """Send to the demo child, telling the session first, as the app does."""
        name = signal.Signals(signo).name if signo < signal.SIGRTMIN else "SIGRTMIN"
        self.sent.append(self.session.sent(signo, name, time.monotonic_ns()).text)
        os.kill(self.pid, signo)

    def wait(self, kind: type[E], contains: str = "") -> E:
        def match(event: DemoEvent) -> bool:
            text = " ".join(event.lines) if isinstance(event, Received) else ""
            text += getattr(event, "text", "")
            return isinstance(event, kind) and contains in text

        found = self.events.wait_for(match)
        assert isinstance(found, kind)
        return found

    def texts(self) -> list[str]:
        lines: list[str] = []
        for event in self.events.snapshot():
            match event:
                case Received(lines=received):
                    lines += received
                case Logged(text=text) | DispositionChanged(text=text):
                    lines.append(text)
                case StateChanged(text=text) | Ended(text=text):
                    lines.append(text)
        return lines


@pytest.fixture
def demo() -> Iterator[Demo]:
    events: Recorder[DemoEvent] = Recorder()
    session = DemoSession(events, tick=0.05)
    started = session.start()
    assert started.pid == session.pid == session.pgid
    pids = [session.pid, *session.members]
    try:
        yield Demo(session, events)
    finally:
        session.stop()
        assert not session.running
        wait_until(
            lambda: all(process_state(p) in (None, "Z") for p in pids),
            "the demo and its members to end",
        )


def test_a_send_is_logged_on_both_sides(demo: Demo) -> None:
    assert len(demo.session.members) == 2
    demo.kill(signal.SIGUSR1)
    received = demo.wait(Received)
    assert received.signo == signal.SIGUSR1
    (line,) = received.lines
    assert line.startswith(
        f"demo ({demo.pid}) received SIGUSR1 from pid {ME} (sigtui) uid "
        f"{os.getuid()} (SI_USER), caught, "
    )
    assert line.endswith(" ms later")
    assert demo.sent == [f"sigtui ({ME}) sent SIGUSR1 to demo ({demo.pid})"]
    demo.wait(Ticked)
    assert demo.session.ticks >= 1
    assert demo.session.received == 1


def test_stop_continue_and_default_term_are_reported(demo: Demo) -> None:
    demo.kill(signal.SIGSTOP)
    demo.wait(StateChanged, f"demo ({demo.pid}) was stopped by SIGSTOP")
    demo.kill(signal.SIGCONT)
    demo.wait(StateChanged, f"demo ({demo.pid}) was continued (SIGCONT)")
    demo.wait(Received, "received SIGCONT")
    assert demo.session.disposition(signal.SIGTERM) == "catch"
    assert demo.session.set_disposition(signal.SIGTERM, "default")
    changed = demo.wait(DispositionChanged)
    assert (changed.signo, changed.disposition) == (signal.SIGTERM, "default")
    assert changed.text == (
        f"demo ({demo.pid}): SIGTERM is now default: its default action really "
        "happens (SIG_DFL)"
    )
    assert demo.session.disposition(signal.SIGTERM) == "default"
    assert demo.session.dispositions == {signal.SIGTERM: "default"}
    demo.kill(signal.SIGTERM)
    ended = demo.wait(Ended)
    assert ended.text == f"demo ({demo.pid}) was killed by SIGTERM"
    assert not demo.session.running
    assert not demo.session.set_disposition(signal.SIGUSR1, "hold")


def test_held_usr1_merges_and_rtmin_queues(demo: Demo) -> None:
    rtmin = int(signal.SIGRTMIN)
    for signo in (signal.SIGUSR1, rtmin):
        demo.session.set_disposition(signo, "hold")
    wait_until(lambda: sum("is now hold" in t for t in demo.texts()) == 2, "both held")
    for _ in range(5):
        demo.kill(signal.SIGUSR1)
        demo.kill(rtmin)
    # Both pending in /proc before they are let through.
    for signo in (signal.SIGUSR1, rtmin):
        demo.session.set_disposition(signo, "catch")
    wait_until(
        lambda: sum("received SIGRTMIN " in t for t in demo.texts()) == 5, "5 RTMIN"
    )
    demo.wait(Received, "merged them into this one delivery")
    texts = demo.texts()
    assert sum(f"demo ({demo.pid}) received SIGUSR1 " in t for t in texts) == 1
    assert any("5 x SIGUSR1 were sent while one was pending" in t for t in texts)
    assert any("caught after being held" in t for t in texts)


def test_a_burst_of_10000_realtime_signals_is_reported_in_full(demo: Demo) -> None:
    rtmin = int(signal.SIGRTMIN)
    fd = os.pidfd_open(demo.pid)
    try:
        for _ in range(10_000):
            signal.pidfd_send_signal(fd, rtmin)
    finally:
        os.close(fd)
    wait_until(lambda: demo.session.received >= 10_000, "10,000 reports")
    assert demo.session.received == 10_000
    batches = [e for e in demo.events.snapshot() if isinstance(e, Received)]
    assert len(batches) == 10_000
    assert demo.session.bad_lines == 0


def test_a_control_line_the_child_refuses_is_logged(demo: Demo) -> None:
    demo.session.set_disposition(signal.SIGKILL, "hold")
    logged = demo.wait(Logged, "demo: SIGKILL cannot be caught, blocked or ignored")
    assert logged.text.startswith("demo: ")


def test_a_member_killed_from_outside_is_logged(demo: Demo) -> None:
    member = demo.session.members[0]
    os.kill(member, signal.SIGKILL)  # started by the session's child, in its group
    # Named as it names itself (its command line and comm).
    demo.wait(Logged, f"demo member 1 ({member}) was killed by SIGKILL")
    assert demo.session.running


def test_stop_reaps_the_child_and_logs_its_exit() -> None:
    events: Recorder[DemoEvent] = Recorder()
    session = DemoSession(events, tick=0.05)
    session.start()
    pids = [session.pid, *session.members]
    os.kill(session.pid, signal.SIGSTOP)  # a stopped child must still end
    events.wait_for(lambda e: isinstance(e, StateChanged))
    session.stop()
    assert not session.running
    ended = events.wait_for(lambda e: isinstance(e, Ended))
    assert isinstance(ended, Ended)
    assert ended.text in (
        f"demo ({pids[0]}) exited with status 0",
        f"demo ({pids[0]}) was killed by SIGKILL",
    )
    wait_until(lambda: all(process_state(p) in (None, "Z") for p in pids), "all gone")
    session.stop()  # twice is fine


def report(**fields: object) -> SignalReport:
    values: dict[str, object] = {
        "seq": 1,
        "signo": 10,
        "name": "SIGUSR1",
        "si_pid": 100,
        "si_uid": 0,
        "si_code": 0,
        "code": "SI_USER",
        "t_mono_ns": 0,
        "disposition": "catch",
        "sender": None,
    }
    values.update(fields)
    return SignalReport(**values)  # type: ignore[arg-type]


def test_narrator_pairs_and_explains() -> None:
    narrator = Narrator(self_pid=100, demo_pid=200)
    assert (
        narrator.sent(10, "SIGUSR1", 1_000_000)
        == "sigtui (100) sent SIGUSR1 to demo (200)"
    )
    assert narrator.received(report(t_mono_ns=1_300_000)) == [
        "demo (200) received SIGUSR1 from pid 100 (sigtui) uid 0 (SI_USER), caught, "
        "0.3 ms later"
    ]
    other = report(
        signo=1, name="SIGHUP", si_pid=55, si_uid=1000, sender="bash\x1b[31m"
    )
    assert narrator.received(other) == [
        "demo (200) received SIGHUP from pid 55 (bash\\x1b[31m) uid 1000 "
        "(SI_USER), caught"
    ]
    assert narrator.changed(Killed(200, signal.SIGKILL, False)) == (
        "demo (200) was killed by SIGKILL"
    )
    assert narrator.changed(Killed(200, signal.SIGQUIT, True)) == (
        "demo (200) was killed by SIGQUIT (core dumped)"
    )
    assert narrator.changed(Stopped(200, signal.SIGTSTP)) == (
        "demo (200) was stopped by SIGTSTP"
    )
    gone = MemberEnded(201, "gone", None, None, False)
    assert narrator.member(gone) == "demo member (201) is gone"


def test_a_report_that_does_not_match_is_skipped_and_later_ones_are_not() -> None:
    """Was: a malformed si_pid could end the reader thread; now it is a bad line."""
    decoder = Decoder()
    good = {
        "type": "signal",
        "seq": 3,
        "signo": 10,
        "name": "SIGUSR1",
        "si_pid": ME,
        "si_uid": 0,
        "si_code": 0,
        "code": "SI_USER",
        "t_mono_ns": 1,
        "disposition": "catch",
        "sender": "sigtui",
    }
    lines = [
        encode({**good, "seq": 1, "si_pid": "x"}),
        encode({**good, "seq": 2, "si_pid": None}),
        encode({"type": "no such type"}),
        encode(good),
    ]
    reports = decoder.feed(b"".join(lines))
    assert [r.seq for r in reports if isinstance(r, SignalReport)] == [3]
    assert decoder.skipped == 3
