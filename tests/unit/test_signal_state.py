"""Decoding of the signal masks in ``/proc/PID/status``, and reading them live.

The unit tests use the worked example of research/signals.md 4.1 and made-up
procfs trees. The integration tests start real processes (tests/spawn.py: each
in its own session, with a readiness handshake, killed and reaped at teardown)
whose dispositions and masks they set up themselves, and check that
``read_signal_state`` reports exactly those. Signals go only to the processes
the tests started, by their own pid.
"""

from __future__ import annotations

import os
import select
import signal
import time
from pathlib import Path

import pytest

from sigtui.processes.model import ProcessInfo
from sigtui.processes.scan import parse_stat
from sigtui.signals.state import (
    SignalState,
    decode_mask,
    parse_signal_status,
    read_signal_state,
)
from tests.spawn import (
    READY_TIMEOUT,
    Child,
    Spawner,
    make_info,
    wait_for_state,
    wait_until,
)

HUP, INT, QUIT, USR1, USR2, PIPE, TERM = (
    int(s)
    for s in (
        signal.SIGHUP,
        signal.SIGINT,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGPIPE,
        signal.SIGTERM,
    )
)
WINCH, XFSZ = int(signal.SIGWINCH), int(signal.SIGXFSZ)
RTMIN, RTMAX = int(signal.SIGRTMIN), int(signal.SIGRTMAX)

# --- Children with known dispositions ------------------------------------------

DISPOSITIONS = """
import signal, sys
# The SIGTERM handler writes one byte per run to the FIFO the test reads.
fifo = os.open(sys.argv[1], os.O_WRONLY)
signal.signal(signal.SIGTERM, lambda signum, frame: os.write(fifo, b"T"))
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGRTMIN})
# SigQ counts the signals queued for every process of the receiver's real
# user; as root, move to a user of our own so that the count is ours alone.
private = False
if os.geteuid() == 0:
    uid = 3_000_000 + os.getpid()
    try:
        os.setresuid(uid, uid, uid)
        private = True
    except OSError:
        pass
ready(private=private)
park()
"""
"""Ignores SIGHUP, blocks SIGUSR2 and SIGRTMIN, catches SIGTERM.

Pass the path of a FIFO the test has opened for reading as the argument.
"""

THREADS_BLOCKING = """
import signal, sys, threading
everyone = sys.argv[1] == "all"
if everyone:  # threads inherit the mask of the thread that starts them
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
started = threading.Event()
other = []

def idle():
    other.append(threading.get_native_id())
    started.set()
    threading.Event().wait()

threading.Thread(target=idle, daemon=True).start()
started.wait()
if not everyone:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # main thread only
ready(main=threading.get_native_id(), other=other[0])
park()
"""
"""Two threads; argument ``all``: both block SIGUSR1, ``main``: only the main one."""

ZOMBIE_LEADER = """
import ctypes, signal, sys, threading

def worker():
    if sys.argv[1] == "block":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    ready(worker=threading.get_native_id())
    park()

threading.Thread(target=worker).start()
# The main thread ends alone (ctypes lets go of the GIL first); the kernel
# shows the process as a zombie (Z) while its other thread runs on.
ctypes.CDLL(None).pthread_exit(None)
"""
"""A process whose main thread has exited, with a live second thread.

Argument ``block``: the live thread blocks SIGUSR1 (the dead one did not);
anything else: nothing is blocked.
"""


def read_fifo(fd: int, count: int, timeout: float = READY_TIMEOUT) -> bytes:
    """Read ``count`` bytes from a FIFO within a deadline."""
    deadline = time.monotonic() + timeout
    data = b""
    while len(data) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"got {data!r} of {count} bytes after {timeout} s")
        readable, _, _ = select.select([fd], [], [], left)
        if readable:
            data += os.read(fd, count - len(data))
    return data


def asleep(child: Child) -> Child:
    """Wait until the ready child sleeps in ``park()``."""
    wait_for_state(child.pid, "S")
    return child


def dispositions(spawner: Spawner, fifo_path: Path) -> Child:
    """Start the child of :data:`DISPOSITIONS`; it is asleep when this returns."""
    return asleep(spawner.python(DISPOSITIONS, [str(fifo_path)]))


def info_of(pid: int) -> ProcessInfo:
    """What a scan would say of a process: its state, flags and threads now."""
    stat = parse_stat(Path(f"/proc/{pid}/stat").read_bytes())
    return make_info(
        pid,
        ppid=stat.ppid,
        pgid=stat.pgid,
        sid=stat.sid,
        state=stat.state,
        flags=stat.flags,
        num_threads=stat.num_threads,
        comm=stat.comm,
    )


def task_blocked(pid: int, tid: int) -> frozenset[int]:
    """One thread's own SigBlk."""
    data = Path(f"/proc/{pid}/task/{tid}/status").read_bytes()
    return parse_signal_status(data).blocked


def pending_soon(pid: int, number: int) -> SignalState:
    """Poll until ``number`` is pending for the process; return that state."""

    def check() -> SignalState | None:
        state = read_signal_state(pid)
        return state if number in state.shared_pending else None

    return wait_until(check, f"signal {number} pending for pid {pid}")


# --- decode_mask -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0000000000004202", {INT, USR1, TERM}),
        ("8000000000004202", {INT, USR1, TERM, 64}),
        ("0000000000000000", set()),
        ("0", set()),
        ("0000000000000001", {1}),
        ("0000000040000000", {31}),
        ("0000000080000000", {32}),  # bit 31: glibc's reserved 32, a raw number
        ("0000000100000000", {33}),  # bit 32: glibc's reserved 33
        ("0000000200000000", {34}),
        ("0000000001001000", {PIPE, XFSZ}),  # what CPython ignores at startup
        ("0000001008000800", {USR2, WINCH, RTMIN + 3}),
        ("ffffffffffffffff", set(range(1, 65))),
        ("FFFFFFFFFFFFFFFF", set(range(1, 65))),
        ("  0000000000004202\n", {INT, USR1, TERM}),  # as a line ends
    ],
)
def test_decode_mask(text: str, expected: set[int]) -> None:
    assert decode_mask(text) == frozenset(expected)
    assert decode_mask(text.encode()) == frozenset(expected)


def test_decode_mask_returns_frozenset_of_ints() -> None:
    decoded = decode_mask("8000000000004202")
    assert isinstance(decoded, frozenset)
    assert all(type(n) is int for n in decoded)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "xyz",
        "000000000000420g",
        "-1",  # int() takes it; the decoder used to loop for ever
        "-0000000000004202",
        "+4202",
        "0x4202",  # a prefix the kernel never prints
        "42_02",
        "42 02",
        "\u0664\u0662",  # Arabic-Indic digits, which int() accepts
    ],
)
def test_decode_mask_rejects_non_hex(text: str) -> None:
    with pytest.raises(ValueError, match="hexadecimal"):
        decode_mask(text)
    with pytest.raises(ValueError, match="hexadecimal"):
        decode_mask(text.encode())


# --- parse_signal_status -----------------------------------------------------------

CAPTURED = b"""\
Name:\tpython3
Umask:\t0022
State:\tS (sleeping)
Tgid:\t4242
Pid:\t4242
PPid:\t4241
Threads:\t1
SigQ:\t2/96365
SigPnd:\t0000000008000000
ShdPnd:\t0000000000000800
SigBlk:\t0000001008000800
SigIgn:\t0000000001001005
SigCgt:\t8000000000004202
CapInh:\t0000000000000000
voluntary_ctxt_switches:\t12
"""
"""The masks of research/signals.md 4.1, in a status file's surroundings."""


def test_parse_captured_status() -> None:
    state = parse_signal_status(CAPTURED)
    assert state == SignalState(
        queued=2,
        queue_limit=96365,
        thread_pending=frozenset({WINCH}),
        shared_pending=frozenset({USR2}),
        blocked=frozenset({USR2, WINCH, RTMIN + 3}),
        ignored=frozenset({HUP, QUIT, PIPE, XFSZ}),
        caught=frozenset({INT, USR1, TERM, RTMAX}),
    )
    assert state.pending == {WINCH, USR2}


def test_parse_status_without_signal_lines() -> None:
    state = parse_signal_status(b"Name:\tx\nState:\tS (sleeping)\n")
    assert state == SignalState()
    assert state.queued is None
    assert state.queue_limit is None
    assert state.pending == frozenset()


def test_parse_status_rejects_a_malformed_mask() -> None:
    with pytest.raises(ValueError, match="hexadecimal"):
        parse_signal_status(CAPTURED.replace(b"0000001008000800", b"-1"))
    with pytest.raises(ValueError, match="hexadecimal"):
        parse_signal_status(b"SigCgt:\t\n")


def test_parse_status_rejects_a_malformed_queue_count() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        parse_signal_status(b"SigQ:\tmany/96365\n")


def test_parse_own_status_matches_python() -> None:
    """This thread's mask and dispositions, as Python itself reports them."""
    own = parse_signal_status(Path("/proc/thread-self/status").read_bytes())
    assert own.blocked == {int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])}
    assert signal.getsignal(signal.SIGPIPE) is signal.SIG_IGN
    assert PIPE in own.ignored
    assert (signal.getsignal(signal.SIGINT) is signal.default_int_handler) == (
        INT in own.caught
    )


# --- read_signal_state on made-up procfs trees ---------------------------------


def status_text(
    *, state: str = "S (sleeping)", threads: int = 1, blocked: str = "0" * 16
) -> str:
    return (
        f"Name:\tfake\nState:\t{state}\nThreads:\t{threads}\nSigQ:\t0/100\n"
        f"SigPnd:\t{'0' * 16}\nShdPnd:\t{'0' * 16}\nSigBlk:\t{blocked}\n"
        f"SigIgn:\t{'0' * 16}\nSigCgt:\t{'0' * 16}\n"
    )


def fake_process(
    root: Path, pid: int, threads: dict[int, tuple[str, str]] | None = None
) -> None:
    """A /proc/PID directory; ``threads`` maps tid to (state, SigBlk)."""
    threads = threads or {pid: ("S (sleeping)", "0" * 16)}
    main_state, main_blocked = threads[pid]
    base = root / str(pid)
    (base / "task").mkdir(parents=True)
    (base / "status").write_text(
        status_text(state=main_state, threads=len(threads), blocked=main_blocked)
    )
    for tid, (state, blocked) in threads.items():
        (base / "task" / str(tid)).mkdir()
        (base / "task" / str(tid) / "status").write_text(
            status_text(state=state, threads=len(threads), blocked=blocked)
        )


USR1_MASK = "0000000000000200"
USR1_USR2_MASK = "0000000000000a00"
USR2_MASK = "0000000000000800"


def test_fake_missing_process(tmp_path: Path) -> None:
    with pytest.raises(ProcessLookupError):
        read_signal_state(7, root=str(tmp_path))


def test_fake_blocked_by_every_thread(tmp_path: Path) -> None:
    fake_process(
        tmp_path,
        7,
        {7: ("S (sleeping)", USR1_USR2_MASK), 8: ("S (sleeping)", USR1_MASK)},
    )
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1}


def test_fake_other_thread_blocks_nothing(tmp_path: Path) -> None:
    fake_process(
        tmp_path, 7, {7: ("S (sleeping)", USR1_MASK), 8: ("R (running)", "0" * 16)}
    )
    assert read_signal_state(7, root=str(tmp_path)).blocked == frozenset()


def test_fake_zombie_main_thread_is_left_out(tmp_path: Path) -> None:
    """A main thread that has exited takes no signal: only live threads count."""
    fake_process(
        tmp_path, 7, {7: ("Z (zombie)", "0" * 16), 8: ("S (sleeping)", USR1_MASK)}
    )
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1}


def test_fake_dead_other_thread_is_left_out(tmp_path: Path) -> None:
    fake_process(
        tmp_path,
        7,
        {
            7: ("S (sleeping)", USR1_USR2_MASK),
            8: ("X (dead)", "0" * 16),
            9: ("Z (zombie)", USR2_MASK),
        },
    )
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1, USR2}


def test_fake_threads_gone_meanwhile(tmp_path: Path) -> None:
    """Threads listed but ended before their status is read are skipped."""
    fake_process(
        tmp_path,
        7,
        {7: ("S (sleeping)", USR1_USR2_MASK), 8: ("S (sleeping)", USR1_MASK)},
    )
    (tmp_path / "7" / "task" / "9").mkdir()  # listed, with no status any more
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1}
    for tid in ("7", "8"):
        (tmp_path / "7" / "task" / tid / "status").unlink()
    # No thread readable: the main thread's own mask stands.
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1, USR2}


def test_fake_single_thread_reads_no_tasks(tmp_path: Path) -> None:
    fake_process(tmp_path, 7, {7: ("S (sleeping)", USR1_MASK)})
    (tmp_path / "7" / "task" / "7" / "status").write_text("garbage")
    assert read_signal_state(7, root=str(tmp_path)).blocked == {USR1}


# --- read_signal_state on real processes ---------------------------------------------


def test_no_such_process() -> None:
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    with pytest.raises(ProcessLookupError):
        read_signal_state(pid_max + 1)


def test_known_dispositions(spawner: Spawner, fifo: tuple[Path, int]) -> None:
    child = dispositions(spawner, fifo[0])
    state = read_signal_state(child.pid)
    assert HUP in state.ignored
    assert state.blocked == {USR2, RTMIN}
    assert state.caught == {INT, TERM}  # INT: CPython's default_int_handler
    assert state.ignored == {HUP, PIPE, XFSZ}  # PIPE, XFSZ: CPython's own
    assert state.pending == frozenset()
    assert state.queue_limit is not None
    assert state.queue_limit > 0
    if child.info["private"]:
        assert state.queued == 0


def test_pending_and_queued(spawner: Spawner, fifo: tuple[Path, int]) -> None:
    """A blocked standard signal is pending once; a realtime one queues.

    The kernel counts queued signals (SigQ) for the receiver's real user; the
    child has a user of its own, so the count is exact: 2 x USR2 make 1, and
    2 x RTMIN make 2.
    """
    child = dispositions(spawner, fifo[0])
    before = read_signal_state(child.pid).queued
    assert before is not None
    expected = [1, 1, 2, 3]  # after each of the four sends below
    for sent, number in enumerate((USR2, USR2, RTMIN, RTMIN)):
        os.kill(child.pid, number)
        state = pending_soon(child.pid, number)
        assert state.queued is not None
        if child.info["private"]:
            assert state.queued == expected[sent]
        else:  # other processes of this user may queue signals too
            assert state.queued >= expected[sent]
    assert state.shared_pending == {USR2, RTMIN}
    assert state.thread_pending == frozenset()
    assert state.pending == {USR2, RTMIN}
    assert proc_alive(child)


def test_thread_directed_pending(spawner: Spawner) -> None:
    """pthread_kill makes SigPnd; a later kill() of the same signal is separate."""
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
    state = read_signal_state(child.pid)
    assert state.thread_pending == {USR2}
    assert state.shared_pending == frozenset()
    os.kill(child.pid, USR2)
    state = pending_soon(child.pid, USR2)
    assert state.thread_pending == {USR2}
    assert state.shared_pending == {USR2}


def test_ignored_signal_is_never_pending(
    spawner: Spawner, fifo: tuple[Path, int]
) -> None:
    child = dispositions(spawner, fifo[0])
    os.kill(child.pid, HUP)
    # Ignored, unblocked signals are dropped as they are sent (sig_ignored()).
    assert HUP not in read_signal_state(child.pid).pending
    assert proc_alive(child)


def proc_alive(child: Child) -> bool:
    return child.proc.poll() is None


def test_threads_all_block(spawner: Spawner) -> None:
    child = asleep(spawner.python(THREADS_BLOCKING, ["all"]))
    main, other = int(child.info["main"]), int(child.info["other"])
    assert USR1 in task_blocked(child.pid, main)
    assert USR1 in task_blocked(child.pid, other)
    state = read_signal_state(child.pid)
    assert USR1 in state.blocked


def test_threads_one_does_not_block(spawner: Spawner) -> None:
    child = asleep(spawner.python(THREADS_BLOCKING, ["main"]))
    main, other = int(child.info["main"]), int(child.info["other"])
    # The main thread's own status (what /proc/PID/status shows) blocks it...
    assert USR1 in task_blocked(child.pid, main)
    assert (
        USR1
        in parse_signal_status(Path(f"/proc/{child.pid}/status").read_bytes()).blocked
    )
    # ... but the other thread would take it, so the process does not.
    assert USR1 not in task_blocked(child.pid, other)
    assert USR1 not in read_signal_state(child.pid).blocked


def zombie_leader(spawner: Spawner, mode: str) -> Child:
    """Start :data:`ZOMBIE_LEADER`; its main thread is a zombie on return."""
    child = spawner.python(ZOMBIE_LEADER, [mode])
    wait_for_state(child.pid, "Z")
    wait_for_state(int(child.info["worker"]), "S")
    return child


def test_zombie_main_thread_mask_is_left_out(spawner: Spawner) -> None:
    child = zombie_leader(spawner, "block")
    info = info_of(child.pid)
    assert (info.state, info.num_threads) == ("Z", 2)
    assert USR1 not in task_blocked(child.pid, child.pid)
    assert USR1 in task_blocked(child.pid, int(child.info["worker"]))
    assert USR1 in read_signal_state(child.pid).blocked
