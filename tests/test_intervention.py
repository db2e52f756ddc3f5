"""G -> G_σ: the edge surgery of DESIGN.md §2."""

from __future__ import annotations

import pytest

from causal_align import CausalGraph, GraphSpecError, SoftIntervention, sigma_graph


def test_context_omitted_keeps_the_parents_and_cuts_latents() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> D", "B -> D", "D <-> E", "D -> Y"],
                                   regime="s", sigma=[SoftIntervention("D")])
    g = sigma_graph(graph)
    assert g.parents("D") == ("A", "B")
    assert g.spouses("D") == () and g.spouses("E") == ()
    assert [str(edge) for edge in g.removed] == ["D <-> E"]
    assert g.added == ()
    assert g.interventions == (SoftIntervention("D", ("A", "B")),)


def test_open_loop_cuts_every_parent() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> D"], regime="s")
    g = sigma_graph(graph, [SoftIntervention("D", [])])
    assert g.parents("D") == () and g.children("A") == ()
    assert [str(edge) for edge in g.removed] == ["A -> D"]


def test_context_adds_edges_and_reports_them() -> None:
    graph = CausalGraph.from_edges(["s -> Cue", "A -> D"], regime="s")
    g = sigma_graph(graph, [SoftIntervention("D", ["A", "Cue"])])
    assert g.parents("D") == ("A", "Cue") and g.children("Cue") == ("D",)
    assert [str(edge) for edge in g.added] == ["Cue -> D"]
    assert g.is_added("Cue", "D") and not g.is_added("A", "D")


def test_g_is_left_untouched() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> D"], regime="s")
    sigma_graph(graph, [SoftIntervention("D", [])])
    assert graph.parents("D") == ("A",) and graph.children("A") == ("D",)


def test_two_interventions_reading_each_other() -> None:
    # D1 reads D2's output; D2's old parent D1 is cut. Removals happen before additions.
    graph = CausalGraph.from_edges(["s -> D1", "D1 -> D2"], regime="s")
    g = sigma_graph(graph, [SoftIntervention("D2", []), SoftIntervention("D1", ["D2"])])
    assert g.parents("D1") == ("D2",) and g.children("D2") == ("D1",)
    assert g.parents("D2") == () and g.children("D1") == ()


def test_a_context_that_makes_g_sigma_cyclic_is_refused() -> None:
    graph = CausalGraph.from_edges(["s -> D", "D -> Y"], regime="s", name="loop")
    with pytest.raises(GraphSpecError) as caught:
        sigma_graph(graph, [SoftIntervention("D", ["Y"])])
    assert str(caught.value.problems[0]) == (
        "<sigma on loop> sigma[0].context: the context of σ(D) makes G_σ cyclic: D -> Y -> D "
        "(a policy cannot read a consequence of its own decision) [E_SIGMA_CYCLE]")
