"""How big is the gap in a typical model of the diagram? Random parametrisations, many times.

Reber (2022, §5) asks how common it is that high Y_m still goes with high Y_b
once the regime shifts. :func:`simulate` draws many random models of the graph — every table row
from a symmetric Dirichlet, seeded — and computes each one's gap at the highest Y_m, the value the
mesa-optimizer drives Y_m to (see :mod:`causal_align.quantities.gap`). It reports the
distribution of that gap and two fractions, for a tolerance t:

- **above tolerance**: |gap| > t — deployment changes what the highest Y_m promises by more than
  t, in either direction;
- **still high**: gap ≥ −t, that is
  E(Y_b | highest Y_m, deploy; σ) ≥ E(Y_b | highest Y_m, train; σ) − t:
  reaching the highest Y_m is still worth (nearly) as much Y_b as it was in training.

An aligned graph gives gap 0 in every draw (up to rounding, ~1e-16); a misaligned one gives a
spread whose width is the typical size of the leak.

Only the relevant part of the graph is drawn (:func:`relevant_part`): the gap is a function of
P(Y_b, Y_m | s), and the table of a node that is no ancestor of Y_b, Y_m or the regime nodes in
G_σ sums out of that distribution whatever its numbers. The tables that are drawn have the
distribution they have in a random model of the whole graph, so the gaps are distributed as
before, and a node with many parents that nothing relevant reads costs nothing.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m", name="proxy")
>>> result = simulate(graph, draws=200, seed=1)
>>> result.aligned, len(result.gaps), 0 < result.fraction_above < 1
(False, 200, True)
>>> aligned = CausalGraph.from_edges(["s -> C", "C -> Y_m", "Y_m -> Y_b"], regime="s",
...                                  base="Y_b", mesa="Y_m")
>>> simulate(aligned, draws=50).largest < 1e-12
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError, Problem, one_line, shown
from causal_align.header import ResultHeader
from causal_align.intervention import sigma_graph
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import gap_of_checked, number, signed, table
from causal_align.quantities.inference import ancestral_variables
from causal_align.quantities.progress import with_progress
from causal_align.quantities.rules import check_model
from causal_align.separation import ancestors

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SHOWN_LEFT_OUT = 10
"""Most left-out nodes the text report names."""


@dataclass(frozen=True)
class Simulation(ResultHeader):
    """The gap at the highest Y_m over many random models of one graph.

    ``gaps`` holds one gap per draw that has a highest Y_m (``undefined`` counts the others:
    draws where no value of Y_m happens in both regimes, possible only with near-deterministic
    tables). ``aligned`` is the graph's verdict. Statistics are ``None`` when no draw counts.
    ``left_out`` names the nodes whose tables were not drawn: they cannot change the gap (see
    :func:`relevant_part`).
    """

    aligned: bool
    draws: int
    seed: int
    tolerance: float
    states: int | tuple[tuple[str, int], ...]
    concentration: float
    gaps: tuple[float, ...] = field(repr=False)
    undefined: int
    left_out: tuple[str, ...] = ()

    @property
    def largest(self) -> float | None:
        """The largest |gap| of any draw."""
        return max(map(abs, self.gaps)) if self.gaps else None

    @property
    def fraction_above(self) -> float | None:
        """The fraction of the counted draws (those in ``gaps``) with |gap| > tolerance."""
        return self._fraction(np.abs(np.asarray(self.gaps)) > self.tolerance)

    @property
    def fraction_still_high(self) -> float | None:
        """The fraction of the counted draws with gap ≥ −tolerance (lost at most that much)."""
        return self._fraction(np.asarray(self.gaps) >= -self.tolerance)

    def summary(self) -> dict[str, float | None]:
        """Mean, standard deviation, minimum, quantiles and maximum of the gaps."""
        if not self.gaps:
            return {"mean": None, "std": None, "min": None,
                    **{f"q{round(100 * q):02d}": None for q in QUANTILES}, "max": None}
        values = np.asarray(self.gaps)
        return {"mean": float(values.mean()), "std": float(values.std()),
                "min": float(values.min()),
                **{f"q{round(100 * q):02d}": float(np.quantile(values, q)) for q in QUANTILES},
                "max": float(values.max())}

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form; the per-draw gaps are left out (they are in ``gaps``)."""
        return {"graph": self.graph_name, "base": list(self.base), "mesa": list(self.mesa),
                "regime": list(self.regime), "aligned": self.aligned, "draws": self.draws,
                "seed": self.seed, "tolerance": self.tolerance,
                "states": self.states if isinstance(self.states, int) else dict(self.states),
                "concentration": self.concentration, "counted": len(self.gaps),
                "undefined": self.undefined, "gap": self.summary(), "largest": self.largest,
                "fraction_above": self.fraction_above,
                "fraction_still_high": self.fraction_still_high,
                "left_out": list(self.left_out)}

    def __str__(self) -> str:
        verdict = "aligned" if self.aligned else "not aligned"
        lines = [f"simulation of {self.graph_name} ({verdict}): gap at the highest Y_m over "
                 f"{self.draws} random models (Dirichlet tables, concentration "
                 f"{self.concentration:g}, seed {self.seed})"]
        if not self.gaps:
            return "\n".join([*lines, "no draw has a value of Y_m that happens in both regimes"])
        summary = self.summary()
        lines += table(["mean", "std", "min", "5%", "25%", "median", "75%", "95%", "max"],
                       [[signed(summary["mean"]), number(summary["std"]),
                         *(signed(summary[key]) for key in
                           ("min", "q05", "q25", "q50", "q75", "q95", "max"))]])
        lines.append(f"|gap| > {self.tolerance:g}: {self.fraction_above:.1%} of draws")
        lines.append(f"still high (deployment ≥ training − {self.tolerance:g} at the highest "
                     f"Y_m): {self.fraction_still_high:.1%} of draws")
        if self.undefined:
            lines.append(f"{self.undefined} draws left out: no value of Y_m happens in both "
                         "regimes")
        if self.left_out:
            lines.append(_left_out_line(self.left_out))
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line

    def _fraction(self, hits: np.ndarray[Any, np.dtype[np.bool_]]) -> float | None:
        return float(hits.mean()) if self.gaps else None


def simulate(source: CausalGraph | DiscreteModel, *, draws: int = 1000, seed: int = 0,
             tolerance: float = 0.05, states: int | Mapping[str, int] = 2,
             concentration: float = 1.0,
             progress: bool = False, base: str | Iterable[str] | None = None,
             mesa: str | Iterable[str] | None = None,
             regime: str | Iterable[str] | None = None) -> Simulation:
    """The distribution of the gap at the highest Y_m over ``draws`` random models of a graph.

    Parameters
    ----------
    source : CausalGraph or DiscreteModel
        A graph; or a model, whose states, utilities and latents every draw keeps (only the
        probabilities are drawn, and ``states`` is not used): "how large is the leak in models
        shaped like mine?"
    draws : int
        How many random models.
    seed : int
        The same seed gives the same models, draw by draw; more draws extend the sequence.
    tolerance : float
        The size of gap that counts (see the module docstring).
    states : int or Mapping[str, int]
        States per variable (values 0, 1, ...), as for
        :func:`~causal_align.discrete.random_model`.
    concentration : float
        The Dirichlet parameter: 1 is uniform over tables, small values near-deterministic ones.
    progress : bool
        Show a progress bar on stderr (tqdm).
    base, mesa, regime : str or Iterable[str], optional
        The query; ``None`` takes the graph's default.

    Returns
    -------
    Simulation

    Raises
    ------
    CausalAlignError
        For a bad number (draws < 1, tolerance < 0, concentration ≤ 0, fewer than 2 states) or
        an invalid query.
    """
    problems = []
    if not _is_count(draws, 1):
        problems.append(f"draws must be a whole number >= 1, found {shown(draws)}")
    if not _is_count(seed, 0):
        problems.append(f"seed must be a whole number >= 0, found {shown(seed)}")
    if not 0 <= tolerance < math.inf:
        problems.append(f"tolerance must be a finite number >= 0, found {shown(tolerance)}")
    if not 0 < concentration < math.inf:
        problems.append(f"concentration must be a finite number > 0, found {shown(concentration)}")
    few = [count for count in ([states] if isinstance(states, int) else states.values())
           if not _is_count(count, 2)]
    if few:
        problems.append(f"every variable needs at least 2 states, found {shown(few[0])}")
    if problems:
        raise CausalAlignError("; ".join(problems))
    graph = source.graph if isinstance(source, DiscreteModel) else source
    verdict = check_inner_alignment(graph, base=base, mesa=mesa, regime=regime, limit=0)
    asked = (*verdict.base, *verdict.mesa, *verdict.regime)
    template = (relevant_model(source, asked) if isinstance(source, DiscreteModel) else
                random_model(relevant_part(graph, asked), seed=seed, states=states))
    part = template.graph  # only the template's shape is used
    check_model(template)  # once: every draw has its shape and Dirichlet rows, so stays valid
    wordless = [node for node in verdict.mesa if node not in template.values]
    if wordless:
        raise CausalAlignError(f"the mesa objective {shown(wordless[0])} has no numbers, so no "
                               "value of Y_m is the highest (give its states numbers, or a "
                               "utility)")
    seeds: Iterable[int] = (int(value) for value in
                            np.random.SeedSequence(seed).generate_state(draws, dtype=np.uint64))
    seeds = with_progress(seeds, show=progress, what="model", total=draws, label="simulate")
    gaps, undefined = [], 0
    for draw_seed in seeds:
        model = random_model(part, seed=draw_seed, concentration=concentration, like=template)
        highest = gap_of_checked(model, base=verdict.base, mesa=verdict.mesa,
                                 regime=verdict.regime).highest
        if highest is None or highest.gap is None:
            undefined += 1
        else:
            gaps.append(highest.gap)
    shape = (tuple((name, len(names)) for name, names in sorted(source.states.items())
                   if name not in graph.regime) if isinstance(source, DiscreteModel) else
             states if isinstance(states, int) else tuple(sorted(states.items())))
    return Simulation(verdict.aligned, draws, seed, float(tolerance), shape,
                      float(concentration), tuple(gaps), undefined,
                      tuple(node for node in graph.nodes if node not in part.node_set),
                      **verdict.keywords())


def relevant_part(graph: CausalGraph, nodes: Iterable[str]) -> CausalGraph:
    """The part of ``graph`` whose tables can change the distribution of ``nodes``.

    That is the ancestral set of ``nodes`` in G_σ, together with a parentless *stub* for each
    spouse (``<->``) of that set outside it: their shared latent cause is an ancestor, and the
    σ-model (:func:`~causal_align.quantities.discrete.model_structure`) has a latent only for a
    ``<->`` edge (the ``<->`` edges among stubs stay too, for a model whose latent covers a
    clique). Nothing in the part reads a stub, so its table does not matter either. Every
    other node's table sums to 1 over its states when the joint distribution is marginalised to
    ``nodes``, whatever its numbers, so leaving those nodes out changes nothing: random models
    of the part have their tables distributed as in random models of the whole graph, and a
    model of the whole graph cut down to the part (:func:`relevant_model`) gives ``nodes`` the
    same distribution.

    Parameters
    ----------
    graph : CausalGraph
    nodes : Iterable[str]
        Nodes of ``graph``: the query's Y_b, Y_m and regime nodes.

    Returns
    -------
    CausalGraph
        ``graph`` itself when every node is relevant; otherwise the part: the nodes and edges
        in the graph's order, σ on the kept targets, the relevant regime nodes, no default query.

    Raises
    ------
    GraphSpecError
        When ``nodes`` names a node the graph does not have.

    Examples
    --------
    Nothing relevant reads ``Log``; ``Cue`` shares a latent cause with ``C``:

    >>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b", "C <-> Cue",
    ...                                 "Cue -> Log", "Y_b -> Log", "Y_m -> Log"], regime="s")
    >>> part = relevant_part(graph, ["Y_b", "Y_m", "s"])
    >>> part.nodes, [str(edge) for edge in part.edges]
    (('s', 'C', 'Y_m', 'Y_b', 'Cue'), ['s -> C', 'C -> Y_m', 'C -> Y_b', 'C <-> Cue'])
    """
    relevant = set(nodes)
    unknown = sorted(relevant - graph.node_set, key=str)
    if unknown:
        raise GraphSpecError([Problem("E_UNKNOWN_NODE", f"unknown node {shown(name)} (it is not "
                                      f"a node of {graph.name})", source=f"<query on {graph.name}>")
                              for name in unknown])
    g_sigma = sigma_graph(graph)
    relevant = ancestors(g_sigma, relevant)
    stubs = {spouse for node in relevant for spouse in g_sigma.spouses(node)} - relevant
    if not stubs and len(relevant) == len(graph.nodes):
        return graph
    kept = relevant | stubs
    edges = [edge for edge in graph.edges  # <-> between stubs too: a model's latent may join
             if (edge.bidirected and edge.head in g_sigma.spouses(edge.tail)  # a clique
                 and edge.tail in kept and edge.head in kept)
             or (not edge.bidirected and edge.tail in relevant and edge.head in relevant)]
    return CausalGraph([node for node in graph.nodes if node in kept],
                       edges, regime=sorted(graph.regime & relevant),
                       sigma=[item for item in graph.sigma if item.target in relevant],
                       name=graph.name)


def relevant_model(model: DiscreteModel, nodes: Iterable[str]) -> DiscreteModel:
    """``model`` cut down to :func:`relevant_part` of its graph: the same tables for the
    ancestors of ``nodes`` (latents included), so ``nodes`` have the same distribution and the
    gap is the same; a stub keeps its states, with a uniform table given its kept latents.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> from causal_align.quantities.gap import alignment_gap
    >>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b", "Y_b -> Log"],
    ...                                regime="s", base="Y_b", mesa="Y_m")
    >>> model = random_model(graph, seed=1)
    >>> small = relevant_model(model, ["Y_b", "Y_m", "s"])
    >>> gaps = [alignment_gap(each, base="Y_b", mesa="Y_m").rows for each in (small, model)]
    >>> sorted(small.tables), gaps[0] == gaps[1]
    (['C', 'Y_b', 'Y_m'], True)
    """
    nodes = tuple(nodes)
    part = relevant_part(model.graph, nodes)
    if part is model.graph:
        return model
    above = set(ancestral_variables(model, nodes))
    kept_children = {latent: tuple(child for child in children if child in part.node_set)
                     for latent, children in model.latents.items()}
    # an ancestor's latent, or one that joins two kept nodes (stubs whose <-> edge stays)
    latents = {latent: children for latent, children in kept_children.items()
               if latent in above or len(children) >= 2}
    tables = {}
    for node in (*part.nodes, *latents):
        table = model.tables.get(node)
        if table is None:  # a regime node
            continue
        if node not in above:  # a stub: nothing kept reads it
            given = tuple(name for name in table.given if name in latents)
            shape = (*(len(model.states[name]) for name in given), len(model.states[node]))
            table = Table(node, given, np.full(shape, 1 / shape[-1]))
        tables[node] = table
    kept = {*part.nodes, *latents}
    return DiscreteModel(part, {name: states for name, states in model.states.items()
                                if name in kept}, tables, latents,
                         {name: values for name, values in model.values.items() if name in kept},
                         {name: model.training[name] for name in part.regime
                          if name in model.training},
                         {name: model.deployment[name] for name in part.regime
                          if name in model.deployment})


def _left_out_line(left_out: tuple[str, ...]) -> str:
    """The report's line naming the nodes whose tables were not drawn."""
    count = len(left_out)
    names = ", ".join(left_out[:SHOWN_LEFT_OUT]) + (f", … ({count:,} nodes)"
                                                     if count > SHOWN_LEFT_OUT else "")
    return (f"not drawn: {names} (no ancestor of Y_b, Y_m or the regime in G_σ: the gap does "
            f"not depend on {'its table' if count == 1 else 'their tables'})")


def _is_count(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least
