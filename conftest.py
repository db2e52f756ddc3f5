"""Shared by every test and doctest: Hypothesis profiles and the doctest namespace.

Hypothesis profiles: ``dev`` (the default) and ``ci`` (``CI=true``, or
``--hypothesis-profile=ci``): no deadline (the machines are shared and noisy; tests bound work,
not time), and under ``ci`` twice the examples for tests that do not set their own count
(those that do scale with ``CI=true`` themselves).

Doctests and the Markdown guides find the public API already imported (``CausalGraph``,
``load_graph``, ``check_inner_alignment``, ...), so examples stay short.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, max_examples=200)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(autouse=True)
def _public_names(doctest_namespace: dict[str, Any]) -> None:
    import causal_align

    for name in ("CausalGraph", "SoftIntervention", "Query", "load_graph", "parse_graph",
                 "check_inner_alignment", "check_queries", "render", "sigma_graph"):
        doctest_namespace.setdefault(name, getattr(causal_align, name))
