"""Latency from sending a signal to the demo child until its report arrives.

Run: ``python -m benchmarks.demo_latency [--count 1000]``.

Starts the demo child through sigtui's own demo session, sends SIGUSR1 (and then
SIGRTMIN) through a pidfd, one at a time, waiting for each report, and prints
the median and 99th percentile of two intervals: send to the child's own
timestamp (kernel delivery and the child waking), and send to the report
reaching the supervisor's reader thread (what the UI gets; the UI then adds
one event-loop hop and a repaint).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import threading
import time

from sigtui.demo.session import DemoEvent, DemoSession, Received


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(signum: int, count: int) -> tuple[list[float], list[float]]:
    arrived = threading.Event()
    reports: list[tuple[Received, int]] = []

    def on_events(events: list[DemoEvent]) -> None:
        now = time.monotonic_ns()
        for event in events:
            if isinstance(event, Received):
                reports.append((event, now))
                arrived.set()

    session = DemoSession(on_events, members=0, tick=3600)
    session.start()
    to_child: list[float] = []
    to_reader: list[float] = []
    try:
        fd = os.pidfd_open(session.pid)
        try:
            for _ in range(count):
                arrived.clear()
                reports.clear()
                sent = time.monotonic_ns()
                signal.pidfd_send_signal(fd, signum)
                if not arrived.wait(10):
                    raise RuntimeError("no report within 10 s")
                report, received = reports[0]
                to_child.append((report.t_mono_ns - sent) / 1000)
                to_reader.append((received - sent) / 1000)
        finally:
            os.close(fd)
    finally:
        session.stop()
    return to_child, to_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    print(
        "| signal | n | send → child wakes (µs) median / p99 "
        "| send → report read (µs) median / p99 |"
    )
    print("|---|---|---|---|")
    for name in ("SIGUSR1", "SIGRTMIN"):
        to_child, to_reader = measure(int(getattr(signal, name)), args.count)
        print(
            f"| {name} | {args.count} | "
            f"{statistics.median(to_child):.1f} / {percentile(to_child, 0.99):.1f} | "
            f"{statistics.median(to_reader):.1f} / {percentile(to_reader, 0.99):.1f} |"
        )
    print(f"\nMachine: {os.cpu_count()} CPUs, Linux {os.uname().release}")


if __name__ == "__main__":
    main()
