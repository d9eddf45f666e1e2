"""The guided lessons, with real processes and real signals, no mocks.

Each lesson is done the way a class would: the test signals the lesson's own
processes (pids from ``run.processes``, groups from ``run.pgids``), tells the
run what it sent as the app does, and waits (bounded) for the steps to turn
done. Every test ends with ``stop()`` and checks that nothing of the lesson is
left alive.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import pytest

from sigtui.demo.protocol import LineReader
from sigtui.lessons import (
    LESSONS,
    Kind,
    LessonError,
    LessonEvent,
    LessonSession,
    find_lesson,
)
from sigtui.processes import ProcfsScanner, command_text
from tests import spawn
from tests.spawn import wait_until

DEADLINE = 10.0
"""Seconds any awaited event may take."""

TICK = 0.1
"""The tickers' period in these tests."""


class Recorder(spawn.Recorder[LessonEvent]):
    """Collects a session's events; waits (bounded) for one to arrive."""

    def texts(self, kind: Kind | None = None) -> list[str]:
        return [e.text for e in self.snapshot() if kind is None or e.kind is kind]


def gone(pid: int) -> bool:
    """Whether a process has ended (a zombie waiting for init counts as ended)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class Lesson:
    """A started run, the events it sent, and every pid it showed."""

    def __init__(self, name: str) -> None:
        self.recorder = Recorder()
        self.run = LessonSession(find_lesson(name), self.recorder, tick=TICK)
        # As the screen does while tracing is on: a lesson that needs it
        # starts (no records come here; test_teaching_traced feeds them).
        self.run.set_tracing(self.run.lesson.needs_tracing)
        self.seen: set[int] = set()

    def pid(self, name: str) -> int:
        processes = self.run.processes
        self.seen.update(processes)
        matches = [pid for pid, role in processes.items() if role == name]
        assert matches, f"no {name} in {processes}"
        return matches[0]

    def send(self, pid: int, signo: int) -> None:
        """What the app does: send, then tell the run."""
        os.kill(pid, signo)
        self.run.sent(pid, signo)

    def send_group(self, pgid: int, signo: int) -> None:
        assert pgid in self.run.pgids
        os.killpg(pgid, signo)
        self.run.sent(pgid, signo, group=True)

    def step(self, index: int) -> LessonEvent:
        event = self.recorder.wait_for(
            lambda e: e.kind is Kind.STEP and e.step == index
        )
        assert self.run.done[index]
        return event

    def event(self, pattern: str, kind: Kind | None = None) -> LessonEvent:
        return self.recorder.wait_for(
            lambda e: (
                (kind is None or e.kind is kind)
                and re.search(pattern, e.text) is not None
            )
        )

    def stop_and_check(self) -> None:
        self.seen.update(self.run.processes)
        self.run.stop()
        assert self.run.processes == {}
        left = [pid for pid in self.seen if not gone(pid)]
        assert left == [], f"still alive after stop(): {left}"


@contextmanager
def lesson(name: str) -> Iterator[Lesson]:
    started = Lesson(name)
    started.run.start()
    started.seen.update(started.run.processes)
    try:
        yield started
    finally:
        started.stop_and_check()


# The catalogue.


def test_there_are_eleven_lessons_in_order() -> None:
    assert [lesson.number for lesson in LESSONS] == list(range(1, 12))
    names = [lesson.name for lesson in LESSONS]
    assert len(set(names)) == 11
    # Only the plain program's lesson needs the trace; the list says so.
    assert [each.name for each in LESSONS if each.needs_tracing] == ["plain-program"]
    assert "Needs tracing" in find_lesson("plain-program").summary
    for each in LESSONS:
        assert each.steps
        assert each.title
        assert each.summary
        for step in each.steps:
            assert step.text.strip()
            assert step.explanation.strip()


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), ("hangup", 3), ("HangUp", 3), (" 10 ", 10), ("Ping-Pong", 6)],
)
def test_find_lesson(text: str, number: int) -> None:
    assert find_lesson(text).number == number


@pytest.mark.parametrize("text", ["x", "0", "12", "", "hang"])
def test_find_lesson_unknown(text: str) -> None:
    with pytest.raises(LessonError) as info:
        find_lesson(text)
    message = str(info.value)
    assert message.startswith(f"unknown lesson {text!r}; choose one of: first-kill, ")
    assert "stop-continue" in message


# Each lesson, done as a class would do it.


def test_lesson_1_first_kill() -> None:
    with lesson("first-kill") as it:
        ticker = it.pid("ticker")
        it.event(r"ticker \(\d+\): tick 1", Kind.TICK)
        it.run.selected(ticker)
        it.step(0)
        it.send(ticker, signal.SIGKILL)
        it.step(1)
        it.event(rf"ticker \({ticker}\) was killed by SIGKILL: it could not catch it")
        it.event(r"finished", Kind.FINISHED)
        assert it.run.finished
        assert it.run.current is None


def test_lesson_2_handler() -> None:
    with lesson("handler") as it:
        ticker = it.pid("ticker")
        it.send(ticker, signal.SIGUSR1)
        it.step(0)
        said = it.event(r"said: hello, class!", Kind.SAID)
        assert said.pid == ticker
        assert said.signal == "SIGUSR1"
        assert ticker in it.run.processes
        it.send(ticker, signal.SIGTERM)
        it.step(1)
        it.event(r"was ended by SIGTERM", Kind.KILLED)


def test_lesson_3_hangup() -> None:
    with lesson("hangup") as it:
        nohup, ticker = it.pid("nohup-ticker"), it.pid("ticker")
        it.send(nohup, signal.SIGHUP)
        it.step(0)
        assert nohup in it.run.processes
        it.send(ticker, signal.SIGHUP)
        it.step(1)
        it.event(rf"ticker \({ticker}\) was ended by SIGHUP")
        assert nohup in it.run.processes


def test_lesson_4_uncatchable() -> None:
    with lesson("uncatchable") as it:
        ticker = it.pid("ticker")
        for name in ("SIGKILL", "SIGSTOP"):
            it.event(rf"asked to catch {name}; the kernel refused", Kind.REFUSED)
        it.send(ticker, signal.SIGFPE)
        it.step(0)
        it.send(ticker, signal.SIGSTOP)
        it.step(1)
        assert psutil.Process(ticker).status() == psutil.STATUS_STOPPED
        it.send(ticker, signal.SIGCONT)
        it.step(2)
        it.send(ticker, signal.SIGHUP)
        it.step(3)
        it.event(r"was ended by SIGHUP", Kind.KILLED)


def test_lesson_5_groups() -> None:
    with lesson("groups") as it:
        sh = it.pid("sh")
        sleeps = [pid for pid, role in it.run.processes.items() if role == "sleep"]
        assert len(sleeps) == 2
        assert {os.getpgid(pid) for pid in [sh, *sleeps]} == {sh}
        assert it.run.pgids == {sh}
        it.run.selected(sh)
        it.step(0)
        it.send_group(sh, signal.SIGTERM)
        it.step(1)
        assert it.run.processes == {}
        assert all(gone(pid) for pid in sleeps)


def test_lesson_6_ping_pong() -> None:
    with lesson("ping-pong") as it:
        ping, pong = it.pid("ping"), it.pid("pong")
        assert it.run.pgids == {ping}
        assert os.getpgid(pong) == ping
        it.send(pong, signal.SIGUSR1)
        it.step(0)
        it.step(1)
        it.event(rf"ping \({ping}\): rally over: 100 rounds", Kind.OVER)
        hits = it.recorder.texts(Kind.HIT)
        assert len(hits) == 199  # pong hits rounds 1-100, ping 2-100
        assert hits[0] == f"pong ({pong}) → SIGUSR2 → group {ping}: round 1"
        assert f"ping ({ping}) → SIGUSR1 → group {ping}: round 100" in hits
        it.send_group(ping, signal.SIGQUIT)
        it.step(2)
        assert len(it.recorder.texts(Kind.QUIT)) == 2


def test_lesson_7_graceful() -> None:
    with lesson("graceful") as it:
        parent, child = it.pid("parent"), it.pid("child")
        made = it.event(r"made the temporary file", Kind.STARTED)
        path = made.text.rsplit(" ", 1)[1]
        assert os.path.exists(path)
        it.send(parent, signal.SIGTERM)
        it.step(0)
        it.step(1)
        it.step(2)
        it.event(rf"removed its temporary file {re.escape(path)}", Kind.CLEANED)
        it.event(rf"reaped its child {child}: exited with status 0", Kind.REAPED)
        it.event(rf"parent \({parent}\) exited with status 0", Kind.EXITED)
        assert not os.path.exists(path)


def test_lesson_8_sigchld() -> None:
    with lesson("sigchld") as it:
        parent = it.pid("parent")
        children = {it.pid(f"child {n}") for n in range(1, 6)}
        it.send(parent, signal.SIGUSR1)
        it.step(0)
        zombies = it.event(r"zombies", Kind.ZOMBIES)
        assert "Pending for it, blocked: SIGCHLD" in zombies.text
        assert all(
            psutil.Process(pid).status() == psutil.STATUS_ZOMBIE for pid in children
        )
        it.send(parent, signal.SIGUSR2)
        it.step(1)
        summary = it.event(r"5 children ended, 1 SIGCHLD arrived", Kind.SUMMARY)
        assert "loop reaped all 5" in summary.text
        reaped = it.recorder.texts(Kind.REAPED)
        assert len(reaped) == 5
        for n, pid in enumerate(sorted(children), start=1):
            assert any(f"child {pid}: exited with status" in t for t in reaped), n
        assert parent in it.run.processes


def test_lesson_9_blocking() -> None:
    with lesson("blocking") as it:
        blocker = it.pid("blocker")
        for _ in range(5):
            it.send(blocker, signal.SIGUSR1)
        it.step(0)
        for _ in range(5):
            it.send(blocker, signal.SIGRTMIN)
        it.step(1)
        it.send(blocker, signal.SIGUSR2)
        it.step(2)
        it.event(
            r"SIGUSR1 sent 5 times, arrived 1 time; SIGRTMIN sent 5 times, "
            r"arrived 5 times",
            Kind.COUNTED,
        )
        pending = it.event(r"Pending now", Kind.PENDING)
        assert "SIGUSR1" in pending.text
        assert "SIGRTMIN" in pending.text
        assert len(it.recorder.texts(Kind.RECEIVED)) == 6


def test_lesson_10_stop_continue() -> None:
    with lesson("stop-continue") as it:
        ticker = it.pid("ticker")
        it.send(ticker, signal.SIGSTOP)
        it.step(0)
        it.event(r"was stopped by SIGSTOP: STAT shows T", Kind.STOPPED)
        assert psutil.Process(ticker).status() == psutil.STATUS_STOPPED
        it.send(ticker, signal.SIGCONT)
        it.step(1)
        it.send(ticker, signal.SIGTSTP)
        it.step(2)
        it.event(r"was stopped by SIGTSTP", Kind.STOPPED)
        it.send(ticker, signal.SIGCONT)
        it.step(3)
        # Ticking again after the continue.
        now = len(it.recorder.events)
        tick = it.recorder.wait_for(lambda e: e.kind is Kind.TICK, after=now)
        assert tick.pid == ticker
        it.event(r"finished", Kind.FINISHED)


# Steps complete in order, and only with the right event.


def test_the_wrong_signal_does_not_complete_a_step() -> None:
    with lesson("first-kill") as it:
        ticker = it.pid("ticker")
        it.send(ticker, signal.SIGKILL)  # before "find it"
        it.event(r"was killed by SIGKILL", Kind.KILLED)
        hint = it.event(r"start it again", Kind.HINT)
        assert hint.pid == ticker
        assert it.run.done == (False, False)
        it.run.selected(ticker)  # gone: selecting it does nothing
        assert it.run.done == (False, False)
    with lesson("first-kill") as it:
        ticker = it.pid("ticker")
        it.run.selected(ticker)
        it.step(0)
        it.send(ticker, signal.SIGTERM)
        it.event(r"was ended by SIGTERM", Kind.KILLED)
        assert it.run.done == (True, False)
        assert not it.recorder.texts(Kind.FINISHED)


def test_steps_complete_in_order() -> None:
    with lesson("stop-continue") as it:
        ticker = it.pid("ticker")
        it.send(ticker, signal.SIGTSTP)  # step 0 wants SIGSTOP
        it.event(r"stopped by SIGTSTP", Kind.STOPPED)
        it.send(ticker, signal.SIGCONT)
        it.event(r"continued", Kind.CONTINUED)
        assert it.run.done == (False, False, False, False)
        it.send(ticker, signal.SIGSTOP)
        it.step(0)
        assert it.run.current == 1
    with lesson("blocking") as it:
        blocker = it.pid("blocker")
        for _ in range(5):
            it.send(blocker, signal.SIGRTMIN)  # step 1's signal, too early
        for _ in range(4):
            it.send(blocker, signal.SIGUSR1)
        assert it.run.done == (False, False, False)
        it.send(blocker, signal.SIGUSR1)
        it.step(0)
        assert it.run.done == (True, False, False)


def test_sighup_to_nohup_counts_only_once_it_ticks_after() -> None:
    with lesson("hangup") as it:
        nohup, ticker = it.pid("nohup-ticker"), it.pid("ticker")
        it.send(ticker, signal.SIGHUP)  # the other one first: it ends
        it.event(rf"ticker \({ticker}\) was ended by SIGHUP", Kind.KILLED)
        assert it.run.done == (False, False)
        assert it.recorder.texts(Kind.HINT)
        it.send(nohup, signal.SIGHUP)
        it.step(0)


def test_a_signal_to_the_script_alone_leaves_its_sleeps() -> None:
    with lesson("groups") as it:
        sh = it.pid("sh")
        sleeps = [pid for pid, role in it.run.processes.items() if role == "sleep"]
        it.run.selected(sh)
        it.step(0)
        it.send(sh, signal.SIGTERM)
        it.event(r"its sleeps .* still run", Kind.HINT)
        assert set(it.run.processes) == set(sleeps)
        assert it.run.done == (True, False)
        it.send_group(sh, signal.SIGTERM)  # the group outlives its leader
        it.step(1)


# Leaving a lesson leaves nothing behind.


@pytest.mark.parametrize("name", [lesson.name for lesson in LESSONS])
def test_stop_in_the_middle_leaves_nothing(name: str) -> None:
    it = Lesson(name)
    it.run.start()
    first = min(it.run.processes)
    it.seen.update(it.run.processes)
    assert it.run.pgids
    # A stopped process cannot read its lifeline: stop() must still end it.
    os.kill(first, signal.SIGSTOP)
    it.stop_and_check()
    it.run.stop()  # twice is fine
    assert it.run.processes == {}


def test_stop_before_start_and_start_twice() -> None:
    run = LessonSession(find_lesson("handler"), Recorder(), tick=TICK)
    run.stop()
    with pytest.raises(LessonError):
        run.start()


def test_stop_right_after_starting_the_rally() -> None:
    with lesson("ping-pong") as it:
        it.send(it.pid("pong"), signal.SIGUSR1)
        it.step(0)


@pytest.mark.parametrize("name", [lesson.name for lesson in LESSONS])
def test_the_lifeline_ends_every_process(name: str) -> None:
    it = Lesson(name)
    it.run.start()
    it.seen.update(it.run.processes)
    # As if sigtui were gone: the lifeline's write end closes, nobody kills.
    it.run.cut_lifeline()
    wait_until(lambda: it.run.processes == {}, "the programs to exit", DEADLINE)
    assert not [text for text in it.recorder.texts() if "killed" in text]
    wait_until(lambda: all(gone(p) for p in it.seen), "all to be gone", DEADLINE)
    it.stop_and_check()


@pytest.mark.parametrize("name", ["first-kill", "ping-pong", "graceful", "blocking"])
def test_a_program_shows_its_name_as_its_command_line(name: str) -> None:
    # The table must read "ticker", the word the steps use, not
    # "python3 -m sigtui.lessons.programs.ticker --name ticker ...".
    with lesson(name) as it:
        processes = it.run.processes
        for pid in processes:
            it.event(rf"\({pid}\) started", Kind.STARTED)
        snapshot = ProcfsScanner().scan()
        for pid, role in processes.items():
            assert command_text(snapshot.by_pid[pid]) == role
            assert snapshot.by_pid[pid].comm == role.replace(" ", "-")[:15]
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                assert cmdline.read() == role.encode() + b"\0"
            # Only the title changed: it is still Python, and its arguments
            # reached it (it reported "started" under its role).
            assert psutil.Process(pid).exe() == os.path.realpath(sys.executable)


def test_a_player_refuses_kill_0_outside_its_own_group() -> None:
    report_r, report_w = os.pipe()
    lifeline_r, lifeline_w = os.pipe()
    argv = [sys.executable, "-m", "sigtui.lessons.programs.player", "--name", "ping"]
    argv += ["--report-fd", str(report_w), "--lifeline-fd", str(lifeline_r)]
    # Group 0 means "a group of its own", but it stays in ours.
    argv += ["--role", "ping", "--group", "0", "--not-group", str(os.getpgrp())]
    try:
        player = subprocess.Popen(argv, pass_fds=(report_w, lifeline_r))
        os.close(report_w)
        assert player.wait(DEADLINE) == 2
        with os.fdopen(report_r, "rb") as reports:
            messages = LineReader().feed(reports.read())
        assert [m["type"] for m in messages] == ["error"]
        assert "refusing to use kill(0, ...)" in messages[0]["message"]
    finally:
        for fd in (lifeline_r, lifeline_w):
            os.close(fd)


HOST = """
import json, os, signal, sys, threading
from sigtui.lessons import Kind, LessonSession, find_lesson
stopped = threading.Event()
def on_events(events):
    if any(event.kind is Kind.STOPPED for event in events):
        stopped.set()
run = LessonSession(find_lesson(sys.argv[1]), on_events, tick=0.1)
run.set_tracing(run.lesson.needs_tracing)
run.start()
if sys.argv[2] == "stop-one":
    os.kill(min(run.processes), signal.SIGSTOP)
    assert stopped.wait(10)
print(json.dumps(sorted(run.processes)), flush=True)
sys.stdin.read()
"""
"""A stand-in for sigtui: runs a lesson until it is killed."""


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("groups", "as-is"),
        ("ping-pong", "as-is"),
        ("sigchld", "as-is"),
        ("stop-continue", "stop-one"),
        ("hangup", "stop-one"),
        ("plain-program", "as-is"),
        ("plain-program", "stop-one"),
    ],
)
def test_nothing_outlives_a_killed_host(name: str, how: str) -> None:
    host = subprocess.Popen(
        [sys.executable, "-c", HOST, name, how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert host.stdout is not None
    try:
        pids: list[int] = json.loads(host.stdout.readline())
        assert pids
    finally:
        host.kill()  # no stop(), no cleanup: only the lifeline is left
        host.wait()
    try:
        # A stopped process cannot see the lifeline end; the kernel sends
        # SIGHUP and SIGCONT to a stopped group that becomes orphaned.
        wait_until(lambda: all(gone(p) for p in pids), "all to be gone", DEADLINE)
    finally:
        for pid in pids:
            if not gone(pid):  # ours; shown by the failure above
                os.kill(pid, signal.SIGKILL)
