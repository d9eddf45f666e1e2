"""The quiet collector: full collections when the interface asks for them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sigtui.ui.collector import OVERDUE, QuietCollector


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """The interpreter's thresholds, given back whatever the test did."""
    saved = gc.get_threshold()
    try:
        yield saved
    finally:
        gc.set_threshold(*saved)


@contextmanager
def full_passes() -> Iterator[list[int]]:
    """The full collections that start inside: one 2 each."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(2)

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def test_while_it_runs_the_interpreter_waits_overdue_times_as_long(
    thresholds: tuple[int, int, int],
) -> None:
    young, middle, full = thresholds
    collector = QuietCollector()
    assert not collector.running

    collector.start()
    collector.start()  # twice is once: the saved thresholds stay the first

    assert collector.running
    assert gc.get_threshold() == (young, middle, full * OVERDUE)
    collector.stop()
    assert gc.get_threshold() == thresholds
    assert not collector.running
    collector.stop()  # and stopping again changes nothing
    assert gc.get_threshold() == thresholds


def test_a_full_collection_is_due_when_the_interpreter_would_have_run_one(
    thresholds: tuple[int, int, int],
) -> None:
    collector = QuietCollector()
    collector.start()
    try:
        gc.collect()
        assert not collector.due()
        with full_passes() as seen:
            collector.collect()  # not due: nothing runs
            assert seen == []
            assert collector.passes == 0
            # Each pass over the middle generation counts toward a full one.
            for _ in range(thresholds[2] - 1):
                gc.collect(1)
            assert not collector.due()
            gc.collect(1)
            assert collector.due()
            assert seen == []  # the interpreter did not run it: overdue is later

            collector.collect()

            assert seen == [2]
            assert collector.passes == 1
            assert not collector.due()
    finally:
        collector.stop()


def test_nothing_is_due_when_stopped_or_when_collection_is_off(
    thresholds: tuple[int, int, int],
) -> None:
    collector = QuietCollector()
    for _ in range(thresholds[2]):
        gc.collect(1)
    assert not collector.due()  # not running
    collector.start()
    try:
        assert collector.due()
        gc.disable()
        try:
            assert not collector.due()
        finally:
            gc.enable()
    finally:
        collector.stop()
