"""Every error carries a stable, documented code (causal_align.errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from causal_align import errors
from causal_align.errors import (
    CausalAlignError,
    CertificateError,
    GraphSpecError,
    InferenceTooLarge,
    PicturesUnavailable,
    Problem,
    TransportError,
)

DOCUMENTED = set(re.findall(r"`(E_[A-Z_]+)`", (Path(__file__).resolve().parent.parent
                                               / "docs" / "errors.md").read_text("utf-8")))


def _every_error_class() -> list[type[CausalAlignError]]:
    found, waiting = [], [CausalAlignError]
    while waiting:
        kind = waiting.pop()
        found.append(kind)
        waiting.extend(kind.__subclasses__())
    return [kind for kind in found if kind.__module__ == errors.__name__]


def test_every_error_class_is_in_errors_and_has_a_documented_code() -> None:
    classes = _every_error_class()
    assert {kind.__name__ for kind in classes} >= {
        "CausalAlignError", "GraphSpecError", "NaturalnessError", "CertificateError",
        "PicturesUnavailable", "InferenceTooLarge", "TransportError", "EditorError",
        "FastEngineUnavailable"}
    for kind in classes:
        assert kind.code in DOCUMENTED, kind.__name__
    assert set(errors.TRANSPORT_CODES) <= DOCUMENTED
    assert set(errors.NATURALNESS_CODES) <= DOCUMENTED


@pytest.mark.parametrize(("error", "code"), [
    (CausalAlignError("limit must be >= 0"), "E_ARGUMENT"),
    (CausalAlignError("x", code="E_TOO_LARGE"), "E_TOO_LARGE"),
    (GraphSpecError([Problem("E_CYCLE", "a cycle"), Problem("E_SELF_LOOP", "a loop")]), "E_CYCLE"),
    (InferenceTooLarge(("A",), 10**9), "E_TOO_LARGE"),
    (CertificateError("not a proof"), "E_CERTIFICATE"),
    (PicturesUnavailable("no dot"), "E_NO_GRAPHVIZ"),
    (TransportError("E_SENSITIVITY", "no model"), "E_SENSITIVITY"),
])
def test_each_error_reports_its_code(error: CausalAlignError, code: str) -> None:
    assert error.code == code


def test_an_argument_error_of_a_layer_carries_a_code() -> None:
    from causal_align import CausalGraph, random_model, simulate, sweep

    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    for call in (lambda: simulate(graph, draws=0), lambda: sweep(random_model(graph), steps=1)):
        with pytest.raises(CausalAlignError) as caught:
            call()
        assert caught.value.code == "E_ARGUMENT"
