"""Predicted outcomes of a signal, and what really happens.

Unit tests feed ``predict`` made-up processes (``make_info``) and masks. The
integration tests start real processes with known dispositions (see
tests/unit/test_signal_state.py), predict from what /proc shows, then send the
signal where the result can be observed safely (the process's state, its
pending mask, a handler writing to a FIFO, or how it died) and check that the
prediction agreed. Signals go only to processes the tests started, by pid;
every one is killed and reaped at teardown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from sigtui.processes.model import PF_KTHREAD, ProcessInfo
from sigtui.signals.catalog import Action, SignalSpec, catalogue
from sigtui.signals.predict import Outcome, Prediction, predict, summarize
from sigtui.signals.state import SignalState, read_signal_state
from tests.spawn import (
    STOP_TIMEOUT,
    Child,
    Spawner,
    make_info,
    proc_state,
    sleeper,
    stopped,
    wait_for_state,
    zombie_parent,
)
from tests.unit.test_signal_state import (
    THREADS_BLOCKING,
    asleep,
    dispositions,
    info_of,
    pending_soon,
    read_fifo,
    zombie_leader,
)

CAT = catalogue()


def spec(name: str) -> SignalSpec:
    return CAT.parse(name)


HUP, INT, USR1, USR2, PIPE, TERM = (
    spec(n) for n in ("HUP", "INT", "USR1", "USR2", "PIPE", "TERM")
)
KILL, STOP, CONT, CHLD, QUIT, TSTP = (
    spec(n) for n in ("KILL", "STOP", "CONT", "CHLD", "QUIT", "TSTP")
)
WINCH, URG, RTMIN = spec("WINCH"), spec("URG"), spec("RTMIN")
PROBE = CAT.parse("0", allow_probe=True)

RUNNING = make_info(4242)
STOPPED = make_info(4242, state="T")


def masks(
    *,
    blocked: Iterable[SignalSpec] = (),
    ignored: Iterable[SignalSpec] = (),
    caught: Iterable[SignalSpec] = (),
    shared: Iterable[SignalSpec] = (),
    thread: Iterable[SignalSpec] = (),
) -> SignalState:
    def numbers(specs: Iterable[SignalSpec]) -> frozenset[int]:
        return frozenset(s.number for s in specs)

    return SignalState(
        thread_pending=numbers(thread),
        shared_pending=numbers(shared),
        blocked=numbers(blocked),
        ignored=numbers(ignored),
        caught=numbers(caught),
    )


PYTHON = masks(caught={INT}, ignored={PIPE, spec("XFSZ")})
"""What a fresh CPython process shows."""


def check(prediction: Prediction, outcome: Outcome, summary: str | None = None) -> None:
    assert prediction.outcome is outcome, prediction
    if summary is not None:
        assert prediction.summary == summary, prediction
    assert prediction.explanation.endswith(".")


# --- Unit: one rule at a time --------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        RUNNING,
        STOPPED,
        make_info(1),
        make_info(7, state="Z"),
        make_info(2, flags=PF_KTHREAD),
    ],
)
@pytest.mark.parametrize("state", [PYTHON, None])
def test_probe(target: ProcessInfo, state: SignalState | None) -> None:
    check(predict(target, state, PROBE), Outcome.PROBE, "probe only")


@pytest.mark.parametrize("sig", list(CAT), ids=lambda s: s.name)
def test_kernel_thread_for_every_signal(sig: SignalSpec) -> None:
    kthread = make_info(2, ppid=0, flags=PF_KTHREAD | 0x8040, comm="kthreadd")
    for state in (SignalState(), None):
        check(
            predict(kthread, state, sig),
            Outcome.NOT_SIGNALABLE,
            "not signalable (kernel thread)",
        )


@pytest.mark.parametrize("sig", list(CAT), ids=lambda s: s.name)
def test_zombie_for_every_signal(sig: SignalSpec) -> None:
    for letter in "ZX":
        zombie = make_info(4242, state=letter, cmdline=())
        for state in (PYTHON, masks(blocked={sig}, shared={sig}), None):
            check(predict(zombie, state, sig), Outcome.NOTHING, "nothing (zombie)")


def test_zombie_main_thread_with_live_threads() -> None:
    """State Z with other threads running: the process still takes signals."""
    leader = make_info(4242, state="Z", num_threads=2)
    check(predict(leader, PYTHON, USR1), Outcome.DEFAULT, "terminates")
    check(predict(leader, PYTHON, KILL), Outcome.UNCATCHABLE)
    check(predict(leader, masks(blocked={USR1}), USR1), Outcome.PENDING)


def test_unknown_masks_name_the_default() -> None:
    prediction = predict(RUNNING, None, TERM)
    check(prediction, Outcome.UNKNOWN, "? (default: terminates)")
    assert "terminates" in prediction.explanation
    assert "SIGTERM" in prediction.explanation
    check(
        predict(RUNNING, None, CHLD),
        Outcome.UNKNOWN,
        "? (default: nothing (ignored by default))",
    )
    check(
        predict(RUNNING, None, QUIT),
        Outcome.UNKNOWN,
        "? (default: terminates, dumps core)",
    )
    check(predict(make_info(1), None, TERM), Outcome.UNKNOWN)


def test_init_with_and_without_a_handler() -> None:
    init = make_info(1, ppid=0, comm="init")
    check(
        predict(init, masks(caught={TERM}), TERM),
        Outcome.CAUGHT,
        "caught by its handler",
    )
    prediction = predict(init, masks(caught={HUP}), TERM)
    check(prediction, Outcome.IGNORED, "ignored (init)")
    assert "SIGTERM" in prediction.explanation
    check(predict(init, masks(ignored={TERM}), TERM), Outcome.IGNORED, "ignored (init)")
    check(predict(init, masks(), USR1), Outcome.IGNORED, "ignored (init)")
    # From inside its namespace, not even SIGKILL or SIGSTOP reach init.
    check(predict(init, masks(), KILL), Outcome.IGNORED, "ignored (init)")
    check(predict(init, masks(), STOP), Outcome.IGNORED, "ignored (init)")


def test_init_keeps_blocked_signals_pending() -> None:
    """Blocked signals are never discarded, not even by init.

    Measured in a fresh PID namespace: init blocking SIGUSR1 (no handler) and
    SIGUSR2 (a handler) showed both in ShdPnd after a child sent them, while
    an unblocked SIGTERM (no handler) was dropped; on unblocking, SIGUSR1 was
    discarded and the SIGUSR2 handler ran.
    """
    init = make_info(1, ppid=0, comm="init")
    check(predict(init, masks(blocked={USR1}), USR1), Outcome.PENDING)
    check(predict(init, masks(blocked={USR2}, caught={USR2}), USR2), Outcome.PENDING)
    check(predict(init, masks(blocked={USR1}, shared={USR1}), USR1), Outcome.MERGED)


def test_kill_and_stop_cannot_be_caught() -> None:
    everything = masks(
        blocked={KILL, STOP}, ignored={KILL, STOP}, caught={KILL, STOP}
    )  # never shown by the kernel; the rules win anyway
    for state in (PYTHON, everything):
        check(
            predict(RUNNING, state, KILL),
            Outcome.UNCATCHABLE,
            "terminates (cannot be caught)",
        )
        check(
            predict(STOPPED, state, KILL),
            Outcome.UNCATCHABLE,
            "terminates (cannot be caught)",
        )
        check(
            predict(RUNNING, state, STOP),
            Outcome.UNCATCHABLE,
            "stops (cannot be caught)",
        )
        check(
            predict(STOPPED, state, STOP), Outcome.NOTHING, "nothing (already stopped)"
        )


@pytest.mark.parametrize("letter", ["T", "t"])
def test_stopped_process(letter: str) -> None:
    target = make_info(4242, state=letter)
    check(predict(target, PYTHON, TERM), Outcome.WAITS, "waits for SIGCONT (stopped)")
    check(predict(target, PYTHON, USR1), Outcome.WAITS)
    check(predict(target, PYTHON, INT), Outcome.WAITS)  # caught: after SIGCONT
    check(predict(target, masks(blocked={TERM}), TERM), Outcome.WAITS)
    check(predict(target, masks(blocked={HUP}, ignored={HUP}), HUP), Outcome.WAITS)
    check(predict(target, PYTHON, PIPE), Outcome.IGNORED, "ignored")
    check(predict(target, PYTHON, CONT), Outcome.DEFAULT, "continues")


@pytest.mark.parametrize("sig", [CHLD, WINCH, URG], ids=lambda s: s.name)
def test_stopped_process_drops_what_it_ignores_by_default(sig: SignalSpec) -> None:
    """Ignored by default and not blocked: dropped at once, even when stopped."""
    check(
        predict(STOPPED, PYTHON, sig), Outcome.IGNORED, "nothing (ignored by default)"
    )
    check(predict(STOPPED, masks(caught={sig}), sig), Outcome.WAITS)
    check(predict(STOPPED, masks(blocked={sig}), sig), Outcome.WAITS)


def test_continue_a_stopped_process() -> None:
    check(predict(STOPPED, PYTHON, CONT), Outcome.DEFAULT, "continues")
    check(predict(STOPPED, masks(ignored={CONT}), CONT), Outcome.DEFAULT, "continues")
    check(predict(STOPPED, masks(blocked={CONT}), CONT), Outcome.DEFAULT, "continues")
    check(
        predict(STOPPED, masks(caught={CONT}), CONT),
        Outcome.DEFAULT,
        "continues and its handler runs",
    )
    blocked = predict(STOPPED, masks(caught={CONT}, blocked={CONT}), CONT)
    check(blocked, Outcome.DEFAULT, "continues, handler pending")
    assert "unblocks" in blocked.explanation


def test_continue_a_running_process() -> None:
    check(predict(RUNNING, PYTHON, CONT), Outcome.NOTHING, "nothing (not stopped)")
    check(predict(RUNNING, masks(caught={CONT}), CONT), Outcome.CAUGHT)
    check(predict(RUNNING, masks(blocked={CONT}), CONT), Outcome.PENDING)


def test_blocked_signals() -> None:
    check(
        predict(RUNNING, masks(blocked={USR2}), USR2),
        Outcome.PENDING,
        "blocked: stays pending",
    )
    # Blocked is never discarded, even when ignored or ignored by default.
    check(predict(RUNNING, masks(blocked={HUP}, ignored={HUP}), HUP), Outcome.PENDING)
    check(predict(RUNNING, masks(blocked={CHLD}), CHLD), Outcome.PENDING)
    check(
        predict(RUNNING, masks(blocked={USR2}, shared={USR2}), USR2),
        Outcome.MERGED,
        "blocked: merges with pending",
    )
    check(
        predict(RUNNING, masks(blocked={USR2, HUP}, ignored={HUP}, shared={HUP}), HUP),
        Outcome.MERGED,
    )
    # Another signal pending does not matter.
    check(predict(RUNNING, masks(blocked={USR2}, shared={USR1}), USR2), Outcome.PENDING)


def test_thread_directed_pending_does_not_merge() -> None:
    """Pending for one thread only (SigPnd): kill() queues a second, shared one."""
    state = masks(blocked={USR2}, thread={USR2})
    check(predict(RUNNING, state, USR2), Outcome.PENDING, "blocked: stays pending")


def test_realtime_signals_queue() -> None:
    rt = [RTMIN, spec("RTMIN+3"), spec("RTMAX")]
    for sig in rt:
        check(predict(RUNNING, masks(blocked={sig}), sig), Outcome.PENDING)
        check(
            predict(RUNNING, masks(blocked={sig}, shared={sig}), sig),
            Outcome.PENDING,
            "blocked: stays pending",
        )
        check(predict(RUNNING, PYTHON, sig), Outcome.DEFAULT, "terminates")


def test_dispositions_of_a_running_process() -> None:
    check(predict(RUNNING, masks(ignored={HUP}), HUP), Outcome.IGNORED, "ignored")
    check(predict(RUNNING, PYTHON, INT), Outcome.CAUGHT, "caught by its handler")
    check(predict(RUNNING, PYTHON, PIPE), Outcome.IGNORED, "ignored")
    check(predict(RUNNING, PYTHON, USR1), Outcome.DEFAULT, "terminates")
    check(predict(RUNNING, PYTHON, QUIT), Outcome.DEFAULT, "terminates, dumps core")
    check(predict(RUNNING, PYTHON, TSTP), Outcome.DEFAULT, "stops")
    for sig in (CHLD, WINCH, URG):
        check(
            predict(RUNNING, PYTHON, sig),
            Outcome.IGNORED,
            "nothing (ignored by default)",
        )
    # A handler wins over the default, and SIG_IGN over a default "ignore".
    check(predict(RUNNING, masks(caught={CHLD}), CHLD), Outcome.CAUGHT)
    check(predict(RUNNING, masks(ignored={CHLD}), CHLD), Outcome.IGNORED, "ignored")


@pytest.mark.parametrize("sig", list(CAT), ids=lambda s: s.name)
def test_every_signal_has_a_prediction(sig: SignalSpec) -> None:
    for target in (RUNNING, STOPPED):
        for state in (PYTHON, masks(blocked={sig}), masks(caught={sig}), None):
            prediction = predict(target, state, sig)
            assert prediction.summary
            assert prediction.explanation
    assert sig.action in set(Action)


# --- Unit: summarize -----------------------------------------------------------------


def test_summarize_nothing() -> None:
    assert summarize([]) == "no members"


def test_summarize_one() -> None:
    assert summarize([predict(RUNNING, PYTHON, USR1)]) == "terminates"


def test_summarize_all_the_same() -> None:
    prediction = predict(RUNNING, PYTHON, INT)
    assert summarize([prediction] * 3) == "all 3: caught by its handler"
    assert summarize([prediction, predict(make_info(9), PYTHON, INT)]) == (
        "all 2: caught by its handler"
    )


def test_summarize_mixed_most_common_first() -> None:
    caught = predict(RUNNING, masks(caught={TERM}), TERM)
    dies = predict(RUNNING, PYTHON, TERM)
    zombie = predict(make_info(5, state="Z"), PYTHON, TERM)
    assert summarize([caught, dies, zombie, dies]) == (
        "2 terminates, 1 caught, 1 nothing"
    )
    assert summarize([zombie, caught, caught, caught]) == ("3 caught, 1 nothing")


# --- Real processes: predict, send, observe -------------------------------------------


def predict_now(pid: int, sig: SignalSpec) -> Prediction:
    return predict(info_of(pid), read_signal_state(pid), sig)


def died_of(child: Child) -> int:
    """Wait for the child to end; return the signal that ended it."""
    returncode = child.proc.wait(timeout=STOP_TIMEOUT)
    assert returncode < 0, f"exited with {returncode}, not by a signal"
    return -returncode


def alive_and(child: Child, states: str = "RS") -> bool:
    """Whether the child runs on, in one of ``states``."""
    return child.proc.poll() is None and proc_state(child.pid) in set(states)


def test_real_predictions_for_known_dispositions(
    spawner: Spawner, fifo: tuple[Path, int]
) -> None:
    child = dispositions(spawner, fifo[0])
    expected = {
        HUP: (Outcome.IGNORED, "ignored"),
        TERM: (Outcome.CAUGHT, "caught by its handler"),
        INT: (Outcome.CAUGHT, "caught by its handler"),
        PIPE: (Outcome.IGNORED, "ignored"),
        USR2: (Outcome.PENDING, "blocked: stays pending"),
        RTMIN: (Outcome.PENDING, "blocked: stays pending"),
        KILL: (Outcome.UNCATCHABLE, "terminates (cannot be caught)"),
        STOP: (Outcome.UNCATCHABLE, "stops (cannot be caught)"),
        USR1: (Outcome.DEFAULT, "terminates"),
        CHLD: (Outcome.IGNORED, "nothing (ignored by default)"),
        CONT: (Outcome.NOTHING, "nothing (not stopped)"),
        PROBE: (Outcome.PROBE, "probe only"),
    }
    for sig, (outcome, summary) in expected.items():
        check(predict_now(child.pid, sig), outcome, summary)


def test_real_merge_and_queue(spawner: Spawner, fifo: tuple[Path, int]) -> None:
    """USR2 pending, then another merges; RTMIN queues; SigQ shows which."""
    child = dispositions(spawner, fifo[0])
    private = bool(child.info["private"])

    def queued_now(sig: SignalSpec, expected: int) -> None:
        state = pending_soon(child.pid, sig.number)
        assert state.queued is not None
        if private:  # only this child's signals count for its user
            assert state.queued == expected
        else:
            assert state.queued >= expected

    check(predict_now(child.pid, USR2), Outcome.PENDING)
    os.kill(child.pid, USR2.number)
    queued_now(USR2, 1)

    check(predict_now(child.pid, USR2), Outcome.MERGED, "blocked: merges with pending")
    os.kill(child.pid, USR2.number)
    queued_now(USR2, 1)  # merged: still one queued

    check(predict_now(child.pid, RTMIN), Outcome.PENDING)
    os.kill(child.pid, RTMIN.number)
    queued_now(RTMIN, 2)
    check(predict_now(child.pid, RTMIN), Outcome.PENDING, "blocked: stays pending")
    os.kill(child.pid, RTMIN.number)
    queued_now(RTMIN, 3)  # queued: two RTMIN and one USR2

    state = read_signal_state(child.pid)
    assert state.shared_pending == {USR2.number, RTMIN.number}
    assert alive_and(child)


def test_real_ignored_caught_and_harmless(
    spawner: Spawner, fifo: tuple[Path, int]
) -> None:
    path, fd = fifo
    child = dispositions(spawner, path)
    for sig in (HUP, CHLD, CONT):
        prediction = predict_now(child.pid, sig)
        assert prediction.outcome in (Outcome.IGNORED, Outcome.NOTHING)
        os.kill(child.pid, sig.number)
        assert sig.number not in read_signal_state(child.pid).pending
        assert alive_and(child)

    check(predict_now(child.pid, TERM), Outcome.CAUGHT)
    os.kill(child.pid, TERM.number)
    assert read_fifo(fd, 1) == b"T"  # the handler ran
    wait_for_state(child.pid, "S")
    assert alive_and(child)
    os.kill(child.pid, TERM.number)
    assert read_fifo(fd, 1) == b"T"  # and runs again: it is still installed
    assert alive_and(child, "SR")


def test_real_stop_then_continue(spawner: Spawner, fifo: tuple[Path, int]) -> None:
    child = dispositions(spawner, fifo[0])
    check(predict_now(child.pid, STOP), Outcome.UNCATCHABLE, "stops (cannot be caught)")
    os.kill(child.pid, STOP.number)
    wait_for_state(child.pid, "T")
    check(predict_now(child.pid, STOP), Outcome.NOTHING, "nothing (already stopped)")
    check(predict_now(child.pid, TERM), Outcome.WAITS)
    check(predict_now(child.pid, HUP), Outcome.IGNORED)
    check(predict_now(child.pid, CONT), Outcome.DEFAULT, "continues")
    os.kill(child.pid, CONT.number)
    wait_for_state(child.pid, "S")
    check(predict_now(child.pid, CONT), Outcome.NOTHING)


def test_real_default_terminates(spawner: Spawner) -> None:
    child = sleeper(spawner)
    check(predict_now(child.pid, USR1), Outcome.DEFAULT, "terminates")
    os.kill(child.pid, USR1.number)
    assert died_of(child) == USR1.number


def test_real_kill(spawner: Spawner) -> None:
    child = sleeper(spawner)
    check(predict_now(child.pid, KILL), Outcome.UNCATCHABLE)
    os.kill(child.pid, KILL.number)
    assert died_of(child) == KILL.number


def test_real_one_thread_does_not_block(spawner: Spawner) -> None:
    """Only the main thread blocks USR1: the other takes it, and it is fatal."""
    child = asleep(spawner.python(THREADS_BLOCKING, ["main"]))
    check(predict_now(child.pid, USR1), Outcome.DEFAULT, "terminates")
    os.kill(child.pid, USR1.number)
    assert died_of(child) == USR1.number


def test_real_every_thread_blocks(spawner: Spawner) -> None:
    child = asleep(spawner.python(THREADS_BLOCKING, ["all"]))
    check(predict_now(child.pid, USR1), Outcome.PENDING)
    os.kill(child.pid, USR1.number)
    pending_soon(child.pid, USR1.number)
    assert alive_and(child)
    check(predict_now(child.pid, USR1), Outcome.MERGED)


def test_real_thread_directed_pending_then_kill(spawner: Spawner) -> None:
    child = asleep(
        spawner.python(
            """
            import signal, threading
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR2)
            ready()
            park()
            """
        )
    )
    assert USR2.number in read_signal_state(child.pid).thread_pending
    check(predict_now(child.pid, USR2), Outcome.PENDING)
    os.kill(child.pid, USR2.number)
    # Not merged into the thread's: the kernel keeps a second, shared one.
    state = pending_soon(child.pid, USR2.number)
    assert USR2.number in state.thread_pending
    check(predict_now(child.pid, USR2), Outcome.MERGED)


def test_real_zombie(spawner: Spawner) -> None:
    parent = zombie_parent(spawner)
    zombie = int(parent.info["zombie"])
    info = info_of(zombie)
    assert (info.state, info.num_threads) == ("Z", 1)
    state = read_signal_state(zombie)
    for sig in CAT:
        check(predict(info, state, sig), Outcome.NOTHING, "nothing (zombie)")
    # It is our child's unreaped child, so its pid cannot have been reused.
    for sig in (TERM, USR1, STOP, KILL):
        os.kill(zombie, sig.number)
        assert read_signal_state(zombie).pending == frozenset()
        assert proc_state(zombie) == "Z"


def test_real_zombie_main_thread_with_live_thread(spawner: Spawner) -> None:
    """The main thread called pthread_exit: ps says Z, yet USR1 kills it."""
    child = zombie_leader(spawner, "run")
    assert info_of(child.pid).state == "Z"
    check(predict_now(child.pid, USR1), Outcome.DEFAULT, "terminates")
    os.kill(child.pid, USR1.number)
    assert died_of(child) == USR1.number


def test_real_zombie_main_thread_live_thread_blocks(spawner: Spawner) -> None:
    child = zombie_leader(spawner, "block")
    check(predict_now(child.pid, USR1), Outcome.PENDING)
    os.kill(child.pid, USR1.number)
    pending_soon(child.pid, USR1.number)
    assert child.proc.poll() is None


def test_real_stopped_predictions(spawner: Spawner) -> None:
    child = stopped(spawner)
    check(predict_now(child.pid, TERM), Outcome.WAITS, "waits for SIGCONT (stopped)")
    check(predict_now(child.pid, KILL), Outcome.UNCATCHABLE)
    check(predict_now(child.pid, CONT), Outcome.DEFAULT, "continues")
    check(predict_now(child.pid, STOP), Outcome.NOTHING, "nothing (already stopped)")
    check(predict_now(child.pid, CHLD), Outcome.IGNORED, "nothing (ignored by default)")
    check(predict_now(child.pid, PIPE), Outcome.IGNORED, "ignored")


def test_real_stopped_term_waits_for_continue(spawner: Spawner) -> None:
    """Research 2.2: TERM stays pending (ShdPnd) in state T; SIGCONT, then -15."""
    child = stopped(spawner)
    for sig in (TERM, CHLD, WINCH, PIPE, STOP):
        os.kill(child.pid, sig.number)
    state = pending_soon(child.pid, TERM.number)
    assert TERM.number in state.shared_pending
    for dropped in (CHLD, WINCH, PIPE):  # as predicted: discarded at once
        assert dropped.number not in state.pending
    assert proc_state(child.pid) == "T"
    os.kill(child.pid, CONT.number)
    assert died_of(child) == TERM.number


def test_real_stopped_kill(spawner: Spawner) -> None:
    child = stopped(spawner)
    os.kill(child.pid, TERM.number)
    pending_soon(child.pid, TERM.number)
    os.kill(child.pid, KILL.number)
    assert died_of(child) == KILL.number


def test_real_stop_of_stopped_does_nothing(spawner: Spawner) -> None:
    child = stopped(spawner)
    os.kill(child.pid, STOP.number)
    os.kill(child.pid, CONT.number)  # clears the stop the kernel kept queued
    wait_for_state(child.pid, "S")
    assert STOP.number not in read_signal_state(child.pid).pending
    assert alive_and(child)


def test_real_continue_with_blocked_handler(spawner: Spawner) -> None:
    child = spawner.python(
        """
        import signal
        signal.signal(signal.SIGCONT, lambda signum, frame: None)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCONT})
        ready()
        park()
        """
    )
    wait_for_state(child.pid, "S")
    os.kill(child.pid, STOP.number)
    wait_for_state(child.pid, "T")
    check(predict_now(child.pid, CONT), Outcome.DEFAULT, "continues, handler pending")
    os.kill(child.pid, CONT.number)
    wait_for_state(child.pid, "S")  # continued ...
    assert CONT.number in read_signal_state(child.pid).shared_pending  # ... handler not
