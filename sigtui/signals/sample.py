"""Made-up signal states for the sample process list (screenshots and UI tests)."""

from __future__ import annotations

import signal

from sigtui.processes import ProcessInfo
from sigtui.signals.state import SignalState

_PYTHON_IGNORES = frozenset({int(signal.SIGPIPE), int(signal.SIGXFSZ)})
"""What every CPython process ignores from the start."""

_STATES = {
    # sshd and bash: a daemon and a shell with the usual handlers.
    412: SignalState(ignored=frozenset({int(signal.SIGPIPE)}),
                     caught=frozenset({int(signal.SIGHUP), int(signal.SIGTERM),
                                       int(signal.SIGCHLD)})),
    3022: SignalState(ignored=frozenset({int(signal.SIGQUIT), int(signal.SIGTSTP),
                                         int(signal.SIGTTIN), int(signal.SIGTTOU)}),
                      caught=frozenset({int(signal.SIGINT), int(signal.SIGCHLD),
                                        int(signal.SIGWINCH)})),
    # make: catches the usual interrupt signals to clean up its targets.
    4150: SignalState(caught=frozenset({int(signal.SIGINT), int(signal.SIGTERM),
                                        int(signal.SIGHUP)})),
    # sleep from a nohup'd job: ignores SIGHUP, and has a SIGUSR1 pending,
    # blocked.
    4152: SignalState(queued=1, queue_limit=96365,
                      shared_pending=frozenset({int(signal.SIGUSR1)}),
                      blocked=frozenset({int(signal.SIGUSR1)}),
                      ignored=frozenset({int(signal.SIGHUP)})),
    # sigtui itself: CPython plus Textual's handlers.
    4200: SignalState(ignored=_PYTHON_IGNORES,
                      caught=frozenset({int(signal.SIGINT), int(signal.SIGTERM),
                                        int(signal.SIGHUP), int(signal.SIGWINCH),
                                        int(signal.SIGTSTP), int(signal.SIGCONT)})),
}  # fmt: skip


def sample_signal_state(info: ProcessInfo) -> SignalState:
    """Return the made-up signal state of a sample process.

    Args:
        info: A process from ``sigtui.processes.sample``.

    Returns:
        Its state; processes without a special one have no handlers at all.
    """
    return _STATES.get(info.pid, SignalState())
