"""The independences a diagram implies among its observed variables, and testing them on data.

Alignment is one d-separation in G_σ; the diagram claims many more. For every pair X, Y of
observed nodes that G_σ does not join by an edge (``->``, ``<-`` or ``<->``), we take one
*minimal* set Z of observed nodes that d-separates them in G_σ (van der Zander, Liśkiewicz &
Textor 2019, searched among the ancestors of X and Y), and the diagram implies X ⊥ Y | Z in
every model of it, in both regimes pooled — the regime node is a variable like any other, observed
as the regime column. A pair that only latent variables could separate implies nothing the
columns can test and is left out. This is the "missing edge" basis (dagitty's
``impliedConditionalIndependencies(type = "missing.edge")``): every claim follows from the
diagram, but the list need not capture every constraint it imposes (latent variables add
constraints that are no independences), so passing every test is evidence for the diagram, not
proof of it.

:func:`falsify` tests each claim on samples with :func:`~causal_align.data_check.ci_test`,
corrects the p-values for testing many claims at once, and lists the claims the data reject
first. A rejected X ⊥ Y | Z says the diagram misses some connection that joins X and Y given Z:
an edge, a latent confounder, or a path through them (or the data break the test's
assumptions, e.g. a nonlinear relation under the partial correlation).

Examples
--------
Without the latent confounder, the chain implies three independences; with it, s and Y_b have
no observed separator (conditioning on X opens ``s -> X <-> Y_b``) and only one is left:

>>> from causal_align.model import CausalGraph
>>> chain = ["s -> X", "X -> Y_m", "Y_m -> Y_b"]
>>> [str(item) for item in implied_independences(CausalGraph.from_edges(chain, regime="s"))]
['s ⊥ Y_m | X', 's ⊥ Y_b | X', 'X ⊥ Y_b | Y_m']
>>> graph = CausalGraph.from_edges([*chain, "X <-> Y_b"], regime="s")
>>> [str(item) for item in implied_independences(graph)]
['s ⊥ Y_m | X']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causal_align.data_check import CITest, ci_test
from causal_align.errors import CausalAlignError, GraphSpecError, Problem, shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph
from causal_align.samples import check_columns
from causal_align.separation import minimal_separator
from causal_align.validate import suggest

if TYPE_CHECKING:
    from pandas import DataFrame

CORRECTIONS = ("holm", "fdr_bh", "bonferroni")
"""Multiple-testing corrections, by their statsmodels names."""


@dataclass(frozen=True)
class Independence:
    """``x ⊥ y | given``: a conditional independence the diagram implies.

    >>> print(Independence("A", "B", ("C", "D")), Independence("A", "B", ()), sep="; ")
    A ⊥ B | C, D; A ⊥ B
    """

    x: str
    y: str
    given: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.x} ⊥ {self.y}" + (f" | {', '.join(self.given)}" if self.given else "")

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "given": list(self.given), "text": str(self)}


@dataclass(frozen=True)
class IndependenceResult:
    """One implied independence, its test on the data, and the corrected p-value."""

    independence: Independence
    test: CITest
    adjusted_p_value: float
    rejected: bool

    def to_dict(self) -> dict[str, Any]:
        return {"independence": self.independence.to_dict(), "rejected": self.rejected,
                "adjusted_p_value": self.adjusted_p_value, "test": self.test.to_dict()}


@dataclass(frozen=True)
class Falsification:
    """Every implied independence among the observed columns, tested; rejected ones first.

    ``observed`` are the nodes with a column; ``unseparated`` the non-adjacent observed pairs
    that no set of observed nodes d-separates (nothing to test there).
    """

    graph: str
    alpha: float
    correction: str
    samples: int
    observed: tuple[str, ...]
    tests: tuple[IndependenceResult, ...]
    unseparated: tuple[tuple[str, str], ...]

    @property
    def rejected(self) -> tuple[IndependenceResult, ...]:
        return tuple(tested for tested in self.tests if tested.rejected)

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph, "alpha": self.alpha, "correction": self.correction,
                "samples": self.samples, "observed": list(self.observed),
                "tested": len(self.tests), "rejected": len(self.rejected),
                "tests": [tested.to_dict() for tested in self.tests],
                "unseparated": [list(pair) for pair in self.unseparated]}

    def __str__(self) -> str:
        count = len(self.rejected)
        lines = [f"Falsification of {self.graph} on {self.samples:,} samples: {len(self.tests)} "
                 f"implied independence{'s' if len(self.tests) != 1 else ''} tested, {count} "
                 f"rejected at alpha = {self.alpha:g} ({self.correction} correction)"]
        if count:
            lines.append("the data contradict the diagram: it misses a connection between each "
                         "rejected pair (an edge, a latent confounder, or a path through them)")
        for heading, rejected in (("rejected:", True), ("not rejected:", False)):
            listed = [tested for tested in self.tests if tested.rejected == rejected]
            if listed:
                lines.append(heading)
            for tested in listed:
                lines.append(f"  {tested.independence}: {tested.test.summary()}, adjusted p = "
                             f"{tested.adjusted_p_value:.3g}")
                lines += [f"    warning: {warning}" for warning in tested.test.warnings]
        if self.unseparated:
            pairs = "; ".join(f"{x}, {y}" for x, y in self.unseparated)
            lines.append(f"not testable (no observed set separates them): {pairs}")
        return "\n".join(lines)


def implied_independences(graph: CausalGraph,
                          observed: Iterable[str] | None = None) -> tuple[Independence, ...]:
    """One independence per non-adjacent pair of ``observed`` nodes that an observed set
    d-separates in G_σ, with a minimal such set.

    Parameters
    ----------
    graph : CausalGraph
    observed : Iterable[str], optional
        The nodes measured in the data; default every node, the regime nodes included. Pairs
        are listed in the graph's node order, each separating set sorted.

    Raises
    ------
    GraphSpecError
        When ``observed`` names a node the graph does not have.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "s -> C"], regime="s")
    >>> [str(item) for item in implied_independences(graph)]
    ['s ⊥ B | A', 'A ⊥ C | B, s']
    >>> [str(item) for item in implied_independences(graph, observed=["s", "B", "C"])]  # A unseen
    []
    """
    g_sigma = sigma_graph(graph)
    nodes = _observed(graph, observed)
    return tuple(Independence(x, y, separator) for x, y, separator in _pairs(g_sigma, nodes)
                 if separator is not None)


def falsify(graph: CausalGraph, samples: DataFrame, *, alpha: float = 0.05,
            correction: str = "holm", method: str = "auto") -> Falsification:
    """Test every independence the diagram implies among the columns of ``samples``.

    Parameters
    ----------
    graph : CausalGraph
    samples : pandas.DataFrame
        Columns named after nodes, as :func:`~causal_align.samples.read_samples` returns;
        other columns are ignored.
    alpha : float
        The level at which corrected p-values reject (family-wise error for ``"holm"`` and
        ``"bonferroni"``, false discovery rate for ``"fdr_bh"``).
    correction : str
        ``"holm"``, ``"fdr_bh"`` or ``"bonferroni"`` (statsmodels' ``multipletests``).
    method : str
        As for :func:`~causal_align.data_check.ci_test`; ``"auto"`` chooses for each test.

    Returns
    -------
    Falsification
        Rejected independences first, then by corrected p-value.

    Raises
    ------
    GraphSpecError
        When an observed column has a missing value.
    CausalAlignError
        For an invalid ``alpha``, ``correction`` or ``method``, or columns a test cannot use.

    Examples
    --------
    Data from s -> A -> B -> C with an extra edge A -> C the diagram lacks:

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 3000)
    >>> a = rng.random(3000) < 0.3 + 0.4 * s
    >>> b = rng.random(3000) < 0.2 + 0.6 * a
    >>> c = rng.random(3000) < 0.1 + 0.4 * b + 0.4 * a
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C"], regime="s")
    >>> result = falsify(graph, pd.DataFrame({"s": s, "A": a, "B": b, "C": c}))
    >>> [str(tested.independence) for tested in result.rejected]
    ['A ⊥ C | B']
    """
    from statsmodels.stats.multitest import multipletests

    if not 0 < alpha < 1:
        raise CausalAlignError(f"alpha must lie strictly between 0 and 1, found {alpha!r}")
    if correction not in CORRECTIONS:
        raise CausalAlignError(f"unknown correction {shown(correction)} (choose one of: "
                               f"{', '.join(CORRECTIONS)})")
    columns = set(samples.columns)
    nodes = [node for node in graph.nodes if node in columns]
    check_columns(samples, {node: "the node" for node in nodes})
    pairs = list(_pairs(sigma_graph(graph), nodes))
    claims = [Independence(x, y, separator) for x, y, separator in pairs if separator is not None]
    tests = [ci_test(samples, (claim.x,), (claim.y,), claim.given, method=method)
             for claim in claims]
    rejected, adjusted = ([], []) if not tests else multipletests(
        [test.p_value for test in tests], alpha=alpha, method=correction)[:2]
    results = sorted((IndependenceResult(claim, test, float(p_value), bool(reject))
                      for claim, test, p_value, reject in zip(claims, tests, adjusted, rejected)),
                     key=lambda tested: (not tested.rejected, tested.adjusted_p_value))
    return Falsification(graph.name, alpha, correction, len(samples), tuple(nodes),
                         tuple(results),
                         tuple((x, y) for x, y, separator in pairs if separator is None))


def _observed(graph: CausalGraph, observed: Iterable[str] | None) -> list[str]:
    if observed is None:
        return list(graph.nodes)
    chosen = set(observed)
    unknown = sorted(name for name in chosen if name not in graph.node_set)
    otherwise = f"it is not a node of {graph.name}"
    if unknown:
        raise GraphSpecError([Problem("E_UNKNOWN_NODE", f"unknown node {shown(name)} in observed "
                                      f"({suggest(name, graph.node_set, otherwise)})", "observed")
                              for name in unknown])
    return [node for node in graph.nodes if node in chosen]


def _pairs(g_sigma: SigmaGraph, nodes: Sequence[str]) -> Iterator[tuple[str, str,
                                                                         tuple[str, ...] | None]]:
    """Each non-adjacent pair of ``nodes`` in G_σ with a minimal observed separator, or None."""
    allowed = set(nodes)
    for index, x in enumerate(nodes):
        near = {*g_sigma.parents(x), *g_sigma.children(x), *g_sigma.spouses(x)}
        for y in nodes[index + 1:]:
            if y in near:
                continue
            found = minimal_separator(g_sigma, {x}, {y}, included=(), restricted=allowed - {x, y})
            yield x, y, None if found is None else tuple(sorted(found))
