"""Benchmarks of pinpoint_mock (issues #7 and 13); not part of the test run.

Run them all with ``python -m benchmarks`` (``--quick`` for a smoke run, ``--only NAME`` for
one). Each module measures one thing and exposes ``NAME``, the configurations ``FULL``,
``QUICK`` and ``SMOKE``, and ``run(config) -> list[Figure]``; a module that cannot run here
also has ``unavailable() -> str | None``, the reason it is skipped.
"""

BENCHMARKS = ("per_call", "listing", "throughput", "registration", "memory", "reading",
              "export", "startup", "server_start", "server_load", "server_mode")
"""The benchmark modules, in the order they run."""
