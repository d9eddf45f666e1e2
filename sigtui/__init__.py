"""sigtui: see processes and process groups, and send them Unix signals safely."""

__version__ = "0.1.0"
