"""What every foreign format shares: G or G_σ as edge pairs, latent nodes sorted into unobserved
nodes and ``<->`` stand-ins, and the assembly of a checked
:class:`~causal_align.model.CausalGraph` from foreign parts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from causal_align.errors import GraphSpecError, Problem
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention
from causal_align.validate import MAX_NAME, NAME, names_at, suggest

if TYPE_CHECKING:
    import networkx as nx

NAME_MATCH = re.compile(NAME + r"\Z")
INVALID_NAME = ("(a name starts with a letter or _, then letters, digits, _ . -; at most "
                f"{MAX_NAME} characters)")
Pair = tuple[str, str]


def edges(graph: CausalGraph, *, sigma: bool) -> tuple[list[Pair], list[Pair]]:
    """G's (or G_σ's) directed edges in node order, and its bidirected pairs, each sorted."""
    view: CausalGraph | SigmaGraph = sigma_graph(graph) if sigma else graph
    directed = [(node, child) for node in graph.nodes for child in view.children(node)]
    bidirected = sorted((node, spouse) for node in graph.nodes for spouse in view.spouses(node)
                        if node < spouse)
    return directed, bidirected


def latent_name(one: str, two: str) -> str:
    """The stand-in node written for ``one <-> two``: never a valid node name, so it can never
    clash with a node, and a reader knows it for a stand-in."""
    return f"L({one},{two})"


def is_name(node: object) -> bool:
    return isinstance(node, str) and len(node) <= MAX_NAME and NAME_MATCH.match(node) is not None


def split_latents(latents: Iterable[str]) -> tuple[list[str], list[str]]:
    """dagitty's and pgmpy's latents: those with a node name stay nodes (unobserved); the others
    (``L(A,B)``, written by :func:`latent_name`) can only be ``<->`` stand-ins."""
    latents = list(latents)
    return ([node for node in latents if is_name(node)],
            [node for node in latents if not is_name(node)])


STANDIN_NAMELESS = ("it has no valid node name, so it can only stand for a <-> edge: a root "
                    "with exactly two observed children (rename it to keep it as an "
                    f"unobserved node; {INVALID_NAME[1:]}")
"""Why a dagitty or pgmpy latent was read as a ``<->`` stand-in, and the fix."""


def from_digraph(digraph: nx.Graph[Any], standins: Collection[Any], unobserved: Collection[Any],
                 bidirected: Iterable[Any], *, source: str, kind: str, code: str,
                 standin_rule: str, regime: str | Iterable[str],
                 base: str | Iterable[str] | None, mesa: str | Iterable[str] | None,
                 sigma: Iterable[SoftIntervention], query_regime: str | Iterable[str] | None,
                 name: str | None) -> CausalGraph:
    """Nodes, labels and edges of a networkx or pgmpy graph, checked for names and types.

    ``standins`` are latent nodes that stand for ``<->`` edges (``standin_rule`` says why, for
    the message when one has the wrong shape); ``unobserved`` nodes are kept with their edges.
    """
    problems: list[Problem] = []
    labels: dict[str, str] = {}
    for node, label in digraph.nodes(data="label"):
        if not isinstance(node, str):
            problems.append(Problem("E_INVALID_NAME", f"node {node!r} is {attribute_text(node)}, "
                                    "not a string (rename the nodes, e.g. networkx.relabel_nodes"
                                    "(graph, lambda node: f\"V{node}\"))", source=source))
            continue
        if label is not None and not isinstance(label, str):
            problems.append(Problem(code, f"the label of node {node!r} is {attribute_text(label)} "
                                    f"{label!r}, not a string", source=source))
        labels[node] = label if isinstance(label, str) else ""
    pairs: list[Pair] = []
    for index, item in enumerate(bidirected):
        pair = tuple(item) if isinstance(item, (tuple, list)) else ()
        if len(pair) != 2 or not all(node in labels for node in pair):
            problems.append(Problem(code, f"bidirected[{index}] is {item!r}: expected a pair "
                                    "of nodes of the graph, like ('A', 'B')", source=source))
        else:
            pairs.append((pair[0], pair[1]))
    if problems:
        raise GraphSpecError(problems)
    graph_name = digraph.graph.get("name")
    description = digraph.graph.get("description")
    return assemble(
        labels, list(digraph.edges()), pairs, [node for node in labels if node in standins],
        unobserved=[node for node in labels if node in unobserved and node not in standins],
        standin_rule=standin_rule, problems=problems, source=source, kind=kind, regime=regime,
        base=base, mesa=mesa, sigma=sigma, query_regime=query_regime,
        name=name or (graph_name if isinstance(graph_name, str) and graph_name else "graph"),
        description=description if isinstance(description, str) else "")


def attribute_text(value: object) -> str:
    kind = type(value).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def assemble(labels: Mapping[str, str], directed: list[Pair], bidirected: list[Pair],
             standins: list[str], *, unobserved: Iterable[str], standin_rule: str,
             problems: list[Problem], source: str, kind: str, regime: str | Iterable[str],
             base: str | Iterable[str] | None, mesa: str | Iterable[str] | None,
             sigma: Iterable[SoftIntervention], query_regime: str | Iterable[str] | None,
             name: str, description: str, node_lines: Mapping[str, int] | None = None,
             edge_lines: Mapping[tuple[str, str, bool], int] | None = None) -> CausalGraph:
    """Turn the stand-ins into ``<->``, drop repeated edges, check the roles, build the graph.

    ``standins`` must each be a root with exactly two observed children (``standin_rule`` says
    why, and how to keep such a node instead); ``unobserved`` nodes stay, with all their edges.
    ``kind`` names what was read ("dagitty text"); ``node_lines`` and ``edge_lines`` (by
    :meth:`Edge.key`) position problems in dagitty text.
    """
    node_lines, edge_lines = node_lines or {}, edge_lines or {}
    bidirected = list(bidirected)
    hidden = set(standins)
    around: dict[str, tuple[list[str], list[str], list[str]]] = {node: ([], [], [])
                                                                 for node in standins}
    for tail, head in directed:
        if tail in hidden:
            around[tail][1].append(head)
        if head in hidden:
            around[head][0].append(tail)
    for one, two in bidirected:
        for node, other in ((one, two), (two, one)):
            if node in hidden:
                around[node][2].append(other)
    for node in standins:
        parents, children, spouses = (sorted(set(near)) for near in around[node])
        if parents or spouses or len(children) != 2 or hidden.intersection(children):
            found = describe_latent(parents, children, spouses, hidden)
            problems.append(Problem("E_LATENT", f"latent node {node!r} {found}; {standin_rule}",
                                    line=node_lines.get(node), source=source))
        else:
            bidirected.append((children[0], children[1]))
    known = [node for node in labels if node not in hidden]
    check_roles(known, problems, source, kind, regime=regime, base=base, mesa=mesa,
                query_regime=query_regime, sigma=tuple(sigma))
    if problems:
        problems.sort(key=lambda problem: problem.line or 0)
        raise GraphSpecError(problems)
    edges: dict[tuple[str, str, bool], Edge] = {}
    for tail, head in directed:
        if tail not in hidden:
            edges.setdefault((tail, head, False), Edge(tail, head))
    for one, two in bidirected:
        edge = Edge(one, two, bidirected=True)
        edges.setdefault(edge.key(), edge)
    where = {f"nodes.{node}": line for node, line in node_lines.items()}
    where.update({f"edges[{index}]": edge_lines[key] for index, key in enumerate(edges)
                  if key in edge_lines})
    try:
        return CausalGraph({node: labels[node] for node in known}, list(edges.values()),
                           regime=regime, sigma=sigma, base=base, mesa=mesa,
                           query_regime=query_regime, name=name, description=description,
                           unobserved=sorted(set(unobserved)), origin=Origin(source, where))
    except GraphSpecError as error:  # "edges[3]", "nodes.X" are YAML places: the text has none
        raise GraphSpecError(
            replace(problem, location="") if problem.location.startswith(("edges[", "nodes."))
            else problem for problem in error.problems) from None


def describe_latent(parents: list[str], children: list[str], spouses: list[str],
                    hidden: set[str]) -> str:
    count = len(children)
    parts = [f"has {count} {'child' if count == 1 else 'children'}"
             + (f" ({', '.join(children)})" if children else "")]
    if parents:
        parts.append(f"parents ({', '.join(parents)})")
    if spouses:
        parts.append(f"<-> edges ({', '.join(spouses)})")
    latent_children = sorted(hidden.intersection(children))
    if latent_children:
        parts.append(f"latent children ({', '.join(latent_children)})")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def check_roles(known: list[str], problems: list[Problem], source: str, kind: str, *,
                regime: str | Iterable[str], base: str | Iterable[str] | None,
                mesa: str | Iterable[str] | None, query_regime: str | Iterable[str] | None,
                sigma: tuple[SoftIntervention, ...]) -> None:
    """Every name passed as an argument is a node of the graph that was read."""
    nodes = set(known)
    otherwise = f"it is not a node of the {kind}"
    named = [(role, names_at(value, role)) for role, value in
             (("regime", regime), ("base", base), ("mesa", mesa), ("query_regime", query_regime))
             if value is not None]
    for index, item in enumerate(sigma):
        named.append(("σ target", [(item.target, f"sigma[{index}].target")]))
        named.append((f"the context of σ({item.target})",
                      names_at(item.context or (), f"sigma[{index}].context")))
    for role, pairs in named:
        for node, location in pairs:
            if node not in nodes:
                problems.append(Problem("E_UNKNOWN_NODE", f"unknown node {node!r} in {role} "
                                        f"({suggest(node, nodes, otherwise)})", location,
                                        source=source))
