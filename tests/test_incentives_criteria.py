"""Each incentive criterion against its definition, by brute force on small random diagrams.

The oracle here shares no code with the library: it builds G_σ itself, decides d-separation by
enumerating every simple path of the latent-expanded graph and checking each junction, builds
the minimal reduction G* by dropping one non-requisite link at a time (in a random order), and
finds directed paths by enumeration.
"""

from __future__ import annotations

import itertools
import os
import random

import pytest

from causal_align.errors import GraphSpecError
from causal_align.incentives.criteria import incentives, influence_diagram
from causal_align.model import CausalGraph, SoftIntervention

CASES = 3000 if os.environ.get("CI") == "true" else 400


# --- the oracle ---------------------------------------------------------------------------

class Dag:
    """A plain diagram: directed edges, bidirected edges (each expanded into a latent)."""

    def __init__(self, nodes: list[str], directed: set[tuple[str, str]],
                 bidirected: set[tuple[str, str]]) -> None:
        self.nodes = list(nodes)
        self.directed = set(directed)
        self.bidirected = set(bidirected)

    def expanded(self) -> tuple[list[str], set[tuple[str, str]]]:
        nodes, edges = list(self.nodes), set(self.directed)
        for index, (a, b) in enumerate(sorted(self.bidirected)):
            latent = f"__L{index}"
            nodes.append(latent)
            edges |= {(latent, a), (latent, b)}
        return nodes, edges

    def parents(self, node: str) -> set[str]:
        return {a for a, b in self.directed if b == node}

    def directed_paths(self, start: str, end: str) -> list[list[str]]:
        found: list[list[str]] = []

        def walk(path: list[str]) -> None:
            if path[-1] == end:
                found.append(list(path))
                return
            for a, b in sorted(self.directed):
                if a == path[-1] and b not in path:
                    walk(path + [b])
        walk([start])
        return found

    def descendants(self, node: str) -> set[str]:
        return {other for other in self.nodes if other != node
                and self.directed_paths(node, other)}


def d_connected(dag: Dag, x: str, ys: set[str], given: set[str]) -> bool:
    """Some simple path from x to a node of ys is open given ``given`` (enumerated)."""
    nodes, edges = dag.expanded()
    anc_given = set(given)
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            if b in anc_given and a not in anc_given:
                anc_given.add(a)
                changed = True
    neighbours: dict[str, list[tuple[str, bool]]] = {node: [] for node in nodes}
    for a, b in edges:
        neighbours[a].append((b, True))    # going a -> b: arrowhead at b
        neighbours[b].append((a, False))   # going b <- a: tail at a

    def walk(path: list[str], heads: list[bool]) -> bool:
        here = path[-1]
        if here in ys and len(path) > 1:
            return True
        for near, head_there in neighbours[here]:
            if near in path:
                continue
            if len(path) > 1:
                head_in = heads[-1]
                head_out = not head_there  # the edge's mark at ``here``
                collider = head_in and head_out
                if collider and here not in anc_given:
                    continue
                if not collider and here in given:
                    continue
            if walk(path + [near], heads + [head_there]):
                return True
        return False
    return walk([x], [])


def path_is_open(dag: Dag, nodes: tuple[str, ...], arrows: tuple[str, ...],
                 given: set[str]) -> bool:
    """The given path exists in ``dag`` and each of its junctions is open given ``given``."""
    for left, arrow, right in zip(nodes, arrows, nodes[1:]):
        exists = {"->": (left, right) in dag.directed, "<-": (right, left) in dag.directed,
                  "<->": tuple(sorted((left, right))) in dag.bidirected}[arrow]
        if not exists:
            return False
    above = set(given) | {node for node in dag.nodes for target in given
                          if dag.directed_paths(node, target)}
    for index in range(1, len(nodes) - 1):
        collider = arrows[index - 1] != "<-" and arrows[index] != "->"
        blocked = nodes[index] not in above if collider else nodes[index] in given
        if blocked:
            return False
    return len(set(nodes)) == len(nodes)


def sigma_dag(dag: Dag, decision: str, context: set[str]) -> Dag:
    directed = {(a, b) for a, b in dag.directed if b != decision} | {(c, decision) for c in context}
    bidirected = {pair for pair in dag.bidirected if decision not in pair}
    return Dag(dag.nodes, directed, bidirected)


def requisite_oracle(dag: Dag, decision: str, utility: set[str]) -> set[str]:
    below = utility & dag.descendants(decision)
    family = dag.parents(decision) | {decision}
    return {x for x in dag.parents(decision) if below and d_connected(dag, x, below, family - {x})}


def reduction_oracle(dag: Dag, decision: str, utility: set[str], rng: random.Random) -> Dag:
    """Drop one non-requisite link at a time, in a random order, until none is left."""
    while True:
        drop = sorted(dag.parents(decision) - requisite_oracle(dag, decision, utility))
        if not drop:
            return dag
        node = rng.choice(drop)
        dag = Dag(dag.nodes, dag.directed - {(node, decision)}, dag.bidirected)


def oracle(dag: Dag, decision: str, context: set[str], utility: set[str],
           rng: random.Random) -> dict[str, set[str]]:
    g_sigma = sigma_dag(dag, decision, context)
    star = reduction_oracle(g_sigma, decision, utility, rng)
    below = g_sigma.descendants(decision)
    voi = set()
    for x in set(dag.nodes) - below - {decision}:
        with_x = Dag(g_sigma.nodes, g_sigma.directed | {(x, decision)}, g_sigma.bidirected)
        if x in reduction_oracle(with_x, decision, utility, rng).parents(decision):
            voi.add(x)
    ri = {x for x in dag.nodes if x != decision and star.directed_paths(x, decision)}
    voc = {x for x in dag.nodes if x != decision and
           any(x == u or star.directed_paths(x, u) for u in utility)}
    ici = {node for u in utility for path in g_sigma.directed_paths(decision, u) for node in path}
    return {"requisite": star.parents(decision), "voi": voi, "ri": ri, "voc": voc, "ici": ici}


# --- random diagrams --------------------------------------------------------------------

def random_case(rng: random.Random) -> tuple[CausalGraph, Dag, str, set[str], set[str]]:
    size = rng.randint(2, 6)
    names = [f"V{index}" for index in range(size)]
    density = rng.uniform(0.2, 0.7)
    directed = {(a, b) for i, a in enumerate(names) for b in names[i + 1:]
                if rng.random() < density}
    bidirected = {(a, b) for i, a in enumerate(names) for b in names[i + 1:]
                  if rng.random() < 0.1}
    regime_children = {("s", name) for name in names if rng.random() < 0.3}
    dag = Dag(["s", *names], directed | regime_children, bidirected)
    decision = rng.choice(names)
    below = dag.descendants(decision)
    allowed = sorted(set(dag.nodes) - below - {decision})
    context = {node for node in allowed if rng.random() < 0.5}
    candidates = sorted(set(dag.nodes) - {decision, "s"})  # a regime node is never a utility
    utility = set(rng.sample(candidates, rng.randint(1, min(2, len(candidates)))))
    graph = CausalGraph(dag.nodes, [f"{a} -> {b}" for a, b in sorted(dag.directed)] +
                        [f"{a} <-> {b}" for a, b in sorted(dag.bidirected)], regime="s",
                        sigma=[SoftIntervention(decision, sorted(context))])
    return graph, dag, decision, context, utility


def test_every_criterion_matches_its_definition_on_random_diagrams() -> None:
    rng = random.Random(20261204)
    checked = {"requisite": 0, "voi": 0, "ri": 0, "voc": 0, "ici": 0}
    for _ in range(CASES):
        graph, dag, decision, context, utility = random_case(rng)
        found = incentives(graph, utility=sorted(utility))
        expected = oracle(dag, decision, context, utility, rng)
        for kind, nodes in expected.items():
            assert set(getattr(found, kind)) == nodes, (kind, graph.edges, decision, context,
                                                         utility)
            assert list(getattr(found, kind)) == sorted(nodes)
            checked[kind] += len(nodes)
        for item in found.explanations:  # every explanation is a real path of its kind
            assert item.nodes[0] == item.node or item.kind == "ici"
            assert item.node in item.nodes
            if item.kind in ("ri", "voc", "ici"):
                assert all(arrow == "->" for arrow in item.arrows)
                assert all(edge in sigma_dag(dag, decision, context).directed
                           for edge in zip(item.nodes, item.nodes[1:]))
            if item.kind == "ici":
                assert item.nodes[0] == decision and item.nodes[-1] in utility
    print(f"incentives checked: {checked}")
    assert all(count > 50 for count in checked.values()), checked


def test_requisite_explanations_are_open_paths_given_the_family() -> None:
    rng = random.Random(7)
    seen = 0
    for _ in range(CASES // 2):
        graph, dag, decision, _, utility = random_case(rng)
        found = incentives(graph, utility=sorted(utility))
        star_context = set(found.requisite)
        star = sigma_dag(dag, decision, star_context)
        for item in found.explanations:
            if item.kind != "requisite":
                continue
            seen += 1
            assert item.given[0] == decision
            assert set(item.given) == (star_context | {decision}) - {item.node}
            assert item.nodes[-1] in utility and len(item.reasons) == len(item.nodes) - 2
            assert d_connected(star, item.node, {item.nodes[-1]}, set(item.given))
            assert path_is_open(star, item.nodes, item.arrows, set(item.given))
    assert seen > 20


def test_removed_links_are_the_context_minus_the_requisite_ones() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> D", "B -> D", "D -> U", "A -> U"],
                                   regime="s", sigma=[SoftIntervention("D", ["A", "B"])])
    found = incentives(graph, utility="U")
    assert found.context == ("A", "B") and found.requisite == ("A",)
    assert found.removed_links == ("B -> D",)
    assert found.to_dict()["removed_links"] == ["B -> D"]
    assert [str(item) for item in found.explain("A")] == [
        "requisite observation on A: A -> U, open given D",
        "VoI on A: A -> U, open given D",
        "RI on A: A -> D",
        "VoC on A: A -> U"]


def test_an_explicit_decision_that_is_no_sigma_target_reads_its_parents() -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> U", "O <-> D"], regime="s")
    diagram = influence_diagram(graph, decision="D", utility="U")
    assert diagram.g_sigma.parents("D") == ("O",)
    assert diagram.g_sigma.spouses("D") == ()  # a decision draws fresh noise
    assert incentives(graph, decision="D", utility="U").ici == ("D", "U")


@pytest.mark.parametrize("options, message", [
    ({"utility": "U"}, ("<incentives on graph> decision: no decision: the graph has no σ target "
     "(name one with decision: in the file or decision= in Python) [E_NO_DECISION]")),
    ({"decision": "D"}, ("<incentives on graph> utility: no utility node (name the reward the "
     "base optimizer trains on with utility: in the file or utility= in Python) [E_NO_UTILITY]")),
    ({"decision": "Dd", "utility": "U"}, ("<incentives on graph> decision: unknown node 'Dd' "
     "in decision (did you mean 'D'?) [E_UNKNOWN_NODE]")),
    ({"decision": "D", "utility": ["U", "Q"]}, ("<incentives on graph> utility[1]: unknown "
     "node 'Q' in utility (it is not a node of graph) [E_UNKNOWN_NODE]")),
    ({"decision": "D", "utility": ["D"]}, ("<incentives on graph> utility: 'D' is both the "
     "decision and a utility node (a utility is a consequence of the decision) "
     "[E_DECISION_IS_UTILITY]")),
    ({"decision": "s", "utility": ["U"]}, ("<incentives on graph> decision: regime node 's' "
     "cannot be the decision (the regime is known in both training and deployment; name "
     "another node) [E_REGIME_ROLE]")),
    ({"decision": "D", "utility": ["U", "s"]}, ("<incentives on graph> utility[1]: regime node "
     "'s' cannot be a utility (the regime is known in both training and deployment; name "
     "another node) [E_REGIME_ROLE]")),
])
def test_errors_are_positioned_and_exact(options: dict[str, object], message: str) -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> U"], regime="s")
    with pytest.raises(GraphSpecError) as error:
        incentives(graph, **options)  # type: ignore[arg-type]
    assert str(error.value) == "1 problem:\n  " + message


def test_two_sigma_targets_need_a_named_decision() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> U", "A -> U"], regime="s",
                                   sigma=[SoftIntervention("A"), SoftIntervention("B")])
    with pytest.raises(GraphSpecError, match=r"2 σ targets \(A, B\): name the decision"):
        incentives(graph, utility="U")
    assert incentives(graph, decision="B", utility="U").ri == ("A", "s")


def test_without_a_utility_below_the_decision_nothing_is_requisite_or_controlled() -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "O -> U"], regime="s",
                                   sigma=[SoftIntervention("D", ["O"])])
    found = incentives(graph, utility="U")
    assert (found.requisite, found.voi, found.ri, found.ici) == ((), (), (), ())
    assert found.voc == ("O", "U", "s")


def test_the_oracle_knows_a_textbook_case() -> None:
    # Everitt et al. 2021, fig. 1-style: X observed, Z hidden cause of U only
    dag = Dag(["s", "X", "D", "Z", "U"], {("X", "D"), ("X", "U"), ("D", "U"), ("Z", "U")}, set())
    got = oracle(dag, "D", {"X"}, {"U"}, random.Random(0))
    assert got == {"requisite": {"X"}, "voi": {"X", "Z"}, "ri": {"X"},
                   "voc": {"X", "Z", "U"}, "ici": {"D", "U"}}
    assert list(itertools.chain(*[["s"]]))  # the regime node needs no edge


def test_sigma_replaces_the_graphs_interventions_as_in_the_alignment_check() -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> U", "O -> U", "C -> U"],
                                   regime="s", sigma=[SoftIntervention("D", ["O"])])
    assert incentives(graph, utility="U").requisite == ("O",)
    what_if = incentives(graph, utility="U", sigma=[SoftIntervention("D", ["C", "O"])])
    assert what_if.context == ("C", "O") and what_if.requisite == ("C", "O")
    open_loop = incentives(graph, utility="U", sigma=[SoftIntervention("D", [])])
    assert (open_loop.context, open_loop.requisite, open_loop.ri) == ((), (), ())
    assert open_loop.voi == ("C", "O", "s")
    with pytest.raises(GraphSpecError, match="E_SIGMA_CYCLE"):
        incentives(graph, utility="U", sigma=[SoftIntervention("D", ["U"])])
