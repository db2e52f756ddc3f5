"""Learning a partially directed diagram from pooled training and deployment samples.

The samples of both regimes are pooled, with the regime as a column (``s``). The PC algorithm
of ``causal-learn`` (the ``learn`` extra; imported only here, when used) finds the skeleton by
conditional-independence tests and orients what the tests identify, with ``s`` in tier 0 (it is
exogenous: no edge points into it). The result is a partially directed diagram: its ``--``
edges are the directions the data cannot tell, and :func:`check_under_uncertainty
<causal_align.uncertainty.verdict.check_under_uncertainty>` gives the verdict over them. The
regime column itself orients edges that training data alone cannot: ``s -> X -- Y`` with ``s``
and ``Y`` not adjacent forces ``X -> Y`` (Meek's R1), and ``s -> X <- Z`` is a v-structure.

Which test decides independence matters: ``fisherz`` (partial correlation) assumes linear,
Gaussian relations and cannot see a shift that only changes a variance or a non-linear
dependence, so such an ``s -> X`` edge is missed and the learned diagram can look aligned when
it is not. ``chisq`` and ``gsq`` treat every column as discrete (each distinct value a category)
and need many samples per cell.

Bootstrap resamples (:func:`bootstrap`) give how often each edge is found and the verdicts over
the learned diagrams; they run through any ``concurrent.futures.Executor``.

Examples
--------
>>> import pandas
>>> data = pandas.read_csv("examples/uncertainty/tutoring_samples.csv")
>>> learned = learn_partial_graph(data, regime="s", sigma=[SoftIntervention("Plan", [])],
...                               base="Mastery", mesa="Score", name="tutoring_learned")
>>> learned.closed_directed, learned.closed_undirected
((('Motivation', 'Score'), ('s', 'Score')), (('Mastery', 'Plan'), ('Motivation', 'Plan')))
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.model import SoftIntervention
from causal_align.uncertainty.partial import PartialGraph, build_partial
from causal_align.uncertainty.verdict import check_under_uncertainty

if TYPE_CHECKING:
    import pandas

TESTS = ("fisherz", "chisq", "gsq")
BLIND_SPOTS = {
    "fisherz": "Fisher-z tests partial correlations: it assumes linear, Gaussian relations and "
               "cannot see a shift that only changes a variance or a non-linear dependence",
    "chisq": "the chi-square test treats every column as discrete (each distinct value a "
             "category) and needs many samples per cell; sparse cells hide weak shifts",
    "gsq": "the G-test treats every column as discrete (each distinct value a category) and "
           "needs many samples per cell; sparse cells hide weak shifts",
}
"""What each independence test cannot see."""


def learn_partial_graph(data: pandas.DataFrame, *, regime: str = "s", alpha: float = 0.05,
                        test: str = "fisherz", sigma: Iterable[SoftIntervention] = (),
                        base: str | Iterable[str] | None = None,
                        mesa: str | Iterable[str] | None = None,
                        name: str = "learned") -> PartialGraph:
    """The PC algorithm's partially directed diagram of ``data``, ``regime`` in tier 0.

    Parameters
    ----------
    data : pandas.DataFrame
        Pooled samples of both regimes; every column is a node, ``regime`` is one of them.
    alpha : float
        Significance level of the independence tests.
    test : {"fisherz", "chisq", "gsq"}
        The conditional-independence test (see :data:`BLIND_SPOTS`).
    sigma, base, mesa
        σ and the query, stored in the diagram.

    Raises
    ------
    CausalAlignError
        For a missing regime column, a bad test or alpha, or too little data.
    GraphSpecError
        When the learned edges admit no DAG (conflicting v-structures in finite samples;
        ``E_NO_EXTENSION``) or name invalid nodes.
    """
    columns, matrix = _prepared(data, regime, test, alpha)
    edges = _pc_edges(matrix, columns, regime, alpha, test)
    return build_partial({column: "" for column in columns}, edges, regime=regime,
                         sigma=tuple(sigma), base=base, mesa=mesa, name=name)


def _prepared(data: pandas.DataFrame, regime: str, test: str,
              alpha: float) -> tuple[list[str], Any]:
    import numpy
    import pandas

    if test not in TESTS:
        raise CausalAlignError(f"unknown test {test!r} (expected one of: {', '.join(TESTS)})")
    if not 0 < alpha < 1:
        raise CausalAlignError(f"alpha must be between 0 and 1, found {alpha!r}")
    columns = [str(column) for column in data.columns]
    if regime not in columns:
        raise CausalAlignError(f"no column {regime!r} for the regime (columns: "
                               f"{', '.join(columns)}; name it with --regime)")
    if len(data) < 10 or len(columns) < 2:
        raise CausalAlignError(f"too little data to learn from: {len(data)} rows, "
                               f"{len(columns)} columns (need at least 10 rows and 2 columns)")
    if data.isna().any().any():
        raise CausalAlignError("the samples have missing values (drop or impute them first)")
    frame = pandas.DataFrame(index=data.index)
    for column in data.columns:
        values = data[column]
        numeric = pandas.api.types.is_numeric_dtype(values) and not (
            pandas.api.types.is_bool_dtype(values))
        if test == "fisherz" and numeric and str(column) != regime:
            frame[str(column)] = values.astype(float)
        else:
            frame[str(column)] = pandas.factorize(values, sort=True)[0]
    if test == "fisherz" and (frame.std() == 0).any():
        constant = [str(c) for c, sd in frame.std().items() if sd == 0]
        raise CausalAlignError(f"constant columns cannot be tested: {', '.join(constant)}")
    return columns, numpy.asarray(frame, dtype=float)


def _pc_edges(matrix: Any, columns: list[str], regime: str, alpha: float,
              test: str) -> list[str]:
    """Run PC with the regime in tier 0; the edges as ``->``/``--`` strings."""
    import warnings

    from causallearn.graph.GraphNode import GraphNode  # type: ignore[import-untyped]
    from causallearn.search.ConstraintBased.PC import pc  # type: ignore[import-untyped]
    from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge  # type: ignore[import-untyped]

    knowledge = BackgroundKnowledge()
    for column in columns:
        knowledge.add_node_to_tier(GraphNode(column), 0 if column == regime else 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = pc(matrix, alpha, test, node_names=columns, background_knowledge=knowledge,
                   show_progress=False)
    marks = found.G.graph
    edges = []
    for i, first in enumerate(columns):
        for j in range(i + 1, len(columns)):
            second = columns[j]
            forward, backward = marks[j, i], marks[i, j]  # causal-learn: i -> j is (1, -1)
            if forward == 0 and backward == 0:
                continue
            if forward == 1 and backward == -1:
                edges.append(f"{first} -> {second}")
            elif forward == -1 and backward == 1:
                edges.append(f"{second} -> {first}")
            else:  # undirected, or a conflict between v-structures: direction unknown
                edges.append(f"{first} -- {second}")
    return edges


@dataclass(frozen=True)
class Bootstrap:
    """Learning repeated on bootstrap resamples.

    ``edges`` maps each learned adjacency (``"A -> B"``, ``"A -- B"``) to the fraction of
    resamples that found it; ``verdicts`` counts the uncertain verdicts over the learned
    diagrams (``"failed"``: no DAG fits that resample's edges); ``p_aligned`` is the fraction of
    resamples whose diagram is aligned in every member.
    """

    resamples: int
    edges: dict[str, float]
    verdicts: dict[str, int]
    p_aligned: float

    def to_dict(self) -> dict[str, Any]:
        return {"resamples": self.resamples, "p_aligned": self.p_aligned,
                "verdicts": dict(sorted(self.verdicts.items())),
                "edges": dict(sorted(self.edges.items(), key=lambda item: (-item[1], item[0])))}


def bootstrap(data: pandas.DataFrame, *, resamples: int = 100, seed: int = 0,
              executor: Executor | None = None, regime: str = "s", alpha: float = 0.05,
              test: str = "fisherz", sigma: Sequence[SoftIntervention] = (),
              base: str | Iterable[str] | None = None,
              mesa: str | Iterable[str] | None = None,
              progress: Callable[[int, int], None] | None = None) -> Bootstrap:
    """Learn on ``resamples`` bootstrap resamples of ``data`` (rows drawn with replacement).

    The query (``base``, ``mesa``, ``sigma``) must be given for the verdicts; ``progress`` is
    called as ``progress(done, resamples)`` after each resample.

    Examples
    --------
    >>> import pandas
    >>> data = pandas.read_csv("examples/uncertainty/tutoring_samples.csv")
    >>> found = bootstrap(data, resamples=5, sigma=[SoftIntervention("Plan", [])],
    ...                   base="Mastery", mesa="Score")
    >>> found.verdicts, found.edges["s -> Score"]
    ({'aligned': 1, 'undetermined': 4}, 1.0)
    """
    if resamples < 1:
        raise CausalAlignError(f"resamples must be at least 1, found {resamples}")
    options = {"regime": regime, "alpha": alpha, "test": test, "sigma": tuple(sigma),
               "base": base, "mesa": mesa}
    rng = random.Random(seed)
    seeds = [rng.randrange(2**32) for _ in range(resamples)]
    found = (map(_one_resample, [data] * resamples, seeds, [options] * resamples)
             if executor is None else
             executor.map(_one_resample, [data] * resamples, seeds, [options] * resamples))
    outcomes = []
    for outcome in found:
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes), resamples)
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for edges, verdict in outcomes:
        counts.update(edges)
        verdicts[verdict] += 1
    return Bootstrap(resamples, {edge: count / resamples for edge, count in counts.items()},
                     dict(verdicts), verdicts["aligned"] / resamples)


def _one_resample(data: pandas.DataFrame, seed: int,
                  options: dict[str, Any]) -> tuple[list[str], str]:
    """One bootstrap resample's learned edges and verdict (module level, for process pools)."""
    sample = data.sample(n=len(data), replace=True, random_state=seed).reset_index(drop=True)
    try:
        learned = learn_partial_graph(sample, **options)
    except GraphSpecError as error:
        if any(problem.code == "E_NO_EXTENSION" for problem in error.problems):
            return [], "failed"
        raise
    edges = ([f"{a} -> {b}" for a, b in learned.closed_directed]
             + [f"{a} -- {b}" for a, b in learned.closed_undirected])
    if options["base"] is None:
        return edges, "no query"
    return edges, check_under_uncertainty(learned).verdict
