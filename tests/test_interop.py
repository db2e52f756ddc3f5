"""Tests of causal_align.interop: dagitty, networkx and pgmpy, both ways.

Laws, over every example graph and over Hypothesis graphs:

- **round trip**: ``from_X(to_X(g)) == g`` (dagitty carries no description), with the same
  verdict, paths and explanations;
- **G_σ export**: ``to_X(g, sigma=True)`` read back without σ gives the same verdict and the same
  open paths: plain d-separation in the export answers our query;
- **other readers agree**: pgmpy's own dagitty parser reads what ``to_dagitty`` writes, and
  networkx's and pgmpy's d-separation on the exports agree with our verdict;
- **unobserved nodes** (dagitty ``[latent]``, networkx ``observed=False``, pgmpy ``latents``)
  survive every round trip, on graphs with random unobserved sets; and, the oracle, a latent
  root ``A <- U -> B`` gives the verdict and (contracted) open paths of ``A <-> B``.

Then dagitty's syntax feature by feature, and every refusal with its exact message.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pgmpy.base import DAG
from pgmpy.models import DiscreteBayesianNetwork
from strategies import Case, cases

from causal_align import (
    CausalGraph,
    GraphSpecError,
    Limits,
    SoftIntervention,
    check_inner_alignment,
    load_graph,
)
from causal_align.interop import (
    from_dagitty,
    from_networkx,
    from_pgmpy,
    to_dagitty,
    to_networkx,
    to_pgmpy,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "graphs").glob("*.yaml"))
SCALE = 5 if os.environ.get("CI") == "true" else 1
SOME = settings(max_examples=150 * SCALE, deadline=None)

Convert = Callable[..., CausalGraph]
FORMATS: dict[str, Convert] = {
    "dagitty": lambda graph, **roles: from_dagitty(to_dagitty(graph, sigma=roles.pop("g_sigma")),
                                                   **roles),
    "networkx": lambda graph, **roles: from_networkx(
        to_networkx(graph, sigma=roles.pop("g_sigma"), latent_expansion=False), **roles),
    "networkx latent": lambda graph, **roles: from_networkx(
        to_networkx(graph, sigma=roles.pop("g_sigma")), **roles),
    "pgmpy": lambda graph, **roles: from_pgmpy(to_pgmpy(graph, sigma=roles.pop("g_sigma")),
                                               **roles),
}
"""Each format's round trip: write ``graph`` (G, or G_σ with ``g_sigma=True``), read it back."""


def round_trip(form: str, graph: CausalGraph) -> CausalGraph:
    """Through ``form`` and back, handing back what no format carries: regime and σ."""
    return FORMATS[form](graph, g_sigma=False, regime=sorted(graph.regime), sigma=graph.sigma,
                         query_regime=sorted(graph.query_regime), name=graph.name)


def without_description(graph: CausalGraph) -> CausalGraph:
    return CausalGraph(graph.labels, graph.edges, regime=graph.regime, sigma=graph.sigma,
                       base=graph.base, mesa=graph.mesa, query_regime=graph.query_regime,
                       name=graph.name, unobserved=graph.unobserved)


def expected_back(form: str, graph: CausalGraph) -> CausalGraph:
    return without_description(graph) if form == "dagitty" else graph


@st.composite
def unobserved_cases(draw: st.DrawFn) -> Case:
    """A case whose graph declares a random set of non-regime nodes unobserved."""
    case = draw(cases())
    graph = case.graph
    hidden = draw(st.sets(st.sampled_from(sorted(set(graph.nodes) - graph.regime))))
    return Case(CausalGraph(graph.labels, graph.edges, regime=sorted(graph.regime),
                            sigma=graph.sigma, base=sorted(graph.base), mesa=sorted(graph.mesa),
                            query_regime=sorted(graph.query_regime), name=graph.name,
                            unobserved=sorted(hidden)),
                case.regime, case.base, case.mesa)


def error_text(call: Callable[[], object]) -> str:
    with pytest.raises(GraphSpecError) as info:
        call()
    return str(info.value)


# Round trips ------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_round_trips_with_the_same_verdict(path: Path, form: str) -> None:
    graph = load_graph(path)
    back = round_trip(form, graph)
    assert back == expected_back(form, graph)
    assert back.nodes == graph.nodes and dict(back.labels) == dict(graph.labels)
    assert check_inner_alignment(back) == check_inner_alignment(graph)


@pytest.mark.parametrize("form", FORMATS)
@SOME
@given(case=cases())
def test_hypothesis_graphs_round_trip_with_the_same_verdict(form: str, case: Case) -> None:
    back = round_trip(form, case.graph)
    assert back == expected_back(form, case.graph)
    assert check_inner_alignment(back) == check_inner_alignment(case.graph)


@pytest.mark.parametrize("form", FORMATS)
@SOME
@given(case=cases())
def test_the_g_sigma_export_answers_the_same_query_without_sigma(form: str, case: Case) -> None:
    """Base and mesa come back from the format's own markers; only the regime is handed back."""
    graph = case.graph
    back = FORMATS[form](graph, g_sigma=True, regime=sorted(graph.regime),
                         query_regime=sorted(graph.query_regime), name=graph.name)
    assert back.sigma == () and back.base == graph.base and back.mesa == graph.mesa
    ours, theirs = check_inner_alignment(graph), check_inner_alignment(back)
    assert theirs.aligned == ours.aligned
    assert ([(path.nodes, path.arrows) for path in theirs.open_paths]
            == [(path.nodes, path.arrows) for path in ours.open_paths])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_dagitty_text_is_a_fixpoint(path: Path) -> None:
    graph = load_graph(path)
    text = to_dagitty(graph)
    assert to_dagitty(from_dagitty(text, regime=graph.regime)) == text
    sigma_text = to_dagitty(graph, sigma=True)
    assert to_dagitty(from_dagitty(sigma_text, regime=graph.regime)) == sigma_text


@settings(max_examples=200 * SCALE, deadline=None)
@given(label=st.text(max_size=12))
def test_any_label_survives_dagitty_except_control_characters(label: str) -> None:
    graph = CausalGraph({"s": label, "Y": label + '"'}, ["s -> Y"], regime="s")
    back = from_dagitty(to_dagitty(graph), regime="s")
    readable = re.sub(r"[\x00-\x1f\x7f]", " ", label)
    assert dict(back.labels) == {"s": readable, "Y": readable + '"'}


def test_a_label_ending_in_a_backslash_does_not_escape_the_quote() -> None:
    graph = CausalGraph({"s": "C:\\", "Y": 'say "hi"\\'}, ["s -> Y"], regime="s")
    assert to_dagitty(graph).splitlines()[1:4] == ['s [exposure,label="C:\\\\', '"]',
                                                   'Y [label="say \\"hi\\"\\\\']
    assert from_dagitty(to_dagitty(graph), regime="s") == graph


# The exact text ---------------------------------------------------------------------------------

def test_to_dagitty_text() -> None:
    graph = CausalGraph({"s": "", "Obs-1": 'the "screen"', "D_m": "", "Y_m": "", "Y_b": "goal"},
                        ["s -> Obs-1", "Obs-1 -> D_m", "D_m -> Y_m", "D_m -> Y_b", "Y_b <-> Y_m",
                         "Obs-1 <-> Y_b"],
                        regime="s", sigma=[SoftIntervention("D_m", [])], base="Y_b", mesa="Y_m")
    assert to_dagitty(graph) == "\n".join([
        "dag {", "s [exposure]", '"Obs-1" [label="the \\"screen\\""]', "D_m",
        "Y_m [adjusted]", 'Y_b [outcome,label="goal"]',
        's -> "Obs-1"', '"Obs-1" -> D_m', "D_m -> Y_b", "D_m -> Y_m",
        '"Obs-1" <-> Y_b', "Y_b <-> Y_m", "}"])
    assert to_dagitty(graph, sigma=True).splitlines()[6:] == [
        's -> "Obs-1"', "D_m -> Y_b", "D_m -> Y_m", '"Obs-1" <-> Y_b', "Y_b <-> Y_m", "}"]


def test_to_networkx_is_a_labelled_copy_with_the_roles() -> None:
    graph = load_graph(REPO / "graphs" / "confounded_proxy.yaml")
    digraph = to_networkx(graph, latent_expansion=False)
    assert list(digraph.nodes) == list(graph.nodes)
    assert {node: digraph.nodes[node]["label"] for node in digraph} == dict(graph.labels)
    assert sorted(digraph.edges) == sorted((edge.tail, edge.head) for edge in graph.edges
                                           if not edge.bidirected)
    assert digraph.graph == {"name": "confounded_proxy", "description": graph.description,
                             "regime": ["s"], "base": ["Y_b"], "mesa": ["Y_m"],
                             "bidirected": [("Y_b", "Y_m")]}
    digraph.add_edge("Y_b", "s")
    digraph.graph["bidirected"].append(("s", "Y_b"))
    assert "s" not in graph.parents("Y_b") and to_networkx(
        graph, latent_expansion=False).graph["bidirected"] == [("Y_b", "Y_m")]


def test_latent_expansion_names_and_marks_the_latents() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "A <-> B", "B <-> C"], regime="s")
    digraph = to_networkx(graph, latent_expansion=True)
    assert list(digraph.nodes) == ["s", "A", "B", "C", "L(A,B)", "L(B,C)"]
    latent = {node: data.get("latent") for node, data in digraph.nodes(data=True)}
    assert latent == {"s": None, "A": None, "B": None, "C": None, "L(A,B)": True,
                      "L(B,C)": True}
    assert sorted(digraph.successors("L(A,B)")) == ["A", "B"]
    assert digraph.graph["bidirected"] == []


def test_to_pgmpy_sets_latents_roles_and_labels() -> None:
    graph = load_graph(REPO / "graphs" / "confounded_proxy.yaml")
    dag = to_pgmpy(graph)
    assert isinstance(dag, DAG)
    assert dag.latents == {"L(Y_b,Y_m)"} and dag.exposures == {"s"}
    assert dag.outcomes == {"Y_b"} and set(dag.get_role("adjustment")) == {"Y_m"}
    assert sorted(dag.successors("L(Y_b,Y_m)")) == ["Y_b", "Y_m"]
    assert dag.nodes["Y_m"]["label"] == graph.labels["Y_m"]
    assert dag.graph["name"] == "confounded_proxy"


# Other tools read what we write, and agree with the verdict -------------------------------------

@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pgmpy's use of pyparsing
def test_pgmpy_reads_our_dagitty_text() -> None:
    for path in EXAMPLES:
        graph = load_graph(path)
        dag = DAG.from_dagitty(to_dagitty(graph))
        latents = {f"u_{edge.tail}_{edge.head}" if edge.tail < edge.head else
                   f"u_{edge.head}_{edge.tail}": {edge.tail, edge.head}
                   for edge in graph.edges if edge.bidirected}
        assert set(dag.nodes) == set(graph.nodes) | set(latents), path.stem
        assert dag.latents == set(latents) | graph.unobserved
        assert {(tail, head) for tail, head in dag.edges if tail not in latents} == {
            (edge.tail, edge.head) for edge in graph.edges if not edge.bidirected}
        assert {latent: set(dag.successors(latent)) for latent in latents} == latents
        assert dag.exposures == set(graph.regime) and dag.outcomes == set(graph.base)


def test_we_read_pgmpys_dagitty_text() -> None:
    dag = DAG([("s", "A"), ("A", "Y"), ("B", "Y")])
    dag.add_node("Alone")
    graph = from_dagitty(dag.to_dagitty(), regime="s")
    assert set(graph.nodes) == {"s", "A", "Y", "B", "Alone"}
    assert {str(edge) for edge in graph.edges} == {"s -> A", "A -> Y", "B -> Y"}


@SOME
@given(case=unobserved_cases())
def test_networkx_d_separation_on_the_export_is_our_verdict(case: Case) -> None:
    digraph = to_networkx(case.graph, sigma=True)  # the default expands <-> into latents
    expected = nx.is_d_separator(digraph, set(case.regime), set(case.base), set(case.mesa))
    assert check_inner_alignment(case.graph).aligned == expected


@settings(max_examples=50 * SCALE, deadline=None)
@given(case=unobserved_cases())
def test_pgmpy_d_separation_on_the_export_is_our_verdict(case: Case) -> None:
    dag = to_pgmpy(case.graph, sigma=True)
    connected = any(dag.is_dconnected(source, target, observed=sorted(case.mesa),
                                      include_latents=True)  # Y_b may be unobserved
                    for source in sorted(case.regime) for target in sorted(case.base))
    assert check_inner_alignment(case.graph).aligned == (not connected)


# Reading dagitty --------------------------------------------------------------------------------

def test_dagitty_syntax_features() -> None:
    text = """strict DAG "age study" {
      bb="0,0,1,1"
      s [exposure,pos="0.1,0.2"]; Age [label="age " + "group"]
      s -> Age -> Y_b <- Z ; Age <-> Z
      Z -> {Y_m "W"} [beta=0.3]
      Y_b [outcome] Y_m [adjusted]
      s -> Age
    }
    """
    graph = from_dagitty(text, regime="s")
    assert graph.name == "age study"
    assert graph.nodes == ("s", "Age", "Y_b", "Z", "Y_m", "W")
    assert graph.labels["Age"] == "age group"
    assert {str(edge) for edge in graph.edges} == {
        "s -> Age", "Age -> Y_b", "Z -> Y_b", "Age <-> Z", "Z -> Y_m", "Z -> W"}
    assert len(graph.edges) == 6  # the repeated s -> Age is one edge, as in dagitty
    assert graph.base == {"Y_b"} and graph.mesa == {"Y_m"} and graph.regime == {"s"}


def test_dagitty_on_one_line_and_with_a_continued_string() -> None:
    graph = from_dagitty('dag{s->X;X->Y X[label="a\\\nb \\"q\\" c\\d"]}', regime="s")
    assert graph.children("X") == ("Y",) and graph.labels["X"] == 'ab "q" c\\d'


def test_explicit_roles_win_over_dagitty_markers() -> None:
    text = "dag { s -> A -> B -> C; B [outcome]; A [adjusted]; C [exposure] }"
    graph = from_dagitty(text, regime="s", base="C", mesa=[], name="mine")
    assert graph.base == {"C"} and graph.mesa == frozenset() and graph.name == "mine"
    marked = from_dagitty(text, regime="s")
    assert marked.base == {"B"} and marked.mesa == {"A"} and marked.name == "graph"


def test_a_latent_root_with_two_children_stays_a_node() -> None:
    """It could be read as ``A <-> B`` (same verdicts), but then ``to_dagitty`` of a graph with
    such an unobserved node would not read back as that graph: its name and label would be
    lost. dagitty writes a bidirected edge as ``<->``, and that is what we read as one."""
    text = 'dag { s -> A; U [latent,label="weather"]; U -> A; U -> B; A <-> B }'
    graph = from_dagitty(text, regime="s")
    assert graph.nodes == ("s", "A", "U", "B") and graph.unobserved == {"U"}
    assert [str(edge) for edge in graph.edges] == ["s -> A", "U -> A", "U -> B", "A <-> B"]
    assert graph.labels["U"] == "weather"
    assert to_dagitty(graph).splitlines()[1:] == [
        "s [exposure]", "A", 'U [latent,label="weather"]', "B", "s -> A", "U -> A", "U -> B",
        "A <-> B", "}"]


# Refusals, with their exact messages ------------------------------------------------------------

DAGITTY_ERRORS = {
    "pdag { A -> B }": "<dagitty>:1: unsupported graph type 'pdag', a partially directed graph: "
    "some edges have no direction (causal_align reads a causal diagram, dag { ... }) [E_DAGITTY]",
    "mag { A <-> B }": "<dagitty>:1: unsupported graph type 'mag', a maximal ancestral graph: its "
    "edges are ancestral relations, not direct causes (causal_align reads a causal diagram, "
    "dag { ... }) [E_DAGITTY]",
    "\nPAG { A @-> B }": "<dagitty>:2: unsupported graph type 'pag', a partial ancestral graph: "
    "its circle marks leave edge ends undecided (causal_align reads a causal diagram, "
    "dag { ... }) [E_DAGITTY]",
    "digraph { A -> B }": "<dagitty>:1: unsupported graph type 'digraph', a directed graph with "
    "no causal reading (write dag if its edges are causes) (causal_align reads a causal diagram, "
    "dag { ... }) [E_DAGITTY]",
    "": "<dagitty>:1: expected dag { ... }, found the end of the text [E_DAGITTY]",
    "s -> A": "<dagitty>:1: expected dag { ... }, found 's' [E_DAGITTY]",
    "dag {\ns -> A\n": "<dagitty>:3: expected a node name, an edge or }, found the end of the "
    "text (is the closing } missing?) [E_DAGITTY]",
    "dag { s -> A } dag { }": "<dagitty>:1: unexpected 'dag' after the closing } [E_DAGITTY]",
    "dag { s -> 'A' }": "<dagitty>:1: unexpected character \"'\" (dagitty names are plain words "
    "or \"double-quoted\") [E_DAGITTY]",
    'dag {\n s [label="open\n] }': "<dagitty>:2: unterminated string (a string ends with \" on "
    "the same line) [E_DAGITTY]",
    "dag { s -> {A -> B} }": "<dagitty>:1: edges inside { } are not supported (write them as "
    "separate statements) [E_DAGITTY]",
    "dag { s -> A [beta=] }": "<dagitty>:1: expected a value for beta, found ']' [E_DAGITTY]",
    "dag { s -> -> A }": "<dagitty>:1: expected a node name, an edge or }, found '->' "
    "[E_DAGITTY]",
}


@pytest.mark.parametrize("text", DAGITTY_ERRORS)
def test_dagitty_syntax_errors(text: str) -> None:
    assert error_text(lambda: from_dagitty(text, regime="s")) == (
        f"1 problem:\n  {DAGITTY_ERRORS[text]}")


def test_every_unrepresentable_construct_is_listed_with_its_line() -> None:
    text = "\n".join([
        "dag {",
        "s -> A",
        "A -- B",
        "B @-> C",
        '"carry matches" -> C',
        "S [selected]",
        '"U 1" [latent] "U 1" -> A "U 1" -> B "U 1" -> C',
        '"W 1" [latent] A -> "W 1" -> C',
        "}"])
    assert error_text(lambda: from_dagitty(text, regime="s", source="g.dagitty")) == "\n  ".join([
        "6 problems:",
        "g.dagitty:3: undirected edge A -- B (causal_align needs a direction: write A -> B or "
        "B -> A, or A <-> B for a latent common cause) [E_DAGITTY]",
        "g.dagitty:4: edge B @-> C has a circle mark (@), which leaves an end undecided (write "
        "B -> C, C -> B or B <-> C) [E_DAGITTY]",
        "g.dagitty:5: invalid node name 'carry matches' (a name starts with a letter or _, then "
        "letters, digits, _ . -; at most 200 characters) [E_INVALID_NAME]",
        "g.dagitty:6: S is [selected], a selection indicator the data are conditioned on; "
        "causal_align has no selection nodes (its regime node is not one): remove [selected] "
        "[E_DAGITTY]",
        "g.dagitty:7: latent node 'U 1' has 3 children (A, B, C); it has no valid node name, so "
        "it can only stand for a <-> edge: a root with exactly two observed children (rename it "
        "to keep it as an unobserved node; a name starts with a letter or _, then letters, "
        "digits, _ . -; at most 200 characters) [E_LATENT]",
        "g.dagitty:8: latent node 'W 1' has 1 child (C) and parents (A); it has no valid node "
        "name, so it can only stand for a <-> edge: a root with exactly two observed children "
        "(rename it to keep it as an unobserved node; a name starts with a letter or _, then "
        "letters, digits, _ . -; at most 200 characters) [E_LATENT]",
    ])


def test_a_cycle_is_refused_at_its_line() -> None:
    text = "dag {\ns -> A\nA -> B\nB -> C\nC -> A\n}"
    assert error_text(lambda: from_dagitty(text, regime="s", source="g.dagitty")) == (
        "1 problem:\n  g.dagitty:3: directed cycle A -> B -> C -> A (remove one of its edges) "
        "[E_CYCLE]")


def test_unknown_role_names_are_named_against_the_text() -> None:
    assert error_text(lambda: from_dagitty(
        "dag { s -> A }", regime="S", base="Y_b", sigma=[SoftIntervention("A", ["s", "B"])])) == (
        "3 problems:\n"
        "  <dagitty> regime: unknown node 'S' in regime (did you mean 's'?) [E_UNKNOWN_NODE]\n"
        "  <dagitty> base: unknown node 'Y_b' in base (it is not a node of the dagitty text) "
        "[E_UNKNOWN_NODE]\n"
        "  <dagitty> sigma[0].context[1]: unknown node 'B' in the context of σ(A) (it is not a "
        "node of the dagitty text) [E_UNKNOWN_NODE]")


def test_a_regime_node_with_parents_is_refused() -> None:
    assert error_text(lambda: from_dagitty("dag { A -> s }", regime="s")) == (
        "1 problem:\n  <dagitty> regime: regime node 's' has parents A (a regime node is "
        "exogenous: remove the edges into it) [E_REGIME_NOT_EXOGENOUS]")


# Reading networkx and pgmpy ---------------------------------------------------------------------

def test_from_networkx_reads_a_multidigraph_and_latent_nodes() -> None:
    digraph: nx.MultiDiGraph[str] = nx.MultiDiGraph([("s", "A"), ("s", "A"), ("A", "Y")])
    digraph.add_node("U", latent=True)
    digraph.add_edges_from([("U", "A"), ("U", "Y")])
    digraph.nodes["A"]["label"] = "cause"
    graph = from_networkx(digraph, regime="s", base="Y", name="multi")
    assert graph.nodes == ("s", "A", "Y") and graph.labels["A"] == "cause"
    assert [str(edge) for edge in graph.edges] == ["s -> A", "A -> Y", "A <-> Y"]
    assert graph.name == "multi"


def test_from_networkx_lists_every_problem() -> None:
    digraph: nx.DiGraph[Any] = nx.DiGraph([("s", 1), ("s", "A"), ("A", "B")])
    digraph.nodes["A"]["label"] = 3.5
    pairs: list[Any] = [("A", "Z"), ("A",)]
    assert error_text(lambda: from_networkx(digraph, regime="s", bidirected=pairs)) == "\n  ".join([
        "4 problems:",
        '<networkx>: node 1 is an int, not a string (rename the nodes, e.g. '
        'networkx.relabel_nodes(graph, lambda node: f"V{node}")) [E_INVALID_NAME]',
        "<networkx>: the label of node 'A' is a float 3.5, not a string [E_NETWORKX]",
        "<networkx>: bidirected[0] is ('A', 'Z'): expected a pair of nodes of the graph, like "
        "('A', 'B') [E_NETWORKX]",
        "<networkx>: bidirected[1] is ('A',): expected a pair of nodes of the graph, like "
        "('A', 'B') [E_NETWORKX]"])


def test_from_networkx_refuses_bad_names_cycles_and_undirected_graphs() -> None:
    assert error_text(lambda: from_networkx(nx.DiGraph([("s", "A b"), ("A b", "s")]),
                                            regime="s")) == "\n  ".join([
        "3 problems:",
        "<networkx>: invalid node name 'A b' (a name starts with a letter or _, then letters, "
        "digits, _ . -; at most 200 characters) [E_INVALID_NAME]",
        "<networkx>: directed cycle A b -> s -> A b (remove one of its edges) [E_CYCLE]",
        "<networkx> regime: regime node 's' has parents A b (a regime node is exogenous: remove "
        "the edges into it) [E_REGIME_NOT_EXOGENOUS]"])
    assert error_text(lambda: from_networkx(nx.Graph([("s", "A")]), regime="s")) == (
        "1 problem:\n  <networkx>: an undirected networkx graph (build a DiGraph whose edges "
        "point from cause to effect) [E_NETWORKX]")
    with pytest.raises(TypeError, match="expected a networkx DiGraph, found dict"):
        from_networkx({"s": ["A"]}, regime="s")  # type: ignore[arg-type]


def test_from_pgmpy_reads_a_bayesian_network_and_its_roles() -> None:
    model = DiscreteBayesianNetwork([("s", "A"), ("A", "Y_m"), ("U", "A"), ("U", "Y_b"),
                                     ("L(A,Y_m)", "A"), ("L(A,Y_m)", "Y_m")],
                                    latents={"U", "L(A,Y_m)"})
    model.with_role("outcomes", {"Y_b"}, inplace=True)
    model.with_role("adjustment", {"Y_m"}, inplace=True)
    graph = from_pgmpy(model, regime="s")
    assert graph.nodes == ("s", "A", "Y_m", "U", "Y_b") and graph.unobserved == {"U"}
    assert [str(edge) for edge in graph.edges] == ["s -> A", "A -> Y_m", "U -> A", "U -> Y_b",
                                                   "A <-> Y_m"]
    assert graph.base == {"Y_b"} and graph.mesa == {"Y_m"}
    assert check_inner_alignment(graph).aligned is False


def test_from_pgmpy_refuses_a_nameless_latent_that_is_no_bidirected_edge_and_other_types(
        ) -> None:
    dag = DAG([("s", "A"), ("L(s,A)", "A")], latents={"L(s,A)"})
    assert error_text(lambda: from_pgmpy(dag, regime="s")) == (
        "1 problem:\n  <pgmpy>: latent node 'L(s,A)' has 1 child (A); it has no valid node name, "
        "so it can only stand for a <-> edge: a root with exactly two observed children (rename "
        "it to keep it as an unobserved node; a name starts with a letter or _, then letters, "
        "digits, _ . -; at most 200 characters) [E_LATENT]")
    with pytest.raises(TypeError, match="expected a pgmpy DAG or Bayesian network, found "
                                        "DiGraph"):
        from_pgmpy(nx.DiGraph([("s", "A")]), regime="s")
    labelled = DAG([("s", "A")])
    labelled.nodes["A"]["label"] = 3
    assert error_text(lambda: from_pgmpy(labelled, regime="s")) == (
        "1 problem:\n  <pgmpy>: the label of node 'A' is an int 3, not a string [E_PGMPY]")


def test_every_interop_error_code_is_tested_here() -> None:
    """The interop codes come from Python objects and dagitty text, not YAML files, so this file
    (not tests/bad_yaml/) holds a case of each."""
    source = "".join(path.read_text(encoding="utf-8")
                     for path in (REPO / "causal_align" / "interop").glob("*.py"))
    used = set(re.findall(r'"(E_[A-Z_]+)"', source))
    assert {"E_DAGITTY", "E_LATENT"} <= used, "the code search found nothing"
    tested = set(re.findall(r"\[(E_[A-Z_]+)\]", Path(__file__).read_text(encoding="utf-8")))
    assert sorted(used - tested) == []


def test_importing_interop_loads_neither_networkx_nor_pgmpy() -> None:
    code = ("import causal_align.interop, sys; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'networkx', 'pgmpy'}))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                               text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "[]\n"


# Hostile and mistyped input (issue 10), and the default export (issue 9) -----------------------

def group_bomb(size: int) -> str:
    groups = [" ".join(f"{letter}{index}" for index in range(size)) for letter in "abc"]
    return "dag { s -> {" + "} -> {".join(groups) + "} }"


def test_dagitty_groups_are_bounded_before_they_expand() -> None:
    import tracemalloc

    text = group_bomb(1000)  # 14.7 KB that would expand to 2,000,000 edges
    assert len(text) < 15_000
    tracemalloc.start()
    try:
        with pytest.raises(GraphSpecError) as raised:
            from_dagitty(text, regime="s")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(raised.value) == (
        "1 problem:\n  <dagitty>:1: the groups expand to more than 100,000 edges (1,000 × 1,000 "
        "here; raise the limit with Limits(max_expanded_edges=...)) [E_TOO_LARGE]")
    assert peak < 20 * 2**20, f"{peak:,} bytes"
    small = group_bomb(30)  # 30 + 900 + 900 edges: under a raised limit it loads
    assert len(from_dagitty(small, regime="s", limits=Limits(max_expanded_edges=2000)).edges) == 1830
    with pytest.raises(GraphSpecError, match="more than 1,000 edges"):
        from_dagitty(small, regime="s", limits=Limits(max_expanded_edges=1000))


def test_dagitty_text_over_the_size_limit_is_refused() -> None:
    with pytest.raises(GraphSpecError, match=r"the text is 14 characters, more than the limit "
                                             r"of 10 .*\[E_TOO_LARGE\]"):
        from_dagitty("dag { s -> Y }", regime="s", limits=Limits(max_bytes=10))


def test_the_default_networkx_export_gives_networkx_our_verdict() -> None:
    graph = load_graph(REPO / "graphs" / "confounded_proxy.yaml")
    result = check_inner_alignment(graph)
    assert not result.aligned  # only through Y_b <-> Y_m
    digraph = to_networkx(graph, sigma=True)
    assert not nx.is_d_separator(digraph, set(result.regime), set(result.base), set(result.mesa))
    assert digraph.nodes["L(Y_b,Y_m)"]["latent"] is True


@pytest.mark.parametrize(("graph_attributes", "arguments", "latent", "message"), [
    ({"base": 5}, {}, None, "the graph attribute 'base' is an int 5: expected a node name or a "
                            "list of node names"),
    ({"mesa": [1, 2]}, {}, None, "the graph attribute 'mesa' is a list [1, 2]: expected a node "
                                 "name or a list of node names"),
    ({"bidirected": 5}, {}, None, "the graph attribute 'bidirected' is an int 5: expected a "
                                  "list of pairs of nodes, like [('A', 'B')]"),
    ({}, {"sigma": ["A"]}, None, "sigma holds a str 'A': expected a list of "
                                 "SoftIntervention(target, context)"),
    ({}, {"regime": None}, None, "regime is a NoneType None: expected a node name or a list of "
                                 "node names"),
    ({}, {"base": 5}, None, "base is an int 5: expected a node name or a list of node names"),
    ({}, {"name": 5}, None, "name is an int 5: expected a string"),
    ({}, {}, "False", "the node attribute 'latent' of 'L' is a str 'False': expected True or "
                      "False"),
])
def test_from_networkx_names_every_attribute_of_the_wrong_type(
        graph_attributes: dict[str, object], arguments: dict[str, object], latent: object,
        message: str) -> None:
    digraph = nx.DiGraph([("s", "A"), ("A", "Y")], **graph_attributes)
    if latent is not None:
        digraph.add_node("L", latent=latent)
        digraph.add_edges_from([("L", "A"), ("L", "Y")])
    with pytest.raises(GraphSpecError) as raised:
        from_networkx(digraph, **{"regime": "s", **arguments})  # type: ignore[arg-type]
    assert str(raised.value) == f"1 problem:\n  <networkx>: {message} [E_NETWORKX]"


def test_from_networkx_reads_a_real_latent_flag() -> None:
    digraph = nx.DiGraph([("s", "A"), ("A", "Y"), ("L", "A"), ("L", "Y")])
    digraph.nodes["L"]["latent"] = True
    graph = from_networkx(digraph, regime="s", sigma=iter(()))
    assert graph.spouses("A") == ("Y",)


# Unobserved nodes: dagitty [latent], networkx observed=False, pgmpy latents (issue 9) ----------

@pytest.mark.parametrize("form", FORMATS)
@SOME
@given(case=unobserved_cases())
def test_unobserved_nodes_round_trip_through_every_format(form: str, case: Case) -> None:
    graph = case.graph
    back = round_trip(form, graph)
    assert back == expected_back(form, graph)
    assert back.unobserved == graph.unobserved
    assert check_inner_alignment(back) == check_inner_alignment(graph)
    g_sigma = FORMATS[form](graph, g_sigma=True, regime=sorted(graph.regime),
                            query_regime=sorted(graph.query_regime), name=graph.name)
    assert g_sigma.unobserved == graph.unobserved


@SOME
@given(case=unobserved_cases())
def test_dagitty_text_with_latents_is_a_fixpoint(case: Case) -> None:
    text = to_dagitty(case.graph)
    assert text.count(" [latent") + text.count(",latent") == len(case.graph.unobserved)
    assert to_dagitty(from_dagitty(text, regime=case.graph.regime)) == text


def dagitty_with_named_latents(graph: CausalGraph) -> str:
    """``graph`` in dagitty syntax written here, independently of ``to_dagitty``: each ``A <-> B``
    becomes a latent root ``U<i>`` with children A and B."""
    lines = ["dag {"]
    lines += [f"{node} [outcome]" for node in sorted(graph.base)]
    lines += [f"{node} [adjusted]" for node in sorted(graph.mesa)]
    lines += [str(edge) for edge in graph.edges if not edge.bidirected]
    for index, edge in enumerate(edge for edge in graph.edges if edge.bidirected):
        lines += [f"U{index} [latent]", f"{edge.tail} <- U{index} -> {edge.head}"]
    lines += list(graph.nodes)  # nodes with no edge at all
    return "\n".join([*lines, "}"])


@SOME
@given(case=cases())
def test_a_latent_node_gives_the_verdict_and_paths_of_its_bidirected_edge(case: Case) -> None:
    """Oracle: m-separation equals d-separation once each ``A <-> B`` is ``A <- U -> B``. Read as
    unobserved nodes, dagitty's latent roots give the verdict of the ``<->`` edges, and the same
    open paths once each ``A <- U -> B`` is contracted."""
    graph = case.graph
    # σ's context stated: left out, it would be the target's parents, a latent U among them
    sigma = [SoftIntervention(item.target, graph.parents(item.target) if item.context is None
                              else item.context) for item in graph.sigma]
    read = from_dagitty(dagitty_with_named_latents(graph), regime=sorted(graph.regime),
                        sigma=sigma, query_regime=sorted(graph.query_regime))
    latents = {node for node in read.nodes if node.startswith("U")}
    assert read.unobserved == latents
    assert len(latents) == sum(edge.bidirected for edge in graph.edges)
    assert set(read.nodes) == set(graph.nodes) | latents
    ours, theirs = (check_inner_alignment(g, limit=100_000) for g in (graph, read))
    assert not ours.truncated and not theirs.truncated
    assert theirs.aligned == ours.aligned
    contracted = sorted(tuple(node for node in path.nodes if node not in latents)
                        for path in theirs.open_paths)
    assert contracted == sorted(path.nodes for path in ours.open_paths)
    monitor = theirs.repairs.monitor
    assert monitor is None or not set(monitor) & latents


HIDDEN_SHIFT = """dag {
s [exposure]
H [latent,label="hidden preferences"]
Prompt
D_m
Y_m [adjusted]
Y_b [outcome]
s -> H
H -> Y_m
H -> Y_b
Prompt -> D_m
D_m -> Y_m
D_m -> Y_b
}"""


def test_a_latent_with_parents_is_an_unobserved_node_that_keeps_its_edges() -> None:
    """dagitty's own picture of graphs/transport_hidden_shift.yaml: H has a parent, s."""
    sigma = [SoftIntervention("D_m", ["Prompt"])]
    graph = from_dagitty(HIDDEN_SHIFT, regime="s", sigma=sigma, name="transport_hidden_shift")
    assert graph.unobserved == {"H"} and graph.parents("H") == ("s",)
    assert graph.children("H") == ("Y_b", "Y_m") and graph.labels["H"] == "hidden preferences"
    result = check_inner_alignment(graph)
    assert [" ".join(path.nodes) for path in result.open_paths] == [
        "s H Y_b", "s H Y_m D_m Y_b"]
    assert result.repairs.monitor is None  # only H blocks s -> H -> Y_b, and H is unobserved
    filed = load_graph(REPO / "graphs" / "transport_hidden_shift.yaml")
    unlabelled = CausalGraph(filed.nodes, filed.edges, regime="s", sigma=filed.sigma,
                             base=filed.base, mesa=filed.mesa, name=filed.name,
                             unobserved=filed.unobserved)
    assert from_dagitty(HIDDEN_SHIFT.replace(',label="hidden preferences"', ""), regime="s",
                        sigma=sigma, name=filed.name) == unlabelled
    assert to_dagitty(filed).splitlines()[2] == (
        'H [latent,label="hidden preferences of the people judging the responses"]')


def test_latents_with_parents_and_latent_children() -> None:
    text = """dag {
    s -> A -> U1 -> Y_b
    U1 -> U2 -> Y_m
    U2 -> Y_b
    U1 [latent] U2 [latent] Y_m [adjusted] Y_b [outcome]
    }"""
    graph = from_dagitty(text, regime="s")
    assert graph.unobserved == {"U1", "U2"} and graph.parents("U2") == ("U1",)
    assert to_dagitty(from_dagitty(to_dagitty(graph), regime="s")) == to_dagitty(graph)
    result = check_inner_alignment(graph)
    assert not result.aligned
    assert result.repairs.monitor == ("A",)  # never U1, although U1 alone would do too
    assert check_inner_alignment(graph, mesa=["Y_m", "A"]).aligned


def test_a_regime_node_cannot_be_latent() -> None:
    assert error_text(lambda: from_dagitty("dag {\ns -> A\ns [latent]\n}", regime="s")) == (
        "1 problem:\n  <dagitty>:2: regime node 's' cannot be unobserved (the regime is known in "
        "both training and deployment; name another node) [E_REGIME_ROLE]")


def test_a_nameless_latent_root_with_two_children_is_a_bidirected_edge() -> None:
    """As ``to_pgmpy`` writes ``A <-> B`` and pgmpy's ``to_dagitty`` then passes it on."""
    graph = from_dagitty('dag { s -> A; "L(A,B)" [latent]; "L(A,B)" -> {A B} }', regime="s")
    assert graph.nodes == ("s", "A", "B") and graph.unobserved == frozenset()
    assert [str(edge) for edge in graph.edges] == ["s -> A", "A <-> B"]


def test_networkx_marks_every_node_observed_or_not() -> None:
    graph = CausalGraph.from_edges(["s -> H", "H -> Y", "H <-> Y"], regime="s",
                                   unobserved=["H"])
    digraph = to_networkx(graph)
    flags = {node: (data.get("observed"), data.get("latent"))
             for node, data in digraph.nodes.items()}
    assert flags == {"s": (True, None), "H": (False, None), "Y": (True, None),
                     "L(H,Y)": (False, True)}
    assert from_networkx(digraph, regime="s") == graph
    digraph.nodes["Y"]["observed"] = False
    assert from_networkx(digraph, regime="s").unobserved == {"H", "Y"}
    del digraph.nodes["H"]["observed"]
    assert from_networkx(digraph, regime="s").unobserved == {"Y"}


def test_networkx_latent_true_still_means_a_bidirected_edge() -> None:
    digraph = nx.DiGraph([("s", "U"), ("U", "A"), ("U", "B")])
    digraph.nodes["U"]["latent"] = True
    assert error_text(lambda: from_networkx(digraph, regime="s")) == (
        "1 problem:\n  <networkx>: latent node 'U' has 2 children (A, B) and parents (s); the "
        "attribute latent=True marks a stand-in for a <-> edge: a root with exactly two observed "
        "children (to keep a hidden node with its edges, give it observed=False instead) "
        "[E_LATENT]")
    digraph.nodes["U"].update(latent=False, observed=False)
    assert from_networkx(digraph, regime="s").unobserved == {"U"}


def test_networkx_observed_must_be_true_or_false() -> None:
    digraph = nx.DiGraph([("s", "A")])
    digraph.nodes["A"]["observed"] = "no"
    assert error_text(lambda: from_networkx(digraph, regime="s")) == (
        "1 problem:\n  <networkx>: the node attribute 'observed' of 'A' is a str 'no': expected "
        "True or False [E_NETWORKX]")


def test_pgmpy_latents_hold_the_unobserved_nodes() -> None:
    graph = from_dagitty(HIDDEN_SHIFT, regime="s")
    dag = to_pgmpy(graph)
    assert dag.latents == {"H"} and sorted(dag.successors("H")) == ["Y_b", "Y_m"]
    assert from_pgmpy(dag, regime="s") == graph


def test_a_latent_parent_of_a_sigma_target_is_in_its_default_context() -> None:
    """Why a named latent root is not read as ``<->``: σ's default context is the target's
    parents, the latent among them, whereas σ cuts a ``<->`` at its target."""
    text = "dag { s -> Y_m; D_m -> Y_m; U [latent]; U -> D_m; U -> Y_b }"
    roles: dict[str, Any] = {"regime": "s", "base": "Y_b", "mesa": "Y_m"}
    reads_parents = from_dagitty(text, sigma=[SoftIntervention("D_m")], **roles)
    assert not check_inner_alignment(reads_parents).aligned  # s -> Y_m <- D_m <- U -> Y_b
    open_loop = from_dagitty(text, sigma=[SoftIntervention("D_m", [])], **roles)
    assert check_inner_alignment(open_loop).aligned
    bidirected = from_dagitty("dag { s -> Y_m; D_m -> Y_m; D_m <-> Y_b }",
                              sigma=[SoftIntervention("D_m")], **roles)
    assert check_inner_alignment(bidirected).aligned
