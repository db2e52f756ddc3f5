"""pgmpy DAGs: ``to_pgmpy`` writes a ``DAG`` (``<->`` as latents), ``from_pgmpy`` reads one
back. pgmpy is imported only when they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from causal_align.interop.translate import edges, from_digraph, latent_name
from causal_align.model import CausalGraph, SoftIntervention

if TYPE_CHECKING:
    from pgmpy.base import DAG


def to_pgmpy(graph: CausalGraph, *, sigma: bool = False) -> DAG:
    """A pgmpy ``DAG``: each ``A <-> B`` becomes a latent node ``L(A,B)`` with children A and B.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Build it from G_σ instead of G (pgmpy has no soft interventions).

    Returns
    -------
    pgmpy.base.DAG
        Nodes carry the attribute ``label``; the roles are set: ``latents``, ``exposures``
        (regime), ``outcomes`` (Y_b) and ``adjustment`` (Y_m).

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> dag = to_pgmpy(CausalGraph.from_edges(["s -> A", "A <-> Y"], regime="s", base="Y"))
    >>> sorted(dag.edges), dag.latents, dag.exposures, dag.outcomes
    ([('L(A,Y)', 'A'), ('L(A,Y)', 'Y'), ('s', 'A')], {'L(A,Y)'}, {'s'}, {'Y'})
    """
    from pgmpy.base import DAG

    directed, bidirected = edges(graph, sigma=sigma)
    dag = DAG()
    dag.graph.update(name=graph.name, description=graph.description)
    dag.add_nodes_from((node, {"label": graph.labels[node]}) for node in graph.nodes)
    latents = [latent_name(one, two) for one, two in bidirected]
    dag.add_nodes_from(latents, label="")
    dag.add_edges_from(directed + [(latent, node) for latent, pair in zip(latents, bidirected)
                                   for node in pair])
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
        A ``DAG`` or a subclass such as ``DiscreteBayesianNetwork``. Each latent must be a root
        with exactly two children, and becomes ``A <-> B``.
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
        As for :func:`from_networkx`; a latent that is not a root with two children has code
        ``E_LATENT``.

    Examples
    --------
    >>> from pgmpy.base import DAG
    >>> dag = DAG([("s", "A"), ("U", "A"), ("U", "Y")], latents={"U"}, outcomes={"Y"})
    >>> graph = from_pgmpy(dag, regime="s")
    >>> graph.nodes, [str(edge) for edge in graph.edges], sorted(graph.base)
    (('s', 'A', 'Y'), ['s -> A', 'A <-> Y'], ['Y'])
    """
    from pgmpy.base import DAG

    if not isinstance(model, DAG):
        raise TypeError(f"expected a pgmpy DAG or Bayesian network, found "
                        f"{type(model).__name__}")
    adjustment = model.get_role("adjustment") if model.has_role("adjustment") else []
    return from_digraph(
        model, set(model.latents), (), source="<pgmpy>", kind="pgmpy DAG", code="E_PGMPY",
        regime=regime,
        base=base if base is not None else sorted(model.outcomes) or None,
        mesa=mesa if mesa is not None else sorted(adjustment) or None,
        sigma=sigma, query_regime=query_regime, name=name)
