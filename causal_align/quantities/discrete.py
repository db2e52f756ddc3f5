"""A discrete parametrised model of a diagram under σ: states and a table for every variable.

The *σ-model* is the network in which the quantitative layer computes: every observed node keeps
its mechanism P(V | parents in G_σ, latents of V), except each σ target, whose table is the
learned policy P*(D_m | context). Each ``A <-> B`` of G_σ is an explicit latent variable with
children A and B (one latent may cover a whole clique). Regime nodes have states (``train``,
``deploy``) but no table: every quantity conditions on them.

A table's array has one axis per ``given`` variable, in order, then one axis for the node's own
states; every line along the last axis sums to 1.

Build models with :func:`random_model` or :mod:`causal_align.quantities.parameters` (a
``model:`` section of a graph file, or a pgmpy network), which validate them with the rules of
:mod:`causal_align.quantities.rules`, as every computation on a model does.

Examples
--------
>>> from causal_align import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b", "X <-> Y_b"],
...                                regime="s", base="Y_b", mesa="Y_m")
>>> model = random_model(graph, seed=1)
>>> model.given("Y_b"), model.states["s"]
(('Y_m', 'U1'), ('train', 'deploy'))
>>> model.tables["Y_b"].probabilities.shape
(2, 2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from causal_align.errors import CausalAlignError, shown
from causal_align.intervention import sigma_graph
from causal_align.model import CausalGraph
from causal_align.quantities.rules import renormalised

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

Array = npt.NDArray[np.float64]
MAX_CELLS = 10_000_000
"""The most numbers one table may hold (80 MB of floats): drawn by :func:`random_model`, or
built by exact inference (:mod:`causal_align.quantities.inference`)."""


@dataclass(frozen=True, eq=False)
class Table:
    """P(node | given): an array with one axis per given variable, then the node's states.

    Rows that sum to 1 within :data:`~causal_align.quantities.rules.ROUNDING` (1e-4) are
    divided by their sum when the table is built, whichever way it is built (a file, a pgmpy
    network, Python); other rows are kept for :func:`~causal_align.quantities.rules.check_model`
    to report.

    >>> Table("Y", (), np.array([0.333333, 0.333333, 0.333333])).probabilities.tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    """

    node: str
    given: tuple[str, ...]
    probabilities: Array

    def __post_init__(self) -> None:
        object.__setattr__(self, "probabilities", renormalised(self.probabilities))


@dataclass(frozen=True, eq=False)
class DiscreteModel:
    """States and tables of every variable of the σ-model of ``graph``.

    Attributes
    ----------
    graph : CausalGraph
        The diagram; its ``sigma`` says which tables are policies.
    states : Mapping[str, tuple[str, ...]]
        Every variable's states, as text: observed nodes, regime nodes and latents.
    tables : Mapping[str, Table]
        Every variable's table except the regime nodes'.
    latents : Mapping[str, tuple[str, ...]]
        Each latent variable's children; together they cover every ``<->`` of G_σ.
    values : Mapping[str, tuple[float, ...]]
        A number for each state of the nodes that have them (numeric states, or a utility).
    training, deployment : Mapping[str, str]
        Each regime node's training and deployment state.
    """

    graph: CausalGraph
    states: Mapping[str, tuple[str, ...]]
    tables: Mapping[str, Table]
    latents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    values: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    training: Mapping[str, str] = field(default_factory=dict)
    deployment: Mapping[str, str] = field(default_factory=dict)

    def given(self, node: str) -> tuple[str, ...]:
        """The variables ``node``'s table is conditioned on, in the table's axis order."""
        table = self.tables.get(node)
        return () if table is None else table.given

    def variables(self) -> tuple[str, ...]:
        """Every variable, in an order where each comes after those its table is given."""
        placed: dict[str, None] = {}
        for root in (*sorted(self.graph.regime), *self.latents):
            placed[root] = None
        waiting = [node for node in self.graph.nodes if node not in placed]
        while waiting:  # a topological order of the σ-model; it is acyclic by validation
            later = [node for node in waiting if any(p not in placed for p in self.given(node))]
            if len(later) == len(waiting):
                raise CausalAlignError(f"the tables of {', '.join(sorted(later))} depend on "
                                       "each other in a cycle", code="E_MODEL_CYCLE")
            placed.update((node, None) for node in waiting if node not in later)
            waiting = later
        return tuple(placed)

    def with_tables(self, tables: Mapping[str, Table]) -> DiscreteModel:
        """A copy with some tables replaced (same states and structure)."""
        return DiscreteModel(self.graph, self.states, {**self.tables, **tables}, self.latents,
                             self.values, self.training, self.deployment)

    def network(self) -> DiscreteBayesianNetwork:
        """The σ-model as a pgmpy ``DiscreteBayesianNetwork`` (regime nodes uniform)."""
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

        network = DiscreteBayesianNetwork()
        network.add_nodes_from(self.variables())
        network.add_edges_from((parent, node) for node, table in self.tables.items()
                               for parent in table.given)
        for node in self.variables():
            states = list(self.states[node])
            table = self.tables.get(node)
            if table is None:
                values = np.full((len(states), 1), 1 / len(states))
                network.add_cpds(TabularCPD(node, len(states), values,
                                            state_names={node: states}))
                continue
            columns = table.probabilities.reshape(-1, len(states)).T
            network.add_cpds(TabularCPD(
                node, len(states), columns, evidence=list(table.given) or None,
                evidence_card=[len(self.states[p]) for p in table.given] or None,
                state_names={name: list(self.states[name]) for name in (node, *table.given)}))
        return network


def model_structure(graph: CausalGraph) -> tuple[dict[str, tuple[str, ...]],
                                                 dict[str, tuple[str, ...]]]:
    """The σ-model's parents of every non-regime node, and one latent per ``<->`` of G_σ.

    Latents are named ``U1``, ``U2``, ... (skipping names the graph uses) in edge order.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A <-> B"], regime="s")
    >>> model_structure(graph)
    ({'A': ('s', 'U1'), 'B': ('U1',), 'U1': ()}, {'U1': ('A', 'B')})
    """
    g_sigma = sigma_graph(graph)
    latents: dict[str, tuple[str, ...]] = {}
    counter = 0
    for edge in graph.edges:
        if edge.bidirected and edge.head in g_sigma.spouses(edge.tail):
            counter += 1
            while f"U{counter}" in graph.node_set:
                counter += 1
            latents[f"U{counter}"] = (edge.tail, edge.head)
    latent_parents: dict[str, list[str]] = {}
    for latent, children in latents.items():
        for child in children:
            latent_parents.setdefault(child, []).append(latent)
    parents = {node: (*g_sigma.parents(node), *latent_parents.get(node, ()))
               for node in graph.nodes if node not in graph.regime}
    parents.update((latent, ()) for latent in latents)
    return parents, latents


def random_model(graph: CausalGraph, *, seed: int | None = None,
                 states: int | Mapping[str, int] = 2, concentration: float = 1.0,
                 like: DiscreteModel | None = None) -> DiscreteModel:
    """A model of ``graph`` whose every table row is drawn from a symmetric Dirichlet.

    Parameters
    ----------
    graph : CausalGraph
    seed : int, optional
        For reproducible draws.
    states : int or Mapping[str, int]
        How many states each variable has (regime nodes always have ``train`` and ``deploy``);
        states are named ``0``, ``1``, ... and valued 0, 1, ...
    concentration : float
        The Dirichlet parameter: 1 is uniform over tables, small values give near-deterministic
        tables, large values near-uniform ones.
    like : DiscreteModel, optional
        Keep this model's states, values, latents and structure; draw only the probabilities.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s")
    >>> model = random_model(graph, seed=0, states={"Y_b": 3})
    >>> model.states["Y_b"], model.values["Y_b"]
    (('0', '1', '2'), (0.0, 1.0, 2.0))
    >>> float(model.tables["Y_b"].probabilities.sum(axis=-1).max())
    1.0
    """
    generator = np.random.default_rng(seed)
    if like is not None:
        tables = {node: Table(node, table.given, _dirichlet(
            generator, table.probabilities.shape, concentration))
            for node, table in like.tables.items()}
        return like.with_tables(tables)
    parents, latents = model_structure(graph)

    def count(node: str) -> int:
        return states if isinstance(states, int) else states.get(node, 2)

    names = {node: tuple(str(state) for state in range(count(node))) for node in parents}
    names.update((node, ("train", "deploy")) for node in graph.regime)
    for node, given in parents.items():
        cells = math.prod(len(names[name]) for name in (*given, node))
        if cells > MAX_CELLS:
            raise CausalAlignError(f"the table of {shown(node)} would hold {cells:,} numbers, "
                                   f"more than {MAX_CELLS:,} (give it or its parents fewer "
                                   "states)")
    tables = {node: Table(node, given, _dirichlet(
        generator, (*(len(names[p]) for p in given), len(names[node])), concentration))
        for node, given in parents.items()}
    values = {node: tuple(float(state) for state in range(len(names[node]))) for node in parents}
    return DiscreteModel(graph, names, tables, latents, values,
                         {node: "train" for node in graph.regime},
                         {node: "deploy" for node in graph.regime})


def _dirichlet(generator: np.random.Generator, shape: Iterable[int],
               concentration: float) -> Array:
    shape = tuple(shape)
    draws = generator.dirichlet(np.full(shape[-1], concentration), size=shape[:-1])
    return np.asarray(draws, dtype=np.float64).reshape(shape)
