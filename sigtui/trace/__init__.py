"""Every signal on the machine, from the kernel's signal tracepoints.

Standard library only (no Textual): :mod:`~sigtui.trace.tracefs` finds or
privately mounts tracefs and owns one tracing instance,
:mod:`~sigtui.trace.events` parses its ``trace_pipe``,
:mod:`~sigtui.trace.pairing` pairs each generated signal with its fate,
:mod:`~sigtui.trace.reader` is the reading loop, :mod:`~sigtui.trace.records`
the records it gives out, :mod:`~sigtui.trace.words` says them in words,
:mod:`~sigtui.trace.command` is ``sigtui trace`` and :mod:`~sigtui.trace.feed`
runs it as the TUI's reader process.
"""
