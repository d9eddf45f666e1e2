"""The ten guided lessons: their titles, summaries and steps, as plain data.

Nothing here starts a process: :mod:`sigtui.lessons.run` does that. The texts
are read by a class on a projector, so they are short and concrete, and they
name sigtui's keys: ``k`` signals the selected process (type a signal's name in
the picker, ``enter`` sends), ``g`` signals its whole process group, ``/``
filters the table and ``z`` stops or continues.
"""

from __future__ import annotations

from dataclasses import dataclass


class LessonError(RuntimeError):
    """A lesson that does not exist, or could not be started."""


@dataclass(frozen=True)
class Step:
    """One thing the class does in a lesson.

    Attributes:
        text: The instruction, in plain words.
        explanation: What the step showed; shown once it is done.
    """

    text: str
    explanation: str


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: its own processes and the steps to do with them.

    Attributes:
        number: Its place in the course, from 1.
        name: A short slug for the command line (``first-kill``).
        title: The title, for a heading.
        summary: Two or three sentences on what it is about.
        steps: The steps, in the order the class does them.
    """

    number: int
    name: str
    title: str
    summary: str
    steps: tuple[Step, ...]


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        1,
        "first-kill",
        "First kill",
        "A program called ticker counts, one tick a second. Find it in the "
        "table and end it with SIGKILL, the signal no program can refuse.",
        (
            Step(
                "Find the ticker: press / and type ticker, press enter, then "
                "put the cursor on its row.",
                "Every process has a number, its pid. The cursor stays on this "
                "process even when the table changes.",
            ),
            Step(
                "End it: press k, type kill, press enter. This sends SIGKILL.",
                "SIGKILL ended the ticker at once. The kernel does it: the "
                "program gets no chance to react or to clean up.",
            ),
        ),
    ),
    Lesson(
        2,
        "handler",
        "A signal handler",
        "This ticker has a handler for SIGUSR1: a function it runs when that "
        "signal arrives. A signal without a handler does its default action, "
        "which for most signals is to end the process.",
        (
            Step(
                "Select the ticker, press k, type usr1, press enter.",
                "The ticker's handler ran and greeted the class, and the ticks "
                "went on: a caught signal does not end the program.",
            ),
            Step(
                "Now send SIGTERM: press k, type term, press enter.",
                "The ticker has no handler for SIGTERM, so the default action "
                "happened: the process ended.",
            ),
        ),
    ),
    Lesson(
        3,
        "hangup",
        "Hangup and nohup",
        "SIGHUP means 'your terminal has gone away'; by default it ends a "
        "process. nohup starts a program with SIGHUP ignored, so it survives. "
        "There are two tickers: nohup-ticker ignores SIGHUP, ticker does not.",
        (
            Step(
                "Select nohup-ticker, press k, type hup, press enter. Watch the "
                "log: it keeps ticking.",
                "The kernel threw the ignored signal away: the program never "
                "even saw it. That is all nohup does.",
            ),
            Step(
                "Now send SIGHUP to ticker, the same way.",
                "Without the ignore, SIGHUP's default action ended the ticker. "
                "This is what happens to your programs when you close a terminal.",
            ),
        ),
    ),
    Lesson(
        4,
        "uncatchable",
        "What cannot be caught",
        "A program can catch most signals, even SIGFPE (arithmetic error). "
        "SIGKILL and SIGSTOP can never be caught: this ticker tried to catch "
        "them when it started and the kernel refused, as the log shows.",
        (
            Step(
                "Select the ticker, press k, type fpe, press enter.",
                "Its handler caught SIGFPE and it kept ticking. Without a "
                "handler, SIGFPE would have ended it with a core dump.",
            ),
            Step(
                "Press k, type stop, press enter (SIGSTOP). STAT turns to T.",
                "The ticker stopped. It had asked to catch SIGSTOP, but no "
                "program can: the kernel stops it anyway.",
            ),
            Step(
                "Press z to continue it (SIGCONT).",
                "SIGCONT woke the ticker up and the ticks go on.",
            ),
            Step(
                "Press k, type hup, press enter (SIGHUP).",
                "It catches SIGFPE only, so SIGHUP's default action ended it. "
                "Catching one signal does not protect against the others.",
            ),
        ),
    ),
    Lesson(
        5,
        "groups",
        "Process groups",
        "A shell script (sh) started two sleep commands. All three share one "
        "process group, shown in the PGID column. A signal sent to the group "
        "reaches every member: that is how Ctrl-C ends a whole pipeline.",
        (
            Step(
                "Select sh, the shell script: its two sleeps have the same PGID.",
                "The group's number is the pid of the process that made the "
                "group, here the script. sigtui highlights every row of the "
                "selected process's group.",
            ),
            Step(
                "Press g, type term, press enter, then y: one SIGTERM to the "
                "whole group (sigtui always asks before a group send).",
                "One send ended all three processes. Sent to the script alone, "
                "SIGTERM would have left its two sleeps running.",
            ),
        ),
    ),
    Lesson(
        6,
        "ping-pong",
        "Ping-pong",
        "Two players, ping and pong, share a process group. Each hits the "
        "ball by signalling its own group with kill(0, ...): ping sends "
        "SIGUSR1, which only pong catches; pong sends SIGUSR2, which only "
        "ping catches.",
        (
            Step(
                "Serve: select pong, press k, type usr1, press enter.",
                "pong caught SIGUSR1 and hit back with SIGUSR2 to the group. "
                "ping ignores SIGUSR1, so only pong reacted.",
            ),
            Step(
                "Watch the rally in the log: a hundred rounds.",
                "Two hundred signals, each caught by exactly one player. "
                "kill(0, ...) sends to the sender's own process group.",
            ),
            Step(
                "End the game: select a player, press g, type quit, press "
                "enter, then y (SIGQUIT to the group).",
                "One group send reached both players. They catch SIGQUIT and "
                "leave; without a handler it ends a program with a core dump.",
            ),
        ),
    ),
    Lesson(
        7,
        "graceful",
        "Graceful shutdown",
        "A parent process started a child, and the child made a temporary "
        "file. Asked politely with SIGTERM, the parent passes the request "
        "on; the child removes its file and exits; the parent collects it.",
        (
            Step(
                "Select parent, press k, type term, press enter.",
                "The parent caught SIGTERM and, instead of just ending, sent "
                "SIGTERM on to its child.",
            ),
            Step(
                "Watch the log: the child cleans up and exits.",
                "The child's handler removed its temporary file and exited with "
                "status 0. SIGKILL would have left the file behind.",
            ),
            Step(
                "Watch the log: the parent reaps its child, then exits.",
                "The parent collected the child's exit status with waitpid "
                "(this is called reaping), then ended itself. Nothing is left.",
            ),
        ),
    ),
    Lesson(
        8,
        "sigchld",
        "Reaping with SIGCHLD",
        "When a child ends, the kernel sends its parent SIGCHLD. But "
        "standard signals do not queue: five children ending at once can "
        "bring a single SIGCHLD, so a parent must collect them in a loop.",
        (
            Step(
                "Select parent, press k, type usr1, press enter: it tells its "
                "five children to exit, all at once.",
                "The five children ended. They stay in the table as zombies "
                "(Z, <defunct>) until their parent collects them; for now the "
                "parent has SIGCHLD blocked.",
            ),
            Step(
                "Send SIGUSR2 to parent: it takes its SIGCHLD and reaps.",
                "Five children ended but fewer SIGCHLDs arrived (the log has the "
                "count). The parent called waitpid with WNOHANG in a loop and "
                "collected all five.",
            ),
        ),
    ),
    Lesson(
        9,
        "blocking",
        "Blocking signals",
        "A program can block a signal: it waits, pending, until the program "
        "takes it. This blocker blocks SIGUSR1, a standard signal, and "
        "SIGRTMIN, a real-time signal. Let us count what arrives.",
        (
            Step(
                "Select blocker, press k, type usr1, press enter. Do it five times.",
                "Nothing happened: SIGUSR1 is blocked, so it stays pending. "
                "The details panel (i) shows it.",
            ),
            Step(
                "Now send SIGRTMIN five times (k, type rtmin, enter).",
                "Each SIGRTMIN was kept in a queue: real-time signals are kept "
                "one by one.",
            ),
            Step(
                "Send SIGUSR2: blocker then takes what is pending and counts.",
                "Five SIGUSR1 became one, five SIGRTMIN stayed five: pending "
                "standard signals merge, real-time signals queue.",
            ),
        ),
    ),
    Lesson(
        10,
        "stop-continue",
        "Stop and continue",
        "A stopped process is frozen: it does nothing and uses no CPU until "
        "it gets SIGCONT. The STAT column shows T while it is stopped.",
        (
            Step(
                "Select the ticker and press z (SIGSTOP). STAT turns to T and "
                "the ticks stop.",
                "SIGSTOP stopped the ticker. It cannot be caught, so the ticker "
                "had no say.",
            ),
            Step(
                "Press z again (SIGCONT).",
                "SIGCONT continued the ticker: the ticks go on.",
            ),
            Step(
                "Press k, type tstp, press enter. Ctrl-Z sends this signal.",
                "SIGTSTP stopped it too. Unlike SIGSTOP it can be caught: an "
                "editor catches it to tidy the screen before it stops.",
            ),
            Step(
                "Press z (SIGCONT) once more.",
                "Continued again. A shell's fg and bg commands send SIGCONT "
                "the same way.",
            ),
        ),
    ),
)
"""The lessons, in order."""


def find_lesson(text: str) -> Lesson:
    """Find a lesson by its number or its name, ignoring case and spaces.

    Args:
        text: ``"3"``, ``"hangup"`` or ``"Hangup"``.

    Returns:
        The lesson.

    Raises:
        LessonError: If no lesson has that number or name.
    """
    key = text.strip().lower()
    for lesson in LESSONS:
        if key in (str(lesson.number), lesson.name):
            return lesson
    names = ", ".join(lesson.name for lesson in LESSONS)
    raise LessonError(f"unknown lesson {text!r}; choose one of: {names}")
