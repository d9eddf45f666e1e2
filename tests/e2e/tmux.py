"""Drive the installed ``sigtui`` command in a real terminal: a private tmux server.

The pieces, meant to be reused by every end-to-end test:

* :class:`ProcessRegistry` remembers every process the tests start (by pid and
  start time, so a reused pid is never mistaken for ours), stops them by their
  own pid, and reports any that are still alive at the end of the session.
* :class:`TmuxSession` runs a command in a detached tmux server on its own
  socket (never the user's tmux), with a fixed size, and offers ``send_keys``,
  ``capture``, bounded polls (``wait_for``), the terminal state tmux tracks
  (alternate screen, cursor, mouse reporting), ``resize`` and ``kill``.
* :class:`MarkerProcess` is a ``sleep`` whose argv carries a unique marker, so
  the test can find its row in the table.

Nothing here sleeps to synchronise: every wait is a poll of tmux with a
deadline, and a timeout raises AssertionError with the last screen.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import psutil

from benchmarks.common import zombie_wait_status

T = TypeVar("T")

DEFAULT_TIMEOUT = 15.0
"""Seconds a wait may take before the test fails (generous for slow CI)."""
POLL_INTERVAL = 0.05
"""Seconds between two looks at the screen while waiting."""
DEFAULT_SIZE = (120, 40)
"""Columns and lines of the terminal the app runs in."""

EXIT_LINE = re.compile(r"^E2E-EXIT-STATUS=(\d+)$", re.MULTILINE)
"""The line the holding wrapper prints when the command has ended."""
STTY_BLOCK = re.compile(
    r"^E2E-STTY-BEGIN$(.*?)^E2E-STTY-END$", re.MULTILINE | re.DOTALL
)

# Runs the command in the pane as a shell at a prompt would (job control on:
# the command is a foreground job in its own process group), then reports how
# it ended and how it left the terminal's line discipline (read before `stty
# sane` makes the report itself legible), and keeps the pane (and so the
# terminal state tmux tracks) alive. The markers are built by printf so that
# they never appear in any process's argv, which sigtui shows on screen.
HOLD_SCRIPT = """\
set -m
"$@"
status=$?
modes=$(stty -a)
stty sane
printf '\\n%s-STTY-BEGIN\\n%s\\n%s-STTY-END\\n' E2E "$modes" E2E
printf '%s-EXIT-STATUS=%d\\n' E2E "$status"
exec sleep 86400
"""

TMUX_CONFIG = """\
set-option -g remain-on-exit on
set-option -g status off
set-option -g history-limit 2000
set-option -sg escape-time 0
"""

TTY_FLAGS = ("icanon", "echo", "isig", "icrnl", "opost", "ixon")
"""Line-discipline flags reported after the command ends (see ``stty -a``)."""


def tmux_binary() -> str:
    """Find tmux, or fail (never skip): CI installs it.

    Returns:
        The path of the tmux executable.
    """
    found = shutil.which("tmux")
    if found is None:
        raise AssertionError(
            "tmux is not installed, and the end-to-end tests need it to run sigtui "
            "in a real terminal: install it (e.g. apt-get install tmux)"
        )
    return found


def sigtui_executable() -> Path:
    """Find the installed ``sigtui`` command, preferring this interpreter's.

    Returns:
        The path of the executable.
    """
    beside = Path(sys.executable).parent / "sigtui"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("sigtui")
    if found is None:
        raise AssertionError(
            f"the sigtui command is not installed (looked for {beside} and on PATH): "
            "run pip install -e '.[dev]'"
        )
    return Path(found)


def clean_environment() -> dict[str, str]:
    """The environment for tmux and the programs it runs.

    Returns:
        This process's environment without anything that would tie tmux to the
        user's server or change sigtui's size, locale or Textual's behaviour.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TMUX", "TMUX_PANE", "COLUMNS", "LINES", "NO_COLOR"}
        and not key.startswith(("TEXTUAL", "LC_"))
    }
    env["LANG"] = "C.UTF-8"
    env["LC_ALL"] = "C.UTF-8"
    # Full colour, so styles (such as focus) survive into capture-pane -e.
    env["COLORTERM"] = "truecolor"
    return env


def poll(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    describe: Callable[[], str],
    what: str,
) -> T:
    """Call ``probe`` until it returns something other than None, or fail.

    Args:
        probe: Returns the result, or None to keep waiting.
        timeout: Seconds before giving up.
        describe: Explains the last state in the failure message.
        what: What was awaited, for the failure message.

    Returns:
        The probe's first non-None result.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {what}\n{describe()}"
            )
        time.sleep(POLL_INTERVAL)


# -- processes -----------------------------------------------------------------


class ProcessRegistry:
    """Every process the end-to-end tests started, so none outlives the session.

    Processes are remembered as :class:`psutil.Process`, which carries the
    start time: a pid reused by an unrelated process is not ours.
    """

    def __init__(self) -> None:
        self._tracked: list[tuple[psutil.Process, str]] = []
        self._children: list[subprocess.Popen[bytes]] = []

    def track(self, pid: int, what: str) -> psutil.Process | None:
        """Remember a process started on the tests' behalf (e.g. by tmux).

        Args:
            pid: Its pid.
            what: A description for reports.

        Returns:
            The process, or None if it has already ended.
        """
        try:
            process = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return None
        self._tracked.append((process, what))
        return process

    def spawn(
        self,
        argv: Sequence[str],
        what: str,
        *,
        executable: str | None = None,
        stdout: int = subprocess.DEVNULL,
        stderr: int = subprocess.DEVNULL,
    ) -> subprocess.Popen[bytes]:
        """Start a process in its own session (and so its own process group).

        Its stdin is /dev/null.

        Args:
            argv: Its argv.
            what: A description for reports.
            executable: The program, when ``argv[0]`` is not it.
            stdout: Where its stdout goes (``subprocess.PIPE`` to read it).
            stderr: Where its stderr goes.

        Returns:
            The process.
        """
        child = subprocess.Popen(
            list(argv),
            executable=executable,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            env=clean_environment(),
        )
        self._children.append(child)
        self.track(child.pid, what)
        return child

    @staticmethod
    def stop(child: subprocess.Popen[bytes], timeout: float = DEFAULT_TIMEOUT) -> None:
        """Kill one of our children by its own pid and reap it.

        Args:
            child: The process.
            timeout: Seconds to wait for it to be reaped.
        """
        if child.poll() is None:
            child.kill()
        child.wait(timeout=timeout)

    def alive(self) -> list[str]:
        """Describe the tracked processes that are still running.

        Returns:
            One line per process, empty when all have ended.
        """
        for child in self._children:
            child.poll()  # reap the ones that ended by themselves
        return [
            f"pid {process.pid}: {what}"
            for process, what in self._tracked
            if _running(process)
        ]

    def kill_leftovers(self, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
        """Kill, each by its own pid, the tracked processes still running.

        Args:
            timeout: Seconds to wait for them to end.

        Returns:
            What was still running (empty when nothing was left over).
        """
        leftovers = self.alive()
        for process, _ in self._tracked:
            if _running(process):
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.send_signal(signal.SIGKILL)  # checks it is still ours
        for child in self._children:
            if child.poll() is None:
                child.wait(timeout=timeout)
        poll(
            lambda: True if not self.alive() else None,
            timeout=timeout,
            describe=lambda: "\n".join(self.alive()),
            what="left-over processes to end after SIGKILL",
        )
        return leftovers


def _zombie_wait_status(process: psutil.Process) -> int | None:
    """The wait status of a process that ended but was not reaped, else None."""
    try:
        if not process.is_running():  # gone, or its pid reused
            return None
    except psutil.Error:
        return None
    return zombie_wait_status(process.pid)


def _running(process: psutil.Process) -> bool:
    """Whether a process is still running (a zombie has ended)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def unique_marker(prefix: str = "e2emarker") -> str:
    """A text no other process has in its command line.

    Args:
        prefix: Its start. Avoid letters bound to keys in sigtui (s, t, p, q)
            so that a key typed before the filter box has focus shows up as a
            wrong filter rather than as a sort or a quit.

    Returns:
        The prefix and twelve hex digits.
    """
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class MarkerProcess:
    """A ``sleep 3600`` whose argv[0] is a unique marker, for finding its row.

    Attributes:
        marker: The unique text; the process's command line is
            ``<marker> 3600``.
        child: The process.
    """

    marker: str
    child: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """Its pid."""
        return self.child.pid

    @classmethod
    def start(cls, registry: ProcessRegistry, marker: str) -> MarkerProcess:
        """Start one.

        Args:
            registry: Where to track it.
            marker: Its unique text (see :func:`unique_marker`).

        Returns:
            The running process.
        """
        sleep = shutil.which("sleep")
        if sleep is None:
            raise AssertionError("the sleep command is not on PATH")
        child = registry.spawn(
            [marker, "3600"], f"marker sleep {marker}", executable=sleep
        )
        return cls(marker, child)

    def stop(self) -> None:
        """Kill it by its pid and reap it."""
        ProcessRegistry.stop(self.child)


# -- the terminal --------------------------------------------------------------


@dataclass(frozen=True)
class PaneState:
    """What tmux knows about the pane's terminal and its program.

    Attributes:
        alternate_on: The alternate screen is in use.
        cursor_visible: The cursor is shown. tmux reports it hidden in any
            finished pane, so only a live (held) pane tells whether the
            program left it visible.
        mouse_any: Any-event mouse reporting is on.
        dead: The pane's terminal is closed (its program is ending or ended).
        dead_status: The exit status, once known, if the program exited.
        dead_signal: The signal, once known, if a signal killed the program.
    """

    alternate_on: bool
    cursor_visible: bool
    mouse_any: bool
    dead: bool
    dead_status: int | None
    dead_signal: int | None

    @property
    def finished(self) -> bool:
        """The program has ended and tmux has its exit status or signal.

        tmux closes a dead pane's terminal before it reaps the program, so
        ``dead`` alone does not mean the status is known yet.
        """
        return self.dead and (
            self.dead_status is not None or self.dead_signal is not None
        )

    @property
    def restored(self) -> bool:
        """The terminal is as a shell expects it: main screen, cursor, no mouse."""
        return not self.alternate_on and self.cursor_visible and not self.mouse_any


@dataclass(frozen=True)
class Ending:
    """How a held command ended (see :meth:`TmuxSession.wait_for_exit`).

    Attributes:
        status: Its exit status as the shell saw it (128 + N for signal N).
        state: The terminal state just after it ended.
        tty_flags: Line-discipline flags after it ended, name to on/off.
        screen: The screen after it ended.
    """

    status: int
    state: PaneState
    tty_flags: dict[str, bool]
    screen: str


class TmuxSession:
    """A command running in a private, detached tmux server of a fixed size.

    The server has its own socket in its own temporary directory, so it never
    touches the user's tmux. ``remain-on-exit`` keeps a dead pane readable.

    Args:
        argv: The command and its arguments.
        registry: Where to track the processes tmux starts.
        width: Columns of the terminal.
        height: Lines of the terminal.
        hold: Run the command under a small shell that, when it ends, prints
            its exit status and the tty flags and keeps the pane alive, so the
            terminal state it left (including the cursor, which tmux hides in
            dead panes) can be read. Without ``hold`` the command is exec'd:
            the pane's pid is the command's, and the pane dies with it.
        config_home: ``XDG_CONFIG_HOME`` for the command (default: a new empty
            directory of this session's, so that a setting one test changes,
            which sigtui saves, never reaches another test).
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        registry: ProcessRegistry,
        width: int = DEFAULT_SIZE[0],
        height: int = DEFAULT_SIZE[1],
        hold: bool = True,
        config_home: Path | None = None,
    ) -> None:
        self.argv = [str(a) for a in argv]
        self.registry = registry
        self.hold = hold
        self.tmux = tmux_binary()
        self.env = clean_environment()
        self.directory = Path(tempfile.mkdtemp(prefix="sigtui-e2e-"))
        self.env["XDG_CONFIG_HOME"] = str(config_home or self.directory / "config")
        self.socket = self.directory / "tmux.sock"
        self._killed = False
        self._last_screen = ""
        self._processes: list[psutil.Process] = []
        self._pane_process: psutil.Process | None = None
        config = self.directory / "tmux.conf"
        config.write_text(TMUX_CONFIG)
        if hold:
            script = self.directory / "hold.sh"
            script.write_text(HOLD_SCRIPT)
            command = "exec sh " + shlex.join([str(script), *self.argv])
        else:
            command = "exec " + shlex.join(self.argv)
        try:
            self.pane = self._tmux(
                "-f",
                str(config),
                "new-session",
                "-d",
                "-P",
                "-F",
                "#{pane_id}",
                "-s",
                "e2e",
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ).strip()
            self._track(int(self.display("#{pid}")), f"tmux server on {self.socket}")
            self._pane_process = self._track(
                self.pane_pid(), f"tmux pane running {command}"
            )
        except BaseException:
            self.kill()
            raise

    def _track(self, pid: int, what: str) -> psutil.Process | None:
        process = self.registry.track(pid, what)
        if process is not None:
            self._processes.append(process)
        return process

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    # -- tmux --------------------------------------------------------------------

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-u", "-S", str(self.socket), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DEFAULT_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"tmux {' '.join(args)} failed with status {result.returncode}: "
                f"{result.stderr.strip()}"
            )
        return result.stdout

    def display(self, fmt: str) -> str:
        """Expand a tmux format for the pane (``display-message -p``).

        Args:
            fmt: The format, e.g. ``#{pane_pid}``.

        Returns:
            The expansion.
        """
        return self._tmux("display-message", "-p", "-t", self.pane, fmt).rstrip("\n")

    def send_keys(self, *keys: str) -> None:
        """Press keys, by tmux key name (``q``, ``Enter``, ``Escape``, ``C-c``).

        Args:
            *keys: The keys, in order.
        """
        self._tmux("send-keys", "-t", self.pane, *keys)

    def type_text(self, text: str) -> None:
        """Type text literally, one character after another.

        Args:
            text: The text.
        """
        self._tmux("send-keys", "-t", self.pane, "-l", text)

    def capture(self, *, escapes: bool = False) -> str:
        """The visible screen, one line per terminal line.

        Args:
            escapes: Keep colours and styles as escape sequences (``-e``).

        Returns:
            The screen's text.
        """
        args = ["capture-pane", "-p", "-t", self.pane]
        if escapes:
            args.append("-e")
        screen = self._tmux(*args)
        if not escapes:
            self._last_screen = screen
        return screen

    def title(self) -> str:
        """The pane's title, as programs set it with ``ESC ] 0 ; ... BEL``."""
        return self.display("#{pane_title}")

    def pane_pid(self) -> int:
        """The pid of the pane's process (the command itself unless ``hold``)."""
        return int(self.display("#{pane_pid}"))

    def state(self) -> PaneState:
        """What tmux knows about the pane's terminal."""
        fields = self.display(
            "#{alternate_on}|#{cursor_flag}|#{mouse_any_flag}|#{pane_dead}|"
            "#{pane_dead_status}|#{pane_dead_signal}"
        ).split("|")
        if len(fields) != 6:
            raise AssertionError(f"unexpected pane state from tmux: {fields!r}")

        def number(text: str) -> int | None:
            return int(text) if text else None

        return PaneState(
            alternate_on=fields[0] == "1",
            cursor_visible=fields[1] == "1",
            mouse_any=fields[2] == "1",
            dead=fields[3] == "1",
            dead_status=number(fields[4]),
            dead_signal=number(fields[5]),
        )

    def size(self) -> tuple[int, int]:
        """The window's columns and lines."""
        width, height = self.display("#{window_width} #{window_height}").split()
        return int(width), int(height)

    def resize(self, width: int, height: int) -> None:
        """Resize the terminal (``resize-window``); the program gets SIGWINCH.

        Args:
            width: Columns.
            height: Lines.
        """
        self._tmux(
            "resize-window", "-t", self.pane, "-x", str(width), "-y", str(height)
        )
        if self.size() != (width, height):
            raise AssertionError(
                f"tmux did not resize to {width}x{height}: {self.size()}"
            )

    # -- waiting -----------------------------------------------------------------

    def describe(self) -> str:
        """The last screen and the pane state, for failure messages."""
        try:
            screen = self.capture()
            state: object = self.state()
        except AssertionError as err:  # the server may be gone
            screen, state = self._last_screen, f"unavailable ({err})"
        return f"pane state: {state}\n--- screen ---\n{screen}--- end of screen ---"

    def wait_for(
        self,
        expected: str | re.Pattern[str] | Callable[[str], bool],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        what: str | None = None,
    ) -> str:
        """Poll the screen until it shows something.

        Args:
            expected: Text the screen must contain, a pattern it must match
                (``search``), or a predicate on the screen.
            timeout: Seconds before failing.
            what: What is awaited, for the failure message.

        Returns:
            The first screen that matched.
        """
        check: Callable[[str], bool]
        if isinstance(expected, str):
            text = expected

            def check(screen: str) -> bool:
                return text in screen

            label = what or f"{text!r} on screen"
        elif isinstance(expected, re.Pattern):
            pattern = expected

            def check(screen: str) -> bool:
                return pattern.search(screen) is not None

            label = what or f"/{pattern.pattern}/ on screen"
        else:
            check = expected
            label = what or str(getattr(expected, "__name__", "a screen condition"))

        def probe() -> str | None:
            screen = self.capture()
            return screen if check(screen) else None

        return poll(probe, timeout=timeout, describe=self.describe, what=label)

    def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        what: str,
    ) -> None:
        """Poll any condition (pane state, processes) until it holds.

        Args:
            condition: The condition.
            timeout: Seconds before failing.
            what: What is awaited, for the failure message.
        """
        poll(
            lambda: True if condition() else None,
            timeout=timeout,
            describe=self.describe,
            what=what,
        )

    def app_pid(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        """The pid of the command itself, once it runs.

        With ``hold`` it is the holding shell's child whose argv contains the
        command; otherwise the pane's pid.

        Args:
            timeout: Seconds to wait for it.

        Returns:
            The pid.
        """
        if not self.hold:
            return self.pane_pid()
        shell = psutil.Process(self.pane_pid())
        program = self.argv[0]

        def probe() -> int | None:
            for child in shell.children():
                try:
                    if program in child.cmdline():
                        return child.pid
                except psutil.NoSuchProcess:
                    continue
            return None

        pid = poll(
            probe, timeout=timeout, describe=self.describe, what=f"{program} to run"
        )
        self._track(pid, f"{shlex.join(self.argv)} in tmux")
        return pid

    def wait_for_exit(self, timeout: float = DEFAULT_TIMEOUT) -> Ending:
        """Wait for a held command to end and read how it left the terminal.

        Args:
            timeout: Seconds to wait.

        Returns:
            Its exit status, the terminal state and the tty flags.
        """
        if not self.hold:
            raise TypeError("wait_for_exit needs hold=True; use wait_for_death")
        screen = self.wait_for(EXIT_LINE, timeout=timeout, what="the command to exit")
        state = self.state()
        match = EXIT_LINE.search(screen)
        block = STTY_BLOCK.search(screen)
        if match is None or block is None:
            raise AssertionError(f"could not read how the command ended\n{screen}")
        words = set(re.split(r"[\s;]+", block.group(1)))
        flags = {
            name: name in words
            for name in TTY_FLAGS
            if name in words or f"-{name}" in words
        }
        return Ending(int(match.group(1)), state, flags, screen)

    def wait_for_death(self, timeout: float = DEFAULT_TIMEOUT) -> PaneState:
        """Wait for the pane's program to end (tmux keeps the dead pane).

        tmux 3.3a sometimes never reaps a pane's program that exits just as
        its terminal closes (seen with sigtui and with a bare ``python -c``
        exiting on SIGTERM): the pane is dead, the program stays a zombie and
        tmux never learns its status. The kernel still has the status of a
        zombie (``/proc/PID/stat``), so it is read from there in that case.

        Args:
            timeout: Seconds to wait.

        Returns:
            The dead pane's state, with its program's exit status or signal.
        """

        def probe() -> PaneState | None:
            state = self.state()
            if state.finished:
                return state
            if not state.dead or self._pane_process is None:
                return None
            status = _zombie_wait_status(self._pane_process)
            if status is None:
                return None
            if os.WIFEXITED(status):
                return replace(state, dead_status=os.WEXITSTATUS(status))
            if os.WIFSIGNALED(status):
                return replace(state, dead_signal=os.WTERMSIG(status))
            return None

        return poll(
            probe,
            timeout=timeout,
            describe=self.describe,
            what="the pane's program to end",
        )

    # -- cleaning up -------------------------------------------------------------

    def kill(self) -> None:
        """Stop this tmux server (only it) and whatever ran in its pane.

        Safe to call more than once. ``kill-server`` hangs up the pane's
        terminal; anything of ours that survives that is killed by its pid.
        """
        if self._killed:
            return
        self._killed = True
        try:
            if self.socket.exists():
                subprocess.run(
                    [self.tmux, "-S", str(self.socket), "kill-server"],
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=DEFAULT_TIMEOUT,
                    check=False,
                )
            deadline = time.monotonic() + DEFAULT_TIMEOUT / 3
            while any(_running(p) for p in self._processes):
                if time.monotonic() >= deadline:
                    for process in self._processes:
                        if _running(process):
                            with contextlib.suppress(psutil.NoSuchProcess):
                                process.send_signal(signal.SIGKILL)
                    break
                time.sleep(POLL_INTERVAL)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


# -- reading sigtui's table ----------------------------------------------------

ROW = re.compile(r"^\S? +(\d+) ")
"""A table row: the mark cell, a space, then the right-aligned PID."""
SCANNED = re.compile(r"\b\d+ processes\b")
"""The status line after the first scan (so the app has finished mounting)."""
MARK_GONE = "✗"
"""The mark of a process that ended since the previous refresh."""


def is_header(line: str) -> bool:
    """Whether a screen line is the table's header line."""
    return "PID" in line and "COMMAND" in line


def has_header(screen: str) -> bool:
    """Whether the screen shows the table's header line."""
    return any(is_header(line) for line in screen.splitlines())


def footer(screen: str) -> str:
    """The screen's last line, where Textual's footer shows the keys."""
    lines = screen.splitlines()
    return lines[-1] if lines else ""


def status_line(screen: str) -> str:
    """The status line: the screen's first line."""
    return screen.splitlines()[0]


def quit_cleanly(app: TmuxSession) -> None:
    """Press q and check that sigtui exited with status 0."""
    app.send_keys("q")
    state = app.wait_for_death()
    assert (state.dead_status, state.dead_signal) == (0, None), app.describe()


def table_has_keys(screen: str) -> bool:
    """Whether typed letters reach the table's bindings (e.g. ``q`` quits).

    Textual's footer leaves out the printable keys while a text box has the
    focus (the box takes them), so ``q Quit`` there means the table has it.
    """
    return re.search(r"(^| )q Quit\b", footer(screen)) is not None


def filter_has_keys(screen: str) -> bool:
    """Whether the filter box is open and takes the keys (see ``table_has_keys``)."""
    return (
        "Filter" in footer(screen)
        and "Quit" in footer(screen)
        and not table_has_keys(screen)
    )


def table_rows(screen: str) -> dict[int, str]:
    """The process rows on screen, by pid (the default columns start with PID).

    Args:
        screen: A captured screen.

    Returns:
        Each shown row's line, keyed by its pid.
    """
    lines = screen.splitlines()
    start = next((i for i, line in enumerate(lines) if is_header(line)), None)
    if start is None:
        return {}
    rows: dict[int, str] = {}
    for line in lines[start + 1 :]:
        match = ROW.match(line)
        if match is None:
            break
        rows[int(match.group(1))] = line
    return rows


# -- reading styles (capture with escapes) -------------------------------------

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
"""A Select Graphic Rendition sequence, all ``capture-pane -e`` writes."""
BASIC_BACKGROUNDS = frozenset(str(n) for n in [*range(40, 48), *range(100, 108)])
"""The SGR codes of the 16 basic background colours."""


def _next_background(params: str, background: str | None) -> str | None:
    """The background after one SGR sequence (its parameters, ``;``-separated)."""
    codes = params.split(";") if params else ["0"]
    index = 0
    while index < len(codes):
        code = codes[index]
        if code in ("", "0", "49"):
            background = None
        elif code in ("38", "48", "58"):  # extended colour: 5;N or 2;R;G;B
            kind = codes[index + 1] if index + 1 < len(codes) else ""
            extra = 3 if kind == "2" else 1 if kind == "5" else 0
            if code == "48":
                background = ";".join(codes[index : index + 2 + extra])
            index += 1 + extra
        elif code.startswith("48:") or code in BASIC_BACKGROUNDS:
            background = code
        index += 1
    return background


def styled_line(line: str) -> tuple[str, list[str | None]]:
    """Split a line captured with escapes into its text and each character's background.

    Args:
        line: One line of ``capture(escapes=True)``.

    Returns:
        The text without escape sequences, and per character of it the SGR
        parameters of its background (``48;2;R;G;B``), None for the default.
    """
    text: list[str] = []
    backgrounds: list[str | None] = []
    background: str | None = None
    position = 0
    for match in SGR.finditer(line):
        chunk = line[position : match.start()]
        text.append(chunk)
        backgrounds.extend([background] * len(chunk))
        background = _next_background(match.group(1), background)
        position = match.end()
    chunk = line[position:]
    text.append(chunk)
    backgrounds.extend([background] * len(chunk))
    return "".join(text), backgrounds


def plain_screen(escaped: str) -> str:
    """A screen captured with escapes, as ``capture()`` would have it (no styles)."""
    return "\n".join(styled_line(line)[0].rstrip(" ") for line in escaped.split("\n"))


def row_backgrounds(escaped: str) -> dict[int, str | None]:
    """The background of each shown table row's PID, by pid.

    The cursor's row has the cursor's background; use it to tell which
    process is selected.

    Args:
        escaped: A screen captured with escapes.

    Returns:
        Each shown row's background (see :func:`styled_line`), keyed by pid.
    """
    lines = [styled_line(line) for line in escaped.splitlines()]
    start = next((i for i, (text, _) in enumerate(lines) if is_header(text)), None)
    if start is None:
        return {}
    found: dict[int, str | None] = {}
    for text, backgrounds in lines[start + 1 :]:
        match = ROW.match(text)
        if match is None:
            break
        found[int(match.group(1))] = backgrounds[match.start(1)]
    return found


# -- reading sigtui's signal log and signal picker -----------------------------

LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d  (.*?)(?:\s+▌.*)?\s*$")
"""A line of the signal log: a ``HH:MM:SS`` stamp, two spaces, the text, and
perhaps the left edge (``▌``) of a notification drawn over the line's end."""
PICKER_ROW = re.compile(r"│\s+(\d+)\s+(SIG[A-Z0-9+-]+)\b")
"""A row of the signal picker's list: the number, then the signal's name."""


def log_lines(screen: str) -> list[str]:
    """The signal log's lines on screen, without their time stamps.

    The log spans the screen's width, and notifications (toasts, 60 columns
    at most, bottom right) are drawn over its right end for a few seconds.
    What a toast covers is cut off: in a terminal wide enough for the log's
    text to end left of the toasts, the lines read whole.

    Args:
        screen: A captured screen.

    Returns:
        Each shown log line's text, oldest first.
    """
    return [
        match.group(1)
        for line in screen.splitlines()
        if (match := LOG_LINE.match(line)) is not None
    ]


def picker_signals(screen: str) -> list[str]:
    """The signal names listed in the open signal picker, top to bottom.

    Args:
        screen: A captured screen.

    Returns:
        The names (``SIGTERM``), empty when no picker is open.
    """
    return [
        match.group(2)
        for line in screen.splitlines()
        if (match := PICKER_ROW.search(line)) is not None
    ]


# -- what the fixtures hand to tests -------------------------------------------


class Sessions:
    """Starts commands (sigtui by default) in tmux and kills every one at the end.

    Args:
        registry: Where to track the processes.
    """

    def __init__(self, registry: ProcessRegistry) -> None:
        self.registry = registry
        self._sessions: list[TmuxSession] = []

    def start(
        self,
        argv: Sequence[str],
        *,
        width: int = DEFAULT_SIZE[0],
        height: int = DEFAULT_SIZE[1],
        hold: bool = True,
        config_home: Path | None = None,
    ) -> TmuxSession:
        """Run a command in a new private tmux server.

        Args:
            argv: The command.
            width: Columns.
            height: Lines.
            hold: See :class:`TmuxSession`.
            config_home: See :class:`TmuxSession`.

        Returns:
            The session.
        """
        session = TmuxSession(
            argv,
            registry=self.registry,
            width=width,
            height=height,
            hold=hold,
            config_home=config_home,
        )
        self._sessions.append(session)
        return session

    def sigtui(
        self,
        *args: str,
        width: int = DEFAULT_SIZE[0],
        height: int = DEFAULT_SIZE[1],
        hold: bool = True,
        config_home: Path | None = None,
        trace: bool = False,
    ) -> TmuxSession:
        """Run the installed sigtui command with arguments in a new tmux server.

        Args:
            *args: Its arguments.
            width: Columns.
            height: Lines.
            hold: See :class:`TmuxSession`.
            config_home: See :class:`TmuxSession`.
            trace: Let it trace (as root it would by default). Off unless asked:
                the traced signals of the machine (its SIGCHLDs, other tests'
                kills) would land in logs that these tests read line by line.

        Returns:
            The session.
        """
        traced = () if trace else ("--no-trace",)
        return self.start(
            [str(sigtui_executable()), *traced, *args],
            width=width,
            height=height,
            hold=hold,
            config_home=config_home,
        )

    def close(self) -> None:
        """Kill every session started here."""
        for session in self._sessions:
            session.kill()


class Processes:
    """Starts helper processes and stops (kills and reaps) them at the end.

    Args:
        registry: Where to track them.
    """

    def __init__(self, registry: ProcessRegistry) -> None:
        self.registry = registry
        self._markers: list[MarkerProcess] = []

    def marker(self, marker: str | None = None) -> MarkerProcess:
        """Start a marker process (see :class:`MarkerProcess`).

        Args:
            marker: Its marker (default: a new :func:`unique_marker`).

        Returns:
            The running process.
        """
        process = MarkerProcess.start(self.registry, marker or unique_marker())
        self._markers.append(process)
        return process

    def command(
        self,
        marker: str,
        argv: Sequence[str],
        what: str | None = None,
        *,
        executable: str | None = None,
    ) -> MarkerProcess:
        """Start any command whose argv carries a marker, stopped at the end too.

        Args:
            marker: Its unique text (see :func:`unique_marker`), which must be
                somewhere in ``argv`` so that the filter finds its row.
            argv: The command. Text that is not valid UTF-8 can be passed
                as ``os.fsdecode(raw_bytes)``.
            what: A description for reports (default: the command line).
            executable: The program, when ``argv[0]`` is not it (e.g. a
                ``sleep`` whose argv[0] is any text).

        Returns:
            The running process.
        """
        if not any(marker in arg for arg in argv):
            raise ValueError(f"the marker {marker!r} is not in {list(argv)!r}")
        child = self.registry.spawn(
            argv, what or shlex.join(argv), executable=executable
        )
        process = MarkerProcess(marker, child)
        self._markers.append(process)
        return process

    def close(self) -> None:
        """Kill and reap every process started here."""
        for process in self._markers:
            process.stop()


@dataclass(frozen=True)
class Finished:
    """A command that ran to its end without a terminal.

    Attributes:
        status: Its exit status.
        stdout: What it wrote to stdout.
        stderr: What it wrote to stderr.
    """

    status: int
    stdout: str
    stderr: str


def run_without_terminal(
    registry: ProcessRegistry, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT
) -> Finished:
    """Run a command with stdin from /dev/null and stdout/stderr to pipes.

    It runs in a new session, so it has no controlling terminal either.

    Args:
        registry: Where to track it.
        argv: The command.
        timeout: Seconds it may take; then it is killed and the test fails.

    Returns:
        How it ended and what it wrote.
    """
    child = registry.spawn(
        argv,
        f"{shlex.join(argv)} without a terminal",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        ProcessRegistry.stop(child)
        raise AssertionError(
            f"{shlex.join(argv)} still ran after {timeout:g} s"
        ) from None
    return Finished(
        child.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
    )
