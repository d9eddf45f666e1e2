"""Find or privately mount tracefs, and own one tracing instance in it.

Standard library only. Rules (research/tracing.md 3 and 4, the handbook's
safety rules):

- sigtui reads only from an instance of its own, ``instances/sigtui-PID-START``
  (its pid and start time), never from the global buffer, and changes no
  option outside that instance;
- where tracefs is not mounted, it is mounted in a private mount namespace
  (:func:`private_mount`), so it shows nowhere else and goes away with the
  process; this needs a single-threaded process, which is why the TUI reads
  through a separate reader process;
- an instance whose owner is dead (a SIGKILLed sigtui) is removed at the next
  start (:func:`remove_stale`), and only sigtui's own.

Each way it can fail raises :class:`Unavailable` with one sentence for the
user that says why and how to enable it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sigtui.procfs import read_stat_fields

PREFIX = "sigtui-"
"""The start of every instance name sigtui makes: ``sigtui-PID-STARTTIME``."""

KNOWN_PLACES = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")
BUFFER_KB = 2048
"""Buffer per CPU, in KiB (research/tracing.md 3: 1 to 4 MiB)."""

_CLONE_NEWNS = 0x00020000
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_MNT_DETACH = 2


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP (they arrive when the block ends)."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Unavailable(Exception):  # noqa: N818 (not sigtui's error: the machine's)
    """Tracing cannot work here; the message is one sentence for the user."""


def _start_time(pid: int) -> int | None:
    fields = read_stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    return int(fields[19])


def instance_name(pid: int | None = None) -> str:
    """The name of the instance a process owns: ``sigtui-PID-STARTTIME``.

    Args:
        pid: The owner (default: this process).

    Returns:
        The name; the start time tells a reused pid from the owner.
    """
    pid = os.getpid() if pid is None else pid
    return f"{PREFIX}{pid}-{_start_time(pid) or 0}"


def owner_alive(name: str) -> bool:
    """Whether the process that made an instance named ``name`` still runs.

    Args:
        name: An instance name; one that is not sigtui's counts as alive,
            so that it is never touched.

    Returns:
        False only for a sigtui instance whose owner is gone (or whose pid
        now belongs to a process that started at another time).
    """
    if not name.startswith(PREFIX):
        return True
    try:
        pid_text, start_text = name[len(PREFIX) :].split("-")
        pid, start = int(pid_text), int(start_text)
    except ValueError:
        return True
    return _start_time(pid) == start


def _is_tracefs(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "instances"))


def find_mounted() -> str | None:
    """Where tracefs is mounted already, if anywhere this process can see.

    Returns:
        The directory, or None.
    """
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if (
                    len(fields) > 2
                    and fields[2] == "tracefs"
                    and _is_tracefs(fields[1])
                ):
                    return fields[1]
    except OSError:
        pass
    for place in KNOWN_PLACES:
        if _is_tracefs(place):
            return place
    return None


def check_allowed() -> None:
    """Raise :class:`Unavailable` at once if this user cannot trace at all.

    Raises:
        Unavailable: Not root (tracefs is root's only, mode 0700).
    """
    if os.geteuid() != 0:
        raise Unavailable(
            "Tracing needs root: the kernel's tracing files are readable by root "
            "only; run sigtui with sudo to see every signal on the machine."
        )


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def private_mount() -> str:
    """Mount tracefs where only this process sees it, and return the directory.

    The calling process moves to a mount namespace of its own (so it must be
    single-threaded) whose mounts do not propagate back, then mounts tracefs
    on a new temporary directory. The mount ends with the process.

    Returns:
        The mount point.

    Raises:
        Unavailable: If the namespace or the mount is refused.
    """
    libc = _libc()
    if libc.unshare(_CLONE_NEWNS) != 0:
        code = ctypes.get_errno()
        raise Unavailable(
            "Tracing is off: tracefs is not mounted and sigtui may not mount it here "
            f"({os.strerror(code)}; a container without privileges cannot); "
            "mount it with: mount -t tracefs nodev /sys/kernel/tracing"
        )
    if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        code = ctypes.get_errno()
        raise Unavailable(
            f"Tracing is off: cannot make mounts private ({os.strerror(code)})."
        )
    # Mount over the usual place: in this namespace only, so nothing else sees it.
    place = KNOWN_PLACES[0] if os.path.isdir(KNOWN_PLACES[0]) else tempfile.mkdtemp()
    if libc.mount(b"nodev", place.encode(), b"tracefs", 0, None) != 0:
        code = ctypes.get_errno()
        raise Unavailable(
            "Tracing is off: the kernel refused to mount tracefs "
            f"({os.strerror(code)}); a kernel built without tracefs cannot trace."
        )
    return place


def unmount(place: str) -> None:
    """Undo :func:`private_mount` (the mount would also end with the process)."""
    _libc().umount2(place.encode(), _MNT_DETACH)
    if place not in KNOWN_PLACES:
        with contextlib.suppress(OSError):
            os.rmdir(place)


def remove_stale(root: str) -> list[str]:
    """Remove sigtui's instances whose owner is dead (a SIGKILLed sigtui).

    Args:
        root: The tracefs mount.

    Returns:
        The names removed.
    """
    removed = []
    instances = Path(root, "instances")
    with contextlib.suppress(OSError):
        for entry in instances.iterdir():
            if entry.name.startswith(PREFIX) and not owner_alive(entry.name):
                with contextlib.suppress(OSError):
                    _disable(entry)
                    entry.rmdir()
                    removed.append(entry.name)
    return removed


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="ascii") as file:
        file.write(text)


SIGNAL_EVENTS = ("signal/signal_generate", "signal/signal_deliver")
"""The two signal tracepoints: tracing cannot work without them."""

EXIT_EVENT = "sched/sched_process_exit"
"""The tracepoint of a thread's exit: without it exits are just not reported."""

EVENTS = (*SIGNAL_EVENTS, EXIT_EVENT)
"""The tracepoints sigtui enables in its instance."""


def _disable(instance: Path) -> None:
    for event in EVENTS:
        with contextlib.suppress(OSError):
            _write(instance / "events" / event / "enable", "0")


class Instance:
    """A tracing instance of this process's own, with sigtui's events on.

    Use it as a context manager: the instance is made on entry and removed on
    every way out (an exception, a signal turned into one). ``pipe`` is the
    path of its ``trace_pipe``.

    Args:
        root: The tracefs mount.
        name: The instance's name (default: :func:`instance_name`).
        buffer_kb: Buffer per CPU, in KiB.
    """

    def __init__(
        self, root: str, name: str | None = None, buffer_kb: int = BUFFER_KB
    ) -> None:
        self.root = Path(root)
        self.path = self.root / "instances" / (name or instance_name())
        self.buffer_kb = buffer_kb
        self.pipe = self.path / "trace_pipe"
        self.fd: int | None = None
        """The open ``trace_pipe`` (non-blocking), after :meth:`open_pipe`."""

    def open_pipe(self) -> int:
        """Open ``trace_pipe`` for reading, non-blocking; :meth:`remove` closes it.

        Returns:
            The file descriptor. An open one keeps the instance busy (it
            cannot be removed), so it is owned here and never leaks: a stop
            signal cannot land between the open and the bookkeeping.
        """
        with _stop_signals_held():
            if self.fd is None:
                self.fd = os.open(self.pipe, os.O_RDONLY | os.O_NONBLOCK)
            return self.fd

    def __enter__(self) -> Instance:
        for event in SIGNAL_EVENTS:
            if not (self.root / "events" / event).is_dir():
                raise Unavailable(
                    "Tracing is off: this kernel has no signal tracepoints "
                    "(it was built without CONFIG_TRACEPOINTS or event tracing)."
                )
        try:
            self.path.mkdir()
        except FileExistsError:
            pass
        except OSError as error:
            raise Unavailable(
                f"Tracing is off: cannot create a tracing instance ({error.strerror})."
            ) from None
        try:
            self._configure()
        except OSError as error:
            self.remove()
            raise Unavailable(
                "Tracing is off: cannot set up the tracing instance "
                f"({error.strerror})."
            ) from None
        except BaseException:  # a stop signal turned into an exception
            self.remove()
            raise
        return self

    def _configure(self) -> None:
        _write(self.path / "options" / "record-tgid", "1")
        _write(self.path / "trace_clock", "mono")
        with contextlib.suppress(OSError):  # a smaller buffer still works
            _write(self.path / "buffer_size_kb", str(self.buffer_kb))
        events = self.path / "events"
        exits = events / EXIT_EVENT
        if exits.is_dir():
            with contextlib.suppress(OSError):  # without it exits are just not reported
                _write(exits / "filter", "group_dead == 1")
                _write(exits / "enable", "1")
        for event in SIGNAL_EVENTS:
            _write(events / event / "enable", "1")

    def remove(self) -> None:
        """Turn the events off and remove the instance (safe to call twice).

        The signals that stop sigtui are held meanwhile: one that came in the
        middle (a second Ctrl-C, the parent-death signal after the lifeline's
        end) would otherwise leave the instance behind.
        """
        with _stop_signals_held():
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            self._remove()

    def _remove(self) -> None:
        if not self.path.exists():
            return
        _disable(self.path)
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as error:
                if error.errno != errno.EBUSY:
                    return
            # A reader of trace_pipe still open somewhere keeps it busy for a moment.
            os.sched_yield()

    def __exit__(self, *exc: object) -> None:
        self.remove()


@contextlib.contextmanager
def opened(mount_if_needed: bool = True) -> Iterator[Instance]:
    """Privately mount (or find) tracefs, clean up stale instances, and own one.

    Args:
        mount_if_needed: Mount tracefs in a private mount namespace (the
            process must be single-threaded), and use a mount that is already
            there only if that is refused; False uses an existing mount only.

    Yields:
        The instance, its events on.

    Raises:
        Unavailable: With the sentence for the user.
    """
    check_allowed()
    root: str | None = None
    mounted_here = False
    if mount_if_needed:
        try:
            root = private_mount()
            mounted_here = True
        except Unavailable:
            root = find_mounted()
            if root is None:
                raise
    else:
        root = find_mounted()
        if root is None:
            raise Unavailable(
                "Tracing is off: tracefs is not mounted; mount it with "
                "'mount -t tracefs nodev /sys/kernel/tracing'."
            )
    try:
        remove_stale(root)
        with Instance(root) as instance:
            yield instance
    finally:
        if mounted_here:
            unmount(root)
