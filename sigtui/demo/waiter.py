"""Wakes the demo child when a caught signal is pending (a signalfd through ctypes).

Standard library only, like the child.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any


class SignalWaiter:
    """Wakes the main loop when a caught signal is pending, leaving it blocked.

    A thread waiting in ``sigtimedwait`` (``rt_sigtimedwait``) has the
    signals it waits for *unblocked* in its mask for as long as it waits (the
    kernel saves the real mask in ``real_blocked``), so ``/proc/PID/status``
    would show the caught signals as not blocked nearly all the time. The
    child therefore sleeps in ``select`` on a signalfd for the caught signals
    (the mask never changes) and dequeues with ``sigtimedwait(..., 0)``, which
    returns at once and leaves the mask alone. Without signalfd (not Linux,
    or no ctypes) :attr:`fd` is None and the main loop polls every
    :data:`sigtui.demo.child.POLL_SECONDS` instead.

    Attributes:
        fd: The signalfd, or None.
    """

    def __init__(self) -> None:
        self.fd: int | None = None
        self._libc: Any = None
        try:
            import ctypes  # only here: a platform without it polls instead

            libc = ctypes.CDLL(None, use_errno=True)
            libc.signalfd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
            libc.signalfd.restype = ctypes.c_int
            libc.sigemptyset.argtypes = [ctypes.c_void_p]
            libc.sigaddset.argtypes = [ctypes.c_void_p, ctypes.c_int]
        except (ImportError, OSError, AttributeError):
            return
        self._ctypes = ctypes
        self._libc = libc

    def watch(self, signals: Iterable[int]) -> None:
        """Wake up for these signals (and no others) from now on.

        Args:
            signals: The caught signals.
        """
        if self._libc is None:
            return
        ctypes = self._ctypes
        sigset = (ctypes.c_ubyte * 128)()  # glibc's sigset_t is 1024 bits
        self._libc.sigemptyset(sigset)
        for signo in signals:
            self._libc.sigaddset(sigset, signo)
        flags = os.O_CLOEXEC | os.O_NONBLOCK if self.fd is None else 0
        fd = self._libc.signalfd(-1 if self.fd is None else self.fd, sigset, flags)
        if fd < 0:
            error = ctypes.get_errno()
            if self.fd is None:
                self._libc = None  # no signalfd here: poll instead
                return
            raise OSError(error, os.strerror(error))
        self.fd = fd
