"""Uncertain edges: P(aligned) when some edges may or may not exist.

Each uncertain edge has a prior probability of existing, independently of the others. The
regime's edges — which mechanisms shift at deployment? — may instead share one uncertain
*shift rate* θ with a Beta prior, in the spirit of a semi-informative prior: the user states a
first-trial probability p₁ (how likely is a mechanism to shift, before seeing any) and a
strength n (in pseudo-observations); θ ~ Beta(p₁·n, (1 − p₁)·n) and, given θ, each listed
``s -> X`` exists with probability θ. Learning that one mechanism shifts raises the chance
that the next does.

Only edges that can touch the query's ancestral set in G_σ matter: d-separation of the query
is decided inside An(S ∪ Y_b ∪ Y_m), and every configuration's ancestral set lies inside the
one of the graph with *every* uncertain edge present. Edges pointing outside it (or into a σ
target whose context is explicit, which σ cuts) are pruned first. With few relevant edges
P(aligned) is exact, by enumeration; otherwise it is sampled, with its standard error.

More edges can only open paths (a path open in a subgraph stays open, and ancestral sets only
grow), so the verdict is settled exactly either way: aligned when the graph with every possible
edge is aligned, not aligned when the graph with only the certain ones is not.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> Layout", "Layout -> Y_m", "Y_m -> Y_b", "Carrier"
...                                 " -> Y_b", "Far -> Away"], regime="s", base="Y_b", mesa="Y_m")
>>> prior = EdgePrior(edges={"s -> Carrier": 0.2, "Layout -> Y_b": 0.1, "s -> Far": 0.5})
>>> result = check_uncertain_edges(graph, prior)
>>> result.verdict, round(result.p_aligned, 4), result.exact
('undetermined', 0.72, True)
>>> [str(edge) for edge in result.pruned]
['s -> Far']
>>> [(str(item.edge), round(item.value, 3)) for item in result.values]
[('s -> Carrier', 0.2), ('Layout -> Y_b', 0.1), ('s -> Far', 0.0)]
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError
from causal_align.header import ResultHeader, resolve_query
from causal_align.model import CausalGraph, Edge, SoftIntervention, as_names

ALIGNED, NOT_ALIGNED, UNDETERMINED = "aligned", "not aligned", "undetermined"


@dataclass(frozen=True)
class ShiftPrior:
    """A shared, uncertain shift rate θ ~ Beta(first·strength, (1 − first)·strength) for the
    regime edges ``regime -> target``, one per target.

    Examples
    --------
    >>> ShiftPrior("s", ["A", "B"], first=0.25, strength=4).beta
    (1.0, 3.0)
    """

    regime: str
    targets: tuple[str, ...]
    first: float
    strength: float

    def __init__(self, regime: str, targets: Iterable[str], *, first: float,
                 strength: float) -> None:
        object.__setattr__(self, "regime", regime)
        object.__setattr__(self, "targets", as_names(targets))
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "strength", strength)
        if not (0 < first < 1 and math.isfinite(strength) and strength > 0):
            raise CausalAlignError(f"a shift prior needs 0 < first < 1 and strength > 0, found "
                                   f"first={first!r}, strength={strength!r}")

    @property
    def beta(self) -> tuple[float, float]:
        """The Beta prior's parameters (a, b)."""
        return self.first * self.strength, (1 - self.first) * self.strength

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(Edge(self.regime, target) for target in self.targets)


@dataclass(frozen=True)
class EdgePrior:
    """Independent uncertain edges (``"A -> B"`` or ``"A <-> B"`` to probability) and an
    optional :class:`ShiftPrior` for regime edges."""

    edges: Mapping[str, float] = field(default_factory=dict)
    shift: ShiftPrior | None = None

    def __post_init__(self) -> None:
        for text, probability in self.edges.items():
            if (isinstance(probability, bool) or not isinstance(probability, (int, float))
                    or not 0 <= probability <= 1):
                raise CausalAlignError(f"the probability of {text!r} must be between 0 and 1, "
                                       f"found {probability!r}")


@dataclass(frozen=True)
class EdgeValue:
    """What learning one uncertain edge is worth.

    ``p_if_present``/``p_if_absent``: P(aligned) given that the edge exists / does not;
    ``value``: the expected drop in the chance of calling the verdict wrong (calling the more
    probable of aligned and not aligned), i.e. the value of that information under 0-1 loss.
    """

    edge: Edge
    prior: float
    p_if_present: float
    p_if_absent: float
    value: float

    def to_dict(self) -> dict[str, Any]:
        return {"edge": str(self.edge), "prior": self.prior, "p_if_present": self.p_if_present,
                "p_if_absent": self.p_if_absent, "value": self.value}


@dataclass(frozen=True)
class EdgeUncertaintyResult(ResultHeader):
    """P(aligned) over uncertain edges.

    ``exact``: by enumeration of the ``relevant`` edges; else from ``samples`` draws with
    ``standard_error``. ``pruned``: uncertain edges that cannot change the verdict. ``values``:
    every uncertain edge, most valuable to learn first.
    """

    verdict: str
    p_aligned: float
    exact: bool
    samples: int
    standard_error: float
    relevant: tuple[Edge, ...]
    pruned: tuple[Edge, ...]
    values: tuple[EdgeValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"graph": self.graph_name, "verdict": self.verdict, "p_aligned": self.p_aligned,
                "exact": self.exact, "samples": self.samples,
                "standard_error": self.standard_error,
                "relevant": [str(edge) for edge in self.relevant],
                "pruned": [str(edge) for edge in self.pruned],
                "values": [item.to_dict() for item in self.values]}


def check_uncertain_edges(graph: CausalGraph, prior: EdgePrior, *,
                          base: str | Iterable[str] | None = None,
                          mesa: str | Iterable[str] | None = None,
                          regime: str | Iterable[str] | None = None,
                          sigma: Iterable[SoftIntervention] | None = None,
                          max_exact: int = 12, samples: int = 4000, seed: int = 0,
                          executor: Executor | None = None, chunk: int = 256,
                          progress: Callable[[int, int], None] | None = None
                          ) -> EdgeUncertaintyResult:
    """P(aligned) and the value of learning each edge, for ``graph`` plus uncertain edges.

    Parameters
    ----------
    graph : CausalGraph
        The certain part of the diagram (with σ and the default query).
    prior : EdgePrior
        The uncertain edges; none may already be in ``graph``.
    base, mesa, regime, sigma
        Replace the graph's query, as in :func:`~causal_align.alignment.check_inner_alignment`.
    max_exact : int
        Enumerate when at most this many edges are relevant (2**max_exact configurations).
    samples, seed : int
        Draws (and their seed) when sampling.
    executor : concurrent.futures.Executor, optional
        Checks the configurations in chunks of ``chunk`` (a process pool, a Dask client's
        executor); default: one by one.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk of configurations.

    Raises
    ------
    GraphSpecError
        When an uncertain edge names an unknown node, repeats an edge, or could make the
        diagram cyclic (the graph with every uncertain edge must be valid).
    """
    independent = [(_parsed(text), probability) for text, probability in prior.edges.items()]
    shifted = list(prior.shift.edges) if prior.shift else []
    everything = [edge for edge, _ in independent] + shifted
    keys = [edge.key() for edge in everything]
    if len(set(keys)) != len(keys) or set(keys) & {edge.key() for edge in graph.edges}:
        raise CausalAlignError("an uncertain edge is listed twice or is already in the graph "
                               "(list each uncertain edge once, and not under edges:)")
    options: dict[str, Any] = {"base": base, "mesa": mesa, "regime": regime, "sigma": sigma}
    full = _with(graph, everything)  # raises GraphSpecError for unknown nodes or cycles
    header = resolve_query(full, base=base, mesa=mesa, regime=regime)
    certain = [edge for edge, probability in independent if probability == 1]
    relevant = _relevant(full, everything, options)
    pruned = tuple(edge for edge in everything if edge not in relevant)
    possible = [edge for edge, probability in independent if probability > 0] + shifted
    verdict = UNDETERMINED
    if check_inner_alignment(_with(graph, possible), limit=0, **options).aligned:
        verdict = ALIGNED
    elif not check_inner_alignment(_with(graph, certain), limit=0, **options).aligned:
        verdict = NOT_ALIGNED
    model = _Model(independent, prior.shift, relevant)
    weights: dict[tuple[bool, ...], float]
    outcomes: dict[tuple[bool, ...], bool]
    if verdict != UNDETERMINED:
        weights = {(): 1.0}
        outcomes = {(): verdict == ALIGNED}
        exact, drawn = True, 0
    elif len(relevant) <= max_exact:
        configurations = list(itertools.product((False, True), repeat=len(relevant)))
        weights = {config: model.probability(config) for config in configurations}
        outcomes = _outcomes(graph, relevant, configurations, options, executor, chunk,
                             progress)
        exact, drawn = True, 0
    else:
        rng = random.Random(seed)
        draws = [model.draw(rng) for _ in range(samples)]
        outcomes = _outcomes(graph, relevant, sorted(set(draws)), options, executor, chunk,
                             progress)
        weights = {}
        for config in draws:
            weights[config] = weights.get(config, 0.0) + 1 / samples
        exact, drawn = False, samples
    p_aligned = math.fsum(weight for config, weight in weights.items() if outcomes[config])
    error = 0.0 if exact else math.sqrt(max(p_aligned * (1 - p_aligned), 0.25 / samples)
                                        / samples)
    values = _values(everything, relevant, model, weights, outcomes, p_aligned,
                     verdict != UNDETERMINED)
    return EdgeUncertaintyResult(verdict, p_aligned, exact, drawn, error, tuple(relevant),
                                 pruned, values, **header.keywords())


def _parsed(text: str) -> Edge:
    edge = Edge.parse(text)
    if edge is None:
        raise CausalAlignError(f"expected an edge like \"A -> B\" or \"A <-> B\", found {text!r}")
    return edge


def _with(graph: CausalGraph, extra: Sequence[Edge]) -> CausalGraph:
    return CausalGraph(graph.labels, [*graph.edges, *extra], regime=sorted(graph.regime),
                       sigma=graph.sigma, base=sorted(graph.base) or None,
                       mesa=sorted(graph.mesa), query_regime=sorted(graph.query_regime),
                       name=graph.name, description=graph.description)


def _relevant(full: CausalGraph, edges: list[Edge], options: dict[str, Any]) -> list[Edge]:
    """The uncertain edges inside the ancestral set of the query in G_σ of the fullest graph.

    An edge into a σ target with an explicit context is cut by σ; a ``<->`` edge at a σ target
    too. Every other edge matters only when its head (both ends, for ``<->``) is an ancestor of
    a query node.
    """
    result = check_inner_alignment(full, limit=0, **options)
    diagram = result.diagram
    query = {*result.base, *result.mesa, *result.regime}
    above, stack = set(query), list(query)
    while stack:
        for parent in diagram.parents(stack.pop()):
            if parent not in above:
                above.add(parent)
                stack.append(parent)
    sigma = full.sigma if options["sigma"] is None else tuple(options["sigma"])
    reads = {item.target: item.context for item in sigma}
    kept = []
    for edge in edges:
        if edge.bidirected:
            inside = {edge.tail, edge.head} <= above and not set(reads) & {edge.tail, edge.head}
        else:
            inside = edge.head in above and reads.get(edge.head, None) is None
        if inside:
            kept.append(edge)
    return kept


class _Model:
    """The prior over the relevant edges: independent ones, and regime edges sharing θ."""

    def __init__(self, independent: list[tuple[Edge, float]], shift: ShiftPrior | None,
                 relevant: list[Edge]) -> None:
        self.chance = dict(independent)
        self.relevant = relevant
        self.fixed = [self.chance.get(edge) for edge in relevant]  # None: a shift edge
        self.beta = shift.beta if shift else (1.0, 1.0)

    def probability(self, config: tuple[bool, ...]) -> float:
        weight, on, off = 1.0, 0, 0
        for present, chance in zip(config, self.fixed):
            if chance is None:
                on, off = on + present, off + (not present)
            else:
                weight *= chance if present else 1 - chance
        a, b = self.beta
        return weight * math.exp(math.lgamma(a + on) + math.lgamma(b + off)
                                 - math.lgamma(a + b + on + off) - math.lgamma(a)
                                 - math.lgamma(b) + math.lgamma(a + b))

    def shift_mean(self, config: tuple[bool, ...]) -> float:
        """E[θ | the relevant shift edges in ``config``]: the chance that a further shift edge
        (one pruned as irrelevant) exists, given this configuration."""
        on = sum(present for present, chance in zip(config, self.fixed) if chance is None)
        seen = sum(chance is None for chance in self.fixed)
        a, b = self.beta
        return (a + on) / (a + b + seen)

    def draw(self, rng: random.Random) -> tuple[bool, ...]:
        theta = rng.betavariate(*self.beta)
        return tuple(rng.random() < (theta if chance is None else chance)
                     for chance in self.fixed)


def _outcomes(graph: CausalGraph, relevant: list[Edge], configurations: list[tuple[bool, ...]],
              options: dict[str, Any], executor: Executor | None, chunk: int,
              progress: Callable[[int, int], None] | None) -> dict[tuple[bool, ...], bool]:
    if chunk < 1:
        raise CausalAlignError(f"chunk must be at least 1, found {chunk}")
    parts = [configurations[start:start + chunk] for start in range(0, len(configurations), chunk)]
    count = len(parts)
    found = (map(_check_chunk, [graph] * count, [relevant] * count, parts, [options] * count)
             if executor is None else
             executor.map(_check_chunk, [graph] * count, [relevant] * count, parts,
                          [options] * count))
    verdicts: list[bool] = []
    for part in found:
        verdicts.extend(part)
        if progress is not None:
            progress(len(verdicts), len(configurations))
    return dict(zip(configurations, verdicts))


def _check_chunk(graph: CausalGraph, relevant: list[Edge], configurations: list[tuple[bool, ...]],
                 options: dict[str, Any]) -> list[bool]:
    """The verdict in each configuration (module level, so that process pools can pickle it)."""
    return [check_inner_alignment(_with(graph, [edge for edge, on in zip(relevant, config)
                                                if on]), limit=0, **options).aligned
            for config in configurations]


def _values(everything: list[Edge], relevant: list[Edge], model: _Model,
            weights: dict[tuple[bool, ...], float], outcomes: dict[tuple[bool, ...], bool],
            p_aligned: float, settled: bool) -> tuple[EdgeValue, ...]:
    def wrong(p: float) -> float:
        return min(p, 1 - p)

    found = []
    for edge in everything:
        prior = _prior_of(edge, model, relevant)
        if settled or (edge not in relevant and edge in model.chance):
            found.append(EdgeValue(edge, prior, p_aligned, p_aligned, 0.0))
            continue
        if edge in relevant:
            index = relevant.index(edge)
            chances = {config: float(config[index]) for config in weights}
        else:  # a pruned shift edge: it tells about θ, and so about the relevant shift edges
            chances = {config: model.shift_mean(config) for config in weights}
        present = math.fsum(w * chances[config] for config, w in weights.items())
        hit = math.fsum(w * chances[config] for config, w in weights.items() if outcomes[config])
        miss = math.fsum(w * (1 - chances[config]) for config, w in weights.items()
                         if outcomes[config])
        if_present = hit / present if present > 0 else p_aligned
        if_absent = miss / (1 - present) if present < 1 else p_aligned
        value = wrong(p_aligned) - (present * wrong(if_present)
                                    + (1 - present) * wrong(if_absent))
        found.append(EdgeValue(edge, prior, if_present, if_absent, max(value, 0.0)))
    found.sort(key=lambda item: (-item.value, str(item.edge)))
    return tuple(found)


def _prior_of(edge: Edge, model: _Model, relevant: list[Edge]) -> float:
    """The prior probability that ``edge`` exists (the Beta mean for a shift edge)."""
    chance = model.chance.get(edge)
    if chance is not None:
        return chance
    a, b = model.beta
    return a / (a + b)
