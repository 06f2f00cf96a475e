"""Benchmarks of pinpoint_mock (issue #7); not part of the test run.

Run them all with ``python -m benchmarks`` (``--quick`` for a smoke run, ``--only NAME`` for
one). Each module measures one thing and exposes ``NAME``, the configurations ``FULL``,
``QUICK`` and ``SMOKE``, and ``run(config) -> list[Figure]``.
"""

BENCHMARKS = ("per_call", "listing", "throughput", "memory", "reading", "export", "startup",
              "server_start", "server_load")
"""The benchmark modules, in the order they run."""
