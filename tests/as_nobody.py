"""Run sigtui as ``nobody`` inside a fresh pid and mount namespace (root only).

The tests in tests/unit/test_hostile.py start it like this::

    unshare --mount --pid --fork --mount-proc --kill-child \\
        python -m tests.as_nobody send
    unshare ... python -m tests.as_nobody hidepid invisible   # or noaccess

**The root part** runs as pid 1 of the new namespace and refuses to do
anything otherwise, so every process it can see, and every process anything
started here could ever signal, is one it started itself. In its private mount
namespace it

1. makes the interpreter reachable for ``nobody``: a directory on the way to
   it that others may not enter (``/root`` of a pyenv install, mode 700) gets
   a tmpfs of mode 755 mounted over it, with only the entries needed bound back
   in. Nothing outside the namespace sees this, and no permission changes;
2. for ``hidepid``, mounts a fresh procfs with ``hidepid=2`` (invisible) or
   ``hidepid=1`` (noaccess) on ``/proc``;
3. starts a *root sleeper*: a forked child in its own session, named
   ``root-sleeper``, with SIGTERM blocked, so a SIGTERM that got through would
   show in its pending set instead of ending it;
4. runs the nobody part in a new interpreter executed as uid and gid 65534
   without supplementary groups (a real ``nobody``: no capabilities, no
   inherited state);
5. checks the sleeper from root (alive, its state, what is pending), kills
   and reaps it, and prints one JSON object: the nobody part's report and
   what root saw.

**The nobody parts** print one JSON object as their last line of output:

``send SLEEPER``
    Runs the app headless, selects the root sleeper, and tries every way of
    signalling it: ``k`` SIGTERM, ``g`` SIGTERM to its group, ``z`` (SIGSTOP)
    and ``x`` (SIGTERM, then SIGKILL). Then it checks that the app still
    answers (cursor keys, ``?``).

``hidepid MODE SLEEPER``
    Looks at what the kernel shows, scans with :class:`ProcfsScanner`, runs
    ``sigtui ps``, and runs the app headless. A *subject*, a process of its
    own, turns itself undumpable midway (``PR_SET_DUMPABLE`` 0), which under
    hidepid locks its ``/proc`` entry against its own user while a ``stat``
    file opened before stays readable: the real-kernel way to get an entry
    whose ``cmdline`` and ``status`` cannot be read.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from sigtui.ui.app import SigtuiApp

NOBODY = 65534
REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 15.0
"""Seconds any bounded wait here may take."""

SIZE = (130, 40)
SLEEPER_NAME = b"root-sleeper"
SUBJECT_NAME = b"undumped"

MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_BIND = 0x1000
MS_REC = 0x4000
PR_SET_NAME = 15
PR_SET_DUMPABLE = 4
HIDEPID = {"invisible": "2", "noaccess": "1"}

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str) -> None:
    """mount(2), without mount(8): it would resolve /proc/self/fd/N itself."""
    result = _libc.mount(
        source.encode(),
        target.encode(),
        None if fstype is None else fstype.encode(),
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _prctl(option: int, value: int | bytes) -> None:
    if _libc.prctl(option, value, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


# --- root: the namespace ----------------------------------------------------------


def _needed_paths() -> list[Path]:
    """What a new interpreter running sigtui must reach."""
    paths = {Path(sys.executable), Path(os.path.realpath(sys.executable)), REPO}
    for prefix in (sys.prefix, sys.base_prefix):
        paths.add(Path(prefix))
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            paths.add(Path(os.path.realpath(entry)))
    return sorted(paths)


def _closed_dirs(paths: list[Path]) -> dict[Path, set[str]]:
    """Directories others may not enter on the way to ``paths``, with the entry
    each path needs in them."""
    closed: dict[Path, set[str]] = {}
    for path in paths:
        parts = path.parts
        for depth in range(1, len(parts)):
            directory = Path(*parts[:depth])
            if not os.stat(directory).st_mode & stat.S_IXOTH:
                closed.setdefault(directory, set()).add(parts[depth])
    return closed


def open_up(paths: list[Path]) -> list[str]:
    """Make ``paths`` reachable for others, in this private mount namespace only.

    Each closed directory gets a tmpfs (mode 755) over it, and the entries the
    paths need are bound back in from descriptors opened before. Outer
    directories come first, so inner ones are found through the new mounts.

    Returns:
        The directories covered.
    """
    covered = []
    for directory, entries in sorted(
        _closed_dirs(paths).items(), key=lambda item: len(item[0].parts)
    ):
        held = {name: os.open(directory / name, os.O_PATH) for name in entries}
        try:
            _mount("tmpfs", str(directory), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
            for name, fd in held.items():
                spot = directory / name
                if stat.S_ISDIR(os.fstat(fd).st_mode):
                    spot.mkdir()
                else:
                    spot.touch()
                _mount(f"/proc/self/fd/{fd}", str(spot), None, MS_BIND | MS_REC, "")
        finally:
            for fd in held.values():
                os.close(fd)
        covered.append(str(directory))
    return covered


def start_sleeper() -> tuple[int, int]:
    """Fork the root sleeper; return its pid and the write end of its lifeline."""
    read_end, write_end = os.pipe()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(write_end)
            os.close(ready_r)
            os.setsid()
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            _prctl(PR_SET_NAME, SLEEPER_NAME)
            os.write(ready_w, b"x")
            os.read(read_end, 1)
        finally:
            os._exit(0)
    os.close(read_end)
    os.close(ready_w)
    if os.read(ready_r, 1) != b"x":
        raise RuntimeError("the root sleeper did not start")
    os.close(ready_r)
    return pid, write_end


def _status_field(pid: int, key: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"no {key} in /proc/{pid}/status")


def _signals_in(mask: str) -> list[str]:
    bits = int(mask, 16)
    names = []
    for number in range(1, 65):
        if bits & (1 << (number - 1)):
            try:
                names.append(signal.Signals(number).name)
            except ValueError:
                names.append(str(number))
    return names


def sleeper_seen_by_root(pid: int) -> dict[str, Any]:
    """The sleeper as root sees it: alive, state, credentials, pending signals."""
    alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
    state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    return {
        "alive": alive,
        "state": state.decode(),
        "uid": _status_field(pid, "Uid").split(),
        "pending": _signals_in(_status_field(pid, "ShdPnd"))
        + _signals_in(_status_field(pid, "SigPnd")),
    }


def run_as_nobody(args: list[str]) -> dict[str, Any]:
    """Run ``python -m tests.as_nobody ARGS`` as nobody; return its report."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "USER": "nobody",
        "LOGNAME": "nobody",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.as_nobody", *args],
        cwd=REPO,
        env=env,
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=4 * TIMEOUT,
        check=False,
    )
    lines = run.stdout.decode(errors="replace").strip().splitlines()
    report: dict[str, Any] = {
        "returncode": run.returncode,
        "stderr": run.stderr.decode(errors="replace")[-4000:],
    }
    if lines:
        try:
            report.update(json.loads(lines[-1]))
        except json.JSONDecodeError:
            report["stdout"] = "\n".join(lines[-20:])
    return report


def root_main(args: list[str]) -> int:
    """The root part: set up, run the nobody part, check the sleeper."""
    others = sorted(int(n) for n in os.listdir("/proc") if n.isdigit()) != [1]
    if os.getpid() != 1 or os.geteuid() != 0 or others:
        print(
            "refusing: not root as pid 1 of a fresh pid namespace with its own /proc",
            file=sys.stderr,
        )
        return 2
    result: dict[str, Any] = {"opened_up": open_up(_needed_paths())}
    scenario = args[0]
    if scenario == "hidepid":
        mode = args[1]
        _mount(
            "proc",
            "/proc",
            "proc",
            MS_NOSUID | MS_NODEV | MS_NOEXEC,
            f"hidepid={HIDEPID[mode]}",
        )
        result["proc_options"] = next(
            line.split()[3]
            for line in reversed(Path("/proc/self/mounts").read_text().splitlines())
            if line.split()[1] == "/proc"
        )
    sleeper, lifeline = start_sleeper()
    result["sleeper"] = sleeper
    try:
        result["nobody"] = run_as_nobody([*args, str(sleeper)])
        result["sleeper_seen_by_root"] = sleeper_seen_by_root(sleeper)
    finally:
        os.close(lifeline)
        with contextlib.suppress(ProcessLookupError):
            os.kill(sleeper, signal.SIGKILL)  # our own unreaped child, pid > 1
        os.waitpid(sleeper, 0)
    print(json.dumps(result))
    return 0


# --- nobody: the app and the scanners ------------------------------------------


async def until(
    pilot: Pilot[int], app: SigtuiApp, check: Callable[[], object], what: str
) -> None:
    """Bounded wait while the app runs (TIMEOUT: shorter than the pilot tests')."""
    from tests.pilot import wait_until

    await wait_until(pilot, app, check, what, TIMEOUT)


def _log_lines(app: SigtuiApp) -> list[str]:
    from tests.pilot import log_text

    return log_text(app).splitlines()


async def _attempt(
    pilot: Pilot[int], app: SigtuiApp, keys: list[str], sleeper: int
) -> dict[str, Any]:
    """Press ``keys`` on the sleeper's row, confirm, and collect the log lines."""
    from sigtui.ui.screens.confirm import ConfirmSend
    from sigtui.ui.screens.picker import SignalPicker

    current = app.main.table.current
    attempt: dict[str, Any] = {
        "selected": None if current is None else current.info.pid,
    }
    if attempt["selected"] != sleeper:
        return attempt  # never press a send key on any other row
    before = len(_log_lines(app))
    first, *typed = keys
    await pilot.press(first)
    if typed:
        await until(pilot, app, lambda: isinstance(app.screen, SignalPicker), "picker")
        await pilot.press(*typed)
    await until(pilot, app, lambda: isinstance(app.screen, ConfirmSend), "confirm")
    screen = app.screen
    assert isinstance(screen, ConfirmSend)
    attempt["confirm_reasons"] = list(screen.reasons)
    attempt["confirm_members"] = [m.pid for m in screen.members]
    await pilot.press("y")
    await until(
        pilot,
        app,
        lambda: any("Permission denied" in line for line in _log_lines(app)[before:]),
        f"the answer to {keys}",
    )
    await pilot.pause(0.2)  # anything logged right after the answer
    attempt["log"] = _log_lines(app)[before:]
    return attempt


async def send_scenario(sleeper: int) -> dict[str, Any]:
    """Run the app as nobody and try to signal the root sleeper every way."""
    from sigtui.ui.app import make_app
    from sigtui.ui.options import Options
    from sigtui.ui.screens.help import HelpScreen

    me = os.getpid()
    report: dict[str, Any] = {
        "ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid()],
        "groups": os.getgroups(),
        "pid": me,
    }
    app = make_app(Options(interval=0.2, columns="pid,user,uid,pgid,stat,args"))
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot,
            app,
            lambda: (
                app.main.snapshot is not None and sleeper in app.main.snapshot.by_pid
            ),
            "the root sleeper listed",
        )
        assert app.main.snapshot is not None
        report["listed"] = {
            str(p.pid): [p.user, p.uid, p.comm] for p in app.main.snapshot.processes
        }
        # Filter by its pid and step onto it: in a parallel run the cursor
        # may rest on a process that exited meanwhile (kept while selected).
        from tests.pilot import select

        await select(app, pilot, sleeper)
        attempts = {}
        for name, keys in (
            ("k TERM", ["k", *"term", "enter"]),
            ("g TERM", ["g", *"term", "enter"]),
            ("z", ["z"]),
            ("x", ["x"]),
        ):
            attempts[name] = await _attempt(pilot, app, keys, sleeper)
        report["attempts"] = attempts
        # The app goes on: the filter clears, the cursor moves, help opens.
        await pilot.press("escape")
        await until(
            pilot, app, lambda: app.main.view.filter_text == "", "filter cleared"
        )
        await pilot.press("home")
        top = app.main.table.cursor_row
        await pilot.press("down")
        report["cursor"] = [top, app.main.table.cursor_row]
        await pilot.press("question_mark")
        await until(pilot, app, lambda: isinstance(app.screen, HelpScreen), "help")
        report["help_opened"] = True
        await pilot.press("escape")
        await until(pilot, app, lambda: not isinstance(app.screen, HelpScreen), "back")
        report["scans"] = app.main.scans
        report["log"] = _log_lines(app)
        await pilot.press("q")
    return report


def _try_read(path: str) -> str:
    """``ok`` if the file can be read, else the errno's name."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as err:
        return errno.errorcode.get(err.errno or 0, str(err.errno))
    return "ok"


def start_subject() -> tuple[int, int, int]:
    """Fork the subject; return its pid, a command pipe and an answer pipe.

    Writing ``u`` makes it undumpable and renames it; it answers ``x``.
    """
    command_r, command_w = os.pipe()
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(command_w)
            os.close(answer_r)
            os.write(answer_w, b"r")
            while os.read(command_r, 1) == b"u":
                _prctl(PR_SET_DUMPABLE, 0)
                _prctl(PR_SET_NAME, SUBJECT_NAME)  # a new comm: details re-read
                os.write(answer_w, b"x")
        finally:
            os._exit(0)
    os.close(command_r)
    os.close(answer_w)
    if os.read(answer_r, 1) != b"r":
        raise RuntimeError("the subject did not start")
    return pid, command_w, answer_r


def _rows(app: SigtuiApp) -> dict[str, list[str]]:
    return {str(row.info.pid): list(row.cells) for row in app.main.view.rows}


async def hidepid_scenario(mode: str, sleeper: int) -> dict[str, Any]:
    """Scan, ``sigtui ps`` and the app as nobody under hidepid."""
    from sigtui.processes.columns import parse_columns
    from sigtui.processes.pstable import format_table
    from sigtui.processes.scan import ProcfsScanner
    from sigtui.ui.app import make_app
    from sigtui.ui.options import Options

    me = os.getpid()
    report: dict[str, Any] = {"pid": me, "mode": mode}
    report["listdir"] = sorted(int(n) for n in os.listdir("/proc") if n.isdigit())
    report["root_files"] = {
        str(pid): {
            f: _try_read(f"/proc/{pid}/{f}") for f in ("stat", "cmdline", "status")
        }
        for pid in (1, sleeper)
    }
    subject, command, answer = start_subject()
    report["subject"] = subject
    columns = parse_columns("pid,user,uid,stat,args")
    try:
        scanner = ProcfsScanner()
        first = scanner.scan()
        report["scan_before"] = {
            str(p.pid): [p.user, p.uid, p.cmdline is not None] for p in first.processes
        }
        ps = subprocess.run(
            [sys.executable, "-m", "sigtui", "ps", "-o", "pid,user,uid,tty,stat,args"],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        report["ps"] = {
            "returncode": ps.returncode,
            "stdout": ps.stdout.decode(errors="replace").splitlines(),
            "stderr": ps.stderr.decode(errors="replace"),
        }
        ps_root = subprocess.run(
            [sys.executable, "-m", "sigtui", "ps", "-p", f"1,{sleeper}"],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        report["ps_root"] = {
            "returncode": ps_root.returncode,
            "stdout": ps_root.stdout.decode(errors="replace"),
            "stderr": ps_root.stderr.decode(errors="replace"),
        }
        app = make_app(Options(interval=0.2, columns="pid,user,uid,stat,args"))
        async with app.run_test(size=SIZE) as pilot:
            await until(
                pilot,
                app,
                lambda: (
                    str(subject) in _rows(app)
                    and _rows(app)[str(subject)][1] == "nobody"
                ),
                "the subject listed with its user",
            )
            report["app_before"] = _rows(app)
            # The subject locks its /proc entry; stat files opened before stay
            # readable, so both long-lived scanners still see it change.
            os.write(command, b"u")
            if os.read(answer, 1) != b"x":
                raise RuntimeError("the subject did not answer")
            report["subject_files_after"] = {
                f: _try_read(f"/proc/{subject}/{f}")
                for f in ("stat", "cmdline", "status")
            }
            second = scanner.scan()
            info = second.by_pid.get(subject)
            report["scan_after"] = {
                str(p.pid): [p.user, p.uid, p.cmdline is not None]
                for p in second.processes
            }
            report["scan_after_line"] = (
                None
                if info is None
                else next(iter(format_table(second, [info], columns, headers=False)))
            )
            if mode == "noaccess":

                def changed() -> bool:
                    row = _rows(app).get(str(subject))
                    return row is not None and row[1] != "nobody"

            else:

                def changed() -> bool:
                    return str(subject) not in _rows(app)

            await until(pilot, app, changed, "the app to see the subject locked")
            await pilot.pause(0.5)  # a few more refreshes: nothing breaks
            report["app_after"] = _rows(app)
            report["status"] = str(app.query_one("#status").render())
            top = app.main.table.cursor_row
            await pilot.press("end")
            report["cursor"] = [top, app.main.table.cursor_row]
            report["scans"] = app.main.scans
            await pilot.press("q")
        scanner.close()
    finally:
        os.close(command)
        os.close(answer)
        os.waitpid(subject, 0)
    return report


def nobody_main(args: list[str]) -> int:
    """The nobody part: run a scenario, print its report as one JSON line."""
    if os.getuid() != NOBODY or os.geteuid() != NOBODY:
        print("refusing: the nobody part must run as nobody", file=sys.stderr)
        return 2
    scenario: Awaitable[dict[str, Any]]
    if args[0] == "send":
        scenario = send_scenario(int(args[1]))
    else:
        scenario = hidepid_scenario(args[1], int(args[2]))
    print(json.dumps(asyncio.run(scenario)))
    return 0


def main() -> int:
    """Run the root part as root, the nobody part as nobody."""
    args = sys.argv[1:]
    if os.geteuid() == 0:
        return root_main(args)
    return nobody_main(args)


if __name__ == "__main__":
    sys.exit(main())
