"""Speed goals, measured beside their anchors (see README.md here)."""

from sigtui.ui import pace_frames

# The benchmarks that run the app in this process (ui.py, the suite) see it at
# the frame rate the command line gives it; Textual reads the rate on import.
pace_frames()
