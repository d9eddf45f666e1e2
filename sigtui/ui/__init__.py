"""The Textual interface: the only package that imports textual or rich."""

from __future__ import annotations

import os

FRAMES_PER_SECOND = 120
"""How often Textual may update the screen.

Textual paints a change at its next frame, at most 60 a second by default: a
key's answer waited up to 17 ms for it. At 120 the wait halves, and at
10,000 processes the p99 of filter keys fell from 44-62 to 33-46 ms
(``benchmarks/ui.py``, two paired runs). sigtui changes the screen about
once a second when left alone, so at rest it draws no more often.
"""


def pace_frames() -> None:
    """Let Textual update the screen up to ``FRAMES_PER_SECOND`` times a second.

    Textual reads the rate once, when it is first imported, so this is called
    before that; ``TEXTUAL_FPS`` set by the user wins.
    """
    os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
