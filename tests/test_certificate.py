"""Certificates: honest ones verify, tampered ones are rejected with a reason."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from strategies import Case, cases

from causal_align import (
    AlignmentResult,
    CausalGraph,
    Certificate,
    CertificateError,
    SoftIntervention,
    check_inner_alignment,
    verify_certificate,
)

MISALIGNED = CausalGraph.from_edges(["s -> A", "A -> Y_m", "B -> Y_m", "B -> Y_b"],
                                    regime="s", base="Y_b", mesa="Y_m")
ALIGNED = CausalGraph.from_edges(["s -> A", "A -> Y_m", "Y_m -> Y_b", "B -> Y_b"],
                                 regime="s", base="Y_b", mesa="Y_m")


def tampered(result: AlignmentResult, **changes: object) -> AlignmentResult:
    return dataclasses.replace(result, certificate=dataclasses.replace(result.certificate,
                                                                       **changes))


def rejected(graph: CausalGraph, result: AlignmentResult) -> str:
    with pytest.raises(CertificateError) as caught:
        verify_certificate(graph, result)
    return str(caught.value)


def test_a_witness_is_the_first_open_path() -> None:
    result = check_inner_alignment(MISALIGNED)
    assert result.certificate.kind == "open path"
    assert result.certificate.nodes == ("s", "A", "Y_m", "B", "Y_b")
    verify_certificate(MISALIGNED, result)


def test_a_witness_exists_even_when_no_path_is_listed() -> None:
    result = check_inner_alignment(MISALIGNED, limit=0)
    assert result.open_paths == () and result.certificate.kind == "open path"
    verify_certificate(MISALIGNED, result)


def test_tampered_witnesses_are_rejected() -> None:
    result = check_inner_alignment(MISALIGNED)
    assert rejected(MISALIGNED, tampered(result, arrows=("->", "->", "->", "->"))) == (
        "step 2: Y_m -> B is not an edge of G_σ")
    assert rejected(MISALIGNED, tampered(result, nodes=("s", "A", "Y_m"),
                                         arrows=("->", "->"))) == (
        "the witness must run from a regime node to a base node, found s ... Y_m")
    assert rejected(MISALIGNED, tampered(result, arrows=("->",))) == (
        "the witness needs n nodes and n - 1 arrows, found 5 nodes and 1 arrows")


def test_a_blocked_junction_is_caught() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> Y_b", "s -> Y_b"], regime="s",
                                   base="Y_b", mesa="A")
    result = check_inner_alignment(graph)
    forged = tampered(result, nodes=("s", "A", "Y_b"), arrows=("->", "->"))
    assert rejected(graph, forged) == "step 1: the junction at A (-> A ->) is blocked"


def test_closed_states_verify_and_tampering_is_caught() -> None:
    result = check_inner_alignment(ALIGNED)
    assert result.certificate.kind == "closed states"
    verify_certificate(ALIGNED, result)
    states = result.certificate.states
    missing = ("A", True)
    assert missing in states
    assert rejected(ALIGNED, tampered(result, states=states - {missing})).startswith(
        "the closed set misses the first step s -> (A, True)")
    assert rejected(ALIGNED, tampered(result, states=states | {("Y_b", True)})) == (
        "the closed set reaches the base node Y_b")
    some_later = next(state for state in states if state != missing and state[0] != "s")
    assert "is not closed" in rejected(ALIGNED, tampered(result, states=states - {some_later}))


def test_a_certificate_of_the_wrong_kind_is_rejected() -> None:
    result = check_inner_alignment(ALIGNED)
    forged = dataclasses.replace(result, certificate=Certificate("open path", ("s", "Y_b"),
                                                                 ("->",)))
    assert rejected(ALIGNED, forged) == ("a verdict of aligned needs a certificate of kind "
                                         "'closed states', found 'open path'")


def test_the_checker_rebuilds_g_sigma_itself() -> None:
    # σ cuts Cue -> D: the closed set proves alignment only in G_σ, not in G.
    graph = CausalGraph.from_edges(["s -> Cue", "Cue -> D", "O -> D", "D -> Y_b"], regime="s",
                                   sigma=[SoftIntervention("D", ["O"])], base="Y_b", mesa=[])
    result = check_inner_alignment(graph)
    verify_certificate(graph, result)
    plain = dataclasses.replace(result, sigma=())
    assert rejected(graph, plain) == "the closed set misses the first step s -> (Cue, True)"


@settings(max_examples=300, deadline=None)
@given(cases(max_nodes=8))
def test_every_certificate_verifies(case: Case) -> None:
    result = check_inner_alignment(case.graph, base=case.base, mesa=case.mesa,
                                   regime=case.regime, limit=1)
    verify_certificate(case.graph, result)


# the question is checked too ------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "message"), [
    ({"regime": ()}, "the result names no regime node"),
    ({"regime": ("X",)}, "X is not a declared regime node of graph"),
    ({"base": ("nope",)}, "the result's base names nope, not nodes of graph"),
    ({"mesa": ("Y_b",)}, "Y_b in both base and mesa"),
    ({"sigma": (SoftIntervention("X", ["Y_b"]),)}, "σ makes G_σ cyclic"),
    ({"sigma": (SoftIntervention("X", ["ghost"]),)}, "σ names ghost, not nodes of graph"),
], ids=["no-regime", "undeclared-regime", "unknown-base", "overlap", "cyclic-sigma",
        "unknown-context"])
def test_a_result_asking_an_impossible_question_is_refused(edit: dict[str, object],
                                                           message: str) -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m")
    result = dataclasses.replace(check_inner_alignment(graph), **edit)  # type: ignore[arg-type]
    with pytest.raises(CertificateError, match=re.escape(message)):
        verify_certificate(graph, result)


def test_malformed_states_and_witnesses_are_certificate_errors() -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m")
    aligned = check_inner_alignment(graph)
    for states in (frozenset({("X",)}), frozenset({("ghost", True)}), frozenset({(1, True)})):
        broken = dataclasses.replace(aligned, certificate=Certificate("closed states",
                                                                      states=states))
        with pytest.raises(CertificateError, match="malformed state"):
            verify_certificate(graph, broken)
    leaky = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b")
    result = check_inner_alignment(leaky)
    ghost = dataclasses.replace(result, certificate=Certificate("open path", ("s", "Q", "Y_b"),
                                                                ("->", "->")))
    with pytest.raises(CertificateError, match="names Q, not nodes"):
        verify_certificate(leaky, ghost)


def test_an_omitted_context_is_read_as_the_parents_and_an_edited_query_is_named() -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> Y_m", "D -> Y_b"], regime="s",
                                   sigma=[SoftIntervention("D")], base="Y_b", mesa="Y_m")
    result = check_inner_alignment(graph)
    assert result.certificate.nodes == ("s", "O", "D", "Y_b")  # uses the context edge O -> D
    assert verify_certificate(graph, result) == (
        "certified not aligned: (Y_b ⊥ s | Y_m) in G_σ, σ: D reads O")
    # a σ with no context, as written in a file, reads the parents (not nothing)
    omitted = dataclasses.replace(result, sigma=(SoftIntervention("D"),))
    assert verify_certificate(graph, omitted).endswith("σ: D reads its parents")
    blind = check_inner_alignment(graph, mesa=["O"])
    assert verify_certificate(graph, blind).startswith("certified aligned: (Y_b ⊥ s | O)")
