"""Captions: one or two plain sentences on what a send did, and why."""

from __future__ import annotations

import pytest

from sigtui.delivery.explain import asks, caption, why
from sigtui.delivery.send import SendResult, Status
from sigtui.delivery.watch import Fate, Observation
from sigtui.signals import SignalSpec, catalogue
from sigtui.signals.predict import Outcome, Prediction
from tests.spawn import make_info


def sig(name: str) -> SignalSpec:
    return catalogue().by_name(name)


def delivered(name: str, pid: int) -> SendResult:
    return SendResult(Status.DELIVERED, f"process {pid}", sig(name), "ok.", pid)


def predicted(outcome: Outcome) -> Prediction:
    return Prediction(outcome, outcome.value, f"because {outcome.value}")


def test_the_issue_example_for_the_demo() -> None:
    demo = make_info(4242, comm="python3")
    text = caption(
        sig("SIGTERM"),
        "the demo (4242)",
        [delivered("SIGTERM", 4242)],
        [Observation(demo, Fate.RUNNING, "S")],
        {},
        {4242: "catch"},
    )
    assert text == (
        "SIGTERM asked the demo (4242) to terminate. It had a handler, so it "
        "decided for itself: it logged the signal and kept running."
    )


@pytest.mark.parametrize(
    ("name", "fate", "outcome", "expected"),
    [
        ("SIGKILL", Fate.EXITED, Outcome.UNCATCHABLE, "No process can catch"),
        ("SIGTERM", Fate.EXITED, Outcome.DEFAULT, "default action happened: it end"),
        ("SIGTERM", Fate.EXITED, Outcome.CAUGHT, "it chose to exit"),
        ("SIGTERM", Fate.RUNNING, Outcome.CAUGHT, "its handler ran and it kept"),
        ("SIGHUP", Fate.RUNNING, Outcome.IGNORED, "It ignores SIGHUP"),
        ("SIGUSR1", Fate.RUNNING, Outcome.PENDING, "It blocks SIGUSR1"),
        ("SIGUSR1", Fate.RUNNING, Outcome.MERGED, "merged with it"),
        ("SIGTERM", Fate.RUNNING, Outcome.WAITS, "waits until it gets SIGCONT"),
        ("SIGSTOP", Fate.STOPPED, Outcome.UNCATCHABLE, "T in STAT"),
        ("SIGTSTP", Fate.STOPPED, Outcome.DEFAULT, "no handler"),
        ("SIGCONT", Fate.CONTINUED, Outcome.DEFAULT, "runs again"),
        ("SIGWINCH", Fate.RUNNING, Outcome.DEFAULT, "default is to be ignored"),
        ("SIGTERM", Fate.EXITED, Outcome.UNKNOWN, "It ended."),
    ],
)
def test_why_joins_the_prediction_and_what_was_seen(
    name: str, fate: Fate, outcome: Outcome, expected: str
) -> None:
    assert expected in why(sig(name), fate, predicted(outcome))


def test_an_instrumented_process_is_explained_by_its_disposition() -> None:
    usr1 = sig("SIGUSR1")
    assert "pending" in why(usr1, Fate.RUNNING, None, instrumented="hold")
    assert "ignores" in why(usr1, Fate.RUNNING, None, instrumented="ignore")
    assert "no handler" in why(usr1, Fate.EXITED, None, instrumented="default")
    kill = sig("SIGKILL")
    assert "No process can catch" in why(kill, Fate.EXITED, None, instrumented="catch")


def test_what_each_kind_of_signal_asks() -> None:
    assert asks(sig("SIGQUIT"), "x") == "SIGQUIT asked x to quit and leave a core dump."
    assert asks(sig("SIGCONT"), "x") == "SIGCONT told x to continue."
    assert "at once" in asks(sig("SIGKILL"), "x")
    assert "pause" in asks(sig("SIGSTOP"), "x")
    # User-defined and realtime signals ask nothing in particular.
    for name in ("SIGUSR1", "SIGUSR2", "SIGRTMIN", "SIGRTMIN+3"):
        assert asks(sig(name), "x") == (
            f"{name} went to x. It has no fixed meaning: each program decides "
            "what it means, and by default it ends the process."
        )
    assert "nothing was delivered" in asks(
        catalogue().parse("0", allow_probe=True), "x"
    )


def test_a_group_send_counts_fates_and_explains_a_survivor() -> None:
    members = [make_info(p, pgid=10) for p in (10, 11, 12)]
    seen = [
        Observation(members[0], Fate.EXITED, ""),
        Observation(members[1], Fate.EXITED, ""),
        Observation(members[2], Fate.RUNNING, "S"),
    ]
    text = caption(
        sig("SIGHUP"),
        "process group 10 (3 processes)",
        [delivered("SIGHUP", 10)],
        seen,
        {12: predicted(Outcome.IGNORED)},
    )
    assert text == (
        "SIGHUP asked process group 10 (3 processes) to terminate. Of its 3 "
        "processes, 2 ended, 1 still running. Process 12: it ignores SIGHUP, so "
        "the kernel threw the signal away."
    )


def test_a_failed_send_says_nothing_happened_and_why() -> None:
    failure = SendResult(
        Status.PERMISSION,
        "process 1 (init)",
        sig("SIGTERM"),
        "Permission denied: process 1 (init) belongs to root; SIGTERM was not sent.",
        1,
    )
    text = caption(sig("SIGTERM"), "process 1 (init)", [failure], [], {})
    assert text.startswith("SIGTERM did nothing to process 1 (init). Permission")
