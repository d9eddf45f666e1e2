"""The signal catalogue: against kill -L, bash's kill -l, signal(7) and the kernel.

Oracles, in order of strength:

- the kernel itself: children with default dispositions get each signal and
  the test reads what happened with ``waitid`` (no sleeps: a later "marker"
  signal always ends the child, so ``waitid`` always returns);
- procps ``kill -L`` and bash's builtin ``kill -l``, whose output is parsed
  here (nothing of it is hard-coded);
- the default-action table of research/signals.md 1.2 (measured, and as
  signal(7)) and xnu's sigprop table (1.3), written out below.
"""

from __future__ import annotations

import enum
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from fractions import Fraction

import pytest

from sigtui.signals import PROBE, Action, Catalogue, SignalError, SignalSpec
from sigtui.signals.catalog import (
    LINUX_ACTIONS,
    MACOS_ACTIONS,
    MEANINGS,
    REALTIME_MEANING,
    build_catalogue,
    catalogue,
)

_T, _C, _S, _K, _I = (
    Action.TERMINATE,
    Action.CORE,
    Action.STOP,
    Action.CONTINUE,
    Action.IGNORE,
)

SIGNAL7: dict[str, Action] = {
    "SIGHUP": _T, "SIGINT": _T, "SIGQUIT": _C, "SIGILL": _C, "SIGTRAP": _C,
    "SIGABRT": _C, "SIGBUS": _C, "SIGFPE": _C, "SIGKILL": _T, "SIGUSR1": _T,
    "SIGSEGV": _C, "SIGUSR2": _T, "SIGPIPE": _T, "SIGALRM": _T, "SIGTERM": _T,
    "SIGSTKFLT": _T, "SIGCHLD": _I, "SIGCONT": _K, "SIGSTOP": _S, "SIGTSTP": _S,
    "SIGTTIN": _S, "SIGTTOU": _S, "SIGURG": _I, "SIGXCPU": _C, "SIGXFSZ": _C,
    "SIGVTALRM": _T, "SIGPROF": _T, "SIGWINCH": _I, "SIGIO": _T, "SIGPWR": _T,
    "SIGSYS": _C,
}  # fmt: skip
"""Linux default actions: research/signals.md 1.2 (measured; equal to signal(7))."""

XNU_SIGPROP: dict[str, Action] = {
    **dict.fromkeys(
        ["SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT", "SIGFPE", "SIGBUS"], _C
    ),
    **dict.fromkeys(["SIGSEGV", "SIGSYS"], _C),
    **dict.fromkeys(["SIGHUP", "SIGINT", "SIGKILL", "SIGPIPE", "SIGALRM"], _T),
    **dict.fromkeys(["SIGTERM", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF"], _T),
    **dict.fromkeys(["SIGUSR1", "SIGUSR2"], _T),
    **dict.fromkeys(["SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"], _S),
    **dict.fromkeys(["SIGURG", "SIGCHLD", "SIGIO", "SIGWINCH", "SIGINFO"], _I),
    "SIGCONT": _K,
}
"""macOS default actions: research/signals.md 1.3 (xnu's sigprop table)."""

ALIASES = {"SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29}
"""Linux aliases, as Python reports them (research/signals.md 1.1)."""

STANDARD = set(range(1, 32))
REALTIME = set(range(34, 65))
RESERVED = {32, 33}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue()


# --- this machine: numbers and names -----------------------------------------


def test_sixty_two_signals_never_32_or_33(cat: Catalogue) -> None:
    numbers = [s.number for s in cat]
    assert len(cat) == 62
    assert numbers == sorted(STANDARD | REALTIME)  # in order, no duplicates
    assert {int(n) for n in signal.valid_signals()} - RESERVED == set(numbers)
    assert cat.realtime == (34, 64) == (signal.SIGRTMIN, signal.SIGRTMAX)
    for number in RESERVED:
        assert cat.get(number) is None
        assert cat.name_of(number) == str(number)
    assert cat.get(0) is None
    assert cat.get(65) is None


def test_names_are_unique_and_look_up_both_ways(cat: Catalogue) -> None:
    names = [name for s in cat for name in (s.name, *s.aliases)]
    assert len(names) == len(set(names))
    for spec in cat:
        assert spec.name.startswith("SIG")
        assert spec.short == spec.name.removeprefix("SIG")
        assert cat.get(spec.number) is spec
        assert cat.name_of(spec.number) == spec.name
        assert cat.by_name(spec.name) is spec
        assert cat.by_name(spec.short) is spec
        for alias in spec.aliases:
            assert cat.by_name(alias) is spec
    with pytest.raises(KeyError):
        cat.by_name("SIGFOO")


def test_standard_names_are_pythons(cat: Catalogue) -> None:
    for spec in cat:
        if spec.number in STANDARD:
            assert spec.name == signal.Signals(spec.number).name
            assert not spec.realtime


def _kill_list_procps() -> dict[int, str]:
    kill = "/usr/bin/kill"
    if not os.access(kill, os.X_OK):
        pytest.skip(f"{kill} is not installed on this machine")
    version = subprocess.run(
        [kill, "--version"], capture_output=True, text=True, timeout=60
    )
    if "procps" not in version.stdout + version.stderr:
        pytest.skip(f"{kill} is not procps's kill (its -L output differs)")
    listed = subprocess.run(
        [kill, "-L"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pairs = re.findall(r"(\d+)\s+([A-Z][A-Z0-9+-]*)", listed)
    table = {int(number): name for number, name in pairs}
    assert len(table) == len(pairs), f"a number listed twice: {listed!r}"
    return table


def _kill_list_bash() -> dict[int, str]:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed on this machine")
    listed = subprocess.run(
        [bash, "-c", "kill -l"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pairs = re.findall(r"(\d+)\) (SIG\S+)", listed)
    table = {int(number): name for number, name in pairs}
    assert len(table) == len(pairs), f"a number listed twice: {listed!r}"
    assert len(pairs) == len(listed.split()) // 2, f"unparsed entries: {listed!r}"
    return table


def test_names_agree_with_procps_kill(cat: Catalogue) -> None:
    listed = _kill_list_procps()
    assert set(listed) == {s.number for s in cat if not s.realtime}
    for number, short in listed.items():
        spec = cat.get(number)
        assert spec is not None
        # procps calls 29 POLL, Python's alias of SIGIO.
        assert f"SIG{short}" in (spec.name, *spec.aliases), (number, short)
        assert cat.parse(short) is spec


def test_names_agree_with_bash_kill(cat: Catalogue) -> None:
    listed = _kill_list_bash()
    assert set(listed) == {s.number for s in cat}
    for number, name in listed.items():
        spec = cat.get(number)
        assert spec is not None
        if number in REALTIME:
            assert spec.name == name  # SIGRTMIN+n / SIGRTMAX-n: exactly bash's
        else:
            assert name in (spec.name, *spec.aliases), (number, name)
        assert cat.parse(name) is spec


def test_realtime_names(cat: Catalogue) -> None:
    named = {s.number: s.name for s in cat if s.realtime}
    assert set(named) == REALTIME
    assert named[34] == "SIGRTMIN"
    assert named[64] == "SIGRTMAX"
    assert named[37] == "SIGRTMIN+3"
    assert named[49] == "SIGRTMIN+15"
    assert named[50] == "SIGRTMAX-14"
    assert named[62] == "SIGRTMAX-2"
    for spec in cat:
        if spec.realtime:
            assert spec.aliases == ()


# --- this machine: actions, catchability, meanings, aliases ----------------------


def test_linux_table_is_signal7() -> None:
    assert dict(LINUX_ACTIONS) == SIGNAL7


def test_default_actions_are_signal7(cat: Catalogue) -> None:
    standard = {s.name: s.action for s in cat if not s.realtime}
    assert standard == SIGNAL7
    for spec in cat:
        if spec.realtime:
            assert spec.action is Action.TERMINATE
        assert spec.action is not None
        assert spec.action_text == spec.action.value


def test_only_kill_and_stop_are_uncatchable(cat: Catalogue) -> None:
    assert {s.name for s in cat if not s.catchable} == {"SIGKILL", "SIGSTOP"}


def test_meanings(cat: Catalogue) -> None:
    for spec in cat:
        assert spec.meaning.strip()
        assert spec.meaning != "?"
        if spec.realtime:
            assert spec.meaning == REALTIME_MEANING
        else:
            assert spec.meaning == MEANINGS[spec.name]
    assert set(LINUX_ACTIONS) | set(MACOS_ACTIONS) <= set(MEANINGS)


def test_aliases(cat: Catalogue) -> None:
    assert {a: s.number for s in cat for a in s.aliases} == ALIASES
    for alias, number in ALIASES.items():
        spec = cat.get(number)
        assert spec is not None
        assert spec.aliases == (alias,)
        assert cat.parse(alias) is spec
        assert cat.parse(alias.removeprefix("SIG").lower()) is spec


def test_verbs_and_probe() -> None:
    assert {a.verb for a in Action} == {
        "terminates",
        "terminates, dumps core",
        "stops",
        "continues",
        "nothing (ignored by default)",
    }
    assert PROBE.number == 0
    assert PROBE.probe
    assert not PROBE.realtime
    assert not PROBE.catchable
    assert PROBE.action is None
    assert PROBE.action_text == "?"


def test_build_catalogue_defaults_to_this_platform(cat: Catalogue) -> None:
    assert build_catalogue().signals == cat.signals
    assert build_catalogue(platform=sys.platform).signals == cat.signals
    assert build_catalogue(valid=signal.valid_signals()).signals == cat.signals


# --- this machine: what the kernel really does ------------------------------------

HELPER = textwrap.dedent(
    """\
    import os, resource, signal, sys, traceback
    fd = int(sys.argv[1])
    try:
        for sig in signal.valid_signals():
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.set_inheritable(fd, False)  # closes when exec succeeds: the handshake
        os.execv("/bin/sleep", ["sleep", "600"])
    except BaseException:
        os.write(fd, traceback.format_exc().encode())
        os._exit(127)
    """
)
"""Child: every disposition default, nothing blocked, no core files, then sleep."""

DEADLINE = 60.0
"""Seconds a step may take on a loaded CI machine before the test fails."""


def _wait_state(pid: int, options: int) -> os.waitid_result:
    """``waitid(P_PID, pid, options | WNOWAIT)``, failing after DEADLINE.

    Blocks in a thread; past the deadline the child is killed (by its pid,
    which is not reaped, so still ours), which ends the wait.
    """
    result: list[os.waitid_result | None] = []
    waiter = threading.Thread(
        target=lambda: result.append(os.waitid(os.P_PID, pid, options | os.WNOWAIT)),
        daemon=True,
    )
    waiter.start()
    waiter.join(DEADLINE)
    if waiter.is_alive():
        os.kill(pid, signal.SIGKILL)
        waiter.join(DEADLINE)
        pytest.fail(f"child {pid} did not change state within {DEADLINE} s")
    assert len(result) == 1
    state = result[0]
    assert state is not None
    assert state.si_pid == pid
    return state


@pytest.fixture
def sleeper() -> Iterator[int]:
    """A /bin/sleep in its own process group with default signal handling.

    Yields once the exec has happened (the handshake pipe closed on exec);
    afterwards kills it by its pid and reaps it.
    """
    if not os.access("/bin/sleep", os.X_OK):
        pytest.skip("/bin/sleep is not installed on this machine")
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-c", HELPER, str(write_end)],
            pass_fds=(write_end,),
            process_group=0,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(write_end)
    try:
        report = b""
        end = time.monotonic() + DEADLINE
        while True:
            ready, _, _ = select.select([read_end], [], [], end - time.monotonic())
            if not ready:
                pytest.fail(f"child did not exec /bin/sleep within {DEADLINE} s")
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            report += chunk
        assert report == b"", report.decode(errors="replace")
        yield child.pid
    finally:
        os.close(read_end)
        child.kill()  # only if it was not reaped yet: Popen polls first
        child.wait(timeout=DEADLINE)


def _pending(pid: int) -> set[int]:
    """Signals pending for the process (thread and shared), from /proc."""
    pending = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("SigPnd", "ShdPnd"):
                pending |= int(value, 16)
    return {n for n in range(1, pending.bit_length() + 1) if pending >> (n - 1) & 1}


def _outcome(pid: int, number: int, *, marker: bool) -> tuple[str, int]:
    """Send ``number`` to the child (then SIGSTOP as a marker); say what it did.

    Returns ("killed" | "dumped" | "stopped", signal), or ("nothing", 0) when
    the signal was discarded.

    Without a marker the signal alone must end or stop the child. With one,
    the child always ends up killed or stopped, so ``waitid`` returns:

    - a Terminate signal kills at once, when sent (the kernel's fast path for
      fatal signals), and the SIGSTOP after it is dropped;
    - a signal the kernel discards (Ignore, or Continue of a running process)
      leaves only SIGSTOP: stopped by SIGSTOP, with nothing pending;
    - a Core signal is delivered before SIGSTOP or, if SIGSTOP went first, waits
      pending (a stopped process takes no signals) until SIGCONT.

    SIGSTOP is the marker because it is never fast-pathed: a fatal marker
    would end the child before a pending Core signal could act.
    """
    os.kill(pid, number)
    if marker:
        os.kill(pid, signal.SIGSTOP)
    state = _wait_state(pid, os.WEXITED | os.WSTOPPED)
    if state.si_code == os.CLD_STOPPED and state.si_status == signal.SIGSTOP != number:
        if number not in _pending(pid):
            return "nothing", 0
        if number in STOP_SIGNALS:
            return "pending", number  # SIGCONT would discard it
        os.kill(pid, signal.SIGCONT)
        state = _wait_state(pid, os.WEXITED)
    kinds = {
        os.CLD_KILLED: "killed",
        os.CLD_DUMPED: "dumped",
        os.CLD_STOPPED: "stopped",
    }
    assert state.si_code in kinds, state
    return kinds[state.si_code], state.si_status


STOP_SIGNALS = {signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}


@pytest.mark.parametrize("number", sorted(STANDARD | REALTIME))
def test_default_action_for_real(cat: Catalogue, sleeper: int, number: int) -> None:
    spec = cat.get(number)
    assert spec is not None
    # A stop signal above 19 would queue behind the SIGSTOP marker and then be
    # discarded by SIGCONT: it is sent alone, and must stop the child itself.
    outcome = _outcome(sleeper, number, marker=spec.action is not Action.STOP)
    if spec.action is Action.TERMINATE:
        assert outcome == ("killed", number)
    elif spec.action is Action.CORE:
        # RLIMIT_CORE is 0: the dump fails and it shows as killed (or as
        # dumped where core_pattern pipes to a helper that ignores the limit).
        assert outcome in {("killed", number), ("dumped", number)}
    elif spec.action is Action.STOP:
        # The process group is not orphaned (its parent, this test, is in the
        # same session), so SIGTSTP, SIGTTIN and SIGTTOU stop it too.
        assert outcome == ("stopped", number)
    else:  # IGNORE, and CONTINUE of a running process: discarded
        assert spec.action in (Action.IGNORE, Action.CONTINUE)
        assert outcome == ("nothing", 0)


def test_sigcont_continues_a_stopped_process(sleeper: int) -> None:
    os.kill(sleeper, signal.SIGSTOP)
    stopped = _wait_state(sleeper, os.WSTOPPED | os.WEXITED)
    assert (stopped.si_code, stopped.si_status) == (os.CLD_STOPPED, signal.SIGSTOP)
    os.kill(sleeper, signal.SIGCHLD)  # ignored: it stays stopped...
    os.kill(sleeper, signal.SIGCONT)  # ...until this continues it
    continued = _wait_state(sleeper, os.WCONTINUED | os.WEXITED)
    assert continued.si_code == os.CLD_CONTINUED
    os.kill(sleeper, signal.SIGTERM)
    ended = _wait_state(sleeper, os.WEXITED)
    assert (ended.si_code, ended.si_status) == (os.CLD_KILLED, signal.SIGTERM)


def test_uncatchable_for_real(cat: Catalogue) -> None:
    probe = textwrap.dedent(
        """\
        import json, signal
        refused = set()
        for sig in signal.valid_signals():
            try:
                signal.signal(sig, signal.SIG_IGN)
            except OSError:
                refused.add(int(sig))
        signal.pthread_sigmask(signal.SIG_SETMASK, signal.valid_signals())
        blocked = {int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])}
        unblockable = {int(s) for s in signal.valid_signals()} - blocked
        print(json.dumps([sorted(refused), sorted(unblockable)]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
        timeout=DEADLINE,
    ).stdout
    uncatchable = sorted(s.number for s in cat if not s.catchable)
    assert uncatchable == [signal.SIGKILL, signal.SIGSTOP]
    assert json.loads(out) == [uncatchable, uncatchable]


# --- macOS ---------------------------------------------------------------------


class MacSignals(enum.IntEnum):
    """``signal.Signals`` as Python has it on macOS (research/signals.md 1.3)."""

    SIGHUP = 1
    SIGINT = 2
    SIGQUIT = 3
    SIGILL = 4
    SIGTRAP = 5
    SIGABRT = 6
    SIGIOT = 6
    SIGEMT = 7
    SIGFPE = 8
    SIGKILL = 9
    SIGBUS = 10
    SIGSEGV = 11
    SIGSYS = 12
    SIGPIPE = 13
    SIGALRM = 14
    SIGTERM = 15
    SIGURG = 16
    SIGSTOP = 17
    SIGTSTP = 18
    SIGCONT = 19
    SIGCHLD = 20
    SIGTTIN = 21
    SIGTTOU = 22
    SIGIO = 23
    SIGXCPU = 24
    SIGXFSZ = 25
    SIGVTALRM = 26
    SIGPROF = 27
    SIGWINCH = 28
    SIGINFO = 29
    SIGUSR1 = 30
    SIGUSR2 = 31


@pytest.fixture
def no_realtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(signal, "SIGRTMIN")
    monkeypatch.delattr(signal, "SIGRTMAX")


@pytest.fixture
def macos(monkeypatch: pytest.MonkeyPatch, no_realtime: None) -> Catalogue:
    """The catalogue as macOS's Python would build it, simulated on Linux."""
    monkeypatch.setattr(signal, "Signals", MacSignals)
    monkeypatch.setattr(signal, "SIGKILL", MacSignals.SIGKILL)
    monkeypatch.setattr(signal, "SIGSTOP", MacSignals.SIGSTOP)
    return build_catalogue(valid={int(s) for s in MacSignals}, platform="darwin")


def test_macos_table_is_xnu_sigprop() -> None:
    assert dict(MACOS_ACTIONS) == XNU_SIGPROP
    assert set(XNU_SIGPROP) == {s.name for s in MacSignals}


def test_darwin_table_with_this_platforms_numbers(no_realtime: None) -> None:
    # Linux's numbers 1-31, but darwin's defaults for the names that exist there.
    cat = build_catalogue(valid=set(range(1, 32)), platform="darwin")
    assert cat.realtime is None
    assert [s.number for s in cat] == list(range(1, 32))
    assert not any(s.realtime for s in cat)
    actions = {s.name: s.action for s in cat}
    assert actions["SIGIO"] is Action.IGNORE  # Terminate on Linux
    assert actions["SIGXCPU"] is Action.TERMINATE  # Core on Linux
    assert actions["SIGXFSZ"] is Action.TERMINATE  # Core on Linux
    for name, action in actions.items():
        assert action is XNU_SIGPROP.get(name), name
    # Linux-only names have no darwin default: shown as "?".
    assert actions["SIGSTKFLT"] is None
    assert actions["SIGPWR"] is None
    stkflt = cat.by_name("SIGSTKFLT")
    assert stkflt.action_text == "?"
    for text in ("RTMIN+3", "SIGRTMAX-2", "rtmin"):
        with pytest.raises(SignalError, match="unsupported") as err:
            cat.parse(text)
        assert repr(text) in str(err.value)


def test_macos_simulated(macos: Catalogue) -> None:
    assert len(macos) == 31
    assert macos.realtime is None
    assert [(s.number, s.name) for s in macos] == [(int(m), m.name) for m in MacSignals]
    assert {s.name: s.action for s in macos} == XNU_SIGPROP
    assert {s.name for s in macos if not s.catchable} == {"SIGKILL", "SIGSTOP"}
    assert macos.by_name("SIGABRT").aliases == ("SIGIOT",)
    for spec in macos:
        assert spec.meaning not in ("", "?")
        assert not spec.realtime
    # research/signals.md 7, cases 1 and 2 on macOS.
    for text in ("USR1", "sigusr1", "SIGUSR1", 30, "30"):
        assert macos.parse(text).name == "SIGUSR1"
    assert macos.parse(10).name == "SIGBUS"
    assert macos.parse("INFO").number == 29
    assert macos.parse("emt").number == 7
    assert macos.parse("STOP").number == 17
    for text in ("RTMIN+3", "SIGRTMAX-2", "RTMIN", "RTMAX"):
        with pytest.raises(SignalError, match="unsupported"):
            macos.parse(text)
    for text in ("STKFLT", "PWR", "POLL", "CLD"):
        with pytest.raises(SignalError, match="unknown"):
            macos.parse(text)
    for number in (0, 32, 33, 34, 64):
        with pytest.raises(SignalError, match=f"invalid signal {number}"):
            macos.parse(number)


# --- parsing: research/signals.md 7, cases 1-3 -------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("TERM", 15),
        ("SIGTERM", 15),
        ("sigterm", 15),
        ("SigTerm", 15),
        (" term ", 15),
        ("\tTERM\n", 15),
        ("15", 15),
        ("015", 15),
        (15, 15),
        (signal.SIGTERM, 15),
        ("USR1", 10),
        ("sigusr1", 10),
        ("SIGUSR1", 10),
        (10, 10),
        ("RTMIN+3", 37),
        ("SIGRTMAX-2", 62),
        ("rtmin", 34),
        ("RTMAX", 64),
        ("sigrtmin+0", 34),
        ("RTMAX-0", 64),
        ("RTMIN+30", 64),
        ("RTMAX-30", 34),
        ("RTMIN+16", 50),  # kill -l calls it SIGRTMAX-14
        ("IOT", 6),
        ("cld", 17),
        ("POLL", 29),
        ("SIGPOLL", 29),
        ("KILL", 9),
        ("1", 1),
        ("31", 31),
        ("34", 34),
        ("64", 64),
    ],
)
def test_parse_accepts(cat: Catalogue, value: str | int, number: int) -> None:
    spec = cat.parse(value)
    assert spec.number == number
    assert spec is cat.get(number)
    assert cat.parse(value, allow_probe=True) is spec


def _short_id(value: object) -> str | None:
    """A test id for values whose str() is huge or raises (pytest calls str())."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"int-of-{value.bit_length()}-bits"
    if isinstance(value, str) and len(value) > 20:
        return f"{value[:10]}...-{len(value)}-chars"
    return None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        ("0", "'0'"),
        ("000", "'000'"),
        (-1, "-1"),
        ("-1", "'-1'"),
        ("-15", "'-15'"),
        ("+15", "'+15'"),
        ("-TERM", "'-TERM'"),
        (65, "65"),
        ("65", "'65'"),
        (32, "32"),
        ("32", "'32'"),
        (33, "33"),
        ("33", "'33'"),
        (True, "True"),
        (False, "False"),
        (1.0, "1.0"),
        (15.0, "15.0"),
        (None, "None"),
        (b"15", "b'15'"),
        ([15], "[15]"),
        (Fraction(15), "Fraction(15, 1)"),
        ("FOO", "'FOO'"),
        ("RTMIN+31", "'RTMIN+31'"),
        ("RTMIN+99", "'RTMIN+99'"),
        ("RTMAX+1", "'RTMAX+1'"),
        ("RTMIN-1", "'RTMIN-1'"),
        ("RTMAX-31", "'RTMAX-31'"),
        ("RTMIN+", "'RTMIN+'"),
        ("RTMIN3", "'RTMIN3'"),
        ("RTMIN + 3", "'RTMIN + 3'"),
        ("RTMIN+-3", "'RTMIN+-3'"),
        ("RTMIN+\uff13", "'RTMIN+\uff13'"),  # fullwidth three
        ("RTMID", "'RTMID'"),
        ("\uff11\uff15", "'\uff11\uff15'"),  # fullwidth 15
        ("\u00b9", "'\u00b9'"),  # superscript one
        ("\u0661\u0665", "'\u0661\u0665'"),  # Arabic-Indic 15
        ("\u017figterm", "'\u017figterm'"),  # long s: upper() is "SIGTERM"
        ("s\u0131gkill", "'s\u0131gkill'"),  # dotless i: upper() is "SIGKILL"
        ("\uff34\uff25\uff32\uff2d", "'\uff34\uff25\uff32\uff2d'"),  # fullwidth TERM
        ("SIG", "'SIG'"),
        ("RT", "'RT'"),
        ("SIGSIGTERM", "'SIGSIGTERM'"),
        ("SIG TERM", "'SIG TERM'"),
        ("TERM,KILL", "'TERM,KILL'"),
        ("0x0f", "'0x0f'"),
        ("1_5", "'1_5'"),
        ("15.0", "'15.0'"),
        ("1e1", "'1e1'"),
        ("9" * 5000, "'99999"),  # past int()'s 4300-digit limit
        ("RTMIN+" + "9" * 5000, "'RTMIN+99999"),
        (10**5000, "0x"),  # repr() would raise
        (-(10**5000), "-0x"),
        (2**64, "18446744073709551616"),
    ],
    ids=_short_id,
)
def test_parse_rejects(cat: Catalogue, value: object, shown: str) -> None:
    with pytest.raises(SignalError) as err:
        cat.parse(value)
    assert shown in str(err.value)
    if value not in (0, "0", "000") or isinstance(value, bool):
        with pytest.raises(SignalError):
            cat.parse(value, allow_probe=True)


@pytest.mark.parametrize("value", ["", " ", "\t\n"])
def test_parse_rejects_empty(cat: Catalogue, value: str) -> None:
    with pytest.raises(SignalError, match="empty"):
        cat.parse(value)


@pytest.mark.parametrize("value", [0, "0", "000", " 0 "])
def test_zero_is_the_probe_only_when_asked(cat: Catalogue, value: str | int) -> None:
    with pytest.raises(SignalError, match="probe"):
        cat.parse(value)
    assert cat.parse(value, allow_probe=True) is PROBE


def test_reserved_numbers_say_why(cat: Catalogue) -> None:
    for number in RESERVED:
        with pytest.raises(SignalError, match="reserved"):
            cat.parse(number)


# --- parsing: a broad deterministic sweep against an independent oracle -------------


def _oracle(cat: Catalogue, text: str, allow_probe: bool) -> int | None:
    """What ``text`` should mean, written from the rules, not from the parser."""
    offered = {s.number for s in cat}
    text = text.strip()
    if not text or not text.isascii():
        return None
    if re.fullmatch(r"[0-9]+", text):
        number = int(text.lstrip("0") or "0") if len(text.lstrip("0")) < 20 else -1
        if number == 0 and allow_probe:
            return 0
        return number if number in offered else None
    key = text.upper().removeprefix("SIG")
    names = {n.removeprefix("SIG"): s.number for s in cat for n in (s.name, *s.aliases)}
    realtime = re.fullmatch(r"RTM(IN|AX)(?:([+-])([0-9]+))?", key)
    if realtime:
        base, sign, digits = realtime.groups()
        if digits is not None and len(digits.lstrip("0")) > 3:
            return None
        number = 34 if base == "IN" else 64
        offset = int(digits.lstrip("0") or "0") if digits else 0
        number += offset if sign == "+" else -offset
        return number if 34 <= number <= 64 else None
    if key.startswith("RTM"):
        return None
    return names.get(key)


PIECES = [
    *"0123456789+- _.,\t",
    "SIG",
    "sig",
    "Sig",
    "RT",
    "rt",
    "MIN",
    "min",
    "MAX",
    "max",
    "RTMIN",
    "RTMAX",
    "TERM",
    "term",
    "KILL",
    "USR",
    "IOT",
    "CLD",
    "POLL",
    "IO",
    "INT",
    "HUP",
    "STOP",
    "CONT",
    "XCPU",
    "EMT",
    "INFO",
    "PWR",
    "32",
    "33",
    "64",
    "65",
    "00",
    "\uff11",  # fullwidth 1
    "\u00b2",  # superscript 2
    "\u0665",  # Arabic-Indic 5
    "\u017f",  # long s
    "\u0131",  # dotless i
    "\u0130",  # dotted capital I
    "\u212a",  # Kelvin sign
    "\u3000",  # ideographic space
    "\x00",
    "\ud800",  # lone surrogate
    "\u00e9",
]


LOOKALIKES = {
    "S": ["\u017f", "\uff33"],  # long s (upper() is "S"), fullwidth S
    "I": ["\u0131", "\u0130", "\u0399"],  # dotless i, dotted I, Greek iota
    "K": ["\u212a", "\u039a"],  # Kelvin sign, Greek kappa
    "T": ["\u0422"],  # Cyrillic te
    "1": ["\uff11", "\u00b9", "\u0661"],  # fullwidth, superscript, Arabic-Indic
}
"""Characters that look like, or upper-case to, the ASCII ones of names."""


def _sweep_strings(cat: Catalogue) -> Iterator[str]:
    names = {n for s in cat for n in (s.name, *s.aliases)}
    names |= {"SIGSTKFLT", "SIGEMT", "SIGINFO", "SIGLOST", "SIGFOO", "SIGRTMID"}
    for name in sorted(names):
        for form in (name, name.removeprefix("SIG")):
            yield from (form, form.lower(), form.title(), f" {form} ", f"{form}x")
            yield from (f"+{form}", f"-{form}", form[:-1], form + form)
            for ascii_char, lookalikes in LOOKALIKES.items():
                for lookalike in lookalikes:
                    yield form.replace(ascii_char, lookalike)
                    yield form.lower().replace(ascii_char.lower(), lookalike)
    for number in range(-5, 200):
        yield from (str(number), f"0{number}", f"+{number}", f" {number}\n")
    for digits in (10, 19, 20, 4300, 4301, 10000):
        for text in ("9" * digits, "0" * digits + "15", "1" + "0" * digits):
            yield from (text, f"RTMIN+{text}", f"RTMAX-{text}", f"-{text}")
    for base in ("RTMIN", "RTMAX", "SIGRTMIN", "sigrtmax", "RtMiN"):
        yield base
        for offset in range(0, 70):
            yield from (f"{base}+{offset}", f"{base}-{offset}", f"{base}+0{offset}")
        yield from (f"{base}+", f"{base}-", f"{base}++1", f"{base}+1+1", f"{base} +1")
    rng = random.Random(20240611)
    for _ in range(30000):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))
    for _ in range(3000):
        yield "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 6)))


def test_sweep_strings_match_the_oracle(cat: Catalogue) -> None:
    offered = {int(n) for n in signal.valid_signals()} - RESERVED
    checked = accepted = 0
    for text in _sweep_strings(cat):
        for allow_probe in (False, True):
            checked += 1
            try:
                spec = cat.parse(text, allow_probe=allow_probe)
            except SignalError:
                got = None
            else:
                assert isinstance(spec, SignalSpec)
                if spec is PROBE:
                    assert allow_probe, text
                else:
                    assert spec.number in offered, text
                    assert cat.get(spec.number) is spec
                got = spec.number
                accepted += 1
            assert got == _oracle(cat, text, allow_probe), repr(text)
    assert checked > 60000
    assert accepted > 2000  # the sweep really exercises acceptance too


def test_sweep_ints(cat: Catalogue) -> None:
    rng = random.Random(7)
    values = [*range(-300, 300), 2**31, 2**63, -(2**63), 10**4300, 10**5000]
    values += [rng.randint(-(2**70), 2**70) for _ in range(3000)]
    offered = {int(n) for n in signal.valid_signals()} - RESERVED
    for value in values:
        for allow_probe in (False, True):
            try:
                spec = cat.parse(value, allow_probe=allow_probe)
            except SignalError:
                assert value not in offered
                assert value != 0 or not allow_probe
            else:
                assert spec.number == value
                assert value in offered or (value == 0 and allow_probe)


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        float("nan"),
        float("inf"),
        15j,
        b"TERM",
        bytearray(b"15"),
        ["TERM"],
        ("TERM",),
        {15},
        {"TERM": 15},
        object(),
        Action.TERMINATE,
        Fraction(1, 2),
        True,
        False,
        None,
    ],
)
def test_other_types_are_signal_errors(cat: Catalogue, value: object) -> None:
    for allow_probe in (False, True):
        with pytest.raises(SignalError, match="invalid signal"):
            cat.parse(value, allow_probe=allow_probe)
