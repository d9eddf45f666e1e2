"""The Textual interface: the only package that imports textual or rich."""

from __future__ import annotations

import os
import sys

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


def import_asyncio_without_tls() -> None:
    """Import asyncio without OpenSSL, which sigtui never uses.

    asyncio imports ``ssl`` when it is first imported, in case a connection
    wants TLS, and that loads and sets up OpenSSL: 5 MiB of resident memory,
    an eighth of sigtui's at rest, and 7 ms of its start (measured with
    ``benchmarks/footprint.py`` and ``python -X importtime``). sigtui makes no
    TLS connection; its web page is plain HTTP on a local port. asyncio
    allows for a Python without ``ssl``, so while it is imported here the
    import of ``ssl`` fails as it would there. Later imports of ``ssl`` work
    as usual; only asyncio's own TLS support is left out.

    Called by :func:`before_textual`, not when this package is imported:
    ``sigtui ps`` imports the serve command's arguments from here and runs
    no event loop. It does nothing if asyncio is already imported.
    """
    if "asyncio" in sys.modules or "ssl" in sys.modules:
        return
    # A None entry makes `import ssl` raise ImportError.
    sys.modules["ssl"] = None  # type: ignore[assignment]
    try:
        import asyncio  # noqa: F401
    finally:
        del sys.modules["ssl"]


def before_textual() -> None:
    """Prepare for Textual; each entry point that starts the interface calls this.

    Textual reads its frame rate once, on import (:func:`pace_frames`), and
    imports asyncio, which would load OpenSSL
    (:func:`import_asyncio_without_tls`): both must come before the first
    import of Textual.
    """
    pace_frames()
    import_asyncio_without_tls()
