"""The signal catalogue: every signal of this platform, what it does and means.

Numbers come from the running platform (``signal.valid_signals()``), never
from a table of numbers: SIGUSR1 is 10 on Linux and 30 on macOS. Default
actions and meanings are keyed by *name*. Realtime signals are named
``SIGRTMIN+n`` / ``SIGRTMAX-n`` as ``kill -l`` does, and the numbers the C
library reserves for itself (32 and 33 with glibc) are never offered: the
kernel accepts them and the target simply dies, under a misleading name.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from types import MappingProxyType

from sigtui.procfs import signal_name


class Action(Enum):
    """What the kernel does with a signal nobody handles (signal(7))."""

    TERMINATE = "Terminate"
    CORE = "Core dump"
    STOP = "Stop"
    CONTINUE = "Continue"
    IGNORE = "Ignore"

    @property
    def verb(self) -> str:
        """The action as a short phrase: "terminates", "dumps core"..."""
        return _VERBS[self]


_VERBS = {
    Action.TERMINATE: "terminates",
    Action.CORE: "terminates, dumps core",
    Action.STOP: "stops",
    Action.CONTINUE: "continues",
    Action.IGNORE: "nothing (ignored by default)",
}

_T, _C, _S, _K, _I = (
    Action.TERMINATE,
    Action.CORE,
    Action.STOP,
    Action.CONTINUE,
    Action.IGNORE,
)

LINUX_ACTIONS: Mapping[str, Action] = MappingProxyType(
    {
        "SIGHUP": _T, "SIGINT": _T, "SIGQUIT": _C, "SIGILL": _C, "SIGTRAP": _C,
        "SIGABRT": _C, "SIGBUS": _C, "SIGFPE": _C, "SIGKILL": _T, "SIGUSR1": _T,
        "SIGSEGV": _C, "SIGUSR2": _T, "SIGPIPE": _T, "SIGALRM": _T, "SIGTERM": _T,
        "SIGSTKFLT": _T, "SIGCHLD": _I, "SIGCONT": _K, "SIGSTOP": _S, "SIGTSTP": _S,
        "SIGTTIN": _S, "SIGTTOU": _S, "SIGURG": _I, "SIGXCPU": _C, "SIGXFSZ": _C,
        "SIGVTALRM": _T, "SIGPROF": _T, "SIGWINCH": _I, "SIGIO": _T, "SIGPWR": _T,
        "SIGSYS": _C,
    }
)  # fmt: skip
"""Default actions on Linux, measured (research/signals.md 1.2) and as signal(7)."""

MACOS_ACTIONS: Mapping[str, Action] = MappingProxyType(
    {
        "SIGHUP": _T, "SIGINT": _T, "SIGQUIT": _C, "SIGILL": _C, "SIGTRAP": _C,
        "SIGABRT": _C, "SIGEMT": _C, "SIGFPE": _C, "SIGKILL": _T, "SIGBUS": _C,
        "SIGSEGV": _C, "SIGSYS": _C, "SIGPIPE": _T, "SIGALRM": _T, "SIGTERM": _T,
        "SIGURG": _I, "SIGSTOP": _S, "SIGTSTP": _S, "SIGCONT": _K, "SIGCHLD": _I,
        "SIGTTIN": _S, "SIGTTOU": _S, "SIGIO": _I, "SIGXCPU": _T, "SIGXFSZ": _T,
        "SIGVTALRM": _T, "SIGPROF": _T, "SIGWINCH": _I, "SIGINFO": _I, "SIGUSR1": _T,
        "SIGUSR2": _T,
    }
)  # fmt: skip
"""Default actions on macOS (xnu's sigprop table, research/signals.md 1.3)."""

MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "SIGHUP": "Hangup: the terminal closed, or a daemon is asked to reload",
        "SIGINT": "Interrupt from the keyboard (Ctrl-C)",
        "SIGQUIT": "Quit from the keyboard (Ctrl-\\), leaving a core dump",
        "SIGILL": "Illegal instruction: the program ran something the CPU rejects",
        "SIGTRAP": "Trace or breakpoint trap, used by debuggers",
        "SIGABRT": "Abort: the program gave up on itself (abort())",
        "SIGEMT": "Emulator trap: an unimplemented instruction",
        "SIGBUS": "Bus error: a bad memory access (misaligned, or a file shrank)",
        "SIGFPE": "Arithmetic error, such as an integer divided by zero",
        "SIGKILL": "Kill: ends the process at once; it cannot refuse or clean up",
        "SIGUSR1": "User-defined signal 1: means whatever the program decides",
        "SIGSEGV": "Segmentation fault: a read or write of memory it does not own",
        "SIGUSR2": "User-defined signal 2: means whatever the program decides",
        "SIGPIPE": "Broken pipe: it wrote to a pipe nobody reads any more",
        "SIGALRM": "Alarm clock: a timer set with alarm() went off",
        "SIGTERM": "Terminate: a polite request to finish and exit",
        "SIGSTKFLT": "Stack fault on a coprocessor (unused on modern Linux)",
        "SIGCHLD": "A child process stopped, continued or exited",
        "SIGCONT": "Continue: resume a stopped process",
        "SIGSTOP": "Stop: pause the process; it cannot refuse",
        "SIGTSTP": "Stop from the keyboard (Ctrl-Z); the program may refuse",
        "SIGTTIN": "A background job tried to read from its terminal",
        "SIGTTOU": "A background job tried to write to its terminal",
        "SIGURG": "Urgent (out-of-band) data arrived on a socket",
        "SIGXCPU": "It used up its CPU time limit (ulimit -t)",
        "SIGXFSZ": "It tried to grow a file past its size limit (ulimit -f)",
        "SIGVTALRM": "Virtual timer: CPU time of the process itself ran out",
        "SIGPROF": "Profiling timer expired",
        "SIGWINCH": "The terminal window changed size",
        "SIGIO": "Input or output is now possible on a file it watches",
        "SIGPWR": "Power failure: the machine is on battery",
        "SIGSYS": "Bad system call: a call the kernel or a filter refuses",
        "SIGINFO": "Status request from the keyboard (Ctrl-T)",
    }
)
"""One line per standard signal, in plain words for a student."""

REALTIME_MEANING = "Realtime signal: free for programs; several sent are all kept"

PROBE_NUMBER = 0
"""Signal 0: sends nothing; asks whether the process exists and may be signalled."""


@dataclass(frozen=True)
class SignalSpec:
    """One signal of this platform.

    Attributes:
        number: The platform's number for it.
        name: Canonical name with ``SIG`` (``SIGTERM``, ``SIGRTMIN+3``).
        aliases: Other names for the same number (``SIGIOT`` for SIGABRT).
        action: Default action, or None where the platform's is not known.
        meaning: What it means, in plain words.
        catchable: Whether a process can catch, block or ignore it.
    """

    number: int
    name: str
    aliases: tuple[str, ...]
    action: Action | None
    meaning: str
    catchable: bool

    @property
    def short(self) -> str:
        """The name without ``SIG`` (``TERM``), as kill and htop write it."""
        return self.name.removeprefix("SIG")

    @property
    def realtime(self) -> bool:
        """Whether it is a realtime signal (these queue instead of merging)."""
        return self.name.startswith("SIGRT")

    @property
    def probe(self) -> bool:
        """Whether this is signal 0, the existence and permission probe."""
        return self.number == PROBE_NUMBER

    @property
    def action_text(self) -> str:
        """The default action's name, or ``?`` when unknown."""
        return self.action.value if self.action else "?"


PROBE = SignalSpec(
    PROBE_NUMBER,
    "0",
    (),
    None,
    "Probe: sends nothing; only checks the process exists and may be signalled",
    False,
)
"""Signal 0, offered only when asked for explicitly."""


class SignalError(ValueError):
    """A signal could not be understood; the message names the bad value."""


_MAX_DIGITS = 9
"""Digits (after leading zeros) beyond which a number cannot be a signal.

Checked before ``int()``: Python refuses to convert strings of more than 4300
digits with a ValueError that is not a SignalError.
"""


def _small_int(digits: str) -> int | None:
    """Convert ASCII digits to an int, or None when far too large for a signal."""
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= _MAX_DIGITS else None


def _shown_int(number: int) -> str:
    """Show an int in a message, even one too large for ``repr()`` (4300 digits)."""
    try:
        return repr(number)
    except ValueError:
        return f"{number:#x}"  # powers of two have no such limit


class Catalogue:
    """Every signal this platform offers, by number and by name.

    Args:
        signals: The signals, in any order.
        realtime: The (SIGRTMIN, SIGRTMAX) numbers, or None without realtime
            signals.
    """

    def __init__(
        self, signals: list[SignalSpec], realtime: tuple[int, int] | None
    ) -> None:
        self.signals = tuple(sorted(signals, key=lambda s: s.number))
        self.realtime = realtime
        self._by_number = {s.number: s for s in self.signals}
        self._by_name: dict[str, SignalSpec] = {}
        for spec in self.signals:
            for name in (spec.name, *spec.aliases):
                self._by_name[name.removeprefix("SIG")] = spec

    def __iter__(self) -> Iterator[SignalSpec]:
        return iter(self.signals)

    def __len__(self) -> int:
        return len(self.signals)

    def get(self, number: int) -> SignalSpec | None:
        """Return the signal with this number, if it is offered.

        Args:
            number: A signal number.

        Returns:
            The signal, or None (also for reserved numbers like 32 and 33).
        """
        return self._by_number.get(number)

    def by_name(self, name: str) -> SignalSpec:
        """Return a signal by exact canonical name (``SIGTERM``).

        Args:
            name: The name.

        Returns:
            The signal.

        Raises:
            KeyError: If there is no such signal here.
        """
        return self._by_name[name.removeprefix("SIG")]

    def name_of(self, number: int) -> str:
        """Name a signal number for display, even one that is not offered.

        Args:
            number: A signal number, as found in a /proc mask.

        Returns:
            The canonical name, or the bare number for reserved signals.
        """
        spec = self._by_number.get(number)
        return spec.name if spec else str(number)

    def parse(self, value: object, *, allow_probe: bool = False) -> SignalSpec:
        """Understand a signal written by a person or given by a program.

        Accepts ``TERM``, ``SIGTERM``, ``sigterm``, ``15``, ``RTMIN+3``,
        ``SIGRTMAX-2`` and aliases such as ``IOT``. Everything is checked
        here, before any system call.

        Args:
            value: Text or an int (never a bool or a float).
            allow_probe: Accept ``0``, the existence probe.

        Returns:
            The signal.

        Raises:
            SignalError: For anything that is not a signal offered here.
        """
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise SignalError(f"invalid signal {value!r}: give a name or a number")
        if isinstance(value, int):
            return self._parse_number(int(value), _shown_int(value), allow_probe)
        text = value.strip()
        if not text:
            raise SignalError("empty signal: give a name such as TERM or a number")
        if not text.isascii():
            # Names and numbers are ASCII. Without this, str.upper() would take
            # lookalikes: "\u017figterm".upper() == "SIGTERM" (long s), and
            # "s\u0131gkill" (dotless i) would be SIGKILL.
            raise SignalError(f"unknown signal {value!r}")
        if text.isdigit():
            number = _small_int(text)
            if number is None:
                raise SignalError(f"invalid signal {value!r}: no such signal here")
            return self._parse_number(number, repr(value), allow_probe)
        unsigned = text.lstrip("+-")
        if unsigned.isdigit():
            if text.startswith("-"):
                raise SignalError(f"invalid signal {value!r}: numbers must be positive")
            raise SignalError(f"invalid signal {value!r}: write the number unsigned")
        key = text.upper().removeprefix("SIG")
        if key.startswith("RTM"):
            return self._parse_realtime(key, value)
        spec = self._by_name.get(key)
        if spec is None:
            raise SignalError(f"unknown signal {value!r}")
        return spec

    def _parse_number(self, number: int, shown: str, allow_probe: bool) -> SignalSpec:
        if number == PROBE_NUMBER:
            if allow_probe:
                return PROBE
            raise SignalError(
                f"invalid signal {shown}: 0 only probes whether a process exists"
            )
        spec = self._by_number.get(number)
        if spec is None:
            if 0 < number < signal.NSIG:
                raise SignalError(
                    f"invalid signal {shown}: reserved by the C library, never sent"
                )
            raise SignalError(f"invalid signal {shown}: no such signal here")
        return spec

    def _parse_realtime(self, key: str, value: str) -> SignalSpec:
        if self.realtime is None:
            raise SignalError(f"unsupported signal {value!r}: no realtime signals here")
        low, high = self.realtime
        base, rest = key[:5], key[5:]
        if base not in ("RTMIN", "RTMAX"):
            raise SignalError(f"unknown signal {value!r}")
        number = low if base == "RTMIN" else high
        if rest:
            sign, offset = rest[0], rest[1:]
            if sign not in "+-" or not (offset.isascii() and offset.isdigit()):
                raise SignalError(f"unknown signal {value!r}")
            amount = _small_int(offset)
            if amount is None:
                raise SignalError(
                    f"invalid signal {value!r}: out of the realtime range"
                )
            number += amount if sign == "+" else -amount
        if not low <= number <= high:
            raise SignalError(f"invalid signal {value!r}: out of the realtime range")
        spec = self._by_number.get(number)
        if spec is None:
            raise SignalError(f"invalid signal {value!r}: no such signal here")
        return spec


def build_catalogue(
    valid: Collection[int] | None = None,
    platform: str | None = None,
) -> Catalogue:
    """Build the catalogue from what this platform says.

    Args:
        valid: Signal numbers (default: ``signal.valid_signals()``).
        platform: ``sys.platform`` value choosing the default-action table.

    Returns:
        The catalogue.
    """
    numbers = {int(n) for n in (valid if valid is not None else signal.valid_signals())}
    actions = MACOS_ACTIONS if (platform or sys.platform) == "darwin" else LINUX_ACTIONS
    low = getattr(signal, "SIGRTMIN", None)
    high = getattr(signal, "SIGRTMAX", None)
    realtime = (int(low), int(high)) if low is not None and high is not None else None
    uncatchable = {int(signal.SIGKILL), int(signal.SIGSTOP)}
    specs = []
    for number in sorted(numbers):
        if realtime and realtime[0] <= number <= realtime[1]:
            name = signal_name(number)
            aliases: tuple[str, ...] = ()
            action: Action | None = Action.TERMINATE
            meaning = REALTIME_MEANING
        else:
            try:
                member = signal.Signals(number)
            except ValueError:
                # Numbers the C library keeps for itself (glibc's 32 and 33):
                # never offered.
                continue
            name = member.name
            aliases = tuple(
                alias
                for alias, other in signal.Signals.__members__.items()
                if int(other) == number and alias != name
            )
            action = actions.get(name)
            meaning = MEANINGS.get(name, "?")
        specs.append(
            SignalSpec(
                number, name, aliases, action, meaning, number not in uncatchable
            )
        )
    return Catalogue(specs, realtime)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Return this platform's catalogue (built once).

    Returns:
        The catalogue.
    """
    return build_catalogue()
