"""Generate the README's screenshots from the real app on fixed sample data.

Run ``python -m sigtui.ui.screenshots`` from the repository root; the SVGs go
to ``screenshots/``. The sample data (``sigtui.processes.sample``) makes the
pictures identical on every machine.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.delivery.dry import DrySyscalls
from sigtui.processes.sample import SAMPLE_SELF_PID, SampleSource, sample_snapshot
from sigtui.signals.sample import sample_signal_state
from sigtui.ui.app import SigtuiApp, make_app

SIZE = (130, 30)
"""Terminal size of every screenshot."""

SAMPLE_NOW = 1_795_000_000.0
"""The pretend current time (seconds since the epoch) of the pictures."""

Steps = Callable[[Pilot[int]], Awaitable[None]]


async def _main_screen(pilot: Pilot[int]) -> None:
    # Put the cursor on the compiler so its whole job (make's group) lights up.
    await pilot.press(*["down"] * 11)


async def _tree(pilot: Pilot[int]) -> None:
    await pilot.press("t", *["down"] * 12)


async def _filter(pilot: Pilot[int]) -> None:
    pilot.app.query_one("#filter", Input).cursor_blink = False
    await pilot.press("slash", *"alice")


async def _help(pilot: Pilot[int]) -> None:
    await pilot.press("question_mark")


async def _details(pilot: Pilot[int]) -> None:
    # The nohup'd sleep: it ignores SIGHUP and has a blocked SIGUSR1 pending.
    await pilot.press(*["down"] * 12, "i")


async def _picker(pilot: Pilot[int]) -> None:
    await pilot.press(*["down"] * 12, "k")


async def _group_picker(pilot: Pilot[int]) -> None:
    await pilot.press(*["down"] * 11, "g")


SHOTS: dict[str, Steps] = {
    "main": _main_screen,
    "details": _details,
    "picker": _picker,
    "picker-group": _group_picker,
    "tree": _tree,
    "filter": _filter,
    "help": _help,
}
"""Screenshot name to the keys that lead to it."""


def sample_app() -> SigtuiApp:
    """Build the app on the sample data, never refreshing by itself.

    Returns:
        The app.
    """
    return make_app(
        source=SampleSource(),
        syscalls=DrySyscalls(sample_snapshot()),
        state_of=lambda info: info.state,
        interval=3600,
        self_pid=SAMPLE_SELF_PID,
        hostname="classroom",
        read_state=sample_signal_state,
        clock=lambda: SAMPLE_NOW,
    )


async def take(name: str, steps: Steps, out: Path) -> Path:
    """Run the app headless, drive it, and save one SVG.

    Args:
        name: The file's base name.
        steps: What to do before the picture.
        out: The folder to write to.

    Returns:
        The path written.
    """
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await steps(pilot)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = app.save_screenshot(filename=f"{name}.svg", path=str(out))
    return Path(path)


async def take_all(out: Path) -> list[Path]:
    """Write every screenshot.

    Args:
        out: The folder to write to.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    return [await take(name, steps, out) for name, steps in SHOTS.items()]


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    for path in asyncio.run(take_all(args.out)):
        print(path)


if __name__ == "__main__":
    main()
