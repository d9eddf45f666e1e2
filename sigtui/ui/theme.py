"""Projector mode's theme: as much contrast as a washed-out projector allows.

Pure white on black, with saturated accents that stay distinct for the common
kinds of colour blindness (yellow, cyan, orange-red). Colour only ever adds to
a word or a symbol on screen; nothing is said by colour alone.
"""

from __future__ import annotations

from textual.theme import Theme

PROJECTOR_THEME = Theme(
    name="sigtui-projector",
    primary="#FFD700",
    secondary="#00E5FF",
    accent="#00E5FF",
    warning="#FFD700",
    error="#FF6E40",
    success="#69F0AE",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    boost="#2A2A2A",
    dark=True,
    luminosity_spread=0.1,
    text_alpha=1.0,
    variables={
        "block-cursor-background": "#FFD700",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#FFD700",
        "footer-description-foreground": "#FFFFFF",
        "text-muted": "#D0D0D0",
        "input-selection-background": "#FFD700 50%",
    },
)
"""The high-contrast theme ``--projector`` and the ``J`` key switch to."""

PROJECTOR_COLUMNS = "pid,pgid,tty,stat,command"
"""Fewer, wider columns for the back of the room."""
