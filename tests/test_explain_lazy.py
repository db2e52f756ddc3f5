"""Compact paths: explanations built when read give the same words as built at once.

The reference below is the eager explanation the library used before its junctions became
lazy (one :class:`Junction` per interior node, each σ edge tested one by one), kept here as
the oracle: on random graphs and on every example graph, every open path must read the same
(``str``, ``kinds``, ``explain()``, ``to_dict()``), and describing a path must cost a few calls
however long it is, with the per-node work paid only when the junctions are read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import Case, cases
from work import bounded_calls

from causal_align import load_graph
from causal_align.alignment import check_inner_alignment
from causal_align.explain import (
    CAUSAL_LEAK,
    COLLIDER_ABOVE_MESA,
    COLLIDER_IN_MESA,
    LATENT,
    SELECTION_LEAK,
    SIGMA_CREATED,
    Descents,
    Junction,
    OpenPath,
    describe,
    junction_kind,
)
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, SoftIntervention
from causal_align.separation import open_paths

SCALE = 10 if os.environ.get("CI") == "true" else 1
GRAPHS = sorted((Path(__file__).parent.parent / "graphs").glob("*.yaml"))


def eager(graph: SigmaGraph, nodes: tuple[str, ...], arrows: tuple[str, ...],
          mesa: frozenset[str]) -> dict[str, Any]:
    """The reference: every junction built at once, every edge tested for σ."""
    descents = Descents(graph, mesa)
    sigma_edges = tuple(edge for edge in (
        Edge(left, right) if arrow == "->" else Edge(right, left)
        for left, arrow, right in zip(nodes, arrows, nodes[1:]) if arrow != "<->")
        if graph.is_added(edge.tail, edge.head))
    junctions = []
    for index in range(1, len(nodes) - 1):
        node = nodes[index]
        arrow_in, arrow_out = arrows[index - 1], arrows[index]
        kind = junction_kind(arrow_in != "<-", arrow_out != "->")
        told_here = tuple(edge for edge in sigma_edges if edge.head == node or
                          (edge.tail == node and edge.head not in nodes[1:-1]))
        latent = [Edge(node, nodes[index + 1], bidirected=True)] if arrow_out == "<->" else []
        if index == 1 and arrow_in == "<->":
            latent.insert(0, Edge(nodes[0], node, bidirected=True))
        junctions.append(Junction(node, kind, f"{nodes[index - 1]} {arrow_in}",
                                  f"{arrow_out} {nodes[index + 1]}", told_here, tuple(latent),
                                  descents if kind == "collider" else None))
    colliders = [junction for junction in junctions if junction.kind == "collider"]
    kinds = [CAUSAL_LEAK if all(arrow == "->" for arrow in arrows) else SELECTION_LEAK]
    if any(junction.descent_hops == 0 for junction in colliders):
        kinds.append(COLLIDER_IN_MESA)
    if any(junction.descent_hops > 0 for junction in colliders):
        kinds.append(COLLIDER_ABOVE_MESA)
    if "<->" in arrows:
        kinds.append(LATENT)
    if sigma_edges:
        kinds.append(SIGMA_CREATED)
    return {"path": " ".join(part for pair in zip(nodes, (*arrows, "")) for part in pair).strip(),
            "kinds": tuple(kinds), "sigma_edges": sigma_edges,
            "junctions": [junction.to_dict() for junction in junctions],
            "reasons": tuple(junction.reason() for junction in junctions)}


def assert_reads_like_the_reference(graph: SigmaGraph, path: OpenPath,
                                    mesa: frozenset[str]) -> None:
    expected = eager(graph, path.nodes, path.arrows, mesa)
    assert str(path) == expected["path"]
    assert path.kinds == expected["kinds"]
    assert path.sigma_edges == expected["sigma_edges"]
    assert path.to_dict()["junctions"] == expected["junctions"]
    if path.junctions:
        assert path.explain() == expected["reasons"]


@settings(max_examples=500 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_nodes=8))
def test_random_paths_read_like_the_reference(case: Case) -> None:
    for sigma in (None, ()):
        graph = sigma_graph(case.graph, sigma)
        raw, _ = open_paths(graph, case.regime, case.base, given=case.mesa, limit=20)
        for path in describe(graph, raw, case.mesa):
            assert_reads_like_the_reference(graph, path, case.mesa)


@pytest.mark.parametrize("path", GRAPHS, ids=[path.stem for path in GRAPHS])
def test_example_graphs_read_like_the_reference(path: Path) -> None:
    graph = load_graph(path)
    if not graph.base:
        pytest.skip("no default query")
    result = check_inner_alignment(graph)
    for open_path in result.open_paths:
        assert_reads_like_the_reference(result.diagram, open_path, frozenset(result.mesa))


def chain_graph(length: int) -> tuple[SigmaGraph, tuple[str, ...], tuple[str, ...]]:
    """s -> V0 -> ... -> V{n-1} <- Y_b, V{n-1} -> Y_m, where only σ(V1), reading V0, makes
    V0 -> V1: one open path through ``length`` + 2 nodes, every node a chain but the collider
    at the end."""
    names = [f"V{k}" for k in range(length)]
    edges = ["s -> V0", *(f"{a} -> {b}" for a, b in zip(names[1:], names[2:])),
             f"Y_b -> {names[-1]}", f"{names[-1]} -> Y_m"]
    graph = sigma_graph(CausalGraph.from_edges(edges, regime="s",
                                               sigma=[SoftIntervention("V1", ["V0"])]))
    nodes = ("s", *names, "Y_b")
    arrows = ("->",) * length + ("<-",)
    return graph, nodes, arrows


def test_describing_a_long_path_costs_the_same_as_a_short_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Describing is a few C-speed scans per path; the junctions cost only when read."""
    monkeypatch.setenv("CAUSAL_ALIGN_ENGINE", "python")
    for length in (10, 100_000):
        graph, nodes, arrows = chain_graph(length)
        with bounded_calls(300):
            [path] = describe(graph, [(nodes, arrows)], {"Y_m"})
        assert path.kinds == (SELECTION_LEAK, COLLIDER_ABOVE_MESA, SIGMA_CREATED)
        assert path.sigma_edges == (Edge("V0", "V1"),)
        assert "junctions" not in vars(path)  # not built yet
    assert path.junctions[0].sigma_edges == ()
    assert path.junctions[1].reason() == ("V1 is a chain (V0 -> V1 -> V2), not conditioned on; "
                                          "the edge V0 -> V1 exists only because σ(V1) reads "
                                          "V0")
    assert path.junctions[-1].reason() == (f"V{length - 1} is a collider (V{length - 2} -> "
                                           f"V{length - 1} <- Y_b), opened because its "
                                           "descendant Y_m is conditioned on: "
                                           f"V{length - 1} -> Y_m")
    assert len(path.junctions) == length


def test_a_path_pickles_before_and_after_its_junctions_are_read() -> None:
    """Results travel between processes (an Executor's batches): a lazy path survives it."""
    import pickle

    graph = load_graph(Path(__file__).parent.parent / "graphs" / "coinrun.yaml")
    fresh, read = check_inner_alignment(graph).open_paths[:2]
    _ = read.junctions
    for path in (fresh, read):
        copy = pickle.loads(pickle.dumps(path))
        assert copy == path
        assert copy.to_dict() == path.to_dict()
