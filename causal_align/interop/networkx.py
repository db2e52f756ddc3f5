"""networkx graphs: ``to_networkx`` writes a ``DiGraph`` (with each ``<->`` as a latent node
``L(A,B)`` by default, so that networkx's ``is_d_separator`` answers right), ``from_networkx``
reads one back. networkx is imported only when they run.

Examples
--------
>>> from causal_align import load_graph
>>> graph = load_graph("graphs/confounded_proxy.yaml")
>>> from_networkx(to_networkx(graph), regime="s", sigma=graph.sigma, name=graph.name) == graph
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.interop.translate import (
    Pair,
    attribute_text,
    edges,
    from_digraph,
    latent_name,
)
from causal_align.model import CausalGraph, SoftIntervention

if TYPE_CHECKING:
    import networkx as nx


def to_networkx(graph: CausalGraph, *, sigma: bool = False,
                latent_expansion: bool = True) -> nx.DiGraph[str]:
    """A networkx ``DiGraph`` of the graph's directed edges: a copy, safe to change.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Build it from G_σ instead of G (networkx has no soft interventions).
    latent_expansion : bool
        True (the default): replace each ``A <-> B`` by ``A <- L(A,B) -> B``, a node with
        attribute ``latent=True`` (``L(A,B)`` can never clash with a node name). Plain
        d-separation in the result is m-separation in the graph, so networkx's own
        ``is_d_separator`` gives our verdict. False: only the directed edges, with the ``<->``
        edges in the graph attribute ``bidirected``, which networkx's algorithms ignore (they
        would call a confounded graph separated).

    Returns
    -------
    networkx.DiGraph
        Nodes in the graph's order with attributes ``label`` and ``observed`` (False for the
        graph's unobserved nodes and for the latents ``L(A,B)``); graph attributes ``name``,
        ``description``, ``regime``, ``base``, ``mesa`` (sorted lists) and ``bidirected``
        (sorted pairs, empty after latent expansion).

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> Y", "A <-> Y"], regime="s", base="Y")
    >>> sorted(to_networkx(graph).edges)
    [('A', 'Y'), ('L(A,Y)', 'A'), ('L(A,Y)', 'Y'), ('s', 'A')]
    >>> digraph = to_networkx(graph, latent_expansion=False)
    >>> list(digraph.edges), digraph.graph["bidirected"], digraph.graph["base"]
    ([('s', 'A'), ('A', 'Y')], [('A', 'Y')], ['Y'])
    >>> hidden = CausalGraph.from_edges(["s -> H", "H -> Y"], regime="s", unobserved=["H"])
    >>> dict(to_networkx(hidden).nodes(data="observed"))
    {'s': True, 'H': False, 'Y': True}
    """
    import networkx as nx

    directed, bidirected = edges(graph, sigma=sigma)
    digraph: nx.DiGraph[str] = nx.DiGraph(
        name=graph.name, description=graph.description, regime=sorted(graph.regime),
        base=sorted(graph.base), mesa=sorted(graph.mesa),
        bidirected=[] if latent_expansion else bidirected)
    digraph.add_nodes_from((node, {"label": graph.labels[node],
                                   "observed": node not in graph.unobserved})
                           for node in graph.nodes)
    digraph.add_edges_from(directed)
    if latent_expansion:
        for one, two in bidirected:
            latent = latent_name(one, two)
            digraph.add_node(latent, label="", observed=False, latent=True)
            digraph.add_edges_from([(latent, one), (latent, two)])
    return digraph


def from_networkx(
    digraph: nx.Graph[Any],
    *,
    regime: str | Iterable[str],
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    bidirected: Iterable[Pair] | None = None,
    sigma: Iterable[SoftIntervention] = (),
    query_regime: str | Iterable[str] | None = None,
    name: str | None = None,
) -> CausalGraph:
    """Read a networkx ``DiGraph`` (or ``MultiDiGraph``): its nodes, edges and labels.

    Parameters
    ----------
    digraph : networkx.DiGraph
        Node names must be strings that are valid node names; a node attribute ``label`` (a
        string) is kept; a node with attribute ``observed=False`` is an unobserved node, kept
        with all its edges; a node with attribute ``latent=True`` stands for a ``<->`` edge
        (as ``to_networkx`` writes them) and must be a root with exactly two observed children.
    regime : str or Iterable[str]
        The regime nodes.
    base, mesa : str or Iterable[str], optional
        Default: the graph attributes ``base`` and ``mesa``, if present.
    bidirected : Iterable[tuple[str, str]], optional
        The ``<->`` edges; default: the graph attribute ``bidirected``, if present.
    sigma, query_regime, name
        As for :func:`from_dagitty`; the name defaults to the graph attribute ``name``.

    Returns
    -------
    CausalGraph

    Raises
    ------
    TypeError
        When ``digraph`` is not a networkx graph.
    GraphSpecError
        Listing every problem: an argument or a graph attribute of the wrong type (``base=5``,
        ``sigma=["A"]``, ``regime=None``, a node attribute ``latent`` or ``observed`` that is
        not ``True`` or ``False``, such as the string ``"False"``), each named, an undirected
        graph, a node that is not a string or not a valid name, a label that is not a string,
        a malformed ``bidirected`` pair, a ``latent=True`` node that is not a root with two
        observed children (``E_LATENT``), a cycle, an unknown regime node, ...

    Examples
    --------
    >>> import networkx as nx
    >>> graph = from_networkx(nx.DiGraph([("s", "A"), ("A", "Y")]), regime="s",
    ...                       bidirected=[("A", "Y")], base="Y")
    >>> graph.spouses("A"), graph.children("A")
    (('Y',), ('Y',))
    >>> digraph = nx.DiGraph([("s", "H"), ("H", "Y")])
    >>> digraph.nodes["H"]["observed"] = False
    >>> sorted(from_networkx(digraph, regime="s").unobserved)
    ['H']
    >>> from_networkx(nx.DiGraph([("s", 1)]), regime="s")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      <networkx>: node 1 is an int, not a string (rename the nodes, e.g. ...) [E_INVALID_NAME]
    """
    import networkx as nx

    if not isinstance(digraph, nx.Graph):
        raise TypeError(f"expected a networkx DiGraph, found {type(digraph).__name__}")
    source = "<networkx>"
    if not digraph.is_directed():
        raise GraphSpecError([Problem("E_NETWORKX", "an undirected networkx graph (build a "
                                      "DiGraph whose edges point from cause to effect)",
                                      source=source)])
    attributes: Mapping[str, Any] = digraph.graph
    if isinstance(sigma, Iterable) and not isinstance(sigma, (str, bytes)):
        sigma = list(sigma)
    problems = _type_problems(digraph, attributes, source, regime=regime, base=base, mesa=mesa,
                              bidirected=bidirected, sigma=sigma, query_regime=query_regime,
                              name=name)
    if problems:
        raise GraphSpecError(problems)
    if bidirected is None:
        bidirected = attributes.get("bidirected", ())
    return from_digraph(
        digraph, {node for node, latent in digraph.nodes(data="latent") if latent},
        {node for node, observed in digraph.nodes(data="observed")
         if observed is not None and not observed},
        bidirected, source=source, kind="networkx graph", code="E_NETWORKX",
        standin_rule=_STANDIN, regime=regime,
        base=base if base is not None else attributes.get("base") or None,
        mesa=mesa if mesa is not None else attributes.get("mesa") or None,
        sigma=sigma, query_regime=query_regime, name=name)


_STANDIN = ("the attribute latent=True marks a stand-in for a <-> edge: a root with exactly two "
            "observed children (to keep a hidden node with its edges, give it observed=False "
            "instead)")


def _names_problem(value: object, what: str, code: str, source: str, *,
                   optional: bool) -> Problem | None:
    """A problem when ``value`` is not a node name or a list of node names."""
    if value is None and optional:
        return None
    if isinstance(value, str):
        return None
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(item, str)
                                                                 for item in value):
        return None
    return Problem(code, f"{what} is {attribute_text(value)} {shown(value)}: expected a node "
                   "name or a list of node names", source=source)


def _type_problems(digraph: nx.Graph[Any], attributes: Mapping[str, Any], source: str, *,
                   regime: object, base: object, mesa: object, bidirected: object,
                   sigma: object, query_regime: object, name: object) -> list[Problem]:
    """Every argument and attribute of the wrong type, each named (before any is used)."""
    code = "E_NETWORKX"
    checks = [(regime, "regime", False), (base, "base", True), (mesa, "mesa", True),
              (query_regime, "query_regime", True),
              (attributes.get("base"), "the graph attribute 'base'", True),
              (attributes.get("mesa"), "the graph attribute 'mesa'", True)]
    problems = [problem for value, what, optional in checks
                if (problem := _names_problem(value, what, code, source, optional=optional))]
    for value, what in ((bidirected, "bidirected"),
                        (attributes.get("bidirected"), "the graph attribute 'bidirected'")):
        if value is not None and not isinstance(value, (list, tuple, set, frozenset)):
            problems.append(Problem(code, f"{what} is {attribute_text(value)} {shown(value)}: "
                                    "expected a list of pairs of nodes, like [('A', 'B')]",
                                    source=source))
    items = list(sigma) if isinstance(sigma, (list, tuple)) else None
    if items is None or not all(isinstance(item, SoftIntervention) for item in items):
        wrong = sigma if items is None else next(item for item in items
                                                 if not isinstance(item, SoftIntervention))
        problems.append(Problem(code, f"sigma holds {attribute_text(wrong)} {shown(wrong)}: "
                                "expected a list of SoftIntervention(target, context)",
                                source=source))
    if name is not None and not isinstance(name, str):
        problems.append(Problem(code, f"name is {attribute_text(name)} {shown(name)}: expected "
                                "a string", source=source))
    for key in ("latent", "observed"):
        for node, value in digraph.nodes(data=key):
            flag: object = value
            if flag is not None and (isinstance(flag, str) or flag not in (True, False)):
                problems.append(Problem(code, f"the node attribute {key!r} of {shown(node)} is "
                                        f"{attribute_text(flag)} {shown(flag)}: expected True "
                                        "or False", source=source))
    return problems
