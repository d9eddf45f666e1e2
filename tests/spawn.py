"""Start real processes for tests, each in a new session, and always clean up.

Every child is started with ``start_new_session=True``, so it leads its own
session and process group and never touches the test runner's terminal.

Python children run a small prelude that gives their code two functions:

``ready(**info)``
    The readiness handshake: writes one JSON line (``pid`` plus ``info``) to a
    pipe the test reads with a deadline, then closes it. The test never
    sleeps to synchronise; it waits for this line or for /proc to show a
    state, in bounded polls.

``park()``
    Blocks until the test closes the child's stdin, then kills and reaps the
    children the child started with ``fork_member()`` and exits. (The same
    clean-up runs at exit if the child's own code fails.)

``fork_member(new_group=False)``
    Forks a child that blocks on a lifeline pipe (so it exits by itself if
    its parent dies) and returns its pid; ``park()`` cleans it up.

:class:`Spawner` keeps every child it started and, on :meth:`Spawner.close`,
stops them one by one: groups the child made itself (killed before their
creator can reap them, so their ids cannot have been reused), then the child
by closing its stdin and continuing it, and if it does not exit in time,
``SIGKILL`` to the process group the test created for it. Signals go only to
those pids and groups, never to 0, -1 or by name.

:func:`make_info` builds made-up :class:`ProcessInfo` records for unit tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

from sigtui.processes.model import ProcessInfo
from sigtui.processes.scan import parse_stat

READY_TIMEOUT = 20.0
"""Seconds a child may take to report ready (a loaded CI machine is slow)."""

STOP_TIMEOUT = 20.0
"""Seconds a child may take to exit after its stdin is closed."""

POLL_INTERVAL = 0.005
"""Seconds between two looks in a bounded poll."""

_READY_ENV = "SIGTUI_TEST_READY_FD"

PRELUDE = textwrap.dedent(
    f"""\
    import atexit, json as _json, os, signal, sys

    _members = []

    def ready(**info):
        fd = int(os.environ.pop({_READY_ENV!r}))
        info.setdefault("pid", os.getpid())
        os.write(fd, _json.dumps(info).encode() + b"\\n")
        os.close(fd)

    def fork_member(new_group=False):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            if {_READY_ENV!r} in os.environ:  # the handshake is not ours to hold
                os.close(int(os.environ.pop({_READY_ENV!r})))
            if new_group:
                os.setpgid(0, 0)
            os.read(r, 1)
            os._exit(0)
        os.close(r)
        if new_group:
            try:
                os.setpgid(pid, pid)
            except PermissionError:
                pass  # the child got there first (and has exec'd nothing)
        _members.append((pid, w))
        return pid

    def _clean_up():
        for pid, w in _members:
            os.kill(pid, signal.SIGKILL)
            os.close(w)
        _members.clear()
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break

    atexit.register(_clean_up)  # also when the child's own code fails

    def park():
        stdin = sys.stdin.buffer
        while stdin.read(65536):
            pass
        _clean_up()
        os._exit(0)

    """
)
"""Code every Python child runs before its own."""

T = TypeVar("T")


class SpawnError(RuntimeError):
    """A child failed to start or to report ready."""


@dataclass
class Child:
    """A process a test started.

    Attributes:
        proc: The Popen object (the test reaps the child through it).
        argv: The command line it was started with.
        info: What the child reported when it was ready (at least ``pid``).
        graceful: Whether it runs the prelude and exits when stdin closes.
        own_groups: Process groups the child created itself, killed first.
        stderr: Where its stderr goes, for error messages.
    """

    proc: subprocess.Popen[bytes]
    argv: tuple[bytes, ...]
    info: dict[str, Any]
    graceful: bool
    own_groups: list[int] = field(default_factory=list)
    stderr: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        """The child's pid (also its process group and session id)."""
        return self.proc.pid

    def stderr_text(self) -> str:
        """Return what the child wrote to stderr so far."""
        if self.stderr is None:
            return ""
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")


def wait_until(
    check: Callable[[], T | None], what: str, timeout: float = READY_TIMEOUT
) -> T:
    """Poll ``check`` until it returns something other than None or False.

    Args:
        check: The probe; exceptions propagate.
        what: What is awaited, for the error message.
        timeout: Seconds before giving up.

    Returns:
        The first true value ``check`` returned.

    Raises:
        TimeoutError: If the deadline passes first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(POLL_INTERVAL)


class Recorder(Generic[T]):
    """Collects the events a session hands to its callback (from its threads).

    Attributes:
        events: Every event so far, in order.
    """

    def __init__(self) -> None:
        self.events: list[T] = []
        self._cond = threading.Condition()

    def __call__(self, batch: list[T]) -> None:
        with self._cond:
            self.events.extend(batch)
            self._cond.notify_all()

    def wait_for(
        self,
        predicate: Callable[[T], bool],
        timeout: float = READY_TIMEOUT,
        *,
        after: int = 0,
    ) -> T:
        """The first event (from index ``after`` on) that matches, waiting (bounded).

        Args:
            predicate: The test.
            timeout: Seconds before giving up.
            after: Where to start looking.

        Returns:
            The event.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[after:]:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    last = "\n".join(str(e) for e in self.events[-15:])
                    raise AssertionError(f"event not seen; last events:\n{last}")
                self._cond.wait(left)

    def snapshot(self) -> list[T]:
        """The events so far (a copy)."""
        with self._cond:
            return list(self.events)


def proc_state(pid: int) -> str | None:
    """Return the one-letter state of a process from /proc, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return parse_stat(stat.read()).state
    except (FileNotFoundError, ProcessLookupError):
        return None


def alive(pid: int) -> bool:
    """Whether a process runs on: neither gone nor a zombie."""
    return proc_state(pid) not in (None, "Z", "X")


def wait_for_state(pid: int, states: str, timeout: float = READY_TIMEOUT) -> str:
    """Wait until /proc shows the process in one of ``states`` (e.g. ``"T"``).

    Args:
        pid: The process.
        states: Acceptable state letters.
        timeout: Seconds before giving up.

    Returns:
        The state seen.
    """

    def check() -> str | None:
        state = proc_state(pid)
        return state if state is not None and state in states else None

    return wait_until(check, f"pid {pid} in state {states!r}", timeout)


def _read_ready(read_fd: int, child: Child, timeout: float) -> dict[str, Any]:
    """Read the child's one JSON line, within the deadline."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SpawnError(
                f"pid {child.pid} not ready after {timeout} s: {child.stderr_text()}"
            )
        readable, _, _ = select.select([read_fd], [], [], left)
        if not readable:
            continue
        chunk = os.read(read_fd, 4096)
        if not chunk:
            child.proc.wait(timeout=STOP_TIMEOUT)
            raise SpawnError(
                f"pid {child.pid} exited ({child.proc.returncode}) before it was "
                f"ready: {child.stderr_text()}"
            )
        data += chunk
    info: dict[str, Any] = json.loads(data)
    return info


class Spawner:
    """Starts test processes and stops every one of them on :meth:`close`."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def __enter__(self) -> Spawner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def python(
        self,
        code: str,
        args: Sequence[str | bytes] = (),
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = READY_TIMEOUT,
    ) -> Child:
        """Run Python code in a new session and wait for its ``ready()``.

        Args:
            code: The child's code (dedented); it must call ``ready()`` and
                normally ends with ``park()``.
            args: Extra arguments, which land in ``sys.argv[1:]`` and in
                ``/proc/PID/cmdline`` (bytes are passed as they are).
            env: Extra environment variables.
            timeout: Seconds to wait for ``ready()``.

        Returns:
            The ready child; ``child.info`` holds what it reported.
        """
        read_fd, write_fd = os.pipe()
        child_env = dict(os.environ)
        child_env.update(env or {})
        child_env[_READY_ENV] = str(write_fd)
        argv: list[str | bytes] = [
            sys.executable,
            "-c",
            PRELUDE + textwrap.dedent(code),
            *args,
        ]
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in _stop)
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                pass_fds=(write_fd,),
                env=child_env,
                start_new_session=True,
            )
        except BaseException:
            stderr.close()
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        child = Child(
            proc,
            tuple(map(os.fsencode, argv)),
            {"pid": proc.pid},
            graceful=True,
            stderr=stderr,
        )
        self.children.append(child)
        try:
            child.info = _read_ready(read_fd, child, timeout)
        finally:
            os.close(read_fd)
        return child

    def command(self, argv: Sequence[str | bytes], **popen: Any) -> Child:
        """Run a program in a new session (it is stopped with ``SIGKILL``).

        Popen returns only once the program has been executed, so /proc
        already shows its command line and user when this returns.

        Args:
            argv: The program and its arguments.
            **popen: More Popen arguments (``user``, ``group`` ...).

        Returns:
            The child.
        """
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **popen,
        )
        child = Child(
            proc, tuple(map(os.fsencode, argv)), {"pid": proc.pid}, graceful=False
        )
        self.children.append(child)
        return child

    def close(self) -> None:
        """Stop and reap every child, newest first; raise the first failure."""
        failure: BaseException | None = None
        while self.children:
            child = self.children.pop()
            try:
                _stop(child)
            except BaseException as err:  # keep cleaning up the others
                failure = failure or err
        if failure is not None:
            raise failure


def _signal_group(pgid: int, signo: int) -> None:
    """Signal a process group a test created (never 0, 1 or a negative id)."""
    if pgid <= 1:
        raise ValueError(f"refusing to signal process group {pgid}")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signo)


def _stop(child: Child) -> None:
    """Stop one child and reap it; it is unreaped until here, so its ids are ours."""
    proc = child.proc
    try:
        if proc.returncode is None:
            for pgid in child.own_groups:
                _signal_group(pgid, signal.SIGKILL)
            if child.graceful:
                if proc.stdin is not None:
                    with contextlib.suppress(BrokenPipeError):
                        proc.stdin.close()
                # A stopped child must run to see the end of its stdin.
                proc.send_signal(signal.SIGCONT)
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _signal_group(proc.pid, signal.SIGKILL)
            else:
                _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)
    finally:
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        if child.stderr is not None:
            child.stderr.close()


def make_info(pid: int = 100, **fields: Any) -> ProcessInfo:
    """Build a made-up process: an ordinary sleeping one unless told otherwise.

    Args:
        pid: Its pid (also its group and session unless given).
        **fields: Any other :class:`ProcessInfo` field.

    Returns:
        The record.
    """
    values: dict[str, Any] = {
        "pid": pid,
        "ppid": 1,
        "pgid": pid,
        "sid": pid,
        "tpgid": -1,
        "tty": None,
        "state": "S",
        "flags": 0,
        "nice": 0,
        "num_threads": 1,
        "locked": False,
        "uid": 0,
        "user": "root",
        "cpu_time": 0.0,
        "start_time": 1000.0,
        "comm": "sleep",
        "cmdline": ("sleep", "1000"),
    }
    values.update(fields)
    return ProcessInfo(**values)


# --- The kinds of process the integration and oracle tests need ---------------

SLEEPER = """
ready()
park()
"""

THREADED = """
import threading
started = threading.Event()

def block():
    started.set()
    threading.Event().wait()

threading.Thread(target=block, daemon=True).start()
started.wait()
ready(threads=threading.active_count())
park()
"""

NICED = """
ready(nice=os.nice(5))
park()
"""

LOCKED = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
page = ctypes.create_string_buffer(4096)
if libc.mlock(ctypes.addressof(page), 4096) != 0:
    raise OSError(ctypes.get_errno(), "mlock")
ready()
park()
"""

ZOMBIE_PARENT = """
zombie = os.fork()
if zombie == 0:
    os._exit(0)
# Wait until it has exited, without reaping it: now it is a zombie.
os.waitid(os.P_PID, zombie, os.WEXITED | os.WNOWAIT)
ready(zombie=zombie)
park()
"""

PTY_SESSION = """
import fcntl, termios
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
os.tcsetpgrp(slave, os.getpgrp())
background = fork_member(new_group=True)
ready(tty=os.ttyname(slave), background=background)
park()
"""


def _asleep(child: Child) -> Child:
    """Wait until the child, ready, has gone to sleep in ``park()`` (state S)."""
    wait_for_state(child.pid, "S")
    return child


def sleeper(spawner: Spawner, args: Sequence[str | bytes] = ()) -> Child:
    """A child that sleeps (state S) until cleaned up."""
    return _asleep(spawner.python(SLEEPER, args))


def threaded(spawner: Spawner) -> Child:
    """A child with two threads (ps STAT ``l``)."""
    return _asleep(spawner.python(THREADED))


def niced(spawner: Spawner) -> Child:
    """A child five steps nicer than the test runner (ps STAT ``N``)."""
    return _asleep(spawner.python(NICED))


def locked(spawner: Spawner) -> Child:
    """A child with a page locked in memory (ps STAT ``L``)."""
    return _asleep(spawner.python(LOCKED))


def stopped(spawner: Spawner) -> Child:
    """A child stopped with SIGSTOP (state T); cleanup continues it."""
    child = spawner.python(SLEEPER)
    child.proc.send_signal(signal.SIGSTOP)
    wait_for_state(child.pid, "T")
    return child


def zombie_parent(spawner: Spawner) -> Child:
    """A child with an unreaped, exited child of its own: ``info["zombie"]``."""
    child = _asleep(spawner.python(ZOMBIE_PARENT))
    wait_for_state(int(child.info["zombie"]), "Z")
    return child


def pty_session(spawner: Spawner) -> Child:
    """A session leader on a new pseudo-terminal, in the foreground.

    ``info["tty"]`` is the terminal's path; ``info["background"]`` is a child
    in the same session and terminal but its own (background) process group.
    Both are asleep when this returns.
    """
    child = spawner.python(PTY_SESSION)
    child.own_groups.append(int(child.info["background"]))
    wait_for_state(int(child.info["background"]), "S")
    return _asleep(child)


UNINTERRUPTIBLE = """
import socket
# A real uninterruptible sleep that SIGKILL cannot end: "holder" splices a
# pipe into a full socket and blocks in the send while it holds the pipe's
# lock (a kernel mutex); "victim" then writes to that pipe and waits for the
# lock in state D. Nothing but the holder letting go ends the victim's wait.
r, w = os.pipe()
a, b = socket.socketpair()
a.setblocking(False)
try:
    while True:
        a.send(b"x" * 65536)
except BlockingIOError:
    pass
a.setblocking(True)
os.write(w, b"y" * 4096)
holder = os.fork()
if holder == 0:
    os.splice(r, a.fileno(), 4096)
    os._exit(0)
# Killed first at clean-up: that releases the lock, then the victim can die.
_members.append((holder, os.open(os.devnull, os.O_RDONLY)))


def _state(pid):
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rpartition(b")")[2].split()[0]


# Single-threaded, the holder can only sleep (S) in the splice: then it holds
# the lock. A bounded poll, like the tests' own.
import time
deadline = time.monotonic() + 20
while _state(holder) != b"S":
    if time.monotonic() > deadline:
        raise SystemExit("the holder never blocked in splice")
    time.sleep(0.005)
victim = os.fork()
if victim == 0:
    os.close(0)  # the test's pipe is the parent's to hold
    os.write(w, b"z")
    os._exit(0)
_members.append((victim, os.open(os.devnull, os.O_RDONLY)))
ready(holder=holder, victim=victim)
park()
"""

TRACED = """
import ctypes
# A real tracee: the child asks to be traced by this process (PTRACE_TRACEME)
# and stops itself; as a tracee its SIGSTOP becomes a signal-delivery stop
# (state t) that lasts until this tracer resumes it, which it never does.
PTRACE_TRACEME = 0
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
tracee = os.fork()
if tracee == 0:
    os.close(0)
    if libc.ptrace(PTRACE_TRACEME, 0, None, None) != 0:
        os._exit(3)
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(0)
_members.append((tracee, os.open(os.devnull, os.O_RDONLY)))
ready(tracee=tracee)
park()
"""


def uninterruptible(spawner: Spawner) -> Child:
    """A child whose own child ``info["victim"]`` sleeps in state D.

    The victim waits for a pipe's lock, which its sibling ``info["holder"]``
    holds while it blocks in a send to a full socket; SIGKILL stays pending
    in the victim until the holder is gone. Clean-up kills the holder first.
    """
    child = spawner.python(UNINTERRUPTIBLE)
    wait_for_state(int(child.info["victim"]), "D")
    return _asleep(child)


def traced(spawner: Spawner) -> Child:
    """A child (the tracer) whose own child ``info["tracee"]`` is in state t."""
    child = spawner.python(TRACED)
    wait_for_state(int(child.info["tracee"]), "t")
    return _asleep(child)
