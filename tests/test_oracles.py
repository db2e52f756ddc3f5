"""Cross-checks of the engine against networkx, pgmpy and brute-force path enumeration.

Everything the oracles need is rebuilt here from ``graph.edges`` and ``graph.sigma`` following
DESIGN.md §2–§3, without ``causal_align.intervention``, ``separation`` or ``explain``:
G_σ, its latent expansion (``A <-> B`` becomes ``A <- L -> B``), ancestors, and the open-path rule.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import networkx as nx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pgmpy.base import DAG
from strategies import Case, cases

from causal_align import (
    CausalGraph,
    OpenPath,
    SoftIntervention,
    check_inner_alignment,
    verify_certificate,
)

SCALE = 5 if os.environ.get("CI") == "true" else 1
MANY = settings(max_examples=400 * SCALE, deadline=None)
SOME = settings(max_examples=200 * SCALE, deadline=None)
NO_LIMIT = 100_000

Path = tuple[tuple[str, ...], tuple[str, ...]]

# s -> V1 <- V0 where σ(V1) reads both s and V0: two σ-added edges meet at one collider.
TWO_SIGMA_EDGES_AT_A_COLLIDER = Case.of(
    ["s", "V0", "V1"], [], regime=["s"], base=["V0"], mesa=["V1"],
    sigma=[SoftIntervention("V1", ["s", "V0"])])
# Misaligned, and the conjecture predicts aligned: s -> A <-> Y_b is a selection leak.
CONJECTURE_WRONG = Case.of(["s", "A", "Y_m", "Y_b"],
                           ["s -> A", "A -> Y_m", "Y_m -> Y_b", "A <-> Y_b"],
                           regime=["s"], base=["Y_b"], mesa=["Y_m"])
# Misaligned with no causal route from s to Y_b: s -> M <- Y_b, M in Y_m.
NO_CAUSAL_ROUTE = Case.of(["s", "M", "Y_b"], ["s -> M", "Y_b -> M"],
                          regime=["s"], base=["Y_b"], mesa=["M"])


@dataclass(frozen=True)
class Mixed:
    """A mixed graph: directed edges as (tail, head), bidirected edges as unordered pairs."""

    nodes: frozenset[str]
    directed: frozenset[tuple[str, str]]
    bidirected: frozenset[frozenset[str]]


def graph_g(graph: CausalGraph) -> Mixed:
    """G itself, read from ``graph.edges``."""
    directed = {(edge.tail, edge.head) for edge in graph.edges if not edge.bidirected}
    bidirected = {frozenset((edge.tail, edge.head)) for edge in graph.edges if edge.bidirected}
    return Mixed(frozenset(graph.nodes), frozenset(directed), frozenset(bidirected))


def graph_g_sigma(graph: CausalGraph) -> Mixed:
    """G_σ by DESIGN.md §2: cut the edges into each target, then add context -> target."""
    g = graph_g(graph)
    directed, bidirected = set(g.directed), set(g.bidirected)
    for item in graph.sigma:
        target = item.target
        context = ([tail for tail, head in g.directed if head == target]
                   if item.context is None else list(item.context))
        directed = {(tail, head) for tail, head in directed if head != target}
        bidirected = {pair for pair in bidirected if target not in pair}
        directed |= {(node, target) for node in context}
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(directed)))
    return Mixed(g.nodes, frozenset(directed), frozenset(bidirected))


def latent_expansion(mixed: Mixed) -> nx.DiGraph:
    """The DAG with each ``A <-> B`` replaced by ``A <- L -> B`` for a fresh latent L."""
    dag = nx.DiGraph()
    dag.add_nodes_from(mixed.nodes)
    dag.add_edges_from(mixed.directed)
    for a, b in sorted(sorted(pair) for pair in mixed.bidirected):
        latent = f"<latent {a} {b}>"
        dag.add_edges_from([(latent, a), (latent, b)])
    return dag


def ancestors(mixed: Mixed, nodes: Collection[str]) -> set[str]:
    """``nodes`` and all their ancestors along directed edges."""
    dag = nx.DiGraph(list(mixed.directed))
    dag.add_nodes_from(mixed.nodes)
    return set(nodes).union(*(nx.ancestors(dag, node) for node in nodes))


def kind_of(arrow_in: str, arrow_out: str) -> str:
    """The junction at a node entered by ``arrow_in`` and left by ``arrow_out``."""
    head_in, head_out = arrow_in in ("->", "<->"), arrow_out in ("<-", "<->")
    if head_in and head_out:
        return "collider"
    return "chain" if head_in or head_out else "fork"


def is_open(mixed: Mixed, path: Path, mesa: Collection[str]) -> bool:
    """DESIGN.md §3: non-colliders outside Y_m, colliders in An(Y_m) in G_σ (Y_m included)."""
    nodes, arrows = path
    opened = ancestors(mixed, mesa)
    for index in range(1, len(nodes) - 1):
        if kind_of(arrows[index - 1], arrows[index]) == "collider":
            if nodes[index] not in opened:
                return False
        elif nodes[index] in mesa:
            return False
    return True


def steps(mixed: Mixed, node: str) -> Iterator[tuple[str, str]]:
    """Every edge at ``node`` as (arrow read away from it, neighbour); parallel edges apart."""
    for tail, head in mixed.directed:
        if tail == node:
            yield "->", head
        if head == node:
            yield "<-", tail
    for pair in mixed.bidirected:
        if node in pair:
            yield "<->", next(iter(pair - {node}))


def all_proper_paths(mixed: Mixed, regime: Collection[str], base: Collection[str]) -> list[Path]:
    """Every simple path from a regime node to a Y_b node with interior outside regime ∪ Y_b."""
    found: list[Path] = []
    stack: list[Path] = [((source,), ()) for source in regime]
    while stack:
        nodes, arrows = stack.pop()
        for arrow, near in steps(mixed, nodes[-1]):
            if near in base:
                found.append((nodes + (near,), arrows + (arrow,)))
            elif near not in regime and near not in nodes:
                stack.append((nodes + (near,), arrows + (arrow,)))
    return found


def brute_force_open_paths(case: Case) -> list[Path]:
    """The open proper paths of ``case`` in G_σ, by enumerating every proper path."""
    mixed = graph_g_sigma(case.graph)
    return [path for path in all_proper_paths(mixed, case.regime, case.base)
            if is_open(mixed, path, case.mesa)]


def text(path: Path) -> str:
    """``s -> A <- B``, the way ``str(OpenPath)`` writes a path."""
    nodes, arrows = path
    return " ".join([nodes[0], *(part for pair in zip(arrows, nodes[1:]) for part in pair)])


def check(case: Case, limit: int = 100) -> tuple[bool, tuple[OpenPath, ...], bool]:
    """The engine's verdict, paths and ``truncated`` flag for ``case``."""
    result = check_inner_alignment(case.graph, base=case.base, mesa=case.mesa, regime=case.regime,
                                   limit=limit)
    verify_certificate(case.graph, result)  # every verdict of every property test is certified
    return result.aligned, result.open_paths, result.truncated


# a. networkx ------------------------------------------------------------------------------------

@MANY
@given(cases(max_nodes=8))
def test_verdict_matches_networkx(case: Case) -> None:
    """The verdict is networkx's d-separation on the latent-expanded G_σ."""
    dag = latent_expansion(graph_g_sigma(case.graph))
    expected = nx.is_d_separator(dag, set(case.regime), set(case.base), set(case.mesa))
    assert check(case)[0] is expected


# b. pgmpy ---------------------------------------------------------------------------------------

@SOME
@given(cases(max_nodes=8))
def test_verdict_matches_pgmpy(case: Case) -> None:
    """The verdict is pgmpy's: no pair (s, y) is d-connected given Y_m."""
    expanded = latent_expansion(graph_g_sigma(case.graph))
    dag = DAG()
    dag.add_nodes_from(expanded.nodes)
    dag.add_edges_from(expanded.edges)
    connected = any(dag.is_dconnected(source, target, observed=sorted(case.mesa))
                    for source in sorted(case.regime) for target in sorted(case.base))
    assert check(case)[0] is not connected


@MANY
@given(cases(max_nodes=8))
def test_sigma_diff_matches_definition(case: Case) -> None:
    """``sigma_removed``/``sigma_added`` are exactly the edge diff from G to G_σ."""
    result = check_inner_alignment(case.graph, base=case.base, mesa=case.mesa, regime=case.regime)
    g, g_sigma = graph_g(case.graph), graph_g_sigma(case.graph)
    removed = {f"{tail} -> {head}" for tail, head in g.directed - g_sigma.directed}
    removed |= {"{} <-> {}".format(*sorted(pair)) for pair in g.bidirected - g_sigma.bidirected}
    added = {f"{tail} -> {head}" for tail, head in g_sigma.directed - g.directed}
    assert sorted(map(str, result.sigma_removed)) == sorted(removed)
    assert sorted(map(str, result.sigma_added)) == sorted(added)


# c. brute force ---------------------------------------------------------------------------------

@MANY
@given(cases(max_nodes=7))
def test_open_paths_match_brute_force(case: Case) -> None:
    """The reported open paths are exactly the brute-force ones, each once."""
    _, paths, truncated = check(case, limit=NO_LIMIT)
    reported = [str(path) for path in paths]
    assert not truncated
    assert len(reported) == len(set(reported))
    assert set(reported) == {text(path) for path in brute_force_open_paths(case)}


# d. every reported path checks out ---------------------------------------------------------------

@MANY
@given(cases(max_nodes=7))
def test_every_reported_path_checks_out(case: Case) -> None:
    """Edges, junction kinds, openness, collider descents and σ edges of each path are real."""
    g, g_sigma = graph_g(case.graph), graph_g_sigma(case.graph)
    for path in check(case, limit=NO_LIMIT)[1]:
        nodes, arrows = path.nodes, path.arrows
        assert len(arrows) == len(nodes) - 1 and len(set(nodes)) == len(nodes)
        assert nodes[0] in case.regime and nodes[-1] in case.base
        assert not set(nodes[1:-1]) & (case.regime | case.base)
        used = set()
        for left, arrow, right in zip(nodes, arrows, nodes[1:]):
            if arrow == "<->":
                assert frozenset((left, right)) in g_sigma.bidirected
            else:
                edge = (left, right) if arrow == "->" else (right, left)
                assert arrow in ("->", "<-") and edge in g_sigma.directed
                used.add(edge)
        assert is_open(g_sigma, (nodes, arrows), case.mesa)
        assert [junction.node for junction in path.junctions] == list(nodes[1:-1])
        for index, junction in enumerate(path.junctions, start=1):
            assert junction.kind == kind_of(arrows[index - 1], arrows[index])
            assert junction.before == f"{nodes[index - 1]} {arrows[index - 1]}"
            assert junction.after == f"{arrows[index]} {nodes[index + 1]}"
            down = junction.down_to_mesa
            if junction.kind != "collider":
                assert down == ()
                continue
            assert down[0] == junction.node and down[-1] in case.mesa
            assert all(edge in g_sigma.directed for edge in zip(down, down[1:]))
            assert (len(down) == 1) is (junction.node in case.mesa)
        sigma_edges = {(edge.tail, edge.head) for edge in path.sigma_edges}
        assert len(sigma_edges) == len(path.sigma_edges)
        assert not any(edge.bidirected for edge in path.sigma_edges)
        assert sigma_edges == used & (g_sigma.directed - g.directed)


@MANY
@given(cases(max_nodes=7))
@example(TWO_SIGMA_EDGES_AT_A_COLLIDER)
def test_junction_sigma_marks_name_the_paths_sigma_edges(case: Case) -> None:
    """A junction's σ mark is a σ edge of its path at that node; every σ edge with an interior
    end is marked at some junction, so the explanation shows it (DESIGN.md §3)."""
    for path in check(case, limit=NO_LIMIT)[1]:
        marked = set()
        for junction in path.junctions:
            for edge in junction.sigma_edges:
                assert edge in path.sigma_edges
                assert junction.node in (edge.tail, edge.head)
                assert edge not in marked, f"{edge} is told twice"
                marked.add(edge)
        interior = set(path.nodes[1:-1])
        assert {edge for edge in path.sigma_edges
                if edge.tail in interior or edge.head in interior} <= marked


# e. verdict, order and limit --------------------------------------------------------------------

@MANY
@given(cases(max_nodes=7), st.integers(min_value=0, max_value=6))
@example(CONJECTURE_WRONG, 0)
@example(NO_CAUSAL_ROUTE, 0)
def test_verdict_order_and_limit(case: Case, limit: int) -> None:
    """Aligned iff no open path; shortest first; ``limit`` and ``truncated`` are exact."""
    expected = sorted(len(path[1]) for path in brute_force_open_paths(case))
    aligned, paths, _ = check(case, limit=NO_LIMIT)
    assert aligned is (not paths) is (not expected)
    lengths = [len(path.arrows) for path in paths]
    assert lengths == sorted(lengths)
    aligned_k, paths_k, truncated_k = check(case, limit=limit)
    assert aligned_k is aligned
    assert len(paths_k) <= limit
    assert truncated_k is (len(expected) > limit)
    assert [len(path.arrows) for path in paths_k] == expected[:limit]
    assert {str(path) for path in paths_k} <= {str(path) for path in paths}


# f. kinds ---------------------------------------------------------------------------------------

@MANY
@given(cases(max_nodes=7))
def test_kinds_are_consistent(case: Case) -> None:
    """Each path's kinds follow from its arrows, colliders and σ edges."""
    for path in check(case, limit=NO_LIMIT)[1]:
        directed = all(arrow == "->" for arrow in path.arrows)
        colliders = [junction.node for junction in path.junctions if junction.kind == "collider"]
        assert ("causal leak" in path.kinds) is directed
        assert ("selection leak" in path.kinds) is bool(colliders) is (not directed)
        assert ("conditioned collider" in path.kinds) is any(node in case.mesa for node in colliders)
        assert ("collider with a conditioned descendant" in path.kinds) is any(
            node not in case.mesa for node in colliders)
        assert ("latent confounder" in path.kinds) is ("<->" in path.arrows)
        assert ("σ-created" in path.kinds) is path.is_sigma_created is bool(path.sigma_edges)
        if directed:
            assert not set(path.nodes) & case.mesa


# g. repairs -------------------------------------------------------------------------------------

@MANY
@given(cases(max_nodes=7))
def test_monitor_hint_is_a_minimum_separator(case: Case) -> None:
    """``repairs.monitor`` separates with Y_m and no smaller set of observed non-query nodes
    does (brute force over every subset, networkx's d-separation on the latent expansion); it is
    None exactly when no subset separates (or s -> Y_b exists)."""
    result = check_inner_alignment(case.graph, base=case.base, mesa=case.mesa,
                                   regime=case.regime, limit=0)
    verify_certificate(case.graph, result)
    if result.aligned:
        assert result.repairs.monitor is None
        return
    dag = latent_expansion(graph_g_sigma(case.graph))
    sources, targets, mesa = set(case.regime), set(case.base), set(case.mesa)
    allowed = sorted(set(case.graph.nodes) - sources - targets - mesa)
    sizes = [size for size in range(len(allowed) + 1)
             for subset in itertools.combinations(allowed, size)
             if nx.is_d_separator(dag, sources, targets, mesa | set(subset))]
    monitor = result.repairs.monitor
    if result.repairs.impossible:
        assert monitor is None and not sizes
        return
    assert (monitor is None) is (not sizes)
    if monitor is not None:
        assert nx.is_d_separator(dag, sources, targets, mesa | set(monitor))
        assert len(monitor) == min(sizes)


@MANY
@given(cases(max_nodes=7))
def test_narrow_context_hints_restore_alignment(case: Case) -> None:
    """Each (target, node) hint really restores alignment, and no context node is missed."""
    graph = case.graph
    result = check_inner_alignment(graph, base=case.base, mesa=case.mesa, regime=case.regime,
                                   limit=0)
    restoring = set()
    for index, item in enumerate(result.sigma):
        for node in item.context or ():
            narrower = list(result.sigma)
            narrower[index] = SoftIntervention(item.target,
                                               [c for c in item.context or () if c != node])
            rebuilt = CausalGraph(graph.labels, graph.edges, regime=graph.regime, sigma=narrower)
            dag = latent_expansion(graph_g_sigma(rebuilt))
            if nx.is_d_separator(dag, set(case.regime), set(case.base), set(case.mesa)):
                restoring.add((item.target, node))
    assert set(result.repairs.narrow_context) == (set() if result.aligned else restoring)


# g. blocked paths beside an aligned verdict -----------------------------------------------------

@MANY
@given(cases(max_nodes=7))
def test_an_aligned_result_lists_the_blocked_paths_shortest_first(case: Case) -> None:
    """Every listed path is a proper path of G_σ that brute force finds blocked; they come
    shortest first; and when there are few, every proper path is listed."""
    result = check_inner_alignment(case.graph, base=case.base, mesa=case.mesa,
                                   regime=case.regime)
    if not result.aligned:
        assert result.blocked_paths == ()
        return
    mixed = graph_g_sigma(case.graph)
    every = {text(path) for path in all_proper_paths(mixed, case.regime, case.base)}
    listed = [text((path.nodes, path.arrows)) for path in result.blocked_paths]
    assert set(listed) <= every and len(set(listed)) == len(listed)
    lengths = [len(path.arrows) for path in result.blocked_paths]
    assert lengths == sorted(lengths)
    if len(every) <= len(listed) or len(listed) < 10:
        assert set(listed) == every
