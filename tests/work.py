"""Bounds on work, not on time: the machines that run the tests are shared and noisy.

:func:`bounded_calls` counts every function call (Python and C) made inside its block with
:mod:`cProfile` and fails when the count passes a bound. A regression from linear to quadratic
behaviour multiplies the count by the input's size, whatever else the machine is doing; the
count of a given run is the same on every machine.

>>> with bounded_calls(1_000) as work:
...     _ = sorted(str(number) for number in range(100))
>>> 100 <= work.calls < 1_000
True
"""

from __future__ import annotations

import cProfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Work:
    """The calls counted in a :func:`bounded_calls` block (filled in when it ends)."""

    calls: int = 0


@contextmanager
def bounded_calls(most: int) -> Iterator[Work]:
    """Fail if the block makes more than ``most`` function calls (a pytest.raises inside counts)."""
    work = Work()
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield work
    finally:
        profiler.disable()
        work.calls = sum(entry.callcount for entry in profiler.getstats())
    assert work.calls <= most, f"{work.calls:,} calls (bound {most:,}): super-linear behaviour?"
