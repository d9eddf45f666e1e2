"""The quiet collector: full garbage collections only when no key is coming.

These change the interpreter's real garbage collector settings, so each test
gives them back (the collector's own ``stop``, and a fixture that checks).
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from sigtui.ui.collector import FORCE_FACTOR, NEVER, QUIET_S, QuietCollector


class Clock:
    """Seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FullPasses:
    """Counts the full collections the interpreter runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self.count += 1


@pytest.fixture
def full_passes() -> Iterator[FullPasses]:
    thresholds = gc.get_threshold()
    counter = FullPasses()
    gc.callbacks.append(counter)
    try:
        yield counter
    finally:
        gc.callbacks.remove(counter)
        assert gc.get_threshold() == thresholds
        assert gc.get_freeze_count() == 0


def young_passes(n: int) -> None:
    """Run ``n`` collections of the two young generations, as allocations would."""
    for _ in range(n):
        gc.collect(1)


def allocate() -> list[list[int]]:
    """Make enough objects that live on for Python to start full passes."""
    return [[i] for i in range(300_000)]


def test_start_freezes_and_takes_over_the_full_passes(full_passes: FullPasses) -> None:
    young, middle, full = gc.get_threshold()
    survivors = allocate()  # without the collector, this starts full passes
    assert full_passes.count > 0
    del survivors
    collector = QuietCollector(Clock())
    assert not collector.tick()  # not started: Python's own rules hold
    collector.start()
    try:
        assert collector.running
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (young, middle, NEVER)
        passes = full_passes.count
        survivors = allocate()
        assert full_passes.count == passes
        del survivors
    finally:
        collector.stop()
    assert not collector.running
    assert gc.get_threshold() == (young, middle, full)
    assert gc.get_freeze_count() == 0


def test_a_due_pass_waits_for_a_quiet_moment(full_passes: FullPasses) -> None:
    full = gc.get_threshold()[2]
    clock = Clock()
    collector = QuietCollector(clock)
    collector.start()
    try:
        young_passes(full - 1)
        clock.now += QUIET_S * 2
        assert not collector.tick()  # not due yet, however quiet
        young_passes(1)
        collector.input_came()
        clock.now += QUIET_S / 2
        before = full_passes.count
        assert not collector.tick()  # due, but a key just came
        assert full_passes.count == before
        clock.now += QUIET_S / 2
        assert collector.tick()  # quiet long enough
        assert full_passes.count == before + 1
        assert collector.collections == 1
        assert gc.get_count()[2] == 0
        assert not collector.tick()  # nothing due any more
    finally:
        collector.stop()


def test_without_a_quiet_moment_a_pass_runs_anyway(full_passes: FullPasses) -> None:
    full = gc.get_threshold()[2]
    clock = Clock()
    collector = QuietCollector(clock)
    collector.start()
    try:
        young_passes(full * FORCE_FACTOR - 1)
        collector.input_came()
        assert not collector.tick()
        young_passes(1)
        collector.input_came()
        before = full_passes.count
        assert collector.tick()
        assert full_passes.count == before + 1
    finally:
        collector.stop()


class Node:
    """An object that refers to itself: only the collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_cycles_made_while_running_are_freed_at_a_quiet_pass(
    full_passes: FullPasses,
) -> None:
    full = gc.get_threshold()[2]
    clock = Clock()
    collector = QuietCollector(clock)
    collector.start()
    try:
        cycle = Node()
        gone = weakref.ref(cycle)
        young_passes(2)  # lives on into the oldest generation
        del cycle
        young_passes(full)
        assert gone() is not None  # no full pass ran on its own
        clock.now += QUIET_S
        assert collector.tick()
        assert gone() is None
    finally:
        collector.stop()
