"""pgmpy DAGs: ``to_pgmpy`` writes a ``DAG`` (``<->`` as latents), ``from_pgmpy`` reads one
back. pgmpy is imported only when they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from causal_align.interop.translate import (
    STANDIN_NAMELESS,
    edges,
    from_digraph,
    latent_name,
    split_latents,
)
from causal_align.model import CausalGraph, SoftIntervention

if TYPE_CHECKING:
    from pgmpy.base import DAG


def to_pgmpy(graph: CausalGraph, *, sigma: bool = False) -> DAG:
    """A pgmpy ``DAG``: each ``A <-> B`` becomes a latent node ``L(A,B)`` with children A and B,
    and each unobserved node is a latent too, with its edges.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Build it from G_σ instead of G (pgmpy has no soft interventions).

    Returns
    -------
    pgmpy.base.DAG
        Nodes carry the attribute ``label``; the roles are set: ``latents`` (the graph's
        unobserved nodes and the ``L(A,B)``), ``exposures`` (regime), ``outcomes`` (Y_b) and
        ``adjustment`` (Y_m). pgmpy leaves latents out of its d-connection answers unless
        asked: ``dag.is_dconnected(s, y, observed=..., include_latents=True)`` when Y_b may be
        unobserved.

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> dag = to_pgmpy(CausalGraph.from_edges(["s -> A", "A <-> Y"], regime="s", base="Y"))
    >>> sorted(dag.edges), dag.latents, dag.exposures, dag.outcomes
    ([('L(A,Y)', 'A'), ('L(A,Y)', 'Y'), ('s', 'A')], {'L(A,Y)'}, {'s'}, {'Y'})
    >>> to_pgmpy(CausalGraph.from_edges(["s -> H", "H -> Y"], regime="s",
    ...                                 unobserved=["H"])).latents
    {'H'}
    """
    from pgmpy.base import DAG

    directed, bidirected = edges(graph, sigma=sigma)
    dag = DAG()
    dag.graph.update(name=graph.name, description=graph.description)
    dag.add_nodes_from((node, {"label": graph.labels[node]}) for node in graph.nodes)
    standins = [latent_name(one, two) for one, two in bidirected]
    dag.add_nodes_from(standins, label="")
    dag.add_edges_from(directed + [(latent, node) for latent, pair in zip(standins, bidirected)
                                   for node in pair])
    latents = {*standins, *graph.unobserved}
    for role, members in (("latents", latents), ("exposures", graph.regime),
                          ("outcomes", graph.base), ("adjustment", graph.mesa)):
        dag.with_role(role, set(members), inplace=True)
    return dag


def from_pgmpy(
    model: DAG,
    *,
    regime: str | Iterable[str],
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    sigma: Iterable[SoftIntervention] = (),
    query_regime: str | Iterable[str] | None = None,
    name: str | None = None,
) -> CausalGraph:
    """Read the structure of a pgmpy ``DAG`` or Bayesian network (its CPDs are not read).

    Parameters
    ----------
    model : pgmpy.base.DAG
        A ``DAG`` or a subclass such as ``DiscreteBayesianNetwork``. Each latent is an
        unobserved node, kept with its edges; only a latent whose name is not a node name for
        us (``L(A,B)``, as ``to_pgmpy`` writes ``A <-> B``) becomes ``A <-> B``, and must be a
        root with exactly two observed children.
    regime : str or Iterable[str]
        The regime nodes (pgmpy's ``exposures`` are ignored).
    base, mesa : str or Iterable[str], optional
        Default: the ``outcomes`` and the ``adjustment`` role, if any.
    sigma, query_regime, name
        As for :func:`from_dagitty`; the name defaults to the graph attribute ``name``.

    Returns
    -------
    CausalGraph

    Raises
    ------
    TypeError
        When ``model`` is not a pgmpy DAG.
    GraphSpecError
        As for :func:`from_networkx`; a latent ``L(A,B)`` that is not a root with two observed
        children has code ``E_LATENT``.

    Examples
    --------
    >>> from pgmpy.base import DAG
    >>> dag = DAG([("s", "H"), ("H", "A"), ("H", "Y")], latents={"H"}, outcomes={"Y"})
    >>> graph = from_pgmpy(dag, regime="s")
    >>> graph.nodes, [str(edge) for edge in graph.edges], sorted(graph.unobserved)
    (('s', 'H', 'A', 'Y'), ['s -> H', 'H -> A', 'H -> Y'], ['H'])
    """
    from pgmpy.base import DAG

    if not isinstance(model, DAG):
        raise TypeError(f"expected a pgmpy DAG or Bayesian network, found "
                        f"{type(model).__name__}")
    adjustment = model.get_role("adjustment") if model.has_role("adjustment") else []
    unobserved, standins = split_latents(model.latents)
    return from_digraph(
        model, set(standins), set(unobserved), (), source="<pgmpy>", kind="pgmpy DAG",
        code="E_PGMPY", standin_rule=STANDIN_NAMELESS, regime=regime,
        base=base if base is not None else sorted(model.outcomes) or None,
        mesa=mesa if mesa is not None else sorted(adjustment) or None,
        sigma=sigma, query_regime=query_regime, name=name)
